"""PyTorch's device spellings on a module: ``cpu()`` and ``to(..., non_blocking=)`` are
self (everything lives in host memory); ``cuda()`` is a named error."""

import numpy as np
import pytest

import nn
from autograd.errors import UsageError


def test_cpu_and_non_blocking_to_return_the_module_as_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.Linear(2, 2), torch.nn.Linear(2, 2)
    assert ours.cpu() is ours and theirs.cpu() is theirs
    assert ours.to("cpu", non_blocking=True) is ours
    assert theirs.to("cpu", non_blocking=True) is theirs
    assert ours.to(device="cpu", dtype=np.float32, non_blocking=True).weight.dtype == np.float32
    theirs.to(device="cpu", dtype=torch.float32, non_blocking=True)
    assert theirs.weight.dtype == torch.float32


def test_cuda_is_a_named_error():
    with pytest.raises(UsageError, match="NumPy on the CPU"):
        nn.Sequential(nn.Linear(1, 1)).cuda()
