"""Pooling fixes of session 36: which NaN a max pool picks (PyTorch's CPU kernels keep an
entry v when ``v > best or isnan(v)``, scanning a window in row-major order, so the LAST
NaN wins), int64 maxima above 2^53 in fractional max pooling, lp_pool's errors naming
lp_pool, and inputs PyTorch refuses (an empty channel axis, a bare None output size).

The expected values come from a plain-Python scan with PyTorch's update rule, written
here, not from PyTorch."""

import math

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor
from autograd.errors import AutogradError, ShapeError
from nn.errors import ArgumentTypeError, ConfigError


def _scan_max(values: list[float], places: list[int]) -> int:
    """PyTorch's CPU max kernel on one window (entries in row-major order): keep v when
    v > best or isnan(v), starting from the first entry; the place of the kept entry."""
    best, where = -math.inf, places[0]
    for v, place in zip(values, places):
        if v > best or math.isnan(v):
            best, where = v, place
    return where


def _window_pool_reference(x: np.ndarray, kernel: int, stride: int) -> np.ndarray:
    """Flat per-plane index of each window's pick, x (N, C, *spatial), no padding."""
    spatial = x.shape[2:]
    outs = [(n - kernel) // stride + 1 for n in spatial]
    flat = x.reshape(x.shape[:2] + (-1,))
    result = np.zeros(x.shape[:2] + tuple(outs), dtype=np.int64)
    for n, c in np.ndindex(*x.shape[:2]):
        for out in np.ndindex(*outs):
            taps = np.ndindex(*(kernel,) * len(spatial))  # row-major over the window
            places = [int(np.ravel_multi_index([o * stride + t for o, t in zip(out, tap)],
                                               spatial)) for tap in taps]
            result[(n, c) + out] = _scan_max([flat[n, c, p] for p in places], places)
    return result


def _adaptive_reference(x: np.ndarray, cells: int) -> np.ndarray:
    """Flat per-plane index of each adaptive cell's pick (PyTorch's cells)."""
    spatial = x.shape[2:]
    flat = x.reshape(x.shape[:2] + (-1,))
    result = np.zeros(x.shape[:2] + (cells,) * len(spatial), dtype=np.int64)
    spans = [[range(i * n // cells, -(-(i + 1) * n // cells)) for i in range(cells)]
             for n in spatial]
    for n, c in np.ndindex(*x.shape[:2]):
        for out in np.ndindex(*(cells,) * len(spatial)):
            ranges = [spans[a][o] for a, o in enumerate(out)]
            places = [int(np.ravel_multi_index(pos, spatial))
                      for pos in np.ndindex(*[len(r) for r in ranges])
                      for pos in [[r[i] for r, i in zip(ranges, pos)]]]
            result[(n, c) + out] = _scan_max([flat[n, c, p] for p in places], places)
    return result


def _with_nans(seed: int, shape: tuple[int, ...]) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.integers(-2, 3, size=shape).astype(float)  # ties too
    x[rng.random(shape) < 0.35] = np.nan  # many windows with several NaNs
    return x


def _one_hot_gradient(x: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """The gradient of sum(pool(x)) when each output reads x at ``indices`` (flat)."""
    grad = np.zeros(x.shape[:2] + (math.prod(x.shape[2:]),))
    for (n, c, *_), place in np.ndenumerate(indices):
        grad[n, c, place] += 1.0
    return grad.reshape(x.shape)


def test_the_example_of_the_finding_picks_the_last_nan():
    x = Tensor(np.array([[[np.nan, 1.0, np.nan, 0.0]]]), requires_grad=True)
    y, indices = F.max_pool1d(x, 4, return_indices=True)
    y.sum().backward()
    assert indices.data.tolist() == [[[2]]]
    np.testing.assert_array_equal(x.grad.data, [[[0.0, 0.0, 1.0, 0.0]]])


@pytest.mark.parametrize("dims, shape, kernel, stride", [
    (1, (2, 3, 9), 3, 2), (2, (2, 2, 6, 7), 3, 2), (2, (1, 2, 5, 5), 2, 1),
    (3, (1, 2, 4, 5, 4), 2, 2),
])
def test_max_pool_with_several_nans_picks_the_last_nan(dims, shape, kernel, stride):
    x_np = _with_nans(dims, shape)
    expected = _window_pool_reference(x_np, kernel, stride)
    x = Tensor(x_np, requires_grad=True)
    y, indices = getattr(F, f"max_pool{dims}d")(x, kernel, stride, return_indices=True)
    np.testing.assert_array_equal(indices.data, expected)
    picked = np.take_along_axis(x_np.reshape(shape[:2] + (-1,)),
                                expected.reshape(shape[:2] + (-1,)), axis=2)
    np.testing.assert_array_equal(y.data, picked.reshape(y.shape))
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, _one_hot_gradient(x_np, expected))


@pytest.mark.parametrize("padding, expected", [
    (0, [0.0, 0.0, 1.0, 0.0, 0.0, 1.0]),  # [nan, 1, nan] [nan, 0, nan]: the last NaNs
    (1, [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]),  # [pad, nan, 1] [nan, nan, 0]
])
def test_max_pool_without_indices_sends_the_gradient_to_the_last_nan(padding, expected):
    x = Tensor(np.array([[[np.nan, 1.0, np.nan, np.nan, 0.0, np.nan]]]), requires_grad=True)
    y = F.max_pool1d(x, 3, padding=padding)
    assert np.isnan(y.data).all()
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[expected]])


@pytest.mark.parametrize("dims, shape, cells", [
    (1, (2, 3, 10), 3), (2, (2, 2, 7, 6), 2), (2, (1, 1, 5, 5), 1), (3, (1, 2, 4, 5, 3), 2),
])
def test_adaptive_max_pool_with_several_nans_picks_the_last_nan(dims, shape, cells):
    x_np = _with_nans(10 + dims, shape)
    expected = _adaptive_reference(x_np, cells)
    x = Tensor(x_np, requires_grad=True)
    y, indices = getattr(F, f"adaptive_max_pool{dims}d")(x, cells, return_indices=True)
    np.testing.assert_array_equal(indices.data, expected)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, _one_hot_gradient(x_np, expected))


