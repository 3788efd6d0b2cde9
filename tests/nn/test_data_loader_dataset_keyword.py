"""``DataLoader(dataset=train_set, num_workers=..., batch_size=..., shuffle=True)``: PyTorch's
first parameter by its name (pytorch/examples' super_resolution writes it so) is the same
loader as ``DataLoader(train_set, ...)``; given both ways it is a ``ConfigError``."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from nn.data import DataLoader, TensorDataset
from nn.errors import ConfigError


def _batches(loader) -> list:
    return [[t.numpy() for t in batch] for batch in loader]


def test_the_dataset_by_keyword_is_the_same_loader(torch) -> None:
    X, y = ag.tensor(np.arange(20.0).reshape(10, 2)), ag.tensor(np.arange(10))
    train_set = TensorDataset(X, y)
    by_name = DataLoader(dataset=train_set, num_workers=4, batch_size=4, shuffle=True,
                         generator=0)
    by_position = DataLoader(train_set, num_workers=4, batch_size=4, shuffle=True,
                             generator=0)
    assert by_name.dataset is train_set and len(by_name) == 3
    for a, b in zip(_batches(by_name), _batches(by_position), strict=True):
        for u, v in zip(a, b, strict=True):
            np.testing.assert_array_equal(u, v)
    theirs = torch.utils.data.DataLoader(dataset=torch.utils.data.TensorDataset(
        torch.zeros(10)), batch_size=4, shuffle=False)
    assert len(theirs) == len(DataLoader(dataset=train_set, batch_size=4, shuffle=False))


def test_the_dataset_given_twice_is_an_error() -> None:
    X = ag.zeros(4, 2)
    with pytest.raises(ConfigError, match=r"the dataset was given both by position and as "
                                          r"dataset="):
        DataLoader(TensorDataset(X), dataset=TensorDataset(X))
