"""``Dataset``, the base class of map-style datasets, and ``ConcatDataset`` (datasets one
after another, what ``a + b`` of two Datasets gives), as ``torch.utils.data`` spells them."""
from __future__ import annotations

import bisect
import numbers
from typing import Any

import numpy as np
from autograd.errors import TensorIndexError

from ..errors import ArgumentTypeError, ConfigError

__all__ = ["Dataset", "ConcatDataset", "check_dataset"]


class Dataset:
    """The base class of map-style datasets, PyTorch's ``Dataset``: a subclass defines
    ``__len__`` (the number of samples) and ``__getitem__(i)`` (sample i, e.g. a tuple
    ``(x_i, y_i)``), which is all ``DataLoader`` reads. ``a + b`` is
    ``ConcatDataset([a, b])``. Subclassing it is optional: any object with those two
    methods is a dataset here.
    """

    def __add__(self, other: Any) -> ConcatDataset:
        return ConcatDataset([self, other])


class ConcatDataset(Dataset):
    """``datasets`` one after another, PyTorch's ``ConcatDataset``: ``len(cat)`` is the sum
    of their lengths and ``cat[i]`` the i-th sample counting through them in order
    (negative ``i`` count from the end). ``cat.datasets`` is the list of them and
    ``cat.cumulative_sizes`` the running totals of their lengths, PyTorch's names.

    A ``DataLoader`` reads it sample by sample. An index out of range raises
    ``TensorIndexError``, an ``IndexError`` (PyTorch raises ``ValueError`` for a negative
    one), so iterating over it stops at the end.
    """

    def __init__(self, datasets: Any) -> None:
        if isinstance(datasets, (str, bytes)) or not hasattr(datasets, "__iter__"):
            raise ArgumentTypeError(f"ConcatDataset takes a list of datasets, "
                                    f"ConcatDataset([train, extra]); got "
                                    f"{type(datasets).__name__}")
        self.datasets = list(datasets)
        if not self.datasets:
            raise ConfigError("ConcatDataset needs at least one dataset; got an empty list")
        for i, dataset in enumerate(self.datasets):
            check_dataset(dataset, f"ConcatDataset: dataset {i}")
        self.cumulative_sizes = np.cumsum([len(d) for d in self.datasets]).tolist()

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        if isinstance(index, bool) or not isinstance(index, numbers.Integral):
            raise ArgumentTypeError(f"ConcatDataset: an index is an int; got "
                                    f"{type(index).__name__} {index!r}")
        n = len(self)
        if not -n <= index < n:
            raise TensorIndexError(f"ConcatDataset: index {index} is out of range for "
                                   f"{n} samples; give an int in [-{n}, {n})")
        index = int(index) % n
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]

    def __repr__(self) -> str:
        parts = ", ".join(type(d).__name__ for d in self.datasets)
        return f"ConcatDataset([{parts}], {len(self)} samples)"


def check_dataset(dataset: Any, what: str) -> None:
    """``dataset`` holds samples: it has ``__len__`` and ``__getitem__`` (a map-style
    dataset, an array or a list of samples), else ArgumentTypeError naming ``what``."""
    kind = type(dataset)
    missing = [name for name in ("__len__", "__getitem__") if not hasattr(kind, name)]
    if missing or isinstance(dataset, (str, bytes)):
        lacks = f" (it lacks {' and '.join(missing)})" if missing else ""
        raise ArgumentTypeError(
            f"{what} is a {kind.__name__}, not a dataset with __len__ (the number of "
            f"samples) and __getitem__(i) (sample i){lacks}; define both, or for arrays "
            f"X, y pass TensorDataset(X, y)")
