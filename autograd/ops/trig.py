"""Trigonometric and hyperbolic functions: sin, cos, tan, arcsin, arccos, arctan, arctan2
and hypot (the angle and the radius of a point), sinh, cosh, and the inverse hyperbolic
arcsinh, arccosh, arctanh.

Each VJP is written with functions that run on arrays (an ordinary backward) and on
Tensors (``create_graph=True``), so second derivatives come for free.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..function import Function, apply
from .arithmetic import broadcasting
from .generic import constant, is_tensor, where

__all__ = ["either", "Sin", "Cos", "Tan", "Arcsin", "Arccos", "Arctan", "Arctan2", "Hypot",
           "Sinh", "Cosh", "Arcsinh", "Arccosh", "Arctanh"]


def either(op_class: type, numpy_function: Callable) -> Callable[[Any], Any]:
    """A function that applies ``op_class`` to a Tensor and ``numpy_function`` to an array
    (what a VJP needs: it runs on both)."""
    def run(x: Any) -> Any:
        return apply(op_class(), x) if is_tensor(x) else numpy_function(x)
    return run


class Sin(Function):
    """out = sin x;  dx = g cos x."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.sin(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g * _cos(x),)


class Cos(Function):
    """out = cos x;  dx = -g sin x."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.cos(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (-(g * _sin(x)),)


class Tan(Function):
    """out = tan x;  dx = g (1 + out^2)."""
    __slots__ = ()
    save_inputs = False
    save_output = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.tan(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g * (out * out + 1),)


class Arcsin(Function):
    """out = arcsin x;  dx = g / sqrt(1 - x^2) (NaN for |x| > 1: np.sqrt, as on arrays,
    where a NumPy scalar's ** 0.5 would take C's pow(-inf, 0.5) = inf)."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return np.arcsin(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return (g / np.sqrt(1 - x * x),)


class Arccos(Function):
    """out = arccos x;  dx = -g / sqrt(1 - x^2) (NaN for |x| > 1, as Arcsin's)."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return np.arccos(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return (-g / np.sqrt(1 - x * x),)


class Arctan(Function):
    """out = arctan x;  dx = g / (1 + x^2)."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.arctan(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g / (x * x + 1),)


class Arctan2(Function):
    """out = arctan2(y, x), the angle of the point (x, y);
    dy = g x / (x^2 + y^2),  dx = -g y / (x^2 + y^2).

    Computed with x and y divided by s = max(|x|, |y|) (a constant: the formula does not
    change with s), so x^2 + y^2 neither underflows to 0 (|x| < 1e-19 in float32) nor
    overflows; at the origin both are 0, as PyTorch. Where x or y is infinite, an
    infinite one divided by s = inf counts as +-1 (not inf / inf = NaN), so both are 0,
    their limit (PyTorch's too for the infinite input; for the finite one beside it
    PyTorch's is inf / inf = NaN). A bool or integer operand's values are read in the
    result's float dtype (NumPy has no sign of a bool)."""
    __slots__ = ()

    def forward(self, y: np.ndarray, x: np.ndarray) -> np.ndarray:
        return broadcasting("arctan2", np.arctan2, y, x)

    def vjp(self, g: Any, out: Any, y: Any, x: Any) -> tuple:
        dtype = np.result_type(constant(g))
        y_values, x_values = constant(y).astype(dtype), constant(x).astype(dtype)
        scale = np.maximum(np.abs(y_values), np.abs(x_values))
        origin = scale == 0
        scale = np.where(origin, 1, scale)
        with np.errstate(invalid="ignore", over="ignore"):  # inf / inf is replaced by
            ys = where(np.isinf(y_values), np.sign(y_values), y / scale)  # the sign; 1 / s
            xs = where(np.isinf(x_values), np.sign(x_values), x / scale)  # may overflow
            square = xs * xs + ys * ys + origin  # in [1, 2]: + 1 at the origin, xs = ys = 0
            return g * xs / square / scale, -(g * ys / square / scale)  # 0 / tiny s = 0


class Hypot(Function):
    """out = sqrt(x^2 + y^2), the radius of the point (x, y), by NumPy's hypot (C's: the
    squares neither overflow, near 1e154, nor underflow);  dx = g (x / out),
    dy = g (y / out). x / out lies in [-1, 1], so it does not overflow either; it is NaN
    at the origin (0 / 0) and where out is inf because x or y is (inf / inf), as
    PyTorch's x / out."""
    __slots__ = ()
    save_output = True

    def forward(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return broadcasting("hypot", np.hypot, x, y)

    def vjp(self, g: Any, out: Any, x: Any, y: Any) -> tuple:
        with np.errstate(divide="ignore", invalid="ignore"):
            return g * (x / out), g * (y / out)


class Sinh(Function):
    """out = sinh x;  dx = g cosh x."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.sinh(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g * _cosh(x),)


class Cosh(Function):
    """out = cosh x;  dx = g sinh x."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.cosh(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g * _sinh(x),)


class Arcsinh(Function):
    """out = arcsinh x = ln(x + sqrt(x^2 + 1));  dx = g / sqrt(x^2 + 1)."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.arcsinh(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g / (x * x + 1) ** 0.5,)


class Arccosh(Function):
    """out = arccosh x = ln(x + sqrt(x^2 - 1)) for x >= 1 (NaN below);
    dx = g / sqrt(x^2 - 1) (inf at x = 1, as PyTorch's)."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return np.arccosh(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        with np.errstate(divide="ignore", invalid="ignore"):
            return (g / (x * x - 1) ** 0.5,)


class Arctanh(Function):
    """out = arctanh x = ln((1 + x) / (1 - x)) / 2 on (-1, 1) (+-inf at +-1);
    dx = g / (1 - x^2)."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.arctanh(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        with np.errstate(divide="ignore", invalid="ignore"):
            return (g / (1 - x * x),)


_sin, _cos = either(Sin, np.sin), either(Cos, np.cos)
_sinh, _cosh = either(Sinh, np.sinh), either(Cosh, np.cosh)
