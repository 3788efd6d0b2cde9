"""Subset, random_split and ConcatDataset of nn.data, against PyTorch's torch.utils.data."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from autograd.errors import AutogradError, TensorIndexError
from nn.data import ConcatDataset, DataLoader, Subset, TensorDataset, random_split
from nn.errors import ArgumentTypeError, ConfigError


def _data(n: int = 10) -> tuple[np.ndarray, np.ndarray]:
    return np.arange(2.0 * n).reshape(n, 2), np.arange(n) * 10


class Samples:
    """A map-style dataset read sample by sample (no arrays to slice)."""

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        self.x, self.y = x, y

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        return self.x[i], self.y[i]


# ------------------------------------------------------------------ Subset
def test_subset_indexes_as_torch() -> None:
    torch = pytest.importorskip("torch")
    X, y = _data()
    indices = [7, 2, -1, 4]
    ours = Subset(TensorDataset(X, y), indices)
    theirs = torch.utils.data.Subset(
        torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y)), indices)
    assert len(ours) == len(theirs) == 4
    assert ours.indices is indices and isinstance(ours.dataset, TensorDataset)
    for i in [0, 1, 2, 3, -1, [0, 2], slice(1, 3)]:
        for a, b in zip(ours[i], theirs[i], strict=True):
            np.testing.assert_array_equal(a, b.numpy())


def test_subset_takes_ranges_and_integer_arrays_and_nests() -> None:
    X, y = _data()
    inner = Subset(TensorDataset(X, y), np.arange(2, 9))
    outer = Subset(inner, range(1, 4))
    assert len(outer) == 3
    np.testing.assert_array_equal(outer[0][0], X[3])
    assert [int(s[1]) for s in outer] == [30, 40, 50]  # iterates as PyTorch's
    assert repr(outer).endswith("3 of 7 samples)")
    assert len(Subset(TensorDataset(X), [])) == 0


def test_subset_errors() -> None:
    ds = TensorDataset(*_data())
    with pytest.raises(ConfigError, match=r"Subset: index 10 is out of range for a dataset of "
                                          r"10 samples; indices must lie in \[-10, 10\)"):
        Subset(ds, [0, 10])
    with pytest.raises(ConfigError, match=r"index -11 is out of range"):
        Subset(ds, [-11])
    with pytest.raises(ArgumentTypeError, match=r"pass np.flatnonzero\(mask\)"):
        Subset(ds, np.ones(10, dtype=bool))
    with pytest.raises(ArgumentTypeError, match=r"1-d sequence of ints; got shape \(2,\) "
                                                r"of dtype float64"):
        Subset(ds, [0.0, 1.5])
    with pytest.raises(ArgumentTypeError, match=r"For an iterator pass list\(it\)"):
        Subset(ds, iter([0, 1]))
    assert issubclass(ConfigError, AutogradError) and issubclass(ConfigError, ValueError)
    assert issubclass(ArgumentTypeError, TypeError)


# ------------------------------------------------------------------ DataLoader over a Subset
@pytest.mark.parametrize("shuffle", [False, True])
def test_a_loader_over_a_subset_slices_the_arrays_as_it_reads_samples(shuffle: bool) -> None:
    X, y = _data(23)
    indices = [5, 3, 22, 0, 9, 11, 17, 2, -2, 8, 1]
    fast = DataLoader(Subset(Subset(TensorDataset(X, y), indices), range(2, 11)),
                      batch_size=4, shuffle=shuffle, generator=4)
    slow = DataLoader(Subset(Subset(Samples(X, y), indices), range(2, 11)),
                      batch_size=4, shuffle=shuffle, generator=4)
    assert fast.arrays is not None and fast.arrays[0] is X  # sliced from X, no copy kept
    assert slow.arrays is None
    assert len(fast) == len(slow) == 3
    for a, b in zip(fast, slow, strict=True):
        assert isinstance(a, list) and len(a) == 2
        for u, v in zip(a, b, strict=True):
            assert u.dtype == v.dtype
            np.testing.assert_array_equal(u, v)
    assert repr(fast).startswith("DataLoader(<Subset of 9 samples>, batch_size=4")


def test_a_loader_over_a_subset_matches_torch_batches() -> None:
    torch = pytest.importorskip("torch")
    X, y = _data(12)
    indices = [3, 1, 4, 10, 5, 9, 2, 6]
    ours = DataLoader(Subset(TensorDataset(X, y), indices), batch_size=3, drop_last=True)
    theirs = torch.utils.data.DataLoader(torch.utils.data.Subset(
        torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y)), indices),
        batch_size=3, drop_last=True)
    assert len(ours) == len(theirs) == 2
    for a, b in zip(ours, theirs, strict=True):
        for u, v in zip(a, b, strict=True):
            np.testing.assert_array_equal(u, v.numpy())


# ------------------------------------------------------------------ random_split
@pytest.mark.parametrize("n, lengths", [
    (10, [3, 7]), (10, [0.5, 0.5]), (7, [0.3, 0.3, 0.4]), (10, [0.25] * 4), (10, [1]),
    (10, [0.7, 0.2, 0.1]), (5, [1, 0]), (12, [0.8, 0.2]), (10, [0, 10])])
def test_random_split_lengths_match_torch(n: int, lengths: list[float]) -> None:
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings(record=True) as our_warnings:
        warnings.simplefilter("always")
        ours = random_split(range(n), lengths, generator=0)
    with warnings.catch_warnings(record=True) as their_warnings:
        warnings.simplefilter("always")
        theirs = torch.utils.data.random_split(range(n), lengths)
    assert len(our_warnings) == len(their_warnings)  # an empty split warns in both
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    taken = [i for s in ours for i in s]
    assert sorted(taken) == list(range(n))  # non-overlapping, covering every sample
    assert all(isinstance(s, Subset) and isinstance(s.indices, list) for s in ours)


def test_random_split_warns_of_an_empty_split_and_is_seeded() -> None:
    with pytest.warns(UserWarning, match="random_split: the split at index 1 has length 0"):
        random_split(range(1), [0.5, 0.5])
    X, y = _data()
    first = random_split(TensorDataset(X, y), [6, 4], generator=3)
    again = random_split(TensorDataset(X, y), [6, 4], generator=np.random.default_rng(3))
    assert [s.indices for s in first] == [s.indices for s in again]
    assert first[0].indices == np.random.default_rng(3).permutation(10).tolist()[:6]
    assert np.array_equal(random_split(range(4), np.array([0.5, 0.5]), generator=0)[1].indices,
                          random_split(range(4), [2, 2], generator=0)[1].indices)


def test_random_split_errors() -> None:
    with pytest.raises(ConfigError, match=r"random_split: lengths must be ints >= 0 summing "
                                          r"to len\(dataset\) = 10, or fractions summing to "
                                          r"1; got \[3, 6\] \(sum 9\)"):
        random_split(range(10), [3, 6])
    with pytest.raises(ConfigError, match=r"got \[2.5, 7.5\]"):
        random_split(range(10), [2.5, 7.5])
    with pytest.raises(ConfigError, match=r"got \[12, -2\]"):
        random_split(range(10), [12, -2])
    with pytest.raises(ConfigError, match=r"fractions must lie in \[0, 1\]; the one at index 0 "
                                          r"is 1.5"):
        random_split(range(10), [1.5, -0.5])
    with pytest.raises(ArgumentTypeError, match=r"lengths must be a list of ints or "
                                                r"fractions, e.g. \[800, 200\]"):
        random_split(range(10), 0.8)
    with pytest.raises(TypeError, match="generator must be a numpy.random.Generator"):
        random_split(range(10), [5, 5], generator="seed")


# ------------------------------------------------------------------ ConcatDataset
def test_concat_dataset_indexes_as_torch() -> None:
    torch = pytest.importorskip("torch")
    X, y = _data(9)
    parts = [(0, 4), (4, 4), (4, 9)]  # an empty dataset in the middle
    ours = ConcatDataset([TensorDataset(X[a:b], y[a:b]) for a, b in parts])
    theirs = torch.utils.data.ConcatDataset([torch.utils.data.TensorDataset(
        torch.from_numpy(X[a:b]), torch.from_numpy(y[a:b])) for a, b in parts])
    assert len(ours) == len(theirs) == 9
    assert ours.cumulative_sizes == theirs.cumulative_sizes == [4, 4, 9]
    assert len(ours.datasets) == 3
    for i in range(-9, 9):
        for a, b in zip(ours[i], theirs[i], strict=True):
            np.testing.assert_array_equal(a, b.numpy())
    assert len(list(ours)) == 9  # iteration stops at the end (an IndexError)


def test_a_loader_over_a_concat_dataset_matches_torch_batches() -> None:
    torch = pytest.importorskip("torch")
    X, y = _data(10)
    datasets = [Samples(X[:3], y[:3]), TensorDataset(X[3:], y[3:]), list(zip(X, y))]
    ours = DataLoader(ConcatDataset(datasets), batch_size=4)
    theirs = torch.utils.data.DataLoader(torch.utils.data.ConcatDataset(datasets),
                                         batch_size=4)  # NumPy samples: torch collates them
    assert len(ours) == len(theirs) == 5
    for a, b in zip(ours, theirs, strict=True):
        for u, v in zip(a, b, strict=True):
            assert u.dtype == v.numpy().dtype
            np.testing.assert_array_equal(u, v.numpy())


def test_concat_dataset_errors() -> None:
    ds = ConcatDataset([TensorDataset(*_data(3)), TensorDataset(*_data(2))])
    assert repr(ds) == "ConcatDataset([TensorDataset, TensorDataset], 5 samples)"
    for index in [5, -6]:
        with pytest.raises(TensorIndexError, match=rf"ConcatDataset: index {index} is out "
                                                   rf"of range for 5 samples; give an int "
                                                   rf"in \[-5, 5\)"):
            ds[index]
    assert issubclass(TensorIndexError, IndexError)
    with pytest.raises(ArgumentTypeError, match=r"an index is an int; got slice"):
        ds[1:3]
    with pytest.raises(ConfigError, match="ConcatDataset needs at least one dataset"):
        ConcatDataset([])
    with pytest.raises(ArgumentTypeError, match=r"dataset 1 is a int, not a dataset"):
        ConcatDataset([ds, 3])
    with pytest.raises(ArgumentTypeError, match=r"ConcatDataset takes a list of datasets"):
        ConcatDataset(ds.datasets[0].tensors[0][0, 0])
