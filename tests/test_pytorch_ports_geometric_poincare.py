"""Poincaré embeddings (Nickel & Kiela 2017) as facebookresearch/poincare-embeddings
(``hype/``) writes them: a ``PoincareManifold`` whose distance
``arcosh(1 + 2 |u - v|^2 / ((1 - |u|^2)(1 - |v|^2)))`` is a ``torch.autograd.Function``
with its own backward (``Distance.grad``), whose Riemannian gradient rescales the
Euclidean one by ``(1 - |p|^2)^2 / 4``, and whose ``normalize`` keeps the points inside
the ball by ``u.view(-1, d).renorm_(2, 0, 1 - eps)``; ``RiemannianSGD`` (an
``Optimizer`` with ``required`` defaults and callables in its param groups, a ``step(lr=)``);
the ``DistanceEnergyFunction`` model (an ``nn.Embedding``, normalized under ``no_grad``,
``narrow``/``expand_as`` into subject and objects, ``F.cross_entropy`` of the negated
distances) and ``hype/train.py``'s loop with its burn-in epochs at a tenth of the rate.
The data are the transitive closure of a small tree (the mammal closure's shape, shrunk)
with sampled negatives. It runs step for step next to PyTorch (float64): losses, every
step's gradients and embeddings agree.

Lines written differently here, and why:
- ``.data`` is the NumPy array here (by design): ``w.data.uniform_(-scale, scale)`` is
  ``w.uniform_`` under ``no_grad()``, and ``RiemannianSGD.step`` updates ``p`` with
  ``p.grad`` under ``no_grad()`` where hype reads ``p.data`` and ``p.grad.data`` (the same
  in both);
- ``torch.autograd.Function`` is ``autograd_of(th).Function``: ``torch.autograd``'s names
  are ``autograd``'s own here;
- ``th.Tensor(len(loader))`` (a size) is ``th.empty(len(loader))``: ``Tensor(n)`` is the
  number n here (``Tensor`` takes data, as ``torch.tensor``; a warning says so);
- the loader is built with ``shuffle=False`` (the two libraries' generators differ);
- the test's glue (marked): PyTorch's model starts from our weights; both record each
  optimizer step.
"""

import importlib

import numpy as np

import autograd as ag
from graph_ports_helpers import assert_same_run


def autograd_of(th):
    """``torch.autograd`` of PyTorch; ``autograd`` itself here."""
    return th.autograd if hasattr(th, "autograd") else ag


def tree_closure(depth=3):
    """The (child, ancestor) pairs of a binary tree's transitive closure, nodes 0..2^depth-2."""
    pairs = []
    for node in range(1, 2 ** depth - 1):
        parent = node
        while parent > 0:
            parent = (parent - 1) // 2
            pairs.append((node, parent))
    return np.array(pairs), 2 ** depth - 1


