"""Activation fixes of session 36, each checked against values derived at test time:

* a NaN input takes PyTorch's branch in elu / selu / celu (x > 0: slope 1, selu's scale)
  and hardswish (x >= 3: slope 1), so a masked NaN output passes back 0, not NaN;
* the second derivative of elu / selu / celu at x = 0 is 0 (PyTorch's strict x < 0);
* ``F.softmax(x, dim, 3)``: an int third argument (PyTorch's ``_stacklevel``) is refused
  instead of being read as the temperature; ``_stacklevel=`` is accepted and ignored;
* float16 input is compared with a number bound in float32, as PyTorch compares it;
* bool input to relu / threshold and integer or bool input to hardshrink are refused;
* softmax and its kin warn, as PyTorch, when the axis is left implicit;
* ``nn.ReLU6`` is a ``Hardtanh(0, 6)`` with its ``min_val`` / ``max_val``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor
from autograd.errors import DTypeError, UsageError
from nn.errors import ArgumentTypeError
from nn.functional.more_activations import SELU_ALPHA, SELU_SCALE

NAN = math.nan


def _grad(fn, values, upstream) -> np.ndarray:
    x = Tensor(np.asarray(values, dtype=np.float64), requires_grad=True)
    (fn(x) * Tensor(np.asarray(upstream, dtype=np.float64))).sum().backward()
    return np.asarray(x.grad.data)


# ------------------------------------------------------------------ 1. NaN input
# (function, its slope on the x > 0 side, which PyTorch's backward gives NaN)
NAN_BRANCH = {
    "elu": (F.elu, 1.0),
    "selu": (F.selu, SELU_SCALE),
    "celu": (lambda x: F.celu(x, 0.5), 1.0),
    "elu_negative_alpha": (lambda x: F.elu(x, -0.7), 1.0),
    "hardswish": (F.hardswish, 1.0),
}


@pytest.mark.parametrize("name", sorted(NAN_BRANCH))
def test_a_masked_nan_output_passes_back_zero(name: str) -> None:
    fn, _ = NAN_BRANCH[name]
    x = Tensor(np.array([NAN, 1.0, -1.0]), requires_grad=True)
    out = fn(x)
    assert np.isnan(out.data[0])  # the value stays NaN
    autograd.where(Tensor(np.isfinite(out.data)), out, 0.0).sum().backward()
    assert x.grad.data[0] == 0.0
    # the other entries keep their ordinary gradient
    assert np.all(np.isfinite(x.grad.data[1:]))


@pytest.mark.parametrize("name", sorted(NAN_BRANCH))
def test_a_nan_input_takes_the_positive_branch(name: str) -> None:
    fn, slope = NAN_BRANCH[name]
    np.testing.assert_array_equal(_grad(fn, [NAN], [1.0]), [slope])
    np.testing.assert_array_equal(_grad(fn, [NAN], [2.5]), [2.5 * slope])
    x = Tensor(np.array([NAN]), requires_grad=True)  # the create_graph path too
    (g,) = autograd.grad(fn(x).sum(), x, create_graph=True)
    np.testing.assert_array_equal(g.data, [slope])


# ------------------------------------------------------------------ 2. second derivative
# (function, alpha, divisor): elu's negative branch is alpha (e^(x / d) - 1)
ELU_FAMILY = {
    "elu": (F.elu, 1.0, 1.0, 1.0),
    "elu_0.3": (lambda x: F.elu(x, 0.3), 0.3, 1.0, 1.0),
    "elu_-0.7": (lambda x: F.elu(x, -0.7), -0.7, 1.0, 1.0),
    "celu_2.5": (lambda x: F.celu(x, 2.5), 2.5, 2.5, 1.0),
    "selu": (F.selu, SELU_ALPHA, 1.0, SELU_SCALE),
}


@pytest.mark.parametrize("name", sorted(ELU_FAMILY))
def test_elu_second_derivative_is_zero_at_the_kink(name: str) -> None:
    fn, alpha, divisor, scale = ELU_FAMILY[name]
    values = np.array([0.0, -0.0, -1.5, -0.25, 0.5, 2.0])
    x = Tensor(values, requires_grad=True)
    (g,) = autograd.grad(fn(x).sum(), x, create_graph=True)
    (h,) = autograd.grad(g.sum(), x)
    negative = values < 0
    exps = np.exp(np.minimum(values, 0) / divisor)
    # first derivative: the negative branch's slope at 0 (unchanged), 1 above
    np.testing.assert_allclose(g.data, scale * np.where(values > 0, 1.0, alpha / divisor * exps),
                               rtol=1e-14)
    # second derivative: (alpha / d^2) e^(x / d) for x < 0, 0 for x >= 0 (also at +-0)
    expected = scale * np.where(negative, alpha / divisor ** 2 * exps, 0.0)
    np.testing.assert_allclose(h.data, expected, rtol=1e-14)
    assert h.data[0] == 0.0 and h.data[1] == 0.0


def test_elu_second_derivative_matches_finite_differences_of_the_first() -> None:
    step = 1e-6
    for point in (-0.8, -1e-3):
        x = Tensor(np.array([point]), requires_grad=True)
        (g,) = autograd.grad(F.elu(x).sum(), x, create_graph=True)
        (h,) = autograd.grad(g.sum(), x)
        first = [np.asarray(_grad(F.elu, [point + d], [1.0]))[0] for d in (step, -step)]
        np.testing.assert_allclose(h.data[0], (first[0] - first[1]) / (2 * step), rtol=1e-6)


# ------------------------------------------------------------------ 3. softmax's third argument
ROW = Tensor(np.array([[1.0, 2.0, 3.0]]))


def _np_softmax(values: np.ndarray) -> np.ndarray:
    e = np.exp(values - values.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_an_int_third_argument_is_refused_not_read_as_a_temperature(name: str) -> None:
    fn = getattr(F, name)
    with pytest.raises(UsageError, match="_stacklevel"):
        fn(ROW, 1, 3)
    with pytest.raises(UsageError, match=r"temperature=2\.0"):
        fn(ROW, 1, temperature=2)
    with pytest.raises(UsageError):
        fn(ROW, 1, np.int64(3))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_stacklevel_by_keyword_is_accepted_and_has_no_effect(name: str) -> None:
    fn = getattr(F, name)
    plain = _np_softmax(ROW.data)
    expected = plain if name == "softmax" else np.log(plain)
    np.testing.assert_allclose(fn(ROW, 1, _stacklevel=5).data, expected, rtol=1e-14)
    np.testing.assert_allclose(fn(ROW, dim=1, _stacklevel=3).data, expected, rtol=1e-14)
    with pytest.raises(ArgumentTypeError, match="_stacklevel"):
        fn(ROW, 1, _stacklevel=2.0)


def test_a_float_temperature_still_works_by_position_and_keyword() -> None:
    expected = _np_softmax(ROW.data / 3.0)
    np.testing.assert_allclose(F.softmax(ROW, 1, 3.0).data, expected, rtol=1e-14)
    np.testing.assert_allclose(F.softmax(ROW, 1, temperature=3.0).data, expected, rtol=1e-14)
    np.testing.assert_allclose(F.log_softmax(ROW, 1, 3.0).data, np.log(expected), rtol=1e-14)
    np.testing.assert_allclose(nn.Softmax(1, temperature=3).forward(ROW).data, expected,
                               rtol=1e-14)  # the module keeps it as a float


def test_softmin_takes_pytorchs_positional_stacklevel_and_dtype() -> None:
    expected = _np_softmax(-ROW.data)
    np.testing.assert_allclose(F.softmin(ROW, 1, 3).data, expected, rtol=1e-14)
    np.testing.assert_allclose(F.softmin(ROW, 1, _stacklevel=5).data, expected, rtol=1e-14)
    wide = F.softmin(Tensor(ROW.data.astype(np.float32)), 1, 3, np.float64)
    assert wide.dtype == np.float64
    np.testing.assert_allclose(wide.data, expected, rtol=1e-7)
    with pytest.raises(ArgumentTypeError, match="_stacklevel"):
        F.softmin(ROW, 1, 0.5)  # not a temperature: softmin has none


# ------------------------------------------------------------------ 4. float16 bounds
HALF = np.float16


def _as_pytorch_compares(values: np.ndarray) -> np.ndarray:
    return values.astype(np.float32)


def test_float16_threshold_compares_in_float32() -> None:
    x = np.array([0.3, -0.3, 0.1], HALF)  # float16(0.3) = 0.30004883 > 0.3
    expected = np.where(_as_pytorch_compares(x) <= np.float32(0.3), HALF(9.0), x)
    out = F.threshold(Tensor(x), 0.3, 9.0)
    assert out.dtype == HALF
    np.testing.assert_array_equal(out.data, expected)
    assert out.data[0] == x[0]  # kept, where a float16 comparison replaced it
    t = Tensor(x.copy(), requires_grad=True)
    F.threshold(t, 0.3, 9.0).sum().backward()
    np.testing.assert_array_equal(t.grad.data, (_as_pytorch_compares(x) > 0.3).astype(HALF))
    y = Tensor(x.copy())
    F.threshold_(y, 0.3, 9.0)
    np.testing.assert_array_equal(y.data, expected)


def test_float16_hardtanh_gradient_compares_in_float32() -> None:
    x = np.array([0.1, -0.1, 0.2], HALF)  # float16(0.1) = 0.09997559, inside (-0.1, 0.1)
    wide = _as_pytorch_compares(x)
    t = Tensor(x.copy(), requires_grad=True)
    out = F.hardtanh(t, -0.1, 0.1)
    out.sum().backward()
    np.testing.assert_array_equal(out.data, np.clip(x, HALF(-0.1), HALF(0.1)))
    np.testing.assert_array_equal(t.grad.data, ((wide > -0.1) & (wide < 0.1)).astype(HALF))
    assert t.grad.data[0] == 1.0


def test_float16_softplus_threshold_compares_in_float32() -> None:
    x = np.array([0.3], HALF)
    assert _as_pytorch_compares(x)[0] > np.float32(0.3)  # so the linear branch: x itself
    t = Tensor(x.copy(), requires_grad=True)
    out = F.softplus(t, 1.0, 0.3)
    np.testing.assert_array_equal(out.data, x)
    out.sum().backward()
    np.testing.assert_array_equal(t.grad.data, [1.0])
    # with beta: beta x in float32 against the threshold
    np.testing.assert_array_equal(F.softplus(Tensor(x), 2.0, 0.6).data, x)


def test_float16_softshrink_values_are_computed_in_float32() -> None:
    x = np.array([0.3, -0.3, 0.1], HALF)
    wide = _as_pytorch_compares(x)
    lambd = np.float32(0.3)
    expected = np.where(np.abs(wide) <= lambd, 0.0, wide - np.sign(wide) * lambd).astype(HALF)
    out = F.softshrink(Tensor(x), 0.3)
    assert out.dtype == HALF
    np.testing.assert_array_equal(out.data, expected)
    assert out.data[0] > 0  # x - lambd of one float16 ulp's size, where it was 0


def test_float64_and_float32_bounds_are_unchanged() -> None:
    for dtype in (np.float32, np.float64):
        x = np.array([0.3, 0.5], dtype)
        np.testing.assert_array_equal(F.threshold(Tensor(x), 0.3, 9.0).data,
                                      np.where(x <= dtype(0.3), dtype(9.0), x))
        np.testing.assert_array_equal(F.softshrink(Tensor(x), 0.3).data,
                                      np.where(np.abs(x) <= dtype(0.3), 0, x - dtype(0.3)))


# ------------------------------------------------------------------ 5. refused input
def test_relu_refuses_bool_input_and_keeps_integers() -> None:
    flags = Tensor(np.array([True, False]))
    for call in (lambda: F.relu(flags), lambda: nn.ReLU()(flags),
                 lambda: F.relu(flags, inplace=True), lambda: F.relu_(Tensor(flags.data))):
        with pytest.raises(DTypeError, match="bool"):
            call()
    ints = F.relu(Tensor(np.array([-2, 3])))
    assert ints.dtype == np.int64
    np.testing.assert_array_equal(ints.data, [0, 3])


def test_threshold_refuses_bool_input_and_keeps_integers() -> None:
    with pytest.raises(DTypeError, match="threshold"):
        F.threshold(Tensor(np.array([True, False])), 0.5, 1.0)
    with pytest.raises(DTypeError, match="threshold"):
        nn.Threshold(0.5, 1.0)(Tensor(np.array([True])))
    out = F.threshold(Tensor(np.array([0, 1, 2], np.uint8)), 0.5, 7.0)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out.data, [7, 1, 2])


@pytest.mark.parametrize("dtype", [np.int64, np.uint8, np.bool_])
def test_hardshrink_refuses_integer_and_bool_input(dtype) -> None:
    with pytest.raises(DTypeError, match="hardshrink"):
        F.hardshrink(Tensor(np.array([0, 1, 2]).astype(dtype)))
    with pytest.raises(DTypeError, match="hardshrink"):
        nn.Hardshrink()(Tensor(np.array([0, 1]).astype(dtype)))


# ------------------------------------------------------------------ 6. implicit axis, ReLU6
IMPLICIT = {
    "softmax": lambda x: F.softmax(x), "log_softmax": lambda x: F.log_softmax(x),
    "softmin": lambda x: F.softmin(x),
    "Softmax": lambda x: nn.Softmax()(x), "LogSoftmax": lambda x: nn.LogSoftmax()(x),
    "Softmin": lambda x: nn.Softmin()(x),
}


@pytest.mark.parametrize("name", sorted(IMPLICIT))
@pytest.mark.parametrize("shape", [(), (4,), (2, 3)])
def test_an_implicit_axis_of_a_matrix_warns_as_pytorch(name: str, shape: tuple) -> None:
    """PyTorch warns whenever dim is left out; here a vector (or a 0-d tensor), whose
    only axis is the one meant (the notes' softmax(z)), is quiet."""
    values = np.random.default_rng(0).standard_normal(shape)
    if len(shape) == 2:
        with pytest.warns(UserWarning, match="Implicit dimension choice for") as record:
            out = IMPLICIT[name](Tensor(values))
        assert record[0].filename == __file__  # the user's line, not nn's
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out = IMPLICIT[name](Tensor(values))
    expected = _np_softmax(-values if "min" in name.lower() else values)
    expected = np.log(expected) if "log" in name.lower() else expected
    np.testing.assert_allclose(out.data, expected, rtol=1e-13)  # still the last axis


def test_a_named_axis_does_not_warn() -> None:
    x = Tensor(np.ones((2, 3)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.softmax(x, -1)
        F.log_softmax(x, dim=1)
        F.softmin(x, axis=0)
        nn.Softmax(dim=1)(x)
        nn.Softmin(1)(x)


def test_relu6_is_a_hardtanh_from_0_to_6() -> None:
    module = nn.ReLU6()
    assert isinstance(module, nn.Hardtanh)
    assert (module.min_val, module.max_val, module.inplace) == (0.0, 6.0, False)
    assert repr(module) == "ReLU6()" and repr(nn.ReLU6(True)) == "ReLU6(inplace=True)"
    values = np.array([-1.0, 0.0, 3.0, 6.0, 7.5])
    x = Tensor(values, requires_grad=True)
    module(x).sum().backward()
    np.testing.assert_array_equal(module(Tensor(values)).data, np.clip(values, 0, 6))
    np.testing.assert_array_equal(x.grad.data, (values > 0) & (values < 6))
    with pytest.raises(ArgumentTypeError, match="ReLU6: inplace"):
        nn.ReLU6(1)
    y = Tensor(values.copy())
    assert nn.ReLU6(inplace=True)(y) is y
    np.testing.assert_array_equal(y.data, np.clip(values, 0, 6))
