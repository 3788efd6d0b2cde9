"""DataLoader's ``persistent_workers`` (pytorch/examples' MNIST script passes
``{'num_workers': 1, 'persistent_workers': True, 'pin_memory': True, 'shuffle': True}``):
accepted and changing nothing, as ``num_workers`` (there are no workers to keep alive);
with ``num_workers=0`` it is PyTorch's ValueError."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from nn.data import DataLoader, TensorDataset
from nn.errors import ConfigError


def test_the_mnist_scripts_accelerator_options_are_accepted(torch) -> None:
    X, y = ag.tensor(np.arange(20.0).reshape(10, 2)), ag.tensor(np.arange(10))
    accel_kwargs = {'num_workers': 1, 'persistent_workers': True, 'pin_memory': True,
                    'shuffle': True}
    train_kwargs = {'batch_size': 4}
    train_kwargs.update(accel_kwargs)
    loader = DataLoader(TensorDataset(X, y), **train_kwargs, generator=0)
    assert loader.persistent_workers is True and len(loader) == 3
    rows = np.concatenate([xb.numpy()[:, 0] // 2 for xb, _ in loader])
    assert sorted(rows.tolist()) == list(range(10))
    assert DataLoader(X, y).persistent_workers is False
    theirs = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.zeros(4)),
                                         **train_kwargs)
    assert theirs.persistent_workers is True


def test_persistent_workers_need_workers_as_in_torch(torch) -> None:
    X = ag.zeros(4, 2)
    with pytest.raises(ValueError, match="persistent_workers option needs num_workers > 0"):
        torch.utils.data.DataLoader(torch.zeros(4), persistent_workers=True)
    with pytest.raises(ConfigError, match=r"persistent_workers option needs num_workers > 0"):
        DataLoader(X, persistent_workers=True)
