"""The 3-d pooling functions and layers against PyTorch: max_pool3d (indices, ceil_mode,
dilation), avg_pool3d, adaptive_avg_pool3d, adaptive_max_pool3d and max_unpool3d, with
their layers' reprs and attributes; unbatched input, finite differences on tiny cases and
named errors."""

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor
from autograd.errors import ShapeError
from nn.errors import ConfigError

from torch_compare_helpers import normal, run_both

POOL3D = [  # keyword arguments shared by max and average pooling
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(2, 3, 1), stride=(1, 2, 1), padding=(1, 1, 0), ceil_mode=True),
    dict(kernel_size=2, stride=3, padding=1, ceil_mode=True),
    dict(kernel_size=(3, 2, 2), stride=None, padding=(1, 0, 1)),
]


def _compare(torch, name, kwargs, shape, seed=0):
    ours, theirs = getattr(F, name), getattr(torch.nn.functional, name)
    run_both(torch, lambda x: ours(x, **kwargs), lambda x: theirs(x, **kwargs),
             [normal(seed, shape)])


@pytest.mark.parametrize("kwargs", POOL3D)
@pytest.mark.parametrize("extra", [{}, dict(dilation=2), dict(dilation=(1, 2, 1))])
def test_max_pool3d_matches_torch(kwargs, extra):
    _compare(pytest.importorskip("torch"), "max_pool3d", {**kwargs, **extra}, (2, 2, 5, 5, 4))


@pytest.mark.parametrize("kwargs", POOL3D)
@pytest.mark.parametrize("extra", [{}, dict(count_include_pad=False),
                                   dict(divisor_override=3)])
def test_avg_pool3d_matches_torch(kwargs, extra):
    _compare(pytest.importorskip("torch"), "avg_pool3d", {**kwargs, **extra}, (2, 2, 5, 4, 5))


@pytest.mark.parametrize("name", ["max_pool3d", "avg_pool3d"])
def test_unbatched_input_as_torch(name):
    _compare(pytest.importorskip("torch"), name, dict(kernel_size=2, padding=1), (3, 4, 5, 4))


@pytest.mark.parametrize("kwargs, shape", [
    (dict(kernel_size=2), (2, 2, 4, 4, 4)),
    (dict(kernel_size=3, stride=2, padding=1, dilation=(1, 2, 1)), (2, 2, 5, 5, 4)),
    (dict(kernel_size=(2, 3, 2), stride=(2, 1, 2), padding=(1, 1, 0), ceil_mode=True),
     (2, 5, 4, 5)),  # unbatched
])
def test_max_pool3d_indices_match_torch(kwargs, shape):
    torch = pytest.importorskip("torch")
    x = normal(0, shape)
    y, indices = F.max_pool3d(x, return_indices=True, **kwargs)
    yt, it = torch.nn.functional.max_pool3d(torch.tensor(x), return_indices=True, **kwargs)
    assert indices.dtype == np.int64
    np.testing.assert_array_equal(indices.data, it.numpy())
    np.testing.assert_array_equal(y.data, yt.numpy())


def test_max_pool3d_ties_go_to_the_first_largest_entry_as_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).integers(0, 3, size=(1, 2, 4, 4, 4)).astype(float)
    run_both(torch, lambda t: F.max_pool3d(t, 3, 1, 1),
             lambda t: torch.nn.functional.max_pool3d(t, 3, 1, 1), [x])


@pytest.mark.parametrize("output_size", [1, 2, (3, 2, 4), (2, None, 3), (None, 5, None),
                                         (6, 3, 5)])
def test_adaptive_avg_pool3d_matches_torch(output_size):
    torch = pytest.importorskip("torch")
    _compare(torch, "adaptive_avg_pool3d", dict(output_size=output_size), (2, 2, 4, 5, 3))
    _compare(torch, "adaptive_avg_pool3d", dict(output_size=output_size), (2, 4, 5, 3))


