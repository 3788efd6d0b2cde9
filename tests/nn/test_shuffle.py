"""pixel_shuffle, pixel_unshuffle and channel_shuffle (functions and layers): values and
gradients as torch 2.13's, finite differences, and named errors for bad input."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.errors import ShapeError
from nn.errors import ArgumentTypeError, ConfigError

from torch_compare_helpers import normal, run_both

CASES = [  # (function name, input shape, factor)
    ("pixel_shuffle", (2, 8, 3, 2), 2),
    ("pixel_shuffle", (9, 2, 1), 3),
    ("pixel_shuffle", (2, 1, 4, 2, 3), 2),
    ("pixel_shuffle", (1, 3, 2, 2), 1),
    ("pixel_unshuffle", (2, 2, 4, 6), 2),
    ("pixel_unshuffle", (1, 3, 3), 3),
    ("pixel_unshuffle", (2, 1, 3, 4, 2), 2),
    ("channel_shuffle", (2, 6, 3), 3),
    ("channel_shuffle", (1, 6, 2, 2), 2),
    ("channel_shuffle", (2, 4, 1, 2, 2), 4),
]


@pytest.mark.parametrize("name, shape, factor", CASES)
def test_values_and_gradients_match_torch(name, shape, factor):
    torch = pytest.importorskip("torch")
    run_both(torch, lambda x: getattr(F, name)(x, factor),
             lambda x: getattr(torch.nn.functional, name)(x, factor), [normal(0, shape)])


@pytest.mark.parametrize("name, shape, factor", [CASES[0], CASES[4], CASES[8]])
def test_gradients_match_finite_differences(name, shape, factor):
    x = Tensor(normal(1, shape), requires_grad=True)
    assert gradcheck(lambda v: getattr(F, name)(v, factor) ** 2, [x])
    assert gradgradcheck(lambda v: getattr(F, name)(v, factor) ** 3, [x])


def test_unshuffle_inverts_shuffle_and_integers_keep_their_dtype():
    x = np.arange(2 * 12 * 2 * 3).reshape(2, 12, 2, 3)
    y = F.pixel_shuffle(x, 2)
    assert y.dtype == x.dtype and y.shape == (2, 3, 4, 6)
    np.testing.assert_array_equal(F.pixel_unshuffle(y, 2).data, x)
    shuffled = F.channel_shuffle(x, 3).data
    np.testing.assert_array_equal(shuffled[:, [0, 3, 6, 9, 1, 4]], x[:, [0, 1, 2, 3, 4, 5]])


@pytest.mark.parametrize("layer, function, argument", [
    (nn.PixelShuffle, "pixel_shuffle", "upscale_factor"),
    (nn.PixelUnshuffle, "pixel_unshuffle", "downscale_factor"),
    (nn.ChannelShuffle, "channel_shuffle", "groups"),
])
def test_layers_call_the_functions_and_repr_as_torch(layer, function, argument):
    torch = pytest.importorskip("torch")
    module, theirs = layer(2), getattr(torch.nn, layer.__name__)(2)
    assert repr(module) == repr(theirs) == f"{layer.__name__}({argument}=2)"
    x = normal(2, (1, 8, 4, 4))
    np.testing.assert_array_equal(module(Tensor(x)).data, getattr(F, function)(x, 2).data)
    assert list(module.parameters()) == []


@pytest.mark.parametrize("call, match", [
    (lambda: F.pixel_shuffle(np.zeros((7, 2, 2)), 2), "divisible by upscale_factor"),
    (lambda: F.pixel_shuffle(np.zeros((4, 2)), 2), "at least 3 axes"),
    (lambda: F.pixel_unshuffle(np.zeros((1, 5, 4)), 2), "divisible by downscale_factor"),
    (lambda: F.pixel_unshuffle(np.zeros((4, 4)), 2), "at least 3 axes"),
    (lambda: F.channel_shuffle(np.zeros((2, 6, 3)), 4), "divisible by groups"),
    (lambda: F.channel_shuffle(np.zeros((2, 6)), 3), "at least 3 axes"),
])
def test_shapes_that_do_not_fit_raise_shape_error(call, match):
    with pytest.raises(ShapeError, match=match):
        call()


@pytest.mark.parametrize("call, error", [
    (lambda: F.pixel_shuffle(np.zeros((4, 2, 2)), 0), ConfigError),
    (lambda: F.pixel_unshuffle(np.zeros((4, 2, 2)), -1), ConfigError),
    (lambda: nn.ChannelShuffle(0), ConfigError),
    (lambda: nn.PixelShuffle(2.0), ArgumentTypeError),
    (lambda: F.channel_shuffle(np.zeros((2, 4, 2)), None), ArgumentTypeError),
])
def test_bad_factors_raise_named_errors(call, error):
    with pytest.raises(error, match="must be an int"):
        call()
