"""The arguments of ``DataLoader`` checked as PyTorch's are: the dataset given by position
or as ``dataset=``, PyTorch's positional ``batch_size`` and ``shuffle``, and the options that
choose the order (``sampler``, ``batch_sampler``) or that are accepted as they are."""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..errors import ArgumentTypeError, ConfigError
from .base import Dataset, check_dataset
from .datasets import TensorDataset, is_map_style, is_sample_list
from .iterable import IterableDataset
from .samplers import BatchSampler

__all__ = ["DEFAULT_BATCH_SIZE", "DefaultBatchSize", "check_options", "check_batch_size",
           "check_batch_sampler",
           "torch_positional_options", "dataset_argument"]


class DefaultBatchSize(int):
    """32, DataLoader's default ``batch_size``, told apart from a ``batch_size`` given (which
    ``batch_sampler`` refuses)."""


DEFAULT_BATCH_SIZE = DefaultBatchSize(32)


def check_options(shuffle: bool, collate_fn: Any, sampler: Any, num_workers: Any,
                  batching: bool) -> None:
    """PyTorch's options that are accepted as they are, or a named error. ``batching``:
    ``batch_size`` is not None (a sampler of lists of indices needs ``batch_size=None``)."""
    if collate_fn is not None and not callable(collate_fn):
        raise ArgumentTypeError(f"DataLoader: collate_fn must be a function of the list of "
                                f"samples; got {type(collate_fn).__name__}")
    if isinstance(sampler, BatchSampler) and batching:
        raise ConfigError("DataLoader: a BatchSampler gives lists of indices, not indices; "
                          "pass it as batch_sampler=, without batch_size (or as PyTorch's "
                          "sampler=BatchSampler(...), batch_size=None)")
    if sampler is not None:
        if shuffle:
            raise ConfigError("DataLoader: sampler and shuffle=True both choose the order; "
                              "give one (shuffle the sampler's indices yourself)")
        _check_iterable(sampler, "sampler", "indices (a list, range, array or Sampler)")
    if isinstance(num_workers, bool) or not isinstance(num_workers, numbers.Integral) or \
            num_workers < 0:
        raise ConfigError(f"DataLoader: num_workers must be an int >= 0; got "
                          f"{num_workers!r}")


def check_batch_size(batch_size: Any, drop_last: bool) -> None:
    """``batch_size`` is an int >= 1, or None (PyTorch's unbatched loading: samples one at
    a time, which excludes ``drop_last``), else ConfigError."""
    if batch_size is None:
        if drop_last:  # PyTorch's ValueError
            raise ConfigError("DataLoader: batch_size=None option disables auto-batching and "
                              "is mutually exclusive with drop_last; leave drop_last out, or "
                              "give a batch_size")
    elif (isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral)
            or batch_size < 1):
        raise ConfigError(f"DataLoader: batch_size must be a positive int, or None for samples "
                          f"one at a time (unbatched); got {batch_size!r}")


def check_batch_sampler(batch_sampler: Any, batch_size: Any, shuffle: bool, sampler: Any,
                         drop_last: bool) -> None:
    """``batch_sampler`` can be iterated (each ``iter()`` gives an epoch's lists of
    indices) and is the only option that chooses the batches (else ArgumentTypeError /
    ConfigError)."""
    _check_iterable(batch_sampler, "batch_sampler",
                    "lists of indices (a BatchSampler or a list of lists)")
    given = [f"batch_size={batch_size!r}"] if (batch_size is not DEFAULT_BATCH_SIZE
                                               and batch_size != 1) else []
    given += [f"{name}={value!r}" for name, value in [("shuffle", shuffle),
                                                      ("drop_last", drop_last)] if value]
    given += [f"sampler=<{type(sampler).__name__}>"] if sampler is not None else []
    if given:
        raise ConfigError(
            f"DataLoader: batch_sampler gives the batches, so batch_size, shuffle, sampler "
            f"and drop_last must be left out; got {', '.join(given)}. Give them to the "
            f"batch sampler: BatchSampler(RandomSampler(data), batch_size, drop_last)")


def _check_iterable(value: Any, name: str, gives: str) -> None:
    """``value`` can be iterated (else ArgumentTypeError): a ``len()`` is needed only by
    ``len(loader)``, as in PyTorch (an endless sampler has none)."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise ArgumentTypeError(f"DataLoader: {name} must give the {gives} of an epoch at "
                                f"every iter(); got {type(value).__name__}")


def torch_positional_options(arguments: tuple[Any, ...]) -> tuple[tuple[Any, ...],
                                                                   tuple[Any, ...]]:
    """PyTorch's positional ``DataLoader(dataset, batch_size, shuffle)``: the dataset alone
    and the options after it (``batch_size``, a number or None for unbatched loading, then
    ``shuffle``); ``(arguments, ())`` when the first argument is no dataset or no option
    follows it (arrays ``DataLoader(X, y)`` are never options). Later options (sampler,
    ...) come by keyword: ConfigError if they come by position."""
    first, rest = arguments[0], arguments[1:]
    is_dataset = isinstance(first, (TensorDataset, IterableDataset)) or is_map_style(
        first) or is_sample_list(first)
    if not (is_dataset and rest):
        return arguments, ()
    if not all(_is_positional_option(a) for a in rest[:2]):
        if any(_is_positional_option(a) or isinstance(a, (str, bytes)) for a in rest):
            raise ConfigError(f"DataLoader(dataset, batch_size, shuffle) takes batch_size "
                              f"(an int, or None for samples one at a time) and then shuffle "
                              f"(True or False) by position; got {_kinds(rest)} after the "
                              f"dataset: pass sampler=, collate_fn=, ... by keyword")
        return arguments, ()
    if len(rest) > 2:
        raise ConfigError(f"DataLoader(dataset, batch_size, shuffle) takes at most two "
                          f"options by position; got {len(rest)}: pass sampler=, "
                          f"num_workers=, collate_fn=, ... by keyword")
    return arguments[:1], rest


def _is_positional_option(value: Any) -> bool:
    """Whether ``value`` can be PyTorch's positional ``batch_size`` or ``shuffle``: a
    number, a NumPy bool or None (``batch_size=None``); their ranges are checked later."""
    return value is None or isinstance(value, (numbers.Number, np.bool_))


def _kinds(values: tuple[Any, ...]) -> str:
    """``values`` named by their types, for a message: "(int, NoneType, list)"."""
    return "(" + ", ".join(type(v).__name__ for v in values) + ")"


def dataset_argument(arguments: tuple[Any, ...]) -> Any:
    """The dataset given as the only positional argument, or None (arrays were given).
    A list of samples, ``[(x_i, y_i), ...]``, is a dataset too (see ``is_sample_list``)."""
    if len(arguments) == 1 and is_sample_list(arguments[0]):
        return arguments[0]
    for argument in arguments:
        if isinstance(argument, Dataset):
            check_dataset(argument, "DataLoader: the dataset")
    datasets = [a for a in arguments if isinstance(a, TensorDataset) or is_map_style(a)]
    if not datasets:
        return None
    if len(arguments) > 1:
        kinds = ", ".join(type(a).__name__ for a in arguments)
        raise ConfigError(
            f"DataLoader: a dataset is the only array-like positional argument (the options "
            f"batch_size and shuffle may follow it): DataLoader(dataset, batch_size=32, "
            f"shuffle=True); got "
            f"{len(arguments)} positional arguments ({kinds})")
    return datasets[0]
