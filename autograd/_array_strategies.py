"""Helpers of ``autograd.testing.arrays`` / ``tensors``: the ``shape`` and ``dtype`` they
are given, checked, the strided view they may draw, and the strategies they draw with.

``arrays`` draws its shape first, so it needs a strategy per drawn shape. Those are built
once per arguments (``array_strategy``, ``rounded_to``) and reused: hypothesis validates
a strategy object at its first draw, and a new one per example cost the op table tests
about 7% of their CPU time."""

from __future__ import annotations

import functools
import numbers
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .errors import UsageError

__all__ = ["as_shape", "as_dtype", "as_flag", "strided_view", "array_strategy", "rounded_to",
           "floats_of", "check_unique_fits"]


def _is_dtype(value: Any) -> bool:
    try:
        np.dtype(value)
    except TypeError:
        return False
    return True


def as_shape(shape: Any, what: str, for_arrays: bool = True) -> tuple[int, ...]:
    """``shape`` (an int or a sequence of ints >= 0, as NumPy takes) as a tuple; a dtype in
    its place (``hypothesis.extra.numpy.arrays`` takes dtype first; said only ``for_arrays``,
    whose callers take a dtype and a shape strategy) or anything else is a UsageError
    saying what to pass."""
    if for_arrays and isinstance(shape, (type, np.dtype, str)) and _is_dtype(shape):
        raise UsageError(f"{what}: shape comes first here, {what}(shape, dtype), unlike "
                         f"hypothesis.extra.numpy.arrays(dtype, shape); got shape={shape!r}. "
                         f"Write {what}((2, 3), dtype=np.float32).")
    items = (shape,) if isinstance(shape, numbers.Integral) else shape
    try:
        items = tuple(items)
    except TypeError:
        items = None
    if items is None or not all(isinstance(n, numbers.Integral) and not isinstance(n, bool)
                                and n >= 0 for n in items):
        either = " or a strategy of them (shapes())" if for_arrays else " (such as x.shape)"
        raise UsageError(f"{what}: shape must be an int, a tuple of ints >= 0{either}; "
                         f"got {shape!r}")
    return tuple(int(n) for n in items)


def as_dtype(dtype: Any, what: str) -> np.dtype:
    """``dtype`` as a NumPy dtype; one NumPy does not know (a torch dtype, a typo) is a
    UsageError (the dtypes ``what`` can draw are checked where it draws them)."""
    try:
        return np.dtype(dtype)
    except TypeError:
        raise UsageError(f"{what}: dtype must be a NumPy dtype such as np.float32 or "
                         f"'float32'; got {dtype!r}") from None


def as_flag(value: Any, name: str, what: str, allow_none: bool = False) -> bool | None:
    """``value`` of a True/False argument (``None`` too where ``allow_none``); anything
    else is a UsageError: ``unique="no"`` would be truthy, and mean yes."""
    if value is None and allow_none:
        return None
    if not isinstance(value, (bool, np.bool_)):
        allowed = "True, False or None" if allow_none else "True or False"
        raise UsageError(f"{what}: {name} must be {allowed}; got {type(value).__name__} "
                         f"{value!r:.40}")
    return bool(value)


def strided_view(draw: Callable, shape: tuple[int, ...]) -> tuple[tuple[int, ...], Callable]:
    """A base shape and a function turning an array of that shape into a view of ``shape``
    (a transpose, or a slice with step +-2 along one axis)."""
    if not shape:
        return (2,), lambda base: base[1, ...]
    ways = ["step"] + (["transpose"] if sum(n > 1 for n in shape) >= 2 else [])
    if draw(st.sampled_from(ways)) == "transpose":
        return shape[::-1], lambda base: base.T
    wide = [k for k, n in enumerate(shape) if n > 1] or list(range(len(shape)))
    axis = draw(st.sampled_from(wide))
    step = draw(st.sampled_from([2, -2]))
    base = shape[:axis] + (2 * shape[axis],) + shape[axis + 1:]
    index = (slice(None),) * axis + (slice(None, None, step),)
    return base, lambda array: array[index]


@functools.lru_cache(maxsize=1024)
def array_strategy(dtype: np.dtype, shape: tuple[int, ...], elements: st.SearchStrategy,
                   unique: bool) -> st.SearchStrategy[np.ndarray]:
    """``hypothesis.extra.numpy.arrays(dtype, shape, elements=elements, unique=unique)``,
    one object per arguments (the same draws; validated once)."""
    return hnp.arrays(dtype, shape, elements=elements, unique=unique)


