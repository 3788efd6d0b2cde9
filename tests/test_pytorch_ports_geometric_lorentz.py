"""The Lorentz (hyperboloid) model of hyperbolic embeddings (Nickel & Kiela 2018) as
facebookresearch/poincare-embeddings writes it (``hype/lorentz.py``, ``hype/common.py``),
trained by the same model, Riemannian SGD and loop as the Poincaré port
(``hype_program.py``): the Lorentzian product ``<u, v>_L = -u_0 v_0 + sum u_i v_i`` and
``acosh`` as ``torch.autograd.Function``s with their own backward (``LorentzDot``: the
gradient's time coordinate negated in place through ``narrow``; ``Acosh``: ``g / max(z,
eps)``), and in-place updates written on views: ``normalize`` renormalises the space part
with ``renorm_`` and writes the time part with ``w.narrow(-1, 0, 1).copy_(tmp)``, ``rgrad``
turns the gradient with ``narrow(...).mul_(-1)`` and ``addcmul_``, and ``expm`` moves
along the geodesic with ``clamp_().sqrt_()`` and ``addcdiv_``. It runs step for step next
to PyTorch (float64): losses, every step's gradients and embeddings agree, for two
epochs: the points start within 1e-5 of the origin, where ``acosh`` near 1 divides by
``sqrt(x^2 - 1)`` and both libraries' rounding (1e-15) grows by about 10x an epoch (to
1e-9 after four, a growth measured the same way in both directions).

Lines written differently here, and why (and those of ``test_..._poincare.py``):
- ``d.data.clamp_(min=1)``: ``.data`` is the NumPy array here (by design), so the clamp is
  written on ``d`` under ``no_grad()`` (the same in both);
- ``w.data.copy_(self.normalize(w.data))`` likewise, on ``w`` under ``no_grad()``.
"""

import numpy as np

from graph_ports_helpers import assert_same_run
from hype_program import autograd_of, embedding_program, tree_closure


def lorentz_manifold(th, PoincareManifold):
    """hype's ``LorentzManifold`` (its dense paths) for the library ``th``."""
    Function = autograd_of(th).Function

    class Acosh(Function):
        @staticmethod
        def forward(ctx, x, eps):
            z = th.sqrt(x * x - 1)
            ctx.save_for_backward(z)
            ctx.eps = eps
            return th.log(x + z)

        @staticmethod
        def backward(ctx, g):
            z, = ctx.saved_tensors
            z = th.clamp(z, min=ctx.eps)
            z = g / z
            return z, None

    acosh = Acosh.apply

    class LorentzManifold:
        __slots__ = ["eps", "_eps", "norm_clip", "max_norm", "debug"]

        @staticmethod
        def dim(dim):
            return dim + 1

        def __init__(self, eps=1e-12, _eps=1e-5, norm_clip=1, max_norm=1e6, debug=False,
                     **kwargs):
            self.eps = eps
            self._eps = _eps
            self.norm_clip = norm_clip
            self.max_norm = max_norm
            self.debug = debug

        @staticmethod
        def ldot(u, v, keepdim=False):
            uv = u * v
            uv.narrow(-1, 0, 1).mul_(-1)
            return th.sum(uv, dim=-1, keepdim=keepdim)

        def distance(self, u, v):
            d = -LorentzDot.apply(u, v)
            with th.no_grad():  # hype: d.data.clamp_(min=1)
                d.clamp_(min=1)
            return acosh(d, self._eps)

        def normalize(self, w):
            d = w.size(-1) - 1
            narrowed = w.narrow(-1, 1, d)
            if self.max_norm:
                narrowed.view(-1, d).renorm_(p=2, dim=0, maxnorm=self.max_norm)
            tmp = 1 + th.sum(th.pow(narrowed, 2), dim=-1, keepdim=True)
            tmp.sqrt_()
            w.narrow(-1, 0, 1).copy_(tmp)
            return w

        def init_weights(self, w, irange=1e-5):
            with th.no_grad():  # hype: w.data.uniform_(...); w.data.copy_(normalize(w.data))
                w.uniform_(-irange, irange)
                w.copy_(self.normalize(w))

        def allocate_lt(self, N, dim, sparse):
            return PoincareManifold.allocate_lt(self, N, dim, sparse)

        def rgrad(self, p, d_p):
            u = d_p
            x = p
            u.narrow(-1, 0, 1).mul_(-1)
            u.addcmul_(self.ldot(x, u, keepdim=True).expand_as(x), x)
            return d_p

        def expm(self, p, d_p, lr=None, out=None, normalize=False):
            if out is None:
                out = p
            if lr is not None:
                d_p.narrow(-1, 0, 1).mul_(-1)
                d_p.addcmul_((self.ldot(p, d_p, keepdim=True)).expand_as(p), p)
                d_p.mul_(-lr)
            ldv = self.ldot(d_p, d_p, keepdim=True)
            nd_p = ldv.clamp_(min=0).sqrt_()
            t = th.clamp(nd_p, max=self.norm_clip)
            nd_p.clamp_(min=self.eps)
            newp = (th.cosh(t) * p).addcdiv_(th.sinh(t) * d_p, nd_p)
            if normalize:
                newp = self.normalize(newp)
            p.copy_(newp)

    class LorentzDot(Function):
        @staticmethod
        def forward(ctx, u, v):
            ctx.save_for_backward(u, v)
            return LorentzManifold.ldot(u, v)

        @staticmethod
        def backward(ctx, g):
            u, v = ctx.saved_tensors
            g = g.unsqueeze(-1).expand_as(u).clone()
            g.narrow(-1, 0, 1).mul_(-1)
            return g * v, g * u

    return LorentzManifold()


def lorentz_program(th, nn, F, optim, glue, epochs=2, evaluate=False):
    return embedding_program(th, nn, F, optim, glue, lorentz_manifold, lr=0.5, epochs=epochs,
                             burnin=1, evaluate=evaluate)


def test_lorentz_embeddings_train_step_for_step(torch):
    # acosh'(x) = 1 / sqrt(x^2 - 1) at x = 1 + ~1e-10 (the start near the origin): one ulp
    # of the Lorentz product, which the two libraries sum in their own orders (and orders
    # that change with the CPU's vector kernels and the arrays' alignment), is ~1e-6 of
    # the first gradient; SSE kernels showed 6e-7. A wrong gradient would be off by O(1).
    assert_same_run(torch, lorentz_program, rtol=1e-4, atol=1e-8, param_atol=1e-5)


def test_lorentz_embeddings_place_the_closure_pairs_closer():
    import autograd as ag
    import nn
    import nn.functional as F
    ag.manual_seed(0)
    result = lorentz_program(ag, nn, F, nn.optim, lambda *models_and_optimizer: None,
                             epochs=12, evaluate=True)
    pairs, nobjects = tree_closure()
    distances = np.zeros((nobjects, nobjects))
    distances[np.triu_indices(nobjects, 1)] = result[-1].numpy()
    distances += distances.T
    assert distances[pairs[:, 0], pairs[:, 1]].mean() < distances.mean()


def test_lorentz_points_stay_on_the_hyperboloid(torch):
    """<x, x>_L = -1 for every embedding after training (normalize and expm keep it)."""
    import autograd as ag
    import nn
    import nn.functional as F
    ag.manual_seed(0)
    weights = []
    embedding_program(ag, nn, F, nn.optim, lambda model, opt: weights.append(model.lt.weight),
                      lorentz_manifold, lr=0.5)
    w = weights[0].detach().numpy()
    np.testing.assert_allclose(-w[:, 0] ** 2 + (w[:, 1:] ** 2).sum(-1), -1, atol=1e-10)
