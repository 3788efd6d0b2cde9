"""Session 36 convolution fixes: a lazy layer that loads the state dict of a lazy layer
stays lazy; one-element stride / padding / dilation / output_padding sequences count for
every axis (as PyTorch's convolutions read them); a weight without output channels is
refused; LazyConvTranspose1d/2d/3d; ``output_padding`` on every conv;
``has_uninitialized_params``; ``output_size`` as a NumPy array; the in-place error of a
transposed convolution names the user's weight. Expected values come from this library's
own eager layers with the same ``rng``, from naive NumPy loops, or from the adjoint
identity <conv_transpose(y, W), x> = <y, conv(x, W)>."""

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor
from autograd.errors import InplaceError, ShapeError
from nn.errors import ArgumentTypeError, ConfigError

RNG = np.random.default_rng(36)


def normal(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape)


# --- a lazy layer loading a lazy layer's state dict stays lazy --------------------------

LAZY_CASES = [  # (make the lazy layer, an input, the eager class it becomes)
    (lambda rng: nn.LazyConv1d(4, 2, rng=rng), (2, 3, 6), nn.Conv1d),
    (lambda rng: nn.LazyConv2d(6, 3, padding=1, groups=2, rng=rng), (1, 4, 5, 5), nn.Conv2d),
    (lambda rng: nn.LazyConv3d(2, 2, rng=rng), (1, 3, 3, 3, 3), nn.Conv3d),
    (lambda rng: nn.LazyConvTranspose1d(4, 2, stride=2, rng=rng), (2, 3, 5),
     nn.ConvTranspose1d),
    (lambda rng: nn.LazyConvTranspose2d(6, 3, groups=2, rng=rng), (1, 4, 3, 3),
     nn.ConvTranspose2d),
    (lambda rng: nn.LazyConvTranspose3d(2, 2, rng=rng), (1, 3, 2, 2, 2), nn.ConvTranspose3d),
    (lambda rng: nn.LazyLinear(3, rng=rng), (2, 4), nn.Linear),
]


@pytest.mark.parametrize("make, shape, eager", LAZY_CASES)
def test_loading_a_lazy_state_dict_keeps_the_layer_lazy(make, shape, eager):
    source, target, reference = make(0), make(7), make(7)
    target.load_state_dict(source.state_dict())
    assert type(target) is type(source)
    assert target.has_uninitialized_params()
    x = normal(*shape)
    y, expected = target(x), reference(x)  # both draw their start from rng=7 now
    assert type(target) is eager
    np.testing.assert_array_equal(target.weight.data, reference.weight.data)
    np.testing.assert_array_equal(y.data, expected.data)


@pytest.mark.parametrize("make", [nn.LazyBatchNorm2d, nn.LazyInstanceNorm2d])
def test_loading_a_lazy_norm_state_dict_keeps_the_norm_lazy(make):
    source, target = make(), make()
    target.load_state_dict(source.state_dict())
    assert type(target) is make and target.has_uninitialized_params()
    x = normal(2, 3, 4, 4)
    y = target(x)
    assert target.num_features == 3 and not hasattr(target, "has_uninitialized_params")
    mean = x.mean(axis=(0, 2, 3) if make is nn.LazyBatchNorm2d else (2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3) if make is nn.LazyBatchNorm2d else (2, 3), keepdims=True)
    np.testing.assert_allclose(y.data, (x - mean) / np.sqrt(var + 1e-5), atol=1e-12)


def test_a_real_state_dict_still_materializes_a_lazy_conv():
    source = nn.Conv2d(4, 6, 3, groups=2, rng=1)
    lazy = nn.LazyConv2d(6, 3, groups=2)
    lazy.load_state_dict(source.state_dict())
    assert type(lazy) is nn.Conv2d and lazy.in_channels == 4
    x = normal(1, 4, 5, 5)
    np.testing.assert_array_equal(lazy(x).data, source(x).data)


# --- one-element sequences count for every axis -------------------------------------

@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("name, value", [("stride", 2), ("padding", 1), ("dilation", 2)])
def test_conv_one_element_sequence_is_that_int_on_every_axis(dims, name, value):
    conv = getattr(F, f"conv{dims}d")
    x, w = normal(1, 2, *(7,) * dims), normal(3, 2, *(3,) * dims)
    expected = conv(x, w, **{name: value}).data
    for single in ((value,), [value]):
        np.testing.assert_array_equal(conv(x, w, **{name: single}).data, expected)


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("kwargs", [dict(stride=(2,)), dict(padding=(1,)), dict(dilation=[2]),
                                    dict(stride=[2], output_padding=(1,))])
