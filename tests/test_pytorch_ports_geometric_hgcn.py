"""Hyperbolic graph convolutional networks (Chami et al. 2019) as HazyResearch/hgcn writes
them: the ``PoincareBall`` manifold (Möbius addition, ``mobius_matvec``, ``expmap0`` and
``logmap0``, ``proj`` back inside the ball by ``torch.where``), ``utils/math_utils.py``'s
``Artanh`` (a ``torch.autograd.Function`` whose forward is ``torch.log_(1 + x).sub_(
torch.log_(1 - x)).mul_(0.5)``) and ``Arsinh`` (``(z + torch.sqrt_(1 + z.pow(2)))
.clamp_min_(1e-15).log_()``), the ``HypLinear``/``HypAgg`` (``torch.spmm`` with the
normalised adjacency)/``HypAct`` layers chained in an ``nn.Sequential`` that passes
``(x, adj)`` tuples, trainable curvatures ``nn.Parameter(torch.Tensor([1.]))``, and the
node-classification model (a linear decoder on ``logmap0``, ``F.log_softmax`` and
``F.nll_loss``) trained by Adam with weight decay on a generated two-community graph.
It runs step for step next to PyTorch (float64): losses, every step's gradients
(the curvatures' included) and parameters agree.

Lines written differently here, and why:
- ``nn.Parameter(torch.Tensor(out_features))`` (a size) is ``torch.empty(out_features)``:
  ``Tensor(n)`` is the number n here (``Tensor`` takes data, as ``torch.tensor``);
- ``torch.autograd.Function`` is ``autograd_of(torch).Function``: ``torch.autograd``'s
  names are ``autograd``'s own here;
- the layers' curvatures are an ``nn.ParameterList``: hgcn keeps them in a plain list,
  which PyTorch does not register (so hgcn never trains them), while this library finds
  the parameters held in lists (by design), and would train them;
- ``getattr(manifolds, args.manifold)()`` and ``args`` are the objects and numbers they
  name; the layers' dropout is 0 (PyTorch draws its masks from its own generator);
- the test's glue (marked): PyTorch's model starts from our weights; both record each
  optimizer step.
"""

import math

import numpy as np

from graph_ports_data import two_communities
from graph_ports_helpers import assert_same_run
from hype_program import autograd_of


