"""cummax and cummin against torch (values, indices: ties give the latest, NaN stays;
gradients go to the indexed element), and np.maximum.accumulate /
np.minimum.accumulate against NumPy."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import UsageError

NAN = np.nan
DATA = [
    np.array([1.0, 3.0, 3.0, 2.0, 3.0, NAN, 1.0, NAN, 5.0]),  # ties, then NaN
    np.array([[2.0, 1.0, 2.0, 2.0, 0.0, 2.0], [0.0, -0.0, 0.0, -1.0, 4.0, 4.0]]),
    np.random.default_rng(3).standard_normal((3, 4, 2)),
    np.array([[-np.inf, np.inf, 1.0], [np.inf, np.inf, -np.inf]]),
    np.array(1.5),
    np.zeros((0, 3)),
]


def _torch():
    return pytest.importorskip("torch")


@pytest.mark.parametrize("name", ["cummax", "cummin"])
@pytest.mark.parametrize("data", DATA, ids=range(len(DATA)))
@pytest.mark.parametrize("dim", [0, -1])
def test_running_extremes_are_torch_s(name: str, data: np.ndarray, dim: int) -> None:
    torch = _torch()
    x, t = ag.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    (values, indices), expected = getattr(x, name)(dim), getattr(t, name)(dim)
    assert values.shape == indices.shape == tuple(expected.values.shape)
    np.testing.assert_array_equal(values.data, expected.values.detach().numpy())
    assert indices.dtype == np.int64
    np.testing.assert_array_equal(indices.data, expected.indices.numpy())
    g = np.random.default_rng(1).standard_normal(values.shape)
    values.backward(g)
    expected.values.backward(torch.tensor(g))
    np.testing.assert_array_equal(x.grad.data, t.grad.numpy())


def test_functions_and_integer_and_bool_inputs_as_torch() -> None:
    torch = _torch()
    for data in (np.array([[1, 3, 2], [0, 0, -1]]), np.array([True, False, True])):
        for name in ("cummax", "cummin"):
            ours, theirs = getattr(ag, name)(data, 0), getattr(torch, name)(
                torch.tensor(data), 0)
            assert ours.values.dtype == data.dtype
            np.testing.assert_array_equal(ours.values.data, theirs.values.numpy())
            np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())


def test_float32_stays_float32() -> None:
    x = ag.tensor(np.float32([3, 1, 4]), requires_grad=True)
    values = x.cummax(0).values
    assert values.dtype == np.float32
    values.sum().backward()
    assert x.grad.dtype == np.float32


def test_dim_is_required_and_one_int() -> None:
    x = ag.tensor([1.0, 2.0])
    with pytest.raises(TypeError):
        x.cummax()  # as torch: cummax() missing 1 required positional argument
    with pytest.raises(ag.AxisError, match="cummin: dim must be one int"):
        x.cummin(None)
    with pytest.raises(ag.AxisError):
        x.cummax(1)


@pytest.mark.parametrize("ufunc", [np.maximum, np.minimum])
@pytest.mark.parametrize("data", DATA[:4], ids=range(4))
@pytest.mark.parametrize("axis", [{}, {"axis": -1}])
def test_numpy_accumulate_is_numpy_s(ufunc, data: np.ndarray, axis: dict) -> None:
    x = ag.tensor(data, requires_grad=True)
    result = ufunc.accumulate(x, **axis)
    assert isinstance(result, ag.Tensor)
    np.testing.assert_array_equal(result.data, ufunc.accumulate(data, **axis))
    result.backward(np.ones(result.shape))
    name = "cummax" if ufunc is np.maximum else "cummin"
    gradient = x.grad.data.copy()
    x.grad = None
    getattr(x, name)(axis.get("axis", 0)).values.backward(np.ones(result.shape))
    np.testing.assert_array_equal(gradient, x.grad.data)  # to the element cummax names


def test_numpy_accumulate_errors_and_out() -> None:
    x = ag.tensor([[1.0, 3.0], [2.0, 0.0]])
    with pytest.raises(UsageError, match="cannot accumulate on a 0-d tensor"):
        np.maximum.accumulate(ag.tensor(1.0))
    with pytest.raises(ag.AxisError, match="axis must be one int"):
        np.minimum.accumulate(x, axis=None)
    with pytest.raises(UsageError, match="dtype"):
        np.maximum.accumulate(x, dtype=np.float32)
    out = np.empty((2, 2))
    assert np.maximum.accumulate(x, out=out) is out  # plain NumPy, untracked
    np.testing.assert_array_equal(out, [[1.0, 3.0], [2.0, 3.0]])
    with pytest.raises(UsageError, match="np.add.accumulate has no differentiable version"):
        np.add.accumulate(x)
