"""Ranges of numbers: ``arange``, ``linspace`` and ``logspace``, with PyTorch's signatures
(``autograd.creation`` re-exports them).

Their bounds (and ``logspace``'s base) are numbers or 0-d tensors. The bounds must be
finite: NaN or inf is a ``UsageError`` (PyTorch refuses them in ``arange`` and gives NaN
garbage in ``linspace``). The dtype is a number type: bool is a ``DTypeError``, as
PyTorch's "not implemented for 'Bool'". For an integer dtype PyTorch truncates the bounds
to integers first; a value the dtype cannot hold is a ``DTypeError`` (PyTorch wraps it).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._arrays import check_representable, count_argument, numeric
from ._creation_common import allocated, dtype_or_float64, new_leaf
from .errors import DTypeError, ShapeError, UsageError
from .out_argument import creation_with_out
from .tensor import Tensor

__all__ = ["arange", "linspace", "logspace"]


def _range_number(value: Any, name: str, op: str) -> int | float:
    """One number of ``arange``/``linspace``/``logspace`` as a Python number (a 0-d tensor
    too)."""
    array = numeric(value, f"{op}: {name}")
    if array.ndim != 0:
        raise UsageError(f"{op}: {name} is one number; got shape {array.shape}")
    return array.item()


def _finite_bounds(start: Any, end: Any, op: str) -> tuple[int | float, int | float]:
    """``start`` and ``end`` as Python numbers (``_range_number``); a UsageError unless
    both are finite."""
    start, end = (_range_number(x, name, op) for x, name in ((start, "start"), (end, "end")))
    if not (math.isfinite(start) and math.isfinite(end)):
        raise UsageError(f"{op}: the bounds must be finite; got {start!r} -> {end!r}")
    return start, end


def _number_dtype(dtype: Any, op: str, mask: str) -> np.dtype:
    """``dtype`` (float64 for None); a DTypeError for bool, which PyTorch's ranges do not
    make (``mask`` shows how to make one from the numbers)."""
    dtype = dtype_or_float64(dtype)
    if dtype == np.bool_:
        raise DTypeError(f"{op} makes numbers, not bools, as PyTorch's; for a mask write "
                         f"{mask} (or .bool())")
    return dtype


def _integer_bounds(start: float, end: float, dtype: np.dtype, op: str) -> tuple[int, int]:
    """``start`` and ``end`` as PyTorch's integer ``linspace`` and ``logspace`` read them:
    truncated toward 0, each a number ``dtype`` holds (else a DTypeError)."""
    check_representable([start, end], dtype, op)
    return math.trunc(start), math.trunc(end)


def _arange_count(start: float, end: float, step: float, dtype: np.dtype) -> int:
    """How many values ``arange`` gives, as PyTorch counts them: ceil((end - start) /
    step) in float64 of the numbers as given; for int64, of the numbers truncated to
    integers, exactly (so ``arange(2.5)`` has 3 values in int32 and 2 in int64). A step
    that truncates to 0 is an error in every integer dtype (PyTorch's in int64; in the
    others it repeats start)."""
    if not (step > 0 or step < 0):
        raise UsageError(f"arange: step must be nonzero; got {step!r}")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise UsageError(f"arange: the bounds {start!r} -> {end!r} and the step {step!r} "
                         f"disagree in sign; swap the bounds or negate the step")
    if dtype.kind in "iu" and math.trunc(step) == 0:
        raise UsageError(f"arange: step {step!r} is 0 as an integer, the step of a {dtype} "
                         f"arange; pass a whole step (or a float dtype)")
    if dtype == np.int64:
        first, last, stride = (math.trunc(x) for x in (start, end, step))
        return -((first - last) // stride)  # exact ceil((last - first) / stride)
    count = (end - start) / step  # (inf for 1e300 / 1e-300)
    if count > np.iinfo(np.int64).max:
        raise ShapeError(f"arange: {start!r} -> {end!r} by {step!r} is {count:.3g} values, "
                         f"more than an int64 can count; use a larger step")
    return math.ceil(count)


def _arange_bounds(start: Any, end: Any) -> tuple[Any, Any]:
    """(start, end) of PyTorch's call forms ``arange(end)``, ``arange(end=e)`` and
    ``arange(start, end)``; start is 0 when only one bound is given."""
    if start is None and end is None:
        raise UsageError("arange: give the end, as arange(5), arange(end=5) or "
                         "arange(0, 5)")
    if end is None:
        return 0, start
    return (0 if start is None else start), end


@creation_with_out
def arange(start: float | None = None, end: float | None = None, step: float = 1,
           dtype: Any = None, requires_grad: bool = False, *, device: Any = None) -> Tensor:
    """The values start + i * step, for i = 0, 1, ... while below ``end`` (above it for a
    negative step): ``_arange_count`` of them (start 0 when one bound is given, as
    ``arange(5)`` or PyTorch's ``arange(end=5)``). Without ``dtype`` they are int64 if
    all three are ints, else float64. For an integer dtype PyTorch truncates start and
    step to integers first: ``arange(-0.5, 5, dtype=int16)`` is 0..5, and ``arange(0, 3,
    0.5, dtype=int64)`` has step 0, an error; values the dtype cannot hold are a
    DTypeError (PyTorch wraps them)."""
    start, end = _finite_bounds(*_arange_bounds(start, end), "arange")
    step = _range_number(step, "step", "arange")
    if dtype is None:
        dtype = np.int64 if all(isinstance(x, int) for x in (start, end, step)) else np.float64
    dtype = _number_dtype(dtype, "arange", "arange(n) < k")
    if dtype.kind in "iu":
        check_representable([start, end, step], np.dtype(np.int64), "arange")
    count = _arange_count(start, end, step, dtype)
    index = allocated("arange", (count,), dtype, lambda: np.arange(count))
    if dtype.kind in "iu" and count > 0:  # in int64, as PyTorch
        start, step = math.trunc(start), math.trunc(step)
        check_representable([start, start + step * (count - 1)], dtype, "arange")
    return new_leaf((start + step * index).astype(dtype), requires_grad, device, "arange")


def _truncated_linspace(first: int, last: int, steps: int, dtype: np.dtype) -> np.ndarray:
    """PyTorch's ``linspace`` for an integer dtype, of the bounds truncated to integers
    (``_integer_bounds``): first + (last - first) i / (steps - 1) truncated toward 0
    (NumPy would round down), here in exact integer arithmetic. (PyTorch's float64
    arithmetic can land just below a whole number: its ``linspace(5, -3, 7,
    dtype=int64)[3]`` is 0 where (5 - 8 * 3 / 6) is 1.)"""
    gaps = max(steps - 1, 1)
    scaled = (first * gaps + (last - first) * i for i in range(steps))  # value * gaps
    values = (n // gaps if n >= 0 else -(-n // gaps) for n in scaled)
    return np.fromiter(values, dtype=dtype, count=steps)  # (no list: one array's memory)


def _float_linspace(start: float, end: float, steps: int) -> np.ndarray:
    """NumPy's float64 linspace of finite bounds. Where end - start overflows (``1e308 ->
    -1e308``, which NumPy turns into NaN and inf), the linspace of the halved bounds,
    doubled: the values themselves, as halving and doubling a float are exact."""
    if math.isfinite(end - start):
        return np.linspace(start, end, steps)
    return 2.0 * np.linspace(start / 2, end / 2, steps)


@creation_with_out
def linspace(start: float, end: float, steps: int, dtype: Any = None,
             requires_grad: bool = False, *, device: Any = None) -> Tensor:
    """``steps`` values start + (end - start) i / (steps - 1), i = 0 .. steps - 1, both
    bounds included; for an integer dtype truncated toward 0, as PyTorch's
    (``_truncated_linspace``). A bound a float dtype cannot hold is a DTypeError, as
    PyTorch's ("cannot be converted ... without overflow")."""
    steps = count_argument("linspace", "steps", steps)
    dtype = _number_dtype(dtype, "linspace", "linspace(0, 1, n) < 0.5")
    start, end = _finite_bounds(start, end, "linspace")
    if dtype.kind in "iu":
        first, last = _integer_bounds(start, end, dtype, "linspace")
        values = allocated("linspace", (steps,), dtype,
                           lambda: _truncated_linspace(first, last, steps, dtype))
    else:
        check_representable([start, end], dtype, "linspace")
        values = allocated("linspace", (steps,), dtype,
                           lambda: _float_linspace(start, end, steps).astype(dtype, copy=False))
    return new_leaf(values, requires_grad, device, "linspace")


