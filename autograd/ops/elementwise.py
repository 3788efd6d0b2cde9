"""Elementwise functions of one tensor, plus maximum/minimum/where/clip/astype/compare.

Conventions at kinks (tested exactly): relu'(0) = 0, abs'(0) = 0, maximum/minimum split
the gradient evenly on ties, clip passes the gradient at its bounds; sqrt and log at 0
follow IEEE (inf) rather than raising. Masks select (``where``) rather than multiply, so
the inactive side gets exactly 0 even when the upstream gradient is infinite (as PyTorch:
``relu(x).sqrt()`` at x = 0 has gradient 0, not NaN).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import DTypeError
from ..function import Function, apply, apply1
from ..tensor import Tensor, as_tensor
from .arithmetic import check_broadcast, is_scalar, number
from .generic import constant, where as generic_where

__all__ = ["exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "maximum", "minimum",
           "where", "clip", "astype", "compare",
           "Exp", "Log", "Sqrt", "Abs", "Tanh", "Sigmoid", "Relu", "Maximum", "Minimum",
           "Where", "Clip", "Astype"]


class Exp(Function):
    """out = e^x;  dx = g out."""
    __slots__ = ()
    exact_grads = True
    save_inputs = False
    save_output = True

    def forward(self, x):
        return np.exp(x)

    def vjp(self, g, out, x):
        return (g * out,)


class Log(Function):
    """out = ln x;  dx = g / x."""
    __slots__ = ()
    exact_grads = True

    def forward(self, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x)

    def vjp(self, g, out, x):
        with np.errstate(divide="ignore"):  # log'(0) = inf, as IEEE
            return (g / x,)


class Sqrt(Function):
    """out = sqrt(x);  dx = g / (2 out)."""
    __slots__ = ()
    exact_grads = True
    save_inputs = False
    save_output = True

    def forward(self, x):
        with np.errstate(invalid="ignore"):
            return np.sqrt(x)

    def vjp(self, g, out, x):
        with np.errstate(divide="ignore"):
            return (g / (out * 2),)


class Abs(Function):
    """out = |x|;  dx = g sign(x), with abs'(0) = 0."""
    __slots__ = ()
    exact_grads = True

    def forward(self, x):
        return np.abs(x)

    def vjp(self, g, out, x):
        x = constant(x)
        return (generic_where(x > 0, g, generic_where(x < 0, -g, _zero(g))),)


class Tanh(Function):
    """out = tanh x;  dx = g (1 - out^2)."""
    __slots__ = ()
    exact_grads = True
    save_inputs = False
    save_output = True

    def forward(self, x):
        return np.tanh(x)

    def vjp(self, g, out, x):
        return (g * (1 - out * out),)


class Sigmoid(Function):
    """out = 1 / (1 + e^-x);  dx = g out (1 - out). Stable for any |x|."""
    __slots__ = ()
    exact_grads = True
    save_inputs = False
    save_output = True

    def forward(self, x):
        e = np.exp(-np.abs(x))  # never overflows
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e))

    def vjp(self, g, out, x):
        return (g * out * (1 - out),)


class Relu(Function):
    """out = max(x, 0);  dx = g [x > 0], so relu'(0) = 0."""
    __slots__ = ()
    exact_grads = True

    def forward(self, x):
        return np.maximum(x, 0)

    def vjp(self, g, out, x):
        return (generic_where(constant(x) > 0, g, _zero(g)),)


class Maximum(Function):
    """out = max(a, b) elementwise; the larger input gets g, ties split it evenly."""
    __slots__ = ()
    save_output = True

    def forward(self, a, b):
        return np.maximum(a, b)

    def vjp(self, g, out, a, b):
        return _split(g, constant(a), constant(b), np.greater)


class Minimum(Function):
    """out = min(a, b) elementwise; the smaller input gets g, ties split it evenly."""
    __slots__ = ()
    save_output = True

    def forward(self, a, b):
        return np.minimum(a, b)

    def vjp(self, g, out, a, b):
        return _split(g, constant(a), constant(b), np.less)


def _zero(g: Any) -> np.ndarray:
    """A 0-d zero of g's dtype (the value a mask selects for the inactive side)."""
    return np.zeros((), dtype=constant(g).dtype)


def _split(g: Any, a: np.ndarray, b: np.ndarray, wins: Any) -> tuple[Any, Any]:
    """g to the winner of each element, g / 2 to both on ties, exactly 0 to the loser."""
    zero, tie = _zero(g), a == b
    half = generic_where(tie, g * 0.5, zero)
    return generic_where(wins(a, b), g, half), generic_where(wins(b, a), g, half)


class Where(Function):
    """out = a where condition else b;  da = g [condition], db = g [not condition].

    The condition is a constant boolean array (op state), never differentiated."""
    __slots__ = ("condition",)
    save_inputs = False

    def __init__(self, condition: np.ndarray) -> None:
        self.condition = condition

    def forward(self, a, b):
        return np.where(self.condition, a, b)

    def vjp(self, g, out, a, b):
        zero = np.zeros((), dtype=constant(g).dtype)
        return (generic_where(self.condition, g, zero),
                generic_where(self.condition, zero, g))


