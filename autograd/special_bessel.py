"""``autograd.special``'s Bessel, Airy and zeta functions (PyTorch's ``torch.special``
names): ``bessel_j0/j1/y0/y1``, ``modified_bessel_i0/i1/k0/k1``,
``scaled_modified_bessel_k0/k1`` (e^x K), ``spherical_bessel_j0`` (sin x / x),
``airy_ai`` and the Hurwitz ``zeta(x, q)``.

The values are computed on NumPy (``autograd.bessel_jy_arrays``, ``bessel_k_arrays``,
``airy_arrays``, ``zeta_arrays``). As in PyTorch, ``zeta`` is differentiable in q
(d/dq zeta(x, q) = -x zeta(x + 1, q)) and its derivative in x raises
``UnsupportedError``; the others have no derivative in PyTorch (their outputs are not
differentiable there), and a backward pass through them raises ``BackwardError`` here
instead of silently dropping the gradient: detach the input for PyTorch's behaviour, or
use ``special.i0``/``i1`` and ``sinc(x / pi)``, which have gradients.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from . import airy_arrays, bessel_arrays, bessel_jy_arrays, bessel_k_arrays
from .function import apply
from .ops.special_values import NoDerivative, zeta as zeta_op
from .out_argument import accepts_out
from .special_methods import as_float, float_operands
from .tensor import Tensor, as_tensor

__all__ = ["float_pair", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0",
           "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1",
           "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "spherical_bessel_j0",
           "airy_ai", "zeta"]

_SPHERICAL_SERIES_BELOW = 0.5


def _float(x: Any) -> Tensor:
    return as_float(as_tensor(x))


def _without_derivative(function: Callable[[np.ndarray], np.ndarray], name: str,
                        input: Any, hint: str = "") -> Tensor:  # noqa: A002
    return apply(NoDerivative(function, f"special.{name}", hint), _float(input))


def _nan_at_infinity(values: Callable[[np.ndarray], np.ndarray]) -> Callable:
    """``values`` with NaN at +-inf: PyTorch's modified_bessel_i0/i1 there (PyTorch
    2.13's i0/i1 give NaN too; ``special.i0``/``i1`` here give +-inf, the limits)."""
    def at(x: np.ndarray) -> np.ndarray:
        out = values(x)
        return np.where(np.isinf(x), np.nan, out).astype(out.dtype, copy=False)
    return at


def _spherical_j0(x: np.ndarray) -> np.ndarray:
    """sin x / x: its Taylor series 1 - x^2/3! + x^4/5! - ... below |x| = 1/2, 0 at +-inf."""
    x = np.asarray(x)
    square = np.where(np.abs(x) < _SPHERICAL_SERIES_BELOW, x, 0) ** 2
    series = np.zeros_like(square)
    for k in range(7, 0, -1):  # Horner in x^2 over (-1)^k / (2k+1)!
        series = (series + (-1) ** k / math.factorial(2 * k + 1)) * square
    with np.errstate(invalid="ignore", divide="ignore"):
        direct = np.where(np.isinf(x), 0.0, np.sin(x) / np.where(x == 0, 1, x))
    return np.where(np.abs(x) < _SPHERICAL_SERIES_BELOW, 1 + series, direct).astype(x.dtype)


@accepts_out
def bessel_j0(input: Any) -> Tensor:  # noqa: A002
    """J0(x) = sum_k (-1)^k (x/2)^2k / (k!)^2, the Bessel function of the first kind."""
    return _without_derivative(bessel_jy_arrays.j0, "bessel_j0", input,
                               " (d/dx J0 = -J1)")


@accepts_out
def bessel_j1(input: Any) -> Tensor:  # noqa: A002
    """J1(x) = sum_k (-1)^k (x/2)^(2k+1) / (k! (k+1)!)."""
    return _without_derivative(bessel_jy_arrays.j1, "bessel_j1", input,
                               " (d/dx J1 = J0 - J1 / x)")


