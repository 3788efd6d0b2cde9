"""Max, average and adaptive average pooling (functions and layers) against PyTorch:
values, input gradients (ties and NaN too), finite differences to second order, dtypes,
reprs and named errors."""

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor
from autograd.errors import ShapeError
from nn.errors import ArgumentTypeError, ConfigError

from torch_compare_helpers import normal, run_both

POOL2D = [  # keyword arguments shared by max and average pooling
    dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1), ceil_mode=True),
    dict(kernel_size=3, stride=2, ceil_mode=True), dict(kernel_size=2, stride=3, padding=1,
                                                        ceil_mode=True),
    dict(kernel_size=(3, 1), stride=None, padding=(1, 0)), dict(kernel_size=4, stride=1),
]
POOL1D = [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
          dict(kernel_size=4, stride=3, padding=2, ceil_mode=True), dict(kernel_size=1)]


def _compare(torch, name, kwargs, shape, seed=0):
    ours, theirs = getattr(F, name), getattr(torch.nn.functional, name)
    run_both(torch, lambda x: ours(x, **kwargs), lambda x: theirs(x, **kwargs),
             [normal(seed, shape)])


@pytest.mark.parametrize("kwargs", POOL2D)
@pytest.mark.parametrize("extra", [{}, dict(dilation=2), dict(dilation=(1, 2))])
def test_max_pool2d_matches_torch(kwargs, extra):
    _compare(pytest.importorskip("torch"), "max_pool2d", {**kwargs, **extra}, (2, 3, 9, 8))


@pytest.mark.parametrize("kwargs", POOL2D)
@pytest.mark.parametrize("extra", [{}, dict(count_include_pad=False),
                                   dict(divisor_override=3)])
def test_avg_pool2d_matches_torch(kwargs, extra):
    _compare(pytest.importorskip("torch"), "avg_pool2d", {**kwargs, **extra}, (2, 3, 7, 8))


@pytest.mark.parametrize("kwargs", POOL1D)
@pytest.mark.parametrize("name, extra", [("max_pool1d", {}), ("max_pool1d", dict(dilation=2)),
                                         ("avg_pool1d", {}),
                                         ("avg_pool1d", dict(count_include_pad=False))])
def test_pool1d_matches_torch(kwargs, name, extra):
    _compare(pytest.importorskip("torch"), name, {**kwargs, **extra}, (2, 3, 11))


@pytest.mark.parametrize("name, shape", [("max_pool2d", (3, 6, 5)), ("avg_pool2d", (3, 6, 5)),
                                         ("max_pool1d", (3, 7)), ("avg_pool1d", (3, 7))])
def test_unbatched_input_as_torch(name, shape):
    _compare(pytest.importorskip("torch"), name, dict(kernel_size=2, padding=1), shape)


@pytest.mark.parametrize("output_size", [1, 2, (3, 2), (4, 7), (5, None), (None, 3), (6, 7)])
def test_adaptive_avg_pool2d_matches_torch(output_size):
    torch = pytest.importorskip("torch")
    _compare(torch, "adaptive_avg_pool2d", dict(output_size=output_size), (2, 3, 6, 7))
    _compare(torch, "adaptive_avg_pool2d", dict(output_size=output_size), (3, 6, 7))


@pytest.mark.parametrize("output_size", [1, 3, 4, 7])
def test_adaptive_avg_pool1d_matches_torch(output_size):
    torch = pytest.importorskip("torch")
    _compare(torch, "adaptive_avg_pool1d", dict(output_size=output_size), (2, 3, 7))


def test_max_pool_ties_send_the_gradient_to_the_first_largest_entry_as_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).integers(0, 3, size=(2, 2, 6, 6)).astype(float)
    run_both(torch, lambda t: F.max_pool2d(t, 3, 1, 1),
             lambda t: torch.nn.functional.max_pool2d(t, 3, 1, 1), [x])
    t = Tensor([[[1.0, 1.0, 1.0, 0.0]]], requires_grad=True)
    F.max_pool1d(t, 3, 1).sum().backward()
    np.testing.assert_array_equal(t.grad.data, [[[1.0, 1.0, 0.0, 0.0]]])


def test_max_pool_nan_wins_as_torch():
    torch = pytest.importorskip("torch")
    x = np.array([[[1.0, np.nan, 1.0, np.nan, 3.0, 2.0]]])
    ours, theirs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = F.max_pool1d(ours, 2, 1), torch.nn.functional.max_pool1d(theirs, 2, 1)
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_array_equal(ours.grad.data, theirs.grad.numpy())


@pytest.mark.parametrize("fn", [
    lambda x: F.max_pool2d(x, 2, 1, 1), lambda x: F.max_pool2d(x, 3, 2, ceil_mode=True),
    lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
    lambda x: F.avg_pool1d(x[0], 2, padding=1), lambda x: F.adaptive_avg_pool2d(x, (2, 3)),
    lambda x: F.adaptive_avg_pool1d(x[0], 2)])