class Clip(Function):
    """out = min(max(x, lo), hi);  dx = g [lo <= x <= hi] (gradient passes at the bounds)."""
    __slots__ = ("lo", "hi")

    def __init__(self, lo: Any, hi: Any) -> None:
        self.lo, self.hi = lo, hi  # None, Python numbers or arrays (see clip())

    def forward(self, x):
        return np.clip(x, self.lo, self.hi)

    def vjp(self, g, out, x):
        x = constant(x)
        inside = np.ones(x.shape, dtype=bool)
        if self.lo is not None:
            inside &= x >= self.lo
        if self.hi is not None:
            inside &= x <= self.hi
        return (generic_where(inside, g, _zero(g)),)


class Astype(Function):
    """out = x converted to ``dtype``;  dx = g converted back to x's dtype."""
    __slots__ = ("dtype", "source")
    save_inputs = False

    def __init__(self, dtype: Any) -> None:
        self.dtype = np.dtype(dtype)

    def forward(self, x):
        self.source = x.dtype
        return x.astype(self.dtype)

    def vjp(self, g, out, x):
        return (g.astype(self.source),)


def _unary(op_class: type) -> Any:
    def run(x: Any) -> Tensor:
        return apply1(op_class(), x if isinstance(x, Tensor) else Tensor(x))
    run.__name__ = op_class.__name__.lower()
    run.__doc__ = op_class.__doc__
    return run


exp = _unary(Exp)
log = _unary(Log)
sqrt = _unary(Sqrt)
abs = _unary(Abs)  # noqa: A001 (mirrors numpy.abs)
tanh = _unary(Tanh)
sigmoid = _unary(Sigmoid)
relu = _unary(Relu)


def _pair(a: Any, b: Any, name: str) -> tuple[Tensor, Tensor]:
    """Two tensors; a Python number takes the other operand's dtype."""
    if is_scalar(a) and isinstance(b, Tensor):
        a = np.asarray(a, dtype=b.dtype if b.dtype.kind == "f" else None)
    if is_scalar(b) and isinstance(a, Tensor):
        b = np.asarray(b, dtype=a.dtype if a.dtype.kind == "f" else None)
    a, b = as_tensor(a), as_tensor(b)
    check_broadcast(name, a, b)
    return a, b


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise max(a, b); ties split the gradient evenly."""
    return apply(Maximum(), *_pair(a, b, "maximum"))


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise min(a, b); ties split the gradient evenly."""
    return apply(Minimum(), *_pair(a, b, "minimum"))


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """``a`` where ``condition`` holds, else ``b`` (condition is a constant mask)."""
    cond = np.asarray(constant(condition))
    if cond.dtype != bool:
        raise DTypeError(f"where: condition must be boolean; got dtype {cond.dtype}. "
                         f"Compare first, e.g. where(x > 0, a, b).")
    a, b = _pair(a, b, "where")
    check_broadcast("where", Tensor._make(cond, None), a, b)
    return apply(Where(cond), a, b)


def clip(x: Any, lo: Any = None, hi: Any = None) -> Tensor:
    """Limit values to [lo, hi] (either bound may be None)."""
    if lo is None and hi is None:
        raise ValueError("clip: give at least one of lo and hi")
    for name, bound in (("lo", lo), ("hi", hi)):
        if isinstance(bound, Tensor) and bound.requires_grad:
            raise DTypeError(f"clip: the bound {name} requires grad, but clip's bounds are "
                             f"constants. Use maximum(x, lo) / minimum(x, hi) for bounds "
                             f"that need a gradient.")
    x = as_tensor(x)
    return apply(Clip(_bound(lo, x), _bound(hi, x)), x)


def _bound(bound: Any, x: Tensor) -> Any:
    """A clip bound as a Python number (weak: a float32 x stays float32) or as an array
    in x's float dtype; None stays None."""
    if bound is None or (value := number(bound)) is not None:
        return bound if bound is None else value
    array = np.asarray(constant(bound))
    if array.dtype.kind not in "biuf":
        raise DTypeError(f"clip: bounds must be numbers, arrays of numbers or None; got "
                         f"{bound!r} ({array.dtype}). Pass e.g. clip(x, -1.0, 1.0).")
    if array.ndim == 0:
        return array.item()
    return array.astype(x.dtype) if x.dtype.kind == "f" else array


def astype(x: Any, dtype: Any) -> Tensor:
    """x converted to ``dtype`` (differentiable between float dtypes)."""
    x = as_tensor(x)
    dtype = np.dtype(dtype)
    if x.requires_grad and dtype.kind != "f":
        raise DTypeError(f"astype({dtype}) of a tensor that requires grad: the result could "
                         f"not carry a gradient. Use x.detach().astype({dtype}).")
    return apply(Astype(dtype), x)


def compare(ufunc: Any, a: Any, b: Any) -> Tensor:
    """A comparison as a constant boolean tensor (never differentiated)."""
    a_data = a._data if isinstance(a, Tensor) else a
    b_data = b._data if isinstance(b, Tensor) else b
    return Tensor._make(np.asarray(ufunc(a_data, b_data)), None)
