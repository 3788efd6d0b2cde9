"""Selections written without ``np.where`` on masks without a pattern (NumPy's select
mispredicts a branch per element, several times slower than arithmetic): the sigmoid as
e^min(x, 0) / (1 + e^-|x|), float32 erfc's sign by ``copysign``, softplus without
``np.logaddexp``, and ``autograd.extend.masked`` in the VJPs of ``where`` and max
pooling. Each gives what the select gave: the same bits for the sigmoid and erfc, the
exact limits and special values, an exact 0 on the inactive side of a mask also when the
upstream gradient is infinite, and gradients that match finite differences to second
order (``gradcheck``/``gradgradcheck``)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
import nn.functional as F
from autograd import erf_arrays
from autograd.extend import masked

SPECIAL = [np.inf, -np.inf, np.nan, 0.0, -0.0, 1e-30, -1e-30, 40.0, -40.0, 800.0, -800.0]


def _values(dtype: type) -> np.ndarray:
    """Random values of every size, and the special ones."""
    rng = np.random.default_rng(7)
    spread = np.concatenate([rng.standard_normal(2000) * scale for scale in (0.1, 3, 30)])
    with np.errstate(over="ignore"):
        return np.concatenate([spread, SPECIAL]).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_sigmoid_gives_the_selects_bits(dtype):
    x = _values(dtype)
    e = np.exp(-np.abs(x))
    with np.errstate(invalid="ignore"):
        selected = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    got = ag.Tensor(x).sigmoid().data
    assert got.dtype == selected.dtype
    np.testing.assert_array_equal(got, selected)


def test_sigmoid_of_0d_integer_and_scalar_inputs():
    assert ag.Tensor(np.array(0.0)).sigmoid().item() == 0.5
    assert ag.Tensor(np.float32(-3.0)).sigmoid().dtype == np.float32
    got = ag.Tensor(np.array([1, -2])).sigmoid().data
    np.testing.assert_allclose(got, [1 / (1 + math.exp(-1)), 1 / (1 + math.exp(2))],
                               rtol=1e-15)


def test_float32_erfc_keeps_its_values_for_both_signs_and_any_shape():
    """The sign is put on by copysign (-p + 2 rounds as 2 - p): erfc(-x) = 2 - erfc(x) to
    the bit; -0.0 gives 1, a 0-d array a 0-d array."""
    x = np.abs(_values(np.float32))
    x = x[np.isfinite(x)]
    positive = erf_arrays.erfc(x)
    np.testing.assert_array_equal(erf_arrays.erfc(-x), np.float32(2.0) - positive)
    assert erf_arrays.erfc(np.array(-0.0, np.float32)) == 1.0
    assert erf_arrays.erfc(np.array(0.5, np.float32)).shape == ()
    grid = np.linspace(-6, 6, 1200).astype(np.float32).reshape(3, 20, 20)[:, ::2]  # strided
    reference = np.vectorize(math.erfc)(grid.astype(np.float64))
    np.testing.assert_allclose(erf_arrays.erfc(grid), reference, rtol=5e-7)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softplus_matches_logaddexp(dtype):
    x = _values(dtype)
    with np.errstate(invalid="ignore"):
        expected = np.logaddexp(dtype(0), x)
    got = ag.Tensor(x).softplus().data
    assert got.dtype == dtype
    close = np.isclose(got, expected, rtol=4 * np.finfo(dtype).eps, atol=0, equal_nan=True)
    assert close.all(), x[~close]
    assert ag.Tensor(np.array(800.0)).softplus().item() == 800.0
    assert ag.Tensor(np.array(-np.inf)).softplus().item() == 0.0


def test_masked_keeps_g_and_gives_an_exact_zero_elsewhere():
    keep = np.array([True, False, True, False])
    g = np.array([1.5, -2.0, np.inf, np.inf])
    np.testing.assert_array_equal(masked(g, keep), [1.5, 0.0, np.inf, 0.0])
    finite = np.array([1.5, -2.0, 3.0, 4.0])
    np.testing.assert_array_equal(masked(finite, keep), [1.5, 0.0, 3.0, 0.0])
    t = ag.Tensor(finite, requires_grad=True)  # under create_graph g is a Tensor
    out = masked(t, keep)
    out.sum().backward()
    np.testing.assert_array_equal(t.grad.data, keep.astype(float))


def test_where_sends_an_infinite_gradient_only_to_the_chosen_side():
    a = ag.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = ag.Tensor([4.0, 5.0, 6.0], requires_grad=True)
    condition = np.array([True, False, True])
    ag.where(condition, a, b).backward(ag.Tensor([np.inf, np.inf, 1.0]))
    np.testing.assert_array_equal(a.grad.data, [np.inf, 0.0, 1.0])
    np.testing.assert_array_equal(b.grad.data, [0.0, np.inf, 0.0])


@pytest.mark.parametrize("name", ["sigmoid", "softplus", "where", "max_pool", "gelu32"])
def test_gradients_to_second_order(name):
    rng = np.random.default_rng(3)
    condition = rng.random((3, 4)) < 0.5
    functions = {
        "sigmoid": lambda x: x.sigmoid(),
        "softplus": lambda x: F.softplus(x * 3.0),
        "where": lambda x: ag.where(condition, x * x, x.exp()),
        "max_pool": lambda x: F.max_pool2d(x.reshape(1, 1, 3, 4), 2, stride=1),
        "gelu32": lambda x: F.gelu(x),
    }
    x = ag.Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    assert ag.gradcheck(functions[name], (x,))
    assert ag.gradgradcheck(functions[name], (x,))


def test_float32_gelu_is_x_times_the_cdf_from_erfc():
    x = np.random.default_rng(5).standard_normal(4096).astype(np.float32) * 4
    cdf = np.float32(0.5) * erf_arrays.erfc(x * np.float32(-math.sqrt(0.5)))
    np.testing.assert_array_equal(F.gelu(ag.Tensor(x)).data, x * cdf)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("low", [0.01, 0.2, 1 / 3, 1.7, -0.5, 3.0, 1e-30, 0.0, 1e300, np.inf])
def test_two_valued_is_the_select(dtype, low):
    from nn.functional.activations import two_valued
    mask = np.random.default_rng(1).random((17, 9)) < 0.5
    with np.errstate(over="ignore"):  # 1e300 is inf in float16 and float32
        expected = np.where(mask, dtype(1.0), dtype(low))
        got = two_valued(mask, 1.0, low, dtype)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int64])
def test_leaky_relu_and_hardtanh_give_the_selects_values(dtype):
    data = _values(np.float64)
    data = (data.astype(dtype) if dtype != np.int64
            else np.round(data[np.abs(data) < 1e9]).astype(dtype))
    for slope in (0.01, 0.2, 1.7, -0.5, 0.0):
        with np.errstate(invalid="ignore", over="ignore"):
            expected = np.where(data > 0, data, data * slope)
            got = F.leaky_relu(ag.Tensor(data), slope).data
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)
    with np.errstate(invalid="ignore"):
        expected = np.where((data > -1) & (data < 1), data, np.clip(data, -1, 1))
    np.testing.assert_array_equal(F.hardtanh(ag.Tensor(data)).data, expected)


def test_boolean_inputs_as_before():
    """Booleans: softplus as ``np.logaddexp(0, x)`` gave (float64), the sigmoid the same
    way; the regression losses name the mistake of two boolean tensors (a - b)."""
    data = np.array([True, False])
    np.testing.assert_array_equal(ag.tensor(data).softplus().data, np.logaddexp(0, data))
    assert ag.tensor(data).sigmoid().dtype == np.float64
    np.testing.assert_allclose(ag.tensor(data).sigmoid().data, [1 / (1 + math.exp(-1)), 0.5])
    for loss in (F.mse_loss, F.huber_loss, F.smooth_l1_loss):
        with pytest.raises(ag.DTypeError, match="both boolean"):
            loss(ag.tensor(data), ag.tensor(~data))