def hgcn_modules(torch, nn, F):
    """hgcn's math utilities, Poincaré ball and hyperbolic layers for ``torch``."""

    class Artanh(autograd_of(torch).Function):
        @staticmethod
        def forward(ctx, x):
            x = x.clamp(-1 + 1e-15, 1 - 1e-15)
            ctx.save_for_backward(x)
            x = x.double()
            return (torch.log_(1 + x).sub_(torch.log_(1 - x))).mul_(0.5).to(x.dtype)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output / (1 - input ** 2)

    class Arsinh(autograd_of(torch).Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            z = x.double()
            return (z + torch.sqrt_(1 + z.pow(2))).clamp_min_(1e-15).log_().to(x.dtype)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output / (1 + input ** 2) ** 0.5

    def tanh(x, clamp=15):
        return x.clamp(-clamp, clamp).tanh()

    def artanh(x):
        return Artanh.apply(x)

    class PoincareBall:
        def __init__(self):
            self.name = 'PoincareBall'
            self.min_norm = 1e-15

        def proj(self, x, c):
            c = torch.as_tensor(c).type_as(x)
            norm = torch.clamp_min(x.norm(dim=-1, keepdim=True, p=2), self.min_norm)
            maxnorm = (1 - 1e-3) / (c ** 0.5)
            cond = norm > maxnorm
            projected = x / norm * maxnorm
            return torch.where(cond, projected, x)

        def proj_tan0(self, u, c):
            return u

        def expmap0(self, u, c):
            c = torch.as_tensor(c).type_as(u)
            sqrt_c = c ** 0.5
            u = u + self.min_norm
            u_norm = torch.norm(u, dim=-1, keepdim=True)
            gamma_1 = tanh(sqrt_c * u_norm) * u / (sqrt_c * u_norm)
            return gamma_1

        def logmap0(self, p, c):
            c = torch.as_tensor(c).type_as(p)
            sqrt_c = c ** 0.5
            p = p + self.min_norm
            p_norm = p.norm(dim=-1, p=2, keepdim=True)
            scale = 1 / sqrt_c * artanh(sqrt_c * p_norm) / p_norm
            return scale * p

        def mobius_add(self, x, y, c, dim=-1):
            c = torch.as_tensor(c).type_as(x)
            y = y + self.min_norm
            x2 = x.pow(2).sum(dim=dim, keepdim=True)
            y2 = y.pow(2).sum(dim=dim, keepdim=True)
            xy = (x * y).sum(dim=dim, keepdim=True)
            num = (1 + 2 * c * xy + c * y2) * x + (1 - c * x2) * y
            denom = 1 + 2 * c * xy + c ** 2 * x2 * y2
            return num / denom.clamp_min(self.min_norm)

        def mobius_matvec(self, m, x, c):
            c = torch.as_tensor(c).type_as(x)
            sqrt_c = c ** 0.5
            xM = x @ m.transpose(-1, -2)
            xM_norms = torch.norm(xM, dim=-1, keepdim=True)
            x_norms = torch.norm(x, dim=-1, keepdim=True)
            scale = 1. / sqrt_c * tanh(xM_norms / x_norms * artanh(sqrt_c * x_norms)) / xM_norms
            res = scale * xM
            return self.proj(res, c)

    class HypLinear(nn.Module):
        def __init__(self, manifold, in_features, out_features, c, dropout, use_bias):
            super(HypLinear, self).__init__()
            self.manifold, self.c = manifold, c
            self.in_features, self.out_features = in_features, out_features
            self.dropout, self.use_bias = dropout, use_bias
            self.bias = nn.Parameter(torch.empty(out_features))  # hgcn: torch.Tensor(n)
            self.weight = nn.Parameter(torch.empty(out_features, in_features))
            nn.init.xavier_uniform_(self.weight, gain=math.sqrt(2))
            nn.init.constant_(self.bias, 0)

        def forward(self, x):
            drop_weight = F.dropout(self.weight, self.dropout, training=self.training)
            mv = self.manifold.mobius_matvec(drop_weight, x, self.c)
            res = self.manifold.proj(mv, self.c)
            if self.use_bias:
                bias = self.manifold.proj_tan0(self.bias.view(1, -1), self.c)
                hyp_bias = self.manifold.expmap0(bias, self.c)
                hyp_bias = self.manifold.proj(hyp_bias, self.c)
                res = self.manifold.mobius_add(res, hyp_bias, c=self.c)
                res = self.manifold.proj(res, self.c)
            return res

    class HypAgg(nn.Module):
        def __init__(self, manifold, c):
            super(HypAgg, self).__init__()
            self.manifold, self.c = manifold, c

        def forward(self, x, adj):
            x_tangent = self.manifold.logmap0(x, c=self.c)
            support_t = torch.spmm(adj, x_tangent)
            return self.manifold.proj(self.manifold.expmap0(support_t, c=self.c), c=self.c)

    class HypAct(nn.Module):
        def __init__(self, manifold, c_in, c_out, act):
            super(HypAct, self).__init__()
            self.manifold, self.c_in, self.c_out, self.act = manifold, c_in, c_out, act

        def forward(self, x):
            xt = self.act(self.manifold.logmap0(x, c=self.c_in))
            xt = self.manifold.proj_tan0(xt, c=self.c_out)
            return self.manifold.proj(self.manifold.expmap0(xt, c=self.c_out), c=self.c_out)

    class HyperbolicGraphConvolution(nn.Module):
        def __init__(self, manifold, in_features, out_features, c_in, c_out, dropout, act,
                     use_bias):
            super(HyperbolicGraphConvolution, self).__init__()
            self.linear = HypLinear(manifold, in_features, out_features, c_in, dropout,
                                    use_bias)
            self.agg = HypAgg(manifold, c_in)
            self.hyp_act = HypAct(manifold, c_in, c_out, act)

        def forward(self, input):
            x, adj = input
            h = self.linear.forward(x)
            h = self.agg.forward(h, adj)
            h = self.hyp_act.forward(h)
            output = h, adj
            return output

    class NCModel(nn.Module):
        """HGCN encoder (two layers, trainable curvatures) and the linear decoder."""

        def __init__(self, feat_dim, dim, n_classes):
            super(NCModel, self).__init__()
            self.manifold = PoincareBall()
            self.c = nn.Parameter(torch.Tensor([1.]))
            self.curvatures = nn.ParameterList(  # hgcn: a list (see the module docstring)
                [nn.Parameter(torch.Tensor([1.])) for _ in range(1)])
            self.curvatures.append(self.c)
            dims, act = [feat_dim, dim], F.relu
            self.layers = nn.Sequential(*[HyperbolicGraphConvolution(
                self.manifold, dims[i], dims[i + 1], self.curvatures[i],
                self.curvatures[i + 1], 0.0, act, 1) for i in range(len(dims) - 1)])
            self.cls = nn.Linear(dim, n_classes)

        def forward(self, x, adj):
            x_tan = self.manifold.proj_tan0(x, self.curvatures[0])
            x_hyp = self.manifold.expmap0(x_tan, c=self.curvatures[0])
            x_hyp = self.manifold.proj(x_hyp, c=self.curvatures[0])
            h, _ = self.layers.forward((x_hyp, adj))
            h = self.manifold.proj_tan0(self.manifold.logmap0(h, c=self.c), c=self.c)
            return self.cls(h)

    return NCModel, Arsinh


def hgcn_program(torch, nn, F, optim, glue, epochs=4):
    data = two_communities(n=16, features=4)
    n = len(data["y"])
    adj = np.eye(n)
    adj[data["edge_index"][0], data["edge_index"][1]] = 1
    adj = adj / adj.sum(1, keepdims=True)  # hgcn: normalize(adj + sp.eye(n)), row sums 1
    x, adj = torch.tensor(0.1 * data["x"]), torch.tensor(adj)
    labels, idx_train = torch.tensor(data["y"]), torch.tensor(np.nonzero(data["train_mask"])[0])
    NCModel, _ = hgcn_modules(torch, nn, F)
    model = NCModel(feat_dim=4, dim=6, n_classes=2)
    optimizer = optim.Adam(params=model.parameters(), lr=0.01, weight_decay=5e-4)
    glue(model, optimizer)  # the test's glue
    losses = []
    for epoch in range(epochs):
        model.train()
        optimizer.zero_grad()
        output = F.log_softmax(model(x, adj)[idx_train], dim=1)
        loss = F.nll_loss(output, labels[idx_train])
        loss.backward()
        optimizer.step()
        losses += [loss.item(), model.c.detach().clone()]
    return losses


def test_hgcn_node_classification_runs_step_for_step(torch):
    assert_same_run(torch, hgcn_program)


def test_hgcn_arsinh_function_matches_its_closed_form(torch):
    """``Arsinh.apply`` (in-place ``sqrt_``, ``clamp_min_``, ``log_`` in its forward) and its
    backward against PyTorch's ``asinh``."""
    import autograd as ag
    import nn
    import nn.functional as F
    _, Arsinh = hgcn_modules(ag, nn, F)
    values = np.linspace(-3, 3, 7)
    x, tx = ag.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    Arsinh.apply(x).sum().backward()
    torch.asinh(tx).sum().backward()
    np.testing.assert_allclose(Arsinh.apply(x).detach().numpy(), torch.asinh(tx).detach(),
                               rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
