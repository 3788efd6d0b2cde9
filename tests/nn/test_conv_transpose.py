"""F.conv_transpose1d/2d and nn.ConvTranspose1d/2d against PyTorch (values, gradients in
input, weight and bias, state dicts, init, repr, output_size), finite differences to
second order and named errors."""

import math

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor
from autograd.errors import ShapeError
from nn.errors import ArgumentTypeError, ConfigError

from torch_compare_helpers import module_gradients_match_finite_differences, normal, run_both

CASES2D = [  # (C_in, C_out, kernel, stride, padding, output_padding, groups, dilation, (H, W))
    (1, 3, 3, 1, 0, 0, 1, 1, (4, 4)),
    (2, 3, 3, 2, 1, 1, 1, 1, (4, 5)),
    (4, 6, (3, 2), (2, 3), (1, 0), (1, 2), 2, (2, 1), (3, 4)),
    (3, 3, 3, 1, 0, 1, 3, 2, (2, 2)),  # output padding below the dilation, not the stride
    (2, 4, 4, 2, 1, 0, 1, 1, (3, 3)),  # the DCGAN generator's doubling layer
    (2, 2, 1, 1, 0, 0, 1, 1, (3, 2)),
]

CASES1D = [  # (C_in, C_out, kernel, stride, padding, output_padding, groups, dilation, L)
    (1, 2, 3, 1, 0, 0, 1, 1, 5), (4, 2, 2, 3, 1, 2, 2, 1, 4), (2, 4, 3, 2, 2, 0, 2, 3, 6),
]


