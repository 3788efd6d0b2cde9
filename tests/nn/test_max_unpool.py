"""max_pool1d/2d(return_indices=True) and F.max_unpool1d/2d / nn.MaxUnpool1d/2d against
PyTorch (indices, values, gradients), finite differences to second order, named errors."""

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor
from autograd.errors import DTypeError, ShapeError, TensorIndexError
from nn.errors import ArgumentTypeError, ConfigError

from torch_compare_helpers import normal, run_both

POOLS = [  # (dims, shape, kwargs)
    (2, (2, 3, 6, 6), dict(kernel_size=2)),
    (2, (2, 2, 7, 6), dict(kernel_size=3, stride=2, padding=1)),
    (2, (1, 2, 7, 6), dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1),
                           dilation=(2, 1), ceil_mode=True)),
    (2, (3, 5, 5), dict(kernel_size=2, ceil_mode=True)),  # unbatched
    (1, (2, 3, 9), dict(kernel_size=3, stride=2, padding=1, dilation=2)),
    (1, (2, 8), dict(kernel_size=2)),
]


def _pool(module, dims):
    return getattr(module, f"max_pool{dims}d")


@pytest.mark.parametrize("dims, shape, kwargs", POOLS)
def test_max_pool_indices_match_torch(dims, shape, kwargs):
    torch = pytest.importorskip("torch")
    x = normal(0, shape)
    y, indices = _pool(F, dims)(x, return_indices=True, **kwargs)
    yt, it = _pool(torch.nn.functional, dims)(torch.tensor(x), return_indices=True, **kwargs)
    assert indices.dtype == np.int64
    np.testing.assert_array_equal(indices.data, it.numpy())
    np.testing.assert_array_equal(y.data, yt.numpy())


def test_a_window_of_minus_inf_picks_its_first_entry_inside_as_torch():
    torch = pytest.importorskip("torch")
    x = -np.full((1, 1, 3, 4), np.inf)
    x[0, 0, 2, 3] = 1.0
    for kwargs in (dict(kernel_size=3, stride=1, padding=1),
                   dict(kernel_size=2, stride=1, padding=1, dilation=2)):
        run_both(torch, lambda x: F.max_pool2d(x, **kwargs),
                 lambda x: torch.nn.functional.max_pool2d(x, **kwargs), [x])
        ours = F.max_pool2d(x, return_indices=True, **kwargs)[1].data
        theirs = torch.nn.functional.max_pool2d(torch.tensor(x), return_indices=True,
                                                **kwargs)[1].numpy()
        np.testing.assert_array_equal(ours, theirs)


def test_max_pool_layer_returns_the_indices():
    layer = nn.MaxPool2d(2, return_indices=True)
    assert layer.return_indices and repr(layer) == (
        "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)")
    y, indices = layer(normal(0, (1, 1, 4, 4)))
    assert y.shape == indices.shape == (1, 1, 2, 2)
    y, indices = nn.MaxPool1d(3, return_indices=True)(normal(0, (2, 6)))
    assert y.shape == indices.shape == (2, 2)


UNPOOLS = [  # (dims, shape, kernel, stride, padding, output_size)
    (2, (2, 3, 6, 6), 2, None, 0, None),
    (2, (2, 2, 7, 5), 2, None, 0, (7, 5)),  # the pooling dropped a last row and column
    (2, (1, 2, 7, 6), 3, 2, 1, (7, 6)),
    (2, (1, 2, 8, 7), (3, 2), (2, 2), (1, 0), [1, 2, 8, 7]),
    (2, (3, 6, 4), 2, None, 0, None),  # unbatched
    (1, (2, 3, 9), 3, 2, 1, None),
    (1, (2, 3, 9), 3, 1, 1, None),  # overlapping windows: repeated indices
    (1, (2, 7), 2, None, 0, [7]),
]


