"""F.conv1d / F.conv2d and nn.Conv1d / nn.Conv2d against PyTorch (values, gradients in
input, weight and bias), finite differences to second order, dtypes and named errors."""

import math

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor
from autograd.errors import ShapeError
from nn.errors import ArgumentTypeError, ConfigError

from torch_compare_helpers import normal, run_both

CONV2D = [  # (C_in, C_out, kernel, stride, padding, dilation, groups, (H, W))
    (1, 4, 3, 1, 1, 1, 1, (8, 8)),
    (2, 3, (2, 3), 1, 0, 1, 1, (5, 6)),
    (4, 6, (3, 2), (2, 1), (1, 0), (1, 2), 2, (9, 7)),
    (3, 3, 2, 1, "same", 2, 3, (5, 6)),
    (2, 2, 4, 1, "same", 1, 1, (5, 5)),  # odd total padding: the extra zero goes after
    (2, 4, 3, 3, "valid", 1, 2, (7, 8)),
    (6, 4, 1, 2, 2, 1, 2, (4, 3)),
    (2, 2, 3, (1, 2), (2, 1), (2, 1), 1, (3, 4)),
]

CONV1D = [  # (C_in, C_out, kernel, stride, padding, dilation, groups, L)
    (1, 2, 3, 1, 0, 1, 1, 7), (4, 2, 2, 2, 1, 3, 2, 9), (2, 4, 3, 1, "same", 2, 2, 6),
    (3, 3, 4, 1, "same", 1, 3, 5), (2, 2, 5, 2, "valid", 1, 1, 5),
]


