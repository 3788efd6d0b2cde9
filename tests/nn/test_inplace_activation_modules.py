"""``nn.ReLU(inplace=True)``, ``nn.LeakyReLU(slope, inplace=True)`` and the other
activations that take ``inplace`` (modules and functions) write into their input, as
PyTorch's do: a program that keeps using the input afterwards (pix2pix's U-Net
block, ``torch.cat([x, self.model(x)], 1)`` where the model starts with
``LeakyReLU(0.2, True)``) sees the activated values there, and gets PyTorch's gradients."""

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import InplaceError

VALUES = np.array([[-2.0, -0.5, 0.0, 0.7], [1.5, -3.0, 2.0, -0.1]])


def assert_agree(got, want, loose=False):
    """Values, input gradient and the written input agree. ``loose``: PyTorch's celu and
    hardsigmoid backward use a float32 constant even in float64 (1/6 is 0.16666667163,
    a relative error ~3e-8; ours is exact), so there the gradients get 1e-7."""
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-7 if loose else 1e-12, atol=1e-15)


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
    assert_agree(got, want)


@pytest.mark.parametrize("name, args", [("relu", ()), ("leaky_relu", (0.2,)), ("elu", (0.7,)),
                                        ("hardtanh", (-0.5, 0.5)), ("silu", ()),
                                        ("relu6", ()), ("selu", ()), ("celu", (0.8,)),
                                        ("mish", ()), ("hardsigmoid", ()), ("hardswish", ()),
                                        ("threshold", (0.1, -2.0)),
                                        ("rrelu", (0.1, 0.3, False))])
def test_inplace_function_writes_its_input_as_torch(torch, name, args):
    def activation(lib):
        return lambda h: getattr(lib.functional, name)(h, *args, inplace=True)
    want = skip_block(torch.nn, torch, activation(torch.nn),
                      torch.tensor(VALUES, requires_grad=True))
    got = skip_block(nn, ag, activation(nn), ag.tensor(VALUES, requires_grad=True))
    assert_agree(got, want, loose=name in ("celu", "hardsigmoid"))


@pytest.mark.parametrize("make", [lambda lib: lib.ELU(0.7, True),
                                  lambda lib: lib.Hardtanh(-0.5, 0.5, inplace=True),
                                  lambda lib: lib.SiLU(inplace=True),
                                  lambda lib: lib.ReLU6(True), lambda lib: lib.SELU(True),
                                  lambda lib: lib.CELU(0.8, True), lambda lib: lib.Mish(True),
                                  lambda lib: lib.Hardsigmoid(True),
                                  lambda lib: lib.Hardswish(True),
                                  lambda lib: lib.Threshold(0.1, -2.0, True),
                                  lambda lib: lib.RReLU(0.1, 0.3, True).eval()])
def test_more_inplace_modules_write_their_input_as_torch(torch, make):
    want = skip_block(torch.nn, torch, make(torch.nn), torch.tensor(VALUES, requires_grad=True))
    got = skip_block(nn, ag, make(nn), ag.tensor(VALUES, requires_grad=True))
    assert_agree(got, want, loose=type(make(nn)).__name__ in ("CELU", "Hardsigmoid"))


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
