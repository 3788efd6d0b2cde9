"""Session 38 indexing fixes: ``index_put_`` refuses a uint8 index (as every other path)
and indices that are not a tuple of index tensors (PyTorch's TypeError); a Python bool
or 0-d bool beside repeated integer indices has a working backward (last write wins,
as finite differences of the forward say); an empty float index tensor or array is
refused as any float index (an empty list is not); a list value of ``t[i] = value``
drops its leading ones, as an array value does. Expected values come from NumPy."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import TensorIndexError, UsageError

UINT8_MASK = np.array([1, 0], dtype=np.uint8)
WEIGHTS = np.array([1.0, 2.0, 3.0])  # distinct weights: each position's gradient differs


# ----------------------------------------------------------- 1. uint8 index in index_put_
@pytest.mark.parametrize("accumulate", [False, True])
def test_index_put_inplace_refuses_a_uint8_index_and_leaves_the_tensor(accumulate) -> None:
    a = ag.tensor(np.zeros((2, 2)))
    with pytest.raises(UsageError, match=r"^index_put_: .*uint8.*index\.bool\(\)"):
        a.index_put_((ag.tensor(UINT8_MASK),), ag.tensor(np.array([5.0, 6.0])), accumulate)
    np.testing.assert_array_equal(a.data, np.zeros((2, 2)))


def test_index_put_inplace_refuses_a_uint8_ndarray_index_too() -> None:
    a = ag.tensor(np.zeros((2, 2)))
    with pytest.raises(UsageError, match="means two things"):
        a.index_put_([UINT8_MASK], ag.tensor(1.0))
    np.testing.assert_array_equal(a.data, np.zeros((2, 2)))


def test_out_of_place_index_put_names_itself_in_the_uint8_refusal() -> None:
    a = ag.tensor(np.zeros((2, 2)))
    with pytest.raises(UsageError, match=r"^index_put: .*uint8"):
        a.index_put((ag.tensor(UINT8_MASK),), ag.tensor(1.0))


def test_index_put_inplace_with_bool_and_long_indices_still_writes() -> None:
    """The two spellings the refusal names still work, as NumPy's indexing says."""
    for index in (UINT8_MASK.astype(bool), UINT8_MASK.astype(np.int64)):
        a = ag.tensor(np.zeros((2, 2)))
        a.index_put_((ag.tensor(index),), ag.tensor(np.array([5.0, 6.0])))
        expected = np.zeros((2, 2))
        expected[index] = [5.0, 6.0]
        np.testing.assert_array_equal(a.data, expected)