def hype_modules(th, nn, F, optim):
    """hype's manifold, distance Function, energy function and optimizer for ``th``."""
    Function = autograd_of(th).Function
    required = importlib.import_module(optim.__name__ + '.optimizer').required

    class EuclideanManifold:
        __slots__ = ["max_norm"]

        def __init__(self, max_norm=1, **kwargs):
            self.max_norm = max_norm

        def init_weights(self, w, scale=1e-4):
            with th.no_grad():  # hype: w.data.uniform_(-scale, scale)
                w.uniform_(-scale, scale)

        def allocate_lt(self, N, dim, sparse):
            return nn.Embedding(N, dim, sparse=sparse)

        def normalize(self, u):
            d = u.size(-1)
            u.view(-1, d).renorm_(2, 0, self.max_norm)
            return u

        def expm(self, p, d_p, normalize=False, lr=None, out=None):
            if lr is not None:
                d_p.mul_(-lr)
            if out is None:
                out = p
            out.add_(d_p)
            if normalize:
                self.normalize(out)
            return out

    class PoincareManifold(EuclideanManifold):
        __slots__ = ["eps", "boundary"]

        def __init__(self, eps=1e-5, **kwargs):
            super(PoincareManifold, self).__init__(**kwargs)
            self.eps = eps
            self.boundary = 1 - eps
            self.max_norm = self.boundary

        def distance(self, u, v):
            return Distance.apply(u, v, self.eps)

        def rgrad(self, p, d_p):
            p_sqnorm = th.sum(p ** 2, dim=-1, keepdim=True)
            d_p = d_p * ((1 - p_sqnorm) ** 2 / 4).expand_as(d_p)
            return d_p

    class Distance(Function):
        @staticmethod
        def grad(x, v, sqnormx, sqnormv, sqdist, eps):
            alpha = (1 - sqnormx)
            beta = (1 - sqnormv)
            z = 1 + 2 * sqdist / (alpha * beta)
            a = ((sqnormv - 2 * th.sum(x * v, dim=-1) + 1) / th.pow(alpha, 2))\
                .unsqueeze(-1).expand_as(x)
            a = a * x - v / alpha.unsqueeze(-1).expand_as(v)
            z = th.sqrt(th.pow(z, 2) - 1)
            z = th.clamp(z * beta, min=eps).unsqueeze(-1)
            return 4 * a / z.expand_as(x)

        @staticmethod
        def forward(ctx, u, v, eps):
            squnorm = th.clamp(th.sum(u * u, dim=-1), 0, 1 - eps)
            sqvnorm = th.clamp(th.sum(v * v, dim=-1), 0, 1 - eps)
            sqdist = th.sum(th.pow(u - v, 2), dim=-1)
            ctx.eps = eps
            ctx.save_for_backward(u, v, squnorm, sqvnorm, sqdist)
            x = sqdist / ((1 - squnorm) * (1 - sqvnorm)) * 2 + 1
            # arcosh
            z = th.sqrt(th.pow(x, 2) - 1)
            return th.log(x + z)

        @staticmethod
        def backward(ctx, g):
            u, v, squnorm, sqvnorm, sqdist = ctx.saved_tensors
            g = g.unsqueeze(-1)
            gu = Distance.grad(u, v, squnorm, sqvnorm, sqdist, ctx.eps)
            gv = Distance.grad(v, u, sqvnorm, squnorm, sqdist, ctx.eps)
            return g.expand_as(gu) * gu, g.expand_as(gv) * gv, None

    class DistanceEnergyFunction(nn.Module):
        def __init__(self, manifold, dim, size, sparse=False, **kwargs):
            super().__init__()
            self.manifold = manifold
            self.lt = manifold.allocate_lt(size, dim, sparse)
            self.nobjects = size
            self.manifold.init_weights(self.lt.weight)

        def forward(self, inputs):
            e = self.lt(inputs)
            with th.no_grad():
                e = self.manifold.normalize(e)
            o = e.narrow(1, 1, e.size(1) - 1)
            s = e.narrow(1, 0, 1).expand_as(o)
            return self.energy(s, o).squeeze(-1)

        def optim_params(self):
            return [{"params": self.lt.parameters(), "rgrad": self.manifold.rgrad,
                     "expm": self.manifold.expm}]

        def energy(self, s, o):
            return self.manifold.distance(s, o)

        def loss(self, inp, target, **kwargs):
            return F.cross_entropy(inp.neg(), target)

    class RiemannianSGD(optim.Optimizer):
        def __init__(self, params, lr=required, rgrad=required, expm=required):
            defaults = {'lr': lr, 'rgrad': rgrad, 'expm': expm}
            super(RiemannianSGD, self).__init__(params, defaults)

        def step(self, lr=None, **kwargs):
            loss = None
            for group in self.param_groups:
                for p in group['params']:
                    lr = lr or group['lr']
                    rgrad = group['rgrad']
                    expm = group['expm']
                    if p.grad is None:
                        continue
                    with th.no_grad():  # hype: d_p = p.grad.data; rgrad(p.data, d_p)...
                        d_p = p.grad
                        d_p = rgrad(p, d_p)
                        d_p.mul_(-lr)
                        expm(p, d_p)
            return loss

    return PoincareManifold, DistanceEnergyFunction, RiemannianSGD


def poincare_program(th, nn, F, optim, glue, epochs=4, burnin=2, nnegs=4, batchsize=8):
    pairs, nobjects = tree_closure()
    rng = np.random.default_rng(0)
    rows = [[u, v] + list(rng.choice([k for k in range(nobjects) if k not in (u, v)],
                                     nnegs, replace=False)) for u, v in pairs]

    class Closure(th.utils.data.Dataset if hasattr(th, "utils") else nn.data.Dataset):
        def __len__(self):
            return len(rows)

        def __getitem__(self, i):
            return th.LongTensor(rows[i]), 0

    PoincareManifold, DistanceEnergyFunction, RiemannianSGD = hype_modules(th, nn, F, optim)
    manifold = PoincareManifold()
    model = DistanceEnergyFunction(manifold, dim=2, size=nobjects)
    optimizer = RiemannianSGD(model.optim_params(), lr=1.0)
    glue(model, optimizer)  # the test's glue
    loader_module = th.utils.data if hasattr(th, "utils") else nn.data
    loader = loader_module.DataLoader(Closure(), batch_size=batchsize, shuffle=False)
    epoch_loss = th.empty(len(loader))  # hype: th.Tensor(len(loader))
    results = []
    for epoch in range(epochs):
        epoch_loss.fill_(0)
        lr = 1.0
        if epoch < burnin:
            lr = lr * 0.1
        for i_batch, (inputs, targets) in enumerate(loader):
            optimizer.zero_grad()
            preds = model(inputs)
            loss = model.loss(preds, targets, size_average=True)
            loss.backward()
            optimizer.step(lr=lr)
            epoch_loss[i_batch] = loss.cpu().item()
        results.append(th.mean(epoch_loss).item())
    with th.no_grad():
        everything = model.lt.weight
        results.append(manifold.distance(everything.unsqueeze(1).expand(-1, nobjects, -1),
                                         everything.unsqueeze(0).expand(nobjects, -1, -1)))
    return results


def test_poincare_embeddings_train_step_for_step(torch):
    result = assert_same_run(torch, poincare_program)
    distances = np.asarray(result[-1].numpy())
    pairs, _ = tree_closure()
    assert distances[pairs[:, 0], pairs[:, 1]].mean() < distances.mean()