@pytest.mark.parametrize("dims, shape, kernel, stride, padding, output_size", UNPOOLS)
def test_max_unpool_matches_torch(dims, shape, kernel, stride, padding, output_size):
    torch = pytest.importorskip("torch")
    pooled, indices = _pool(F, dims)(normal(0, shape), kernel, stride, padding,
                                     return_indices=True)
    it = torch.tensor(indices.data)
    unpool = getattr(F, f"max_unpool{dims}d")
    theirs = getattr(torch.nn.functional, f"max_unpool{dims}d")
    planes = indices.data.reshape(int(np.prod(indices.shape[:pooled.ndim - dims])), -1)
    if any(len(np.unique(plane)) < len(plane) for plane in planes):
        # overlapping windows repeat an index: the last write wins, as in torch, and only
        # it gets the gradient, as finite differences and torch's forward-mode AD give
        # (torch's reverse mode gives every repeat the gradient, a gather)
        x = normal(1, pooled.shape)
        np.testing.assert_allclose(
            unpool(Tensor(x), indices, kernel, stride, padding, output_size).data,
            theirs(torch.tensor(x), it, kernel, stride, padding, output_size).numpy())
        assert autograd.gradcheck(
            lambda t: unpool(t, indices, kernel, stride, padding, output_size),
            (Tensor(x, requires_grad=True),))
        return
    run_both(torch, lambda x: unpool(x, indices, kernel, stride, padding, output_size),
             lambda x: theirs(x, it, kernel, stride, padding, output_size),
             [normal(1, pooled.shape)])


def test_max_unpool_layers_match_torch():
    torch = pytest.importorskip("torch")
    for ours, theirs in ((nn.MaxUnpool2d(2), torch.nn.MaxUnpool2d(2)),
                         (nn.MaxUnpool1d(3, 2, 1), torch.nn.MaxUnpool1d(3, 2, 1))):
        assert repr(ours) == repr(theirs)
        assert (ours.kernel_size, ours.stride, ours.padding) == (
            theirs.kernel_size, theirs.stride, theirs.padding)
    pool, unpool = nn.MaxPool2d(2, return_indices=True), nn.MaxUnpool2d(2)
    x = normal(0, (1, 2, 5, 5))
    y, indices = pool(x)
    out = unpool(y, indices, output_size=x.shape)
    expected = torch.nn.MaxUnpool2d(2)(torch.tensor(y.data), torch.tensor(indices.data),
                                       output_size=x.shape)
    np.testing.assert_array_equal(out.data, expected.numpy())


def test_pool_then_unpool_gradients_to_second_order():
    x = Tensor(normal(0, (1, 2, 5, 4)), requires_grad=True)

    def fn(x):
        y, indices = F.max_pool2d(x, 2, return_indices=True)
        return F.max_unpool2d(y * y, indices, 2, output_size=x.shape) * x
    assert autograd.gradcheck(fn, [x])
    assert autograd.gradgradcheck(fn, [x])
    v = Tensor(normal(1, (2, 3, 4)), requires_grad=True)
    indices = F.max_pool1d(normal(2, (2, 3, 8)), 2, return_indices=True)[1]
    assert autograd.gradgradcheck(lambda v: F.max_unpool1d(v * v, indices, 2), [v])


def test_max_unpool_errors_are_named():
    y, indices = F.max_pool1d(normal(0, (1, 1, 6)), 2, return_indices=True)
    with pytest.raises(ConfigError, match=r"invalid output_size \[8\]: axis 0 must be "
                                          r"between 4 and 8"):
        F.max_unpool1d(y, indices, 2, output_size=[8])
    with pytest.raises(ConfigError, match="output_size should hold 1 or 3 sizes"):
        F.max_unpool1d(y, indices, 2, output_size=[1, 7])
    with pytest.raises(ArgumentTypeError, match="output_size must be a tuple or list"):
        F.max_unpool1d(y, indices, 2, output_size=7)
    with pytest.raises(TensorIndexError, match=r"invalid max index 8.*\[0, 6\)"):
        F.max_unpool1d(y, indices.data + 3, 2)
    with pytest.raises(TensorIndexError, match="invalid max index -"):
        F.max_unpool1d(y, indices.data - 8, 2)
    with pytest.raises(ShapeError, match=r"indices must have the input's shape \(1, 1, 3\)"):
        F.max_unpool1d(y, indices.data[..., :2], 2)
    with pytest.raises(DTypeError, match="indices must be integers"):
        F.max_unpool1d(y, indices.data.astype(float), 2)
    with pytest.raises(ShapeError, match="input must have 4 axes"):
        F.max_unpool2d(y[0, 0], indices.data[0, 0], 2)
    with pytest.raises(ConfigError, match="MaxUnpool2d: stride must be >= 1"):
        nn.MaxUnpool2d(2, stride=0)
