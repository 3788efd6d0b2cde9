"""Activations: forward values against independent NumPy/math references, gradients
(first and second order) against central differences, kink conventions, dtypes, errors,
the erf behind the exact GELU, and the module forms."""

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograd
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.errors import ShapeError
from autograd.testing import arrays, shapes, tensors

import nn.functional as F
from nn import activations as A
from nn.functional.special import erf, erfc, normal_cdf

_erf_reference = np.vectorize(math.erf, otypes=[float])

# Values kept 0.05 away from the kink at 0 (finite differences use eps = 1e-6).
AWAY_FROM_ZERO = st.one_of(st.floats(-3.0, -0.05), st.floats(0.05, 3.0))
SMOOTH = st.floats(-3.0, 3.0)


def _np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _np_softmax(x, axis):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


# name -> (engine function, NumPy reference, elements, smooth enough for 2nd order)
ACTIVATIONS = {
    "step": (F.step, lambda x: (x > 0).astype(float), AWAY_FROM_ZERO, True),
    "heaviside": (lambda x: F.heaviside(x, 0.5), lambda x: np.heaviside(x, 0.5),
                  AWAY_FROM_ZERO, True),
    "sigmoid": (F.sigmoid, _np_sigmoid, SMOOTH, True),
    "tanh": (F.tanh, np.tanh, SMOOTH, True),
    "relu": (F.relu, lambda x: np.maximum(x, 0.0), AWAY_FROM_ZERO, True),
    "leaky_relu": (F.leaky_relu, lambda x: np.where(x > 0, x, 0.01 * x), AWAY_FROM_ZERO,
                   True),
    "leaky_relu_0.2": (lambda x: F.leaky_relu(x, alpha=0.2),
                       lambda x: np.where(x > 0, x, 0.2 * x), AWAY_FROM_ZERO, True),
    "elu": (F.elu, lambda x: np.where(x > 0, x, np.exp(x) - 1.0), AWAY_FROM_ZERO, True),
    "elu_0.5": (lambda x: F.elu(x, 0.5), lambda x: np.where(x > 0, x, 0.5 * (np.exp(x) - 1)),
                AWAY_FROM_ZERO, True),
    "gelu": (F.gelu, lambda x: 0.5 * x * (1.0 + _erf_reference(x / math.sqrt(2.0))),
             SMOOTH, True),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"),
                  lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi)
                                                   * (x + 0.044715 * x ** 3))), SMOOTH, True),
    "silu": (F.silu, lambda x: x / (1.0 + np.exp(-x)), SMOOTH, True),
    "swish_2": (lambda x: F.swish(x, 2.0), lambda x: x / (1.0 + np.exp(-2.0 * x)), SMOOTH,
                True),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@given(data=st.data())
def test_activation_forward_and_gradient(name, data):
    fn, reference, elements, _ = ACTIVATIONS[name]
    x = data.draw(tensors(shapes(), elements=elements, requires_grad=True))
    out = fn(x)
    assert out.shape == x.shape and out.dtype == np.float64
    np.testing.assert_allclose(out.data, reference(x.data), rtol=1e-12, atol=1e-13)
    assert gradcheck(fn, [x])


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@given(data=st.data())
def test_activation_second_derivative(name, data):
    fn, _, elements, _ = ACTIVATIONS[name]
    x = data.draw(tensors(shapes(max_dims=2, max_side=3), elements=elements,
                          requires_grad=True))
    assert gradgradcheck(fn, [x])


@given(data=st.data())
def test_softmax_and_log_softmax_with_axis_and_temperature(data):
    x = data.draw(tensors(shapes(min_dims=1), elements=SMOOTH, requires_grad=True))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    temperature = data.draw(st.floats(0.25, 4.0))
    expected = _np_softmax(x.data / temperature, axis)
    np.testing.assert_allclose(F.softmax(x, axis, temperature).data, expected, rtol=1e-12)
    np.testing.assert_allclose(F.log_softmax(x, axis, temperature).data, np.log(expected),
                               rtol=1e-12, atol=1e-12)
    assert gradcheck(lambda t: F.softmax(t, axis, temperature), [x])
    assert gradcheck(lambda t: F.log_softmax(t, axis=axis, temperature=temperature), [x])
    assert gradgradcheck(lambda t: F.softmax(t, axis, temperature), [x])


