"""DataLoader where differential fuzzing against torch.utils.data found it lenient or
different: flags checked, an empty dataset with shuffle=True, Python ints beyond int64,
collate_fn on the rows of one array, ``loader.sampler``/``loader.batch_sampler`` filled in,
worker options checked, OrderedDict samples. Compared with PyTorch where it has the case."""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import nn
from autograd.errors import AutogradError, DataError
from nn.data import (BatchSampler, DataLoader, RandomSampler, SequentialSampler,
                     TensorDataset, default_collate)
from nn.errors import ArgumentTypeError, ConfigError
from nn.train import fit


@pytest.mark.parametrize("value", ["False", None, 0, 1, 1.0])
def test_drop_last_and_shuffle_must_be_bools(value, torch) -> None:
    """PyTorch's ValueError for drop_last; a string "False" dropped the last batch here."""
    with pytest.raises(ValueError):
        torch.utils.data.DataLoader(torch.zeros(5), batch_size=2, drop_last=value)
    with pytest.raises(ArgumentTypeError, match="drop_last"):
        DataLoader(np.arange(5), batch_size=2, drop_last=value)
    if value is not None:  # shuffle=None is PyTorch's default, False
        with pytest.raises(ArgumentTypeError, match="shuffle"):
            DataLoader(np.arange(5), batch_size=2, shuffle=value)
    assert DataLoader(np.arange(5), batch_size=2, shuffle=None).shuffle is False


def test_shuffle_given_by_position_and_by_keyword_is_refused(torch) -> None:
    with pytest.raises(TypeError):
        torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.zeros(5)), 2, True,
                                    shuffle=False)
    with pytest.raises(ConfigError, match="both by position and by keyword"):
        DataLoader(TensorDataset(np.zeros(5)), 2, True, shuffle=False)


def test_shuffling_an_empty_dataset_is_refused_as_pytorch(torch) -> None:
    with pytest.raises(ValueError):
        torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.zeros(0, 3)),
                                    batch_size=4, shuffle=True)
    with pytest.raises(ConfigError, match="dataset is empty"):
        DataLoader(TensorDataset(np.zeros((0, 3))), batch_size=4, shuffle=True)
    assert len(DataLoader(TensorDataset(np.zeros((0, 3))), batch_size=4)) == 0
    model = nn.Linear(3, 1, rng=0)  # fit names the empty data as before
    with pytest.raises(ConfigError, match="fit: the train data gives no batch"):
        fit(model, nn.functional.mse_loss, nn.optim.SGD(model.parameters(), lr=0.1),
            (np.zeros((0, 3)), np.zeros((0, 1))), epochs=1, progress=False)


@pytest.mark.parametrize("samples", [[2 ** 63 + 1, 1], [2 ** 63, 2 ** 63 + 1], [-2 ** 63 - 1],
                                     [[2 ** 63 + 1], [1]]])
def test_python_ints_beyond_int64_are_refused_not_rounded(samples, torch) -> None:
    """NumPy made them uint64, or float64 with the int rounded; PyTorch raises."""
    with pytest.raises((ValueError, RuntimeError, OverflowError)):
        torch.utils.data.default_collate(samples)
    with pytest.raises(DataError, match="outside int64's range"):
        default_collate(samples)
    with pytest.raises(DataError, match="outside int64's range"):
        list(DataLoader(samples, batch_size=2))
    edge = default_collate([2 ** 63 - 1, -2 ** 63])  # the range's ends fit
    assert edge.dtype == np.int64 and edge.tolist() == [2 ** 63 - 1, -2 ** 63]
    big = np.array([2 ** 63 + 1, 1], dtype=np.uint64)  # an array keeps its dtype
    assert next(iter(DataLoader(big, batch_size=2))).dtype == np.uint64


