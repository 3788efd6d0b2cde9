"""The ``entmax`` package as deep-spin/entmax writes it (``activations.py``,
``root_finding.py``, ``losses.py``): sparsemax and 1.5-entmax as ``Function`` subclasses
with ``@classmethod`` forward/backward and a partial sort by ``torch.topk`` that retries the
unsolved rows with twice the k through boolean-mask writes into a permuted view, alpha-entmax
by bisection differentiable in alpha (``ctx.needs_input_grad[1]``, ``Y.new_zeros(1)`` in
``torch.where``), and the Fenchel-Young losses (``scatter_add_`` of -1 at the targets inside
``forward``, ``einsum("ij,ij->i")``, ``masked_fill_`` of ignored positions on the result);
trained as a linear classifier on scikit-learn's digits; written once for a library
``torch`` and run step for step next to PyTorch in float64.

Lines written differently here, and why:
- ``from torch.autograd import Function`` is ``autograd.Function`` here;
- ``rho.view(view).transpose(0, dim)`` is ``.swapaxes(0, dim)``: ``transpose(0, -1)`` of a
  2-d tensor reads as NumPy's permutation or PyTorch's swap, refused here as ambiguous.
"""

import numpy as np
import pytest

from recsys_helpers import assert_records, libraries


def entmax_package(torch, nn) -> dict:
    Function = getattr(torch, "autograd", torch).Function  # autograd.Function here

    def _make_ix_like(X, dim):
        d = X.size(dim)
        rho = torch.arange(1, d + 1, device=X.device, dtype=X.dtype)
        view = [1] * X.dim()
        view[0] = -1
        return rho.view(view).swapaxes(0, dim)  # .transpose(0, dim) there, see above

    def _roll_last(X, dim):
        if dim == -1:
            return X
        elif dim < 0:
            dim = X.dim() - dim
        perm = [i for i in range(X.dim()) if i != dim] + [dim]
        return X.permute(perm)

    def _sparsemax_threshold_and_support(X, dim=-1, k=None):
        if k is None or k >= X.shape[dim]:  # do full sort
            topk, _ = torch.sort(X, dim=dim, descending=True)
        else:
            topk, _ = torch.topk(X, k=k, dim=dim)
        topk_cumsum = topk.cumsum(dim) - 1
        rhos = _make_ix_like(topk, dim)
        support = rhos * topk > topk_cumsum
        support_size = support.sum(dim=dim).unsqueeze(dim)
        tau = topk_cumsum.gather(dim, support_size - 1)
        tau /= support_size.to(X.dtype)
        if k is not None and k < X.shape[dim]:
            unsolved = (support_size == k).squeeze(dim)
            if torch.any(unsolved):
                in_ = _roll_last(X, dim)[unsolved]
                tau_, ss_ = _sparsemax_threshold_and_support(in_, dim=-1, k=2 * k)
                _roll_last(tau, dim)[unsolved] = tau_
                _roll_last(support_size, dim)[unsolved] = ss_
        return tau, support_size

    def _entmax_threshold_and_support(X, dim=-1, k=None):
        if k is None or k >= X.shape[dim]:  # do full sort
            Xsrt, _ = torch.sort(X, dim=dim, descending=True)
        else:
            Xsrt, _ = torch.topk(X, k=k, dim=dim)
        rho = _make_ix_like(Xsrt, dim)
        mean = Xsrt.cumsum(dim) / rho
        mean_sq = (Xsrt ** 2).cumsum(dim) / rho
        ss = rho * (mean_sq - mean ** 2)
        delta = (1 - ss) / rho
        delta_nz = torch.clamp(delta, 0)
        tau = mean - torch.sqrt(delta_nz)
        support_size = (tau <= Xsrt).sum(dim).unsqueeze(dim)
        tau_star = tau.gather(dim, support_size - 1)
        if k is not None and k < X.shape[dim]:
            unsolved = (support_size == k).squeeze(dim)
            if torch.any(unsolved):
                X_ = _roll_last(X, dim)[unsolved]
                tau_, ss_ = _entmax_threshold_and_support(X_, dim=-1, k=2 * k)
                _roll_last(tau_star, dim)[unsolved] = tau_
                _roll_last(support_size, dim)[unsolved] = ss_
        return tau_star, support_size

    class SparsemaxFunction(Function):
        @classmethod
        def forward(cls, ctx, X, dim=-1, k=None):
            ctx.dim = dim
            max_val, _ = X.max(dim=dim, keepdim=True)
            X = X - max_val  # same numerical stability trick as softmax
            tau, supp_size = _sparsemax_threshold_and_support(X, dim=dim, k=k)
            output = torch.clamp(X - tau, min=0)
            ctx.save_for_backward(supp_size, output)
            return output

        @classmethod
        def backward(cls, ctx, grad_output):
            supp_size, output = ctx.saved_tensors
            dim = ctx.dim
            grad_input = grad_output.clone()
            grad_input[output == 0] = 0
            v_hat = grad_input.sum(dim=dim) / supp_size.to(output.dtype).squeeze()
            v_hat = v_hat.unsqueeze(dim)
            grad_input = torch.where(output != 0, grad_input - v_hat, grad_input)
            return grad_input, None, None

    class Entmax15Function(Function):
        @classmethod
        def forward(cls, ctx, X, dim=0, k=None):
            ctx.dim = dim
            max_val, _ = X.max(dim=dim, keepdim=True)
            X = X - max_val  # same numerical stability trick as for softmax
            X = X / 2  # divide by 2 to solve actual Entmax
            tau_star, _ = _entmax_threshold_and_support(X, dim=dim, k=k)
            Y = torch.clamp(X - tau_star, min=0) ** 2
            ctx.save_for_backward(Y)
            return Y

        @classmethod
        def backward(cls, ctx, dY):
            Y, = ctx.saved_tensors
            gppr = Y.sqrt()  # = 1 / g'' (Y)
            dX = dY * gppr
            q = dX.sum(ctx.dim) / gppr.sum(ctx.dim)
            q = q.unsqueeze(ctx.dim)
            dX -= q * gppr
            return dX, None, None

    class EntmaxBisectFunction(Function):
        @classmethod
        def _gp(cls, x, alpha):
            return x ** (alpha - 1)

        @classmethod
        def _gp_inv(cls, y, alpha):
            return y ** (1 / (alpha - 1))

        @classmethod
        def _p(cls, X, alpha):
            return cls._gp_inv(torch.clamp(X, min=0), alpha)

        @classmethod
        def forward(cls, ctx, X, alpha=1.5, dim=-1, n_iter=50, ensure_sum_one=True):
            if not isinstance(alpha, torch.Tensor):
                alpha = torch.tensor(alpha, dtype=X.dtype, device=X.device)
            alpha_shape = list(X.shape)
            alpha_shape[dim] = 1
            alpha = alpha.expand(*alpha_shape)
            ctx.alpha = alpha
            ctx.dim = dim
            d = X.shape[dim]
            X = X * (alpha - 1)
            max_val, _ = X.max(dim=dim, keepdim=True)
            tau_lo = max_val - cls._gp(1, alpha)
            tau_hi = max_val - cls._gp(1 / d, alpha)
            f_lo = cls._p(X - tau_lo, alpha).sum(dim) - 1
            dm = tau_hi - tau_lo
            for it in range(n_iter):
                dm /= 2
                tau_m = tau_lo + dm
                p_m = cls._p(X - tau_m, alpha)
                f_m = p_m.sum(dim) - 1
                mask = (f_m * f_lo >= 0).unsqueeze(dim)
                tau_lo = torch.where(mask, tau_m, tau_lo)
            if ensure_sum_one:
                p_m /= p_m.sum(dim=dim).unsqueeze(dim=dim)
            ctx.save_for_backward(p_m)
            return p_m

        @classmethod
        def backward(cls, ctx, dY):
            Y, = ctx.saved_tensors
            gppr = torch.where(Y > 0, Y ** (2 - ctx.alpha), Y.new_zeros(1))
            dX = dY * gppr
            q = dX.sum(ctx.dim) / gppr.sum(ctx.dim)
            q = q.unsqueeze(ctx.dim)
            dX -= q * gppr
            d_alpha = None
            if ctx.needs_input_grad[1]:
                # alpha gradient computation
                S = torch.where(Y > 0, Y * torch.log(Y), Y.new_zeros(1))
                ent = S.sum(ctx.dim).unsqueeze(ctx.dim)
                Y_skewed = gppr / gppr.sum(ctx.dim).unsqueeze(ctx.dim)
                d_alpha = dY * (Y - Y_skewed) / ((ctx.alpha - 1) ** 2)
                d_alpha -= dY * (S - Y_skewed * ent) / (ctx.alpha - 1)
                d_alpha = d_alpha.sum(ctx.dim).unsqueeze(ctx.dim)
            return dX, d_alpha, None, None, None

    def sparsemax(X, dim=-1, k=None):
        return SparsemaxFunction.apply(X, dim, k)

    def entmax15(X, dim=-1, k=None):
        return Entmax15Function.apply(X, dim, k)

    def entmax_bisect(X, alpha=1.5, dim=-1, n_iter=50, ensure_sum_one=True):
        return EntmaxBisectFunction.apply(X, alpha, dim, n_iter, ensure_sum_one)

    class Entmax15(nn.Module):
        def __init__(self, dim=-1, k=None):
            self.dim = dim
            self.k = k
            super(Entmax15, self).__init__()

        def forward(self, X):
            return entmax15(X, dim=self.dim, k=self.k)

    return dict(sparsemax=sparsemax, entmax15=entmax15, entmax_bisect=entmax_bisect,
                Entmax15=Entmax15, Function=Function)


