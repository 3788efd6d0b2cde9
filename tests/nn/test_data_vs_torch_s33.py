"""``nn.data`` against ``torch.utils.data`` where the differential fuzzing found them apart:
a dataset read afresh at every epoch (it grew, shrank, or a Subset's indices changed),
``batch_size=None``, a sampler without ``len()``, a 0-d Tensor index of a
ConcatDataset, collating sequences other than lists and tuples. The names it found
missing (``StackDataset``, ``default_convert``, ``DistributedSampler``) and the named
errors are in ``test_data_vs_torch_s33_names.py``."""
from __future__ import annotations

import collections
import itertools

import numpy as np
import pytest

import autograd as ag
import nn.data
from nn.data import (ConcatDataset, DataLoader, Subset, TensorDataset, default_collate,
                     default_convert)
from nn.errors import ArgumentTypeError, ConfigError


def plain(value):
    """``value`` with its Tensors (ours or PyTorch's) as ``("tensor", dtype, values)`` and
    NumPy values as ``("numpy", dtype, values)``, its containers kept by type name: what
    a loader gives, comparable across the two libraries."""
    if isinstance(value, (np.ndarray, np.generic)):
        return "numpy", value.dtype.name, value.tolist()
    if hasattr(value, "numpy") and hasattr(value, "dtype"):
        array = value.detach().numpy() if hasattr(value, "detach") else value.numpy()
        return "tensor", array.dtype.name, array.tolist()
    if isinstance(value, dict):
        return type(value).__name__, {key: plain(v) for key, v in value.items()}
    if isinstance(value, (list, tuple, collections.deque)):
        return type(value).__name__, [plain(v) for v in value]
    return value


class Buffer:
    """A map-style dataset over a list that can grow or shrink (a replay buffer)."""

    def __init__(self, items):
        self.items = list(items)

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        return self.items[index]


def both(torch, make):
    """``make(library)`` for ours (``nn.data``) and for PyTorch's ``torch.utils.data``."""
    return make(nn.data), make(torch.utils.data)


def values(loader) -> list[float]:
    """Every number of every batch of one epoch, sorted (the order is the sampler's)."""
    def leaves(batch):
        if isinstance(batch, (list, tuple)):
            return [v for part in batch for v in leaves(part)]
        return np.ravel(np.asarray(plain(batch)[2])).tolist()
    return sorted(float(v) for batch in loader for v in leaves(batch))


# ------------------------------------------------------------------ read afresh each epoch
@pytest.mark.parametrize("options", [{}, {"drop_last": True}, {"batch_size": 1}])
def test_a_dataset_that_grew_is_read_whole_next_epoch(torch, options) -> None:
    def run(data):
        buffer = Buffer([1.0, 2.0])
        loader = data.DataLoader(buffer, **{"batch_size": 2, **options})
        first = [plain(b) for b in loader]
        buffer.items += [3.0, 4.0, 5.0]
        return len(loader), first, [plain(b) for b in loader]
    ours, theirs = both(torch, run)
    assert ours == theirs


def test_a_dataset_that_shrank_is_read_as_it_is_when_shuffled(torch) -> None:
    def run(data):
        buffer = Buffer([1.0, 2.0, 3.0, 4.0])
        loader = data.DataLoader(buffer, batch_size=2, shuffle=True)
        buffer.items[:] = [1.0, 2.0, 3.0]
        return len(loader), values(loader)
    ours, theirs = both(torch, run)
    assert ours == theirs


def test_a_random_sampler_over_a_dataset_that_grew(torch) -> None:
    def run(data):
        buffer = Buffer([1.0, 2.0])
        loader = data.DataLoader(buffer, batch_size=2, sampler=data.RandomSampler(buffer))
        buffer.items += [3.0, 4.0, 5.0]
        return len(loader), values(loader)
    ours, theirs = both(torch, run)
    assert ours == theirs


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("change", ["grow", "replace", "shrink"])
def test_a_subset_whose_indices_changed_is_read_as_it_is_now(torch, change, shuffle) -> None:
    """The sliced path (a Subset of a TensorDataset): active learning adds indices."""
    X = np.arange(10.0)

    def run(data):
        indices = [0, 1, 2]
        base = data.TensorDataset(X if data is nn.data else torch.from_numpy(X))
        loader = data.DataLoader(data.Subset(data.Subset(base, list(range(10))), indices),
                                 batch_size=4, shuffle=shuffle)
        before = values(loader)
        {"grow": lambda: indices.extend([7, 9]), "replace": lambda: indices.__setitem__(
            slice(None), [5, 6, 8]), "shrink": lambda: indices.pop()}[change]()
        return before, len(loader), values(loader)
    ours, theirs = both(torch, run)
    assert ours == theirs


