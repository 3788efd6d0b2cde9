"""Reductions and scans (session 37's differential fuzz against PyTorch): float16
mean/var/std/nanmean accumulated in float32, logcumsumexp's second derivative (and
forward mode) with +inf entries and wide spreads, nansum(dtype=int), the positional
cumsum(0)/cumprod(0) of a 0-d tensor, var/std's correction checked, all/any of uint8 and
count_nonzero's keepdim. Expected values come from NumPy, finite differences or hand."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import AutogradError, DTypeError, UsageError

NAN, INF = float("nan"), float("inf")


# -------------------------------------------------- 1: float16 accumulated in float32
def _rounded(value: float) -> np.float16:
    """A float32 result rounded once to float16 (PyTorch's CPU float16 mean/var/std)."""
    return np.float16(np.float32(value))


@pytest.mark.parametrize("values", [np.full(1000, 100.0), np.ones(70000),
                                    (np.arange(1000) % 7) * 30.0])
def test_float16_mean_var_std_do_not_overflow(values):
    half = values.astype(np.float16)
    single = half.astype(np.float32)
    x = ag.tensor(half)
    for ours, expected in [(x.mean(), np.mean(single)),
                           (x.mean(dim=0, keepdim=True), np.mean(single, keepdims=True)),
                           (x.var(dim=0), np.var(single, ddof=1)),
                           (x.std(dim=0), np.std(single, ddof=1)),
                           (x.std(axis=0), np.std(single)),
                           (x.nanmean(), np.mean(single))]:
        assert ours.dtype == np.float16
        np.testing.assert_allclose(ours.data.astype(np.float64),
                                   np.float64(_rounded(expected)), rtol=1e-3)
        assert np.isfinite(ours.data).all()


def test_float16_mean_of_a_float32_tensor_as_float16_and_nanmean_skips_nan():
    values = np.full(2000, 50.0, dtype=np.float32)
    assert ag.tensor(values).mean(dtype=np.float16).item() == 50.0
    half = np.full(3000, 40.0, dtype=np.float16)
    half[::3] = np.nan
    out = ag.tensor(half).nanmean()
    assert out.dtype == np.float16 and out.item() == 40.0


def test_float16_gradients_stay_float16_and_match_float32():
    rng = np.random.default_rng(0)
    half = rng.standard_normal((3, 50)).astype(np.float16)
    for reduce in (lambda t: t.mean(dim=1), lambda t: t.var(dim=1),
                   lambda t: t.std(dim=1), lambda t: t.nanmean(dim=1)):
        x = ag.tensor(half, requires_grad=True)
        reduce(x).sum().backward()
        reference = ag.tensor(half.astype(np.float32), requires_grad=True)
        reduce(reference).sum().backward()
        assert x.grad.dtype == np.float16
        np.testing.assert_allclose(x.grad.data.astype(np.float32), reference.grad.data,
                                   rtol=2e-3, atol=1e-4)
    x = ag.tensor(np.ones(70000, dtype=np.float16), requires_grad=True)
    x.mean().backward()
    np.testing.assert_array_equal(x.grad.data, _rounded(1 / 70000))  # a subnormal


# -------------------------------------------------- 2: logcumsumexp, second derivative
def _first_derivative(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    t = ag.tensor(x, requires_grad=True)
    return ag.grad((ag.logcumsumexp(t, 0) * ag.tensor(w)).sum(), t)[0].data


def _hessian_times(x: np.ndarray, w: np.ndarray, v: np.ndarray) -> np.ndarray:
    t = ag.tensor(x, requires_grad=True)
    g, = ag.grad((ag.logcumsumexp(t, 0) * ag.tensor(w)).sum(), t, create_graph=True)
    return ag.grad((g * ag.tensor(v)).sum(), t)[0].data


@pytest.mark.parametrize("x", [[0.5, -1.0, 0.3, 800.0], [-800.0, -1.0, 0.3, 2.0],
                               [0.5, -1.0, 0.3, 100.0], [-300.0, 2.0, 500.0, 1.0]])
def test_logcumsumexp_second_derivative_with_a_wide_spread(x):
    x, w, v = np.array(x), np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, -1.0, 2.0, 0.5])
    eps = 1e-6  # the Hessian is symmetric: H v by central differences of the gradient
    expected = (_first_derivative(x + eps * v, w) - _first_derivative(x - eps * v, w)) / (2 * eps)
    ours = _hessian_times(x, w, v)
    assert np.isfinite(ours).all()
    np.testing.assert_allclose(ours, expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("x, infinite", [([0.5, -1.0, 0.3, INF], [3]),
                                         ([0.5, 1.0, INF, 0.2], [2]),
                                         ([0.5, -1.0, 0.3, INF, 0.7], [3])])
def test_logcumsumexp_second_derivative_with_inf_is_that_of_the_finite_prefix(x, infinite):
    """The entries after an inf have gradient 0 (exp(x_j - inf)); those before it are
    the finite prefix's, whose outputs the inf does not reach."""
    x = np.array(x)
    w = np.arange(1.0, x.size + 1)
    v = np.array([1.0, -1.0, 2.0, 0.0, 0.0][:x.size])
    ours = _hessian_times(x, w, v)
    k = infinite[0]
    assert np.isnan(ours[k])
    np.testing.assert_allclose(ours[:k], _hessian_times(x[:k], w[:k], v[:k]), rtol=1e-12)
    np.testing.assert_array_equal(ours[k + 1:], 0.0)


def test_logcumsumexp_second_derivative_agrees_with_gradgradcheck_far_apart():
    x = ag.tensor(np.array([[0.5, -1.0, 0.3, 800.0], [-800.0, -1.0, 0.3, 2.0]]),
                  requires_grad=True)
    assert ag.gradgradcheck(lambda t: ag.logcumsumexp(t, 1), (x,))


def test_logcumsumexp_forward_mode_far_apart_and_with_inf():
    x = np.array([0.5, -1.0, 0.3, 800.0, -5.0])
    tangent = np.array([0.5, 0.25, 2.0, -1.0, 3.0])
    out = np.logaddexp.accumulate(x)
    # d out_i = sum_{j <= i} dx_j exp(x_j - out_i), every exponent <= 0
    expected = [sum(tangent[j] * np.exp(x[j] - out[i]) for j in range(i + 1))
                for i in range(x.size)]
    _, ours = ag.func.jvp(lambda t: ag.logcumsumexp(t, 0), (ag.tensor(x),),
                          (ag.tensor(tangent),))
    np.testing.assert_allclose(ours.data, expected, rtol=1e-12)
    _, ours = ag.func.jvp(lambda t: ag.logcumsumexp(t, 0), (ag.tensor([1.0, INF, 2.0]),),
                          (ag.tensor([0.5, 0.25, 2.0]),))
    assert ours.data[0] == 0.5 and np.isnan(ours.data[1:]).all()


# -------------------------------------------------- 3, 6: nansum(dtype=int)
def test_nansum_int_dtype_skips_nan_before_the_cast():
    assert ag.nansum(ag.tensor([1.0, NAN, 2.0]), dtype=ag.int64).item() == 3
    ours = ag.tensor([1.7, NAN, 2.6]).nansum(dtype=np.int64)  # each entry truncated
    assert ours.dtype == np.int64 and ours.item() == 1 + 2
    rows = ag.tensor([[1.0, NAN], [NAN, NAN]]).nansum(dim=1, dtype=np.int32)
    assert rows.dtype == np.int32 and rows.tolist() == [1, 0]


def test_nansum_int_dtype_of_a_tensor_that_requires_grad_raises_as_sum():
    x = ag.tensor(np.ones(3), requires_grad=True)
    with pytest.raises(DTypeError, match=r"nansum\(dtype=int64\)"):
        ag.nansum(x, dtype=ag.int64)
    x = ag.tensor([1.0, NAN, 2.0], requires_grad=True)
    ag.nansum(x, dtype=np.float32).backward()
    assert x.grad.tolist() == [1.0, 0.0, 1.0]


# -------------------------------------------------- 4: cumsum(0) of a 0-d tensor
@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
def test_positional_scan_of_a_0d_tensor_is_0d_and_axis_keyword_is_numpys(name):
    x = ag.tensor(5.0, requires_grad=True)
    for ours in (getattr(x, name)(0), getattr(x, name)(-1), getattr(ag, name)(x, 0)):
        assert ours.shape == () and ours.item() == 5.0
    assert getattr(x, name)(axis=0).shape == (1,)
    assert getattr(ag, name)(x, axis=0).shape == (1,)
    assert getattr(np, name)(x, 0).shape == (1,)  # NumPy's own function
    getattr(x, name)(0).backward()
    assert x.grad.item() == 1.0
    with pytest.raises(UsageError, match="one positional"):
        getattr(x, name)(0, np.float32)
    with pytest.raises(UsageError, match="twice"):
        getattr(x, name)(0, dim=0)


def test_positional_scan_of_a_matrix_unchanged():
    x = ag.tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(x.cumsum(1).data, np.cumsum(x.data, 1))
    np.testing.assert_array_equal(ag.cumprod(x, 0).data, np.cumprod(x.data, 0))
    np.testing.assert_array_equal(x.cumsum(None).data, np.cumsum(x.data))


# -------------------------------------------------- 7: var/std correction checked
@pytest.mark.parametrize("name", ["var", "std"])
def test_var_std_correction_must_be_one_number(name):
    x = ag.tensor(np.arange(12.0).reshape(3, 4))
    with pytest.raises(DTypeError, match="correction"):
        getattr(x, name)(dim=0, correction="a")
    with pytest.raises(UsageError, match="one number"):
        getattr(x, name)(dim=0, correction=[1, 2])
    with pytest.raises(AutogradError, match="ddof"):
        getattr(x, name)(axis=0, ddof="1")
    expected = getattr(np, name)(x.data, axis=0, ddof=1.5)
    np.testing.assert_allclose(getattr(x, name)(dim=0, correction=1.5).data, expected)
    np.testing.assert_allclose(getattr(x, name)(dim=0, correction=ag.tensor(1)).data,
                               getattr(np, name)(x.data, axis=0, ddof=1))


# -------------------------------------------------- 9: all/any of uint8
@pytest.mark.parametrize("name", ["all", "any"])
def test_all_any_of_uint8_are_uint8(name):
    values = np.array([[0, 2], [1, 3]], dtype=np.uint8)
    x = ag.tensor(values)
    for ours, expected in [(getattr(ag, name)(x), getattr(np, name)(values)),
                           (getattr(x, name)(dim=0), getattr(np, name)(values, axis=0)),
                           (getattr(ag, name)(x, dim=1, keepdim=True),
                            getattr(np, name)(values, axis=1, keepdims=True))]:
        assert ours.dtype == np.uint8
        np.testing.assert_array_equal(ours.data, np.asarray(expected, dtype=np.uint8))
    for dtype in (np.int8, np.bool_, np.float32):
        assert getattr(ag.tensor(values.astype(dtype)), name)(dim=0).dtype == np.bool_


# -------------------------------------------------- 11: count_nonzero(keepdim=)
def test_count_nonzero_keepdim_is_a_usage_error_naming_keepdims():
    x = ag.tensor(np.eye(3))
    for call in (lambda: ag.count_nonzero(x, dim=0, keepdim=True),
                 lambda: x.count_nonzero(dim=0, keepdim=False)):
        with pytest.raises(UsageError, match="keepdims="):
            call()
    assert ag.count_nonzero(x, dim=0, keepdims=True).tolist() == [[1, 1, 1]]
    assert ag.count_nonzero(x, 1).tolist() == [1, 1, 1]
    assert ag.count_nonzero(x, dim=()).item() == 3


def test_numpy_all_and_any_stay_bool_for_uint8_tensors():
    data = np.array([[1, 0], [2, 3]], dtype=np.uint8)
    t = ag.tensor(data)
    assert t.all().dtype == np.uint8 and t.any(1).dtype == np.uint8  # PyTorch's
    for name in ("all", "any"):
        for kwargs in ({}, {"axis": 0}, {"axis": 1, "keepdims": True}):
            ours = getattr(np, name)(t, **kwargs)
            expected = getattr(np, name)(data, **kwargs)
            assert ours.dtype == np.bool_
            assert np.array_equal(ours.numpy(), expected)
