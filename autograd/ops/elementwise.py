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

from .._arrays import as_dtype
from ..errors import DTypeError, ShapeError, UsageError
from ..integer_scalars import clip_in_dtype
from ..function import Function, apply
from .arithmetic import broadcasting, number, weak_number
from .generic import constant, is_tensor, lift_like, where as generic_where

__all__ = ["as_float_input", "Exp", "Log", "Sqrt", "Abs", "Tanh", "Sigmoid", "Relu", "Maximum",
           "Minimum", "Where", "Clip", "ClampBounds", "clamp", "Astype", "PiecewiseLinear",
           "SlopeGrad", "slope_vjp"]


class Exp(Function):
    """out = e^x;  dx = g out."""
    __slots__ = ()
    save_inputs = False
    save_output = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.exp(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g * out,)


class Log(Function):
    """out = ln x;  dx = g / x."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        with np.errstate(divide="ignore"):  # log'(0) = inf, as IEEE
            return (g / x,)


class Sqrt(Function):
    """out = sqrt(x);  dx = g / (2 out)."""
    __slots__ = ()
    save_inputs = False
    save_output = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return np.sqrt(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        with np.errstate(divide="ignore"):
            return (g / (out * 2),)


class Abs(Function):
    """out = |x|;  dx = g sign(x), with abs'(0) = 0."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.abs(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        x = constant(x)
        if finite(g):
            return (g * np.sign(x),)
        zero_or_nan = np.where(np.isnan(x), x, _zero(g))  # abs'(NaN) is NaN for any g
        return (generic_where(x > 0, g, generic_where(x < 0, -g, zero_or_nan)),)


class Tanh(Function):
    """out = tanh x;  dx = g (1 - out^2)."""
    __slots__ = ()
    save_inputs = False
    save_output = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.tanh(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g * (1 - out * out),)


def as_float_input(x: Any) -> Any:
    """x, or a boolean x as float64 (the default float; ``np.logaddexp(0, x)`` gave it), or
    an unsigned one as the float NumPy gives it (uint8: float16): formulas that negate x
    (-|x|) cannot take them as they are (-|x| of uint8 wraps around to a large number)."""
    if x.dtype == np.bool_:
        return x.astype(np.float64)
    return x.astype(np.result_type(x.dtype, np.float16)) if x.dtype.kind == "u" else x


class Sigmoid(Function):
    """out = 1 / (1 + e^-x);  dx = g out (1 - out). Stable for any |x|: computed as
    e^min(x, 0) / (1 + e^-|x|), where neither exponential overflows."""
    __slots__ = ()
    save_inputs = False
    save_output = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        # the same values as np.where(x >= 0, 1 / (1 + e), e / (1 + e)), e = e^-|x|,
        # 1.5-6x faster: a select on a mask whose sign is random is slow in NumPy
        x = as_float_input(x)
        out = np.exp(np.minimum(x, 0))
        denominator = np.exp(-np.abs(x))
        denominator += 1
        out /= denominator
        return out

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g * out * (1 - out),)


class Relu(Function):
    """out = max(x, 0);  dx = g [out > 0] (= [x > 0]), so relu'(0) = 0. It reads out, as
    PyTorch's, so x may be written in place after."""
    __slots__ = ()
    save_inputs, save_output = False, True

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.maximum(x, 0)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (slope_vjp(g, out, constant(out) > 0),)


class PiecewiseLinear(Function):
    """out = ``value``, computed by the caller from x's array (leaky_relu, hardtanh...);
    dx = g ``slope``, the op's constant local slope at each element (see ``slope_vjp``)."""
    __slots__ = ("value", "slope")
    save_inputs = False

    def __init__(self, value: np.ndarray, slope: np.ndarray) -> None:
        self.value, self.slope = value, slope

    def forward(self, x: np.ndarray) -> np.ndarray:
        return self.value

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (slope_vjp(g, x, self.slope),)


def slope_vjp(g: Any, x: Any, slope: np.ndarray) -> Any:
    """dx = g slope for an op piecewise linear in x (``slope`` a constant boolean mask or
    array, exactly 0 where it is 0 even for an infinite g). Under ``create_graph`` (x a
    Tensor that requires grad) the result is recorded as ``SlopeGrad``, a function of x
    too, with derivative 0: as in PyTorch, the gradient's graph reaches x, so a second
    derivative with respect to x is 0 rather than "x is not used"."""
    if is_tensor(x) and x.requires_grad:
        return apply(SlopeGrad(slope), lift_like(x, g), x)
    return _scaled(g, slope)


class SlopeGrad(Function):
    """out = g slope, the gradient of a piecewise-linear op at x (``slope_vjp``);
    dg = gg slope, dx = 0 (x is an input so that the graph reaches it)."""
    __slots__ = ("slope", "shape")
    save_inputs = False

    def __init__(self, slope: np.ndarray) -> None:
        self.slope = slope

    def forward(self, g: np.ndarray, x: np.ndarray) -> np.ndarray:
        self.shape = x.shape
        return _scaled(g, self.slope)

    def vjp(self, gg: Any, out: Any, g: Any, x: Any) -> tuple:
        need_g, need_x = self.needs_input_grad
        return (_scaled(gg, self.slope) if need_g else None,
                np.zeros(self.shape, constant(gg).dtype) if need_x else None)


