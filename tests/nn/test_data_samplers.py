"""Samplers as torch.utils.data's: the deterministic ones compared with torch, the random
ones by their distributions (fixed seeds, counts within a few standard errors)."""
from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd.errors import AutogradError, GeneratorError, ShapeError
from nn.data import (BatchSampler, DataLoader, RandomSampler, Sampler, SequentialSampler,
                     SubsetRandomSampler, WeightedRandomSampler)
from nn.errors import ArgumentTypeError, ConfigError


def _within_standard_errors(counts: np.ndarray, probabilities: np.ndarray,
                            draws: int, errors: float = 5.0) -> None:
    """Each count is within ``errors`` binomial standard errors of ``draws * p``."""
    expected = draws * probabilities
    spread = np.sqrt(draws * probabilities * (1 - probabilities))
    assert np.all(np.abs(counts - expected) <= errors * spread + 1e-12), (counts, expected)


# ------------------------------------------------------------------ deterministic, vs torch
@pytest.mark.parametrize("source", [range(7), [10, 20, 30], np.zeros((5, 2)), []])
def test_sequential_sampler_as_torch(source: object) -> None:
    torch = pytest.importorskip("torch")
    ours, theirs = SequentialSampler(source), torch.utils.data.SequentialSampler(source)
    assert list(ours) == list(theirs) and len(ours) == len(theirs)
    assert ours.data_source is source and list(ours) == list(ours)  # every epoch again


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("batch_size", [1, 3, 4, 10])
@pytest.mark.parametrize("source", ["range", "list", "sequential"])
def test_batch_sampler_batches_as_torch(source: str, batch_size: int, drop_last: bool) -> None:
    torch = pytest.importorskip("torch")
    indices = {"range": range(10), "list": [4, 0, 9, 9, 2, 7, 1],
               "sequential": SequentialSampler(range(8))}[source]
    theirs_indices = (torch.utils.data.SequentialSampler(range(8))
                      if source == "sequential" else indices)
    ours = BatchSampler(indices, batch_size, drop_last)
    theirs = torch.utils.data.BatchSampler(theirs_indices, batch_size, drop_last)
    assert list(ours) == list(theirs) and len(ours) == len(theirs)
    assert all(type(batch) is list for batch in ours)
    assert (ours.sampler, ours.batch_size, ours.drop_last) == (indices, batch_size, drop_last)


def test_lengths_as_torch() -> None:
    torch = pytest.importorskip("torch")
    data = torch.utils.data
    assert len(RandomSampler(range(6))) == len(data.RandomSampler(range(6))) == 6
    assert len(RandomSampler(range(6), num_samples=15)) == len(
        data.RandomSampler(range(6), num_samples=15)) == 15
    assert len(SubsetRandomSampler([3, 1, 4])) == len(data.SubsetRandomSampler([3, 1, 4]))
    assert len(WeightedRandomSampler([1, 2], 9)) == len(data.WeightedRandomSampler([1, 2], 9))


@pytest.mark.parametrize("make", [
    lambda S: S.BatchSampler(range(5), 0, False),
    lambda S: S.BatchSampler(range(5), True, False),
    lambda S: S.BatchSampler(range(5), 2.0, False),
    lambda S: S.BatchSampler(range(5), 2, 1),
    lambda S: S.RandomSampler([]),
    lambda S: S.RandomSampler(range(3), num_samples=0),
    lambda S: S.RandomSampler(range(3), num_samples=2.0),
    lambda S: S.RandomSampler(range(3), replacement=1),
    lambda S: S.WeightedRandomSampler([1, 2], 0),
    lambda S: S.WeightedRandomSampler([1, 2], True),
    lambda S: S.WeightedRandomSampler([1, 2], 2, replacement=0),
    lambda S: S.WeightedRandomSampler([[1, 2]], 2),
], ids=["bs0", "bs-bool", "bs-float", "drop-int", "empty", "ns0", "ns-float", "repl-int",
        "w-ns0", "w-ns-bool", "w-repl-int", "w-2d"])
def test_errors_are_the_builtins_torch_raises(make: object) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as theirs:
        make(torch.utils.data)
    with pytest.raises(AutogradError) as ours:
        make(nn.data)
    assert isinstance(ours.value, type(theirs.value)), (ours.value, theirs.value)


