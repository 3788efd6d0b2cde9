"""Where a ``DataLoader``'s epoch takes its samples from: the indices a sampler or batch
sampler gives, checked, and the arrays (of a TensorDataset, or of the one a chain of
Subsets is of) that batches are sliced from, read afresh at every epoch."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np
from autograd import Tensor
from autograd.errors import DTypeError, TensorIndexError

from ..errors import ArgumentTypeError, ConfigError
from .datasets import TensorDataset
from .subsets import Subset, subset_rows

__all__ = ["EpochArrays", "epoch_arrays", "check_batchable", "batch_indices",
           "sampled_indices", "array_rows", "slices_arrays"]


class EpochArrays(NamedTuple):
    """An epoch's source of sliced batches: the arrays, the rows of them the samples are
    (None: all, in order), and which arrays give Tensors (else lists of strings)."""
    arrays: tuple[np.ndarray, ...]
    rows: np.ndarray | None
    numeric: tuple[bool, ...]


def epoch_arrays(dataset: Any) -> EpochArrays | None:
    """The arrays batches of ``dataset`` are sliced from as it is now (see
    ``array_rows``), with which of them give Tensors; None when its samples must be read
    one by one."""
    arrays, rows = array_rows(dataset)
    if arrays is None:
        return None
    arrays = tuple(a.data if isinstance(a, Tensor) else a for a in arrays)
    return EpochArrays(arrays, rows, tuple(check_batchable(a, i) for i, a in enumerate(arrays)))


def check_batchable(array: np.ndarray, position: int) -> bool:
    """Whether ``array``'s batches are Tensors (bool, integer or float data: True) or lists
    of strings (a 1-d array of strings: False); anything else is a DTypeError, as PyTorch's
    default collate refuses it."""
    kind = array.dtype.kind
    if kind in "biuf":
        return True
    if kind in "US" and array.ndim == 1:
        return False
    raise DTypeError(f"DataLoader: array {position} has dtype {array.dtype} and shape "
                     f"{array.shape}; batches are Tensors (bool, integer or float data) or, "
                     f"for a 1-d array of strings, lists of strings. Convert it to numbers "
                     f"(e.g. codes = np.unique(labels, return_inverse=True)[1])")


def batch_indices(batch: Any, n: int, number: int) -> np.ndarray:
    """Batch ``number`` of a batch_sampler as indices: ints in ``[-n, n)``, at least one."""
    what = f"batch {number} of the batch_sampler"
    if isinstance(batch, (str, bytes)) or not hasattr(batch, "__iter__"):
        raise ArgumentTypeError(
            f"DataLoader: {what} is {type(batch).__name__} {batch!r}, not a list of indices; "
            f"a batch_sampler gives lists of indices (indices one by one go in sampler=)")
    indices = sampled_indices(batch, n, what)
    if indices.size == 0:
        raise ConfigError(f"DataLoader: {what} is empty; every batch needs an index")
    return indices


def sampled_indices(sampler: Iterable[int], n: int, what: str = "the sampler") -> np.ndarray:
    """The indices ``sampler`` gives for this epoch: ints in ``[-n, n)``."""
    indices = np.asarray(list(sampler))
    if indices.size == 0:
        return indices.astype(np.intp)
    if indices.ndim != 1 or not np.issubdtype(indices.dtype, np.integer):
        hint = " (lists of indices go in batch_sampler=)" if indices.ndim == 2 else ""
        raise ArgumentTypeError(f"DataLoader: {what} must give int indices; it gave "
                                f"{indices.dtype} values of shape {indices.shape}{hint}")
    low, high = int(indices.min()), int(indices.max())
    if low < -n or high >= n:
        raise TensorIndexError(f"DataLoader: {what} gave index {low if low < -n else high}"
                               f", out of range for a dataset of {n} samples")
    return indices


def array_rows(dataset: Any) -> tuple[tuple[np.ndarray | Tensor, ...] | None,
                                        np.ndarray | None]:
    """The arrays batches of ``dataset`` can be sliced from, and the rows of them its
    samples are (None: all rows, in order): a TensorDataset, or Subsets of Subsets... of
    one; the arrays are the dataset's own, Tensors or NumPy arrays. ``(None, None)``
    when samples must be read one by one."""
    rows = None
    while isinstance(dataset, Subset) and type(dataset).__getitem__ is Subset.__getitem__:
        indices = subset_rows(dataset.indices, len(dataset.dataset))  # as they are now
        rows = indices if rows is None else indices[rows]
        dataset = dataset.dataset
    if slices_arrays(dataset):
        return dataset.tensors, rows
    return None, None


def slices_arrays(dataset: Any) -> bool:
    """Whether batches of ``dataset`` can be sliced from its arrays: a TensorDataset
    whose ``__getitem__`` is not overridden by a subclass."""
    return (isinstance(dataset, TensorDataset)
            and type(dataset).__getitem__ is TensorDataset.__getitem__)
