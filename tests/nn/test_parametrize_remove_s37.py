"""remove_parametrizations(leave_parametrized=True) of a tensor with several originals (a
right_inverse that splits it) keeps a trainable parameter if any original requires grad,
else a buffer, as PyTorch's (it used to ask the first original only)."""

import numpy as np
import pytest

import nn
import nn.utils.parametrize as P


class Halves(nn.Module):
    def forward(self, a, b):
        return a + b

    def right_inverse(self, w):
        return w / 2, w / 2


@pytest.mark.parametrize("first, second", [(False, True), (True, False), (True, True),
                                           (False, False)])
def test_the_restored_tensor_trains_if_any_original_did(first, second):
    layer = nn.Linear(2, 2)
    weight = layer.weight.detach().numpy().copy()
    P.register_parametrization(layer, "weight", Halves())
    layer.parametrizations.weight.original0.requires_grad_(first)
    layer.parametrizations.weight.original1.requires_grad_(second)
    P.remove_parametrizations(layer, "weight", leave_parametrized=True)
    trains = first or second
    assert layer.weight.requires_grad == trains
    assert ("weight" in dict(layer.named_parameters())) == trains
    assert ("weight" in dict(layer.named_buffers())) == (not trains)
    np.testing.assert_allclose(layer.weight.detach().numpy(), weight)
