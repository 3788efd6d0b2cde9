"""F.conv3d / F.conv_transpose3d and nn.Conv3d / nn.ConvTranspose3d against PyTorch
(values, gradients in input, weight and bias, state dicts, reprs, padding modes,
unbatched input, output_size), finite differences on a tiny case and named errors."""

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor
from autograd.errors import ShapeError
from nn.errors import ConfigError

from torch_compare_helpers import normal, run_both

CONV3D = [  # (C_in, C_out, kernel, stride, padding, dilation, groups, (D, H, W))
    (2, 3, 2, 1, 0, 1, 1, (4, 5, 4)),
    (2, 4, (2, 3, 1), (2, 1, 2), (1, 0, 1), 1, 2, (5, 4, 4)),
    (3, 3, 2, 1, "same", (2, 1, 1), 3, (4, 4, 5)),  # odd total padding: extra zero after
    (2, 2, 3, 2, "valid", 1, 1, (5, 5, 4)),
    (2, 2, (1, 2, 2), (1, 2, 1), (0, 1, 2), (1, 2, 1), 1, (3, 4, 4)),
]

CONV_TRANSPOSE3D = [  # (C_in, C_out, kernel, stride, padding, output_padding, groups,
    #                    dilation, (D, H, W))
    (2, 3, 2, 1, 0, 0, 1, 1, (3, 4, 3)),
    (2, 2, 3, 2, 1, 1, 1, 1, (3, 3, 4)),
    (4, 2, (2, 3, 1), (2, 1, 3), (1, 0, 0), (1, 0, 2), 2, (1, 2, 1), (2, 3, 3)),
    (3, 3, 2, 1, 0, (1, 0, 1), 3, (2, 1, 2), (3, 2, 3)),  # output padding below dilation
]


