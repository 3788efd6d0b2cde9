"""A Linear layer's weight updated in place after the forward (an optimizer or
``AveragedModel`` step between forward and backward) is no error when the input needs
no gradient, as in PyTorch: dx reads the weight, dW reads only x (session 36)."""

import numpy as np
import pytest

import autograd
import nn
from autograd import InplaceError, Tensor


@pytest.mark.parametrize("bias", [True, False])
def test_weight_written_after_the_forward_with_a_constant_input(bias: bool) -> None:
    layer = nn.Linear(3, 2, bias=bias)
    x = np.arange(12.0).reshape(4, 3)
    w0 = layer.weight.detach().numpy().copy()
    loss = layer(Tensor(x)).sum()
    with autograd.no_grad():
        layer.weight.add_(1.0)
    loss.backward()
    np.testing.assert_allclose(layer.weight.grad.numpy(), np.ones((2, 4)) @ x)  # g^T x
    assert not np.allclose(layer.weight.detach().numpy(), w0)


def test_an_input_that_needs_a_gradient_still_refuses_the_changed_weight() -> None:
    layer = nn.Linear(3, 2)
    x = Tensor(np.ones((4, 3)), requires_grad=True)
    loss = layer(x).sum()
    with autograd.no_grad():
        layer.weight.mul_(2.0)
    with pytest.raises(InplaceError):
        loss.backward()
