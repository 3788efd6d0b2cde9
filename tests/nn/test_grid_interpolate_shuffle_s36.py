"""Session 36 fixes to grid_sample, interpolate, the shuffles, unfold and pad: a NaN or
infinite grid point gives the input no NaN gradient; bicubic positions past 2^63 do not
overflow; outputs never share the input's memory (interpolate to the same size, the
shuffles that move nothing, unfold with windows that repeat nothing); an empty input axis
of interpolate is a named error; "area" to an empty output and reflect/replicate pads that
crop an axis to nothing give empty tensors, as PyTorch's. Expected values come from this
library on inputs without the bad points, from NumPy formulas, or by hand."""

import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor
from autograd.errors import ShapeError
from nn.errors import ConfigError

RNG = np.random.default_rng(36)


def normal(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape)


def input_grad(x: np.ndarray, grid: np.ndarray, weight: np.ndarray, **options) -> tuple:
    """grid_sample's output and d(sum(output * weight))/d(input)."""
    xt = Tensor(x, requires_grad=True)
    out = F.grid_sample(xt, Tensor(grid), **options)
    (out * Tensor(weight)).sum().backward()
    return out.data, xt.grad.data


# --- grid_sample: a NaN or infinite grid point -----------------------------------------

NAN_CASES = [  # (input shape, mode, padding_mode)
    ((1, 2, 3, 4), "bilinear", "zeros"),
    ((1, 2, 2, 3, 4), "bilinear", "zeros"),
    ((1, 2, 3, 4), "bicubic", "zeros"),
    ((1, 2, 3, 4), "bicubic", "border"),
    ((1, 2, 3, 4), "bicubic", "reflection"),
    ((1, 2, 3, 4), "bilinear", "reflection"),
]


@pytest.mark.filterwarnings("ignore:invalid value")  # inf * 0 in the bad point's weights
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("shape, mode, padding_mode", NAN_CASES)
def test_a_nan_grid_point_adds_nothing_to_the_input_gradient(shape, mode, padding_mode,
                                                             bad):
    dims = len(shape) - 2
    x = normal(*shape)
    grid = RNG.uniform(-1.2, 1.2, (1, 2, 3, dims)) if dims == 2 else \
        RNG.uniform(-1.2, 1.2, (1, 2, 3, 1, dims))
    grid.reshape(-1, dims)[4, 0] = bad  # one coordinate of one point
    weight = normal(*((1, shape[1]) + grid.shape[1:-1]))
    weight.reshape(1, shape[1], -1)[:, :, 4] = 0  # its output is not used
    options = dict(mode=mode, padding_mode=padding_mode, align_corners=False)
    _, grad = input_grad(x, grid, weight, **options)
    # expected: the same grid with the bad point moved anywhere (its weight is 0)
    clean = grid.copy()
    clean.reshape(-1, dims)[4, 0] = 0.25
    _, expected = input_grad(x, clean, weight, **options)
    assert np.isfinite(grad).all()
    np.testing.assert_allclose(grad, expected, rtol=1e-12, atol=1e-12)


def test_a_nan_grid_point_still_reads_nan_and_the_others_are_unchanged():
    x = np.arange(1.0, 13.0).reshape(1, 1, 3, 4)
    grid = np.array([[[[0.3, 0.2], [np.nan, 0.1]]]])
    out, grad = input_grad(x, grid, np.array([[[[1.0, 0.0]]]]), align_corners=False)
    assert np.isnan(out[0, 0, 0, 1])
    # by hand: u = ((g + 1) * n - 1) / 2 -> x at column 2.1, row 1.3
    assert out[0, 0, 0, 0] == pytest.approx(0.7 * (0.9 * 7 + 0.1 * 8)
                                            + 0.3 * (0.9 * 11 + 0.1 * 12))
    expected = np.zeros((3, 4))
    expected[1, 2:], expected[2, 2:] = (0.63, 0.07), (0.27, 0.03)
    np.testing.assert_allclose(grad[0, 0], expected, atol=1e-12)