def _conv_case(torch, case, bias=True, batch=(2,)):
    c_in, c_out, kernel, stride, padding, dilation, groups, spatial = case
    kernel = (kernel,) * 3 if isinstance(kernel, int) else kernel
    arrays = [normal(1, batch + (c_in,) + spatial),
              normal(2, (c_out, c_in // groups) + kernel), normal(3, (c_out,)) if bias else None]
    run_both(torch, lambda x, w, b: F.conv3d(x, w, b, stride, padding, dilation, groups),
             lambda x, w, b: torch.nn.functional.conv3d(x, w, b, stride, padding, dilation,
                                                        groups), arrays)


def _transpose_case(torch, case, bias=True, batch=(2,)):
    c_in, c_out, kernel, stride, padding, output_padding, groups, dilation, spatial = case
    kernel = (kernel,) * 3 if isinstance(kernel, int) else kernel
    arrays = [normal(1, batch + (c_in,) + spatial), normal(2, (c_in, c_out // groups) + kernel),
              normal(3, (c_out,)) if bias else None]
    args = (stride, padding, output_padding, groups, dilation)
    run_both(torch, lambda x, w, b: F.conv_transpose3d(x, w, b, *args),
             lambda x, w, b: torch.nn.functional.conv_transpose3d(x, w, b, *args), arrays)


@pytest.mark.filterwarnings("ignore:Using padding='same'")  # torch's note on even kernels
@pytest.mark.parametrize("case", CONV3D)
@pytest.mark.parametrize("bias", [True, False])
def test_conv3d_matches_torch(case, bias):
    _conv_case(pytest.importorskip("torch"), case, bias)


@pytest.mark.parametrize("case", CONV_TRANSPOSE3D)
@pytest.mark.parametrize("bias", [True, False])
def test_conv_transpose3d_matches_torch(case, bias):
    _transpose_case(pytest.importorskip("torch"), case, bias)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("case", [CONV3D[1], CONV3D[2]])
def test_conv3d_unbatched_input_as_torch(case):
    _conv_case(pytest.importorskip("torch"), case, batch=())


@pytest.mark.parametrize("case", [CONV_TRANSPOSE3D[1], CONV_TRANSPOSE3D[2]])
def test_conv_transpose3d_unbatched_input_as_torch(case):
    _transpose_case(pytest.importorskip("torch"), case, batch=())


def test_conv_transpose3d_is_the_gradient_of_conv3d_in_its_input():
    x = Tensor(normal(0, (1, 2, 5, 4, 4)), requires_grad=True)
    w, g = normal(1, (3, 2, 2, 3, 2)), normal(2, (1, 3, 3, 1, 2))
    F.conv3d(x, w, stride=2, padding=(1, 0, 1), dilation=(1, 1, 2)).backward(Tensor(g))
    again = F.conv_transpose3d(g, w, stride=2, padding=(1, 0, 1), output_padding=1,
                               dilation=(1, 1, 2))
    np.testing.assert_allclose(again.data, x.grad, rtol=1e-12, atol=1e-12)


def test_conv3d_gradients_by_finite_differences():
    x = Tensor(normal(0, (1, 2, 3, 3, 2)), requires_grad=True)
    w = Tensor(normal(1, (2, 1, 2, 2, 1)), requires_grad=True)
    b = Tensor(normal(2, (2,)), requires_grad=True)

    def fn(x, w, b):
        return F.conv3d(x, w, b, padding=(1, 0, 0), dilation=(1, 1, 1), groups=2)
    assert autograd.gradcheck(fn, [x, w, b])
    assert autograd.gradgradcheck(fn, [x, w, b])


def test_conv_transpose3d_gradients_by_finite_differences():
    x = Tensor(normal(0, (1, 2, 2, 2, 2)), requires_grad=True)
    w = Tensor(normal(1, (2, 1, 2, 1, 2)), requires_grad=True)
    b = Tensor(normal(2, (1,)), requires_grad=True)

    def fn(x, w, b):
        return F.conv_transpose3d(x, w, b, stride=2, padding=(0, 0, 1), output_padding=1)
    assert autograd.gradcheck(fn, [x, w, b])
    assert autograd.gradgradcheck(fn, [x, w, b])


CONV_LAYERS = [  # (args, kwargs, input shape)
    ((2, 3, 2), dict(padding=1), (2, 2, 4, 4, 5)),
    ((2, 4, (3, 2, 2)), dict(stride=(1, 2, 1), padding=(1, 0, 1), dilation=(1, 1, 2),
                             groups=2, bias=False, padding_mode="reflect"), (2, 2, 4, 5, 4)),
    ((2, 2, 3), dict(padding="same", padding_mode="circular"), (2, 4, 3, 4)),  # unbatched
    ((3, 2, 2), dict(padding="same", padding_mode="replicate"), (1, 3, 4, 3, 5)),
    ((2, 2, 3), dict(padding="same", padding_mode="reflect"), (2, 4, 4, 3)),  # unbatched
]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("args, kwargs, shape", CONV_LAYERS)
def test_conv3d_layer_matches_torch_and_loads_its_state_dict(args, kwargs, shape):
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Conv3d(*args, **kwargs).double()
    ours = nn.Conv3d(*args, **kwargs, rng=0)
    assert repr(ours) == repr(theirs)
    assert [(n, p.shape) for n, p in ours.named_parameters()] == [
        (n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    for name in ("kernel_size", "stride", "padding", "dilation", "groups", "padding_mode"):
        assert getattr(ours, name) == getattr(theirs, name), name
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    run_both(torch, ours, theirs, [normal(4, shape)])
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, theirs.get_parameter(name).grad.numpy(),
                                   rtol=1e-9, atol=1e-11)


TRANSPOSE_LAYERS = [  # (args, kwargs, input shape)
    ((2, 3, 2), dict(stride=2, padding=1, output_padding=1), (2, 2, 3, 2, 3)),
    ((4, 2, (2, 1, 3)), dict(stride=(1, 2, 2), groups=2, bias=False, dilation=(2, 1, 1)),
     (1, 4, 3, 3, 2)),
    ((2, 2, 3), dict(stride=2, padding=1), (2, 2, 3, 2)),  # unbatched
]


@pytest.mark.parametrize("args, kwargs, shape", TRANSPOSE_LAYERS)
def test_conv_transpose3d_layer_matches_torch_and_loads_its_state_dict(args, kwargs, shape):
    torch = pytest.importorskip("torch")
    theirs = torch.nn.ConvTranspose3d(*args, **kwargs).double()
    ours = nn.ConvTranspose3d(*args, **kwargs, rng=0)
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


@pytest.mark.parametrize("output_size", [[4, 5, 4], (1, 4, 5, 4, 5), [5, 5, 5]])
def test_conv_transpose3d_output_size_as_torch(output_size):
    torch = pytest.importorskip("torch")
    theirs = torch.nn.ConvTranspose3d(2, 4, 2, stride=2, padding=1).double()
    ours = nn.ConvTranspose3d(2, 4, 2, stride=2, padding=1, rng=0)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x = normal(0, (1, 2, 3, 3, 3))
    run_both(torch, lambda x: ours(x, output_size=output_size),
             lambda x: theirs(x, output_size=output_size), [x])
    assert ours(x[0], output_size=output_size[-3:]).shape == (4,) + tuple(output_size[-3:])


def test_init_and_float32_as_conv2d():
    big = nn.Conv3d(4, 16, 3, groups=2, rng=1)
    bound = 1 / np.sqrt(2 * 27)  # fan_in = in_channels / groups * prod(kernel_size)
    assert np.abs(big.weight.data).max() <= bound < 1.1 * np.abs(big.weight.data).max()
    assert nn.ConvTranspose3d(4, 6, 2, groups=2).weight.shape == (4, 3, 2, 2, 2)
    layer = nn.Conv3d(1, 2, 2, padding=1, rng=0, dtype=np.float32)
    x = Tensor(normal(0, (1, 1, 3, 3, 3)).astype(np.float32), requires_grad=True)
    y = layer(x)
    y.sum().backward()
    assert y.dtype == x.grad.dtype == layer.weight.grad.dtype == np.float32
    assert repr(layer).endswith("dtype=float32)")


def test_errors_are_named():
    x = np.ones((1, 2, 4, 4, 4))
    with pytest.raises(ShapeError, match="conv3d: input must have 5 axes"):
        F.conv3d(np.ones((2, 4, 4)), np.ones((1, 2, 2, 2, 2)))
    with pytest.raises(ShapeError, match="conv3d: weight must have 5 axes"):
        F.conv3d(x, np.ones((1, 2, 2, 2)))
    with pytest.raises(ShapeError, match=r"conv3d: .*expects an input with 3 channels"):
        nn.Conv3d(3, 2, 2)(x)
    with pytest.raises(ShapeError, match=r"kernel \(5, 5, 5\).*can't be larger"):
        F.conv3d(x, np.ones((1, 2, 5, 5, 5)))
    with pytest.raises(ConfigError, match=r"stride needs one int per spatial axis \(3\)"):
        F.conv3d(x, np.ones((1, 2, 2, 2, 2)), stride=(1, 2))
    with pytest.raises(ConfigError, match="Conv3d: padding='same' is not supported"):
        nn.Conv3d(1, 1, 3, stride=2, padding="same")
    with pytest.raises(ConfigError, match="conv_transpose3d: output padding must be smaller"):
        F.conv_transpose3d(x, np.ones((2, 1, 2, 2, 2)), output_padding=1)
    with pytest.raises(ShapeError, match="conv_transpose3d: input must have 5 axes"):
        F.conv_transpose3d(np.ones((4, 4)), np.ones((2, 1, 2, 2, 2)))
    with pytest.raises(ConfigError, match='ConvTranspose3d: only "zeros" padding mode'):
        nn.ConvTranspose3d(2, 2, 2, padding_mode="reflect")
    with pytest.raises(ConfigError, match="for 5-d input, output_size must have 3 or 5"):
        nn.ConvTranspose3d(2, 2, 2, stride=2)(x, output_size=[9, 9])
