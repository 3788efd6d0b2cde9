"""nn.init: sample moments within sampling error of the formulas, gains, fans, rngs."""
import math

import numpy as np
import pytest

from autograd import Tensor
from autograd.errors import GeneratorError, UsageError
from nn import init
from nn._random import as_generator, manual_seed
from nn.layers import Linear
from nn.module import Parameter

FAN_OUT, FAN_IN = 200, 300  # a (out, in) weight: 60,000 samples
N = FAN_OUT * FAN_IN

# Var of the sample variance of n iid draws is sigma^4 (kurtosis - 1) / n:
# kurtosis 3 for a normal, 9/5 for a uniform.
KURTOSIS = {"normal": 3.0, "uniform": 1.8}


def assert_moments(values, variance, family, mean=0.0):
    """Sample mean and variance within 5 standard errors of ``mean`` and ``variance``."""
    values = np.asarray(values, dtype=np.float64).ravel()
    n = values.size
    assert abs(values.mean() - mean) < 5 * math.sqrt(variance / n)
    tolerance = 5 * variance * math.sqrt((KURTOSIS[family] - 1) / n)
    assert abs(values.var() - variance) < tolerance


def weight(dtype=np.float64):
    return Parameter(np.zeros((FAN_OUT, FAN_IN), dtype))


# ---------------------------------------------------------------- Xavier / Glorot
@pytest.mark.parametrize("gain", [1.0, 5 / 3])
def test_xavier_uniform_variance_and_bound(gain):
    w = init.xavier_uniform_(weight(), gain=gain, rng=0)
    variance = gain ** 2 * 2 / (FAN_IN + FAN_OUT)
    assert_moments(w.data, variance, "uniform")
    assert np.abs(w.data).max() <= math.sqrt(3 * variance)


@pytest.mark.parametrize("gain", [1.0, 2.0])
def test_xavier_normal_variance(gain):
    w = init.xavier_normal_(weight(), gain=gain, rng=0)
    assert_moments(w.data, gain ** 2 * 2 / (FAN_IN + FAN_OUT), "normal")


# ---------------------------------------------------------------- Kaiming / He
@pytest.mark.parametrize("mode,fan", [("fan_in", FAN_IN), ("fan_out", FAN_OUT)])
@pytest.mark.parametrize("nonlinearity", ["relu", "leaky_relu", "tanh"])
def test_kaiming_uniform_variance(mode, fan, nonlinearity):
    w = init.kaiming_uniform_(weight(), mode=mode, nonlinearity=nonlinearity, rng=0)
    variance = init.calculate_gain(nonlinearity, 0) ** 2 / fan
    assert_moments(w.data, variance, "uniform")
    assert np.abs(w.data).max() <= math.sqrt(3 * variance)


@pytest.mark.parametrize("mode,fan", [("fan_in", FAN_IN), ("fan_out", FAN_OUT)])
def test_kaiming_normal_for_relu_has_variance_two_over_fan(mode, fan):
    w = init.kaiming_normal_(weight(), mode=mode, nonlinearity="relu", rng=0)
    assert_moments(w.data, 2 / fan, "normal")


def test_kaiming_default_is_he_for_relu():
    """Default a=0 with leaky_relu has the ReLU gain: Var(w) = 2 / fan_in."""
    assert_moments(init.kaiming_uniform_(weight(), rng=1).data, 2 / FAN_IN, "uniform")
    assert_moments(init.kaiming_normal_(weight(), rng=1).data, 2 / FAN_IN, "normal")


def test_leaky_slope_changes_the_kaiming_variance():
    a = 0.5
    w = init.kaiming_normal_(weight(), a=a, rng=0)
    assert_moments(w.data, 2 / (1 + a ** 2) / FAN_IN, "normal")


def test_glorot_and_he_are_aliases():
    assert init.glorot_uniform_ is init.xavier_uniform_
    assert init.glorot_normal_ is init.xavier_normal_
    assert init.he_uniform_ is init.kaiming_uniform_
    assert init.he_normal_ is init.kaiming_normal_


def test_linear_default_init_variance_is_one_third_over_fan_in():
    """U(-1/sqrt(in), 1/sqrt(in)) has variance 1 / (3 in)."""
    layer = Linear(FAN_IN, FAN_OUT, rng=0)
    assert_moments(layer.weight.data, 1 / (3 * FAN_IN), "uniform")


# ---------------------------------------------------------------- gains and fans
def test_calculate_gain_follows_its_formulas():
    for name in ("linear", "identity", "sigmoid", "conv1d", "conv2d"):
        assert init.calculate_gain(name) == 1.0
    assert init.calculate_gain("relu") == math.sqrt(2.0)
    assert init.calculate_gain("tanh") == 5 / 3
    assert init.calculate_gain("selu") == 3 / 4
    assert init.calculate_gain("leaky_relu") == math.sqrt(2 / (1 + 0.01 ** 2))
    assert init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2 / (1 + 0.2 ** 2))
    with pytest.raises(ValueError, match="unknown nonlinearity 'gelu'.*relu"):
        init.calculate_gain("gelu")
    with pytest.raises(TypeError, match="slope"):
        init.calculate_gain("leaky_relu", "0.1")