def entmax_losses(torch, nn) -> dict:
    """``losses.py``: the Fenchel-Young losses of sparsemax, 1.5-entmax, alpha-entmax."""
    package = entmax_package(torch, nn)
    Function, sparsemax, entmax15, entmax_bisect = (
        package[name] for name in ("Function", "sparsemax", "entmax15", "entmax_bisect"))

    class _GenericLoss(nn.Module):
        def __init__(self, ignore_index=-100, reduction="elementwise_mean"):
            assert reduction in ["elementwise_mean", "sum", "none"]
            self.reduction = reduction
            self.ignore_index = ignore_index
            super(_GenericLoss, self).__init__()

        def forward(self, X, target):
            loss = self.loss(X, target)
            if self.ignore_index >= 0:
                ignored_positions = target == self.ignore_index
                size = float((target.size(0) - ignored_positions.sum()).item())
                loss.masked_fill_(ignored_positions, 0.0)
            else:
                size = float(target.size(0))
            if self.reduction == "sum":
                loss = loss.sum()
            elif self.reduction == "elementwise_mean":
                loss = loss.sum() / size
            return loss

    class _GenericLossFunction(Function):
        @classmethod
        def forward(cls, ctx, X, target, alpha, proj_args):
            assert X.shape[0] == target.shape[0]
            p_star = cls.project(X, alpha, **proj_args)
            loss = cls.omega(p_star, alpha)
            p_star.scatter_add_(1, target.unsqueeze(1), torch.full_like(p_star, -1))
            loss += torch.einsum("ij,ij->i", p_star, X)
            ctx.save_for_backward(p_star)
            return loss

        @classmethod
        def backward(cls, ctx, grad_output):
            p_star, = ctx.saved_tensors
            grad = grad_output.unsqueeze(1) * p_star
            ret = (grad,)
            # pad with as many Nones as needed
            return ret + (None,) * (1 + cls.n_fwd_args)

    class SparsemaxLossFunction(_GenericLossFunction):
        n_fwd_args = 1

        @classmethod
        def project(cls, X, alpha, k):
            return sparsemax(X, dim=-1, k=k)

        @classmethod
        def omega(cls, p_star, alpha):
            return (1 - (p_star ** 2).sum(dim=1)) / 2

        @classmethod
        def forward(cls, ctx, X, target, k=None):
            return super().forward(ctx, X, target, alpha=2, proj_args=dict(k=k))

    class Entmax15LossFunction(_GenericLossFunction):
        n_fwd_args = 1

        @classmethod
        def project(cls, X, alpha, k=None):
            return entmax15(X, dim=-1, k=k)

        @classmethod
        def omega(cls, p_star, alpha):
            return (1 - (p_star * torch.sqrt(p_star)).sum(dim=1)) / 0.75

        @classmethod
        def forward(cls, ctx, X, target, k=None):
            return super().forward(ctx, X, target, alpha=1.5, proj_args=dict(k=k))

    class EntmaxBisectLossFunction(_GenericLossFunction):
        n_fwd_args = 2

        @classmethod
        def project(cls, X, alpha, n_iter):
            return entmax_bisect(X, alpha=alpha, n_iter=n_iter, ensure_sum_one=True)

        @classmethod
        def omega(cls, p_star, alpha):
            return (1 - (p_star ** alpha).sum(dim=1)) / (alpha * (alpha - 1))

        @classmethod
        def forward(cls, ctx, X, target, alpha=1.5, n_iter=50):
            return super().forward(ctx, X, target, alpha, proj_args=dict(n_iter=n_iter))

    class SparsemaxLoss(_GenericLoss):
        def __init__(self, k=None, ignore_index=-100, reduction="elementwise_mean"):
            self.k = k
            super(SparsemaxLoss, self).__init__(ignore_index, reduction)

        def loss(self, X, target):
            return SparsemaxLossFunction.apply(X, target, self.k)

    class EntmaxBisectLoss(_GenericLoss):
        def __init__(self, alpha=1.5, n_iter=50, ignore_index=-100,
                     reduction="elementwise_mean"):
            self.alpha = alpha
            self.n_iter = n_iter
            super(EntmaxBisectLoss, self).__init__(ignore_index, reduction)

        def loss(self, X, target):
            return EntmaxBisectLossFunction.apply(X, target, self.alpha, self.n_iter)

    class Entmax15Loss(_GenericLoss):
        def __init__(self, k=100, ignore_index=-100, reduction="elementwise_mean"):
            self.k = k
            super(Entmax15Loss, self).__init__(ignore_index, reduction)

        def loss(self, X, target):
            return Entmax15LossFunction.apply(X, target, self.k)

    return dict(SparsemaxLoss=SparsemaxLoss, Entmax15Loss=Entmax15Loss,
                EntmaxBisectLoss=EntmaxBisectLoss)


