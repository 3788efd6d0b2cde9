"""gaussian_nll_loss / GaussianNLLLoss and poisson_nll_loss / PoissonNLLLoss: values and
gradients (every differentiable input) against PyTorch for each reduction, central
differences in float64, float32 kept float32, and the named errors."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import ShapeError, Tensor, gradcheck, gradgradcheck
from nn.errors import ArgumentTypeError, ConfigError

REDUCTIONS = ("mean", "sum", "none")
RNG = np.random.default_rng(8)
X = RNG.normal(size=(4, 3))
Y = RNG.normal(size=(4, 3))
VAR = RNG.uniform(0.2, 2.0, size=(4, 3))
VAR[0, 0] = 1e-8  # below eps: clamped, with var's own gradient (PyTorch's no-grad clamp)
COUNTS = RNG.poisson(2.0, size=(4, 3)).astype(float)
VAR_SHAPES = {"same": VAR, "per row": VAR[:, 0], "row column": VAR[:, :1],
              "column row": VAR[:1, :]}


def _torch_run(torch_fn, arrays, **kwargs):
    """PyTorch's value and the gradient of each array (ones upstream)."""
    import torch
    tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = torch_fn(*tensors, **kwargs)
    out.backward(torch.ones_like(out))
    return out.detach().numpy(), [t.grad.numpy() for t in tensors]


def _our_run(fn, arrays, **kwargs):
    tensors = [Tensor(a, requires_grad=True) for a in arrays]
    out = fn(*tensors, **kwargs)
    out.backward(np.ones(out.shape))
    return out.data, [t.grad for t in tensors]


# ------------------------------------------------------------------ gaussian
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("var_shape", VAR_SHAPES)
def test_gaussian_nll_matches_torch(var_shape, full, reduction):
    torch = pytest.importorskip("torch")
    arrays = (X, Y, VAR_SHAPES[var_shape])
    want, want_grads = _torch_run(torch.nn.functional.gaussian_nll_loss, arrays,
                                  full=full, reduction=reduction)
    got, grads = _our_run(F.gaussian_nll_loss, arrays, full=full, reduction=reduction)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    for ours, theirs in zip(grads, want_grads):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10)
    module = nn.GaussianNLLLoss(full=full, reduction=reduction)
    np.testing.assert_allclose(module(X, Y, VAR_SHAPES[var_shape]).data, want, rtol=1e-12)


def test_gaussian_nll_number_variance_and_eps_match_torch():
    torch = pytest.importorskip("torch")
    want = torch.nn.functional.gaussian_nll_loss(torch.tensor(X), torch.tensor(Y), 0.5,
                                                 eps=0.6)
    np.testing.assert_allclose(F.gaussian_nll_loss(X, Y, 0.5, eps=0.6).data, want.numpy(),
                               rtol=1e-12)


def test_gaussian_nll_gradcheck_and_second_order():
    var = Tensor(np.abs(VAR) + 0.5, requires_grad=True)
    x, y = Tensor(X, requires_grad=True), Tensor(Y, requires_grad=True)
    assert gradcheck(lambda a, b, v: F.gaussian_nll_loss(a, b, v, reduction="none"),
                     [x, y, var])
    assert gradgradcheck(lambda a, b, v: F.gaussian_nll_loss(a, b, v), [x, y, var])


def test_gaussian_nll_keeps_float32():
    x = Tensor(X.astype(np.float32), requires_grad=True)
    var = Tensor(VAR.astype(np.float32), requires_grad=True)
    loss = F.gaussian_nll_loss(x, Y, var, full=True)
    loss.backward()
    assert loss.dtype == x.grad.dtype == var.grad.dtype == np.float32
    assert F.gaussian_nll_loss(x, Y, 2.0).dtype == np.float32


