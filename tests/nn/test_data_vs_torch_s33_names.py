"""The ``torch.utils.data`` names the differential fuzzing found missing from ``nn.data``
(``StackDataset``, ``default_convert``, ``DistributedSampler``) against PyTorch's, and
the built-in errors that escaped from inside the package, now named (each still the
built-in PyTorch raises there, where it raises one)."""
from __future__ import annotations

import collections
import itertools
from collections import Counter, namedtuple

import numpy as np
import pytest

import autograd as ag
from autograd.errors import AutogradError, TensorIndexError
from nn.data import (BatchSampler, ChainDataset, DataLoader, DistributedSampler,
                     IterableDataset, StackDataset, Subset, TensorDataset, default_collate,
                     default_convert, random_split)
from nn.errors import ArgumentTypeError, ConfigError

from test_data_vs_torch_s33 import plain  # (tests/nn is on the path)

Point = namedtuple("Point", "x y")


# ------------------------------------------------------------------ StackDataset
def test_stack_dataset_by_position_and_by_keyword(torch) -> None:
    images, labels = np.arange(6.0).reshape(3, 2), [7, 8, 9]
    theirs_images = torch.from_numpy(images)
    for ours, theirs in [
            (StackDataset(images, labels), torch.utils.data.StackDataset(theirs_images, labels)),
            (StackDataset(x=images, y=labels),
             torch.utils.data.StackDataset(x=theirs_images, y=labels))]:
        assert len(ours) == len(theirs) == 3
        for i in range(-3, 3):
            convert = torch.utils.data.default_convert
            assert plain(default_convert(ours[i])) == plain(convert(theirs[i]))
        got = [plain(b) for b in DataLoader(ours, batch_size=2)]
        assert got == [plain(b) for b in torch.utils.data.DataLoader(theirs, batch_size=2)]
    assert isinstance(StackDataset(images).datasets, tuple)
    assert list(StackDataset(a=images, b=labels).datasets) == ["a", "b"]


@pytest.mark.parametrize("args, kwargs, message", [
    ((np.zeros(3), [1, 2]), {}, r"same length .* got lengths \{0: 3, 1: 2\}"),
    ((), {"x": np.zeros(3), "y": [1]}, r"same length .* got lengths \{'x': 3, 'y': 1\}"),
    ((np.zeros(3),), {"y": np.zeros(3)}, r"by position .* or by keyword .*, not both"),
    ((), {}, r"needs at least one dataset"),
])
def test_stack_dataset_refuses_what_torch_refuses(torch, args, kwargs, message) -> None:
    with pytest.raises(ValueError):
        torch.utils.data.StackDataset(*args, **kwargs)
    with pytest.raises(ConfigError, match=message):
        StackDataset(*args, **kwargs)
    with pytest.raises(ArgumentTypeError, match=r"StackDataset: dataset 1 is a int"):
        StackDataset(np.zeros(3), 5)


# ------------------------------------------------------------------ default_convert
CONVERTED = {
    "array": np.arange(3), "float32 scalar": np.float32(1.5), "0-d array": np.array(2.0),
    "python numbers": [1, 2.5, True], "string array": np.array(["a", "b"]),
    "strings": ("a", b"b", np.str_("c")), "tuple": (np.arange(2), 3),
    "namedtuple": Point(np.arange(2), 1), "dict": {"x": np.ones(2), "n": 1},
    "ordered": collections.OrderedDict(b=np.zeros(1), a=2), "range": range(3),
    "deque": collections.deque([np.arange(2)]), "nested": [{"x": (np.int8(3),)}],
    "none": None}


@pytest.mark.parametrize("name", list(CONVERTED))
def test_default_convert_as_torch(torch, name) -> None:
    value = CONVERTED[name]
    ours, theirs = default_convert(value), torch.utils.data.default_convert(value)
    assert plain(ours) == plain(theirs)
    assert type(ours).__name__ == type(theirs).__name__


def test_default_convert_shares_memory_and_keeps_tensors_as_torch(torch) -> None:
    array = np.arange(3.0)
    converted = default_convert(array)
    array[0] = 7.0  # torch.as_tensor shares the array's memory, and so does ours
    assert converted.tolist() == torch.utils.data.default_convert(array).tolist()
    tensor = ag.ones(2, requires_grad=True)
    assert default_convert(tensor) is tensor


# ------------------------------------------------------------------ DistributedSampler
@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("replicas", [1, 2, 3, 4, 7])
def test_distributed_sampler_unshuffled_is_torchs(torch, replicas, drop_last) -> None:
    for n in [0, 1, 2, 5, 6, 7, 10, 13]:
        for rank in range(replicas):
            ours = DistributedSampler(range(n), replicas, rank, shuffle=False,
                                      drop_last=drop_last)
            theirs = torch.utils.data.distributed.DistributedSampler(
                range(n), num_replicas=replicas, rank=rank, shuffle=False, drop_last=drop_last)
            assert list(ours) == list(theirs)
            assert len(ours) == len(theirs) == ours.num_samples == theirs.num_samples
            assert ours.total_size == theirs.total_size


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("n, replicas", [(10, 3), (7, 7), (5, 8), (12, 4)])
def test_distributed_sampler_shuffled_shares(torch, n, replicas, drop_last) -> None:
    """Each index is read as often across the ranks as in PyTorch's shares (its counts,
    compared as sorted lists: the padding repeats other indices); the same seed and
    epoch give the same order, ``set_epoch`` another."""
    def shares(make, epoch):
        samplers = [make(range(n), num_replicas=replicas, rank=r, shuffle=True, seed=3,
                         drop_last=drop_last) for r in range(replicas)]
        for sampler in samplers:
            sampler.set_epoch(epoch)
        return [list(s) for s in samplers]
    theirs = shares(torch.utils.data.distributed.DistributedSampler, 0)
    ours = shares(DistributedSampler, 0)
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    counts = [Counter(itertools.chain(*split)) for split in (ours, theirs)]
    assert sorted(counts[0].values()) == sorted(counts[1].values())
    assert set(counts[0]) <= set(range(n))
    if n >= replicas and not drop_last:
        assert set(counts[0]) == set(range(n))  # every sample is read
    assert ours == shares(DistributedSampler, 0)
    epochs = [shares(DistributedSampler, e) for e in range(1, 6)]
    if any(ours):  # (drop_last with fewer samples than replicas: nothing to reorder)
        assert any(e != ours for e in epochs)


