"""``DataLoader``: aligned arrays in mini-batches."""
from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.errors import DataError, DTypeError, ShapeError

from .._random import RNGLike, as_generator
from ..errors import ConfigError

__all__ = ["DataLoader"]


class DataLoader:
    """Iterate over aligned arrays (``X``, ``y``, ...) in mini-batches of ``batch_size``
    rows; each batch is a tuple of NumPy arrays, row i of each array belonging together.

    With ``shuffle=True`` the rows are permuted at the start of every epoch (every
    ``iter()``), by a permutation drawn from ``generator`` (a ``numpy.random.Generator``,
    an int seed, or None for the package's default generator, see ``nn.manual_seed``).
    The permuted arrays are built once per epoch, so every batch is a contiguous slice
    of them. ``drop_last=True`` skips a final batch smaller than ``batch_size``.
    ``len(loader)`` is the number of batches per epoch.
    """

    def __init__(self, *arrays: Any, batch_size: int = 32, shuffle: bool = False,
                 drop_last: bool = False, generator: RNGLike = None) -> None:
        if not arrays:
            raise ConfigError("DataLoader needs at least one array, e.g. DataLoader(X, y)")
        if (isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral)
                or batch_size < 1):
            raise ConfigError(f"DataLoader: batch_size must be a positive int; got "
                              f"{batch_size!r}")
        self.arrays = tuple(_as_array(a, i) for i, a in enumerate(arrays))
        lengths = [len(a) for a in self.arrays]
        if len(set(lengths)) > 1:
            raise ShapeError(
                f"DataLoader: the arrays must have the same number of rows (one row per "
                f"sample); got lengths {lengths}. Check that X and y come from the same "
                f"split.")
        self.n_samples = lengths[0]
        self.batch_size = int(batch_size)
        self.shuffle, self.drop_last = bool(shuffle), bool(drop_last)
        self.generator = as_generator(generator, "generator")

    def __len__(self) -> int:
        if self.drop_last:
            return self.n_samples // self.batch_size
        return math.ceil(self.n_samples / self.batch_size)

    def __iter__(self) -> Iterator[tuple[np.ndarray, ...]]:
        arrays = self.arrays
        if self.shuffle:
            order = self.generator.permutation(self.n_samples)
            arrays = tuple(a[order] for a in arrays)
        size = self.batch_size
        starts = range(0, min(len(self) * size, self.n_samples), size)
        if len(arrays) == 2:  # (X, y), the common case, without a generator per batch
            first, second = arrays
            for start in starts:
                stop = start + size
                yield first[start:stop], second[start:stop]
        else:
            for start in starts:
                yield tuple(a[start:start + size] for a in arrays)

    def __repr__(self) -> str:
        shapes = ", ".join(str(a.shape) for a in self.arrays)
        return (f"DataLoader({shapes}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last})")


def _as_array(value: Any, position: int) -> np.ndarray:
    try:
        array = value.data if isinstance(value, Tensor) else np.asarray(value)
    except ValueError as exc:  # NumPy's message for ragged nesting
        raise DataError(f"DataLoader: array {position} is a ragged nested sequence (rows of "
                        f"different lengths), which is not an array: {exc}. Give rows of "
                        f"equal length, e.g. a NumPy array.") from None
    if array.ndim == 0:
        raise ShapeError(_not_an_array(value, position))
    if array.dtype.hasobject:
        raise DTypeError(f"DataLoader: array {position} has dtype object; give numeric "
                         f"arrays (e.g. np.asarray(x, dtype=np.float64))")
    return array


def _not_an_array(value: Any, position: int) -> str:
    """Why ``value`` (NumPy made a 0-d array of it) is no array of samples."""
    if isinstance(value, (numbers.Number, np.generic)) and position > 0:
        return (f"DataLoader: argument {position} is the single value {value}, not an array "
                f"of samples. The arrays come first and the options by keyword: "
                f"DataLoader(X, y, batch_size=32, shuffle=True) (PyTorch's DataLoader(data, "
                f"32) passes batch_size by position; here every argument before the keywords "
                f"is an array)")
    if isinstance(value, (numbers.Number, np.generic, str, bytes)):
        return (f"DataLoader: array {position} is a scalar ({value!r}); every array needs a "
                f"first axis of samples")
    return (f"DataLoader: array {position} is a {type(value).__name__}, not an array of "
            f"samples; give a NumPy array or a list of rows (an iterator or generator: "
            f"np.array(list(it)))")