@pytest.mark.parametrize("which", ["sparsemax", "entmax15"])
@pytest.mark.parametrize("k", [None, 2])
@pytest.mark.parametrize("dim", [-1, 0])
def test_sparse_maps_with_partial_sort(torch, which, k, dim):
    """k=2 makes most rows unsolved by the first top-k: they are solved again with k=4
    and written back through ``_roll_last(tau, dim)[unsolved] = tau_``."""
    x = np.random.default_rng(1).normal(size=(6, 7))
    g = np.random.default_rng(2).normal(size=(6, 7))
    records = []
    for T, nn_ in (libraries(torch)[:2], libraries()[:2]):
        fn = entmax_package(T, nn_)[which]
        leaf = T.tensor(x, requires_grad=True)
        y = fn(leaf, dim=dim, k=k)
        (y * T.tensor(g)).sum().backward()
        records.append([y, leaf.grad])
    assert_records(records[1], records[0])
    np.testing.assert_allclose(records[1][0].detach().numpy().sum(dim), 1.0, rtol=1e-12)


# Y * log(Y) at Y = 0 is 0 * -inf = nan, dropped by torch.where: NumPy warns, PyTorch not
@pytest.mark.filterwarnings("ignore:invalid value encountered in multiply:RuntimeWarning")
def test_entmax_bisect_gradient_in_alpha(torch):
    x = np.random.default_rng(3).normal(size=(4, 6)) * 2
    g = np.random.default_rng(4).normal(size=(4, 6))
    alpha = np.array([[1.2], [1.5], [1.8], [2.5]])
    records = []
    for T, nn_ in (libraries(torch)[:2], libraries()[:2]):
        fn = entmax_package(T, nn_)["entmax_bisect"]
        leaf, a = T.tensor(x, requires_grad=True), T.tensor(alpha, requires_grad=True)
        y = fn(leaf, a, -1, 40)
        (y * T.tensor(g)).sum().backward()
        records.append([y, leaf.grad, a.grad])
    assert_records(records[1], records[0])
    assert (records[1][0].detach().numpy()[3] == 0).any()  # alpha 2.5: sparse


