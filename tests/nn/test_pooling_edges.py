"""Pooling at the edges users reach: empty batches, windows that only ceil_mode lets
exist, bool masks, and inf or NaN in adaptive pooling; compared with PyTorch."""

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F

from torch_compare_helpers import run_both


@pytest.mark.parametrize("name, args", [("max_pool2d", (2,)), ("avg_pool2d", (2,)),
                                        ("max_pool1d", (3, 2, 1)), ("avg_pool1d", (2,)),
                                        ("adaptive_avg_pool2d", (2,))])
def test_an_empty_batch_gives_an_empty_output_as_torch(name, args):
    torch = pytest.importorskip("torch")
    shape = (0, 3, 4, 4) if name.endswith("2d") else (0, 3, 5)
    y = getattr(F, name)(np.ones(shape), *args)
    expected = getattr(torch.nn.functional, name)(torch.ones(shape), *args)
    assert y.shape == tuple(expected.shape)


def test_pooling_layers_in_a_model_take_an_empty_batch():
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, rng=0), nn.MaxPool2d(2),
                          nn.AvgPool2d(2), nn.Flatten(), nn.Linear(8, 3, rng=0))
    assert model(np.ones((0, 1, 8, 8))).shape == (0, 3)


@pytest.mark.parametrize("name, args, kwargs, shape", [
    ("max_pool1d", (3, 2, 0, 2), dict(ceil_mode=True), (1, 2, 4)),  # spans 5 > 4
    ("max_pool2d", (3, 3, 0, 2), dict(ceil_mode=True), (1, 2, 4, 4)),
    ("avg_pool1d", (4, 2, 1), dict(ceil_mode=True), (1, 2, 1)),
    ("avg_pool1d", (4, 2, 2), dict(ceil_mode=True, count_include_pad=False), (1, 2, 1)),
    ("avg_pool2d", (4, 2, 1), dict(ceil_mode=True), (1, 2, 1, 2))])
def test_ceil_mode_keeps_a_window_wider_than_the_padded_input_as_torch(name, args, kwargs,
                                                                        shape):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal(shape)
    run_both(torch, lambda t: getattr(F, name)(t, *args, **kwargs),
             lambda t: getattr(torch.nn.functional, name)(t, *args, **kwargs), [x])


def test_max_pooling_a_bool_mask_is_any_over_each_window():
    mask = np.random.default_rng(1).random((2, 1, 5, 6)) > 0.8
    y = F.max_pool2d(mask, 2, padding=1, ceil_mode=True)
    as_ints = F.max_pool2d(mask.astype(np.int64), 2, padding=1, ceil_mode=True)
    assert y.dtype == np.bool_
    np.testing.assert_array_equal(y.data, as_ints.data.astype(bool))


@pytest.mark.parametrize("kwargs", [dict(kernel_size=2), dict(kernel_size=3, stride=2,
                                                              padding=1, ceil_mode=True)])
def test_average_pooling_of_bool_and_int_is_the_float_mean(kwargs):
    mask = np.random.default_rng(2).random((2, 3, 7)) > 0.5
    expected = F.avg_pool1d(mask.astype(np.float64), **kwargs).data
    for x in (mask, mask.astype(np.int64)):
        y = F.avg_pool1d(x, **kwargs)
        assert y.dtype == np.float64
        np.testing.assert_allclose(y.data, expected, rtol=1e-15)


@pytest.mark.parametrize("name, output_size, shape", [
    ("adaptive_avg_pool1d", 2, (1, 2, 4)), ("adaptive_avg_pool1d", 3, (1, 2, 7)),
    ("adaptive_avg_pool2d", (2, 3), (1, 2, 4, 5)), ("adaptive_avg_pool2d", (None, 2), (2, 3, 3))])
def test_adaptive_pooling_keeps_inf_and_nan_in_their_own_cells_as_torch(name, output_size,
                                                                         shape):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(3).standard_normal(shape)
    x.reshape(-1)[0], x.reshape(-1)[-1] = np.inf, np.nan
    y = getattr(F, name)(x, output_size).data
    expected = getattr(torch.nn.functional, name)(torch.tensor(x), output_size).numpy()
    np.testing.assert_allclose(y, expected, rtol=1e-12)  # NaN where torch has NaN only
    assert np.isfinite(y).sum() == np.isfinite(expected).sum() > 0


@pytest.mark.parametrize("name, kwargs, shape", [
    ("max_pool1d", dict(kernel_size=2, padding=1, dilation=2), (2, 3, 1)),
    ("max_pool2d", dict(kernel_size=2, stride=1, padding=1, dilation=2), (2, 1, 1, 3)),
    ("max_pool2d", dict(kernel_size=2, stride=1, padding=1, dilation=2), (1, 2, 1, 1)),
    ("max_pool3d", dict(kernel_size=2, stride=1, padding=1, dilation=2), (1, 1, 2, 1, 3))])
def test_a_window_whose_dilated_taps_all_miss_the_input_is_minus_inf_as_torch(name, kwargs,
                                                                              shape):
    """Padding 1 and dilation 2 over an axis of one element: the window's taps fall on
    either side of it. PyTorch gives -inf there and an index past the plane (its own
    backward then writes out of bounds, so it is not run here). This raised a bare
    ValueError from np.ravel_multi_index. The gradient is checked against central
    differences of the loss over the windows that do reach the input."""
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(3).standard_normal(shape)
    values, indices = getattr(F, name)(x, return_indices=True, **kwargs)
    expected, expected_indices = getattr(torch.nn.functional, name)(
        torch.tensor(x), return_indices=True, **kwargs)
    np.testing.assert_array_equal(values.data, expected.numpy())
    np.testing.assert_array_equal(indices.data, expected_indices.numpy())
    assert np.isneginf(values.data).any()  # the case is really there
    reached = np.isfinite(values.data)
    g = np.random.default_rng(4).standard_normal(values.shape)

    def loss(array):
        return float((g * getattr(F, name)(array, **kwargs).data)[reached].sum())
    xt = autograd.Tensor(x, requires_grad=True)
    getattr(F, name)(xt, **kwargs).backward(autograd.Tensor(g))  # -inf windows too
    h, numeric = 1e-6, np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = h
        numeric[i] = (loss(x + step) - loss(x - step)) / (2 * h)
    np.testing.assert_allclose(xt.grad.data, numeric, atol=1e-7)
