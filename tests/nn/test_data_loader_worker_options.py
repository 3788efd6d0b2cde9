"""DataLoader's worker options that Hugging Face's ``Trainer.get_train_dataloader`` passes
(``worker_init_fn=seed_worker``, ``prefetch_factor=None`` with ``num_workers=0``), and
``timeout``, ``multiprocessing_context``, ``pin_memory_device``, ``in_order``: accepted as
PyTorch accepts them (with no workers a ``worker_init_fn`` is never called, there or
here), and PyTorch's ValueError where its values need workers."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from nn.data import DataLoader, TensorDataset
from nn.errors import ConfigError


def test_the_trainers_dataloader_params_are_accepted(torch) -> None:
    called = []

    def seed_worker(worker_id):
        called.append(worker_id)

    params = {"batch_size": 4, "num_workers": 0, "pin_memory": False,
              "persistent_workers": False, "drop_last": False, "worker_init_fn": seed_worker,
              "prefetch_factor": None, "timeout": 0, "multiprocessing_context": None,
              "pin_memory_device": "", "in_order": True}
    X = np.arange(20.0).reshape(10, 2)
    ours = [xb.numpy() for xb, in DataLoader(TensorDataset(ag.tensor(X)), **params)]
    theirs = [xb.numpy() for xb, in torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(X)), **params)]
    assert len(ours) == len(theirs) == 3
    for got, want in zip(ours, theirs):
        np.testing.assert_array_equal(got, want)
    assert called == []  # no workers: PyTorch never calls it either


@pytest.mark.parametrize("options, message", [
    ({"prefetch_factor": 2}, "prefetch_factor option could only be specified in "
                             "multiprocessing"),
    ({"timeout": -1}, "timeout option should be non-negative"),
    ({"multiprocessing_context": "spawn"}, "multiprocessing_context can only be used with "
                                           "multi-process loading"),
])
def test_options_that_need_workers_are_pytorchs_value_errors(torch, options, message) -> None:
    X = np.zeros((4, 2))
    with pytest.raises(ValueError, match=message):
        torch.utils.data.DataLoader(torch.tensor(X), **options)
    with pytest.raises(ConfigError, match=message):
        DataLoader(X, **options)


def test_a_worker_init_fn_with_workers_is_named_and_an_unknown_keyword_is_a_type_error():
    X = np.zeros((4, 2))
    with pytest.raises(ConfigError, match="worker_init_fn runs in worker processes"):
        DataLoader(X, num_workers=2, worker_init_fn=print)
    assert DataLoader(X, num_workers=2, prefetch_factor=4).num_workers == 2
    with pytest.raises(TypeError, match="unexpected keyword argument 'prefech_factor'"):
        DataLoader(X, prefech_factor=None)
