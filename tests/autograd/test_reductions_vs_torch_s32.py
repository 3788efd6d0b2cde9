"""Reductions, scans and order statistics against PyTorch (session 32's fuzz findings):
unique_consecutive over an empty dim, histc's non-finite range, quantile along a 0-d
tensor's dim 0, logsumexp(dim=()), the NaN gradient of max()/min() and of
maximum/minimum, std_mean/var_mean by position, and the int64 sums of uint8."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import AutogradError, ShapeError, UsageError

NAN, INF = float("nan"), float("inf")


def _same(ours, theirs) -> None:
    """Values, shape and dtype of ours equal to PyTorch's (NaN equal to NaN)."""
    expected = theirs.detach().numpy()
    assert ours.shape == expected.shape
    assert ours.dtype == expected.dtype
    np.testing.assert_allclose(ours.data, expected, rtol=1e-12, atol=0)


# -------------------------------------------------- 1: unique_consecutive, empty dim
@pytest.mark.parametrize("shape, dim", [((0,), 0), ((0,), -1), ((0, 3), 0), ((3, 0), 1),
                                        ((2, 0, 3), 1)])
def test_unique_consecutive_empty_along_dim(torch, shape, dim):
    ours = ag.zeros(shape).unique_consecutive(dim=dim, return_inverse=True,
                                              return_counts=True)
    theirs = torch.zeros(shape).unique_consecutive(dim=dim, return_inverse=True,
                                                   return_counts=True)
    for a, t in zip(ours, theirs):
        _same(a, t)


@pytest.mark.parametrize("shape, dim", [((0, 0), 0), ((0, 0), 1), ((0, 3), 1)])
def test_unique_consecutive_empty_other_axis_is_refused(torch, shape, dim):
    with pytest.raises(RuntimeError):
        torch.unique_consecutive(torch.zeros(shape), dim=dim)
    with pytest.raises(ShapeError, match="leave dim out"):
        ag.unique_consecutive(ag.zeros(shape), dim=dim)


# -------------------------------------------------- 2: histc, range not finite
@pytest.mark.parametrize("data, low, high", [([1.0, -INF], 0, 0), ([0.0, 1.0, 2.0], 0, INF),
                                             ([1.0, NAN], 0, 0), ([1.0, 2.0], NAN, 3)])
def test_histc_range_not_finite_is_refused(torch, data, low, high):
    with pytest.raises(RuntimeError, match="not finite"):
        torch.tensor(data).histc(bins=3, min=low, max=high)
    with pytest.raises(UsageError, match="not finite") as caught:
        ag.tensor(data).histc(bins=3, min=low, max=high)
    assert isinstance(caught.value, (AutogradError, RuntimeError))
    finite_range = dict(bins=3, min=0, max=3)  # the same entries in a finite range: counted
    _same(ag.tensor(data).histc(**finite_range), torch.tensor(data).histc(**finite_range))


