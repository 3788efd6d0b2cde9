"""Session 36, binary elementwise math: the second derivative of logaddexp/logaddexp2 at
x == y, heaviside at NaN, isclose/allclose with infinite or overflowing tolerances,
integer addcmul with a float value, copysign with only the sign's tensor requiring grad,
a uint8 clamp bound beyond the dtype, nextafter of two integer tensors. Expected values
are derived by hand or computed with NumPy at test time."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import autograd as ag
from autograd.errors import DTypeError, UsageError


def _second_derivative(name: str, x: list[float], y: list[float]) -> np.ndarray:
    a, b = ag.tensor(x, requires_grad=True), ag.tensor(y, requires_grad=True)
    first, = ag.grad(getattr(a, name)(b).sum(), [a], create_graph=True)
    second, = ag.grad(first.sum(), [a])
    return second.numpy()


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


# ------------------------------------------------- 1: logaddexp's curvature at x == y
@pytest.mark.parametrize("name, scale", [("logaddexp", 1.0), ("logaddexp2", math.log(2.0))])
def test_logaddexp_second_derivative_is_sigmoid_prime_also_at_ties(name, scale):
    """d/dx = sigmoid(s (x - y)), so d2/dx2 = s^2 sigmoid' / s = s sig (1 - sig) (in the
    variable x; log2 divides by ln 2 once): 1/4 and ln 2 / 4 at x == y."""
    x, y = np.array([0.3, 0.3, -2.0, 5.0]), np.array([0.3, 1.0, -2.0, 4.0])
    sig = _sigmoid(scale * (x - y))
    np.testing.assert_allclose(_second_derivative(name, list(x), list(y)),
                               scale * sig * (1 - sig), rtol=1e-12)
    assert _second_derivative(name, [0.3], [0.3])[0] == pytest.approx(scale / 4, rel=1e-14)


@pytest.mark.parametrize("name", ["logaddexp", "logaddexp2"])
def test_logaddexp_passes_gradgradcheck_with_ties(name):
    x = ag.tensor([0.3, 0.3, 1.0, -0.7], requires_grad=True)
    y = ag.tensor([0.3, 1.0, 0.3, -0.7], requires_grad=True)
    assert ag.gradgradcheck(lambda a, b: getattr(a, name)(b), (x, y))


def test_logaddexp_values_and_gradients_at_infinities_are_kept():
    """Values: NumPy's logaddexp; gradients: 1/2 each at equal infinities (soft-DTW's table
    borders), the larger operand's 1 where one is infinite; no NumPy warning."""
    inf = np.inf
    x, y = np.array([inf, -inf, inf, 1.0, -inf]), np.array([inf, -inf, 1.0, -inf, 1.0])
    a, b = ag.tensor(x, requires_grad=True), ag.tensor(y, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = a.logaddexp(b)
        da, db = ag.grad(out, [a, b], grad_outputs=ag.ones(5))
    np.testing.assert_array_equal(out.detach().numpy(), np.logaddexp(x, y))
    np.testing.assert_array_equal(da.numpy(), [0.5, 0.5, 1.0, 1.0, 0.0])
    np.testing.assert_array_equal(db.numpy(), [0.5, 0.5, 0.0, 0.0, 1.0])


def test_logaddexp2_float32_values_are_numpys():
    x = np.array([1.0, 0.0, -2.5, 7.0, 0.0, 0.0], np.float32)
    y = np.array([0.0, 2.5, 1.0, 1e-30, -1.0, -2.5], np.float32)
    out = ag.tensor(x).logaddexp2(ag.tensor(y))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.numpy(), np.logaddexp2(x, y))


# ------------------------------------------------- 2: heaviside, isclose, addcmul
def test_heaviside_of_nan_is_zero_as_pytorch():
    """PyTorch's rule: x == 0 ? values : (x > 0); NaN > 0 is False."""
    x = ag.tensor([np.nan, 0.0, -1.0, 2.0, -0.0])
    values = ag.tensor([0.5, 0.5, 0.5, 0.5, 0.25])
    np.testing.assert_array_equal(x.heaviside(values).numpy(), [0.0, 0.5, 0.0, 1.0, 0.25])
    np.testing.assert_array_equal(ag.heaviside(x, values).numpy(), [0.0, 0.5, 0.0, 1.0, 0.25])


