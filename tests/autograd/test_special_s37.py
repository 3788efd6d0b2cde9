"""Special functions after the session-37 differential fuzz: polygamma of a large order where
zeta(n + 1, x) alone underflows (finite, not -0.0), gammainc/gammaincc's second derivative
in x at x <= 0 (NaN, not a constant's 0), logit's eps (a real number <= 0.5; eps < 0 means
no clamp), round's decimals (an int only) and float_power's exponent (numbers only).
Expected values come from direct sums, recurrences and finite differences in NumPy."""

import math

import numpy as np
import pytest

import autograd as ag
import autograd.special as S
from autograd.errors import DTypeError, UsageError

# (n, x): n! zeta(n + 1, x) is a normal float64, x^-(n+1) alone underflows (but 171, 5)
LARGE_ORDERS = [(200, 50.0), (250, 30.0), (300, 100.0), (400, 300.0), (171, 5.0)]


def _polygamma_by_direct_sum(n: int, x: float) -> float:
    """(-1)^(n+1) sum_k n! / (x + k)^(n+1), each term in logs; the tail past k = 2e5 is
    below (x + 2e5)^-n / n relative to the first term's x^-(n+1): far below 1e-16 here."""
    k = np.arange(200_000, dtype=np.float64)
    terms = np.exp(math.lgamma(n + 1.0) - (n + 1.0) * np.log(x + k))
    return (-1.0) ** (n + 1) * math.fsum(terms[::-1])


def _polygamma(n: int, x: float) -> float:
    return float(S.polygamma(n, ag.tensor(np.float64(x))).data)


@pytest.mark.parametrize("n, x", LARGE_ORDERS)
def test_large_order_polygamma_matches_direct_sum(n, x):
    expected = _polygamma_by_direct_sum(n, x)
    assert expected != 0 and math.isfinite(expected)
    assert _polygamma(n, x) == pytest.approx(expected, rel=1e-11, abs=0)


@pytest.mark.parametrize("n, x", LARGE_ORDERS)
def test_large_order_polygamma_recurrence(n, x):
    """psi^(n)(x) - psi^(n)(x + 1) = (-1)^(n+1) n! x^-(n+1)."""
    step = (-1.0) ** (n + 1) * math.exp(math.lgamma(n + 1.0) - (n + 1.0) * math.log(x))
    assert _polygamma(n, x) - _polygamma(n, x + 1) == pytest.approx(step, rel=1e-10, abs=0)


@pytest.mark.parametrize("n, x", [(201, 50.0), (251, 30.0), (172, 5.0)])
def test_large_order_polygamma_is_derivative_of_the_order_below(n, x):
    h = 1e-6 * x  # truncation (n h / x)^2 / 6 ~ 1e-8 relative
    difference = (_polygamma(n - 1, x + h) - _polygamma(n - 1, x - h)) / (2 * h)
    assert difference != 0 and math.isfinite(difference)
    assert _polygamma(n, x) == pytest.approx(difference, rel=1e-6, abs=0)
    t = ag.tensor(np.float64(x), requires_grad=True)
    (grad,) = ag.grad(S.polygamma(n - 1, t), t)
    assert float(grad.data) == pytest.approx(difference, rel=1e-6, abs=0)


def test_large_order_polygamma_float32_and_overflow():
    x = ag.tensor(np.array([50.0, 30.0, 1.0], dtype=np.float32))
    out = S.polygamma(200, x)
    assert out.dtype == np.float32
    assert out.data[0] == pytest.approx(np.float32(_polygamma_by_direct_sum(200, 50.0)),
                                        rel=1e-6)
    assert np.isneginf(out.data[1])  # -1.7e54 does not fit float32
    assert np.isneginf(out.data[2])  # 200! zeta(201, 1) overflows float64 too


A_VALUES = [1.0, 1.5, 2.0, 3.0]


def _second_derivative_in_x(function, a: float, x: float) -> float:
    t = ag.tensor(np.float64(x), requires_grad=True)
    (first,) = ag.grad(function(ag.tensor(np.float64(a)), t), t, create_graph=True)
    (second,) = ag.grad(first, t)
    return float(second.data)


@pytest.mark.parametrize("function", [S.gammainc, S.gammaincc])
@pytest.mark.parametrize("a", A_VALUES)
@pytest.mark.parametrize("x", [0.0, -0.5])
def test_incomplete_gamma_second_derivative_undefined_at_x_not_positive(function, a, x):
    assert math.isnan(_second_derivative_in_x(function, a, x))


