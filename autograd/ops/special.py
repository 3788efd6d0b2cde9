"""More elementwise functions: log1p, expm1, log2, log10, square, reciprocal, erf,
softplus; the piecewise-constant sign, floor, ceil, trunc, round and floor division, whose
gradient is 0 everywhere (as PyTorch defines it, also at the jumps); and the remainder.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import erf_arrays
from .._arrays import int_argument
from ..dtype_refusals import refuse_bool_input
from ..errors import IntegerDivisionError
from ..function import Function
from .arithmetic import broadcasting
from .elementwise import Sigmoid, as_float_input
from .generic import constant, exp, is_tensor
from .trig import either

__all__ = ["Log1p", "Expm1", "Log2", "Log10", "Square", "Reciprocal", "Erf", "Erfc", "Erfinv",
           "Erfcx", "Softplus", "Sign", "Floor", "Ceil", "Trunc", "Round", "FloorDivide",
           "Remainder", "Fmod"]

_LN2, _LN10 = math.log(2.0), math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


class Log1p(Function):
    """out = ln(1 + x), accurate for small x;  dx = g / (1 + x)."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log1p(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        with np.errstate(divide="ignore"):
            return (g / (x + 1),)


class Expm1(Function):
    """out = e^x - 1, accurate for small x;  dx = g e^x (not g (out + 1), which is 0 in
    float32 from x = -17 on, where out rounds to -1: selu's and celu's tails need it)."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.expm1(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g * exp(x),)


class Log2(Function):
    """out = log2 x;  dx = g / (x ln 2)."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log2(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        with np.errstate(divide="ignore"):
            return (g / (x * _LN2),)


class Log10(Function):
    """out = log10 x;  dx = g / (x ln 10)."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log10(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        with np.errstate(divide="ignore"):
            return (g / (x * _LN10),)


class Square(Function):
    """out = x^2 (of a bool x int64, as PyTorch's);  dx = 2 g x."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x.astype(np.int64) if x.dtype == np.bool_ else x * x  # True * True is True

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g * 2 * x ** 1,)  # x ** 1, not x: the next derivative is zeros (PowScalar)


class Reciprocal(Function):
    """out = 1 / x;  dx = -g out^2."""
    __slots__ = ()
    save_inputs = False
    save_output = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return 1 / x

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (-(g * out * out),)


class Erf(Function):
    """out = erf x = 2/sqrt(pi) integral_0^x e^{-t^2} dt;  dx = g 2/sqrt(pi) e^{-x^2}."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return erf_arrays.erf(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g * exp(-(x * x)) * _TWO_OVER_SQRT_PI,)


class Erfc(Function):
    """out = erfc x = 1 - erf x (accurate in relative terms for large x);
    dx = -g 2/sqrt(pi) e^{-x^2}."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return erf_arrays.erfc(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g * exp(-(x * x)) * -_TWO_OVER_SQRT_PI,)


class Erfinv(Function):
    """out = erf^-1(x) for x in [-1, 1];  dx = g sqrt(pi)/2 e^{out^2}."""
    __slots__ = ()
    save_inputs = False
    save_output = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        return erf_arrays.erfinv(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g * exp(out * out) / _TWO_OVER_SQRT_PI,)


class Erfcx(Function):
    """out = e^{x^2} erfc(x);  dx = g (2 x out - 2/sqrt(pi))."""
    __slots__ = ()
    save_output = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        return erf_arrays.erfcx(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g * (2 * x * out - _TWO_OVER_SQRT_PI),)


class Softplus(Function):
    """out = ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|) (without overflow);
    dx = g sigmoid(x)."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        # np.logaddexp(0, x) is the same function, 10x slower (an element at a time)
        x = as_float_input(x)
        out = np.exp(-np.abs(x))
        out = np.log1p(out, out=out) if isinstance(out, np.ndarray) else np.log1p(out)
        out += np.maximum(x, 0)
        return out

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g * _sigmoid(x),)


_sigmoid = either(Sigmoid, Sigmoid().forward)


class _Constant(Function):
    """Base of piecewise-constant functions: dx = 0 everywhere (a zero array, so that an
    infinite upstream gradient does not become NaN)."""
    __slots__ = ()
    save_inputs = False

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (_zeros_like(g),)


def _zeros_like(g: Any) -> Any:
    """Zeros of g's shape and dtype, an array or (under create_graph) a constant Tensor."""
    zeros = np.zeros(np.shape(constant(g)), dtype=constant(g).dtype)
    return g._make(zeros, None) if is_tensor(g) else zeros


