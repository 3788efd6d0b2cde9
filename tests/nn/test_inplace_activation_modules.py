"""``nn.ReLU(inplace=True)`` and ``nn.LeakyReLU(slope, inplace=True)`` write into their
input, as PyTorch's do: a program that keeps using the input afterwards (pix2pix's U-Net
block, ``torch.cat([x, self.model(x)], 1)`` where the model starts with
``LeakyReLU(0.2, True)``) sees the activated values there, and gets PyTorch's gradients."""

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import InplaceError

VALUES = np.array([[-2.0, -0.5, 0.0, 0.7], [1.5, -3.0, 2.0, -0.1]])


def skip_block(lib, T, activation, x):
    """pix2pix's UnetSkipConnectionBlock forward, one linear layer deep."""
    h = x * 2.0
    linear = lib.Linear(4, 4)
    with T.no_grad():
        linear.weight.copy_(T.tensor(np.arange(16.0).reshape(4, 4) / 10 - 0.7))
        linear.bias.copy_(T.tensor(np.linspace(-0.3, 0.3, 4)))
    out = T.cat([h, linear(activation(h))], 1)
    (out * T.tensor(np.linspace(1.0, 2.0, 8))).sum().backward()
    return out.detach().numpy(), x.grad.numpy(), h.detach().numpy()


@pytest.mark.parametrize("make", [lambda lib: lib.ReLU(True),
                                  lambda lib: lib.LeakyReLU(0.2, True),
                                  lambda lib: lib.ReLU(inplace=True)])
def test_inplace_module_writes_its_input_as_torch(torch, make):
    want = skip_block(torch.nn, torch, make(torch.nn), torch.tensor(VALUES, requires_grad=True))
    got = skip_block(nn, ag, make(nn), ag.tensor(VALUES, requires_grad=True))
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-15)


def test_out_of_place_module_leaves_its_input(torch):
    x = ag.tensor(VALUES)
    y = nn.LeakyReLU(0.2)(x)
    np.testing.assert_array_equal(x.numpy(), VALUES)
    np.testing.assert_allclose(y.numpy(), torch.nn.LeakyReLU(0.2)(torch.tensor(VALUES)).numpy())


def test_inplace_module_on_a_leaf_that_requires_grad_is_refused_as_torch(torch):
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        torch.nn.ReLU(True)(torch.tensor(VALUES, requires_grad=True))
    with pytest.raises(InplaceError, match="leaf Variable that requires grad"):
        nn.ReLU(True)(ag.tensor(VALUES, requires_grad=True))
