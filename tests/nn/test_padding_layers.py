"""The padding layers (ZeroPad2d, ConstantPad1d, ReflectionPad2d, ...) against PyTorch's,
with their errors."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor
from nn.errors import ArgumentTypeError, ConfigError

LAYERS = [  # (name, extra constructor arguments, input shape)
    ("ZeroPad1d", (), (2, 5)), ("ZeroPad2d", (), (2, 3, 5)), ("ZeroPad3d", (), (1, 3, 4, 5)),
    ("ConstantPad1d", (1.5,), (2, 5)), ("ConstantPad2d", (-2.0,), (3, 4, 5)),
    ("ConstantPad3d", (0.5,), (2, 3, 4, 5)),
    ("ReflectionPad1d", (), (2, 5)), ("ReflectionPad2d", (), (2, 3, 4, 5)),
    ("ReflectionPad3d", (), (2, 3, 4, 5)), ("ReplicationPad1d", (), (2, 3, 5)),
    ("ReplicationPad2d", (), (3, 4, 5)), ("ReplicationPad3d", (), (1, 2, 3, 4, 5)),
    ("CircularPad1d", (), (2, 5)), ("CircularPad2d", (), (2, 3, 4, 5)),
    ("CircularPad3d", (), (2, 3, 4, 5)),
]


@pytest.mark.parametrize("name, extra, shape", LAYERS)
@pytest.mark.parametrize("padding", ["int", "tuple"])
def test_padding_layers_match_torch(name, extra, shape, padding):
    torch = pytest.importorskip("torch")
    axes = int(name[-2])
    padding = 2 if padding == "int" else (-1, 0, 1, 2, 0, 1)[:2 * axes]
    ours, theirs = getattr(nn, name)(padding, *extra), getattr(torch.nn, name)(padding, *extra)
    assert repr(ours) == repr(theirs)
    assert ours.padding == theirs.padding and not list(ours.parameters())
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape)
    t, tx = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = ours(t), theirs(tx)
    np.testing.assert_array_equal(out.data, tout.detach().numpy())
    upstream = rng.normal(size=out.shape)
    out.backward(upstream)
    tout.backward(torch.tensor(upstream))
    np.testing.assert_allclose(t.grad.data, tx.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_padding_layers_call_f_pad():
    x = Tensor(np.arange(12.0).reshape(1, 3, 4))
    np.testing.assert_array_equal(nn.ReplicationPad2d((1, 0, 2, 1))(x).data,
                                  F.pad(x, (1, 0, 2, 1), "replicate").data)
    np.testing.assert_array_equal(nn.ZeroPad2d(1)(x).data, F.pad(x, (1, 1, 1, 1)).data)
    assert nn.ZeroPad2d(1).value == 0.0 and nn.ConstantPad1d(1, 2).value == 2.0


def test_padding_layer_errors_are_named():
    with pytest.raises(ConfigError, match=r"ZeroPad2d: padding needs 4 ints.*got 2: \(1, 2\)"):
        nn.ZeroPad2d((1, 2))  # PyTorch would pad only the last axis
    with pytest.raises(ArgumentTypeError, match="ReflectionPad1d: padding must be an int or"):
        nn.ReflectionPad1d(1.5)
    with pytest.raises(ArgumentTypeError, match="CircularPad2d: padding must be"):
        nn.CircularPad2d("1")
    with pytest.raises(ArgumentTypeError, match="ConstantPad1d: value must be"):
        nn.ConstantPad1d(1, "0")
    with pytest.raises(TypeError):
        nn.ConstantPad2d(1)  # value is required, as PyTorch
    with pytest.raises(ValueError, match="mode='reflect' needs widths smaller"):
        nn.ReflectionPad1d(3)(Tensor(np.ones((1, 3))))
