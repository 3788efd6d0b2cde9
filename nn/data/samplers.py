"""Samplers, as ``torch.utils.data`` spells them: objects whose ``iter()`` gives the
indices of an epoch's samples (``BatchSampler``: lists of them), for ``DataLoader``'s
``sampler=`` (``batch_sampler=``).

Random ones draw from ``generator``: a ``numpy.random.Generator``, an int seed or None
(the package's default generator, which ``nn.manual_seed`` resets), as elsewhere in
``nn.data``. Each ``iter()`` draws anew, so every epoch has its own order; the draws
follow PyTorch's distributions, not its random streams.

Resuming ``nn.train.fit`` from a checkpoint restores the generators of the DataLoader
given to ``fit``, of its sampler or batch sampler (and a BatchSampler's sampler) and nn's
default one, so a run resumes bit for bit whichever a sampler draws from.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Iterator, Sized
from typing import Any, Generic, TypeVar

import numpy as np
from autograd.errors import ShapeError

from .._random import RNGLike, as_generator
from ..errors import ArgumentTypeError, ConfigError
from .base import length

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]

T_co = TypeVar("T_co", covariant=True)


class Sampler(Generic[T_co]):
    """The base class of samplers, PyTorch's ``Sampler``: a subclass defines
    ``__iter__`` (the indices of one epoch, drawn anew at every call) and, if it has a
    length, ``__len__`` (how many; ``len(loader)`` needs it, iterating does not, so an
    endless sampler leaves it out). ``Sampler[int]`` may be written in type hints.
    Subclassing it is optional: ``DataLoader`` takes any object with ``__iter__``.
    """

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__(), giving "
                                  f"the indices of one epoch")


class SequentialSampler(Sampler[int]):
    """``0, 1, ..., len(data_source) - 1`` in order, PyTorch's ``SequentialSampler``."""

    def __init__(self, data_source: Sized) -> None:
        check_sized(data_source, "SequentialSampler", "data_source")
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)

    def __repr__(self) -> str:
        return f"SequentialSampler({len(self)} samples)"


class RandomSampler(Sampler[int]):
    """The indices of ``data_source`` in random order, PyTorch's ``RandomSampler``.

    Without ``replacement`` each epoch is a permutation; a ``num_samples`` larger than
    ``len(data_source)`` chains whole permutations and a part of one, as PyTorch's. With
    ``replacement=True`` the ``num_samples`` indices are drawn independently and uniformly.
    ``num_samples`` defaults to ``len(data_source)``, read again at every epoch.
    """

    def __init__(self, data_source: Sized, replacement: bool = False,
                 num_samples: int | None = None, generator: RNGLike = None) -> None:
        check_sized(data_source, "RandomSampler", "data_source")
        if not isinstance(replacement, bool):  # PyTorch raises TypeError here
            raise ArgumentTypeError(f"RandomSampler: replacement must be True or False; got "
                                    f"{type(replacement).__name__} {replacement!r}")
        self.data_source, self.replacement = data_source, replacement
        self._num_samples = num_samples
        _check_positive_int(self.num_samples, "RandomSampler", "num_samples",
                            " (the data source is empty)" if num_samples is None else "")
        self.generator = as_generator(generator, "generator")

    @property
    def num_samples(self) -> int:
        """The number of indices per epoch: ``num_samples``, or ``len(data_source)``."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n, count = len(self.data_source), self.num_samples
        if n == 0:
            raise ConfigError("RandomSampler: the data source is empty; there is no index "
                              "to draw")
        if self.replacement:  # lazily, 32 at a time as PyTorch: minGPT asks for 10**10
            for start in range(0, count, 32):  # (chunks draw what one call would)
                yield from self.generator.integers(n, size=min(32, count - start)).tolist()
            return
        for _ in range(count // n):
            yield from self.generator.permutation(n).tolist()
        if count % n:  # (not drawn when there is no part: n indices are one permutation)
            yield from self.generator.permutation(n)[:count % n].tolist()

    def __len__(self) -> int:
        return self.num_samples

    def __repr__(self) -> str:
        return (f"RandomSampler({len(self.data_source)} samples, replacement="
                f"{self.replacement}, num_samples={self.num_samples})")


class SubsetRandomSampler(Sampler[int]):
    """The given ``indices`` in random order (a new permutation of them every epoch),
    PyTorch's ``SubsetRandomSampler``: e.g. the training rows of a hold-out split."""

    def __init__(self, indices: Any, generator: RNGLike = None) -> None:
        check_sized(indices, "SubsetRandomSampler", "indices")
        array = np.asarray(indices)
        if array.size and (array.ndim != 1 or array.dtype == np.bool_
                           or not np.issubdtype(array.dtype, np.integer)):
            raise ArgumentTypeError(
                f"SubsetRandomSampler: indices must be a 1-d sequence of ints (a list, range "
                f"or integer array); got shape {array.shape} of dtype {array.dtype}")
        self.indices = indices
        self.generator = as_generator(generator, "generator")

    def __iter__(self) -> Iterator[int]:
        for i in self.generator.permutation(len(self.indices)).tolist():
            yield int(self.indices[i])

    def __len__(self) -> int:
        return len(self.indices)

    def __repr__(self) -> str:
        return f"SubsetRandomSampler({len(self)} indices)"