def test_distributed_sampler_defaults_to_one_replica(torch) -> None:
    sampler = DistributedSampler(range(5), shuffle=False)
    assert (sampler.num_replicas, sampler.rank, sampler.seed) == (1, 0, 0)
    assert list(sampler) == list(torch.utils.data.distributed.DistributedSampler(
        range(5), num_replicas=1, rank=0, shuffle=False))
    assert sorted(DistributedSampler(range(5))) == list(range(5))
    loader = DataLoader(TensorDataset(np.arange(6.0)), batch_size=2,
                        sampler=DistributedSampler(range(6), 2, 1, shuffle=False))
    assert [b[0].tolist() for b in loader] == [[1.0, 3.0], [5.0]]


def test_distributed_sampler_refuses_a_rank_outside_its_replicas(torch) -> None:
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval "
                                         r"\[0, 1\]"):
        torch.utils.data.distributed.DistributedSampler(range(4), num_replicas=2, rank=2)
    with pytest.raises(ConfigError, match=r"Invalid rank 2, rank should be in the interval "
                                          r"\[0, 1\]"):
        DistributedSampler(range(4), num_replicas=2, rank=2)
    with pytest.raises(ConfigError, match=r"num_replicas must be an int >= 1"):
        DistributedSampler(range(4), num_replicas=0)
    with pytest.raises(ArgumentTypeError, match=r"rank must be an int"):
        DistributedSampler(range(4), num_replicas=2, rank=1.0)
    with pytest.raises(ArgumentTypeError, match=r"shuffle must be True or False"):
        DistributedSampler(range(4), shuffle="yes")


# ------------------------------------------------------------------ named errors
def _raises(torch_call, ours_call, named, builtin) -> None:
    """PyTorch raises ``builtin`` (None: it raises nothing there), ours ``named``, an
    AutogradError that is ``builtin`` too."""
    if builtin is not None:
        with pytest.raises(builtin):
            torch_call()
    with pytest.raises(named) as caught:
        ours_call()
    assert isinstance(caught.value, AutogradError)
    assert builtin is None or isinstance(caught.value, builtin)


def test_index_errors_are_named(torch) -> None:
    TD = torch.utils.data
    _raises(lambda: TD.TensorDataset(torch.arange(3.0))[3],
            lambda: TensorDataset(np.arange(3.0))[3], TensorIndexError, IndexError)
    _raises(lambda: TD.Subset([1, 2, 3], [0])[1], lambda: Subset([1, 2, 3], [0])[1],
            TensorIndexError, IndexError)
    _raises(lambda: TD.Subset([1, 2, 3], [0])[[0, 1]], lambda: Subset([1, 2, 3], [0])[[0, 1]],
            TensorIndexError, IndexError)


def test_lengths_that_are_not_there_are_named(torch) -> None:
    TD = torch.utils.data

    class Theirs(TD.IterableDataset):
        def __iter__(self):
            yield 1.0

    class Ours(IterableDataset):
        def __iter__(self):
            yield 1.0

    _raises(lambda: len(TD.DataLoader(Theirs())), lambda: len(DataLoader(Ours())),
            ArgumentTypeError, TypeError)
    _raises(lambda: len(TD.ChainDataset([Theirs()])), lambda: len(ChainDataset([Ours()])),
            ArgumentTypeError, TypeError)
    _raises(lambda: len(TD.BatchSampler(iter([1]), 2, False)),
            lambda: len(BatchSampler(iter([1]), 2, False)), ArgumentTypeError, TypeError)


def test_argument_errors_are_named(torch) -> None:
    TD = torch.utils.data
    _raises(lambda: list(TD.DataLoader([1.0], timeout=None)),
            lambda: DataLoader([1.0], timeout=None), ArgumentTypeError, TypeError)
    _raises(lambda: list(TD.DataLoader([1.0], timeout="2")),
            lambda: DataLoader([1.0], timeout="2"), ArgumentTypeError, TypeError)
    _raises(lambda: list(TD.ChainDataset(2.5)), lambda: ChainDataset(2.5),
            ArgumentTypeError, TypeError)
    _raises(lambda: TD.random_split(2.5, [1.0]), lambda: random_split(2.5, [1.0]),
            ArgumentTypeError, TypeError)
    _raises(lambda: TD.default_collate(2.5), lambda: default_collate(2.5),
            ArgumentTypeError, TypeError)
    _raises(lambda: TD.default_collate([]), lambda: default_collate([]), ConfigError, None)


def test_a_timeout_without_workers_is_refused(torch) -> None:
    with pytest.raises(AssertionError, match="requires timeout == 0"):
        list(torch.utils.data.DataLoader([1.0, 2.0], batch_size=2, timeout=5))
    with pytest.raises(ConfigError, match=r"timeout=5 .* with num_workers=0 there are no "
                                          r"workers"):
        DataLoader([1.0, 2.0], batch_size=2, timeout=5)
    assert DataLoader([1.0], timeout=0).timeout == 0
    assert DataLoader([1.0], timeout=5, num_workers=2).timeout == 5
