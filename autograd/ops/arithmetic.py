"""``+ - * / **`` and negation. Addition distributes the gradient unchanged to its inputs.

Python numbers are op state (``AddScalar(2.0)``), not graph inputs, so ``x * 2`` keeps a
float32 graph float32 and records one input.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import DTypeError, ShapeError
from ..function import Function, apply
from ..tensor import Tensor, as_tensor
from .generic import constant, log, where

__all__ = ["add", "sub", "mul", "div", "neg", "pow", "check_broadcast", "is_scalar", "number",
           "Add", "Sub", "Mul", "Div", "Neg", "Pow",
           "AddScalar", "MulScalar", "DivScalar", "PowScalar", "RPowScalar"]


class Add(Function):
    """out = a + b;  da = g, db = g: addition distributes the gradient unchanged."""
    __slots__ = ()
    save_inputs = False

    def forward(self, a, b):
        return a + b

    def vjp(self, g, out, a, b):
        return g, g


class Sub(Function):
    """out = a - b;  da = g, db = -g."""
    __slots__ = ()
    save_inputs = False

    def forward(self, a, b):
        return a - b

    def vjp(self, g, out, a, b):
        return g, -g


class Mul(Function):
    """out = a * b;  da = g * b, db = g * a: each input gets the other one."""
    __slots__ = ()
    fresh_grads = True  # both are new products

    def forward(self, a, b):
        return a * b

    def vjp(self, g, out, a, b):
        return g * b, g * a


class Div(Function):
    """out = a / b;  da = g / b, db = -g a / b^2 = -(g / b) * out."""
    __slots__ = ()
    save_output = True

    def forward(self, a, b):
        return a / b

    def vjp(self, g, out, a, b):
        ga = g / b
        return ga, -ga * out


class Neg(Function):
    """out = -x;  dx = -g."""
    __slots__ = ()
    exact_grads = True
    save_inputs = False

    def forward(self, x):
        return -x

    def vjp(self, g, out, x):
        return (-g,)


class Pow(Function):
    """out = a ** b (both tensors);  da = g b a^(b-1), db = g out ln a.

    At a = 0, as PyTorch: da = 0 where b = 0, db = 0 where b >= 0 (no NaN from 0 * inf);
    the masks cover only a = 0, so second derivatives elsewhere stay exact."""
    __slots__ = ()
    save_output = True

    def forward(self, a, b):
        return a ** b

    def vjp(self, g, out, a, b):
        ga = gb = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.needs_input_grad[0]:
                flat = (constant(a) == 0) & (constant(b) == 0)  # d/da a^0 = 0 at a = 0
                ga = where(flat, 0.0, g * b * where(flat, 1.0, a) ** (b - 1))
            if self.needs_input_grad[1]:
                zero_base = (constant(a) == 0) & (constant(b) >= 0)
                gb = where(zero_base, 0.0, g * out * log(where(zero_base, 1.0, a)))
        return ga, gb


class AddScalar(Function):
    """out = x + c;  dx = g."""
    __slots__ = ("c",)
    exact_grads = True
    save_inputs = False

    def __init__(self, c: float) -> None:
        self.c = c

    def forward(self, x):
        return x + self.c

    def vjp(self, g, out, x):
        return (g,)


class MulScalar(Function):
    """out = c x;  dx = c g."""
    __slots__ = ("c",)
    exact_grads = True
    save_inputs = False

    def __init__(self, c: float) -> None:
        self.c = c

    def forward(self, x):
        return x * self.c

    def vjp(self, g, out, x):
        return (g * self.c,)


class DivScalar(Function):
    """out = x / c;  dx = g / c."""
    __slots__ = ("c",)
    exact_grads = True
    save_inputs = False

    def __init__(self, c: float) -> None:
        self.c = c

    def forward(self, x):
        return x / self.c

    def vjp(self, g, out, x):
        return (g / self.c,)


class PowScalar(Function):
    """out = x ** p;  dx = g p x^(p-1)  (zero for p = 0)."""
    __slots__ = ("p",)
    exact_grads = True

    def __init__(self, p: float) -> None:
        self.p = p

    def forward(self, x):
        return x ** self.p

    def vjp(self, g, out, x):
        if self.p == 0:  # exactly 0, even where g is infinite
            everywhere = np.ones(np.shape(constant(g)), dtype=bool)
            return (where(everywhere, 0.0, g),)
        if self.p == 2:
            return (g * 2 * x,)
        return (g * self.p * x ** (self.p - 1),)


class RPowScalar(Function):
    """out = c ** x;  dx = g out log(c)."""
    __slots__ = ("c",)
    exact_grads = True
    save_inputs = False
    save_output = True

    def __init__(self, c: float) -> None:
        self.c = c

    def forward(self, x):
        return self.c ** x

    def vjp(self, g, out, x):
        if self.c == 0:  # 0 ** x: as PyTorch, 0 where x >= 0 (where out is 0 or 1)
            with np.errstate(invalid="ignore"):
                return (where(np.isfinite(constant(out)), 0.0, g * out * -np.inf),)
        return (g * out * float(np.log(self.c)),)


def number(x: Any) -> int | float | None:
    """``x`` as a Python number if it is a real number, else None. NumPy scalars become
    Python numbers, so they are weak like Python's: ``x32 * np.float64(2)`` stays float32."""
    if type(x) is float or type(x) is int:
        return x
    if isinstance(x, (complex, np.complexfloating)):
        raise DTypeError(f"complex numbers are not supported; got {x!r}")
    if isinstance(x, (np.number, np.bool_)):  # before float: np.float64 subclasses it
        return x.item()
    if isinstance(x, (int, float)):
        return x
    return None