# -------------------------------------------------- 3: quantile along a 0-d tensor's dim
@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
@pytest.mark.parametrize("q", [0.5, [0.2, 0.9]])
@pytest.mark.parametrize("dim", [0, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_quantile_of_0d_along_dim(torch, name, q, dim, keepdim):
    a = ag.tensor(2.0, requires_grad=True)
    t = torch.tensor(2.0, requires_grad=True)
    ours = getattr(a, name)(q if np.isscalar(q) else ag.tensor(q), dim=dim, keepdim=keepdim)
    theirs = getattr(t, name)(q if np.isscalar(q) else torch.tensor(q), dim=dim,
                              keepdim=keepdim)
    _same(ours, theirs)
    ours.sum().backward()
    theirs.sum().backward()
    _same(a.grad, t.grad)


# -------------------------------------------------- 4: logsumexp(dim=())
@pytest.mark.parametrize("dim", [(), []])
def test_logsumexp_empty_dim_reduces_every_axis(torch, dim):
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    a, t = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours, theirs = a.logsumexp(dim=dim, keepdim=True), t.logsumexp(dim=dim, keepdim=True)
    _same(ours, theirs)
    ours.sum().backward()
    theirs.sum().backward()
    _same(a.grad, t.grad)
    # without keepdim PyTorch's own kernel fails on the shape; its meaning is the same
    _same(ag.tensor(x).logsumexp(dim=dim), torch.tensor(x).logsumexp(dim=(0, 1)))


# -------------------------------------------------- 5: max()/min() with NaN, gradient
DATA_WITH_NAN = [[1.0, NAN, 3.0], [NAN, 0.5, -2.0]]


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("call", ["method", "function"])
def test_full_max_min_gradient_goes_to_the_nans(torch, name, call):
    a = ag.tensor(DATA_WITH_NAN, requires_grad=True)
    t = torch.tensor(DATA_WITH_NAN, requires_grad=True)
    ours = getattr(a, name)() if call == "method" else getattr(ag, name)(a)
    theirs = getattr(t, name)() if call == "method" else getattr(torch, name)(t)
    (ours * 3.0).backward()
    (theirs * 3.0).backward()
    _same(a.grad, t.grad)
    a.grad, t.grad = None, None  # amax/amin keep PyTorch's amax rule: NaN everywhere
    getattr(a, f"a{name}")().backward()
    getattr(t, f"a{name}")().backward()
    _same(a.grad, t.grad)


@pytest.mark.parametrize("name", ["max", "min"])
def test_masked_nan_max_gives_zero_gradient(torch, name):
    a = ag.tensor(DATA_WITH_NAN, requires_grad=True)
    t = torch.tensor(DATA_WITH_NAN, requires_grad=True)
    m, n = getattr(a, name)(), getattr(t, name)()
    ag.where(ag.isnan(m), ag.tensor(0.0), m).backward()
    torch.where(torch.isnan(n), torch.tensor(0.0), n).backward()
    _same(a.grad, t.grad)


@pytest.mark.parametrize("p", [INF, -INF])
def test_inf_norm_with_nan_gives_zero_to_the_other_entries(torch, p):
    a = ag.tensor([1.0, NAN, -3.0], requires_grad=True)
    t = torch.tensor([1.0, NAN, -3.0], requires_grad=True)
    a.norm(p).backward()
    torch.linalg.vector_norm(t, p).backward()
    finite = np.isfinite(a.data)
    _same(a.grad[ag.tensor(finite)], t.grad[torch.tensor(finite)])


# -------------------------------------------------- maximum/minimum with NaN, gradient
@pytest.mark.parametrize("name", ["maximum", "minimum"])
@pytest.mark.parametrize("upstream", [2.0, INF])
@pytest.mark.parametrize("a_data, b_data", [([NAN, 1.0, 2.0, 3.0], [0.0, NAN, 2.0, 1.0]),
                                            ([NAN, 1.0, 2.0, 3.0], [NAN]),
                                            ([NAN, 1.0, 2.0, 3.0], [2.0])])
def test_maximum_minimum_nan_gradient(torch, name, upstream, a_data, b_data):
    a, b = ag.tensor(a_data, requires_grad=True), ag.tensor(b_data, requires_grad=True)
    ta = torch.tensor(a_data, requires_grad=True)
    tb = torch.tensor(b_data, requires_grad=True)
    ours, theirs = getattr(ag, name)(a, b), getattr(torch, name)(ta, tb)
    ours.backward(ag.full(ours.shape, upstream))
    theirs.backward(torch.full(theirs.shape, upstream))
    _same(a.grad, ta.grad)
    _same(b.grad, tb.grad)


# -------------------------------------------------- 6: std_mean/var_mean by position
X = [[1.0, 2.0, 4.0], [3.0, 5.0, 9.0]]


@pytest.mark.parametrize("name", ["std_mean", "var_mean"])
@pytest.mark.parametrize("args", [(1, True), (1, False), (0, False, True), (1, True, True),
                                  ((0, 1), False, True), (True,), (False,), (None, False)])
def test_spread_mean_positional_overloads(torch, name, args):
    ours = getattr(ag, name)(ag.tensor(X), *args)
    theirs = getattr(torch, name)(torch.tensor(X), *args)
    for a, t in zip(ours, theirs):
        _same(a, t)


# -------------------------------------------------- dtypes: sums of uint8 in int64, as torch
@pytest.mark.parametrize("op", ["sum", "prod", "nansum", "cumsum", "cumprod"])
def test_uint8_sums_and_products_are_int64(torch, op):
    data = np.array([200, 100, 3], dtype=np.uint8)
    x, t = ag.tensor(data), torch.tensor(data)
    if op in ("cumsum", "cumprod"):
        _same(getattr(ag, op)(x, 0), getattr(torch, op)(t, 0))
        _same(getattr(x, op)(dim=0), getattr(t, op)(dim=0))
    else:
        _same(getattr(ag, op)(x), getattr(torch, op)(t))
        _same(getattr(x, op)(), getattr(t, op)())
    if op != "nansum":  # an asked dtype is kept (wrapping, as PyTorch's)
        args = (0,) if op.startswith("cum") else ()
        _same(getattr(x, op)(*args, dtype=ag.uint8), getattr(t, op)(*args, dtype=torch.uint8))
