"""``nn.Linear(in_features, out_features, bias, device, dtype)``: PyTorch's factory
arguments, by position or keyword. pytorch/examples' ``mnist_forward_forward`` subclasses
it with ``super().__init__(in_features, out_features, bias, device, dtype)``; the CPU
(None, "cpu") is the only device, another one a ``UsageError``."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn


def test_the_forward_forward_layer_subclasses_linear_as_written(torch) -> None:
    def build(lib, optim):
        class Layer(lib.Linear):
            def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
                super().__init__(in_features, out_features, bias, device, dtype)
                self.relu = lib.ReLU()
                self.opt = optim.Adam(self.parameters(), lr=0.03)

        return Layer

    ours, theirs = build(nn, nn.optim)(3, 4), build(torch.nn, torch.optim)(3, 4)
    assert repr(ours) == repr(theirs)
    assert ours.weight.dtype == np.float64 and ours.bias.shape == (4,)
    assert build(nn, nn.optim)(3, 4, False, "cpu", ag.float32).weight.dtype == np.float32
    assert build(nn, nn.optim)(3, 4, False).bias is None


def test_device_and_dtype_by_keyword() -> None:
    layer = nn.Linear(3, 4, device="cpu", dtype=np.float32)
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32
    assert nn.Linear(3, 4, device=None, dtype=None).weight.dtype == np.float64
    assert nn.Linear(3, 4, True, "cpu:0").weight.shape == (4, 3)


def test_another_device_is_a_usage_error() -> None:
    with pytest.raises(ag.UsageError, match=r"Linear\(device='cuda'\): this library computes "
                                            r"with NumPy on the CPU"):
        nn.Linear(3, 4, device="cuda")
