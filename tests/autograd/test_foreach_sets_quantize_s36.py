"""Session 36 fixes: foreach argument rules, histc's bin of an edge value, searchsorted's
sorter range, histogram's range, fake quantization with a zero scale / a float zero point
off the grid / an int scale, window dtypes, bincount's float16 weights. Expected values
are derived by hand or computed with NumPy here."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import DTypeError, ShapeError, TensorIndexError, UsageError
from autograd.errors import NormOrderError


def _lists() -> tuple[list, list, list]:
    rng = np.random.default_rng(36)
    return tuple([rng.uniform(0.5, 2.0, s) for s in ((2, 3), (4,), ())] for _ in range(3))


# ------------------------------------------------------------------ foreach

@pytest.mark.parametrize("name", ["_foreach_addcmul_", "_foreach_addcdiv_"])
def test_a_tensor_of_values_gives_value_i_to_tensor_i(name: str) -> None:
    selfs, firsts, seconds = _lists()
    values = np.array([0.5, -2.0, 3.0])
    tensors = [ag.tensor(a.copy()) for a in selfs]
    got = getattr(ag, name)(tensors, [ag.tensor(a) for a in firsts],
                            [ag.tensor(b) for b in seconds], ag.tensor(values))
    assert got is tensors
    for t, s, a, b, v in zip(tensors, selfs, firsts, seconds, values):
        combined = a * b if name == "_foreach_addcmul_" else a / b
        np.testing.assert_allclose(t.data, s + v * combined, rtol=1e-15)


def test_a_tensor_of_values_must_hold_one_number_per_tensor() -> None:
    tensors = [ag.zeros(2), ag.zeros(2)]
    for values in (ag.tensor(1.0), ag.tensor([1.0, 2.0, 3.0]), ag.tensor([[1.0, 2.0]])):
        with pytest.raises(ShapeError, match="one number per tensor"):
            ag._foreach_addcdiv_(tensors, [ag.ones(2)] * 2, [ag.ones(2)] * 2, values)
    np.testing.assert_array_equal(tensors[0].data, [0.0, 0.0])


def test_alpha_goes_with_tensors_only() -> None:
    xs = [ag.tensor([1.0, 2.0]), ag.tensor([3.0])]
    for call in (lambda: ag._foreach_add(xs, 2.0, alpha=3.0),
                 lambda: ag._foreach_sub(xs, [2.0, 1.0], alpha=3.0),
                 lambda: ag._foreach_add_(xs, 2.0, alpha=3.0),
                 lambda: ag._foreach_sub_(xs, [2.0, 1.0], alpha=3.0)):
        with pytest.raises(UsageError, match="alpha goes with tensors"):
            call()
    np.testing.assert_array_equal(xs[0].data, [1.0, 2.0])
    added = ag._foreach_add(xs, ag.tensor(2.0), alpha=3.0)  # a 0-d tensor: 1 + 3 * 2
    np.testing.assert_array_equal(added[0].data, [7.0, 8.0])
    np.testing.assert_array_equal(added[1].data, [9.0])


def test_a_single_tensor_operand_must_be_0d() -> None:
    xs = [ag.tensor([1.0, 2.0]), ag.tensor([3.0])]
    for call in (lambda: ag._foreach_mul(xs, ag.tensor([2.0])),
                 lambda: ag._foreach_mul_(xs, ag.tensor([2.0])),
                 lambda: ag._foreach_lerp(xs, xs, ag.tensor([0.25, 0.5])),
                 lambda: ag._foreach_maximum_(xs, ag.tensor([0.0, 5.0]))):
        with pytest.raises(ShapeError, match="must be 0-d"):
            call()
    np.testing.assert_array_equal(xs[0].data, [1.0, 2.0])
    halfway = ag._foreach_lerp(xs, [ag.tensor([3.0, 4.0]), ag.tensor([5.0])], ag.tensor(0.5))
    np.testing.assert_array_equal(halfway[0].data, [2.0, 3.0])


def test_self_must_be_a_list_of_tensors() -> None:
    x = ag.tensor([1.0, 2.0])
    for call in (lambda: ag._foreach_add_(x, 1.0), lambda: ag._foreach_sqrt(x),
                 lambda: ag._foreach_zero_(x), lambda: ag._foreach_copy_([x], x),
                 lambda: ag._foreach_lerp_([x], x, 0.5), lambda: ag._foreach_neg([1.0])):
        with pytest.raises(UsageError, match="list or tuple of Tensors"):
            call()
    np.testing.assert_array_equal(x.data, [1.0, 2.0])


def test_foreach_norm_refuses_integers_and_a_string_order() -> None:
    with pytest.raises(DTypeError, match="float tensors"):
        ag._foreach_norm([ag.tensor([3, 4])])
    with pytest.raises(NormOrderError, match="must be a number"):
        ag._foreach_norm([ag.tensor([3.0, 4.0])], "fro")


def test_foreach_norm_takes_dtype() -> None:
    values = np.array([0.1, -0.7, 2.3], dtype=np.float32)
    (norm,) = ag._foreach_norm([ag.tensor(values)], 2, dtype=ag.float64)
    assert norm.dtype == np.float64 and norm.shape == ()
    np.testing.assert_allclose(norm.item(), np.linalg.norm(values.astype(np.float64)),
                               rtol=1e-15)
    with pytest.raises(DTypeError, match="_foreach_norm"):
        ag._foreach_norm([ag.tensor([3.0, 4.0])], 2, dtype=ag.float32)


# ------------------------------------------------------------------ histc, histogram

def test_histc_puts_a_value_on_an_edge_in_the_bin_it_starts() -> None:
    """5 bins over [-0.5, 1]: edges -0.5 -0.2 0.1 0.4 0.7 1, so 0.1 opens bin 2 and 0.4
    bin 3."""
    counts = ag.histc(ag.tensor([0.1, 0.4]), 5, -0.5, 1.0)
    np.testing.assert_array_equal(counts.data, [0, 0, 1, 1, 0])
    counts = ag.histc(ag.tensor(np.array([0.1, 0.4], np.float32)), 5, -0.5, 1.0)
    np.testing.assert_array_equal(counts.data, [0, 0, 1, 1, 0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_histc_bins_by_pytorchs_order_of_operations(dtype: type) -> None:
    """bin = floor((x - low) * bins / (high - low)) in the input's dtype, as PyTorch's
    kernel computes it (grid values, many of them on edges)."""
    rng = np.random.default_rng(7)
    for _ in range(300):
        x = (rng.integers(-12, 13, size=20) * 0.1).astype(dtype)
        low, high = sorted(rng.integers(-6, 7, size=2) * 0.3)
        if low == high:
            continue
        bins = int(rng.choice([3, 5, 7, 10]))
        lo, hi = dtype(low), dtype(high)
        inside = x[(x >= lo) & (x <= hi)]
        position = ((inside - lo) * dtype(bins) / (hi - lo)).astype(np.int64)
        expected = np.bincount(np.minimum(position, bins - 1), minlength=bins)
        got = ag.histc(ag.tensor(x), bins, float(low), float(high))
        np.testing.assert_array_equal(got.data, expected)


def test_histogram_range_must_be_two_numbers() -> None:
    for value_range in ((0.0, 1.0, 2.0), (0.0,)):
        with pytest.raises(UsageError, match="range must be two numbers"):
            ag.histogram(ag.tensor([1.0]), 3, range=value_range)


# ------------------------------------------------------------------ searchsorted

@pytest.mark.parametrize("sorter", [[1, 2, 5], [-2, -1, 0], [3, 0, 1]])
def test_searchsorted_sorter_out_of_range_is_an_index_error(sorter: list) -> None:
    sequence = ag.tensor([3.0, 1.0, 2.0])
    with pytest.raises(TensorIndexError, match="sorter index out of range"):
        ag.searchsorted(sequence, ag.tensor([2.0]), sorter=ag.tensor(sorter))
    found = ag.searchsorted(sequence, ag.tensor([2.0]), sorter=ag.tensor([1, 2, 0]))
    np.testing.assert_array_equal(found.data, [1])  # 2.0 goes before the 2.0 of [1, 2, 3]


# ------------------------------------------------------------------ fake quantization

def test_a_zero_scale_gives_zeros_and_a_zero_gradient_not_nan() -> None:
    """x / 0 is +-inf (clipped to an end of the grid), 0 / 0 taken as quant_min: the
    output (q - z) * 0 is 0 everywhere; the gradient is 0 (clipped or undefined)."""
    x = ag.tensor([0.0, 0.3, -0.2, np.inf], requires_grad=True)
    out = ag.fake_quantize_per_tensor_affine(x, 0.0, 2, -5, 5)
    np.testing.assert_array_equal(out.data, np.zeros(4))
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.zeros(4))
    per_channel = ag.fake_quantize_per_channel_affine(
        ag.tensor([[0.0, 0.3]]), ag.tensor(np.zeros(2, np.float32)), ag.tensor([1, 1]), 1,
        -5, 5)
    np.testing.assert_array_equal(per_channel.data, np.zeros((1, 2)))
    nan = ag.fake_quantize_per_tensor_affine(ag.tensor([np.nan]), 0.5, 0, -128, 127)
    assert np.isnan(nan.item())  # a NaN input stays NaN (PyTorch's value is its int cast's)


def test_a_float_zero_point_may_lie_off_the_grid() -> None:
    x = np.array([[0.0, 0.3, 0.6], [1.0, -0.4, 2.0]], np.float32)
    scale = np.array([0.2, 0.25, 0.1], np.float32)
    zero_point = np.array([-0.5, 300.0, 1.5], np.float32)
    out = ag.fake_quantize_per_channel_affine(ag.tensor(x), ag.tensor(scale),
                                              ag.tensor(zero_point), 1, 0, 255)
    levels = np.clip(np.round(x * (np.float32(1) / scale) + zero_point), 0, 255)
    np.testing.assert_array_equal(out.data, (levels - zero_point) * scale)
    with pytest.raises(UsageError, match="zero_point"):  # an integer one may not
        ag.fake_quantize_per_channel_affine(ag.tensor(x), ag.tensor(scale),
                                            ag.tensor([-1, 0, 0]), 1, 0, 255)


def test_per_tensor_takes_an_int_scale() -> None:
    x = ag.tensor([0.3, 1.2, 4.6, 9.0])
    expected = ag.fake_quantize_per_tensor_affine(x, 1.0, 0, 0, 5).data
    np.testing.assert_array_equal(expected, [0.0, 1.0, 5.0, 5.0])
    for scale in (1, ag.tensor(1)):
        got = ag.fake_quantize_per_tensor_affine(x, scale, 0, 0, 5)
        np.testing.assert_array_equal(got.data, expected)


# ------------------------------------------------------------------ windows, bincount

@pytest.mark.parametrize("window", ["hann_window", "hamming_window", "blackman_window",
                                    "bartlett_window", "kaiser_window"])
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
def test_windows_need_a_float_dtype(window: str, dtype: str) -> None:
    with pytest.raises(DTypeError, match="must be a float"):
        getattr(ag, window)(5, dtype=getattr(ag, dtype))


def test_bincount_of_float16_weights_is_float64() -> None:
    weights = np.array([0.5, 1.25, 2.0, -1.0], np.float16)
    w = ag.tensor(weights, requires_grad=True)
    counts = ag.bincount(ag.tensor([0, 2, 2, 3]), w)
    assert counts.dtype == np.float64
    np.testing.assert_array_equal(counts.data, np.bincount([0, 2, 2, 3], weights))
    counts.sum().backward()
    assert w.grad.dtype == np.float16
    np.testing.assert_array_equal(w.grad.data, np.ones(4))