# --- grid_sample: positions past 2^63 ---------------------------------------------------

@pytest.mark.parametrize("huge", [1e19, 1e30, 1e200])
def test_bicubic_border_far_beyond_the_edge_reads_the_edge(huge):
    """Every tap clipped to the last column: the output is that of any point past it."""
    x = normal(1, 2, 3, 4)
    weight = normal(1, 2, 1, 2)
    options = dict(mode="bicubic", padding_mode="border", align_corners=False)
    far = np.array([[[[huge, 0.3], [0.2, -huge]]]])
    near = np.array([[[[10.0, 0.3], [0.2, -10.0]]]])  # columns from 20, rows to -12
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # was "invalid value encountered in cast"
        out, grad = input_grad(x, far, weight, **options)
    expected_out, expected_grad = input_grad(x, near, weight, **options)
    np.testing.assert_allclose(out, expected_out, rtol=1e-12)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-12, atol=1e-12)


def test_bicubic_reflection_of_2_to_the_64_is_the_reflection_of_0():
    """align_corners on 3 columns: u = g + 1, reflected with period 4; u = 2^64 (exact)
    is 0 mod 4 and t = 0, so the point reads column 0, as g = -1 does."""
    x = normal(1, 2, 3, 3)
    weight = normal(1, 2, 1, 1)
    options = dict(mode="bicubic", padding_mode="reflection", align_corners=True)
    out, grad = input_grad(x, np.array([[[[2.0 ** 64, 0.4]]]]), weight, **options)
    expected_out, expected_grad = input_grad(x, np.array([[[[-1.0, 0.4]]]]), weight,
                                             **options)
    np.testing.assert_allclose(out, expected_out, rtol=1e-12)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic", "nearest"])
def test_a_point_far_outside_with_zeros_padding_reads_zero(mode):
    x = normal(1, 2, 3, 4)
    out, grad = input_grad(x, np.array([[[[1e200, 1e200]]]]), np.ones((1, 2, 1, 1)),
                           mode=mode, align_corners=False)
    np.testing.assert_array_equal(out, np.zeros((1, 2, 1, 1)))  # was NaN (inf * 0)
    np.testing.assert_array_equal(grad, np.zeros_like(x))


# --- outputs that own their memory -------------------------------------------------------

SAME_SIZE = [  # (input shape, interpolate keywords)
    ((1, 2, 3), dict(size=3, mode="nearest")),
    ((1, 2, 3, 4), dict(size=(3, 4), mode="nearest")),
    ((1, 2, 3, 4), dict(scale_factor=1, mode="nearest")),
    ((1, 2, 3, 2, 2), dict(size=(3, 2, 2), mode="nearest")),
    ((1, 2, 3), dict(size=3, mode="linear")),
    ((1, 2, 3, 4), dict(size=(3, 4), mode="bilinear")),
    ((1, 2, 3, 4), dict(scale_factor=1.0, mode="bilinear", align_corners=True)),
    ((1, 2, 3, 2, 2), dict(scale_factor=1, mode="trilinear")),
]


@pytest.mark.parametrize("shape, options", SAME_SIZE)
def test_interpolate_to_the_same_size_returns_a_copy(shape, options):
    data = normal(*shape)
    x = Tensor(data.copy(), requires_grad=True)
    h = x * 1  # a non-leaf, which takes in-place ops
    y = F.interpolate(h, **options)
    assert y is not h and not np.shares_memory(y.data, h.data)
    np.testing.assert_array_equal(y.data, data)
    y += 1
    np.testing.assert_array_equal(h.data, data)  # was data + 1
    (y * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.full(shape, 2.0))


def test_upsample_with_scale_factor_1_returns_a_copy():
    data = normal(1, 1, 2, 2)
    h = Tensor(data.copy())
    y = nn.Upsample(scale_factor=1)(h)
    y += 1
    np.testing.assert_array_equal(h.data, data)