@given(data=st.data())
def test_prelu_gradients_for_input_and_slopes(data):
    shape = data.draw(shapes(min_dims=2, max_dims=3))
    x = data.draw(tensors(shape, elements=AWAY_FROM_ZERO, requires_grad=True))
    channels = data.draw(st.sampled_from([1, shape[1]]))
    weight = Tensor(data.draw(arrays((channels,), elements=(-0.5, 0.5))),
                    requires_grad=True)
    slope = weight.data.reshape((channels,) + (1,) * (x.ndim - 2))
    np.testing.assert_allclose(F.prelu(x, weight).data,
                               np.where(x.data > 0, x.data, slope * x.data), rtol=1e-14)
    assert gradcheck(F.prelu, [x, weight])
    assert gradgradcheck(F.prelu, [x, weight])


# ------------------------------------------------------------------ kinks, exactly
def _grad_at(fn, value):
    x = Tensor(np.array([value]), requires_grad=True)
    fn(x).sum().backward()
    return x.grad.data[0]


def test_conventions_at_kinks():
    assert _grad_at(F.relu, 0.0) == 0.0
    assert _grad_at(F.leaky_relu, 0.0) == 0.01
    assert _grad_at(lambda x: F.leaky_relu(x, 0.2), 0.0) == 0.2
    assert _grad_at(lambda x: F.elu(x, 0.5), 0.0) == 0.5
    assert _grad_at(lambda x: F.prelu(x, Tensor([0.3])), 0.0) == 0.3
    assert F.step(Tensor([0.0])).data[0] == 0.0
    assert F.heaviside(Tensor([0.0]), 0.5).data[0] == 0.5


def test_step_has_zero_gradient_everywhere():
    x = Tensor(np.array([-2.0, -1e-9, 0.0, 1e-9, 3.0]), requires_grad=True)
    F.step(x).sum().backward()
    assert x.grad is not None and np.array_equal(x.grad.data, np.zeros(5))
    np.testing.assert_array_equal(F.step(x).data, [0, 0, 0, 1, 1])


def test_leaky_relu_accepts_pytorch_name_but_not_both():
    x = Tensor([-2.0, 3.0])
    np.testing.assert_array_equal(F.leaky_relu(x, negative_slope=0.1).data, [-0.2, 3.0])
    with pytest.raises(TypeError, match="alpha or negative_slope"):
        F.leaky_relu(x, 0.1, negative_slope=0.1)


# ------------------------------------------------------------------ dtypes and stability
FLOAT32_CASES = [F.step, F.sigmoid, F.tanh, F.relu, F.leaky_relu, F.elu, F.gelu,
                 lambda x: F.gelu(x, "tanh"), F.silu, F.softmax, F.log_softmax,
                 lambda x: F.softmax(x, temperature=0.5),
                 lambda x: F.prelu(x, Tensor(np.array([0.25], dtype=np.float32)))]


@pytest.mark.parametrize("fn", FLOAT32_CASES)
def test_float32_stays_float32(fn):
    x = Tensor(np.array([[-1.5, 0.5, 2.0]], dtype=np.float32), requires_grad=True)
    out = fn(x)
    assert out.dtype == np.float32
    (out * Tensor(np.array([[1.0, -2.0, 0.5]], dtype=np.float32))).sum().backward()
    assert x.grad.dtype == np.float32


