"""The modified Bessel functions of the first kind as ops (``autograd.bessel_arrays``
computes them): ``I0``, ``I1`` and the exponentially scaled ``I0e`` = e^-|x| I0,
``I1e`` = e^-|x| I1 (von Mises densities use log(i0e(kappa)) + kappa, which does not
overflow). Each VJP applies the others, so they are differentiable to any order:
I0' = I1, I1' = I0 - I1 / x, i0e' = i1e - sign(x) i0e, i1e' = i0e - i1e (sign(x) + 1/x);
I1'(0) = i1e'(0) = 1/2 (the limits; PyTorch's, which switches below |x| = machine eps).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import bessel_arrays
from ..function import Function
from .generic import constant, where
from .trig import either

__all__ = ["I0", "I0e", "I1", "I1e"]


def _tiny_and_safe(x: Any) -> tuple[np.ndarray, Any]:
    """(where |x| <= eps, as a 0/1 array; x with those entries set to 1): the 1/x of
    I1's and i1e's derivatives is taken of the safe x and its limit used at the tiny."""
    values = constant(x)
    tiny = (np.abs(values) <= np.finfo(values.dtype).eps).astype(values.dtype)
    return tiny, x * (1 - tiny) + tiny


class I0(Function):
    """out = I0(x);  dx = g I1(x)."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return bessel_arrays.i0(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g * _i1(x),)


class I1(Function):
    """out = I1(x);  dx = g (I0(x) - I1(x) / x), g / 2 at x = 0."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return bessel_arrays.i1(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g * (_i0(x) - _i1_over_x(x)),)


def _i1_over_x(x: Any) -> Any:
    """I1(x) / x: its series 1/2 + x^2/16 + x^4/384 where |x| < 1e-3 (the next term is
    below 1e-22 there), where the quotient of two small numbers would lose the second
    derivative to rounding (0.004 against 0 at x = 1e-15 on some CPUs); exact elsewhere."""
    small = np.abs(constant(x)) < 1e-3
    safe = where(small, 1.0, x)
    square = x * x
    return where(small, 0.5 + square / 16 + square * square / 384, _i1(safe) / safe)


class I0e(Function):
    """out = e^-|x| I0(x);  dx = g (i1e(x) - sign(x) i0e(x))."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return bessel_arrays.i0e(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g * (_i1e(x) - np.sign(constant(x)) * _i0e(x)),)


class I1e(Function):
    """out = e^-|x| I1(x);  dx = g (i0e(x) - i1e(x) (sign(x) + 1/x)), g / 2 at x = 0."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return bessel_arrays.i1e(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        tiny, safe = _tiny_and_safe(x)
        slope = _i0e(x) - _i1e(safe) * (np.sign(constant(x)) + 1 / safe)
        return (g * (slope * (1 - tiny) + 0.5 * tiny),)


_i0 = either(I0, bessel_arrays.i0)
_i1 = either(I1, bessel_arrays.i1)
_i0e = either(I0e, bessel_arrays.i0e)
_i1e = either(I1e, bessel_arrays.i1e)