def _pixel_shuffle_reference(x: np.ndarray, r: int) -> np.ndarray:
    """out[..., c, h r + i, w r + j] = x[..., c r^2 + i r + j, h, w], by loops."""
    *batch, channels, height, width = x.shape
    out = np.empty((*batch, channels // (r * r), height * r, width * r))
    for c in range(channels // (r * r)):
        for i in range(r):
            for j in range(r):
                out[..., c, i::r, j::r] = x[..., c * r * r + i * r + j, :, :]
    return out


def _channel_shuffle_reference(x: np.ndarray, groups: int) -> np.ndarray:
    """out[:, b g + a] = x[:, a k + b], k = C / g."""
    k = x.shape[1] // groups
    out = np.empty_like(x)
    for a in range(groups):
        for b in range(k):
            out[:, b * groups + a] = x[:, a * k + b]
    return out


SHUFFLES = [  # (name, function, input shape, reference on arrays)
    ("pixel_shuffle r=1", lambda t: F.pixel_shuffle(t, 1), (1, 4, 2, 2),
     lambda a: _pixel_shuffle_reference(a, 1)),
    ("pixel_shuffle of 1x1", lambda t: F.pixel_shuffle(t, 2), (2, 4, 1, 1),
     lambda a: _pixel_shuffle_reference(a, 2)),
    ("pixel_unshuffle to 1x1", lambda t: F.pixel_unshuffle(t, 2), (1, 1, 2, 2),
     lambda a: a.reshape(1, 4, 1, 1)),
    ("pixel_unshuffle r=1", lambda t: F.pixel_unshuffle(t, 1), (3, 2, 2),
     lambda a: a),
    ("channel_shuffle groups=1", lambda t: F.channel_shuffle(t, 1), (1, 4, 2, 2),
     lambda a: _channel_shuffle_reference(a, 1)),
    ("ChannelShuffle groups=C", lambda t: nn.ChannelShuffle(4)(t), (1, 4, 2, 2),
     lambda a: _channel_shuffle_reference(a, 4)),
    ("ChannelShuffle groups=2", lambda t: nn.ChannelShuffle(2)(t), (2, 4, 3),
     lambda a: _channel_shuffle_reference(a, 2)),
]


@pytest.mark.parametrize("name, function, shape, reference", SHUFFLES,
                         ids=[case[0] for case in SHUFFLES])
def test_shuffles_return_new_memory(name, function, shape, reference):
    data = normal(*shape)
    x = Tensor(data.copy(), requires_grad=True)
    h = x * 1
    y = function(h)
    assert not np.shares_memory(y.data, h.data)
    np.testing.assert_array_equal(y.data, reference(data))
    y += 1
    np.testing.assert_array_equal(h.data, data)  # was data + 1
    weight = normal(*y.shape)
    (y * Tensor(weight)).sum().backward()
    # the gradient is the rearrangement run backwards: <y, w> = <x, grad>
    assert np.sum(reference(data) * weight) == pytest.approx(np.sum(data * x.grad.data))


@pytest.mark.parametrize("shape, options", [
    ((1, 3, 2, 2), dict(kernel_size=1)),
    ((3, 2, 2), dict(kernel_size=1)),
    ((1, 3, 2, 2), dict(kernel_size=1, padding=1)),
    ((1, 2, 3, 4), dict(kernel_size=(3, 4))),  # one window, the whole image
])
def test_unfold_without_repeated_entries_owns_its_memory(shape, options):
    data = normal(*shape)
    x = Tensor(data.copy())
    y = nn.Unfold(**options)(x)
    before = y.data.copy()
    assert not np.shares_memory(y.data, x.data)
    x += 1  # later writes into the input do not show in the columns
    np.testing.assert_array_equal(y.data, before)
    y += 1  # and the columns take writes (was a read-only view: UsageError)
    np.testing.assert_array_equal(y.data, before + 1)


def test_unfold_of_a_1x1_kernel_is_the_flattened_image():
    data = normal(2, 3, 2, 4)
    np.testing.assert_array_equal(F.unfold(Tensor(data), kernel_size=1).data,
                                  data.reshape(2, 3, 8))


# --- interpolate: empty input axes, empty "area" outputs ---------------------------------

@pytest.mark.parametrize("shape, options", [
    ((1, 1, 0, 2), dict(size=(3, 3))),
    ((1, 1, 0, 2), dict(size=(3, 3), mode="bilinear")),
    ((1, 1, 2, 0), dict(size=(3, 3), mode="bilinear", antialias=True)),  # was zeros
    ((1, 1, 0, 2), dict(size=(3, 3), mode="bicubic")),
    ((1, 1, 0), dict(size=3, mode="linear")),
    ((1, 1, 2, 0, 2), dict(scale_factor=2, mode="nearest-exact")),
    ((1, 1, 0, 2), dict(size=(3, 3), mode="area")),
])
def test_interpolate_refuses_an_empty_input_axis_by_name(shape, options):
    with pytest.raises(ShapeError, match="spatial axes must not be empty"):
        F.interpolate(Tensor(np.ones(shape)), **options)


@pytest.mark.parametrize("shape, options, expected", [
    ((1, 1, 3, 2), dict(size=(0, 2)), (1, 1, 0, 2)),
    ((1, 1, 3, 2), dict(scale_factor=0.3), (1, 1, 0, 0)),
    ((2, 1, 3), dict(size=0), (2, 1, 0)),
    ((1, 1, 3, 2, 2), dict(size=(1, 0, 2)), (1, 1, 1, 0, 2)),
])
def test_area_to_an_empty_output_is_an_empty_tensor(shape, options, expected):
    x = Tensor(normal(*shape), requires_grad=True)
    y = F.interpolate(x, mode="area", **options)
    assert y.shape == expected
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.zeros(shape))


def test_other_modes_still_refuse_an_empty_output():
    with pytest.raises(ConfigError, match=r"greater than 0 for mode='nearest'.*\(0, 2\)"):
        F.interpolate(Tensor(np.ones((1, 1, 3, 2))), size=(0, 2))
    with pytest.raises(ConfigError, match="at least 0 for mode='area'"):
        F.interpolate(Tensor(np.ones((1, 1, 3, 2))), size=(-1, 2), mode="area")


# --- pad: cropping an axis to nothing ----------------------------------------------------

@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape, widths, expected", [
    ((1, 4, 3, 2), (0, 0, -2, -1), (1, 4, 0, 2)),
    ((1, 4, 3, 2), (1, 1, -3, 0), (1, 4, 0, 4)),
    ((4, 3, 2), (-2, 0, 0, 0), (4, 3, 0)),
    ((1, 2, 3, 4, 5), (0, 0, 0, 0, -3, 0), (1, 2, 0, 4, 5)),
])
def test_pad_cropping_an_axis_to_nothing_is_empty(mode, shape, widths, expected):
    x = Tensor(normal(*shape), requires_grad=True)
    y = F.pad(x, widths, mode)
    assert y.shape == expected
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.zeros(shape))


def test_replicate_pad_growing_one_side_and_cropping_the_other():
    data = normal(1, 4, 3, 2)
    y = F.pad(Tensor(data), (4, -3, 0, -3), "replicate")
    assert y.shape == (1, 4, 0, 3)
    y = F.pad(Tensor(data), (4, -3, 0, 0), "replicate")  # columns 0 0 0 0 0 1, last 3 cut
    np.testing.assert_array_equal(y.data, np.repeat(data[..., :1], 3, axis=-1))


@pytest.mark.parametrize("mode", ["reflect", "replicate"])
def test_one_pair_reflect_and_replicate_still_need_one_entry(mode):
    """PyTorch's 1-d kernels call the input too small for an empty output."""
    with pytest.raises(ShapeError, match="leave 0 entries"):
        F.pad(Tensor(np.ones((2, 1, 4))), (-2, -2), mode)
