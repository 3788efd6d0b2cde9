"""``DataLoader``: aligned arrays, or a dataset, in mini-batches."""
from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np
from autograd import Tensor
from autograd.errors import DTypeError, TensorIndexError

from .._checks import flag
from .._random import RNGLike, as_generator
from ..errors import ArgumentTypeError, ConfigError
from .datasets import TensorDataset, aligned_arrays, collate
from .iterable import IterableDataset, check_iterable_options, stream_batches
from .loader_arguments import (DEFAULT_BATCH_SIZE, check_batch_sampler, check_options,
                               dataset_argument, torch_positional_options)
from .samplers import BatchSampler, RandomSampler, SequentialSampler
from .subsets import Subset
from .worker_options import worker_options

__all__ = ["DataLoader"]


class DataLoader:
    """Iterate over aligned arrays (``X``, ``y``, ...) in mini-batches of ``batch_size``
    rows; each batch is a list with the rows of each array (PyTorch's default collate
    makes a list of a tuple of fields), row i of each array belonging together
    (``DataLoader(X)`` of one array gives X's rows as one array, as PyTorch's
    ``DataLoader(tensor)``; ``DataLoader(TensorDataset(X))`` gives 1-lists, as its). As
    PyTorch's default collate makes them, every batch is an autograd Tensor whether the
    array was given as a Tensor, a NumPy array or a list (its dtype, ``requires_grad=False``,
    no graph, a copy: ``xb.to(device)``, ``yb.long()``, ``yb.size(0)``,
    ``(pred == yb).sum().item()`` work); a 1-d array of strings gives lists of strings.

    ``DataLoader(TensorDataset(X, y))`` is the same loader as ``DataLoader(X, y)``
    (PyTorch's spelling); over a ``Subset`` of a TensorDataset each epoch takes its rows
    from the arrays at once too. Any other map-style dataset (an object with ``__len__`` and
    ``__getitem__(i)``, or a list of ``(x_i, y_i)`` samples whose fields differ in shape,
    given as the only positional argument) is read sample by sample
    in the epoch's order, and each batch is collated as PyTorch's default collate does
    (a tuple of fields gives a list of stacked fields, a dict a dict, a single array
    one Tensor; Tensors, NumPy arrays and numbers stack into Tensors, strings into
    lists), see ``nn.data.datasets.collate``.

    With ``shuffle=True`` the rows are permuted at the start of every epoch (every
    ``iter()``), by a permutation drawn from ``generator`` (a ``numpy.random.Generator``,
    an int seed, or None for the package's default generator, see ``nn.manual_seed``);
    the same seed gives the same order for arrays and datasets. The permuted arrays are
    built once per epoch, so every batch is a contiguous slice of them.
    ``drop_last=True`` skips a final batch smaller than ``batch_size``. ``len(loader)``
    is the number of batches per epoch; ``loader.dataset`` is the dataset (a TensorDataset
    of the arrays when arrays were given).

    As PyTorch's: ``dataset=`` names the dataset (``DataLoader(dataset=ds, batch_size=4)``
    is ``DataLoader(ds, batch_size=4)``); ``sampler`` (instead of ``shuffle``) is a list,
    range, array or object
    with ``__iter__`` and ``__len__`` giving the indices of an epoch's samples, iterated
    again every epoch; ``collate_fn(samples)`` makes a batch of the list of samples (the
    rows ``(X[i], y[i], ...)`` when arrays were given, then read one by one; ``X[i]`` for
    ``DataLoader(X)``). ``loader.sampler`` and ``loader.batch_sampler`` are the ones given,
    or, as PyTorch fills them in, a ``SequentialSampler`` (a ``RandomSampler`` on
    ``generator`` with ``shuffle=True``, which draws the permutation an epoch draws) and a
    ``BatchSampler`` of it (None for a stream).
    ``num_workers``, ``pin_memory`` and ``persistent_workers`` are accepted and change
    nothing (the last needs ``num_workers > 0``, as PyTorch's): batches are
    read in this process, the same batches PyTorch's workers would give; the other worker
    options are accepted as PyTorch accepts them (see ``nn.data.worker_options``).

    An ``IterableDataset`` (a stream) is read in its own order, ``batch_size`` samples per
    batch (see ``nn.data.iterable``).

    ``batch_sampler`` (a ``BatchSampler``, a list of lists of indices, or any object with
    ``__iter__`` and ``__len__`` giving lists of indices, iterated again every epoch) gives
    each batch's samples; as in PyTorch it excludes ``batch_size`` (PyTorch's default 1 is
    allowed), ``shuffle``, ``sampler`` and ``drop_last``, and ``loader.batch_size`` is
    None. ``len(loader)`` is then ``len(batch_sampler)``. ``fit``'s checkpoints hold
    ``generator`` and the (batch) sampler's generator (see ``nn.data.samplers``).
    """

    def __init__(self, *arrays: Any, batch_size: int = DEFAULT_BATCH_SIZE,
                 shuffle: bool | None = None, drop_last: bool = False,
                 generator: RNGLike = None,
                 collate_fn: Callable[[list[Any]], Any] | None = None,
                 sampler: Iterable[int] | None = None, batch_sampler: Any = None,
                 num_workers: int = 0, pin_memory: bool = False,
                 persistent_workers: bool = False, dataset: Any = None,
                 **worker_settings: Any) -> None:
        if dataset is not None:  # PyTorch's first parameter by name: DataLoader(dataset=ds)
            if arrays:
                raise ConfigError("DataLoader: the dataset was given both by position and as "
                                  "dataset=; give it once")
            arrays = (dataset,)
        if not arrays:
            raise ConfigError("DataLoader needs at least one array, e.g. DataLoader(X, y)")
        arrays, options = torch_positional_options(arrays)
        if options:  # PyTorch's DataLoader(dataset, batch_size, shuffle)
            if batch_size is not DEFAULT_BATCH_SIZE or (len(options) > 1
                                                         and shuffle is not None):
                raise ConfigError("DataLoader: batch_size and shuffle were given both by "
                                  "position and by keyword; give each once")
            batch_size = options[0]
            shuffle = options[1] if len(options) > 1 else shuffle
        shuffle = False if shuffle is None else flag("DataLoader", "shuffle", shuffle)
        drop_last = flag("DataLoader", "drop_last", drop_last)
        streamed = len(arrays) == 1 and isinstance(arrays[0], IterableDataset)
        if streamed:  # the stream gives the order: no shuffle, (batch) sampler
            check_iterable_options(shuffle, sampler, batch_sampler)
        if batch_sampler is not None:
            check_batch_sampler(batch_sampler, batch_size, shuffle, sampler, drop_last)
        elif (isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral)
                or batch_size < 1):
            hint = ("; PyTorch's batch_size=None (samples one at a time, unbatched) is not "
                    "supported: iterate the dataset itself" if batch_size is None else "")
            raise ConfigError(f"DataLoader: batch_size must be a positive int; got "
                              f"{batch_size!r}{hint}")
        check_options(shuffle, collate_fn, sampler, num_workers)
        for name, value in worker_options(num_workers, worker_settings).items():
            setattr(self, name, value)  # PyTorch's loader has them as attributes too
        if persistent_workers and not num_workers:  # PyTorch's ValueError
            raise ConfigError("DataLoader: persistent_workers option needs num_workers > 0 "
                              "(there are no workers to keep: leave it out)")
        self.dataset = arrays[0] if streamed else dataset_argument(arrays)
        # DataLoader(X): batches of X itself, as PyTorch's DataLoader(tensor) gives
        self._one_array = self.dataset is None and len(arrays) == 1
        if self.dataset is None:
            self.dataset = TensorDataset(*aligned_arrays(arrays, "DataLoader"))
        self.collate_fn = collate if collate_fn is None else collate_fn
        self._rows: np.ndarray | None  # the rows of the arrays a Subset holds
        arrays, self._rows = (_array_rows(self.dataset) if self.collate_fn is collate
                              else (None, None))
        self.arrays: tuple[np.ndarray, ...] | None = (  # None: samples come from the dataset
            None if arrays is None
            else tuple(a.data if isinstance(a, Tensor) else a for a in arrays))
        # which arrays give Tensor batches (numbers; else a 1-d array of strings, lists)
        self._numeric = tuple(_check_batchable(a, i) for i, a in enumerate(self.arrays or ()))
        self.n_samples = None if streamed else len(self.dataset)  # None: a stream
        if shuffle and self.n_samples == 0:  # PyTorch's RandomSampler refuses it too
            raise ConfigError("DataLoader: shuffle=True draws an order of the dataset's "
                              "samples, and the dataset is empty; check how it was built "
                              "(or leave shuffle out)")
        self.batch_size = None if batch_sampler is not None else int(batch_size)
        self.shuffle, self.drop_last = shuffle, drop_last
        self.generator = as_generator(generator, "generator")
        self.num_workers = int(num_workers)
        # the samplers given pick the order; PyTorch's loader.sampler and
        # loader.batch_sampler are those, or ones that describe the loader's own order
        self._sampler, self._batch_sampler = sampler, batch_sampler
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self.made_samplers: tuple[Any, ...] = ()  # the ones made here (not for a stream)
        if not streamed:
            self._describe_order()
        self.pin_memory = bool(pin_memory)
        self.persistent_workers = bool(persistent_workers)

    def _describe_order(self) -> None:
        """``loader.sampler`` and ``loader.batch_sampler`` when they were not given, as
        PyTorch fills them in: a RandomSampler drawing from the loader's generator when
        shuffling (its ``iter()`` draws the permutation an epoch does), else a
        SequentialSampler; a BatchSampler of it with ``batch_size`` and ``drop_last``.
        They describe the order; the loader slices its arrays without calling them."""
        made = []
        if self.sampler is None:
            self.sampler = (RandomSampler(self.dataset, generator=self.generator)
                            if self.shuffle else SequentialSampler(self.dataset))
            made.append(self.sampler)
        if self.batch_sampler is None:
            self.batch_sampler = BatchSampler(self.sampler, self.batch_size, self.drop_last)
            made.append(self.batch_sampler)
        self.made_samplers = tuple(made)

    def __len__(self) -> int:
        if self._batch_sampler is not None:
            return len(self._batch_sampler)
        count = len(self._sampler if self._sampler is not None else self.dataset)
        if self.drop_last:
            return count // self.batch_size
        return math.ceil(count / self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        if self.n_samples is None:
            return stream_batches(self.dataset, self.batch_size, self.drop_last,
                                  self.collate_fn)
        if self._batch_sampler is not None:
            return self._batch_sampler_batches()
        if self._sampler is not None:
            return self._sampler_batches()
        if self.arrays is None:
            return self._dataset_batches()
        return self._array_batches(self.arrays)

    def _order(self) -> np.ndarray | None:
        """The epoch's samples (their positions in the dataset); None: all, in order."""
        return self.generator.permutation(self.n_samples) if self.shuffle else None

    def _starts(self, count: int) -> range:
        """Where each batch starts in the epoch's ``count`` samples."""
        full = count // self.batch_size * self.batch_size
        return range(0, full if self.drop_last else count, self.batch_size)

    def _dataset_batches(self) -> Iterator[Any]:
        order = self._order()
        if order is None:
            order = np.arange(self.n_samples)
        size = self.batch_size
        for start in self._starts(len(order)):
            yield self.collate_fn(self._samples(order[start:start + size]))

    def _samples(self, indices: Iterable[int]) -> list[Any]:
        """The samples at ``indices``, for ``collate_fn``: the dataset's items, or for
        ``DataLoader(X)`` the rows of X (as PyTorch's ``DataLoader(tensor)``)."""
        if self._one_array:
            return [self.dataset[int(i)][0] for i in indices]
        return [self.dataset[int(i)] for i in indices]

    def _sampler_batches(self) -> Iterator[Any]:
        """The batches of the indices ``sampler`` gives, read one batch at a time, as
        PyTorch: minGPT's ``RandomSampler(data, True, num_samples=int(1e10))`` has more
        indices than memory holds."""
        indices, size = iter(self._sampler), self.batch_size
        while True:
            batch = _sampled_indices(itertools.islice(indices, size), self.n_samples)
            if batch.size == 0 or (self.drop_last and batch.size < size):
                return
            if self.arrays is None:
                yield self.collate_fn(self._samples(batch))
            else:
                rows = batch if self._rows is None else self._rows[batch]
                yield self._batch(tuple(a[rows] for a in self.arrays))

    def _batch_sampler_batches(self) -> Iterator[Any]:
        """The batches of the lists of indices ``batch_sampler`` gives this epoch."""
        for number, batch in enumerate(self._batch_sampler):
            indices = _batch_indices(batch, self.n_samples, number)
            if self.arrays is None:
                yield self.collate_fn(self._samples(indices))
            else:
                rows = indices if self._rows is None else self._rows[indices]
                yield self._batch(tuple(a[rows] for a in self.arrays))

    def _array_batches(self, arrays: tuple[np.ndarray, ...]) -> Iterator[Any]:
        order = self._order()
        if self._rows is not None:
            order = self._rows if order is None else self._rows[order]
        # the epoch's own copy of the arrays (shuffled, or as they are): a batch is never a
        # view of the data, so in-place ops on it (``xb /= 255``) leave the data alone, as
        # PyTorch's batches do
        arrays = tuple(a.copy() if order is None else a[order] for a in arrays)
        size = self.batch_size
        starts = self._starts(len(arrays[0]))
        if self._numeric == (True, True):  # (X, y), the common case, without a call
            first, second = arrays          # per batch
            for start in starts:
                stop = start + size
                yield [Tensor(first[start:stop]), Tensor(second[start:stop])]
        else:
            for start in starts:
                yield self._batch(tuple(a[start:start + size] for a in arrays))

    def _batch(self, rows: tuple[np.ndarray, ...]) -> Any:
        """The rows of each array (copies, never views of the data) as a list of Tensors
        (PyTorch's batch of a TensorDataset; strings as a list of them); of the one array
        of ``DataLoader(X)``, that Tensor (PyTorch's ``DataLoader(tensor)`` gives the
        batch itself, not a list)."""
        rows = [Tensor(r) if numeric else r.tolist() for r, numeric in zip(rows, self._numeric)]
        return rows[0] if self._one_array else rows

    def __repr__(self) -> str:
        if not _slices_arrays(self.dataset) or self.arrays is None:
            count = "" if self.n_samples is None else f" of {self.n_samples} samples"
            data = f"<{type(self.dataset).__name__}{count}>"
        else:
            data = ", ".join(str(a.shape) for a in self.arrays)
        if self._batch_sampler is not None:
            return (f"DataLoader({data}, batch_sampler=<{type(self._batch_sampler).__name__}"
                    f" of {len(self._batch_sampler)} batches>)")
        return (f"DataLoader({data}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last})")


def _check_batchable(array: np.ndarray, position: int) -> bool:
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






def _batch_indices(batch: Any, n: int, number: int) -> np.ndarray:
    """Batch ``number`` of a batch_sampler as indices: ints in ``[-n, n)``, at least one."""
    what = f"batch {number} of the batch_sampler"
    if isinstance(batch, (str, bytes)) or not hasattr(batch, "__iter__"):
        raise ArgumentTypeError(
            f"DataLoader: {what} is {type(batch).__name__} {batch!r}, not a list of indices; "
            f"a batch_sampler gives lists of indices (indices one by one go in sampler=)")
    indices = _sampled_indices(batch, n, what)
    if indices.size == 0:
        raise ConfigError(f"DataLoader: {what} is empty; every batch needs an index")
    return indices


def _sampled_indices(sampler: Iterable[int], n: int, what: str = "the sampler") -> np.ndarray:
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






def _array_rows(dataset: Any) -> tuple[tuple[np.ndarray | Tensor, ...] | None,
                                        np.ndarray | None]:
    """The arrays batches of ``dataset`` can be sliced from, and the rows of them its
    samples are (None: all rows, in order): a TensorDataset, or Subsets of Subsets... of
    one; the arrays are the dataset's own, Tensors or NumPy arrays. ``(None, None)``
    when samples must be read one by one."""
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