def test_conv_transpose_one_element_sequence_is_that_int_on_every_axis(dims, kwargs):
    conv_transpose = getattr(F, f"conv_transpose{dims}d")
    x, w = normal(1, 2, *(3,) * dims), normal(2, 3, *(2,) * dims)
    as_ints = {k: v[0] for k, v in kwargs.items()}
    np.testing.assert_array_equal(conv_transpose(x, w, **kwargs).data,
                                  conv_transpose(x, w, **as_ints).data)


@pytest.mark.parametrize("padding_mode", ["zeros", "reflect", "circular"])
def test_conv_layer_one_element_arguments(padding_mode):
    layer = nn.Conv2d(2, 3, 3, stride=(2,), padding=(1,), dilation=[1],
                      padding_mode=padding_mode, rng=4)
    twin = nn.Conv2d(2, 3, 3, stride=2, padding=1, padding_mode=padding_mode, rng=4)
    assert (layer.stride, layer.padding, layer.dilation) == ((2, 2), (1, 1), (1, 1))
    x = normal(2, 2, 6, 5)
    np.testing.assert_array_equal(layer(x).data, twin(x).data)


def test_conv_transpose_layer_one_element_arguments():
    layer = nn.ConvTranspose2d(2, 3, 3, stride=(2,), padding=(1,), output_padding=(1,), rng=4)
    twin = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1, rng=4)
    assert (layer.stride, layer.padding, layer.output_padding) == ((2, 2), (1, 1), (1, 1))
    x = normal(1, 2, 4, 3)
    np.testing.assert_array_equal(layer(x).data, twin(x).data)
    np.testing.assert_array_equal(layer(x, output_size=(7, 5)).data,
                                  twin(x, output_size=(7, 5)).data)


def test_other_lengths_and_one_element_kernel_sizes_are_still_refused():
    x, w = normal(1, 2, 6, 6), normal(3, 2, 3, 3)
    for stride in ((), (1, 1, 1)):
        with pytest.raises(ConfigError, match="stride needs one int per spatial axis"):
            F.conv2d(x, w, stride=stride)
    with pytest.raises(ConfigError, match="kernel_size needs one int per spatial axis"):
        nn.Conv2d(2, 3, (3,))  # PyTorch builds a 3-d weight and fails at the first call
    with pytest.raises(ConfigError, match="kernel_size needs one int per spatial axis"):
        F.unfold(x, (2,))  # PyTorch refuses it too


# --- a weight without output channels ------------------------------------------------

def test_a_weight_without_channels_is_refused():
    with pytest.raises(ShapeError, match=r"at least 1 output channel \(axis 0\)"):
        F.conv1d(np.ones((2, 3, 5)), np.ones((0, 3, 2)))
    with pytest.raises(ShapeError, match=r"at least 1 output channel per group \(axis 1\)"):
        F.conv_transpose1d(np.ones((2, 3, 5)), np.ones((3, 0, 2)))
    with pytest.raises(ShapeError, match=r"at least 1 input channel \(axis 0\)"):
        F.conv_transpose1d(np.ones((2, 0, 5)), np.ones((0, 3, 2)))


# --- LazyConvTranspose1d/2d/3d -------------------------------------------------------

def test_lazy_conv_transpose_names_are_exported():
    for dims in (1, 2, 3):
        name = f"LazyConvTranspose{dims}d"
        assert name in nn.__all__ and name in nn.modules.conv.__all__
        assert getattr(nn.modules.conv, name) is getattr(nn, name)


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_lazy_conv_transpose_starts_as_the_eager_layer(dims):
    kwargs = dict(stride=2, padding=1, output_padding=1, groups=2, bias=True, dilation=1)
    lazy = getattr(nn, f"LazyConvTranspose{dims}d")(4, 3, rng=9, **kwargs)
    eager = getattr(nn, f"ConvTranspose{dims}d")(6, 4, 3, rng=9, **kwargs)
    assert lazy.in_channels == 0 and lazy.has_uninitialized_params()
    assert lazy.weight.shape == (0, 2) + (3,) * dims
    x = normal(2, 6, *(3,) * dims)
    y = lazy(x)
    assert type(lazy) is type(eager) and lazy.in_channels == 6
    np.testing.assert_array_equal(lazy.weight.data, eager.weight.data)
    np.testing.assert_array_equal(lazy.bias.data, eager.bias.data)
    np.testing.assert_array_equal(y.data, eager(x).data)


def test_lazy_conv_transpose_unbatched_input_output_size_and_groups():
    lazy = nn.LazyConvTranspose1d(2, 3, stride=2)
    y = lazy(normal(5, 4), output_size=[10])  # unbatched (C_in, L): in_channels 5
    assert lazy.in_channels == 5 and y.shape == (2, 10)
    with pytest.raises(ConfigError, match="in_channels must be divisible by groups"):
        nn.LazyConvTranspose2d(4, 3, groups=2)(normal(1, 3, 4, 4))


