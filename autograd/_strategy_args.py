"""Checking the ``shape`` and ``dtype`` that ``autograd.testing.arrays`` / ``tensors`` are given."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .errors import UsageError

__all__ = ["as_shape", "as_dtype"]


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