def test_extreme_inputs_stay_finite():
    x = Tensor(np.array([-1e4, -50.0, 50.0, 1e4]), requires_grad=True)
    for fn in (F.sigmoid, F.tanh, F.elu, F.gelu, lambda t: F.gelu(t, "tanh"), F.silu,
               F.softmax, F.log_softmax):
        x.zero_grad()
        out = fn(x)
        (out * Tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
        assert np.isfinite(out.data).all() and np.isfinite(x.grad.data).all()
    np.testing.assert_array_equal(F.gelu(x).data, [0.0, 0.0, 50.0, 1e4])


def test_silu_minimum_and_gelu_dip():
    grid = np.linspace(-4.0, 0.0, 40001)
    silu_min = np.min(grid / (1.0 + np.exp(-grid)))
    assert abs(F.silu(Tensor(grid)).data.min() - silu_min) < 1e-15   # about -0.2785
    gelu_min = np.min(0.5 * grid * (1.0 + _erf_reference(grid / math.sqrt(2.0))))
    assert abs(F.gelu(Tensor(grid)).data.min() - gelu_min) < 1e-15   # about -0.170


# ------------------------------------------------------------------ errors
def test_activation_errors():
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match="approximate must be 'none'.*'tanh'"):
        F.gelu(x, approximate="erf")
    with pytest.raises(ValueError, match="temperature must be a finite number > 0"):
        F.softmax(x, temperature=0.0)
    with pytest.raises(ShapeError, match="prelu: weight has 4 slopes.*3 channels on axis 1"):
        F.prelu(x, Tensor(np.ones(4)))
    with pytest.raises(ShapeError, match="no channel axis"):
        F.prelu(Tensor(np.ones(3)), Tensor(np.ones(3)))
    with pytest.raises(ShapeError, match="weight must be 0-d or 1-d"):
        F.prelu(x, Tensor(np.ones((1, 3))))
    with pytest.raises(autograd.AxisError):
        F.softmax(x, axis=2)


# ------------------------------------------------------------------ erf
def test_erf_matches_math_erf_on_a_dense_grid():
    grid = np.linspace(-8.0, 8.0, 160001)
    assert np.max(np.abs(erf(grid) - _erf_reference(grid))) < 1e-14
    tail = np.linspace(-6.0, 26.0, 32001)  # erfc(26) ~ 6e-296: still normal
    reference = np.vectorize(math.erfc, otypes=[float])(tail)
    assert np.max(np.abs(erfc(tail) - reference) / reference) < 1e-12


def test_float32_erfc_within_five_tenths_of_a_millionth_on_a_dense_grid():
    """float32 (and float16) take the Chebyshev fit computed in float32: relative error
    below 5e-7 wherever the result is a normal float32, tail included; special values."""
    grid = np.linspace(-12.0, 12.0, 240001).astype(np.float32)
    reference = np.vectorize(math.erfc, otypes=[float])(grid.astype(np.float64))
    got = erfc(grid)
    assert got.dtype == np.float32
    normal = reference > np.finfo(np.float32).tiny
    assert np.max(np.abs(got[normal] - reference[normal]) / reference[normal]) < 5e-7
    np.testing.assert_array_equal(erfc(np.array([np.inf, -np.inf, 0.0], np.float32)),
                                  [0.0, 2.0, 1.0])
    assert np.isnan(erfc(np.array([np.nan], np.float32))).all()
    assert erfc(np.float16(0.5)).dtype == np.float16
    x = np.linspace(-8.0, 8.0, 1601).astype(np.float32)  # GELU float32 follows it
    argument = -x * math.sqrt(0.5)  # rounded to float32, as the GELU (and PyTorch's) does
    assert argument.dtype == np.float32
    cdf = 0.5 * np.vectorize(math.erfc, otypes=[float])(argument.astype(np.float64))
    np.testing.assert_allclose(F.gelu(Tensor(x)).data, x * cdf, rtol=1e-6, atol=1e-30)


