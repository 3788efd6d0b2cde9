"""``DataLoader``: aligned arrays, or a dataset, in mini-batches."""
from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np

from .._random import RNGLike, as_generator
from ..errors import ConfigError
from .datasets import TensorDataset, aligned_arrays, collate, is_map_style, is_sample_list
from .subsets import Subset

__all__ = ["DataLoader"]


class DataLoader:
    """Iterate over aligned arrays (``X``, ``y``, ...) in mini-batches of ``batch_size``
    rows; each batch is a tuple of NumPy arrays, row i of each array belonging together.

    ``DataLoader(TensorDataset(X, y))`` is the same loader as ``DataLoader(X, y)``
    (PyTorch's spelling); over a ``Subset`` of a TensorDataset each epoch takes its rows
    from the arrays at once too. Any other map-style dataset (an object with ``__len__`` and
    ``__getitem__(i)``, or a list of ``(x_i, y_i)`` samples whose fields differ in shape,
    given as the only positional argument) is read sample by sample
    in the epoch's order, and each batch is collated as PyTorch's default collate does
    (a tuple of fields gives a tuple of stacked NumPy arrays, a dict a dict, a single
    array one array), see ``nn.data.datasets.collate``.

    With ``shuffle=True`` the rows are permuted at the start of every epoch (every
    ``iter()``), by a permutation drawn from ``generator`` (a ``numpy.random.Generator``,
    an int seed, or None for the package's default generator, see ``nn.manual_seed``);
    the same seed gives the same order for arrays and datasets. The permuted arrays are
    built once per epoch, so every batch is a contiguous slice of them.
    ``drop_last=True`` skips a final batch smaller than ``batch_size``. ``len(loader)``
    is the number of batches per epoch.
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
        self.arrays: tuple[np.ndarray, ...] | None  # None: samples come from the dataset
        self._rows: np.ndarray | None = None  # the rows of the arrays a Subset holds
        if self.dataset is None:
            self.arrays = aligned_arrays(arrays, "DataLoader")
        else:
            self.arrays, self._rows = _array_rows(self.dataset)
        self.n_samples = len(self.dataset if self.dataset is not None else self.arrays[0])
        self.batch_size = int(batch_size)
        self.shuffle, self.drop_last = bool(shuffle), bool(drop_last)
        self.generator = as_generator(generator, "generator")

    def __len__(self) -> int:
        if self.drop_last:
            return self.n_samples // self.batch_size
        return math.ceil(self.n_samples / self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        if self.arrays is None:
            return self._dataset_batches()
        return self._array_batches(self.arrays)

    def _starts(self) -> range:
        """Where each batch of the epoch starts in the epoch's order of samples."""
        return range(0, min(len(self) * self.batch_size, self.n_samples), self.batch_size)

    def _dataset_batches(self) -> Iterator[Any]:
        n, size = self.n_samples, self.batch_size
        order = self.generator.permutation(n) if self.shuffle else np.arange(n)
        for start in self._starts():
            yield collate([self.dataset[int(i)] for i in order[start:start + size]])

    def _array_batches(self, arrays: tuple[np.ndarray, ...]) -> Iterator[tuple[np.ndarray, ...]]:
        order = self.generator.permutation(self.n_samples) if self.shuffle else None
        if self._rows is not None:
            order = self._rows if order is None else self._rows[order]
        if order is not None:
            arrays = tuple(a[order] for a in arrays)
        size = self.batch_size
        starts = self._starts()
        if len(arrays) == 2:  # (X, y), the common case, without a generator per batch
            first, second = arrays
            for start in starts:
                stop = start + size
                yield first[start:stop], second[start:stop]
        else:
            for start in starts:
                yield tuple(a[start:start + size] for a in arrays)

    def __repr__(self) -> str:
        if self.arrays is None or self._rows is not None:
            data = f"<{type(self.dataset).__name__} of {self.n_samples} samples>"
        else:
            data = ", ".join(str(a.shape) for a in self.arrays)
        return (f"DataLoader({data}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last})")


def _dataset_argument(arguments: tuple[Any, ...]) -> Any:
    """The dataset given as the only positional argument, or None (arrays were given).
    A list of samples, ``[(x_i, y_i), ...]``, is a dataset too (see ``is_sample_list``)."""
    if len(arguments) == 1 and is_sample_list(arguments[0]):
        return arguments[0]
    datasets = [a for a in arguments if isinstance(a, TensorDataset) or is_map_style(a)]
    if not datasets:
        return None
    if len(arguments) > 1:
        kinds = ", ".join(type(a).__name__ for a in arguments)
        raise ConfigError(
            f"DataLoader: a dataset is the only positional argument, the options come by "
            f"keyword: DataLoader(dataset, batch_size=32, shuffle=True); got "
            f"{len(arguments)} positional arguments ({kinds})")
    return datasets[0]


def _array_rows(dataset: Any) -> tuple[tuple[np.ndarray, ...] | None, np.ndarray | None]:
    """The arrays batches of ``dataset`` can be sliced from, and the rows of them its
    samples are (None: all rows, in order): a TensorDataset, or Subsets of Subsets... of
    one. ``(None, None)`` when samples must be read one by one."""
    rows = None
    while isinstance(dataset, Subset) and type(dataset).__getitem__ is Subset.__getitem__:
        indices = np.asarray(dataset.indices, dtype=np.intp)  # checked by Subset
        rows = indices if rows is None else indices[rows]
        dataset = dataset.dataset
    if _slices_arrays(dataset):
        return dataset.tensors, rows
    return None, None


def _slices_arrays(dataset: Any) -> bool:
    """Whether batches of ``dataset`` can be sliced from its arrays: a TensorDataset
    whose ``__getitem__`` is not overridden by a subclass."""
    return (isinstance(dataset, TensorDataset)
            and type(dataset).__getitem__ is TensorDataset.__getitem__)
