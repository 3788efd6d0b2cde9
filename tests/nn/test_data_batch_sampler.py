"""DataLoader(batch_sampler=...): batches of indices, as torch's DataLoader reads them."""
from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd.errors import TensorIndexError
from nn.data import (BatchSampler, DataLoader, RandomSampler, SequentialSampler, Subset,
                     TensorDataset)
from nn.errors import ArgumentTypeError, ConfigError
from nn.train import fit


def _data(n: int = 10) -> tuple[np.ndarray, np.ndarray]:
    return np.arange(2.0 * n).reshape(n, 2), np.arange(n) * 10


def _same_batches(ours: object, theirs: object) -> None:
    ours, theirs = list(ours), list(theirs)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        assert isinstance(a, list) and isinstance(b, list) and len(a) == len(b)
        for u, v in zip(a, b, strict=True):
            assert u.dtype == v.numpy().dtype
            np.testing.assert_array_equal(u, v.numpy())


BATCHES = {"list": [[0, 1, 2], [9, -1], [5, 5, 3, 7]], "tuples": [(4,), (0, 2)],
           "arrays": [np.array([3, 1]), range(6, 9)]}


@pytest.mark.parametrize("kind", ["arrays", "tensor_dataset", "samples", "subset"])
@pytest.mark.parametrize("batches", ["list", "tuples", "arrays", "batch_sampler"])
def test_batches_of_indices_as_torch(kind: str, batches: str) -> None:
    torch = pytest.importorskip("torch")
    X, y = _data()

    def make(module: object) -> object:
        if batches == "batch_sampler":
            return module.BatchSampler(module.SequentialSampler(range(10)), 4, False)
        return BATCHES[batches]

    rows = [2, 9, 4, 0, 7, 1, 3, 8, 6, 5]  # a Subset in another order
    data = {"arrays": (X, y), "tensor_dataset": (TensorDataset(X, y),),
            "samples": (list(zip(X, y)),), "subset": (Subset(TensorDataset(X, y), rows),)}
    ours = DataLoader(*data[kind], batch_sampler=make(nn.data))
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y))
    if kind == "subset":
        dataset = torch.utils.data.Subset(dataset, rows)
    theirs = torch.utils.data.DataLoader(dataset, batch_sampler=make(torch.utils.data))
    assert len(ours) == len(theirs)
    assert ours.batch_size is theirs.batch_size is None and ours.drop_last is False
    _same_batches(ours, theirs)


def test_a_batch_sampler_is_iterated_again_every_epoch() -> None:
    X, y = _data()
    sampler = BatchSampler(RandomSampler(range(10), generator=0), 3, drop_last=True)
    loader = DataLoader(X, y, batch_sampler=sampler)
    first, second = ([b[1] for b in loader] for _ in range(2))
    assert len(loader) == len(first) == 3 and all(len(b) == 3 for b in first)
    assert not all(np.array_equal(a, b) for a, b in zip(first, second))
    # PyTorch's loader.sampler is then a SequentialSampler of the dataset, unused
    assert loader.batch_sampler is sampler
    assert isinstance(loader.sampler, nn.data.SequentialSampler)


def test_a_loader_with_a_batch_sampler_trains_with_fit() -> None:
    X, y = _data(12)
    model = nn.Linear(2, 1, rng=0)
    loader = DataLoader(X / 20, (y / 100.0).reshape(-1, 1),
                        batch_sampler=BatchSampler(range(12), 5, False))
    history = fit(model, nn.functional.mse_loss, nn.optim.SGD(model.parameters(), lr=0.1),
                  loader, epochs=2, progress=False)
    assert len(history) == 2


@pytest.mark.parametrize("options", [dict(batch_size=4), dict(batch_size=None),
                                     dict(shuffle=True), dict(drop_last=True),
                                     dict(sampler=range(10))],
                         ids=["batch_size", "batch_size_none", "shuffle", "drop_last",
                              "sampler"])
def test_batch_sampler_excludes_the_other_batch_options_as_torch(options: dict) -> None:
    torch = pytest.importorskip("torch")
    X, y = _data()
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(X))
    with pytest.raises(ValueError, match="mutually exclusive"):
        torch.utils.data.DataLoader(dataset, batch_sampler=[[0]], **options)
    name = next(iter(options))
    with pytest.raises(ConfigError, match=rf"batch_sampler gives the batches, so batch_size, "
                                          rf"shuffle, sampler and drop_last must be left out; "
                                          rf"got {name}=.*BatchSampler\(RandomSampler"):
        DataLoader(X, y, batch_sampler=[[0]], **options)


def test_options_left_at_their_torch_defaults_are_accepted() -> None:
    torch = pytest.importorskip("torch")
    X, y = _data()
    defaults = dict(batch_size=1, shuffle=False, sampler=None, drop_last=False)
    torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.from_numpy(X)),
                                batch_sampler=[[0]], **defaults)
    loader = DataLoader(X, y, batch_sampler=[[0], [1, 2]], **defaults)
    assert len(loader) == 2 and loader.batch_size is None


def test_len_and_repr() -> None:
    X, y = _data()
    loader = DataLoader(X, y, batch_sampler=BatchSampler(SequentialSampler(X), 4, True))
    assert len(loader) == 2
    assert repr(loader) == "DataLoader((10, 2), (10,), batch_sampler=<BatchSampler of 2 " \
                           "batches>)"
    assert repr(DataLoader(X, y, batch_size=32)) == repr(DataLoader(X, y))  # the default


def test_batch_sampler_errors() -> None:
    X, y = _data()
    with pytest.raises(ArgumentTypeError, match=r"batch_sampler must give the lists of indices "
                                                r".* of an epoch at every iter\(\); got int"):
        DataLoader(X, y, batch_sampler=5)  # (no len() is needed: PyTorch's asks none)
    with pytest.raises(ArgumentTypeError, match=r"batch 0 of the batch_sampler is int 0, not a "
                                                r"list of indices.*go in sampler="):
        list(DataLoader(X, y, batch_sampler=range(3)))
    with pytest.raises(ConfigError, match=r"batch 1 of the batch_sampler is empty"):
        list(DataLoader(X, y, batch_sampler=[[0], []]))
    with pytest.raises(TensorIndexError, match=r"batch 1 of the batch_sampler gave index 10, "
                                               r"out of range for a dataset of 10 samples"):
        list(DataLoader(TensorDataset(X, y), batch_sampler=[[0], [10]]))
    with pytest.raises(ArgumentTypeError, match=r"batch 0 of the batch_sampler must give int "
                                                r"indices; it gave float64"):
        list(DataLoader(list(zip(X, y)), batch_sampler=[[0.5]]))


def test_a_batch_sampler_given_as_sampler_says_where_it_goes() -> None:
    X, y = _data()
    with pytest.raises(ConfigError, match=r"a BatchSampler gives lists of indices, not "
                                          r"indices; pass it as batch_sampler="):
        DataLoader(X, y, sampler=BatchSampler(range(10), 3, False))
    with pytest.raises(ArgumentTypeError, match=r"the sampler must give int indices.*\(lists "
                                                r"of indices go in batch_sampler=\)"):
        list(DataLoader(X, y, sampler=[[0, 1], [2, 3]]))