class WeightedRandomSampler(Sampler[int]):
    """``num_samples`` indices drawn with probabilities proportional to ``weights`` (one
    non-negative weight per sample), PyTorch's ``WeightedRandomSampler``: e.g. weights
    ``1 / count[class]`` balance imbalanced classes. With ``replacement=False`` an index
    is drawn at most once per epoch (each draw proportional to the weights left), so
    ``num_samples`` can be at most the number of positive weights; PyTorch then also
    picks zero-weight samples, this one refuses.
    """

    def __init__(self, weights: Any, num_samples: int, replacement: bool = True,
                 generator: RNGLike = None) -> None:
        _check_positive_int(num_samples, "WeightedRandomSampler", "num_samples")
        if not isinstance(replacement, bool):
            raise ConfigError(f"WeightedRandomSampler: replacement must be True or False; "
                              f"got {type(replacement).__name__} {replacement!r}")
        self.weights = _checked_weights(weights)
        positive = int(np.count_nonzero(self.weights))
        if not replacement and num_samples > positive:
            raise ConfigError(
                f"WeightedRandomSampler: without replacement num_samples can be at most the "
                f"number of positive weights, {positive}; got num_samples={num_samples}. "
                f"Lower num_samples or pass replacement=True")
        self.num_samples, self.replacement = int(num_samples), replacement
        self.generator = as_generator(generator, "generator")

    def __iter__(self) -> Iterator[int]:
        drawn = self.generator.choice(len(self.weights), size=self.num_samples,
                                      replace=self.replacement,
                                      p=_weight_probabilities(self.weights))
        yield from drawn.tolist()

    def __len__(self) -> int:
        return self.num_samples

    def __repr__(self) -> str:
        return (f"WeightedRandomSampler({len(self.weights)} weights, num_samples="
                f"{self.num_samples}, replacement={self.replacement})")