class Sign(_Constant):
    """out = -1, 0 or 1 by the sign of x, 0 at NaN (a bool x is its own sign), as
    PyTorch's (NumPy's sign of NaN is NaN); dx = 0."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        if x.dtype.kind != "f":
            return x.copy() if x.dtype == np.bool_ else np.sign(x)
        out = np.asarray(np.sign(x))  # an array also for a 0-d x
        out[np.isnan(out)] = 0
        return out


def _refuse_bool(op: str, x: np.ndarray) -> None:
    """A bool tensor is a ``DTypeError``: PyTorch's rounding functions have no bool kernel
    (NumPy's keep the mask, or make it float16)."""
    refuse_bool_input(op, x.dtype, f"A mask is already whole: use x, or convert first "
                                   f"(x.long(), x.double().{op}()).")


class Floor(_Constant):
    """out = largest integer <= x (same dtype; bool: a DTypeError, as PyTorch's);  dx = 0."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        _refuse_bool("floor", x)
        return np.floor(x)


class Ceil(_Constant):
    """out = smallest integer >= x (same dtype; bool: a DTypeError, as PyTorch's);  dx = 0."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        _refuse_bool("ceil", x)
        return np.ceil(x)


class Trunc(_Constant):
    """out = x rounded towards zero (-0.0 keeps its sign), an integer x a copy of itself
    (NumPy's ``np.trunc`` would make it a float), a bool x a DTypeError, as PyTorch's;
    dx = 0, also at NaN."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        _refuse_bool("trunc", x)
        return x.copy() if x.dtype.kind in "iu" else np.trunc(x)


class Round(_Constant):
    """out = x rounded to ``decimals`` places, halves to even (as NumPy), an integer x
    unchanged, a bool x a DTypeError, as PyTorch's;  dx = 0."""
    __slots__ = ("decimals",)

    def __init__(self, decimals: int = 0) -> None:
        self.decimals = int_argument("round", "decimals", decimals)  # not 1.5, "1", None

    def forward(self, x: np.ndarray) -> np.ndarray:
        _refuse_bool("round", x)
        return np.round(x, self.decimals)


def _check_integer_divisor(op: str, a: np.ndarray, b: np.ndarray) -> None:
    """An integer division by zero is an ``IntegerDivisionError``, as PyTorch's
    ZeroDivisionError (NumPy's integer loops give 0 with a RuntimeWarning); an empty
    result divides nothing, so it passes, as in PyTorch."""
    if np.result_type(a, b).kind in "iu" and not np.all(b) and not _divides_nothing(a, b):
        raise IntegerDivisionError(f"{op}: integer division by zero (the divisor holds a 0), "
                                   f"as PyTorch refuses it; divide floats (a.double()) for "
                                   f"inf and nan, or leave out the zeros")


def _divides_nothing(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether no element is divided: a and b broadcast to an empty result, or do not
    broadcast at all (the ShapeError ``broadcasting`` raises then is the one to see)."""
    try:
        return 0 in np.broadcast_shapes(np.shape(a), np.shape(b))
    except ValueError:
        return True


class FloorDivide(Function):
    """out = floor(a / b) (``a // b``, NumPy's floor_divide);  da = db = 0."""
    __slots__ = ()
    save_inputs = False

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _check_integer_divisor("a // b", a, b)
        with np.errstate(divide="ignore", invalid="ignore"):  # floats: inf, nan
            return broadcasting("a // b", np.floor_divide, a, b)

    def vjp(self, g: Any, out: Any, a: Any, b: Any) -> tuple:
        return _zeros_like(g), _zeros_like(g)


class Remainder(Function):
    """out = a - b floor(a / b) (``a % b``, with b's sign, as NumPy and PyTorch);
    da = g, db = -g floor(a / b)."""
    __slots__ = ()

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _check_integer_divisor("a % b", a, b)
        with np.errstate(divide="ignore", invalid="ignore"):  # floats: inf, nan
            return broadcasting("a % b", np.remainder, a, b)

    def vjp(self, g: Any, out: Any, a: Any, b: Any) -> tuple:
        need_a, need_b = self.needs_input_grad
        # piecewise constant: on Tensors (create_graph) an op of zero gradient, so db's
        # graph reaches a and b and their second derivative is 0, as PyTorch's
        quotient = np.floor_divide(a, b)
        return (g if need_a else None), (-g * quotient if need_b else None)


class Fmod(Function):
    """out = a - b trunc(a / b) (C's fmod: with a's sign, as NumPy's ``fmod`` and PyTorch's);
    da = g, db = -g trunc(a / b)."""
    __slots__ = ()

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _check_integer_divisor("fmod(a, b)", a, b)
        with np.errstate(divide="ignore", invalid="ignore"):  # floats: inf, nan
            return broadcasting("fmod(a, b)", np.fmod, a, b)

    def vjp(self, g: Any, out: Any, a: Any, b: Any) -> tuple:
        need_a, need_b = self.needs_input_grad
        quotient = np.trunc(a / b)  # piecewise constant, as in Remainder.vjp
        return (g if need_a else None), (-g * quotient if need_b else None)