@pytest.mark.parametrize("function", [S.gammainc, S.gammaincc])
def test_incomplete_gamma_higher_derivatives_at_zero_and_infinity(function):
    """At x = 0 every derivative past the first is NaN; at x = inf all are 0 (limits)."""
    x = ag.tensor(np.array([0.0, np.inf]), requires_grad=True)
    (first,) = ag.grad(function(ag.tensor(2.5), x).sum(), x, create_graph=True)
    (second,) = ag.grad(first.sum(), x, create_graph=True)
    (third,) = ag.grad(second.sum(), x)
    np.testing.assert_array_equal(first.data, [0.0, 0.0])
    np.testing.assert_array_equal(second.data, [np.nan, 0.0])
    np.testing.assert_array_equal(third.data, [np.nan, 0.0])


@pytest.mark.parametrize("function, sign", [(S.gammainc, 1.0), (S.gammaincc, -1.0)])
@pytest.mark.parametrize("a", A_VALUES)
def test_incomplete_gamma_second_derivative_inside(function, sign, a):
    """d/dx of the density x^(a-1) e^-x / Gamma(a), by central differences."""
    x, h = 0.7, 1e-5

    def density(v):
        return math.exp((a - 1) * math.log(v) - v - math.lgamma(a))
    expected = sign * (density(x + h) - density(x - h)) / (2 * h)
    assert _second_derivative_in_x(function, a, x) == pytest.approx(expected, rel=1e-7,
                                                                    abs=1e-9)


@pytest.mark.parametrize("eps", [0.6, 1.0, math.inf, math.nan])
def test_logit_eps_above_half_or_nan_is_refused(eps):
    with pytest.raises(UsageError, match="eps"):
        S.logit(ag.tensor([0.3, 0.9]), eps)


@pytest.mark.parametrize("eps", ["a", [0.1], True, {}, 1j])
def test_logit_eps_not_a_real_number_is_refused(eps):
    with pytest.raises(UsageError, match="eps must be a real number"):
        ag.tensor([0.3]).logit(eps)


def test_logit_eps_negative_is_no_clamp():
    """PyTorch: eps < 0 clamps nothing, so x outside [0, 1] gives NaN and a NaN gradient,
    as without eps (not the 1 / (x (1 - x)) of a partly clamped x)."""
    values = np.array([0.3, 1.05, 1.2, -0.5])
    results = []
    for eps in (None, -0.1):
        x = ag.tensor(values, requires_grad=True)
        y = S.logit(x, eps)
        (grad,) = ag.grad(y.sum(), x)
        results.append((y.data, grad.data))
    expected = np.log(values[0] / (1 - values[0])), 1 / (values[0] * (1 - values[0]))
    for y, grad in results:
        assert y[0] == pytest.approx(expected[0]) and grad[0] == pytest.approx(expected[1])
        assert np.isnan(y[1:]).all() and np.isnan(grad[1:]).all()


def test_logit_eps_zero_d_tensor_and_numpy_number():
    x = ag.tensor([0.05, 0.5, 0.99])
    clamped = np.clip(x.data, 0.1, 0.9)
    expected = np.log(clamped / (1 - clamped))
    for eps in (0.1, np.float64(0.1), ag.tensor(np.float64(0.1))):
        np.testing.assert_allclose(S.logit(x, eps).data, expected, rtol=1e-15)


@pytest.mark.parametrize("decimals", [1.5, "1", None, True, 1.0])
def test_round_decimals_must_be_an_int(decimals):
    with pytest.raises(UsageError, match="decimals must be an int"):
        S.round(ag.tensor([0.35]), decimals=decimals)
    with pytest.raises(UsageError, match="decimals must be an int"):
        ag.tensor([0.35]).round(decimals)


@pytest.mark.parametrize("decimals", [1, np.int64(1), -1, 2])
def test_round_int_decimals(decimals):
    values = np.array([0.35, 12.345, -7.25])
    np.testing.assert_array_equal(S.round(ag.tensor(values), decimals=decimals).data,
                                  np.round(values, int(decimals)))


def test_round_zero_d_integer_tensor_decimals():
    np.testing.assert_array_equal(ag.tensor([0.35]).round(ag.tensor(1)).data, [0.4])


@pytest.mark.parametrize("exponent", ["a", None, 2j, np.complex128(2j), [1, "a"]])
def test_float_power_non_number_exponent_is_dtype_error(exponent):
    with pytest.raises(DTypeError, match="exponent"):
        ag.float_power(ag.tensor([2.0]), exponent)
    with pytest.raises(DTypeError, match="exponent"):
        ag.tensor([2.0]).float_power(exponent)


@pytest.mark.parametrize("exponent", [3, 3.0, np.float32(3.0), [3.0], np.array([3])])
def test_float_power_number_exponents(exponent):
    out = ag.float_power(ag.tensor(np.array([2.0], dtype=np.float32)), exponent)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out.data, [8.0])


def test_round_in_place_checks_decimals_as_round():
    x = ag.tensor([1.26, 2.5])
    assert x.clone().round_(1).tolist() == [1.3, 2.5]
    for bad in (None, 1.5):
        with pytest.raises(UsageError, match="decimals"):
            x.clone().round_(decimals=bad)