def test_fans_of_dense_and_convolution_weights():
    assert init.calculate_fans(np.zeros((3, 5))) == (5, 3)
    assert init.calculate_fans(np.zeros((8, 4, 3, 3))) == (4 * 9, 8 * 9)
    with pytest.raises(ValueError, match="at least 2 axes.*zeros_"):
        init.calculate_fans(np.zeros(4))
    with pytest.raises(ValueError, match="mode"):
        init.kaiming_uniform_(weight(), mode="fan_avg")


# ---------------------------------------------------------------- simple fills
def test_uniform_and_normal_moments():
    u = init.uniform_(weight(), -2.0, 4.0, rng=0).data
    assert u.min() >= -2.0 and u.max() < 4.0
    assert_moments(u, 6.0 ** 2 / 12, "uniform", mean=1.0)
    assert_moments(init.normal_(weight(), mean=3.0, std=0.5, rng=0).data, 0.25, "normal",
                   mean=3.0)
    with pytest.raises(ValueError, match="a <= b"):
        init.uniform_(weight(), 1.0, 0.0)
    with pytest.raises(ValueError, match="std"):
        init.normal_(weight(), std=-1.0)


def test_constant_fills():
    assert not init.zeros_(Parameter(np.ones(3))).data.any()
    assert (init.ones_(Parameter(np.zeros(3))).data == 1).all()
    assert (init.constant_(Parameter(np.zeros(3)), 0.25).data == 0.25).all()
    assert (init.constant_(Parameter(np.zeros(3)), val=0.5).data == 0.5).all()  # PyTorch's
    for args, kwargs in [((), {}), ((0.25,), {"val": 0.5})]:
        with pytest.raises(UsageError, match="pass the fill value once"):
            init.constant_(Parameter(np.zeros(3)), *args, **kwargs)


# ---------------------------------------------------------------- in place, rng
def test_fills_in_place_keeping_array_dtype_and_tensor():
    w = weight(np.float32)
    array = w.data
    assert init.xavier_uniform_(w, rng=0) is w
    assert w.data is array and w.dtype == np.float32 and w.requires_grad
    plain = np.zeros((3, 4))
    assert init.normal_(plain, rng=0) is plain and plain.any()
    with pytest.raises(TypeError, match="int64"):
        init.normal_(np.zeros(3, dtype=np.int64))
    with pytest.raises(TypeError, match="Tensor"):
        init.zeros_([0.0, 1.0])


def test_random_fills_are_reproducible():
    def draw(rng):
        return init.kaiming_normal_(Tensor(np.zeros((4, 5))), rng=rng).data.copy()

    np.testing.assert_array_equal(draw(3), draw(3))
    generator = np.random.default_rng(3)
    first, second = draw(generator), draw(generator)
    np.testing.assert_array_equal(first, draw(3))
    assert not np.array_equal(first, second)
    manual_seed(11)
    again = draw(None)
    manual_seed(11)
    np.testing.assert_array_equal(again, draw(None))


def test_rng_arguments_are_checked():
    generator = np.random.default_rng(0)
    assert as_generator(generator) is generator
    assert as_generator(np.int64(5)).random() == np.random.default_rng(5).random()
    for bad in (1.5, "0", True):
        with pytest.raises(TypeError, match="Generator, an int seed or None"):
            as_generator(bad)
    with pytest.raises(ValueError, match="non-negative"):
        as_generator(-1)


def test_manual_seed_arguments_are_checked_as_seeds():
    """manual_seed (autograd's) takes a seed, never a Generator: its message says so."""
    manual_seed(np.int64(3))
    for bad in ("x", 1.5, True, np.random.default_rng(0)):
        with pytest.raises(UsageError, match=r"manual_seed: the seed must be an int, "
                                                    r"e\.g\. manual_seed\(0\); got "):
            manual_seed(bad)
    with pytest.raises(ValueError, match="from -2"):
        manual_seed(-2 ** 63 - 1)  # -1 wraps around modulo 2**64, as PyTorch's


@pytest.mark.parametrize("fill", [init.normal_, init.uniform_, init.xavier_uniform_,
                                  init.xavier_normal_, init.kaiming_uniform_,
                                  init.kaiming_normal_])
@pytest.mark.parametrize("name", ["rng", "generator"])
def test_a_bad_generator_is_named_as_the_caller_spelled_it(fill, name):
    """The message names generator= when that is what was passed (PyTorch's spelling),
    and the error is autograd's GeneratorError (as autograd.randn(..., generator=))."""
    with pytest.raises(GeneratorError, match=rf"^{name} must be a numpy.random.Generator.*"
                                             rf"Pass e\.g\. {name}=np\.random"):
        fill(Tensor(np.zeros((3, 4))), **{name: "abc"})