def _case(torch, dims, case, bias=True, batch=(2,)):
    c_in, c_out, kernel, stride, padding, output_padding, groups, dilation, spatial = case
    kernel = (kernel,) * dims if isinstance(kernel, int) else kernel
    spatial = (spatial,) if isinstance(spatial, int) else spatial
    arrays = [normal(1, batch + (c_in,) + spatial), normal(2, (c_in, c_out // groups) + kernel),
              normal(3, (c_out,)) if bias else None]
    ours = getattr(F, f"conv_transpose{dims}d")
    theirs = getattr(torch.nn.functional, f"conv_transpose{dims}d")
    args = (stride, padding, output_padding, groups, dilation)
    run_both(torch, lambda x, w, b: ours(x, w, b, *args), lambda x, w, b: theirs(x, w, b, *args),
             arrays)


@pytest.mark.parametrize("case", CASES2D)
@pytest.mark.parametrize("bias", [True, False])
def test_conv_transpose2d_matches_torch(case, bias):
    _case(pytest.importorskip("torch"), 2, case, bias)


@pytest.mark.parametrize("case", CASES1D)
def test_conv_transpose1d_matches_torch(case):
    _case(pytest.importorskip("torch"), 1, case)


@pytest.mark.parametrize("dims, case", [(2, CASES2D[2]), (1, CASES1D[1])])
def test_unbatched_input_as_torch(dims, case):
    _case(pytest.importorskip("torch"), dims, case, batch=())


def test_conv_transpose_is_the_gradient_of_conv_in_its_input():
    x = Tensor(normal(0, (2, 2, 7, 6)), requires_grad=True)
    w, g = normal(1, (3, 2, 3, 3)), normal(2, (2, 3, 4, 2))
    F.conv2d(x, w, stride=2, padding=1, dilation=(1, 2)).backward(Tensor(g))
    again = F.conv_transpose2d(g, w, stride=2, padding=1, output_padding=(0, 1),
                               dilation=(1, 2))
    np.testing.assert_allclose(again.data, x.grad, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kwargs", [dict(stride=2, padding=1, output_padding=1),
                                    dict(groups=2, dilation=(2, 1), output_padding=(1, 0))])
def test_conv_transpose2d_gradients_to_second_order(kwargs):
    x = Tensor(normal(0, (2, 2, 3, 4)), requires_grad=True)
    w = Tensor(normal(1, (2, 4 // kwargs.get("groups", 1), 3, 2)), requires_grad=True)
    b = Tensor(normal(2, (4,)), requires_grad=True)

    def fn(x, w, b):
        return F.conv_transpose2d(x, w, b, **kwargs)
    assert autograd.gradcheck(fn, [x, w, b])
    assert autograd.gradgradcheck(fn, [x, w, b])


def test_conv_transpose1d_layer_gradients_to_second_order():
    layer = nn.ConvTranspose1d(2, 2, 3, stride=2, padding=1, output_padding=1, rng=0)
    module_gradients_match_finite_differences(layer, normal(0, (2, 2, 4)))


MODULES = [  # (dims, args, kwargs, input shape)
    (2, (3, 4, 3), dict(stride=2, padding=1, output_padding=1), (2, 3, 4, 4)),
    (2, (4, 2, (2, 3)), dict(stride=(1, 2), groups=2, bias=False, dilation=(2, 1)),
     (2, 4, 3, 3)),
    (2, (2, 3, 4), dict(stride=2, padding=1), (2, 3, 3)),
    (1, (2, 4, 3), dict(stride=3, padding=2, output_padding=2, groups=2), (2, 2, 5)),
]


@pytest.mark.parametrize("dims, args, kwargs, shape", MODULES)
def test_conv_transpose_layers_match_torch_and_load_its_state_dict(dims, args, kwargs, shape):
    torch = pytest.importorskip("torch")
    theirs = getattr(torch.nn, f"ConvTranspose{dims}d")(*args, **kwargs).double()
    ours = getattr(nn, f"ConvTranspose{dims}d")(*args, **kwargs, rng=0)
    assert repr(ours) == repr(theirs)
    assert [(n, p.shape) for n, p in ours.named_parameters()] == [
        (n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    for name in ("kernel_size", "stride", "padding", "output_padding", "dilation", "groups",
                 "padding_mode"):
        assert getattr(ours, name) == getattr(theirs, name), name
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    run_both(torch, ours, theirs, [normal(4, shape)])
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, theirs.get_parameter(name).grad.numpy(),
                                   rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("output_size", [[9, 10], (1, 4, 10, 9), [9, 9]])
def test_output_size_picks_the_output_padding_as_torch(output_size):
    torch = pytest.importorskip("torch")
    theirs = torch.nn.ConvTranspose2d(2, 4, 3, stride=2).double()
    ours = nn.ConvTranspose2d(2, 4, 3, stride=2, rng=0)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x = normal(0, (1, 2, 4, 4))
    run_both(torch, lambda x: ours(x, output_size=output_size),
             lambda x: theirs(x, output_size=output_size), [x])
    unbatched = ours(x[0], output_size=output_size[-2:])
    assert unbatched.shape == (4,) + tuple(output_size[-2:])


def test_init_as_torch():
    big = nn.ConvTranspose2d(8, 64, 3, groups=2, rng=1)
    assert big.weight.shape == (8, 32, 3, 3)
    bound = 1 / math.sqrt(32 * 9)  # fan_in = out_channels / groups * prod(kernel_size)
    for p in (big.weight.data, big.bias.data):
        assert np.abs(p).max() <= bound and np.abs(p).max() > 0.9 * bound
    again = nn.ConvTranspose2d(8, 64, 3, groups=2, rng=1)
    np.testing.assert_array_equal(again.weight.data, big.weight.data)
    assert nn.ConvTranspose1d(2, 3, 4, bias=False).bias is None


def test_float32_is_kept():
    layer = nn.ConvTranspose2d(1, 2, 3, stride=2, rng=0, dtype=np.float32)
    x = Tensor(normal(0, (1, 1, 3, 3)).astype(np.float32), requires_grad=True)
    y = layer(x)
    y.sum().backward()
    assert y.dtype == x.grad.dtype == layer.weight.grad.dtype == np.float32
    assert repr(layer).endswith("dtype=float32)")


def test_functional_errors_are_named():
    x, w = np.ones((1, 2, 4, 4)), np.ones((2, 3, 3, 3))
    with pytest.raises(ConfigError, match=r"output padding must be smaller than either stride "
                                          r"or dilation.*output_padding=\(2, 2\)"):
        F.conv_transpose2d(x, w, stride=2, output_padding=2)
    with pytest.raises(ShapeError, match=r"expects an input with 2 channels.*\(1, 1, 4, 4\)"):
        F.conv_transpose2d(np.ones((1, 1, 4, 4)), w)
    with pytest.raises(ShapeError, match=r"output of \(0, 0\) per channel.*too small"):
        F.conv_transpose2d(x, w, padding=3)
    with pytest.raises(ShapeError, match=r"spatial axes \(0, 4\) include an empty one"):
        F.conv_transpose2d(np.ones((1, 2, 0, 4)), w)  # was (1, 3, 2, 6) zeros
    with pytest.raises(ShapeError, match="weight must have 3 axes, \\(in_channels"):
        F.conv_transpose1d(np.ones((1, 2, 4)), w)
    with pytest.raises(ShapeError, match="input must have 4 axes"):
        F.conv_transpose2d(np.ones(4), w)
    with pytest.raises(ShapeError, match=r"bias must have shape \(3,\)"):
        F.conv_transpose2d(x, w, np.ones(2))
    with pytest.raises(ShapeError, match="groups=4 must divide the weight's in_channels"):
        F.conv_transpose2d(x, w, groups=4)
    with pytest.raises(ConfigError, match="padding must be >= 0"):
        F.conv_transpose2d(x, w, padding=-1)
    with pytest.raises(ConfigError, match="output_padding must be >= 0"):
        F.conv_transpose2d(x, w, output_padding=-1)
    with pytest.raises(ArgumentTypeError, match="padding must be an int or a tuple of 2"):
        F.conv_transpose2d(x, w, padding="same")


def test_layer_errors_are_named():
    with pytest.raises(ConfigError, match='only "zeros" padding mode is supported'):
        nn.ConvTranspose2d(2, 3, 3, padding_mode="reflect")
    with pytest.raises(ConfigError, match="out_channels must be divisible by groups"):
        nn.ConvTranspose2d(2, 3, 3, groups=2)
    with pytest.raises(ArgumentTypeError, match="no padding string"):
        nn.ConvTranspose2d(2, 3, 3, padding="same")
    layer = nn.ConvTranspose2d(2, 4, 3, stride=2, output_padding=2)  # torch: checked in use
    with pytest.raises(ConfigError, match="output padding must be smaller"):
        layer(np.ones((1, 2, 4, 4)))
    assert layer(np.ones((1, 2, 4, 4)), output_size=(10, 10)).shape == (1, 4, 10, 10)
    with pytest.raises(ConfigError, match=r"requested an output size of \[8, 10\], but valid "
                                          r"sizes range from \[9, 9\] to \[10, 10\]"):
        layer(np.ones((1, 2, 4, 4)), output_size=[8, 10])
    with pytest.raises(ConfigError, match="for 4-d input, output_size must have 2 or 4"):
        layer(np.ones((1, 2, 4, 4)), output_size=[9])
    with pytest.raises(ArgumentTypeError, match="output_size must be a tuple or list of ints"):
        layer(np.ones((1, 2, 4, 4)), output_size=9)