@functools.lru_cache(maxsize=256)
def rounded_to(elements: st.SearchStrategy, dtype: np.dtype) -> st.SearchStrategy[float]:
    """``elements`` with each value rounded to ``dtype`` (one object per arguments)."""
    return elements.map(lambda value: _rounded(value, dtype))


def _rounded(value: Any, dtype: np.dtype) -> float:
    """``value`` rounded to ``dtype``; a finite value it cannot hold is a UsageError (it
    would become an inf the test never asked for)."""
    with np.errstate(over="ignore"):
        rounded = dtype.type(value)
    if np.isfinite(value) and not np.isfinite(rounded):
        raise UsageError(f"arrays: the elements strategy drew {value!r}, beyond what {dtype} "
                         f"holds (at most {float(np.finfo(dtype).max):g}); bound the "
                         f"strategy, e.g. st.floats(-1e3, 1e3), or pass elements=(low, high)")
    return float(rounded)


def _float_bounds(dtype: np.dtype, lo: float, hi: float) -> tuple[Any, Any] | None:
    """[lo, hi] cut to ``dtype``'s finite range and rounded inwards to its values, or None
    when no finite value of ``dtype`` lies in it."""
    smallest, largest = float(np.finfo(dtype).min), float(np.finfo(dtype).max)
    if not (lo <= hi and hi >= smallest and lo <= largest):
        return None
    low, high = dtype.type(max(lo, smallest)), dtype.type(min(hi, largest))
    if float(low) < lo:  # compared in float64: lo itself may not fit in dtype
        low = np.nextafter(low, dtype.type(np.inf))
    if float(high) > hi:
        high = np.nextafter(high, dtype.type(-np.inf))
    return (low, high) if low <= high else None


def floats_of(dtype: np.dtype, lo: float, hi: float) -> st.SearchStrategy[float]:
    """Finite floats of ``dtype`` in [lo, hi]: the bounds are cut to the dtype's finite
    range and rounded inwards, so no drawn value becomes inf or leaves [lo, hi] when it
    is stored in ``dtype`` (float16 holds at most 65504, its smallest step is 6e-8)."""
    bounds = _float_bounds(dtype, lo, hi)
    if bounds is None:
        advice = "low > high: swap them" if lo > hi else "widen the elements bounds" + (
            " or use float64" if dtype != np.float64 else "")
        raise UsageError(f"arrays: no finite {dtype} value lies in [{lo}, {hi}]; {advice}")
    return st.floats(float(bounds[0]), float(bounds[1]), width=8 * dtype.itemsize,
                     allow_nan=False, allow_infinity=False)


def _float_rank(value: Any, dtype: np.dtype) -> int:
    """The position of ``value`` among the values of the float ``dtype`` (IEEE bits read
    as a sign-magnitude integer: consecutive values differ by 1, -0.0 and 0.0 share 0)."""
    bits = int(np.array(value, dtype=dtype).view(f"u{dtype.itemsize}"))
    sign = 1 << (8 * dtype.itemsize - 1)
    return -(bits - sign) if bits >= sign else bits


def _distinct_values(dtype: np.dtype, elements: Any) -> int | None:
    """How many distinct values of ``dtype`` ``elements`` (``(low, high)`` or a strategy)
    can give, or None when there are too many to matter."""
    if dtype.kind == "b":
        return 2
    bounded = not isinstance(elements, st.SearchStrategy)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        low = max(int(np.ceil(elements[0])), info.min) if bounded else info.min
        high = min(int(np.floor(elements[1])), info.max) if bounded else info.max
        return high - low + 1
    if dtype.kind == "f" and bounded:
        low, high = _float_bounds(dtype, *elements)
        return _float_rank(high, dtype) - _float_rank(low, dtype) + 1
    return None  # floats from a strategy: far more than an array drawn here holds


def check_unique_fits(shape: tuple[int, ...], dtype: np.dtype, elements: Any,
                      what: str) -> None:
    """UsageError when ``unique=True`` asks for more distinct elements than ``dtype`` and
    ``elements`` hold (hypothesis would give up with ``Unsatisfiable`` after hundreds of
    tries). ``elements`` has been checked (``(low, high)`` bounds that fit, or a strategy)."""
    size, count = int(np.prod(shape)), _distinct_values(dtype, elements)
    if count is not None and size > count:
        bounded = dtype.kind != "b" and not isinstance(elements, st.SearchStrategy)
        where = f"{dtype} in [{elements[0]}, {elements[1]}]" if bounded else f"{dtype}"
        raise UsageError(f"{what}: unique=True needs {size} distinct elements for shape "
                         f"{shape}, but {where} has only {count} distinct value(s); draw "
                         f"at most {count} elements{', widen the bounds' if bounded else ''}"
                         f" or drop unique=True")
