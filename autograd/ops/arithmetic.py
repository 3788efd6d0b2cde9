"""``+ - * / **`` and negation. Addition distributes the gradient unchanged to its inputs.

Python numbers are op state (``AddScalar(2.0)``), not graph inputs, so ``x * 2`` keeps a
float32 graph float32 and records one input (which objects are numbers, their dtype, and
float16's ``x * c`` and ``x / c`` in float32: ``scalars.py``).
"""

from __future__ import annotations

import operator
from contextlib import nullcontext
from functools import partial
from typing import Any

import numpy as np

from ..errors import DTypeError, ShapeError, UsageError
from ..function import Function
from .generic import constant, log, where
from .scalars import half_with_number, is_scalar, number, weak_number

__all__ = ["broadcasting", "is_scalar", "number", "weak_number", "Add", "Sub", "Mul", "Div",
           "Neg", "Pow", "ScalarOp", "AddScalar", "SubScalar", "RSubScalar", "MulScalar",
           "DivScalar", "HalfMulScalar", "HalfDivScalar", "PowScalar", "RPowScalar",
           "quiet_at_poles"]


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
    """out = a / b;  da = g / b, db = -g a / b^2 = -g ((a / b) / b), PyTorch's order: 0 for
    a = 0 however small b is (where (g / b) (a / b) would give inf * 0 = NaN at b = 5e-324).
    As PyTorch's, it reads b, and a only for b's gradient: not out, which may be written
    in place since."""
    __slots__ = ()
    gradient_reads = ((1,), (0, 1))

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        with quiet_at_poles(b):
            return broadcasting("div", operator.truediv, a, b)

    def vjp(self, g: Any, out: Any, a: Any, b: Any) -> tuple:
        need_a, need_b = self.needs_input_grad
        with quiet_at_poles(constant(b)):
            ga = g / b if need_a else None
            gb = -(g * (a / b / b)) if need_b else None
        return ga, gb


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

    As PyTorch: da = 0 where b = 0 (no NaN from 0 * inf) at the a whose 1/a = a^(b-1) is
    not finite: 0, a subnormal (5e-324) and NaN (out = 1, as PyTorch's); db = 0 where
    a = 0 and b >= 0. The masks cover only those a, so second derivatives elsewhere stay
    exact (d/db of da at b = 0 is g / a)."""
    __slots__ = ()
    save_output = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        # a 0-d b counts as a number: np.power(t, -1) passes -1 as a 0-d tensor
        return power("pow", a, b, number_exponent=np.ndim(b) == 0)

    def vjp(self, g: Any, out: Any, a: Any, b: Any) -> tuple:
        ga = gb = None
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if self.needs_input_grad[0]:  # d/da a^0 = 0 where 1/a is inf or NaN
                flat = ~np.isfinite(1 / constant(a)) & (constant(b) == 0)
                ga = where(flat, 0.0, g * b * where(flat, 1.0, a) ** (b - 1))
            if self.needs_input_grad[1]:
                zero_base = (constant(a) == 0) & (constant(b) >= 0)
                base = where(zero_base, 1.0, a)
                if base.dtype != out.dtype:  # log in the result's precision, as PyTorch's
                    base = base.astype(out.dtype)  # (float16 a ** float32 b: float32)
                gb = where(zero_base, 0.0, g * out * log(base))
        return ga, gb


class ScalarOp(Function):
    """An op of one tensor and a Python number ``c`` (op state, not a graph input)."""
    __slots__ = ("c",)
    save_inputs = False

    def __init__(self, c: float) -> None:
        self.c = c


def with_number(function: Any, x: Any, c: int | float, reflected: bool = False) -> Any:
    """``function(x, c)`` (``function(c, x)`` if ``reflected``) with the number ``c`` weak
    (NEP 50: int8 with 3 is int8). An int that x's integer dtype cannot hold, where NumPy
    raises a bare OverflowError, is retried as ``weak_number`` gives it, an int64 (uint8 +
    -1 is int64, as ``//`` and ``%`` give; a 0-d array cannot overflow again). The
    +, -, * ops spell this out (a try costs nothing; a call per op cost the scalar chain
    5%: ``python -m benchmarks.versions`` chain 1.05-1.06x)."""
    try:
        return function(c, x) if reflected else function(x, c)
    except OverflowError:
        return with_number(function, x, weak_number(c, x.dtype), reflected)


def _subtract(a: Any, b: Any) -> Any:
    """a - b, naming NumPy's refusal of bool - bool (PyTorch refuses a bool on either
    side; checking each operand's dtype would cost a tenth of the op: NumPy's rule)."""
    try:
        return a - b
    except TypeError:
        refuse_bool("a - b", a, b)
        raise


class AddScalar(ScalarOp):
    """out = x + c;  dx = g."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        try:  # (the number is weak; one x's integer dtype cannot hold: see with_number)
            return x + self.c
        except OverflowError:
            return x + weak_number(self.c, x.dtype)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g,)


class SubScalar(ScalarOp):
    """out = x - c;  dx = g. (Not x + (-c): -1 does not fit a uint8 tensor's x - 1.)"""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        try:
            return _subtract(x, self.c)
        except OverflowError:
            return _subtract(x, weak_number(self.c, x.dtype))

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g,)