def test_a_tensor_dataset_given_new_arrays_is_sliced_from_them(torch) -> None:
    def run(data):
        wrap = np.asarray if data is nn.data else torch.tensor
        dataset = data.TensorDataset(wrap(np.arange(3.0)))
        loader = data.DataLoader(dataset, batch_size=4)
        dataset.tensors = (wrap(np.arange(5.0)),)
        return len(loader), [plain(b) for b in loader]
    ours, theirs = both(torch, run)
    assert ours == theirs


def test_subset_indices_changed_out_of_range_are_named_at_the_next_epoch() -> None:
    indices = [0, 1]
    loader = DataLoader(Subset(TensorDataset(np.arange(3.0)), indices), batch_size=2)
    indices.append(3)
    with pytest.raises(ConfigError, match=r"Subset: index 3 is out of range for a dataset "
                                          r"of 3 samples"):
        list(loader)


def test_the_fast_path_gives_the_batches_of_the_slow_one() -> None:
    """A TensorDataset sliced per epoch (the fast path) and the same samples read one by
    one through a collate_fn agree, shuffled by the same seed, after the data changed."""
    indices = list(range(0, 40, 2))
    sub = Subset(TensorDataset(np.arange(40.0), np.arange(40) % 3), indices)
    fast = DataLoader(sub, batch_size=6, shuffle=True, generator=5)
    slow = DataLoader(sub, batch_size=6, shuffle=True, generator=5, collate_fn=default_collate)
    indices += [1, 3, 5]
    assert [plain(b) for b in fast] == [plain(b) for b in slow]
    assert sorted(v for xb, _ in fast for v in xb.tolist()) == sorted(indices)  # X[i] = i


# ------------------------------------------------------------------ batch_size=None
SAMPLES = [(np.arange(2.0) + i, i, "s") for i in range(3)]


@pytest.mark.parametrize("options", [{}, {"shuffle": False}, {"collate_fn": lambda s: ("c", s)}])
def test_batch_size_none_gives_each_sample_converted(torch, options) -> None:
    def run(data):
        loader = data.DataLoader(SAMPLES, batch_size=None, **options)
        return len(loader), loader.batch_size, loader.batch_sampler, [plain(s) for s in loader]
    ours, theirs = both(torch, run)
    assert ours == theirs
    assert DataLoader(SAMPLES, batch_size=None).collate_fn is default_convert


def test_batch_size_none_shuffles_every_sample_once(torch) -> None:
    ours = DataLoader(SAMPLES, batch_size=None, shuffle=True, generator=1)
    theirs = torch.utils.data.DataLoader(SAMPLES, batch_size=None, shuffle=True)
    assert type(ours.sampler).__name__ == type(theirs.sampler).__name__ == "RandomSampler"
    assert sorted(map(str, map(plain, ours))) == sorted(map(str, map(plain, theirs)))


def test_batch_size_none_with_a_batch_sampler_as_sampler(torch) -> None:
    X = np.arange(12.0).reshape(6, 2)

    def run(data):
        loader = data.DataLoader(data.TensorDataset(X if data is nn.data
                                                    else torch.from_numpy(X)),
                                 sampler=data.BatchSampler(range(6), 4, False), batch_size=None)
        return len(loader), [plain(b) for b in loader]
    ours, theirs = both(torch, run)
    assert ours == theirs


def test_batch_size_none_over_a_stream(torch) -> None:
    def run(data):
        class Stream(data.IterableDataset):
            def __iter__(self):
                yield from [np.arange(2), 3, {"x": np.float32(1.5)}]
        return [plain(s) for s in data.DataLoader(Stream(), batch_size=None)]
    ours, theirs = both(torch, run)
    assert ours == theirs