def _integer_exponents(first: int, last: int, steps: int) -> np.ndarray:
    """The exponents of PyTorch's integer ``logspace``: first + (last - first) i / (steps
    - 1), in float64 from the nearer bound, as PyTorch computes them (first + i s in the
    first half, last - (steps - 1 - i) s after, s = (last - first) / (steps - 1)), so
    that a whole exponent stays whole: ``logspace(0, 2, 99, dtype=int64)[49]`` is 10,
    where 49 s is 0.999... and its power truncates to 9."""
    stride = (last - first) / max(steps - 1, 1)
    index = np.arange(steps)
    from_first = index < max(steps // 2, 1)
    return np.where(from_first, first + stride * index, last - stride * (steps - 1 - index))


@creation_with_out
def logspace(start: float, end: float, steps: int, base: float = 10.0, dtype: Any = None,
             requires_grad: bool = False, *, device: Any = None) -> Tensor:
    """``steps`` values base ** t for t evenly spaced from ``start`` to ``end``
    (``linspace``'s float64 values). For an integer dtype, as PyTorch's: start and end
    are truncated to integers first (``_integer_bounds``, as ``linspace``), t comes from
    ``_integer_exponents``, and the powers are truncated toward 0; a power the dtype
    cannot hold is a DTypeError (PyTorch wraps it). In a float dtype a power beyond its
    range is inf, and a negative base to a fractional t NaN, as in PyTorch."""
    steps = count_argument("logspace", "steps", steps)
    dtype = _number_dtype(dtype, "logspace", "logspace(0, 2, n) < 10")
    start, end = _finite_bounds(start, end, "logspace")
    base = float(_range_number(base, "base", "logspace"))
    if dtype.kind in "iu":
        first, last = _integer_bounds(start, end, dtype, "logspace")
        exponents = allocated("logspace", (steps,), np.dtype(np.float64),
                              lambda: _integer_exponents(first, last, steps))
    else:
        exponents = allocated("logspace", (steps,), np.dtype(np.float64),
                              lambda: _float_linspace(start, end, steps))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # inf and NaN
        powers = np.power(base, exponents)
        if dtype.kind in "iu":  # 10 ** 3 in uint8 would store garbage
            check_representable(powers, dtype, "logspace")
        powers = powers.astype(dtype, copy=False)  # (1e39 in float32: inf)
    return new_leaf(powers, requires_grad, device, "logspace")