class RSubScalar(ScalarOp):
    """out = c - x;  dx = -g."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        try:
            return _subtract(self.c, x)
        except OverflowError:
            return _subtract(weak_number(self.c, x.dtype), x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (-g,)


class MulScalar(ScalarOp):
    """out = c x;  dx = c g."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        try:
            return x * self.c
        except OverflowError:
            return x * weak_number(self.c, x.dtype)

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


class HalfMulScalar(MulScalar):
    """``MulScalar`` of a float16 x, as PyTorch's half kernels compute it: out = c x and
    dx = c g in float32 with c, rounded once to float16 (``half_with_number``; NumPy would
    round c to float16 first: x * 1e-8 would be 0). Its own class, chosen where the op is
    made (``Tensor.__mul__``), so that the ops of other dtypes test nothing."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return half_with_number(operator.mul, x, self.c)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (half_with_number(operator.mul, g, self.c),)


class HalfDivScalar(DivScalar):
    """``DivScalar`` of a float16 x, as ``HalfMulScalar`` (x / 65535 is not 0)."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return half_with_number(operator.truediv, x, self.c)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (half_with_number(operator.truediv, g, self.c),)



class PowScalar(Function):
    """out = x ** p;  dx = g p x^(p-1)  (zero for p = 0). Written so for every p (x ** 1
    too), so the n-th derivative of x ** n stays connected to x and the next is zeros, as
    PyTorch's, rather than a constant that "does not require grad"."""
    __slots__ = ("p",)

    def __init__(self, p: float) -> None:
        self.p = p

    def forward(self, x: np.ndarray) -> np.ndarray:
        return with_number(_number_power, x, self.p)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        if self.p == 0:  # exactly 0, even where g is infinite
            everywhere = np.ones(np.shape(constant(g)), dtype=bool)
            return (where(everywhere, 0.0, g),)
        with quiet_at_poles(constant(x)):
            return (g * self.p * x ** (self.p - 1),)


def _number_power(x: np.ndarray, p: Any) -> np.ndarray:
    """x ** p for a number p (a negative int with an integer x is refused, as PyTorch).
    A bool x to an int p is int64 and to a bool p bool, as PyTorch's (NumPy gives int8
    for p = 2, which wraps at 128 in later sums)."""
    if x.dtype == np.bool_ and isinstance(p, bool):
        return x | (not p)  # x ** True is x, x ** False is True
    if x.dtype == np.bool_ and isinstance(p, int):
        x = x.astype(np.int64)
    return power("pow", x, p, number_exponent=True)


class RPowScalar(ScalarOp):
    """out = c ** x;  dx = g out log(c)."""
    __slots__ = ()
    save_output = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        return with_number(partial(power, "pow"), x, self.c, reflected=True)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        if self.c == 0:  # 0 ** x: as PyTorch, 0 where x >= 0 (where out is 0 or 1)
            with np.errstate(invalid="ignore"):
                return (where(np.isfinite(constant(out)), 0.0, g * out * -np.inf),)
        return (g * out * float(np.log(self.c)),)


def refuse_bool(expression: str, *arrays: Any) -> None:
    """NumPy refuses ``-`` on booleans; say so with a named error and the alternative."""
    if any(np.asarray(a).dtype == np.bool_ for a in arrays):
        raise DTypeError(f"{expression} is not defined for boolean tensors (NumPy and "
                         f"PyTorch refuse it too). Use ~x (not) or a ^ b (xor) on "
                         f"masks, or convert first: x.astype(float).")


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


def power(op: str, base: Any, exponent: Any, number_exponent: bool = False) -> np.ndarray:
    """``base ** exponent`` (broadcasting). Integers to negative integer powers, which
    NumPy refuses with a bare ValueError: PyTorch's ``integer_power`` for a tensor of
    exponents; for one number (``number_exponent``) a ``UsageError``, as PyTorch refuses
    it too, saying what to write."""
    try:
        with quiet_at_poles(base):  # 0 ** -1
            return broadcasting(op, operator.pow, base, exponent)
    except ValueError as exc:
        if "negative integer powers" not in str(exc):
            raise
    if not number_exponent:
        return integer_power(base, exponent)
    raise UsageError(f"{op}: an integer tensor to a negative integer number ({exponent}) "
                     f"has no integer result (PyTorch and NumPy refuse it too). Convert "
                     f"first, x.astype(np.float64) ** p, or use a float exponent "
                     f"(x ** -1.0).")


def integer_power(base: Any, exponent: Any) -> np.ndarray:
    """``base ** exponent`` for integers, negative exponents included, as PyTorch
    computes it: b^e for e >= 0; for e < 0, 1 / b^|e| truncated toward 0, which is 1 at
    b = 1, (-1)^e at b = -1 and 0 elsewhere (0 at b = 0 too, as PyTorch's)."""
    negative = exponent < 0
    result = base ** np.where(negative, 0, exponent)  # (b^0 = 1 where e < 0)
    odd = exponent % 2 == 1
    inverse = np.select([base == 1, (base == -1) & odd, base == -1], [1, -1, 1], 0)
    return np.where(negative, inverse, result).astype(result.dtype, copy=False)