def test_batch_size_none_refuses_drop_last_as_torch(torch) -> None:
    with pytest.raises(ValueError, match="mutually exclusive with drop_last"):
        torch.utils.data.DataLoader([1.0], batch_size=None, drop_last=True)
    with pytest.raises(ConfigError, match="batch_size=None option disables auto-batching and "
                                          "is mutually exclusive with drop_last"):
        DataLoader([1.0], batch_size=None, drop_last=True)


# ------------------------------------------------------------------ a sampler without len()
class Endless:
    """An endless sampler (StyleGAN2-ADA's InfiniteSampler): no ``__len__``."""

    def __iter__(self):
        while True:
            yield from range(4)


def test_an_endless_sampler_without_len(torch) -> None:
    def run(data, X):
        loader = data.DataLoader(X, batch_size=3, sampler=Endless())
        with pytest.raises(TypeError):
            len(loader)
        return [plain(b) for b in itertools.islice(loader, 3)]
    assert run(nn.data, np.arange(4.0)) == run(torch.utils.data, torch.arange(4.0))
    with pytest.raises(ArgumentTypeError, match=r"len\(loader\) needs len\(sampler\), and the "
                                                r"sampler \(Endless\) has no len\(\)"):
        len(DataLoader(Buffer([1.0, 2.0]), sampler=Endless()))


def test_a_generator_as_sampler_gives_one_epoch(torch) -> None:
    def run(data):
        loader = data.DataLoader([1.0, 2.0, 3.0], batch_size=2, sampler=(i for i in [2, 0]))
        return [plain(b) for b in loader], [plain(b) for b in loader]
    ours, theirs = both(torch, run)
    assert ours == theirs


# ------------------------------------------------------------------ ConcatDataset, collate
def test_concat_dataset_takes_a_0d_integer_tensor_index(torch) -> None:
    parts = [np.arange(3.0), np.arange(3.0, 5.0)]
    ours = ConcatDataset([TensorDataset(p) for p in parts])
    theirs = torch.utils.data.ConcatDataset([torch.utils.data.TensorDataset(torch.tensor(p))
                                             for p in parts])
    for i in range(-5, 5):
        assert float(ours[ag.tensor(i)][0]) == float(theirs[torch.tensor(i)][0])
        assert float(ours[np.int32(i)][0]) == float(theirs[i][0])
    order = [4, 0, 3]
    got = DataLoader(Subset(ours, ag.tensor(order)), batch_size=3)
    want = torch.utils.data.DataLoader(torch.utils.data.Subset(theirs, torch.tensor(order)),
                                       batch_size=3)
    assert [plain(b) for b in got] == [plain(b) for b in want]
    with pytest.raises(ArgumentTypeError, match=r"an index is an int; got Tensor"):
        ours[ag.tensor(1.0)]


class Pair(collections.abc.Sequence):
    """A read-only sequence that cannot be made from a list."""

    def __init__(self, a, b):
        self.fields = (a, b)

    def __len__(self):
        return 2

    def __getitem__(self, index):
        return self.fields[index]


@pytest.mark.parametrize("make", [lambda n: range(n, n + 2), lambda n: collections.deque([n, 0]),
                                  lambda n: Pair(n, 2 * n)],
                         ids=["range", "deque", "read-only sequence"])
def test_default_collate_transposes_any_sequence(torch, make) -> None:
    samples = [make(1), make(3)]
    ours = default_collate(samples)
    theirs = torch.utils.data.default_collate(samples)
    assert plain(ours) == plain(theirs)
    ours = next(iter(DataLoader(Buffer(samples), batch_size=2)))
    assert plain(ours) == plain(theirs)


def test_collate_keeps_a_mutable_mapping_type(torch) -> None:
    samples = [collections.defaultdict(list, x=np.float32(i)) for i in range(3)]
    ours, theirs = default_collate(samples), torch.utils.data.default_collate(samples)
    assert type(ours) is type(theirs) is collections.defaultdict
    assert plain(dict(ours)) == plain(dict(theirs))
