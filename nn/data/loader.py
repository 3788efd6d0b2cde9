"""``DataLoader``: aligned arrays, or a dataset, in mini-batches."""
from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np
from autograd import Tensor

from .._checks import flag
from .._random import RNGLike, as_generator
from ..errors import ConfigError
from .base import length
from .datasets import TensorDataset, aligned_arrays, collate, default_convert
from .iterable import IterableDataset, check_iterable_options, stream_batches
from .loader_arguments import (DEFAULT_BATCH_SIZE, check_batch_sampler, check_batch_size,
                               check_options, dataset_argument, torch_positional_options)
from .loader_sources import (EpochArrays, batch_indices, epoch_arrays, sampled_indices,
                             slices_arrays)
from .samplers import BatchSampler, RandomSampler, SequentialSampler
from .worker_options import worker_options

__all__ = ["DataLoader"]

_COUNT_ADVICE = ("count the batches as they come (for batch in loader), or give it a "
                 "__len__")


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

    Every epoch (every ``iter()``) reads the dataset as it is then, as PyTorch's loader
    does: its length, and the rows of a Subset's indices, are read afresh when the epoch
    starts, so a dataset that grows (a replay buffer) or a Subset whose indices change
    (active learning) is read whole.

    As PyTorch's: ``dataset=`` names the dataset (``DataLoader(dataset=ds, batch_size=4)``
    is ``DataLoader(ds, batch_size=4)``); ``sampler`` (instead of ``shuffle``) is a list,
    range, array or object with ``__iter__`` giving the indices of an epoch's samples,
    iterated again every epoch (and endless if it likes: ``len(loader)`` alone needs its
    ``__len__``, a named TypeError without); ``collate_fn(samples)`` makes a batch of the
    list of samples (the rows ``(X[i], y[i], ...)`` when arrays were given, then read one
    by one; ``X[i]`` for ``DataLoader(X)``). ``loader.sampler`` and
    ``loader.batch_sampler`` are the ones given, or, as PyTorch fills them in, a
    ``SequentialSampler`` (a ``RandomSampler`` on ``generator`` with ``shuffle=True``,
    which draws the permutation an epoch draws) and a ``BatchSampler`` of it (None for a
    stream, or with ``batch_size=None``).
    ``num_workers``, ``pin_memory`` and ``persistent_workers`` are accepted and change
    nothing (the last needs ``num_workers > 0``, as PyTorch's): batches are
    read in this process, the same batches PyTorch's workers would give; the other worker
    options are accepted as PyTorch accepts them (see ``nn.data.worker_options``).

    An ``IterableDataset`` (a stream) is read in its own order, ``batch_size`` samples per
    batch (see ``nn.data.iterable``).

    ``batch_size=None`` turns batching off, as PyTorch's: each sample (``dataset[i]``
    for each index of the epoch's order or of ``sampler``, which may then give lists of
    indices, e.g. a ``BatchSampler``) goes through ``collate_fn`` alone, by default
    ``default_convert`` (NumPy arrays become Tensors, nothing is stacked);
    ``drop_last=True`` is then refused and ``len(loader)`` is the number of samples.

    ``batch_sampler`` (a ``BatchSampler``, a list of lists of indices, or any object with
    ``__iter__`` giving lists of indices, iterated again every epoch) gives
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
        else:
            check_batch_size(batch_size, drop_last)
        batching = batch_size is not None
        check_options(shuffle, collate_fn, sampler, num_workers, batching)
        for name, value in worker_options(num_workers, worker_settings).items():
            setattr(self, name, value)  # PyTorch's loader has them as attributes too
        if persistent_workers and not num_workers:  # PyTorch's ValueError
            raise ConfigError("DataLoader: persistent_workers option needs num_workers > 0 "
                              "(there are no workers to keep: leave it out)")
        self._streamed = streamed
        self.dataset = arrays[0] if streamed else dataset_argument(arrays)
        # DataLoader(X): batches of X itself, as PyTorch's DataLoader(tensor) gives
        self._one_array = self.dataset is None and len(arrays) == 1
        if self.dataset is None:
            self.dataset = TensorDataset(*aligned_arrays(arrays, "DataLoader"))
        # PyTorch's defaults: default_collate of each batch, default_convert of each sample
        self.collate_fn = (collate_fn if collate_fn is not None
                           else collate if batching else default_convert)
        self._source()  # a dtype no batch holds is a DTypeError now, not at a batch
        if shuffle and not streamed and len(self.dataset) == 0:  # as PyTorch's RandomSampler
            raise ConfigError("DataLoader: shuffle=True draws an order of the dataset's "
                              "samples, and the dataset is empty; check how it was built "
                              "(or leave shuffle out)")
        self.batch_size = None if batch_sampler is not None or not batching else int(batch_size)
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

    @property
    def n_samples(self) -> int | None:
        """The dataset's number of samples now (None for a stream)."""
        return None if self._streamed else len(self.dataset)

    @property
    def arrays(self) -> tuple[np.ndarray, ...] | None:
        """The arrays batches are sliced from now (those of the TensorDataset, or of the
        one a Subset is of), or None when samples are read one by one."""
        source = self._source()
        return None if source is None else source.arrays

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
        if self.batch_sampler is None and self.batch_size is not None:  # (None: unbatched)
            self.batch_sampler = BatchSampler(self.sampler, self.batch_size, self.drop_last)
            made.append(self.batch_sampler)
        self.made_samplers = tuple(made)

    def __len__(self) -> int:
        """The number of batches of an epoch: ``len(batch_sampler)``, or ``len(sampler)``
        (else of the dataset) samples in batches of ``batch_size`` (of one with
        ``batch_size=None``). A named TypeError when the one counted has no ``len()``."""
        if self._batch_sampler is not None:
            return length(self._batch_sampler, "DataLoader: len(loader) needs "
                          "len(batch_sampler), and the batch_sampler", _COUNT_ADVICE)
        if self._sampler is not None:
            count = length(self._sampler, "DataLoader: len(loader) needs len(sampler), and "
                           "the sampler", _COUNT_ADVICE)
        else:
            count = length(self.dataset, "DataLoader: len(loader) needs len(dataset), and "
                           "the dataset", _COUNT_ADVICE)
        if self.batch_size is None:
            return count
        if self.drop_last:
            return count // self.batch_size
        return math.ceil(count / self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        """The batches of one epoch. When it starts (at its first batch) the dataset's
        length, and the rows of the arrays of a TensorDataset or of a Subset of one, are
        read afresh, as PyTorch's loader reads them: a dataset that grew or shrank since
        the loader was made, or a Subset whose indices changed, is read as it is now."""
        if self._streamed:
            yield from stream_batches(self.dataset, self.batch_size, self.drop_last,
                                      self.collate_fn)
            return
        n, source = len(self.dataset), self._source()
        if self._batch_sampler is not None:
            for number, batch in enumerate(self._batch_sampler):
                yield self._gather(batch_indices(batch, n, number), source)
        elif self.batch_size is None:
            yield from self._unbatched(n)
        elif self._sampler is not None:
            yield from self._sampler_batches(n, source)
        elif source is not None:
            yield from self._array_batches(n, source)
        else:
            order = self._order(n)
            order = np.arange(n) if order is None else order
            for start in self._starts(n):
                yield self._gather(order[start:start + self.batch_size], None)

    def _order(self, n: int) -> np.ndarray | None:
        """The epoch's order of the ``n`` samples; None: all, in order."""
        return self.generator.permutation(n) if self.shuffle else None

    def _starts(self, count: int) -> range:
        """Where each batch starts in the epoch's ``count`` samples."""
        full = count // self.batch_size * self.batch_size
        return range(0, full if self.drop_last else count, self.batch_size)

    def _unbatched(self, n: int) -> Iterator[Any]:
        """PyTorch's ``batch_size=None``: ``collate_fn`` (``default_convert``) of each
        sample, ``dataset[index]`` for each index the sampler (or the epoch's order)
        gives, passed on as it is (a ``BatchSampler``'s list of indices too)."""
        order = self._order(n)
        indices = (self._sampler if self._sampler is not None
                   else range(n) if order is None else order.tolist())
        for index in indices:
            sample = self.dataset[index]
            yield self.collate_fn(sample[0] if self._one_array else sample)

    def _gather(self, indices: np.ndarray, source: EpochArrays | None) -> Any:
        """The batch of the samples at ``indices``: their rows sliced from the arrays of
        ``source``, or the samples read one by one and collated (``source`` None)."""
        if source is None:
            return self.collate_fn(self._samples(indices))
        rows = indices if source.rows is None else source.rows[indices]
        return self._batch(tuple(a[rows] for a in source.arrays), source.numeric)

    def _source(self) -> EpochArrays | None:
        """The arrays this epoch's batches are sliced from, read afresh (``epoch_arrays``),
        or None when samples are read one by one (``collate_fn`` given, or any dataset but
        a TensorDataset and Subsets of one)."""
        return epoch_arrays(self.dataset) if self.collate_fn is collate else None

    def _samples(self, indices: Iterable[int]) -> list[Any]:
        """The samples at ``indices``, for ``collate_fn``: the dataset's items, or for
        ``DataLoader(X)`` the rows of X (as PyTorch's ``DataLoader(tensor)``)."""
        if self._one_array:
            return [self.dataset[int(i)][0] for i in indices]
        return [self.dataset[int(i)] for i in indices]

    def _sampler_batches(self, n: int, source: EpochArrays | None) -> Iterator[Any]:
        """The batches of the indices ``sampler`` gives, read one batch at a time, as
        PyTorch: minGPT's ``RandomSampler(data, True, num_samples=int(1e10))`` has more
        indices than memory holds, and a sampler may be endless."""
        indices, size = iter(self._sampler), self.batch_size
        while True:
            batch = sampled_indices(itertools.islice(indices, size), n)
            if batch.size == 0 or (self.drop_last and batch.size < size):
                return
            yield self._gather(batch, source)

    def _array_batches(self, n: int, source: EpochArrays) -> Iterator[Any]:
        """The epoch's batches sliced from the arrays of ``source``, in the epoch's order."""
        order = self._order(n)
        if source.rows is not None:
            order = source.rows if order is None else source.rows[order]
        # the epoch's own copy of the arrays (shuffled, or as they are): a batch is never a
        # view of the data, so in-place ops on it (``xb /= 255``) leave the data alone, as
        # PyTorch's batches do
        arrays = tuple(a.copy() if order is None else a[order] for a in source.arrays)
        size = self.batch_size
        starts = self._starts(len(arrays[0]))
        if source.numeric == (True, True):  # (X, y), the common case, without a call
            first, second = arrays          # per batch
            for start in starts:
                stop = start + size
                yield [Tensor(first[start:stop]), Tensor(second[start:stop])]
        else:
            for start in starts:
                yield self._batch(tuple(a[start:start + size] for a in arrays), source.numeric)

    def _batch(self, rows: tuple[np.ndarray, ...], numeric: tuple[bool, ...]) -> Any:
        """The rows of each array (copies, never views of the data) as a list of Tensors
        (PyTorch's batch of a TensorDataset; strings as a list of them); of the one array
        of ``DataLoader(X)``, that Tensor (PyTorch's ``DataLoader(tensor)`` gives the
        batch itself, not a list)."""
        batch = [Tensor(r) if number else r.tolist() for r, number in zip(rows, numeric)]
        return batch[0] if self._one_array else batch

    def __repr__(self) -> str:
        arrays = self.arrays if slices_arrays(self.dataset) else None
        if arrays is None:
            count = "" if self._streamed else f" of {len(self.dataset)} samples"
            data = f"<{type(self.dataset).__name__}{count}>"
        else:
            data = ", ".join(str(a.shape) for a in arrays)
        if self._batch_sampler is not None:
            return (f"DataLoader({data}, batch_sampler=<{type(self._batch_sampler).__name__}"
                    f" of {len(self._batch_sampler)} batches>)")
        return (f"DataLoader({data}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last})")