# ------------------------------------------------------------------ random: distributions
def test_random_sampler_gives_a_new_permutation_every_epoch() -> None:
    sampler = RandomSampler(range(20), generator=0)
    epochs = [list(sampler) for _ in range(5)]
    assert all(sorted(e) == list(range(20)) for e in epochs)
    assert len({tuple(e) for e in epochs}) == 5
    assert [list(RandomSampler(range(20), generator=0)) for _ in range(5)] == [epochs[0]] * 5
    assert all(type(i) is int for i in epochs[0])


def test_random_sampler_more_samples_than_data_chains_permutations() -> None:
    order = list(RandomSampler(range(4), num_samples=11, generator=1))
    assert len(order) == 11
    assert sorted(order[:4]) == sorted(order[4:8]) == [0, 1, 2, 3]
    assert len(set(order[8:])) == 3  # a part of a permutation: no repeat
    assert len(list(RandomSampler(range(4), num_samples=2, generator=1))) == 2


def test_random_sampler_num_samples_follows_the_data_source() -> None:
    data = [1, 2, 3]
    sampler = RandomSampler(data, generator=0)
    data.append(4)
    assert len(sampler) == sampler.num_samples == 4 and sorted(sampler) == [0, 1, 2, 3]


def test_random_sampler_with_replacement_is_uniform() -> None:
    n, draws = 8, 40_000
    drawn = np.array(list(RandomSampler(range(n), replacement=True, num_samples=draws,
                                        generator=3)))
    assert drawn.min() >= 0 and drawn.max() < n
    _within_standard_errors(np.bincount(drawn, minlength=n), np.full(n, 1 / n), draws)


def test_subset_random_sampler_permutes_the_given_indices() -> None:
    indices = [7, 3, 11, 5, 0]
    sampler = SubsetRandomSampler(indices, generator=2)
    epochs = [list(sampler) for _ in range(6)]
    assert all(sorted(e) == sorted(indices) for e in epochs)
    assert len({tuple(e) for e in epochs}) > 1
    assert sampler.indices is indices and all(type(i) is int for i in epochs[0])
    first = np.array([list(SubsetRandomSampler(range(4), generator=g))[0]
                      for g in np.random.default_rng(0).integers(0, 2**31, 4000)])
    _within_standard_errors(np.bincount(first, minlength=4), np.full(4, 0.25), 4000)


def test_weighted_sampler_frequencies_follow_the_weights() -> None:
    weights = np.array([1.0, 0.0, 3.0, 6.0])
    draws = 50_000
    sampler = WeightedRandomSampler(weights, draws, generator=0)
    counts = np.bincount(np.array(list(sampler)), minlength=4)
    assert counts[1] == 0
    _within_standard_errors(counts, weights / weights.sum(), draws)
    assert sampler.weights.dtype == np.float64 and sampler.replacement is True


def test_weighted_sampler_balances_imbalanced_classes() -> None:
    """The tutorial habit: weight each sample by 1 / its class's count."""
    labels = np.array([0] * 90 + [1] * 10)
    weights = 1.0 / np.bincount(labels)[labels]
    sampler = WeightedRandomSampler(weights.tolist(), num_samples=20_000, generator=4)
    drawn_labels = labels[np.array(list(sampler))]
    _within_standard_errors(np.bincount(drawn_labels), np.array([0.5, 0.5]), 20_000)


def test_weighted_sampler_without_replacement_draws_successively() -> None:
    """P(first = i) = w_i / W; P(second = j) = sum_i p_i p_j / (1 - p_i), i != j."""
    p = np.array([1.0, 2.0, 3.0, 4.0]) / 10
    sampler = WeightedRandomSampler(p * 10, 2, replacement=False, generator=5)
    pairs = np.array([list(sampler) for _ in range(20_000)])
    assert np.all(pairs[:, 0] != pairs[:, 1])
    second = np.array([sum(p[i] * p[j] / (1 - p[i]) for i in range(4) if i != j)
                       for j in range(4)])
    _within_standard_errors(np.bincount(pairs[:, 0], minlength=4), p, 20_000)
    _within_standard_errors(np.bincount(pairs[:, 1], minlength=4), second, 20_000)
    assert sorted(WeightedRandomSampler([5, 0, 1], 2, replacement=False)) == [0, 2]