def test_gaussian_nll_errors():
    with pytest.raises(ConfigError, match="var has negative entries"):
        F.gaussian_nll_loss(X, Y, -VAR)
    with pytest.raises(ConfigError, match="negative"):
        nn.GaussianNLLLoss()(X, Y, -1.0)
    with pytest.raises(ShapeError, match=r"var of shape \(3,\) does not fit"):
        F.gaussian_nll_loss(X, Y, VAR[0])
    with pytest.raises(ShapeError, match="var of shape"):
        F.gaussian_nll_loss(X, Y, np.ones((1, 1)))  # two axes differ, as PyTorch refuses
    with pytest.raises(ShapeError, match="input shape"):
        F.gaussian_nll_loss(X, Y[0], VAR)
    with pytest.raises(ConfigError, match="reduction"):
        F.gaussian_nll_loss(X, Y, VAR, reduction="avg")
    with pytest.raises(ArgumentTypeError, match="full"):
        F.gaussian_nll_loss(X, Y, VAR, "sum")
    with pytest.raises(TypeError):
        nn.GaussianNLLLoss(True)  # keyword-only, as PyTorch


def test_gaussian_nll_empty_mean_is_nan():
    assert np.isnan(F.gaussian_nll_loss(np.zeros((0, 3)), np.zeros((0, 3)), 1.0).data)


# ------------------------------------------------------------------ poisson
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("log_input", [True, False])
def test_poisson_nll_matches_torch(log_input, full, reduction):
    torch = pytest.importorskip("torch")
    rates = X if log_input else np.abs(X) + 0.1
    arrays = (rates, COUNTS)
    options = dict(log_input=log_input, full=full, reduction=reduction)
    want, (want_dx, want_dy) = _torch_run(torch.nn.functional.poisson_nll_loss, arrays,
                                          **options)
    got, (dx, dy) = _our_run(F.poisson_nll_loss, arrays, **options)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    np.testing.assert_allclose(dx, want_dx, rtol=1e-10)
    # with full, PyTorch's target gradient is NaN where target = 0 (0 * log 0 inside a
    # masked-out term); ours is the gradient of the loss actually computed there
    finite = np.isfinite(want_dy)
    assert np.isfinite(dy).all() and (finite.all() or (full and (COUNTS[~finite] == 0).all()))
    np.testing.assert_allclose(dy[finite], want_dy[finite], rtol=1e-10)
    module = nn.PoissonNLLLoss(log_input, full, reduction=reduction)
    np.testing.assert_allclose(module(rates, COUNTS).data, want, rtol=1e-12)


def test_poisson_nll_gradcheck():
    for log_input in (True, False):
        x = Tensor(X if log_input else np.abs(X) + 0.1, requires_grad=True)
        y = Tensor(COUNTS + 0.3, requires_grad=True)  # off the target > 1 switch
        fn = lambda a, b: F.poisson_nll_loss(a, b, log_input, True, reduction="none")  # noqa: E731
        assert gradcheck(fn, [x, y])
        assert gradgradcheck(lambda a: F.poisson_nll_loss(a, COUNTS, log_input), [x])


def test_poisson_nll_keeps_float32_and_errors():
    x = Tensor(X.astype(np.float32), requires_grad=True)
    loss = F.poisson_nll_loss(x, COUNTS, full=True)
    loss.backward()
    assert loss.dtype == x.grad.dtype == np.float32
    with pytest.raises(ShapeError, match="input shape"):
        F.poisson_nll_loss(X, COUNTS[:, :1])
    with pytest.raises(ConfigError, match="reduction"):
        nn.PoissonNLLLoss(reduction="avg")
    with pytest.raises(ArgumentTypeError, match="log_input"):
        F.poisson_nll_loss(X, COUNTS, "sum")
    with pytest.raises(TypeError):
        F.poisson_nll_loss(X, COUNTS, True, False, None, 1e-8)  # PyTorch's size_average slot
    with pytest.raises(ConfigError, match="eps"):
        F.poisson_nll_loss(X, COUNTS, eps=-1.0)