def test_pooling_gradients_to_second_order(fn):
    x = Tensor(np.random.default_rng(1).permutation(40).reshape(1, 2, 5, 4) / 7.0,
               requires_grad=True)  # distinct values: no ties for max pooling

    def squared(x):
        return fn(x) ** 2  # so that the second derivative is not zero
    assert autograd.gradcheck(squared, [x])
    assert autograd.gradgradcheck(squared, [x])


@pytest.mark.parametrize("fn", [lambda x: F.max_pool2d(x, 2, padding=1),
                                lambda x: F.avg_pool2d(x, 2, ceil_mode=True),
                                lambda x: F.adaptive_avg_pool2d(x, 3)])
def test_float32_is_kept(fn):
    x = Tensor(normal(0, (2, 3, 5, 5)).astype(np.float32), requires_grad=True)
    y = fn(x)
    y.sum().backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32


LAYERS = [  # (name, args, kwargs, input shape)
    ("MaxPool2d", (2,), {}, (2, 3, 6, 6)),
    ("MaxPool2d", ((2, 3),), dict(stride=1, padding=1, dilation=2, ceil_mode=True),
     (2, 3, 7, 8)),
    ("MaxPool1d", (3,), dict(stride=2, padding=1), (2, 9)),
    ("AvgPool2d", (2,), {}, (2, 3, 6, 6)),
    ("AvgPool2d", (3,), dict(stride=(2, 1), padding=1, ceil_mode=True, count_include_pad=False,
                             divisor_override=None), (1, 2, 7, 5)),
    ("AvgPool2d", (2,), dict(divisor_override=3), (1, 2, 4, 4)),
    ("AvgPool1d", (3,), dict(ceil_mode=True, count_include_pad=False, padding=1), (2, 3, 10)),
    ("AdaptiveAvgPool2d", (1,), {}, (2, 3, 5, 4)),
    ("AdaptiveAvgPool2d", ((2, None),), {}, (2, 3, 5, 4)),
    ("AdaptiveAvgPool1d", (3,), {}, (2, 3, 8)),
]


@pytest.mark.parametrize("name, args, kwargs, shape", LAYERS)
def test_pooling_layers_match_torch(name, args, kwargs, shape):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs) and not list(ours.parameters())
    for attribute in ("kernel_size", "stride", "padding", "dilation", "ceil_mode",
                      "count_include_pad", "divisor_override", "output_size"):
        if hasattr(theirs, attribute):
            assert getattr(ours, attribute) == getattr(theirs, attribute), attribute
    run_both(torch, ours, theirs, [normal(3, shape)])


def test_pooling_errors_are_named():
    x = np.ones((1, 1, 5, 5))
    with pytest.raises(ConfigError, match=r"max_pool2d: padding should be at most half"):
        F.max_pool2d(x, 2, padding=2)
    with pytest.raises(ConfigError, match=r"AvgPool2d: padding should be at most half"):
        nn.AvgPool2d(3, padding=2)
    with pytest.raises(ShapeError, match=r"max_pool1d: an axis of 1 entries.*no window"):
        F.max_pool1d(np.ones((1, 1, 1)), 3)
    with pytest.raises(ShapeError, match=r"avg_pool2d: input must have 4 axes"):
        F.avg_pool2d(np.ones((5, 5)), 2)
    with pytest.raises(ArgumentTypeError, match="return_indices must be True or False"):
        F.max_pool2d(x, 2, return_indices=1)
    with pytest.raises(ArgumentTypeError, match="MaxPool2d: return_indices must be True or"):
        nn.MaxPool2d(2, return_indices=None)
    with pytest.raises(ConfigError, match=r"kernel_size needs one int per spatial axis"):
        nn.MaxPool2d((2, 2, 2))
    with pytest.raises(ConfigError, match="stride must be >= 1"):
        F.avg_pool1d(np.ones((1, 5)), 2, stride=0)
    with pytest.raises(ArgumentTypeError, match="ceil_mode must be True or False"):
        F.max_pool2d(x, 2, ceil_mode=None)
    with pytest.raises(ConfigError, match="divisor_override must be an int >= 1"):
        F.avg_pool2d(x, 2, divisor_override=0)
    with pytest.raises(ConfigError, match=r"output_size needs 2 entries"):
        nn.AdaptiveAvgPool2d((2, 2, 2))
    with pytest.raises(ArgumentTypeError, match=r"output_size must be an int or a tuple"):
        F.adaptive_avg_pool2d(x, 1.5)
    with pytest.raises(ShapeError, match=r"adaptive_avg_pool1d: input must have 3 axes"):
        F.adaptive_avg_pool1d(x, 2)
