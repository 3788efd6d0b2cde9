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

__all__ = ["as_shape", "as_dtype", "strided_view", "array_strategy", "rounded_to"]


def as_shape(shape: Any, what: str) -> tuple[int, ...]:
    """``shape`` (an int or a sequence of ints >= 0, as NumPy takes) as a tuple; a dtype in
    its place (``hypothesis.extra.numpy.arrays`` takes dtype first) or anything else is a
    UsageError saying what to pass."""
    if isinstance(shape, (type, np.dtype, str)):
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
        raise UsageError(f"{what}: shape must be an int, a tuple of ints >= 0 or a "
                         f"strategy of them (shapes()); got {shape!r}")
    return tuple(int(n) for n in items)


def as_dtype(dtype: Any, what: str) -> np.dtype:
    """``dtype`` as a NumPy dtype; one NumPy does not know (a torch dtype, a typo) is a
    UsageError (the dtypes ``what`` can draw are checked where it draws them)."""
    try:
        return np.dtype(dtype)
    except TypeError:
        raise UsageError(f"{what}: dtype must be a NumPy dtype such as np.float32 or "
                         f"'float32'; got {dtype!r}") from None


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