@pytest.mark.parametrize("a, b, kwargs", [
    (np.inf, 0.0, {"atol": np.inf}),
    (np.inf, 1e308, {"rtol": 2.0}),
    (-np.inf, 0.0, {"atol": np.inf, "rtol": np.inf}),
    (1e308, -1e308, {"atol": np.inf}),
    (np.inf, -np.inf, {"atol": np.inf}),
])
def test_isclose_an_infinity_is_close_only_to_itself_without_warnings(a, b, kwargs):
    x, y = ag.tensor([a, np.inf]), ag.tensor([b, np.inf])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        close = x.isclose(y, **kwargs)
        together = x.allclose(y, **kwargs)
    np.testing.assert_array_equal(close.numpy(), [False, True])
    assert together is False


def test_isclose_finite_values_and_nan_as_the_formula():
    """|x - y| <= atol + rtol |y| for finite values; NaN only with equal_nan."""
    x = ag.tensor([1.0, 1.0, np.nan, 100.0])
    y = ag.tensor([1.0 + 1e-9, 1.1, np.nan, 101.0])
    np.testing.assert_array_equal(x.isclose(y).numpy(), [True, False, False, False])
    np.testing.assert_array_equal(x.isclose(y, rtol=0.01, equal_nan=True).numpy(),
                                  [True, False, True, True])
    assert x.allclose(x, equal_nan=True) and not x.allclose(x)


def test_isclose_of_int8_does_not_wrap():
    """-128 - 127 wraps to 1 in int8; the error is computed in float64."""
    x, y = ag.tensor(np.int8([-128, 3])), ag.tensor(np.int8([127, 3]))
    np.testing.assert_array_equal(x.isclose(y, atol=2).numpy(), [False, True])


@pytest.mark.parametrize("kwargs", [{"rtol": -1.0}, {"atol": -1e-3}])
def test_isclose_refuses_negative_tolerances_as_pytorch(kwargs):
    with pytest.raises(UsageError, match=">= 0"):
        ag.tensor([1.0]).isclose(ag.tensor([3.0]), **kwargs)
    with pytest.raises(UsageError, match=">= 0"):
        ag.tensor([1.0]).allclose(ag.tensor([3.0]), **kwargs)


@pytest.mark.parametrize("value", [2.5, -2.5, 2.0, 0.9])
def test_integer_addcmul_truncates_a_float_value_as_pytorch(value):
    """PyTorch casts value to the tensors' integer type (towards zero)."""
    data = np.array([1, 2, 3])
    out = ag.tensor(data).addcmul(ag.tensor(data), ag.tensor(data), value=value)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.numpy(), data + int(value) * data * data)
    inplace = ag.tensor(data)
    inplace.addcmul_(ag.tensor(data), ag.tensor(data), value=value)
    np.testing.assert_array_equal(inplace.numpy(), data + int(value) * data * data)


def test_addcmul_keeps_a_float_value_for_float_tensors():
    data = np.array([1.0, 2.0])
    out = ag.tensor(data).addcmul(ag.tensor(np.array([1, 2])), ag.tensor(data), value=2.5)
    np.testing.assert_array_equal(out.numpy(), data + 2.5 * np.array([1, 2]) * data)


def test_integer_addcmul_refuses_a_nan_value():
    data = ag.tensor([1, 2])
    with pytest.raises(DTypeError, match="value=nan"):
        data.addcmul(data, data, value=float("nan"))