def _scaled(g: Any, slope: np.ndarray) -> Any:
    """g slope, exactly 0 where slope is 0 (also where g is infinite)."""
    if slope.dtype == bool:
        return masked(g, slope)
    return g * slope if finite(g) else generic_where(slope != 0, g * slope, _zero(g))


class Maximum(Function):
    """out = max(a, b) elementwise; the larger input gets g, ties split it evenly, and
    where a or b is NaN both get g (as PyTorch; see ``_split``)."""
    __slots__ = ()
    save_output = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return broadcasting("maximum", np.maximum, a, b)

    def vjp(self, g: Any, out: Any, a: Any, b: Any) -> tuple:
        return _split(g, constant(a), constant(b), np.greater, self.needs_input_grad)


class Minimum(Function):
    """out = min(a, b) elementwise; the smaller input gets g, ties split it evenly, and
    where a or b is NaN both get g (as PyTorch; see ``_split``)."""
    __slots__ = ()
    save_output = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return broadcasting("minimum", np.minimum, a, b)

    def vjp(self, g: Any, out: Any, a: Any, b: Any) -> tuple:
        return _split(g, constant(a), constant(b), np.less, self.needs_input_grad)


def _zero(g: Any) -> np.ndarray:
    """A 0-d zero of g's dtype (the value a mask selects for the inactive side)."""
    return np.zeros((), dtype=constant(g).dtype)


def finite(g: Any) -> bool:
    """True when g is an array without inf or NaN. Then multiplying by a 0/1 mask is
    exact, and three times faster than selecting; an infinite g needs the selection, since
    inf * 0 is NaN. (``np.isfinite(g).all()`` rather than "the sum is finite": as fast or
    faster from a few thousand float32 elements up, and no RuntimeWarning when g holds
    both +inf and -inf, whose sum NumPy reports as an invalid value.)"""
    return not is_tensor(g) and bool(np.isfinite(g).all())


def masked(g: Any, keep: np.ndarray) -> Any:
    """g where ``keep``, exactly 0 elsewhere (also where g is infinite)."""
    return g * keep if finite(g) else generic_where(keep, g, _zero(g))


def _split(g: Any, a: np.ndarray, b: np.ndarray, wins: Any, needs: tuple) -> tuple:
    """g to the winner of each element, g / 2 to both on ties, exactly 0 to the loser
    (None for an input that needs no gradient). Each side's share is 1 - [other wins] -
    [tie] / 2, as PyTorch's: where a or b is NaN nobody wins or ties, so both get all of
    g (the NaN result depends on either input)."""
    return (_share(g, a, b, wins) if needs[0] else None,
            _share(g, b, a, wins) if needs[1] else None)


def _share(g: Any, mine: np.ndarray, other: np.ndarray, wins: Any) -> Any:
    """g times 1 - [other wins] - [tie] / 2, the share of ``mine`` in ``_split``."""
    loses, tie = wins(other, mine), mine == other
    if finite(g):
        return g * (1 - loses - 0.5 * tie).astype(constant(g).dtype, copy=False)
    return generic_where(loses, _zero(g), generic_where(tie, g * 0.5, g))


class Where(Function):
    """out = a where condition else b;  da = g [condition], db = g [not condition].

    The condition is a constant boolean array (op state), never differentiated."""
    __slots__ = ("condition",)
    save_inputs = False

    def __init__(self, condition: Any) -> None:
        self.condition = np.asarray(constant(condition))
        if self.condition.dtype != bool:
            raise DTypeError(f"where: condition must be boolean; got dtype "
                             f"{self.condition.dtype}. Compare first, e.g. where(x > 0, a, b).")

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return broadcasting("where", np.where, self.condition, a, b)

    def vjp(self, g: Any, out: Any, a: Any, b: Any) -> tuple:
        need_a, need_b = self.needs_input_grad
        return (masked(g, self.condition) if need_a else None,
                masked(g, ~self.condition) if need_b else None)


class Clip(Function):
    """out = min(max(x, lo), hi);  dx = g [lo <= x <= hi] (gradient passes at the bounds).
    Constant bounds (``clamp`` gives bounds that require grad to ``ClampBounds``)."""
    __slots__ = ("lo", "hi")

    def __init__(self, lo: Any, hi: Any) -> None:
        if lo is None and hi is None:
            raise UsageError("clip: give at least one of lo and hi")
        self.lo, self.hi = lo, hi  # None, Python numbers or arrays (see _bound)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.lo, self.hi = _bound(self.lo, x), _bound(self.hi, x)
        return clip_in_dtype(x, self.lo, self.hi)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        x = constant(x)
        inside = np.ones(x.shape, dtype=bool)
        if self.lo is not None:
            inside &= x >= self.lo
        if self.hi is not None:
            inside &= x <= self.hi
        return (masked(g, inside),)


