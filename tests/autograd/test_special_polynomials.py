"""``autograd.special``'s orthogonal polynomials against ``torch.special``'s: Chebyshev
T/U/V/W and their shifted forms, Hermite H/He, Laguerre L, Legendre P, over x inside and
outside [-1, 1] (and [0, 1]), the exact ends, degrees 0..100 with negative and fractional
n, broadcasting of x with n, dtypes, out=, and the backward pass PyTorch has not.
``torch.special.legendre_polynomial_p(x, n)`` (a Legendre feature basis) raised
AttributeError here before.

PyTorch's U, V, W (and shifted), Legendre and Laguerre return uninitialised memory for a
NaN x (torch 2.13 CPU: 6.9e-310 or 0.0); ours return NaN, which the tests check instead.
"""

import math

import numpy as np
import pytest

import autograd as ag
from autograd import special

NAMES = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
         "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
         "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
         "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
         "laguerre_polynomial_l", "legendre_polynomial_p"]
X = np.concatenate([np.linspace(-1.6, 1.6, 65), [-1.0, 1.0, 0.0, -0.0, 0.5, 1e-17, 2.5, -4.0,
                                                1 - 1e-12, -1 + 1e-12, 30.0]])
X = np.concatenate([X, X / 2 + 0.5])  # the shifted families' [0, 1] as densely
DEGREES = np.array([-3, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 31, 100, 2.7, -0.5])


def _both(torch, name, x, n):
    ours = getattr(special, name)(ag.tensor(x), ag.tensor(n)).numpy()
    return ours, getattr(torch.special, name)(torch.tensor(x), torch.tensor(n)).numpy()


@pytest.mark.parametrize("name", NAMES)
def test_values_match_pytorch(torch, name) -> None:
    x, n = np.meshgrid(X, DEGREES)
    ours, want = _both(torch, name, x, n)
    np.testing.assert_array_equal(np.isinf(ours), np.isinf(want))
    finite = np.isfinite(want)
    # the recurrences' rounding relative to the value's size (H_100(30) ~ 1e205)
    error = np.abs(ours[finite] - want[finite]) / np.maximum(1, np.abs(want[finite]))
    assert error.max() < 1e-12, (error.max(), x[finite][error.argmax()],
                                 n[finite][error.argmax()])


@pytest.mark.parametrize("name", NAMES)
def test_infinities_and_nan(torch, name) -> None:
    x = np.array([math.inf, -math.inf])
    for degree in (0, 1, 2, 3, 7, 10):
        ours, want = _both(torch, name, x, np.full(2, float(degree)))
        np.testing.assert_array_equal(ours, want)
    nan_x = getattr(special, name)(ag.tensor([math.nan] * 3), ag.tensor([1, 2, 12]))
    assert np.isnan(nan_x.numpy()).all()
    assert getattr(special, name)(ag.tensor([math.nan]), -1).numpy()[0] == 0  # n < 0 gives 0


def test_fractional_and_large_degrees_truncate(torch) -> None:
    """n = 2.7 is degree 2 and -0.5 degree 0 (PyTorch casts n to int64); degree 500 takes
    the trigonometric form inside (-1, 1) and the recurrence outside."""
    x = np.array([0.3, -0.7, 0.999])
    for name in ("chebyshev_polynomial_t", "legendre_polynomial_p"):
        f = getattr(special, name)
        np.testing.assert_array_equal(f(ag.tensor(x), 2.7).numpy(), f(ag.tensor(x), 2).numpy())
        np.testing.assert_array_equal(f(ag.tensor(x), -0.5).numpy(), f(ag.tensor(x), 0).numpy())
    ours, want = _both(torch, "chebyshev_polynomial_u", x, np.full(3, 500.0))
    np.testing.assert_allclose(ours, want, rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("name", ["chebyshev_polynomial_t", "hermite_polynomial_he",
                                  "shifted_chebyshev_polynomial_w"])
def test_broadcasting_and_dtypes_follow_pytorch(torch, name) -> None:
    x = np.linspace(-0.9, 0.9, 3).reshape(3, 1)
    n = np.arange(5)
    f, g = getattr(special, name), getattr(torch.special, name)
    cases = [(ag.tensor(x, dtype=np.float32), ag.tensor(n), torch.tensor(x, dtype=torch.float32),
              torch.tensor(n)),
             (ag.tensor(x, dtype=np.float32), 3.0, torch.tensor(x, dtype=torch.float32), 3.0),
             (ag.tensor(x, dtype=np.float32), ag.tensor(n, dtype=np.float64),
              torch.tensor(x, dtype=torch.float32), torch.tensor(n, dtype=torch.float64)),
             (0.5, ag.tensor(n), 0.5, torch.tensor(n))]
    for ours_x, ours_n, torch_x, torch_n in cases:
        ours, want = f(ours_x, ours_n), g(torch_x, torch_n)
        assert tuple(ours.shape) == tuple(want.shape)
        expected = np.float64 if want.dtype == torch.float64 else np.float32
        if isinstance(ours_x, float):
            expected = np.float64  # integer n with a number x: the default float dtype
        assert ours.dtype == expected
        np.testing.assert_allclose(ours.numpy(), want.numpy(), rtol=1e-6, atol=1e-6)
    out = ag.empty(3, 5)
    assert f(ag.tensor(x), ag.tensor(n), out=out) is out


@pytest.mark.parametrize("name", NAMES)
def test_backward_raises_where_pytorch_has_no_derivative(torch, name) -> None:
    t = torch.tensor([0.3, 0.6], requires_grad=True)
    assert getattr(torch.special, name)(t, 3).grad_fn is None
    x = ag.tensor([0.3, 0.6], requires_grad=True)
    with pytest.raises(ag.BackwardError, match=f"special.{name} has no derivative.*detach"):
        getattr(special, name)(x, 3).sum().backward()
