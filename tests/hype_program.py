"""The parts of facebookresearch/poincare-embeddings (``hype/``) that its Poincaré and
Lorentz models share, for the library ``th`` given: the energy-function model, the
Riemannian SGD optimizer and the transitive closure of a small tree as data. Used by
``test_pytorch_ports_geometric_poincare.py`` and ``..._lorentz.py``, which say which lines
are written differently and why."""

import importlib

import numpy as np

import autograd as ag


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

        @staticmethod
        def dim(dim):
            return dim

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


def embedding_program(th, nn, F, optim, glue, manifold_of, dim=2, lr=1.0, epochs=4, burnin=2,
                      nnegs=4, batchsize=8, evaluate=False):
    """hype's ``embed.py`` and ``train.py``: embed the closure in the manifold that
    ``manifold_of(th, PoincareManifold)`` makes, the losses of each epoch and the
    distances between all pairs (i < j) of embeddings after training if ``evaluate``."""
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
    manifold = manifold_of(th, PoincareManifold)
    model = DistanceEnergyFunction(manifold, dim=manifold.dim(dim), size=nobjects)
    optimizer = RiemannianSGD(model.optim_params(), lr=lr)
    glue(model, optimizer)  # the test's glue
    loader_module = th.utils.data if hasattr(th, "utils") else nn.data
    loader = loader_module.DataLoader(Closure(), batch_size=batchsize, shuffle=False)
    epoch_loss = th.empty(len(loader))  # hype: th.Tensor(len(loader))
    results = []
    for epoch in range(epochs):
        epoch_loss.fill_(0)
        rate = lr  # hype: lr = opt.lr; lr = opt.lr * _lr_multiplier in burn-in
        if epoch < burnin:
            rate = lr * 0.1
        for i_batch, (inputs, targets) in enumerate(loader):
            optimizer.zero_grad()
            preds = model(inputs)
            loss = model.loss(preds, targets, size_average=True)
            loss.backward()
            optimizer.step(lr=rate)
            epoch_loss[i_batch] = loss.cpu().item()
        results.append(th.mean(epoch_loss).item())
    if not evaluate:
        return results
    with th.no_grad():
        first, second = th.triu_indices(nobjects, nobjects, 1)
        everything = model.lt.weight
        results.append(manifold.distance(everything[first], everything[second]))
    return results
