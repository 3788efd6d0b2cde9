"""``+ - * / **`` and negation. Addition distributes the gradient unchanged to its inputs.

Python numbers are op state (``AddScalar(2.0)``), not graph inputs, so ``x * 2`` keeps a
float32 graph float32 and records one input.
"""

from __future__ import annotations

import operator
from contextlib import nullcontext
from functools import lru_cache
from typing import Any

import numpy as np

from ..errors import DTypeError, ShapeError, UsageError
from ..function import Function
from .generic import constant, log, where

__all__ = ["broadcasting", "is_scalar", "number", "weak_number", "Add", "Sub", "Mul", "Div",
           "Neg", "Pow", "ScalarOp", "AddScalar", "SubScalar", "RSubScalar", "MulScalar",
           "DivScalar", "PowScalar", "RPowScalar", "quiet_at_poles"]


def quiet_at_poles(divisor: Any) -> Any:
    """A context in which x / divisor and divisor ** -p give IEEE's inf or NaN without
    NumPy's RuntimeWarning, as PyTorch's do and as ``log(0)`` does here: ``np.errstate``
    where ``divisor`` holds a zero, else nothing (an errstate costs more than a 0-d op)."""
    zero = not divisor.all() if isinstance(divisor, np.ndarray) else divisor == 0
    return np.errstate(divide="ignore", invalid="ignore") if zero else nullcontext()


class Add(Function):
    """out = a + b;  da = g, db = g: addition distributes the gradient unchanged."""
    __slots__ = ()
    save_inputs = False

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return broadcasting("add", operator.add, a, b)

    def vjp(self, g: Any, out: Any, a: Any, b: Any) -> tuple:
        return g, g


class Sub(Function):
    """out = a - b;  da = g, db = -g."""
    __slots__ = ()
    save_inputs = False

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        try:
            return broadcasting("sub", operator.sub, a, b)
        except TypeError:  # NumPy refuses bool - bool
            refuse_bool("a - b", a, b)
            raise

    def vjp(self, g: Any, out: Any, a: Any, b: Any) -> tuple:
        need_a, need_b = self.needs_input_grad
        return (g if need_a else None), (-g if need_b else None)


class Mul(Function):
    """out = a * b;  da = g * b, db = g * a: each input gets the other one."""
    __slots__ = ()
    fresh_grads = True  # both are new products
    gradient_reads = ((1,), (0,))

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return broadcasting("mul", operator.mul, a, b)

    def vjp(self, g: Any, out: Any, a: Any, b: Any) -> tuple:
        need_a, need_b = self.needs_input_grad
        return (g * b if need_a else None), (g * a if need_b else None)


class Div(Function):
    """out = a / b;  da = g / b, db = -g a / b^2 = -(g / b) * (a / b). As PyTorch's, it
    reads b, and a only for b's gradient: not out, which may be written in place since."""
    __slots__ = ()
    gradient_reads = ((1,), (0, 1))

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        with quiet_at_poles(b):
            return broadcasting("div", operator.truediv, a, b)

    def vjp(self, g: Any, out: Any, a: Any, b: Any) -> tuple:
        with quiet_at_poles(constant(b)):
            ga = g / b
            gb = -ga * (a / b) if self.needs_input_grad[1] else None
        return (ga if self.needs_input_grad[0] else None), gb


class Neg(Function):
    """out = -x;  dx = -g."""
    __slots__ = ()
    save_inputs = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        try:
            return -x
        except TypeError:  # NumPy refuses -bool
            refuse_bool("-x", x)
            raise

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (-g,)


class Pow(Function):
    """out = a ** b (both tensors);  da = g b a^(b-1), db = g out ln a.

    At a = 0, as PyTorch: da = 0 where b = 0, db = 0 where b >= 0 (no NaN from 0 * inf);
    da = 0 where b = 0 at a NaN a too (out = 1, as PyTorch's); the masks cover only those
    a, so second derivatives elsewhere stay exact."""
    __slots__ = ()
    save_output = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return power("pow", a, b)

    def vjp(self, g: Any, out: Any, a: Any, b: Any) -> tuple:
        ga = gb = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.needs_input_grad[0]:
                a_const = constant(a)  # d/da a^0 = 0 at a = 0 and a = NaN
                flat = ((a_const == 0) | np.isnan(a_const)) & (constant(b) == 0)
                ga = where(flat, 0.0, g * b * where(flat, 1.0, a) ** (b - 1))
            if self.needs_input_grad[1]:
                zero_base = (constant(a) == 0) & (constant(b) >= 0)
                gb = where(zero_base, 0.0, g * out * log(where(zero_base, 1.0, a)))
        return ga, gb


class ScalarOp(Function):
    """An op of one tensor and a Python number ``c`` (op state, not a graph input)."""
    __slots__ = ("c",)
    save_inputs = False

    def __init__(self, c: float) -> None:
        self.c = c


def _subtract(a: Any, b: Any) -> Any:
    """a - b, naming NumPy's refusal of bool - bool."""
    try:
        return a - b
    except TypeError:
        refuse_bool("a - b", a, b)
        raise


class AddScalar(ScalarOp):
    """out = x + c;  dx = g."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x + self.c

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g,)


class SubScalar(ScalarOp):
    """out = x - c;  dx = g. (Not x + (-c): -1 does not fit a uint8 tensor's x - 1.)"""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return _subtract(x, self.c)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g,)


class RSubScalar(ScalarOp):
    """out = c - x;  dx = -g."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return _subtract(self.c, x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (-g,)


class MulScalar(ScalarOp):
    """out = c x;  dx = c g."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x * self.c

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g * self.c,)