@pytest.mark.parametrize("shape, output_size", [
    ((2, 2, 4, 5, 3), 2), ((2, 2, 4, 5, 3), (3, None, 2)), ((1, 2, 3, 4, 4), (5, 3, 4)),
    ((2, 4, 5, 3), (1, 2, None)),  # unbatched
])
def test_adaptive_max_pool3d_matches_torch(shape, output_size):
    torch = pytest.importorskip("torch")
    x = normal(0, shape)
    run_both(torch, lambda x: F.adaptive_max_pool3d(x, output_size),
             lambda x: torch.nn.functional.adaptive_max_pool3d(x, output_size), [x])
    _, indices = F.adaptive_max_pool3d(x, output_size, return_indices=True)
    _, expected = torch.nn.functional.adaptive_max_pool3d(torch.tensor(x), output_size,
                                                          return_indices=True)
    assert indices.dtype == np.int64
    np.testing.assert_array_equal(indices.data, expected.numpy())


UNPOOLS = [  # (shape, kernel, stride, padding, output_size)
    ((2, 2, 4, 4, 4), 2, None, 0, None),
    ((1, 2, 5, 4, 5), 2, None, 0, (5, 4, 5)),  # the pooling dropped a last slice
    ((1, 2, 5, 5, 4), 3, 2, 1, [1, 2, 5, 5, 4]),
    ((2, 4, 5, 4), (2, 3, 2), (2, 3, 2), 0, (4, 5, 4)),  # unbatched
]


@pytest.mark.parametrize("shape, kernel, stride, padding, output_size", UNPOOLS)
def test_max_unpool3d_matches_torch(shape, kernel, stride, padding, output_size):
    torch = pytest.importorskip("torch")
    pooled, indices = F.max_pool3d(normal(0, shape), kernel, stride, padding,
                                   return_indices=True)
    it = torch.tensor(indices.data)
    planes = indices.data.reshape(int(np.prod(indices.shape[:-3])), -1)
    if any(len(np.unique(plane)) < len(plane) for plane in planes):
        # overlapping windows repeat an index: the last write wins, as in torch, and only
        # it gets the gradient, as finite differences and torch's forward-mode AD give
        # (torch's reverse mode gives every repeat the gradient, a gather)
        x = normal(1, pooled.shape)
        np.testing.assert_allclose(
            F.max_unpool3d(Tensor(x), indices, kernel, stride, padding, output_size).data,
            torch.nn.functional.max_unpool3d(torch.tensor(x), it, kernel, stride, padding,
                                             output_size).numpy())
        assert autograd.gradcheck(
            lambda t: F.max_unpool3d(t, indices, kernel, stride, padding, output_size),
            (Tensor(x, requires_grad=True),))
        return
    run_both(torch, lambda x: F.max_unpool3d(x, indices, kernel, stride, padding, output_size),
             lambda x: torch.nn.functional.max_unpool3d(x, it, kernel, stride, padding,
                                                        output_size),
             [normal(1, pooled.shape)])


@pytest.mark.parametrize("fn", [
    lambda x: F.max_pool3d(x, 2, 1, 1), lambda x: F.max_pool3d(x, 2, ceil_mode=True),
    lambda x: F.avg_pool3d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
    lambda x: F.adaptive_avg_pool3d(x, (2, 1, 3)), lambda x: F.adaptive_max_pool3d(x, 2),
    lambda x: F.max_unpool3d(*F.max_pool3d(x, 2, return_indices=True), 2,
                             output_size=x.shape)])
def test_pooling3d_gradients_by_finite_differences(fn):
    x = Tensor(np.random.default_rng(1).permutation(36).reshape(1, 1, 3, 4, 3) / 7.0,
               requires_grad=True)  # distinct values: no ties for max pooling

    def squared(x):
        return fn(x) ** 2  # so that the second derivative is not zero
    assert autograd.gradcheck(squared, [x])
    assert autograd.gradgradcheck(squared, [x])


LAYERS = [  # (name, args, kwargs, input shape)
    ("MaxPool3d", (2,), {}, (2, 2, 4, 4, 4)),
    ("MaxPool3d", ((2, 3, 1),), dict(stride=[1, 2, 1], padding=(1, 1, 0), dilation=(2, 1, 1),
                                     ceil_mode=True), (2, 2, 5, 5, 3)),
    ("AvgPool3d", (2,), {}, (2, 2, 4, 5, 4)),
    ("AvgPool3d", (3,), dict(stride=(2, 1, 2), padding=1, ceil_mode=True,
                             count_include_pad=False), (1, 2, 5, 4, 5)),
    ("AvgPool3d", (2,), dict(divisor_override=3), (2, 4, 4, 4)),  # unbatched
    ("AdaptiveAvgPool3d", (1,), {}, (2, 2, 4, 3, 5)),
    ("AdaptiveAvgPool3d", ((2, None, 3),), {}, (2, 4, 3, 5)),
    ("AdaptiveMaxPool3d", ((None, 2, 2),), {}, (2, 2, 4, 3, 5)),
]


