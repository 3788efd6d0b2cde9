"""Trigonometric and hyperbolic functions: sin, cos, tan, arcsin, arccos, arctan, arctan2,
sinh, cosh.

Each VJP is written with functions that run on arrays (an ordinary backward) and on
Tensors (``create_graph=True``), so second derivatives come for free.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..function import Function, apply, apply1
from ..tensor import Tensor, as_tensor
from .arithmetic import check_broadcast, is_scalar

__all__ = ["sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh",
           "Sin", "Cos", "Tan", "Arcsin", "Arccos", "Arctan", "Arctan2", "Sinh", "Cosh"]


def either(op_class: type, numpy_function: Callable) -> Callable[[Any], Any]:
    """A function that applies ``op_class`` to a Tensor and ``numpy_function`` to an array
    (what a VJP needs: it runs on both)."""
    def run(x: Any) -> Any:
        return apply1(op_class(), x) if isinstance(x, Tensor) else numpy_function(x)
    return run


def public(op_class: type, name: str) -> Callable[[Any], Tensor]:
    """The user-facing function of a one-input op: accepts Tensors, arrays and numbers."""
    def run(x: Any) -> Tensor:
        return apply1(op_class(), as_tensor(x))
    run.__name__ = run.__qualname__ = name
    run.__doc__ = op_class.__doc__
    return run


class Sin(Function):
    """out = sin x;  dx = g cos x."""
    __slots__ = ()
    exact_grads = True

    def forward(self, x):
        return np.sin(x)

    def vjp(self, g, out, x):
        return (g * _cos(x),)


class Cos(Function):
    """out = cos x;  dx = -g sin x."""
    __slots__ = ()
    exact_grads = True

    def forward(self, x):
        return np.cos(x)

    def vjp(self, g, out, x):
        return (-(g * _sin(x)),)


class Tan(Function):
    """out = tan x;  dx = g (1 + out^2)."""
    __slots__ = ()
    exact_grads = True
    save_inputs = False
    save_output = True

    def forward(self, x):
        return np.tan(x)

    def vjp(self, g, out, x):
        return (g * (out * out + 1),)


class Arcsin(Function):
    """out = arcsin x;  dx = g / sqrt(1 - x^2)."""
    __slots__ = ()
    exact_grads = True

    def forward(self, x):
        with np.errstate(invalid="ignore"):
            return np.arcsin(x)

    def vjp(self, g, out, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (g / (1 - x * x) ** 0.5,)


class Arccos(Function):
    """out = arccos x;  dx = -g / sqrt(1 - x^2)."""
    __slots__ = ()
    exact_grads = True

    def forward(self, x):
        with np.errstate(invalid="ignore"):
            return np.arccos(x)

    def vjp(self, g, out, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (-g / (1 - x * x) ** 0.5,)


class Arctan(Function):
    """out = arctan x;  dx = g / (1 + x^2)."""
    __slots__ = ()
    exact_grads = True

    def forward(self, x):
        return np.arctan(x)

    def vjp(self, g, out, x):
        return (g / (x * x + 1),)


class Arctan2(Function):
    """out = arctan2(y, x), the angle of the point (x, y);
    dy = g x / (x^2 + y^2),  dx = -g y / (x^2 + y^2)."""
    __slots__ = ()

    def forward(self, y, x):
        return np.arctan2(y, x)

    def vjp(self, g, out, y, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            scaled = g / (x * x + y * y)
        return scaled * x, -(scaled * y)


class Sinh(Function):
    """out = sinh x;  dx = g cosh x."""
    __slots__ = ()
    exact_grads = True

    def forward(self, x):
        return np.sinh(x)

    def vjp(self, g, out, x):
        return (g * _cosh(x),)


class Cosh(Function):
    """out = cosh x;  dx = g sinh x."""
    __slots__ = ()
    exact_grads = True

    def forward(self, x):
        return np.cosh(x)

    def vjp(self, g, out, x):
        return (g * _sinh(x),)


_sin, _cos = either(Sin, np.sin), either(Cos, np.cos)
_sinh, _cosh = either(Sinh, np.sinh), either(Cosh, np.cosh)

sin = public(Sin, "sin")
cos = public(Cos, "cos")
tan = public(Tan, "tan")
arcsin = public(Arcsin, "arcsin")
arccos = public(Arccos, "arccos")
arctan = public(Arctan, "arctan")
sinh = public(Sinh, "sinh")
cosh = public(Cosh, "cosh")


def arctan2(y: Any, x: Any) -> Tensor:
    """The angle of the point (x, y) in (-pi, pi], elementwise, as ``np.arctan2``."""
    if is_scalar(y) and isinstance(x, Tensor):
        y = np.asarray(y, dtype=x.dtype)
    if is_scalar(x) and isinstance(y, Tensor):
        x = np.asarray(x, dtype=y.dtype)
    y, x = as_tensor(y), as_tensor(x)
    check_broadcast("arctan2", y, x)
    return apply(Arctan2(), y, x)