def is_scalar(x: Any) -> bool:
    """A real Python or NumPy number (kept as op state, never a graph input)."""
    return number(x) is not None


def check_broadcast(op: str, *tensors: Tensor) -> None:
    """Raise ``ShapeError`` naming ``op`` when the shapes cannot broadcast together."""
    shapes = [t._data.shape for t in tensors]
    if all(s == shapes[0] for s in shapes):
        return
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        listed = " and ".join(str(s) for s in shapes)
        raise ShapeError(
            f"{op}: shapes {listed} cannot broadcast (trailing axes must be equal or 1). "
            f"Reshape or add an axis (x[:, None]) so they line up.") from None


def _binary(op: Function, name: str, a: Any, b: Any) -> Tensor:
    a, b = as_tensor(a), as_tensor(b)
    if a._data.shape != b._data.shape:
        check_broadcast(name, a, b)
    return apply(op, a, b)


def add(a: Any, b: Any) -> Tensor:
    """a + b, broadcasting as NumPy."""
    if isinstance(a, Tensor) and (c := number(b)) is not None:
        return apply(AddScalar(c), a)
    if isinstance(b, Tensor) and (c := number(a)) is not None:
        return apply(AddScalar(c), b)
    return _binary(Add(), "add", a, b)


def sub(a: Any, b: Any) -> Tensor:
    """a - b."""
    _refuse_bool("a - b", a, b)
    if isinstance(a, Tensor) and (c := number(b)) is not None:
        return apply(AddScalar(-c), a)
    if isinstance(b, Tensor) and (c := number(a)) is not None:
        return apply(AddScalar(c), apply(Neg(), b))
    return _binary(Sub(), "sub", a, b)


def mul(a: Any, b: Any) -> Tensor:
    """a * b (elementwise)."""
    if isinstance(a, Tensor) and (c := number(b)) is not None:
        return apply(MulScalar(c), a)
    if isinstance(b, Tensor) and (c := number(a)) is not None:
        return apply(MulScalar(c), b)
    return _binary(Mul(), "mul", a, b)


def div(a: Any, b: Any) -> Tensor:
    """a / b (true division)."""
    if isinstance(a, Tensor) and (c := number(b)) is not None:
        return apply(DivScalar(c), a)
    if isinstance(b, Tensor) and (c := number(a)) is not None:
        return apply(MulScalar(c), apply(PowScalar(-1), b))
    return _binary(Div(), "div", a, b)


def neg(x: Any) -> Tensor:
    """-x."""
    x = as_tensor(x)
    _refuse_bool("-x", x)
    return apply(Neg(), x)


def _refuse_bool(expression: str, *operands: Any) -> None:
    """NumPy refuses ``-`` on booleans; say so with a named error and the alternative."""
    if any(isinstance(t, Tensor) and t.dtype == np.bool_ for t in operands):
        raise DTypeError(f"{expression} is not defined for boolean tensors (NumPy and "
                         f"PyTorch refuse it too). Use np.logical_not(x.data) or "
                         f"np.logical_xor(a.data, b.data), or convert first: x.astype(float).")


def pow(a: Any, b: Any) -> Tensor:  # noqa: A001 (mirrors operator.pow)
    """a ** b; a number exponent (or base) is op state."""
    if isinstance(a, Tensor) and (c := number(b)) is not None:
        return apply(PowScalar(c), a)
    if isinstance(b, Tensor) and (c := number(a)) is not None:
        return apply(RPowScalar(c), b)
    return _binary(Pow(), "pow", a, b)
