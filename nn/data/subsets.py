"""Parts of a dataset, as ``torch.utils.data`` spells them: ``Subset`` (the samples at some
indices) and ``random_split`` (a dataset cut at random into non-overlapping subsets)."""
from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from autograd.errors import TensorIndexError

from .._checks import caller_outside_nn
from .._random import RNGLike, as_generator
from ..errors import ArgumentTypeError, ConfigError
from .base import Dataset, check_dataset

__all__ = ["Subset", "random_split", "subset_rows"]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, PyTorch's ``Subset``: ``len(sub)`` is
    ``len(indices)`` and ``sub[i]`` is ``dataset[indices[i]]`` (a list ``i`` gives
    ``dataset[[indices[j] for j in i]]``, as PyTorch's). ``sub.dataset`` and
    ``sub.indices`` are kept as given.

    Unlike PyTorch's, the indices are checked here: ints (a list, range or integer
    array; negative ones count from the end) within the dataset's length. A
    ``DataLoader`` over a Subset of a ``TensorDataset`` takes each epoch's rows from the
    arrays at once, not sample by sample.
    """

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        check_dataset(dataset, "Subset: the dataset")
        subset_rows(indices, len(dataset))
        self.dataset = dataset
        self.indices = indices

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index: Any) -> Any:
        try:
            inner = ([self.indices[i] for i in index] if isinstance(index, list)
                     else self.indices[index])
        except IndexError:  # the list's or array's own, named
            raise TensorIndexError(f"Subset: index {index!r} is out of range for its "
                                   f"{len(self)} samples; give ints in [-{len(self)}, "
                                   f"{len(self)})") from None
        return self.dataset[inner]

    def __repr__(self) -> str:
        return f"Subset({self.dataset!r}, {len(self)} of {len(self.dataset)} samples)"


def subset_rows(indices: Any, size: int) -> np.ndarray:
    """``indices`` as an integer array, checked to be ints in ``[-size, size)`` (else
    ArgumentTypeError / ConfigError): the rows of a dataset of ``size`` samples that a
    Subset holds, checked again by ``DataLoader`` at every epoch (they may have changed)."""
    if isinstance(indices, (str, bytes)) or not hasattr(indices, "__len__"):
        raise ArgumentTypeError(
            f"Subset: indices must be a sequence of ints (a list, range or integer array); "
            f"got {type(indices).__name__}. For an iterator pass list(it)")
    array = np.asarray(indices)
    if array.size == 0:
        return array.astype(np.intp).reshape(0)
    if array.ndim != 1 or array.dtype == np.bool_ or not np.issubdtype(array.dtype,
                                                                        np.integer):
        hint = (" (a boolean mask: pass np.flatnonzero(mask))" if array.dtype == np.bool_
                else "")
        raise ArgumentTypeError(
            f"Subset: indices must be a 1-d sequence of ints; got shape {array.shape} of "
            f"dtype {array.dtype}{hint}")
    low, high = int(array.min()), int(array.max())
    if low < -size or high >= size:
        bad = low if low < -size else high
        raise ConfigError(
            f"Subset: index {bad} is out of range for a dataset of {size} samples; indices "
            f"must lie in [-{size}, {size})")
    return array


def random_split(dataset: Any, lengths: Sequence[float],
                 generator: RNGLike = None) -> list[Subset]:
    """``dataset`` cut at random into non-overlapping ``Subset`` s of the given
    ``lengths``, PyTorch's ``random_split``.

    ``lengths`` are ints summing to ``len(dataset)``, or fractions summing to 1 (within
    rounding but, as in PyTorch >= 2.0, not above 1: fractions whose float sum is
    ``1.0000000000000002`` are refused, as there): each split gets ``floor(len(dataset) *
    fraction)`` samples and the samples left over go one each to the splits in turn from
    the first (a split of length 0 warns, as PyTorch's). The samples are shuffled by a
    permutation drawn from ``generator`` (a ``numpy.random.Generator``, an int seed, or
    None for the package's default generator): the same seed gives the same split,
    though not PyTorch's.
    """
    check_dataset(dataset, "random_split: the dataset")
    n = len(dataset)
    sizes = _split_sizes(lengths, n)
    order = as_generator(generator, "generator").permutation(n).tolist()
    splits, start = [], 0
    for size in sizes:
        splits.append(Subset(dataset, order[start:start + size]))
        start += size
    return splits


def _split_sizes(lengths: Sequence[float], n: int) -> list[int]:
    """The number of samples of each split (see ``random_split``)."""
    if isinstance(lengths, np.ndarray):
        lengths = lengths.tolist()
    if isinstance(lengths, (str, bytes)) or not isinstance(lengths, Sequence) or not all(
            isinstance(x, numbers.Real) and not isinstance(x, bool) for x in lengths):
        raise ArgumentTypeError(f"random_split: lengths must be a list of ints or fractions, "
                                f"e.g. [800, 200] or [0.8, 0.2]; got {lengths!r}")
    total = sum(lengths)
    if lengths and math.isclose(total, 1) and total > 1:  # PyTorch's ValueError too
        raise ConfigError(
            f"random_split: fractions must sum to 1 and not above it; got {list(lengths)}, "
            f"whose float sum is {total!r} (rounding). Lower one of them slightly, e.g. "
            f"give the last as 1 - sum(the others)")
    if lengths and math.isclose(total, 1):
        for i, fraction in enumerate(lengths):
            if not 0 <= fraction <= 1:
                raise ConfigError(f"random_split: fractions must lie in [0, 1]; the one at "
                                  f"index {i} is {fraction}")
        sizes = [math.floor(n * fraction) for fraction in lengths]
        for i in range(n - sum(sizes)):  # the remainder, one sample each in turn
            sizes[i % len(sizes)] += 1
        for i, size in enumerate(sizes):
            if size == 0:
                warnings.warn(f"random_split: the split at index {i} has length 0 (an empty "
                              f"dataset)", stacklevel=caller_outside_nn())
        return sizes
    if any(not float(x).is_integer() or x < 0 for x in lengths) or total != n:
        raise ConfigError(
            f"random_split: lengths must be ints >= 0 summing to len(dataset) = {n}, or "
            f"fractions summing to 1; got {list(lengths)} (sum {total})")
    return [int(x) for x in lengths]