def test_collate_fn_of_one_array_gets_its_rows(torch) -> None:
    """DataLoader(X, collate_fn=f) hands f X's rows (1-tuples before), as PyTorch's
    DataLoader(tensor); a collate_fn that calls default_collate gives what no collate_fn
    gives, a Tensor."""
    X = np.arange(8.0).reshape(4, 2)
    ours = next(iter(DataLoader(X, batch_size=2, collate_fn=lambda b: b)))
    theirs = next(iter(torch.utils.data.DataLoader(torch.tensor(X), batch_size=2,
                                                   collate_fn=lambda b: b)))
    assert len(ours) == len(theirs) == 2
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b.numpy())
    wrapped = next(iter(DataLoader(X, batch_size=2, collate_fn=default_collate)))
    np.testing.assert_array_equal(wrapped, next(iter(DataLoader(X, batch_size=2))))


def test_the_loader_names_its_sampler_and_batch_sampler_as_pytorch(torch) -> None:
    """len(loader.sampler) and loader.batch_sampler.batch_size, as PyTorch fills them in;
    a shuffling loader's RandomSampler draws the permutation an epoch draws."""
    X = np.arange(12.0).reshape(6, 2)
    theirs = torch.utils.data.DataLoader(torch.tensor(X), batch_size=4, shuffle=True)
    ours = DataLoader(X, batch_size=4, shuffle=True, generator=3)
    assert type(ours.sampler).__name__ == type(theirs.sampler).__name__ == "RandomSampler"
    assert len(ours.sampler) == len(theirs.sampler) == 6
    assert isinstance(ours.batch_sampler, BatchSampler)
    assert ours.batch_sampler.batch_size == theirs.batch_sampler.batch_size == 4
    assert ours.batch_sampler.drop_last is theirs.batch_sampler.drop_last is False
    order = list(DataLoader(X, batch_size=4, shuffle=True, generator=3).sampler)
    rows = np.concatenate([b.numpy() for b in ours])
    np.testing.assert_array_equal(rows, X[order])
    plain = DataLoader(X, batch_size=4)
    assert isinstance(plain.sampler, SequentialSampler) and list(plain.sampler) == list(range(6))
    given = RandomSampler(range(6), generator=0)
    assert DataLoader(X, batch_size=4, sampler=given).sampler is given


def test_resume_lists_a_shuffling_loaders_generator_once() -> None:
    """The RandomSampler made to describe the order shares the loader's generator: a
    checkpoint holds it once, under the loader's name, as before."""
    from nn.train.resume import loader_generators
    loader = DataLoader(np.zeros((6, 2)), batch_size=4, shuffle=True, generator=0)
    assert [name for name, _ in loader_generators(loader)] == ["loader.generator"]


def test_worker_options_are_checked_as_pytorch(torch) -> None:
    dataset = torch.utils.data.TensorDataset(torch.zeros(4))
    for options in (dict(prefetch_factor=-1), dict(multiprocessing_context="bogus")):
        with pytest.raises(ValueError):
            torch.utils.data.DataLoader(dataset, num_workers=2, **options)
        with pytest.raises(ConfigError):
            DataLoader(TensorDataset(np.zeros(4)), num_workers=2, **options)
    with pytest.raises(ArgumentTypeError, match="context object"):
        DataLoader(TensorDataset(np.zeros(4)), num_workers=2, multiprocessing_context=3)
    loader = DataLoader(TensorDataset(np.zeros(4)), num_workers=2, prefetch_factor=0,
                        multiprocessing_context="spawn")
    assert loader.prefetch_factor == 0 and loader.multiprocessing_context == "spawn"


def test_ordered_dict_samples_collate_to_an_ordered_dict(torch) -> None:
    samples = [OrderedDict(b=1, a=2.0), OrderedDict(b=3, a=4.0)]
    ours, theirs = default_collate(samples), torch.utils.data.default_collate(samples)
    assert type(ours) is type(theirs) is OrderedDict and list(ours) == list(theirs)
    assert ours["b"].tolist() == theirs["b"].tolist()


def test_every_refusal_here_is_a_library_error() -> None:
    for call in (lambda: DataLoader(np.arange(3), drop_last="yes"),
                 lambda: DataLoader(np.zeros((0, 2)), shuffle=True),
                 lambda: default_collate([2 ** 64 - 1])):
        with pytest.raises(AutogradError):
            call()