LOSSES = {
    "sparsemax": ("SparsemaxLoss", dict(k=3, ignore_index=9)),
    "entmax15": ("Entmax15Loss", dict(k=2, reduction="sum")),
    "entmax-bisect": ("EntmaxBisectLoss", dict(alpha=1.7, n_iter=30, ignore_index=0)),
}


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_linear_classifier_on_digits_with_entmax_losses(torch, name):
    from sklearn.datasets import load_digits

    digits = load_digits()
    X_all, y_all = digits.data[:48] / 16.0, digits.target[:48]
    records = []
    for T, nn_, F_, optim in (libraries(torch), libraries()):
        T.manual_seed(0)
        class_name, kwargs = LOSSES[name]
        criterion = entmax_losses(T, nn_)[class_name](**kwargs)
        model = nn_.Linear(64, 10)
        with T.no_grad():  # the same start in both libraries
            model.weight.copy_(T.tensor(np.random.default_rng(5).normal(size=(10, 64)) * .1))
            model.bias.zero_()
        optimizer = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
        record = []
        for step in range(4):
            rows = slice(12 * step, 12 * step + 12)
            optimizer.zero_grad()
            loss = criterion(model(T.tensor(X_all[rows])), T.tensor(y_all[rows]))
            loss.backward()
            optimizer.step()
            record += [loss.detach(), model.weight.grad.clone()]
        records.append(record + [model.weight, model.bias])
    assert_records(records[1], records[0])