class DivScalar(ScalarOp):
    """out = x / c;  dx = g / c."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        with quiet_at_poles(self.c):
            return x / self.c

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        with quiet_at_poles(self.c):
            return (g / self.c,)


class PowScalar(Function):
    """out = x ** p;  dx = g p x^(p-1)  (zero for p = 0)."""
    __slots__ = ("p",)

    def __init__(self, p: float) -> None:
        self.p = p

    def forward(self, x: np.ndarray) -> np.ndarray:
        return power("pow", x, self.p)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        if self.p == 0:  # exactly 0, even where g is infinite
            everywhere = np.ones(np.shape(constant(g)), dtype=bool)
            return (where(everywhere, 0.0, g),)
        if self.p == 2:
            return (g * 2 * x,)
        with quiet_at_poles(constant(x)):
            return (g * self.p * x ** (self.p - 1),)


class RPowScalar(ScalarOp):
    """out = c ** x;  dx = g out log(c)."""
    __slots__ = ()
    save_output = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        return power("pow", self.c, x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        if self.c == 0:  # 0 ** x: as PyTorch, 0 where x >= 0 (where out is 0 or 1)
            with np.errstate(invalid="ignore"):
                return (where(np.isfinite(constant(out)), 0.0, g * out * -np.inf),)
        return (g * out * float(np.log(self.c)),)


def number(x: Any) -> int | float | None:
    """``x`` as a Python number if it is a real number, else None. NumPy scalars become
    Python numbers, so they are weak like Python's: ``x32 * np.float64(2)`` stays float32."""
    if type(x) is float or type(x) is int:
        return x
    if not _is_number_type(type(x)):
        return None  # a Tensor, an array, a list: one cached look-up
    if isinstance(x, (complex, np.complexfloating)):
        raise DTypeError(f"complex numbers are not supported; got {x!r}")
    if isinstance(x, (np.number, np.bool_)):  # before float: np.float64 subclasses it
        return x.item()
    if isinstance(x, bool):
        return x
    if isinstance(x, int):  # a subclass (x.size's ElementCount): NumPy would not take it
        return int(x)       # as weak, so x32 / x.size would widen to float64
    if isinstance(x, float):
        return float(x)
    return None


@lru_cache(maxsize=256)
def _is_number_type(kind: type) -> bool:
    """Whether instances of ``kind`` are numbers, per type. Cached because a failing
    ``isinstance`` walks the instance's whole class hierarchy, and Tensor's has 46 classes
    (its mixins): the check of a Tensor operand cost 0.32 us per ``x * y`` (per-op chain
    with Tensor constants, (8,): 4.00 -> 3.78 us per op)."""
    return issubclass(kind, (int, float, complex, np.generic))


def refuse_bool(expression: str, *arrays: Any) -> None:
    """NumPy refuses ``-`` on booleans; say so with a named error and the alternative."""
    if any(np.asarray(a).dtype == np.bool_ for a in arrays):
        raise DTypeError(f"{expression} is not defined for boolean tensors (NumPy and "
                         f"PyTorch refuse it too). Use ~x (not) or a ^ b (xor) on "
                         f"masks, or convert first: x.astype(float).")


def is_scalar(x: Any) -> bool:
    """A real Python or NumPy number (kept as op state, never a graph input)."""
    return number(x) is not None


def weak_number(value: int | float, dtype: np.dtype) -> np.ndarray:
    """A Python number as NumPy takes it beside an array of ``dtype`` (weak, NEP 50:
    int8 with 3 is int8, float32 with 2.5 float32). An integer that ``dtype`` cannot hold
    keeps its own int64 instead (int8 with 300, uint8 with -3: int64, as NumPy gives for
    ``np.int64(300)``, where NumPy's Python int is an OverflowError)."""
    try:
        return np.asarray(value, dtype=np.result_type(dtype, value))
    except OverflowError:
        widened = np.asarray(value)
    if widened.dtype.kind not in "iu":
        raise DTypeError(f"the integer {value} does not fit in {dtype} nor in int64/uint64; "
                         f"use a float (float({value})) or a smaller number")
    return widened


def broadcasting(op: str, function: Any, *arrays: Any) -> np.ndarray:
    """``function(*arrays)``; if their shapes cannot broadcast, a ``ShapeError`` naming
    ``op`` (NumPy's own error is caught, so the common case costs nothing)."""
    try:
        return function(*arrays)
    except ValueError:
        shapes = [np.shape(a) for a in arrays]
        try:
            np.broadcast_shapes(*shapes)
        except ValueError:
            listed = " and ".join(str(s) for s in shapes)
            raise ShapeError(
                f"{op}: shapes {listed} cannot broadcast (trailing axes must be equal or 1). "
                f"Reshape or add an axis (x[:, None]) so they line up.") from None
        raise


def power(op: str, base: Any, exponent: Any) -> np.ndarray:
    """``base ** exponent`` (broadcasting); integers to negative integer powers, which
    NumPy refuses with a bare ValueError, are a ``UsageError`` saying what to write."""
    try:
        with quiet_at_poles(base):  # 0 ** -1
            return broadcasting(op, operator.pow, base, exponent)
    except ValueError as exc:
        if "negative integer powers" not in str(exc):
            raise
        raise UsageError(f"{op}: integers to negative integer powers have no integer "
                         f"result (NumPy and PyTorch refuse them too). Convert first, "
                         f"x.astype(np.float64) ** p, or use a float exponent "
                         f"(x ** -1.0).") from None