def test_erf_special_values_and_dtypes():
    assert erf(np.array(0.0)) == 0.0
    grid = np.linspace(0, 10, 1001)
    np.testing.assert_array_equal(erf(-grid), -erf(grid))  # odd, exactly
    np.testing.assert_array_equal(erf(np.array([np.inf, -np.inf])), [1.0, -1.0])
    assert np.isnan(erf(np.array([np.nan]))).all()
    assert erf(np.float32(0.5)).dtype == np.float32
    assert normal_cdf(np.array(-30.0)) > 0  # lower tail not rounded to 0
    assert abs(normal_cdf(np.array(-30.0)) / (0.5 * math.erfc(30 / math.sqrt(2))) - 1) < 1e-12


def test_gelu_exact_to_1e12_on_a_grid():
    grid = np.linspace(-10.0, 10.0, 20001)
    reference = 0.5 * grid * (1.0 + _erf_reference(grid / math.sqrt(2.0)))
    assert np.max(np.abs(F.gelu(Tensor(grid)).data - reference)) < 1e-12


def test_gelu_gradient_over_a_wide_range_and_at_zero():
    # the fast backward reads Phi(x) back as out / x: check it also next to 0 and far out
    points = np.concatenate([np.linspace(-12.0, 12.0, 97), [1e-300, -1e-300, 1e-170, 0.0]])
    assert gradcheck(F.gelu, [Tensor(points, requires_grad=True)])
    assert _grad_at(F.gelu, 0.0) == 0.5


# ------------------------------------------------------------------ modules
MODULES = [
    (A.Step(), F.step), (A.Heaviside(0.5), lambda x: F.heaviside(x, 0.5)),
    (A.Sigmoid(), F.sigmoid), (A.Tanh(), F.tanh), (A.ReLU(), F.relu),
    (A.LeakyReLU(), F.leaky_relu), (A.LeakyReLU(negative_slope=0.2),
                                    lambda x: F.leaky_relu(x, 0.2)),
    (A.ELU(alpha=0.5), lambda x: F.elu(x, 0.5)), (A.GELU(), F.gelu),
    (A.GELU(approximate="tanh"), lambda x: F.gelu(x, "tanh")), (A.SiLU(), F.silu),
    (A.Swish(2.0), lambda x: F.swish(x, 2.0)),
    (A.Softmax(axis=0), lambda x: F.softmax(x, 0)),
    (A.Softmax(temperature=2.0), lambda x: F.softmax(x, temperature=2.0)),
    (A.LogSoftmax(), F.log_softmax), (A.PReLU(), lambda x: F.prelu(x, Tensor([0.25]))),
]


@pytest.mark.parametrize("module, fn", MODULES, ids=lambda m: type(m).__name__)
def test_modules_match_functions(module, fn):
    x = Tensor(np.array([[-1.5, 0.0, 0.7], [2.0, -0.2, 1e-3]]))
    np.testing.assert_array_equal(module(x).data, fn(x).data)
    assert type(module).__name__ in repr(module)


def test_prelu_module_learns_one_slope_per_channel():
    layer = A.PReLU(num_parameters=3, init=0.1)
    params = list(layer.parameters())
    assert len(params) == 1 and params[0] is layer.weight and params[0].shape == (3,)
    x = Tensor(np.array([[-1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]]))
    layer(x).sum().backward()
    np.testing.assert_array_equal(layer.weight.grad.data, [-5.0, -2.0, -6.0])
    assert gradcheck(lambda w: F.prelu(x, w), [layer.weight])
    with pytest.raises(ValueError, match="num_parameters must be an int >= 1"):
        A.PReLU(num_parameters=0)
    with pytest.raises(ValueError, match="approximate"):
        A.GELU(approximate="fast")


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_prelu_takes_dtype_as_the_other_layers(dtype):
    layer = A.PReLU(3, 0.1, dtype=dtype)  # PyTorch's PReLU(..., dtype=): a TypeError before
    assert layer.weight.dtype == dtype
    np.testing.assert_array_equal(layer.weight.data, np.full(3, 0.1, dtype))
    x = Tensor(-np.ones((2, 3), dtype))
    assert layer(x).dtype == dtype
    with pytest.raises(TypeError, match="PReLU: parameters need a floating dtype"):
        A.PReLU(dtype=np.int64)