def _conv_case(torch, dims, case, bias=True, batch=(2,)):
    c_in, c_out, kernel, stride, padding, dilation, groups, spatial = case
    kernel = (kernel,) * dims if isinstance(kernel, int) else kernel
    spatial = (spatial,) if isinstance(spatial, int) else spatial
    arrays = [normal(1, batch + (c_in,) + spatial),
              normal(2, (c_out, c_in // groups) + kernel), normal(3, (c_out,)) if bias else None]
    ours = F.conv2d if dims == 2 else F.conv1d
    theirs = getattr(torch.nn.functional, f"conv{dims}d")
    run_both(torch, lambda x, w, b: ours(x, w, b, stride, padding, dilation, groups),
             lambda x, w, b: theirs(x, w, b, stride, padding, dilation, groups), arrays)


@pytest.mark.filterwarnings("ignore:Using padding='same'")  # torch's note on even kernels
@pytest.mark.parametrize("case", CONV2D)
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d_matches_torch(case, bias):
    _conv_case(pytest.importorskip("torch"), 2, case, bias)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("case", CONV1D)
def test_conv1d_matches_torch(case):
    _conv_case(pytest.importorskip("torch"), 1, case)


@pytest.mark.parametrize("dims, case", [(2, CONV2D[2]), (1, CONV1D[1]), (2, CONV2D[0])])
def test_unbatched_input_as_torch(dims, case):
    _conv_case(pytest.importorskip("torch"), dims, case, batch=())


@pytest.mark.parametrize("kwargs", [dict(stride=2, padding=1), dict(padding="same", dilation=2),
                                    dict(groups=2, padding=(0, 1))])
def test_conv2d_gradients_to_second_order(kwargs):
    x = Tensor(normal(0, (2, 2, 5, 4)), requires_grad=True)
    w = Tensor(normal(1, (4, 2 // kwargs.get("groups", 1), 3, 2)), requires_grad=True)
    b = Tensor(normal(2, (4,)), requires_grad=True)

    def fn(x, w, b):
        return F.conv2d(x, w, b, **kwargs)
    assert autograd.gradcheck(fn, [x, w, b])
    assert autograd.gradgradcheck(fn, [x, w, b])


def test_conv1d_gradients_to_second_order():
    x = Tensor(normal(0, (2, 3, 7)), requires_grad=True)
    w = Tensor(normal(1, (2, 3, 3)), requires_grad=True)
    assert autograd.gradcheck(lambda x, w: F.conv1d(x, w, stride=2, dilation=2), [x, w])
    assert autograd.gradgradcheck(lambda x, w: F.conv1d(x, w, stride=2, dilation=2), [x, w])


def test_float32_is_kept():
    x = Tensor(normal(0, (2, 1, 6, 6)).astype(np.float32), requires_grad=True)
    conv = nn.Conv2d(1, 3, 3, padding=1, rng=0, dtype=np.float32)
    y = conv(x)
    y.sum().backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32
    assert conv.weight.grad.dtype == np.float32 and conv.bias.grad.dtype == np.float32
    assert nn.Conv2d(1, 3, 3).weight.dtype == np.float64  # the library's default
    assert repr(conv).endswith("dtype=float32)")


MODULES = [  # (dims, args, kwargs, input shape)
    (2, (1, 4, 3), dict(padding=1), (3, 1, 8, 8)),
    (2, (2, 4, (3, 2)), dict(stride=2, padding=1, dilation=(1, 2), groups=2, bias=False,
                             padding_mode="reflect"), (2, 2, 7, 8)),
    (2, (2, 3, 3), dict(padding="same", padding_mode="circular"), (2, 5, 4)),
    (2, (2, 2, 4), dict(padding="same", padding_mode="replicate"), (1, 2, 6, 5)),
    (2, (3, 2, 3), dict(padding="valid", stride=(1, 2)), (2, 3, 5, 6)),
    (1, (2, 4, 3), dict(padding="same", groups=2, padding_mode="reflect"), (2, 2, 7)),
    (1, (1, 2, 2), dict(stride=2, padding=1), (3, 1, 9)),
]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("dims, args, kwargs, shape", MODULES)
def test_conv_layers_match_torch_and_load_its_state_dict(dims, args, kwargs, shape):
    torch = pytest.importorskip("torch")
    theirs = getattr(torch.nn, f"Conv{dims}d")(*args, **kwargs).double()
    ours = getattr(nn, f"Conv{dims}d")(*args, **kwargs, rng=0)
    assert repr(ours) == repr(theirs)
    assert (ours.kernel_size, ours.stride, ours.padding, ours.dilation, ours.groups,
            ours.padding_mode) == (theirs.kernel_size, theirs.stride, theirs.padding,
                                   theirs.dilation, theirs.groups, theirs.padding_mode)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x = normal(4, shape)
    run_both(torch, ours, theirs, [x])
    for name, p in ours.named_parameters():  # run_both backpropagated through both
        np.testing.assert_allclose(p.grad, theirs.get_parameter(name).grad.numpy(),
                                   rtol=1e-9, atol=1e-11)


def test_conv_parameters_and_init_as_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.Conv2d(4, 6, (3, 2), groups=2, rng=0), torch.nn.Conv2d(4, 6, (3, 2),
                                                                               groups=2)
    assert [(n, p.shape) for n, p in ours.named_parameters()] == [
        (n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    big = nn.Conv2d(8, 64, 3, groups=2, rng=1)
    bound = 1 / math.sqrt(4 * 9)  # fan_in = in_channels / groups * prod(kernel_size)
    for p in (big.weight.data, big.bias.data):
        assert np.abs(p).max() <= bound and np.abs(p).max() > 0.9 * bound
    assert np.std(big.weight.data) == pytest.approx(bound / math.sqrt(3), rel=0.1)
    again = nn.Conv2d(8, 64, 3, groups=2, rng=1)
    np.testing.assert_array_equal(again.weight.data, big.weight.data)
    again.reset_parameters(rng=2)
    assert not np.array_equal(again.weight.data, big.weight.data)
    assert nn.Conv1d(2, 3, 4, bias=False).bias is None


def test_conv_errors_are_named():
    x = Tensor(np.ones((1, 2, 5, 5)))
    with pytest.raises(ShapeError, match=r"conv2d: .*expects an input with 1 channels.*"
                                         r"\(1, 2, 5, 5\)"):
        F.conv2d(x, np.ones((3, 1, 3, 3)))
    with pytest.raises(ShapeError, match=r"conv2d: .*expects an input with 3 channels"):
        nn.Conv2d(3, 4, 3)(x)
    with pytest.raises(ShapeError, match=r"unbatched sample .*channel axis, x\[:, None\]"):
        nn.Conv2d(1, 4, 3)(np.ones((64, 8, 8)))  # digits images without their channel
    with pytest.raises(ShapeError, match=r"kernel \(3, 3\).*can't be larger than the padded"):
        F.conv2d(np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3)))
    with pytest.raises(ShapeError, match="input must have 4 axes"):
        F.conv2d(np.ones((2, 1, 1, 5, 5)), np.ones((1, 1, 3, 3)))
    with pytest.raises(ShapeError, match="weight must have 3 axes"):
        F.conv1d(np.ones((1, 1, 5)), np.ones((1, 1, 3, 3)))
    with pytest.raises(ShapeError, match=r"bias must have shape \(3,\)"):
        F.conv2d(x, np.ones((3, 2, 3, 3)), np.ones(2))
    with pytest.raises(ShapeError, match="groups=2 must divide the weight's out_channels"):
        F.conv2d(np.ones((1, 4, 5, 5)), np.ones((3, 2, 3, 3)), groups=2)
    with pytest.raises(ConfigError, match="invalid padding string 'full'"):
        F.conv2d(x, np.ones((1, 2, 3, 3)), padding="full")
    with pytest.raises(ConfigError, match="padding='same' is not supported for strided"):
        F.conv1d(np.ones((1, 1, 5)), np.ones((1, 1, 3)), stride=2, padding="same")
    with pytest.raises(ConfigError, match="padding must be >= 0"):
        F.conv1d(np.ones((1, 1, 5)), np.ones((1, 1, 3)), padding=-1)
    with pytest.raises(ConfigError, match=r"stride needs one int per spatial axis \(2\)"):
        F.conv2d(x, np.ones((1, 2, 3, 3)), stride=(1, 2, 1))
    with pytest.raises(ArgumentTypeError, match="dilation must be an int or a tuple"):
        F.conv2d(x, np.ones((1, 2, 3, 3)), dilation=1.5)


def test_conv_layer_arguments_are_checked_as_torch():
    with pytest.raises(ConfigError, match="in_channels must be divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ConfigError, match="out_channels must be divisible by groups"):
        nn.Conv1d(2, 3, 3, groups=2)
    with pytest.raises(ConfigError, match="groups must be an int >= 1"):
        nn.Conv1d(2, 2, 3, groups=0)
    with pytest.raises(ConfigError, match="padding_mode must be one of"):
        nn.Conv2d(1, 1, 3, padding_mode="zero")
    with pytest.raises(ConfigError, match="Conv2d: invalid padding string 'full'"):
        nn.Conv2d(1, 1, 3, padding="full")
    with pytest.raises(ConfigError, match="Conv1d: padding='same' is not supported"):
        nn.Conv1d(1, 1, 3, stride=2, padding="same")
    with pytest.raises(ConfigError, match="kernel_size must be >= 1"):
        nn.Conv2d(1, 1, (3, 0))
    with pytest.raises(ArgumentTypeError, match="bias must be True or False"):
        nn.Conv2d(1, 1, 3, bias="no")
