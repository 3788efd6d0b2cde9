"""Documented conventions, tested exactly: kinks, ties, IEEE at poles, numerical
stability at extreme inputs, and dtypes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograd as ag
from autograd import Tensor
from autograd.testing import arrays, axes, shapes, tensors


def grad_of(fn, x: np.ndarray, g: np.ndarray | None = None) -> np.ndarray:
    t = Tensor(x, requires_grad=True)
    y = fn(t)
    y.backward(np.ones(y.shape) if g is None else g)
    return t.grad.data


# ------------------------------------------------------------------ kinks
def test_relu_and_abs_have_zero_derivative_at_zero() -> None:
    x = np.array([-2.0, -0.0, 0.0, 3.0])
    np.testing.assert_array_equal(grad_of(ag.relu, x), (x > 0).astype(float))
    np.testing.assert_array_equal(grad_of(ag.abs, x), np.sign(x))
    assert grad_of(ag.relu, np.array(0.0)) == 0.0 and grad_of(ag.abs, np.array(0.0)) == 0.0


def test_clip_passes_the_gradient_at_its_bounds() -> None:
    x, g = np.array([-2.0, -1.0, 0.5, 1.0, 2.0]), np.arange(1.0, 6.0)
    expected = g * ((x >= -1) & (x <= 1))
    np.testing.assert_array_equal(grad_of(lambda t: t.clip(-1.0, 1.0), x, g), expected)


@pytest.mark.parametrize("reduce", [ag.max, ag.min])
@given(data=st.data())
def test_max_min_ties_split_the_gradient_evenly(reduce, data: st.DataObject) -> None:
    shape = data.draw(shapes(min_dims=1))
    x = data.draw(arrays(shape, elements=st.integers(0, 2).map(float)))  # many ties
    axis = data.draw(axes(len(shape)))
    keepdims = data.draw(st.booleans())
    out_shape = np.max(x, axis=axis, keepdims=keepdims).shape
    g = np.random.default_rng(0).standard_normal(out_shape)
    grad = grad_of(lambda t: reduce(t, axis=axis, keepdims=keepdims), x, g)
    winner = np.max if reduce is ag.max else np.min
    hits = x == winner(x, axis=axis, keepdims=True)
    g_full = np.broadcast_to(np.reshape(g, winner(x, axis=axis, keepdims=True).shape),
                             x.shape)
    expected = np.where(hits, g_full / hits.sum(axis=axis, keepdims=True), 0.0)
    np.testing.assert_allclose(grad, expected, rtol=1e-15, atol=0)
    np.testing.assert_allclose(grad.sum(axis=axis, keepdims=True).reshape(out_shape), g,
                               rtol=1e-12)  # nothing lost, nothing added


@pytest.mark.parametrize("pick", [ag.maximum, ag.minimum])
def test_maximum_minimum_ties_split_the_gradient_evenly(pick) -> None:
    x = np.array([[1.0, 2.0, 3.0]])
    g = np.random.default_rng(0).standard_normal((2, 3))
    a, b = Tensor(x, requires_grad=True), Tensor(np.array([[1.0], [2.0]]), requires_grad=True)
    pick(a, b).backward(g)
    wins = np.greater if pick is ag.maximum else np.less
    share = wins(x, b.data) + 0.5 * (x == b.data)
    np.testing.assert_array_equal(a.grad.data, (g * share).sum(axis=0, keepdims=True))
    np.testing.assert_array_equal(b.grad.data, (g * (1 - share)).sum(axis=1, keepdims=True))


# ------------------------------------------------------------------ IEEE at poles
def test_sqrt_and_log_at_zero_follow_ieee() -> None:
    with np.errstate(divide="raise", invalid="raise"):  # IEEE results, nothing raised
        x = Tensor(np.zeros(2), requires_grad=True)
        x.sqrt().sum().backward()
        assert np.isposinf(x.grad.data).all()
        x.zero_grad()
        y = x.log()
        assert np.isneginf(y.data).all()
        y.sum().backward()
        assert np.isposinf(x.grad.data).all()


# ------------------------------------------------------------------ stability
def _stable_log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


@given(data=st.data())
def test_softmax_family_is_finite_up_to_700(data: st.DataObject) -> None:
    x = data.draw(arrays(shapes(min_dims=1), elements=(-700.0, 700.0)))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    expected = _stable_log_softmax(x, axis)
    with np.errstate(over="raise", invalid="raise", divide="raise"), \
            warnings.catch_warnings():
        warnings.simplefilter("error")
        for fn, ref in [(lambda t: t.log_softmax(axis), expected),
                        (lambda t: t.softmax(axis), np.exp(expected)),
                        (lambda t: t.logsumexp(axis), (x - expected).max(axis=axis))]:
            t = Tensor(x, requires_grad=True)
            y = fn(t)
            assert np.isfinite(y.data).all()
            np.testing.assert_allclose(y.data, ref, rtol=1e-12, atol=1e-12)
            y.backward(np.random.default_rng(0).standard_normal(y.shape))
            assert np.isfinite(t.grad.data).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_is_finite_at_large_inputs(dtype) -> None:
    x = np.array([-1e4, -800.0, 0.0, 800.0, 1e4], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        t = Tensor(x, requires_grad=True)
        y = t.sigmoid()
        y.sum().backward()
    assert np.isfinite(y.data).all() and np.isfinite(t.grad.data).all()
    assert y.dtype == dtype and t.grad.dtype == dtype
    np.testing.assert_array_equal(y.data, (np.sign(x) + 1) / 2)  # saturated exactly


@given(tensors(shapes(min_dims=1), elements=(-700.0, 700.0), requires_grad=True))
def test_logsumexp_gradient_is_softmax_at_large_inputs(x: Tensor) -> None:
    (g,) = ag.grad(x.logsumexp(axis=-1).sum(), [x])
    np.testing.assert_allclose(g.data, np.exp(_stable_log_softmax(x.data, -1)),
                               rtol=1e-12, atol=1e-300)


# ------------------------------------------------------------------ dtypes
def test_python_data_becomes_float64_and_arrays_keep_their_dtype() -> None:
    assert Tensor(3.0).dtype == np.float64 and Tensor([1, 2]).dtype == np.float64
    assert Tensor([True, False]).dtype == np.bool_ and Tensor(True).dtype == np.bool_  # masks
    assert Tensor(np.arange(3)).dtype == np.arange(3).dtype
    assert Tensor(np.ones(2, dtype=np.float32)).dtype == np.float32
    assert ag.tensor(np.ones(2), dtype=np.float16).dtype == np.float16


@pytest.mark.parametrize("scalar", [2, 2.5, np.float64(2.5), np.int64(2), np.float32(2)])
def test_scalars_do_not_upcast_a_float32_graph(scalar) -> None:
    x = Tensor(np.ones(3, dtype=np.float32) * 1.5, requires_grad=True)
    forms = [x + scalar, scalar + x, x - scalar, scalar - x, x * scalar, scalar * x,
             x / scalar, scalar / x, x ** scalar, scalar ** x, ag.maximum(x, scalar),
             ag.minimum(scalar, x), ag.where(x.data > 2, x, scalar), x.clip(0, scalar)]
    for y in forms:
        assert y.dtype == np.float32
    sum(y.sum() for y in forms).backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_mixed_dtypes_promote_forward_and_cast_gradients_back(dtype) -> None:
    a = Tensor(np.ones((2, 3), dtype=dtype), requires_grad=True)
    b = Tensor(np.ones(3), requires_grad=True)
    y = (a * b).sum()
    assert y.dtype == np.float64
    y.backward()
    assert a.grad.dtype == dtype and b.grad.dtype == np.float64


def test_integer_and_bool_tensors_are_constants() -> None:
    labels, mask = Tensor(np.array([0, 2])), Tensor(np.array([True, False]))
    x = Tensor(np.random.default_rng(0).standard_normal((2, 3)), requires_grad=True)
    picked = x[np.arange(2), labels]
    loss = ag.where(mask, picked, 0.0).sum() + (labels * 1.5).sum()
    loss.backward()
    assert x.grad.dtype == np.float64 and labels.grad is None and mask.grad is None


def test_tensor_names_label_reprs_and_default_to_none() -> None:
    computed = Tensor(np.ones(2), requires_grad=True) * 2.0
    assert computed.name is None
    computed.name = "doubled"
    assert "name='doubled'" in repr(computed)
    assert Tensor(1.0, name="w").name == "w"
    with pytest.raises(TypeError, match="must be a str or None; got int"):
        computed.name = 3


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int64, np.bool_])
def test_item_gives_the_python_number_numpy_gives(dtype) -> None:
    data = np.array([1.1, 0.0, 3.0]).astype(dtype)
    for tensor in (Tensor(data[:1]), Tensor(data).sum(), Tensor(data[0])):
        expected = np.asarray(tensor.data).item()
        assert type(tensor.item()) is type(expected) and tensor.item() == expected