def test_lazy_conv_transpose_keeps_its_parameter_objects():
    lazy = nn.LazyConvTranspose2d(3, 2)
    before = [id(p) for p in lazy.parameters()]
    lazy(normal(1, 2, 3, 3))
    assert [id(p) for p in lazy.parameters()] == before


def naive_conv_transpose1d(x, w, stride, padding, groups):
    """y[n, g*Co + o, i*stride + k - padding] += x[n, g*Ci + c, i] * w[g*Ci + c, o, k]."""
    n_in, per_out, kernel = w.shape
    per_in = n_in // groups
    length = (x.shape[2] - 1) * stride + kernel
    y = np.zeros((x.shape[0], per_out * groups, length))
    for n, g, c, o, i, k in np.ndindex(x.shape[0], groups, per_in, per_out, x.shape[2],
                                       kernel):
        y[n, g * per_out + o, i * stride + k] += x[n, g * per_in + c, i] * w[g * per_in + c,
                                                                           o, k]
    return y[:, :, padding:length - padding]


def test_conv_transpose_matches_a_naive_loop_and_is_conv_adjoint():
    x, w = normal(2, 4, 5), normal(4, 3, 3)
    y = F.conv_transpose1d(x, w, stride=2, padding=1, groups=2)
    np.testing.assert_allclose(y.data, naive_conv_transpose1d(x, w, 2, 1, 2), atol=1e-12)
    probe = normal(*y.shape)  # <conv_transpose(x, W), probe> = <x, conv(probe, W)>
    back = F.conv1d(probe, w, stride=2, padding=1, groups=2)
    np.testing.assert_allclose(np.sum(y.data * probe), np.sum(x * back.data), rtol=1e-12)


@pytest.mark.parametrize("shape", [(2, 4, 3, 2), (4, 3, 2)])  # batched and unbatched
def test_conv_transpose_gradients_to_second_order_with_groups(shape):
    x = Tensor(normal(*shape), requires_grad=True)
    w = Tensor(normal(4, 1, 2, 2), requires_grad=True)

    def fn(x, w):
        return F.conv_transpose2d(x, w, stride=(2,), groups=2)
    assert autograd.gradcheck(fn, [x, w])
    assert autograd.gradgradcheck(fn, [x, w])


# --- attributes and arguments PyTorch code reads -------------------------------------

@pytest.mark.parametrize("dims", [1, 2, 3])
def test_every_conv_has_output_padding(dims):
    assert getattr(nn, f"Conv{dims}d")(2, 2, 1).output_padding == (0,) * dims
    lazy = getattr(nn, f"LazyConv{dims}d")(2, 1)
    assert lazy.output_padding == (0,) * dims
    lazy(normal(1, 3, *(2,) * dims))
    assert lazy.output_padding == (0,) * dims


@pytest.mark.parametrize("make", [lambda: nn.LazyLinear(2), lambda: nn.LazyConv1d(2, 1),
                                  lambda: nn.LazyConvTranspose1d(2, 1), nn.LazyBatchNorm1d,
                                  nn.LazyInstanceNorm1d])
def test_has_uninitialized_params_until_the_first_call(make):
    layer = make()
    assert layer.has_uninitialized_params() is True
    layer(normal(2, 3, 4))
    assert not hasattr(layer, "has_uninitialized_params")  # the eager class, as PyTorch's


def test_output_size_as_a_numpy_array():
    layer = nn.ConvTranspose2d(2, 3, 3, stride=2, rng=0)
    x = normal(1, 2, 6, 6)
    expected = layer(x, output_size=(14, 13)).data
    assert expected.shape == (1, 3, 14, 13)
    np.testing.assert_array_equal(layer(x, output_size=np.array([14, 13])).data, expected)
    np.testing.assert_array_equal(layer(x, output_size=np.array([1, 3, 14, 13])).data,
                                  expected)
    with pytest.raises(ArgumentTypeError, match="output_size must be a tuple or list of ints"):
        layer(x, output_size=np.array([14.0, 13.0]))


def test_in_place_error_of_conv_transpose_names_the_weight():
    w = Tensor(normal(3, 2, 2), requires_grad=True)
    y = F.conv_transpose1d(Tensor(normal(2, 3, 6), requires_grad=True), w)
    with autograd.no_grad():
        w.mul_(2)
    with pytest.raises(InplaceError, match=r"shape \(3, 2, 2\)"):
        y.sum().backward()
