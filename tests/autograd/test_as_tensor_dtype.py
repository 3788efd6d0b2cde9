"""``autograd.as_tensor(data, dtype=None, device=None)`` takes PyTorch's ``dtype`` and
``device``: replay buffers hand NumPy batches to the network with
``torch.as_tensor(states, dtype=torch.float32, device=device)`` (the DQN ports'); it was
a TypeError. As PyTorch's: no copy when nothing converts, a copy when ``dtype`` does,
a Tensor of another dtype converted with ``to`` (in the graph)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag


@pytest.mark.parametrize("dtype_name", ["float32", "float64", "long", "bool"])
def test_as_tensor_converts_numpy_and_python_data_as_pytorch_s(torch, dtype_name) -> None:
    for data in (np.arange(6.0).reshape(2, 3) - 2.5, [[0, 1], [2, 3]], [True, False]):
        ours = ag.as_tensor(data, dtype=getattr(ag, dtype_name), device="cpu")
        theirs = torch.as_tensor(data, dtype=getattr(torch, dtype_name), device="cpu")
        assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        assert not ours.requires_grad


def test_as_tensor_shares_memory_only_when_nothing_converts(torch) -> None:
    states = np.zeros((2, 4), dtype=np.float32)
    same, converted = ag.as_tensor(states, dtype=ag.float32), ag.as_tensor(states, ag.float64)
    theirs = torch.as_tensor(states, dtype=torch.float32)
    states[0, 0] = 7.0
    assert same.numpy()[0, 0] == theirs[0, 0].item() == 7.0
    assert converted.numpy()[0, 0] == 0.0 and converted.dtype == np.float64


def test_as_tensor_of_a_tensor_converts_in_the_graph_as_pytorch_s(torch) -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    assert ag.as_tensor(x) is x and ag.as_tensor(x, dtype=ag.float64) is x
    y = ag.as_tensor(x, dtype=ag.float32)
    assert y.dtype == np.float32 and y.requires_grad
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])
    tx = torch.tensor([1.0, 2.0], requires_grad=True)
    assert torch.as_tensor(tx, dtype=torch.float32).requires_grad


def test_as_tensor_on_another_device_says_this_engine_runs_on_the_cpu() -> None:
    with pytest.raises(ag.UsageError, match="as_tensor"):
        ag.as_tensor([1.0], device="cuda")
