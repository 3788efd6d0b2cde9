"""nn.init edge cases from the session-37 differential fuzz against PyTorch.

* ``uniform_`` (and the Xavier/Kaiming uniform fills) draw in [a, b) *in the tensor's
  dtype*: a draw that rounds up to b becomes the largest dtype value below b;
* a read-only target (a ``state_dict()`` value, a repeating ``expand``, a NumPy array
  marked read-only) is the library's ``UsageError``, raised before anything is drawn;
* ``dirac_`` with a zero-size kernel axis is a named ``IndexError``;
* a uniform range beyond the dtype is a ``ConfigError``, not NumPy's OverflowError;
* PyTorch's deprecated ``eye``/``dirac``; ``kaiming_*(a=None)``; ``calculate_gain`` with
  a 0-d Tensor ``param``.

Expected values come from NumPy at test time (the same seed drawn in float64 and rounded
by hand), or from the formulas.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from autograd import Tensor, tensor
from autograd.errors import AutogradError, TensorIndexError, UsageError
from nn import init
from nn.errors import ArgumentTypeError, ConfigError
from nn.layers import Linear


def largest_below(b: float, dtype) -> float:
    """The largest ``dtype`` value strictly below ``b``, found by hand."""
    top = np.asarray(b, dtype)
    return float(np.nextafter(top, np.asarray(-np.inf, dtype)) if float(top) >= b else top)


# --- 1. uniform_ stays below b after rounding --------------------------------------------

def test_float16_uniform_never_returns_b_in_a_million_draws() -> None:
    x = tensor(np.zeros(10**6, np.float16))
    init.uniform_(x, 0.0, 1.0, generator=0)
    assert x.dtype == np.float16
    assert float(x.data.max()) < 1.0
    assert float(x.data.min()) >= 0.0


def test_float16_uniform_is_the_float64_draw_rounded_and_kept_below_b() -> None:
    n, a, b = 10**5, -1.0, 0.5
    x = np.zeros(n, np.float16)
    init.uniform_(x, a, b, rng=3)
    draws = np.random.default_rng(3).uniform(a, b, n)
    rounded = draws.astype(np.float16)
    expected = np.where(rounded.astype(np.float64) >= b, largest_below(b, np.float16), rounded)
    assert (rounded.astype(np.float64) >= b).sum() > 0  # the case this test is about occurs
    np.testing.assert_array_equal(x, expected.astype(np.float16))


def test_float16_uniform_keeps_the_moments_of_u_a_b() -> None:
    n, a, b = 10**6, 0.0, 1.0
    x = init.uniform_(np.zeros(n, np.float16), a, b, rng=5).astype(np.float64)
    mean, variance = (a + b) / 2, (b - a) ** 2 / 12
    assert abs(x.mean() - mean) < 5 * math.sqrt(variance / n) + 2.0 ** -12
    assert abs(x.var() - variance) < 5 * variance * math.sqrt(0.8 / n) + 2.0 ** -11


@pytest.mark.parametrize("dtype, ulp", [(np.float16, 2.0 ** -10), (np.float32, 2.0 ** -23),
                                        (np.float64, 2.0 ** -52)])
def test_a_range_two_units_wide_never_gives_b(dtype, ulp) -> None:
    """[1, 1 + 2 ulp): a quarter of the float64 draws round up to b in the narrow dtypes
    (in float64 too: a + (b - a) * u rounds)."""
    a, b = 1.0, 1.0 + 2 * ulp
    x = init.uniform_(np.zeros(4000, dtype), a, b, rng=0)
    assert float(x.max()) < b
    assert float(x.min()) >= a
    assert set(x.astype(np.float64).tolist()) <= {1.0, 1.0 + ulp}


def test_b_not_representable_keeps_the_values_below_it() -> None:
    """b = 1.0003 rounds down to 1.0 in float16: 1.0 < b is a valid draw and stays."""
    b = 1.0003
    x = init.uniform_(np.zeros(10**5, np.float16), 0.0, b, rng=1).astype(np.float64)
    assert x.max() < b
    assert (x == 1.0).sum() > 0


def test_a_equal_to_b_fills_a() -> None:
    x = init.uniform_(np.zeros(5, np.float16), 0.25, 0.25, rng=0)
    np.testing.assert_array_equal(x, np.full(5, 0.25, np.float16))


def test_xavier_uniform_float16_stays_below_its_bound() -> None:
    fan_out, fan_in = 1000, 1000
    gain = 0.5 / math.sqrt(6.0 / (fan_in + fan_out))  # bound = 0.5
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    w = tensor(np.zeros((fan_out, fan_in), np.float16))
    init.xavier_uniform_(w, gain=gain, generator=0)
    values = w.data.astype(np.float64)
    assert values.max() < bound
    assert values.min() >= -bound


def test_kaiming_uniform_float16_stays_below_its_bound() -> None:
    fan_in = 3 * 4  # linear: bound = sqrt(3 / 12) = 0.5, a float16 value
    w = np.zeros((10**5, 3, 4), np.float16)
    init.kaiming_uniform_(w, nonlinearity="linear", rng=2)
    bound = math.sqrt(3.0) * (1.0 / math.sqrt(fan_in))
    values = w.astype(np.float64)
    assert values.max() < bound
    assert values.min() >= -bound


# --- 2. read-only targets ----------------------------------------------------------------

def _fills():
    """Every initializer, called on ``t`` (random ones with a generator)."""
    return {
        "uniform_": lambda t, g: init.uniform_(t, generator=g),
        "normal_": lambda t, g: init.normal_(t, generator=g),
        "trunc_normal_": lambda t, g: init.trunc_normal_(t, generator=g),
        "constant_": lambda t, g: init.constant_(t, 3.0),
        "zeros_": lambda t, g: init.zeros_(t),
        "ones_": lambda t, g: init.ones_(t),
        "xavier_uniform_": lambda t, g: init.xavier_uniform_(t, generator=g),
        "xavier_normal_": lambda t, g: init.xavier_normal_(t, generator=g),
        "kaiming_uniform_": lambda t, g: init.kaiming_uniform_(t, generator=g),
        "kaiming_normal_": lambda t, g: init.kaiming_normal_(t, generator=g),
        "orthogonal_": lambda t, g: init.orthogonal_(t, generator=g),
        "sparse_": lambda t, g: init.sparse_(t, 0.5, generator=g),
        "eye_": lambda t, g: init.eye_(t),
    }


@pytest.mark.parametrize("name", sorted(_fills()))
def test_expanded_tensor_is_a_usage_error_and_nothing_changes(name) -> None:
    base = tensor(np.full((1, 4), 7.0))
    expanded = base.expand(4, 4)
    g = np.random.default_rng(0)
    with pytest.raises(UsageError, match=rf"nn\.init\.{name}: cannot fill a read-only"):
        _fills()[name](expanded, g)
    np.testing.assert_array_equal(base.data, np.full((1, 4), 7.0))
    assert g.random() == np.random.default_rng(0).random()  # nothing drawn


@pytest.mark.parametrize("name", sorted(_fills()))
def test_state_dict_value_is_refused_naming_the_way_to_change_the_model(name) -> None:
    model = Linear(4, 4)
    before = model.weight.data.copy()
    with pytest.raises(UsageError, match=r"state_dict\(\) value.*load_state_dict"):
        _fills()[name](model.state_dict()["weight"], 0)
    np.testing.assert_array_equal(model.weight.data, before)


def test_read_only_numpy_array_and_dirac_are_refused() -> None:
    array = np.zeros((2, 2, 3))
    array.flags.writeable = False
    with pytest.raises(UsageError, match="read-only"):
        init.dirac_(array)
    with pytest.raises(AutogradError, match="read-only") as caught:
        init.zeros_(array)
    assert isinstance(caught.value, UsageError)


def test_a_writable_view_is_still_filled_through_to_its_base() -> None:
    base = tensor(np.zeros((3, 4)))
    init.constant_(base[1], 2.0)
    np.testing.assert_array_equal(base.data, np.array([[0.0] * 4, [2.0] * 4, [0.0] * 4]))


# --- 3. dirac_ with a zero-size kernel axis ------------------------------------------------

@pytest.mark.parametrize("shape", [(2, 3, 0), (2, 3, 0, 3), (1, 1, 3, 3, 0)])
def test_dirac_zero_size_kernel_axis_is_a_named_index_error(shape) -> None:
    with pytest.raises(TensorIndexError, match="axis of size 0") as caught:
        init.dirac_(tensor(np.zeros(shape)))
    assert isinstance(caught.value, IndexError)  # as PyTorch's IndexError


@pytest.mark.parametrize("shape", [(0, 3, 0), (2, 0, 0), (0, 0, 3), (2, 0, 3)])
def test_dirac_with_no_delta_to_place_returns_the_tensor(shape) -> None:
    w = tensor(np.zeros(shape))
    assert init.dirac_(w) is w
    assert w.shape == shape


# --- 4. ranges beyond the dtype ---------------------------------------------------------

@pytest.mark.parametrize("dtype, a, b, what", [
    (np.float64, -1e308, 1e308, "width"),
    (np.float16, -4e4, 4e4, "width"),
    (np.float16, 0.0, 7e4, "b = 70000"),
    (np.float16, -7e4, 0.0, "a = -70000"),
    (np.float32, -1e39, 0.0, "a = -1e"),
])
def test_range_beyond_the_dtype_is_a_config_error(dtype, a, b, what) -> None:
    x = np.zeros(3, dtype)
    with pytest.raises(ConfigError, match=what):
        init.uniform_(x, a, b, rng=0)
    np.testing.assert_array_equal(x, np.zeros(3, dtype))


def test_a_range_that_fits_the_dtype_is_filled() -> None:
    x = init.uniform_(np.zeros(1000, np.float32), -4e4, 4e4, rng=0)
    assert np.isfinite(x).all() and x.max() < 4e4 and x.min() >= -4e4
    y = init.uniform_(np.zeros(1000, np.float16), -3e4, 3e4, rng=0)
    assert np.isfinite(y).all() and float(y.max()) < 3e4


def test_xavier_float16_with_a_bound_beyond_the_dtype_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="float16"):
        init.xavier_uniform_(np.zeros((2, 2), np.float16), gain=1e5, rng=0)


# --- 5. PyTorch's deprecated eye and dirac --------------------------------------------------

@pytest.mark.parametrize("old, new, shape", [("eye", "eye_", (3, 4)),
                                             ("dirac", "dirac_", (4, 2, 3, 3))])
def test_deprecated_eye_and_dirac_warn_and_fill_as_the_new_names(old, new, shape) -> None:
    assert old in init.__all__
    w, expected = tensor(np.full(shape, 5.0)), np.full(shape, 5.0)
    getattr(init, new)(expected)
    with pytest.warns(FutureWarning, match=rf"`nn.init.{old}` is now deprecated in favor "
                                           rf"of `nn.init.{new}`"):
        assert getattr(init, old)(w) is w
    np.testing.assert_array_equal(w.data, expected)
    assert expected.sum() == min(shape[0], shape[1])  # the identity's ones


# --- 6. kaiming_*(a=None) ---------------------------------------------------------------

@pytest.mark.parametrize("fn", ["kaiming_uniform_", "kaiming_normal_"])
def test_kaiming_a_none_is_leaky_relu_slope_point_zero_one(fn) -> None:
    got, want = np.zeros((6, 5)), np.zeros((6, 5))
    getattr(init, fn)(got, a=None, rng=4)
    getattr(init, fn)(want, a=0.01, rng=4)
    np.testing.assert_array_equal(got, want)


def test_kaiming_a_none_is_ignored_by_relu() -> None:
    got, want = np.zeros((6, 5)), np.zeros((6, 5))
    init.kaiming_normal_(got, a=None, nonlinearity="relu", rng=4)
    init.kaiming_normal_(want, nonlinearity="relu", rng=4)
    np.testing.assert_array_equal(got, want)


def test_kaiming_a_still_checked_when_given() -> None:
    with pytest.raises(ArgumentTypeError):
        init.kaiming_uniform_(np.zeros((2, 2)), a="x", rng=0)


# --- 7. calculate_gain with a 0-d Tensor -----------------------------------------------------

def test_calculate_gain_takes_a_zero_d_tensor_param() -> None:
    gain = init.calculate_gain("leaky_relu", tensor(0.2))
    assert gain == pytest.approx(math.sqrt(2.0 / (1.0 + 0.2 ** 2)), rel=1e-15)
    assert gain == init.calculate_gain("leaky_relu", 0.2)


def test_calculate_gain_refuses_a_tensor_of_several_values() -> None:
    with pytest.raises(ArgumentTypeError):
        init.calculate_gain("leaky_relu", Tensor(np.array([0.2, 0.3])))