# ------------------------------------------ 2. a bool beside repeated integer indices
def _numerical_value_grad(index: tuple, v: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of sum(WEIGHTS * out), out = zeros(3) with out[index] = v."""
    def f(values: np.ndarray) -> float:
        out = np.zeros(3)
        out[index] = values
        return float((WEIGHTS * out).sum())
    grad = np.zeros_like(v)
    for k in range(v.size):
        step = np.zeros_like(v)
        step.flat[k] = eps
        grad.flat[k] = (f(v + step) - f(v - step)) / (2 * eps)
    return grad


def _numpy_index(index: tuple) -> tuple:
    return tuple(np.asarray(p.data) if isinstance(p, ag.Tensor) else p for p in index)


@pytest.mark.parametrize("flag", [True, np.array(True), ag.tensor(True)],
                         ids=["python-bool", "0-d-ndarray", "0-d-tensor"])
@pytest.mark.parametrize("how", ["setitem", "at-set", "index_put"])
def test_bool_beside_repeated_indices_backward_matches_finite_differences(flag, how) -> None:
    index = (flag, [0, 0, 2])
    v_data = np.array([1.0, 2.0, 4.0])
    x = ag.tensor(np.zeros(3), requires_grad=True)
    v = ag.tensor(v_data, requires_grad=True)
    y = x * 1.0
    if how == "setitem":
        y[index] = v
    elif how == "at-set":
        y = y.at[index].set(v)
    else:
        y = y.index_put(index, v)
    (y * ag.tensor(WEIGHTS)).sum().backward()
    expected = np.zeros(3)
    expected[_numpy_index(index)] = v_data
    np.testing.assert_array_equal(y.data, expected)
    np.testing.assert_allclose(v.grad.data, _numerical_value_grad(_numpy_index(index),
                                                                  v_data), atol=1e-8)
    written = np.zeros(3, dtype=bool)
    written[[0, 2]] = True
    np.testing.assert_array_equal(x.grad.data, np.where(written, 0.0, WEIGHTS))


def test_bool_beside_repeated_indices_passes_gradcheck() -> None:
    def fn(x, v):
        y = x * 1.0
        y[True, [1, 1]] = v
        return y
    x = ag.tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    v = ag.tensor(np.array([3.0, -2.0]), requires_grad=True)
    assert ag.gradcheck(fn, (x, v))


# ---------------------------------------------- 3. index_put_ indices not a tuple
@pytest.mark.parametrize("indices", [ag.tensor([0, 1]), np.array([0, 1]), 1])
def test_index_put_inplace_refuses_indices_that_are_not_a_tuple(indices) -> None:
    a = ag.tensor(np.zeros((2, 2)))
    with pytest.raises(UsageError, match=r"^index_put_: indices must be a tuple") as info:
        a.index_put_(indices, ag.tensor(5.0))
    assert isinstance(info.value, TypeError)  # PyTorch's exception type
    np.testing.assert_array_equal(a.data, np.zeros((2, 2)))


def test_index_put_inplace_takes_a_tuple_or_a_list() -> None:
    for indices in ((ag.tensor([0, 1]),), [ag.tensor([0, 1])]):
        a = ag.tensor(np.zeros((2, 2)))
        a.index_put_(indices, ag.tensor(5.0))
        np.testing.assert_array_equal(a.data, np.full((2, 2), 5.0))


# ------------------------------------------------ 4. an empty float index is refused
@pytest.mark.parametrize("empty", [ag.tensor([]), np.array([]), np.zeros((0, 2))],
                         ids=["tensor", "ndarray", "ndarray-2d"])
def test_an_empty_float_index_is_refused_on_every_path(empty) -> None:
    x = ag.tensor(np.array([1.0, 2.0]))
    with pytest.raises(TensorIndexError, match="float64"):
        x[empty]
    with pytest.raises(TensorIndexError, match="float64"):
        x[empty] = 1.0
    with pytest.raises(TensorIndexError, match="float64"):
        x.index_put((empty,), ag.tensor(1.0))
    with pytest.raises(TensorIndexError, match="float64"):
        x.at[empty].set(1.0)
    np.testing.assert_array_equal(x.data, [1.0, 2.0])


def test_an_empty_list_or_integer_array_index_is_still_accepted() -> None:
    data = np.array([1.0, 2.0])
    for empty in ([], np.array([], dtype=np.int64), ag.tensor([], dtype=ag.int64)):
        x = ag.tensor(data.copy())
        assert x[empty].shape == data[np.array([], dtype=np.intp)].shape
        x[empty] = 7.0
        np.testing.assert_array_equal(x.data, data)


# ------------------------------------------------ 5. a list value, leading ones dropped
@pytest.mark.parametrize("index, value", [(1, [5.0]), (1, [[5.0]]), (slice(0, 2), [[5.0, 6.0]]),
                                          ((0, slice(None)), [[[5.0, 6.0]]])])
def test_a_list_value_drops_leading_ones_as_an_array_value(index, value) -> None:
    shape = (3,) if not isinstance(index, tuple) else (2, 2)
    data = np.arange(1.0, 1.0 + np.prod(shape)).reshape(shape)
    with_list, with_array = ag.tensor(data.copy()), ag.tensor(data.copy())
    with_list[index] = value
    with_array[index] = np.asarray(value)
    expected = data.copy()
    array = np.asarray(value)
    expected[index] = array.reshape(array.shape[next((i for i, n in enumerate(array.shape)
                                                      if n != 1), array.ndim):])
    np.testing.assert_array_equal(with_list.data, expected)
    np.testing.assert_array_equal(with_array.data, expected)


def test_a_list_value_drops_leading_ones_in_a_graph_too() -> None:
    x = ag.tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    y = x * 1.0
    y[1] = [5.0]
    (y * ag.tensor(WEIGHTS)).sum().backward()
    np.testing.assert_array_equal(y.data, [1.0, 5.0, 3.0])
    np.testing.assert_array_equal(x.grad.data, WEIGHTS * np.array([1.0, 0.0, 1.0]))


def test_a_ragged_list_value_is_a_named_error() -> None:
    x = ag.tensor(np.zeros(3))
    with pytest.raises(ag.errors.DataError, match=r"t\[index\] = value.*ragged"):
        x[:2] = [[1.0], [2.0, 3.0]]