@pytest.mark.parametrize("name, args, kwargs, shape", LAYERS)
def test_pooling3d_layers_match_torch(name, args, kwargs, shape):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs) and not list(ours.parameters())
    for attribute in ("kernel_size", "stride", "padding", "dilation", "ceil_mode",
                      "count_include_pad", "divisor_override", "output_size",
                      "return_indices"):
        if hasattr(theirs, attribute):
            assert getattr(ours, attribute) == getattr(theirs, attribute), attribute
    run_both(torch, ours, theirs, [normal(3, shape)])


def test_pool_and_unpool_layers_as_torch():
    torch = pytest.importorskip("torch")
    for args in [(2,), ((2, 1, 3), 1, (1, 0, 1))]:
        ours, theirs = nn.MaxUnpool3d(*args), torch.nn.MaxUnpool3d(*args)
        assert repr(ours) == repr(theirs)
        assert (ours.kernel_size, ours.stride, ours.padding) == (
            theirs.kernel_size, theirs.stride, theirs.padding)
    pool, unpool = nn.MaxPool3d(2, return_indices=True), nn.MaxUnpool3d(2)
    x = normal(0, (1, 2, 5, 4, 5))
    y, indices = pool(x)
    out = unpool(y, indices, output_size=x.shape)
    yt, it = torch.nn.MaxPool3d(2, return_indices=True)(torch.tensor(x))
    expected = torch.nn.MaxUnpool3d(2)(yt, it, output_size=x.shape)
    np.testing.assert_array_equal(out.data, expected.numpy())
    y, indices = nn.AdaptiveMaxPool3d(2, return_indices=True)(x)
    assert y.shape == indices.shape == (1, 2, 2, 2, 2)


def test_float32_is_kept():
    x = Tensor(normal(0, (1, 2, 4, 4, 4)).astype(np.float32), requires_grad=True)
    for fn in (lambda x: F.max_pool3d(x, 2, padding=1), lambda x: F.avg_pool3d(x, 3, 2),
               lambda x: F.adaptive_avg_pool3d(x, 3), lambda x: F.adaptive_max_pool3d(x, 3)):
        x.grad = None
        y = fn(x)
        y.sum().backward()
        assert y.dtype == np.float32 and x.grad.dtype == np.float32


def test_errors_are_named():
    x = np.ones((1, 1, 4, 4, 4))
    with pytest.raises(ShapeError, match="max_pool3d: input must have 5 axes"):
        F.max_pool3d(np.ones((4, 4)), 2)
    with pytest.raises(ConfigError, match="avg_pool3d: padding should be at most half"):
        F.avg_pool3d(x, 2, padding=(0, 2, 0))
    with pytest.raises(ConfigError, match="AvgPool3d: padding should be at most half"):
        nn.AvgPool3d((2, 1, 1), padding=1)
    with pytest.raises(ConfigError, match=r"MaxPool3d: kernel_size needs one int per spatial "
                                          r"axis \(3\)"):
        nn.MaxPool3d((2, 2))
    with pytest.raises(ShapeError, match=r"max_pool3d: an axis of 4 entries.*no window"):
        F.max_pool3d(x, 5)
    with pytest.raises(ConfigError, match="AdaptiveAvgPool3d: output_size needs 3 entries"):
        nn.AdaptiveAvgPool3d((2, 2))
    with pytest.raises(ShapeError, match="adaptive_max_pool3d: input must have 5 axes"):
        F.adaptive_max_pool3d(np.ones((4, 4)), 2)
    y, indices = F.max_pool3d(x, 2, return_indices=True)
    with pytest.raises(ConfigError, match="max_unpool3d: output_size should hold 3 or 5"):
        F.max_unpool3d(y, indices, 2, output_size=[4, 4])
    with pytest.raises(ShapeError, match="max_unpool3d: input must have 5 axes"):
        F.max_unpool3d(y[0, 0], indices.data[0, 0], 2)