def test_the_max_pool_layers_pick_as_the_functions():
    x_np = _with_nans(3, (1, 2, 6, 6))
    _, indices = nn.MaxPool2d(3, return_indices=True)(Tensor(x_np))
    np.testing.assert_array_equal(indices.data, _window_pool_reference(x_np, 3, 3))
    _, indices = nn.AdaptiveMaxPool2d(2, return_indices=True)(Tensor(x_np))
    np.testing.assert_array_equal(indices.data, _adaptive_reference(x_np, 2))


def test_fractional_max_pool_keeps_int64_maxima_above_two_to_the_53():
    big = 2 ** 53  # big and big + 1 are one float64: a float cast would call them a tie
    x = np.array([[[[big, big + 1, 3, big - 1]]]], dtype=np.int64)
    samples = np.zeros((1, 1, 2))
    y, indices = F.fractional_max_pool2d(x, (1, 2), output_size=(1, 2),
                                         _random_samples=samples, return_indices=True)
    assert y.dtype == np.int64
    assert y.data.tolist() == [[[[big + 1, big - 1]]]]
    assert indices.data.tolist() == [[[[1, 3]]]]


def test_fractional_max_pool_still_picks_the_last_nan():
    x = np.array([[[[np.nan, 2.0, np.nan, 1.0]]]])
    _, indices = F.fractional_max_pool2d(x, (1, 4), output_size=(1, 1),
                                         _random_samples=np.zeros((1, 1, 2)),
                                         return_indices=True)
    assert indices.data.tolist() == [[[[2]]]]


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_lp_pool_errors_name_lp_pool(dims):
    name = f"lp_pool{dims}d"
    pool = getattr(F, name)
    x = np.ones((1, 1) + (4,) * dims)
    for p in (2.0, math.inf, -math.inf):
        with pytest.raises(ConfigError, match=f"^{name}: stride"):
            pool(x, p, 2, 0)
    with pytest.raises(ShapeError, match=f"^{name}: input must have"):
        pool(np.ones((4,) * dims), 2.0, 2)
    with pytest.raises(ArgumentTypeError, match=f"^{name}: ceil_mode"):
        pool(x, 2.0, 2, None, "yes")


