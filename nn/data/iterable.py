"""``IterableDataset`` (a stream of samples, as ``torch.utils.data`` spells it: a subclass
defines ``__iter__``), ``ChainDataset`` (streams one after another, what ``a + b`` gives)
and ``get_worker_info`` (None: this package reads every batch in the calling process)."""
from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

from ..errors import ArgumentTypeError, ConfigError
from .base import Dataset, length

__all__ = ["IterableDataset", "ChainDataset", "get_worker_info"]


class IterableDataset(Dataset):
    """The base class of streamed datasets, PyTorch's ``IterableDataset``: a subclass
    defines ``__iter__``, giving the samples in the order they are read (a shard read
    from disk, a generator of examples...). A ``DataLoader`` collates ``batch_size``
    consecutive samples into a batch (the last one smaller unless ``drop_last``); the
    order is the stream's, so ``shuffle``, ``sampler`` and ``batch_sampler`` are refused,
    as PyTorch refuses them. ``len(loader)`` needs the dataset's own ``__len__``.
    ``a + b`` is ``ChainDataset([a, b])``.
    """

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__, giving its "
                                  f"samples one by one")

    def __add__(self, other: Any) -> ChainDataset:
        return ChainDataset([self, other])


class ChainDataset(IterableDataset):
    """The samples of each stream in ``datasets``, one stream after another (PyTorch's
    ``ChainDataset``); its length, when asked, is the sum of theirs."""

    def __init__(self, datasets: Any) -> None:
        if isinstance(datasets, (str, bytes)) or not hasattr(datasets, "__iter__"):
            raise ArgumentTypeError(f"ChainDataset takes a list of IterableDatasets, "
                                    f"ChainDataset([a, b]); got {type(datasets).__name__}")
        self.datasets = list(datasets)
        for i, dataset in enumerate(self.datasets):
            if not isinstance(dataset, IterableDataset):
                raise ArgumentTypeError(f"ChainDataset: dataset {i} is a "
                                        f"{type(dataset).__name__}, not an IterableDataset")

    def __iter__(self) -> Iterator[Any]:
        for dataset in self.datasets:
            yield from dataset

    def __len__(self) -> int:
        return sum(length(dataset, f"ChainDataset: len() needs the length of each stream, "
                                   f"and stream {i}", "count its samples as they come")
                   for i, dataset in enumerate(self.datasets))


def get_worker_info() -> None:
    """None, PyTorch's value in the main process: a ``DataLoader`` here reads every batch
    in the process that iterates it (``num_workers`` changes nothing), so a dataset's
    ``worker_info.id if worker_info else 0`` takes 0."""
    return None


def check_iterable_options(shuffle: bool, sampler: Any, batch_sampler: Any) -> None:
    """An IterableDataset gives its own order: no shuffle, sampler or batch_sampler
    (ConfigError, PyTorch's ValueError)."""
    given = [name for name, value in (("shuffle", shuffle), ("sampler", sampler),
                                      ("batch_sampler", batch_sampler))
             if value not in (None, False)]
    if given:
        raise ConfigError(f"DataLoader with an IterableDataset: the stream gives the order, "
                          f"so {', '.join(given)} must be left out (shuffle inside "
                          f"__iter__, e.g. with a seeded random.Random)")


def stream_batches(dataset: IterableDataset, batch_size: int | None, drop_last: bool,
                   collate_fn: Callable[[Any], Any]) -> Iterator[Any]:
    """``collate_fn`` of each run of ``batch_size`` samples of the stream; a shorter last
    run too unless ``drop_last``. ``batch_size=None``: ``collate_fn`` of each sample."""
    if batch_size is None:
        yield from map(collate_fn, dataset)
        return
    samples = iter(dataset)
    while batch := list(itertools.islice(samples, batch_size)):
        if drop_last and len(batch) < batch_size:
            return
        yield collate_fn(batch)