# ------------------------------------------------- 3: copysign's graph, clamp of uint8
def test_copysign_with_only_the_sign_requiring_grad_records_zero_gradient():
    b = ag.tensor([-3.0, 0.0, -0.0], requires_grad=True)
    out = ag.copysign(ag.tensor([1.0, -2.0, 4.0]), b)
    assert out.requires_grad
    np.testing.assert_array_equal(out.detach().numpy(), [-1.0, 2.0, -4.0])
    grad_b, = ag.grad(out.sum(), [b])
    np.testing.assert_array_equal(grad_b.numpy(), [0.0, 0.0, 0.0])


def test_copysign_second_derivative_is_zero():
    """d/da = sign(a) s(b), piecewise constant: d2/da2 = 0 (PyTorch's zeros)."""
    a = ag.tensor([5.0, -3.0, 0.0], requires_grad=True)
    b = ag.tensor([2.0, 2.0, -1.0], requires_grad=True)
    first, = ag.grad(a.copysign(b).sum(), [a], create_graph=True)
    np.testing.assert_array_equal(first.detach().numpy(), [1.0, -1.0, 0.0])
    second_a, second_b = ag.grad(first.sum(), [a, b], allow_unused=True)
    np.testing.assert_array_equal(second_a.numpy(), [0.0, 0.0, 0.0])
    assert second_b is None or not second_b.numpy().any()


def test_copysign_values_match_numpy_on_special_values():
    values = np.array([0.0, -0.0, 1.5, -2.0, np.inf, -np.inf, np.nan])
    x, y = np.meshgrid(values, values)
    out = ag.tensor(x).copysign(ag.tensor(y)).numpy()
    want = np.copysign(x, y)
    np.testing.assert_array_equal(out, want)
    np.testing.assert_array_equal(np.signbit(out), np.signbit(want))


@pytest.mark.parametrize("kwargs", [{"max": -3}, {"min": 300}, {"min": -5, "max": -3}])
def test_uint8_clamp_to_a_bound_it_cannot_hold_is_a_named_error(kwargs):
    with pytest.raises(DTypeError, match="uint8's range"):
        ag.tensor(np.uint8([1, 2, 3])).clamp(**kwargs)


def test_uint8_clamp_with_a_bound_it_never_takes_stays_uint8():
    u = ag.tensor(np.uint8([1, 2, 3]))
    for out in (u.clamp(min=-3), u.clamp(max=300), u.clamp(-3, 2)):
        assert out.dtype == np.uint8
    np.testing.assert_array_equal(u.clamp(-3, 2).numpy(), [1, 2, 2])


# ------------------------------------------------- 4: refusals
@pytest.mark.parametrize("a, b", [([1, 2], [2, 1]), ([True], [False])])
def test_nextafter_of_two_integer_tensors_is_refused(a, b):
    with pytest.raises(DTypeError, match="nextafter"):
        ag.tensor(a).nextafter(ag.tensor(b))


def test_nextafter_of_an_integer_towards_a_float_still_steps():
    out = ag.tensor([1]).nextafter(ag.tensor([2.0]))
    np.testing.assert_array_equal(out.numpy(), np.nextafter(1.0, 2.0))


@pytest.mark.parametrize("name", ["fmod", "remainder"])
def test_second_derivatives_of_fmod_and_remainder_are_zero(name: str) -> None:
    """db = -g q with q = trunc(a / b) (fmod) or floor(a / b) (remainder), piecewise
    constant: under create_graph q is an op of zero gradient, so db's graph reaches a and
    b and differentiating it again gives zeros, as PyTorch's (it raised: db recorded
    nothing)."""
    a = ag.tensor([5.0, -7.0, 2.5], requires_grad=True)
    b = ag.tensor([3.0, 2.0, -0.7], requires_grad=True)
    y = getattr(ag, name)(a, b)
    _, db = ag.grad(y.sum(), (a, b), create_graph=True)
    rounding = np.trunc if name == "fmod" else np.floor
    np.testing.assert_allclose(db.detach().numpy(), -rounding(a.data / b.data))
    second = ag.grad(db.sum(), (a, b))
    for derivative in second:
        np.testing.assert_array_equal(np.abs(derivative.numpy()), 0.0)
