"""``DistributedSampler``, as ``torch.utils.data.distributed`` spells it: the share of a
dataset's indices that one of ``num_replicas`` processes reads each epoch."""
from __future__ import annotations

import math
from collections.abc import Iterator, Sized

import numpy as np

from .._checks import flag, is_integer
from ..errors import ArgumentTypeError, ConfigError
from .samplers import Sampler, check_sized

__all__ = ["DistributedSampler"]


class DistributedSampler(Sampler[int]):
    """The indices replica ``rank`` of ``num_replicas`` reads, PyTorch's
    ``DistributedSampler``: every replica takes the same epoch order of the ``n =
    len(dataset)`` indices and keeps every ``num_replicas``-th one from position
    ``rank``, so the replicas read disjoint shares of equal size.

    There are no process groups here (one process, see ``nn.DistributedDataParallel``),
    so ``num_replicas`` and ``rank`` default to 1 and 0 (PyTorch asks its process group):
    the sampler then gives every index; give both to compute the share of one replica.

    The epoch order is ``0, 1, ..., n - 1``, or with ``shuffle=True`` (the default) a
    permutation drawn from a generator seeded with ``seed + epoch`` (ints; negative ones
    too, taken modulo 2**64 as PyTorch takes them): the same on every replica, the same
    again for the same seed and epoch, and a new one after ``set_epoch(epoch)`` (call it
    at the start of every epoch, as with PyTorch's). The draws are NumPy's, not
    PyTorch's. Each replica gets ``num_samples`` indices, ``ceil(n / num_replicas)``: the
    order is padded to ``total_size = num_samples * num_replicas`` by repeating its start
    (PyTorch's rule, so a few samples are read twice); with ``drop_last=True`` it is cut
    to the largest multiple of ``num_replicas`` instead (``num_samples = floor(n /
    num_replicas)``).
    ``len(sampler)`` is ``num_samples``; both are read from ``len(dataset)`` when asked.
    """

    def __init__(self, dataset: Sized, num_replicas: int | None = None,
                 rank: int | None = None, shuffle: bool = True, seed: int = 0,
                 drop_last: bool = False) -> None:
        check_sized(dataset, "DistributedSampler", "dataset")
        num_replicas = 1 if num_replicas is None else num_replicas
        rank = 0 if rank is None else rank
        _check_count("num_replicas", num_replicas, 1, " (the number of processes)")
        _check_count("rank", rank, 0, " (this process's place among num_replicas)")
        _check_count("seed", seed, None)
        if rank >= num_replicas:  # PyTorch's ValueError
            raise ConfigError(f"DistributedSampler: Invalid rank {rank}, rank should be in "
                              f"the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas, self.rank, self.seed = int(num_replicas), int(rank), int(seed)
        self.shuffle = flag("DistributedSampler", "shuffle", shuffle)
        self.drop_last = flag("DistributedSampler", "drop_last", drop_last)
        self.epoch = 0

    @property
    def num_samples(self) -> int:
        """The indices per replica: ``floor(n / num_replicas)`` with ``drop_last``, else
        ``ceil(n / num_replicas)``."""
        n = len(self.dataset)
        return n // self.num_replicas if self.drop_last else math.ceil(n / self.num_replicas)

    @property
    def total_size(self) -> int:
        """The indices of all replicas together: ``num_samples * num_replicas``."""
        return self.num_samples * self.num_replicas

    def __iter__(self) -> Iterator[int]:
        n, total = len(self.dataset), self.total_size
        if self.shuffle:
            order = np.random.default_rng(_epoch_seed(self.seed + self.epoch)).permutation(
                n).tolist()
        else:
            order = list(range(n))
        if total > n:  # pad with the order's start, repeated as often as needed
            order += (order * math.ceil((total - n) / n))[:total - n]
        return iter(order[:total][self.rank::self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use epoch ``epoch``'s order (with ``shuffle``) from the next ``iter()``."""
        _check_count("epoch", epoch, None)
        self.epoch = int(epoch)

    def __repr__(self) -> str:
        return (f"DistributedSampler({len(self.dataset)} samples, num_replicas="
                f"{self.num_replicas}, rank={self.rank}, shuffle={self.shuffle}, "
                f"seed={self.seed}, drop_last={self.drop_last})")


def _check_count(name: str, value: object, minimum: int | None, meaning: str = "") -> None:
    """``value`` is an int, >= ``minimum`` unless it is None (else ArgumentTypeError /
    ConfigError)."""
    if not is_integer(value):
        raise ArgumentTypeError(f"DistributedSampler: {name} must be an int{meaning}; got "
                                f"{type(value).__name__} {value!r}")
    if minimum is not None and value < minimum:
        raise ConfigError(f"DistributedSampler: {name} must be an int >= {minimum}{meaning}; "
                          f"got {value}")


def _epoch_seed(seed: int) -> int:
    """``seed + epoch`` as a NumPy seed (which must be >= 0): a negative one is taken
    modulo 2**64, as ``torch.Generator.manual_seed`` takes it; others are kept as given."""
    return seed % 2 ** 64 if seed < 0 else seed