@pytest.mark.parametrize("name, args", [
    ("max_pool1d", (2,)), ("max_pool2d", (2,)), ("max_pool3d", (2,)),
    ("avg_pool1d", (2,)), ("avg_pool2d", (2,)), ("avg_pool3d", (2,)),
    ("lp_pool1d", (2.0, 2)), ("lp_pool2d", (2.0, 2)), ("lp_pool3d", (2.0, 2)),
])
def test_an_empty_channel_axis_is_refused_by_name_as_torch(name, args):
    dims = int(name[-2])
    pool = getattr(F, name)
    for shape in [(1, 0) + (4,) * dims, (0,) + (4,) * dims]:  # batched, unbatched
        with pytest.raises(ShapeError, match=f"^{name}: the channel axis must not be empty"):
            pool(np.ones(shape), *args)
    assert pool(np.ones((0, 2) + (4,) * dims), *args).shape == (0, 2) + (2,) * dims


@pytest.mark.parametrize("name", ["adaptive_avg_pool1d", "adaptive_avg_pool2d",
                                  "adaptive_avg_pool3d", "adaptive_max_pool1d",
                                  "adaptive_max_pool2d", "adaptive_max_pool3d"])
def test_a_bare_none_output_size_is_refused_as_torch(name):
    dims = int(name[-2])
    x = np.arange(float(4 ** dims)).reshape((1, 1) + (4,) * dims)
    pool = getattr(F, name)
    with pytest.raises(ArgumentTypeError, match=f"^{name}: output_size .* got None"):
        pool(x, None)
    kept = pool(x, (None,) * dims)  # None inside the tuple still keeps that axis
    np.testing.assert_array_equal(kept.data, x)


def test_a_bare_none_output_size_is_refused_by_the_layers():
    for layer in (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d):
        with pytest.raises(AutogradError, match="output_size"):
            layer(None)
    assert nn.AdaptiveAvgPool2d((None, 2))(np.ones((1, 1, 3, 4))).shape == (1, 1, 3, 2)


def test_max_unpool_repeated_index_sends_the_gradient_to_the_last_write_only():
    # As its docstring and the README say: the last write wins, and only its source
    # entry gets the gradient (PyTorch's reverse mode gives every copy the gradient).
    x = Tensor(np.array([[[5.0, 5.0, 2.0]]]), requires_grad=True)
    y = F.max_unpool1d(x, np.array([[[1, 1, 2]]]), 2, stride=1)
    weights = np.array([[[10.0, 20.0, 30.0, 40.0]]])
    (y * weights).sum().backward()
    np.testing.assert_array_equal(y.data, [[[0.0, 5.0, 2.0, 0.0]]])
    np.testing.assert_array_equal(x.grad.data, [[[0.0, 20.0, 30.0]]])
    assert "only that write's entry gets the gradient" in " ".join(
        F.max_unpool2d.__doc__.split())


@pytest.mark.parametrize("name, dims", [("max_pool2d", 2), ("max_pool3d", 3),
                                        ("avg_pool2d", 2), ("avg_pool3d", 3)])
def test_one_element_sizes_count_for_every_axis_as_pytorchs(name: str, dims: int) -> None:
    """PyTorch's max and average pooling read kernel_size=(2,) as (2, 2); lp pooling's
    kernel (PyTorch unpacks two) still needs one per axis."""
    x = Tensor(np.random.default_rng(3).standard_normal((1, 2) + (5,) * dims))
    pool = getattr(F, name)
    one = pool(x, (2,), (1,), (1,))
    every = pool(x, (2,) * dims, (1,) * dims, (1,) * dims)
    np.testing.assert_array_equal(one.detach().numpy(), every.detach().numpy())
    if dims == 2:
        with pytest.raises(ConfigError, match="lp_pool2d: kernel_size"):
            F.lp_pool2d(x, 2, (2,))
