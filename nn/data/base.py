"""``Dataset``, the base class of map-style datasets, ``ConcatDataset`` (datasets one
after another, what ``a + b`` of two Datasets gives) and ``StackDataset`` (datasets side
by side, one sample of each), as ``torch.utils.data`` spells them."""
from __future__ import annotations

import bisect
import operator
from typing import Any

import numpy as np
from autograd.errors import TensorIndexError

from ..errors import ArgumentTypeError, ConfigError

__all__ = ["Dataset", "ConcatDataset", "StackDataset", "check_dataset", "length"]


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

    def __getitem__(self, index: Any) -> Any:
        try:  # an int, a NumPy integer or a 0-d integer Tensor (``randperm(n)[i]``)
            position = None if isinstance(index, bool) else operator.index(index)
        except TypeError:
            position = None
        if position is None:
            raise ArgumentTypeError(f"ConcatDataset: an index is an int; got "
                                    f"{type(index).__name__} {index!r} (a NumPy integer or a "
                                    f"0-d integer Tensor is one too)")
        index = position
        n = len(self)
        if not -n <= index < n:
            raise TensorIndexError(f"ConcatDataset: index {index} is out of range for "
                                   f"{n} samples; give an int in [-{n}, {n})")
        index %= n
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]

    def __repr__(self) -> str:
        parts = ", ".join(type(d).__name__ for d in self.datasets)
        return f"ConcatDataset([{parts}], {len(self)} samples)"


class StackDataset(Dataset):
    """Datasets of the same length side by side, PyTorch's ``StackDataset``: sample i is
    ``(a[i], b[i], ...)`` for ``StackDataset(a, b, ...)``, and ``{"x": a[i], "y": b[i]}``
    for ``StackDataset(x=a, y=b)`` (the two forms are not mixed). ``stack.datasets`` is
    the tuple or dict of them; ``len(stack)`` is their common length when they were
    stacked, as PyTorch's. A ``DataLoader`` reads it sample by sample.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args and kwargs:
            raise ConfigError("StackDataset takes the datasets by position (samples are "
                              "tuples) or by keyword (samples are dicts), not both; got "
                              f"{len(args)} by position and {sorted(kwargs)} by keyword")
        if not (args or kwargs):
            raise ConfigError("StackDataset needs at least one dataset, e.g. "
                              "StackDataset(images, labels) or StackDataset(x=images, "
                              "y=labels)")
        named = dict(enumerate(args)) if args else kwargs
        for name, dataset in named.items():
            check_dataset(dataset, f"StackDataset: dataset {name!r}")
        lengths = {name: len(dataset) for name, dataset in named.items()}
        if len(set(lengths.values())) > 1:
            raise ConfigError(f"StackDataset: the datasets must have the same length (one "
                              f"sample of each per index); got lengths {lengths}")
        self.datasets: tuple[Any, ...] | dict[str, Any] = args if args else kwargs
        self._length = next(iter(lengths.values()))

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: Any) -> tuple[Any, ...] | dict[str, Any]:
        if isinstance(self.datasets, dict):
            return {name: dataset[index] for name, dataset in self.datasets.items()}
        return tuple(dataset[index] for dataset in self.datasets)

    def __repr__(self) -> str:
        names = (list(self.datasets) if isinstance(self.datasets, dict)
                 else [type(d).__name__ for d in self.datasets])
        return f"StackDataset({', '.join(map(str, names))}, {len(self)} samples)"


def length(value: Any, what: str, advice: str) -> int:
    """``len(value)``, or ArgumentTypeError (a ``TypeError``, as Python's) saying that
    ``what`` has no ``__len__``, followed by ``advice``."""
    if not hasattr(type(value), "__len__"):
        raise ArgumentTypeError(f"{what} ({type(value).__name__}) has no len(); {advice}")
    return len(value)


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
