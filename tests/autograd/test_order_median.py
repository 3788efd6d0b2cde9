"""median and nanmedian: PyTorch's (``x.median()``, ``x.median(dim)``) against torch,
NumPy's (``np.median(t)``, ``axis=``) against NumPy, and the spelling rule for
``autograd.median``. Gradients of distinct data: the op table (finite differences)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
from autograd import ShapeError, UsageError

NAN = np.nan
DATA = [
    np.array([3.0, 1.0, 4.0, 1.5]),                       # even count
    np.array([[2.0, 1.0, 2.0, 2.0, 3.0], [5.0, 5.0, 5.0, 5.0, 5.0]]),  # ties
    np.array([[1.0, NAN, 3.0, NAN], [0.5, -1.0, 2.0, 7.0]]),  # NaN in one row
    np.array([[NAN, NAN, NAN], [1.0, NAN, 0.0]]),          # an all-NaN row
    np.array([-np.inf, 2.0, np.inf, 0.0]),
    np.array(2.5),                                         # 0-d
]


def _torch():
    return pytest.importorskip("torch")


@pytest.mark.parametrize("name", ["median", "nanmedian"])
@pytest.mark.parametrize("data", DATA, ids=range(len(DATA)))
def test_median_of_all_elements_is_torch_s(name: str, data: np.ndarray) -> None:
    torch = _torch()
    x, t = ag.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    ours, theirs = getattr(x, name)(), getattr(t, name)()
    assert ours.shape == () and ours.dtype == np.float64
    np.testing.assert_array_equal(ours.data, theirs.detach().numpy())
    ours.backward(np.array(1.5))
    theirs.backward(torch.tensor(1.5, dtype=torch.float64))
    np.testing.assert_array_equal(x.grad.data, t.grad.numpy())  # ties (and NaNs) share


@pytest.mark.parametrize("name", ["median", "nanmedian"])
@pytest.mark.parametrize("data", DATA[:5], ids=range(5))
@pytest.mark.parametrize("dim, keepdim", [(-1, False), (-1, True), (0, False)])
def test_median_along_dim_is_torch_s_pair(name: str, data: np.ndarray, dim: int,
                                          keepdim: bool) -> None:
    torch = _torch()
    x, t = ag.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    values, indices = getattr(x, name)(dim, keepdim=keepdim)
    expected = getattr(t, name)(dim, keepdim=keepdim)
    np.testing.assert_array_equal(values.data, expected.values.detach().numpy())
    assert indices.dtype == np.int64 and indices.shape == tuple(expected.indices.shape)
    picked = np.take_along_axis(data, indices.data if keepdim else
                                np.expand_dims(indices.data, dim), dim)
    np.testing.assert_array_equal(picked.squeeze(dim) if not keepdim else picked,
                                  values.data)  # each index names its value
    g = np.random.default_rng(0).standard_normal(values.shape)
    values.backward(g)
    expected.values.backward(torch.tensor(g))
    if np.isfinite(data).all() and len(np.unique(data)) == data.size:
        np.testing.assert_array_equal(indices.data, expected.indices.numpy())
        np.testing.assert_array_equal(x.grad.data, t.grad.numpy())
    else:  # one element per value: g lands on the element its index names
        assert np.isclose(x.grad.data.sum(), g.sum())


def test_tied_median_index_is_the_stable_sorts_middle() -> None:
    """torch leaves the index among equal values unspecified; ours is the element a
    stable sort puts in the middle (the one torch 2.13 picks on the CPU, so far)."""
    values, indices = ag.tensor([2.0, 1.0, 2.0, 2.0, 3.0, 2.0]).median(0)
    assert values.item() == 2.0 and indices.item() == 2  # order 1, 0, 2, 3, 5, 4
    values, indices = ag.tensor([[1.0, NAN, 3.0, NAN]]).median(1)
    assert np.isnan(values.item()) and indices.item() == 1  # the first NaN, as torch


def test_median_of_integers_stays_integer_as_torch_s() -> None:
    torch = _torch()
    data = np.array([[3, 1, 2, 5], [7, 7, 0, 1]])
    x, t = ag.tensor(data), torch.tensor(data)
    assert x.median().dtype == np.int64 and x.median().item() == t.median().item()
    np.testing.assert_array_equal(x.median(1).values.data, t.median(1).values.numpy())
    assert np.median(x).dtype == np.float64 and np.median(x).item() == np.median(data)


def test_float32_stays_float32() -> None:
    x = ag.tensor(np.float32([3, 1, 2, 5]), requires_grad=True)
    for result in (x.median(), x.median(0).values, x.nanmedian(), np.median(x),
                   np.nanmedian(x, keepdims=True)):
        assert result.dtype == np.float32
        result.sum().backward()
        assert x.grad.dtype == np.float32


@pytest.mark.parametrize("function", [np.median, np.nanmedian])
@pytest.mark.parametrize("data", DATA, ids=range(len(DATA)))
@pytest.mark.parametrize("axis", [None, 0, -1, (0, -1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_numpy_median_is_numpy_s(function, data: np.ndarray, axis, keepdims: bool) -> None:
    if data.ndim == 0 and axis is not None or data.ndim == 1 and isinstance(axis, tuple):
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # All-NaN slice
        expected = function(data, axis=axis, keepdims=keepdims)
    result = function(ag.tensor(data), axis=axis, keepdims=keepdims)
    assert isinstance(result, ag.Tensor) and result.shape == np.shape(expected)
    np.testing.assert_array_equal(result.data, expected)


def test_numpy_median_of_an_even_count_sends_half_to_each_middle_value() -> None:
    data = np.array([[0.3, 4.0, -1.0, 2.0], [1.0, 2.0, 3.0, 4.5]])
    x = ag.tensor(data, requires_grad=True)
    g = np.array([0.7, -1.3])
    np.median(x, axis=1).backward(g)
    numeric = ag.numerical_grad(lambda t: np.median(t, axis=1), [x], [g])[0]
    np.testing.assert_allclose(x.grad.data, numeric, atol=1e-8)
    np.testing.assert_allclose(x.grad.data, [[0.35, 0, 0, 0.35], [0, -0.65, -0.65, 0]])


def test_numpy_median_over_no_element_is_nan_as_numpy_s() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for axis in (None, 0, 1):
            expected = np.median(np.zeros((0, 3)), axis=axis)
            result = np.median(ag.zeros(0, 3), axis=axis)
            np.testing.assert_array_equal(result.data, expected)
            assert result.shape == np.shape(expected)


def test_empty_dim_is_a_shape_error_and_an_empty_result_is_empty() -> None:
    torch = _torch()
    assert np.isnan(ag.zeros(0).median().item()) and torch.zeros(0).median().isnan()
    with pytest.raises(ShapeError, match="median: cannot reduce over an empty axis"):
        ag.zeros(0, 3).median(0)
    values, indices = ag.zeros(0, 3).median(1)
    assert values.shape == indices.shape == (0,)


def test_zero_d_takes_dim_0_and_minus_1_as_torch() -> None:
    x = ag.tensor(2.5, requires_grad=True)
    for dim in (0, -1):
        for keepdim in (False, True):
            values, indices = x.median(dim, keepdim=keepdim)
            assert values.shape == indices.shape == () and indices.item() == 0
    with pytest.raises(ag.AxisError):
        x.median(1)


def test_the_spelling_decides() -> None:
    x = ag.tensor([[3.0, 1.0, 4.0, 1.5]])
    assert x.median().item() == 1.5  # PyTorch's lower median
    assert isinstance(x.median(1), ag.tensor_reductions.ValuesIndices)
    assert isinstance(ag.median(x, dim=1), tuple) and isinstance(x.median(dim=1), tuple)
    assert ag.median(x, dim=1, keepdim=True).values.shape == (1, 1)
    np.testing.assert_array_equal(x.median(axis=1).data, [2.25])  # NumPy's mean
    np.testing.assert_array_equal(ag.median(x, axis=1).data, [2.25])
    assert ag.median(x, axis=None).item() == 2.25 and x.median(keepdims=True).shape == (1, 1)
    assert x.median(1, keepdims=True).shape == (1, 1)  # keepdims is NumPy's alone
    assert np.median(x).item() == 2.25


@pytest.mark.parametrize("call", [lambda x: ag.median(x), lambda x: ag.median(x, 1),
                                  lambda x: ag.nanmedian(x)])
def test_a_call_both_libraries_read_differently_raises(call) -> None:
    with pytest.raises(UsageError, match=r"means two things.*np\.(nan)?median\(x\).*"
                                         r"x\.(nan)?median\(\)"):
        call(ag.tensor([3.0, 1.0, 4.0, 1.5]))


def test_misused_arguments_are_named() -> None:
    x = ag.tensor([[3.0, 1.0]])
    with pytest.raises(UsageError, match="NumPy's axis=/keepdims= and PyTorch's"):
        x.median(axis=1, keepdim=True)
    with pytest.raises(UsageError, match="got the axis twice"):
        x.median(1, dim=1)
    with pytest.raises(UsageError, match="needs dim="):
        x.median(keepdim=True)
    with pytest.raises(ag.DTypeError, match="bool tensor"):
        ag.tensor([True, False]).median()
    with pytest.raises(ag.AxisError, match="one int"):
        x.median(dim=(0, 1))
