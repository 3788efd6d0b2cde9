"""``DataLoader``: aligned arrays, or a dataset, in mini-batches."""
from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np

from .._random import RNGLike, as_generator
from ..errors import ConfigError
from .datasets import TensorDataset, aligned_arrays

__all__ = ["DataLoader"]


class DataLoader:
    """Iterate over aligned arrays (``X``, ``y``, ...) in mini-batches of ``batch_size``
    rows; each batch is a tuple of NumPy arrays, row i of each array belonging together.

    ``DataLoader(TensorDataset(X, y))`` is the same loader as ``DataLoader(X, y)``
    (PyTorch's spelling). With ``shuffle=True`` the rows are permuted at the start of
    every epoch (every ``iter()``), by a permutation drawn from ``generator`` (a
    ``numpy.random.Generator``, an int seed, or None for the package's default
    generator, see ``nn.manual_seed``). The permuted arrays are built once per epoch, so
    every batch is a contiguous slice of them. ``drop_last=True`` skips a final batch
    smaller than ``batch_size``. ``len(loader)`` is the number of batches per epoch.
    """

    def __init__(self, *arrays: Any, batch_size: int = 32, shuffle: bool = False,
                 drop_last: bool = False, generator: RNGLike = None) -> None:
        if not arrays:
            raise ConfigError("DataLoader needs at least one array, e.g. DataLoader(X, y)")
        if (isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral)
                or batch_size < 1):
            raise ConfigError(f"DataLoader: batch_size must be a positive int; got "
                              f"{batch_size!r}")
        self.dataset = _dataset_argument(arrays)
        if isinstance(self.dataset, TensorDataset):
            self.arrays = self.dataset.tensors
        else:
            self.arrays = aligned_arrays(arrays, "DataLoader")
        self.n_samples = len(self.arrays[0])
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


def _dataset_argument(arguments: tuple[Any, ...]) -> TensorDataset | None:
    """The dataset given as the only positional argument, or None (arrays were given)."""
    datasets = [a for a in arguments if isinstance(a, TensorDataset)]
    if not datasets:
        return None
    if len(arguments) > 1:
        kinds = ", ".join(type(a).__name__ for a in arguments)
        raise ConfigError(
            f"DataLoader: a dataset is the only positional argument, the options come by "
            f"keyword: DataLoader(dataset, batch_size=32, shuffle=True); got "
            f"{len(arguments)} positional arguments ({kinds})")
    return datasets[0]