def test_generators_are_seeds_generators_or_the_package_default() -> None:
    nn.manual_seed(3)
    first = list(RandomSampler(range(10)))
    nn.manual_seed(3)
    assert list(RandomSampler(range(10))) == first  # None: the default generator
    shared = np.random.default_rng(8)
    assert RandomSampler(range(3), generator=shared).generator is shared
    assert list(WeightedRandomSampler([1, 1, 1], 6, generator=1)) == list(
        WeightedRandomSampler([1, 1, 1], 6, generator=np.random.default_rng(1)))
    with pytest.raises(GeneratorError, match=r"generator must be a numpy.random.Generator"):
        SubsetRandomSampler([0, 1], generator="0")


# ------------------------------------------------------------------ errors, base class
def test_sampler_errors_say_what_to_do() -> None:
    with pytest.raises(ArgumentTypeError, match=r"SequentialSampler: data_source must have a "
                                                r"len\(\).*got int"):
        SequentialSampler(5)
    with pytest.raises(ConfigError, match=r"num_samples must be a positive int; got 0 \(the "
                                          r"data source is empty\)"):
        RandomSampler([])
    with pytest.raises(ArgumentTypeError, match=r"replacement must be True or False; got int"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ArgumentTypeError, match=r"indices must be a 1-d sequence of ints"):
        SubsetRandomSampler([0.5, 1.0])
    with pytest.raises(ArgumentTypeError, match=r"For an iterator pass list\(it\)"):
        SubsetRandomSampler(iter([0, 1]))
    with pytest.raises(ConfigError, match=r"weights must be finite and >= 0; the one at "
                                          r"index 1 is -2.0"):
        WeightedRandomSampler([1, -2], 3)
    with pytest.raises(ConfigError, match=r"the one at index 0 is nan"):
        WeightedRandomSampler([float("nan"), 1], 3)
    with pytest.raises(ConfigError, match=r"finite, positive sum; got 0.0"):
        WeightedRandomSampler([0, 0], 3)
    with pytest.raises(ShapeError, match=r"weights must be 1-d, one per sample; got shape"):
        WeightedRandomSampler([[1, 2]], 3)
    with pytest.raises(ArgumentTypeError, match=r"weights must be numbers"):
        WeightedRandomSampler(["a", "b"], 3)
    with pytest.raises(ConfigError, match=r"without replacement num_samples can be at most "
                                          r"the number of positive weights, 2; got "
                                          r"num_samples=3"):
        WeightedRandomSampler([1, 0, 2], 3, replacement=False)
    with pytest.raises(ConfigError, match=r"BatchSampler: batch_size must be a positive int"):
        BatchSampler(range(4), 0, False)
    with pytest.raises(ConfigError, match=r"drop_last must be True or False; got int 1"):
        BatchSampler(range(4), 2, 1)
    with pytest.raises(ArgumentTypeError, match=r"BatchSampler: sampler must give indices"):
        BatchSampler(4, 2, False)


def test_an_emptied_data_source_is_a_named_error() -> None:
    data = [1, 2]
    sampler = RandomSampler(data, num_samples=3)
    data.clear()
    with pytest.raises(ConfigError, match=r"the data source is empty"):
        list(sampler)


def test_sampler_base_class() -> None:
    class EvensFirst(Sampler[int]):
        def __init__(self, n: int) -> None:
            self.n = n

        def __iter__(self):  # noqa: ANN204
            return iter(list(range(0, self.n, 2)) + list(range(1, self.n, 2)))

        def __len__(self) -> int:
            return self.n

    loader = DataLoader(np.arange(5.0), batch_size=5, sampler=EvensFirst(5))
    np.testing.assert_array_equal(next(iter(loader)), [0.0, 2.0, 4.0, 1.0, 3.0])
    with pytest.raises(NotImplementedError, match=r"Sampler must define __iter__"):
        iter(Sampler())


@pytest.mark.parametrize("make", [lambda: RandomSampler(range(10), generator=0),
                                  lambda: SubsetRandomSampler(range(10), generator=0),
                                  lambda: WeightedRandomSampler([1] * 10, 10, generator=0)])
def test_random_samplers_order_a_loader(make: object) -> None:
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    loader = DataLoader(X, y, batch_size=4, sampler=make())
    order = list(make())
    batches = list(loader)
    assert len(batches) == len(loader) == 3
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), order)