@accepts_out
def bessel_y0(input: Any) -> Tensor:  # noqa: A002
    """Y0(x), the Bessel function of the second kind (x > 0; -inf at 0, NaN below)."""
    return _without_derivative(bessel_jy_arrays.y0, "bessel_y0", input, " (d/dx Y0 = -Y1)")


@accepts_out
def bessel_y1(input: Any) -> Tensor:  # noqa: A002
    """Y1(x), the Bessel function of the second kind of order 1 (x > 0)."""
    return _without_derivative(bessel_jy_arrays.y1, "bessel_y1", input,
                               " (d/dx Y1 = Y0 - Y1 / x)")


@accepts_out
def modified_bessel_i0(input: Any) -> Tensor:  # noqa: A002
    """I0(x), the values of ``special.i0`` (which has a gradient; this one, as PyTorch's,
    has none)."""
    return _without_derivative(_nan_at_infinity(bessel_arrays.i0), "modified_bessel_i0",
                               input, "; special.i0 computes it with a gradient")


@accepts_out
def modified_bessel_i1(input: Any) -> Tensor:  # noqa: A002
    """I1(x), the values of ``special.i1`` (which has a gradient)."""
    return _without_derivative(_nan_at_infinity(bessel_arrays.i1), "modified_bessel_i1",
                               input, "; special.i1 computes it with a gradient")


@accepts_out
def modified_bessel_k0(input: Any) -> Tensor:  # noqa: A002
    """K0(x) = int_0^inf e^(-x cosh t) dt (x > 0; inf at 0, NaN below)."""
    return _without_derivative(bessel_k_arrays.k0, "modified_bessel_k0", input,
                               " (d/dx K0 = -K1)")


@accepts_out
def modified_bessel_k1(input: Any) -> Tensor:  # noqa: A002
    """K1(x) = int_0^inf e^(-x cosh t) cosh t dt."""
    return _without_derivative(bessel_k_arrays.k1, "modified_bessel_k1", input,
                               " (d/dx K1 = -K0 - K1 / x)")


@accepts_out
def scaled_modified_bessel_k0(input: Any) -> Tensor:  # noqa: A002
    """e^x K0(x), which does not underflow (~ sqrt(pi / 2x))."""
    return _without_derivative(bessel_k_arrays.k0e, "scaled_modified_bessel_k0", input)


@accepts_out
def scaled_modified_bessel_k1(input: Any) -> Tensor:  # noqa: A002
    """e^x K1(x)."""
    return _without_derivative(bessel_k_arrays.k1e, "scaled_modified_bessel_k1", input)


@accepts_out
def spherical_bessel_j0(input: Any) -> Tensor:  # noqa: A002
    """j0(x) = sin x / x (1 at 0, 0 at +-inf)."""
    return _without_derivative(_spherical_j0, "spherical_bessel_j0", input,
                               "; autograd.sinc(x / math.pi) is the same function with a "
                               "gradient")


@accepts_out
def airy_ai(input: Any) -> Tensor:  # noqa: A002
    """Ai(x) = (1/pi) int_0^inf cos(t^3 / 3 + x t) dt, the solution of y'' = x y that
    decays as x -> +inf."""
    return _without_derivative(airy_arrays.airy_ai, "airy_ai", input)


def float_pair(x: Any, q: Any) -> tuple[Tensor, Tensor]:
    """x and q as Tensors of the float dtype they promote to (``float_operands``: int8
    with float16 is float16, two integer ones float64); a Python number takes the other's
    (float) dtype, as PyTorch's wrapped numbers."""
    if isinstance(x, Tensor) or not isinstance(q, Tensor):
        x = as_tensor(x)
        q = q if isinstance(q, Tensor) else as_tensor(q, dtype=as_float(x).dtype)
    else:
        x = as_tensor(x, dtype=as_float(q).dtype)
    return float_operands(x, q)


@accepts_out
def zeta(input: Any, other: Any) -> Tensor:  # noqa: A002
    """The Hurwitz zeta function zeta(x, q) = sum_(k >= 0) (q + k)^-x (x > 1);
    d/dq = -x zeta(x + 1, q), the derivative in x is not implemented (as PyTorch's)."""
    return zeta_op(*float_pair(input, other))