class ClampBounds(Function):
    """out = min(max(x, lo), hi) with tensor bounds that are inputs (``clamp`` below), as
    PyTorch's clamp, differentiable in all three (the result is hi where lo > hi):
    dx = g [lo <= x <= hi],  dlo = g [x < lo and lo < hi],  dhi = g [x > hi or hi < lo]
    (with one bound: dlo = g [x < lo], dhi = g [x > hi]); a tie x = lo or x = hi sends g
    to x. ``has`` says which of (lo, hi) the inputs after x are."""
    __slots__ = ("has",)

    def __init__(self, has_lo: bool, has_hi: bool) -> None:
        self.has = (has_lo, has_hi)

    def _bounds(self, bounds: tuple) -> tuple:
        """(lo, hi) from the inputs after x, None for an absent bound."""
        given = iter(bounds)
        return tuple(next(given) if has else None for has in self.has)

    def forward(self, x: np.ndarray, *bounds: np.ndarray) -> np.ndarray:
        lo, hi = self._bounds(bounds)
        return broadcasting("clamp", np.clip, x, lo, hi)

    def vjp(self, g: Any, out: Any, x: Any, *bounds: Any) -> tuple:
        x = constant(x)
        lo, hi = self._bounds(tuple(constant(b) for b in bounds))
        with np.errstate(invalid="ignore"):  # NaN compares False: no gradient through it
            inside = (True if lo is None else x >= lo) & (True if hi is None else x <= hi)
            grads = [masked(g, inside) if self.needs_input_grad[0] else None]
            if lo is not None:
                grads.append(masked(g, (x < lo) & (True if hi is None else lo < hi)))
            if hi is not None:
                grads.append(masked(g, (x > hi) | (False if lo is None else hi < lo)))
        return tuple(grads)


def clamp(x: Any, lo: Any, hi: Any) -> Any:
    """x limited to [lo, hi], as PyTorch's clamp: the constant-bound ``Clip``, unless a
    bound is a tensor that requires grad; then ``ClampBounds``, with the bounds as inputs
    so their gradients flow. Both give PyTorch's dtype: a dimensioned bound promotes (float16
    x with a float32 one: float32), a number or a 0-d bound beside a dimensioned float x
    takes x's dtype (``_bound``, ``_bound_input``)."""
    if not any(getattr(b, "requires_grad", False) for b in (lo, hi)):
        return apply(Clip(lo, hi), x)
    bounds = [_bound_input(b, x) for b in (lo, hi) if b is not None]
    return apply(ClampBounds(lo is not None, hi is not None), x, *bounds)


def _bound_input(bound: Any, x: Any) -> Any:
    """A bound as an input of ``ClampBounds``: a number weak beside x, as NumPy's (float32
    x with 0.5: float32); a 0-d tensor beside a dimensioned float x cast to x's dtype
    (differentiably), as ``Clip`` takes it; a tensor otherwise as it is."""
    if not is_tensor(bound):
        value = number(bound)
        return lift_like(x, np.asarray(bound) if value is None else weak_number(value, x.dtype))
    if bound.ndim == 0 and x.ndim and x.dtype.kind == "f" and bound.dtype != x.dtype:
        return bound.astype(x.dtype)
    return bound


class Astype(Function):
    """out = x converted to ``dtype``;  dx = g converted back to x's dtype. Non-finite
    floats cast to integers without a warning, as in PyTorch (the value is the platform's,
    e.g. T5's bucket function casts ``log(0)`` and discards it)."""
    __slots__ = ("dtype", "source")
    save_inputs = False

    def __init__(self, dtype: Any, requires_grad: bool = False) -> None:
        self.dtype = as_dtype(dtype, "astype")
        if requires_grad and self.dtype.kind != "f":
            raise DTypeError(f"astype({self.dtype}) of a tensor that requires grad: the "
                             f"result could not carry a gradient. Use "
                             f"x.detach().astype({self.dtype}).")

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.source = x.dtype
        if x.dtype.kind == "f" and self.dtype.kind in "iu":  # inf/nan: no warning, as PyTorch
            with np.errstate(invalid="ignore"):
                return x.astype(self.dtype)
        return x.astype(self.dtype)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g.astype(self.source),)


def _bound(bound: Any, x: np.ndarray) -> Any:
    """A clip bound as a Python number (weak: a float32 x stays float32; so is a 0-d bound
    beside a dimensioned x) or as an array, which promotes x's dtype as PyTorch's
    dimensioned bound does; None stays None."""
    if bound is None or (value := number(bound)) is not None:
        return bound if bound is None else value
    array = np.asarray(constant(bound))
    if array.dtype.kind not in "biuf":
        raise DTypeError(f"clip: bounds must be numbers, arrays of numbers or None; got "
                         f"{bound!r} ({array.dtype}). Pass e.g. clip(x, -1.0, 1.0).")
    if array.ndim == 0 and x.ndim:
        return array.item()
    try:
        np.broadcast_shapes(array.shape, x.shape)
    except ValueError:
        raise ShapeError(f"clip: a bound of shape {array.shape} does not broadcast with the "
                         f"input's shape {x.shape}") from None
    return array