class BatchSampler(Sampler[list[Any]]):
    """The indices of ``sampler`` (a sampler, list or range) in lists of ``batch_size``,
    PyTorch's ``BatchSampler``, for ``DataLoader(dataset, batch_sampler=...)``; with
    ``drop_last=True`` a final list shorter than ``batch_size`` is left out.
    ``len()`` is the number of lists (it needs ``len(sampler)``).
    """

    def __init__(self, sampler: Iterable[Any], batch_size: int, drop_last: bool) -> None:
        if isinstance(sampler, (str, bytes)) or not hasattr(sampler, "__iter__"):
            raise ArgumentTypeError(f"BatchSampler: sampler must give indices (a Sampler, "
                                    f"list or range); got {type(sampler).__name__}")
        _check_positive_int(batch_size, "BatchSampler", "batch_size")
        if not isinstance(drop_last, bool):
            raise ConfigError(f"BatchSampler: drop_last must be True or False; got "
                              f"{type(drop_last).__name__} {drop_last!r}")
        self.sampler, self.batch_size, self.drop_last = sampler, int(batch_size), drop_last

    def __iter__(self) -> Iterator[list[Any]]:
        batch: list[Any] = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        count = length(self.sampler, "BatchSampler: len() needs len(sampler), and the sampler",
                       "count the batches as they come, or give the sampler a __len__")
        if self.drop_last:
            return count // self.batch_size
        return math.ceil(count / self.batch_size)

    def __repr__(self) -> str:
        return (f"BatchSampler({self.sampler!r}, batch_size={self.batch_size}, "
                f"drop_last={self.drop_last})")


def check_sized(value: Any, owner: str, name: str) -> None:
    """``value`` has a ``len()`` (else ArgumentTypeError)."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__"):
        raise ArgumentTypeError(f"{owner}: {name} must have a len() (a dataset, list, range "
                                f"or array); got {type(value).__name__}. For an iterator "
                                f"pass list(it)")


def _check_positive_int(value: Any, owner: str, name: str, note: str = "") -> None:
    """``value`` is an int >= 1 (else ConfigError, PyTorch's ValueError)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ConfigError(f"{owner}: {name} must be a positive int; got {value!r}{note}")


def _checked_weights(weights: Any) -> np.ndarray:
    """``weights`` as a 1-d float64 array of finite values >= 0, not all 0 (their sum may
    overflow: ``_weight_probabilities`` scales by the largest first)."""
    array = _numeric_weights(weights)
    if array.ndim != 1:
        raise ShapeError(f"WeightedRandomSampler: weights must be 1-d, one per sample; got "
                         f"shape {array.shape}")
    bad = np.flatnonzero(~(np.isfinite(array) & (array >= 0)))
    if bad.size:
        raise ConfigError(f"WeightedRandomSampler: weights must be finite and >= 0; the one "
                          f"at index {bad[0]} is {array[bad[0]]}")
    if not array.any():
        raise ConfigError(f"WeightedRandomSampler: the weights must have a finite, positive "
                          f"sum; got 0.0 (all {array.size} weights are 0). Give at least one "
                          f"positive weight")
    return array


def _numeric_weights(weights: Any) -> np.ndarray:
    """``weights`` (numbers: a list, array or Tensor) as a float64 array, else
    ArgumentTypeError: strings such as ``"1"`` are refused (PyTorch refuses them too),
    not parsed."""
    if isinstance(weights, (str, bytes)) or not hasattr(weights, "__len__"):
        raise ArgumentTypeError(f"WeightedRandomSampler: weights must be a sequence of "
                                f"numbers, one per sample; got {type(weights).__name__}")
    try:
        given = np.asarray(weights)
        numeric = given.dtype.kind in "biuf" or (given.dtype.kind == "O" and all(
            isinstance(w, numbers.Real) for w in given.ravel()))
        if numeric:
            return given.astype(np.float64)
    except (TypeError, ValueError, OverflowError) as error:
        raise ArgumentTypeError(f"WeightedRandomSampler: weights must be numbers, one per "
                                f"sample; {error}") from None
    raise ArgumentTypeError(f"WeightedRandomSampler: weights must be numbers (float, int or "
                            f"bool), one per sample; got dtype {given.dtype}. Convert them "
                            f"first, e.g. [float(w) for w in weights]")


def _weight_probabilities(weights: np.ndarray) -> np.ndarray:
    """``weights / sum(weights)``, computed as ``(w / max w) / sum(w / max w)`` so that
    weights whose sum overflows (``[1e308, 1e308]``) still give their proportions."""
    scaled = weights / weights.max()
    return scaled / scaled.sum()
