"""NumPy's reductions take ``(a, axis, dtype, out, keepdims, ...)`` by position and the
Tensor methods ``(axis, keepdims)``: a call through NumPy keeps NumPy's meaning, and a
method never takes a dtype for ``keepdims``. Expected values come from NumPy on the
arrays; gradients from finite differences."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor, UsageError

CALLS = [  # (NumPy function, positional arguments after the array, keywords)
    (np.sum, (0, None, None, True), {}),
    (np.sum, (1, np.float32), {}),
    (np.mean, (0, None, None, True), {}),
    (np.var, (0, None, None, 1), {}),
    (np.std, (1, None, None, 1, True), {}),
    (np.max, (0, None, True), {}),
    (np.amin, (1, None, True), {}),
    (np.prod, (1, None, None, True), {}),
    (np.cumsum, (0, np.float32), {}),
    (np.cumprod, (1,), {"dtype": np.float64}),
    (np.argmax, (0, None), {"keepdims": True}),
    (np.all, (0, None, True), {}),
    (np.round, (1,), {}),
]


@pytest.mark.parametrize("func,args,kwargs", CALLS, ids=lambda v: getattr(v, "__name__", ""))
def test_numpy_reductions_keep_numpys_argument_order(func, args, kwargs) -> None:
    x = np.random.default_rng(0).uniform(0.5, 1.5, (3, 4))
    ours = func(Tensor(x, requires_grad=True), *args, **kwargs)
    expected = func(x, *args, **kwargs)
    assert isinstance(ours, Tensor)
    assert ours.shape == expected.shape and ours.dtype == expected.dtype
    np.testing.assert_allclose(ours.data, expected, rtol=1e-6)


def test_numpy_order_is_differentiable() -> None:
    x = Tensor(np.random.default_rng(1).uniform(0.5, 1.5, (3, 4)), requires_grad=True)
    assert ag.gradcheck(lambda t: np.var(t, 0, None, None, 1) * np.sum(t, 0, None, None, True),
                       [x])


def test_out_by_position_gives_plain_numpy() -> None:
    x = np.arange(6.0).reshape(2, 3)
    out = np.empty(3)
    result = np.sum(Tensor(x, requires_grad=True), 0, None, out)
    assert result is out and not isinstance(result, Tensor)
    np.testing.assert_array_equal(out, x.sum(0))


def test_numpy_arguments_without_a_differentiable_version_are_named() -> None:
    t = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    with pytest.raises(UsageError, match=r"np\.sum\(\.\.\., where=\.\.\.\).*t\.data"):
        np.sum(t, where=t.data > 1)


@pytest.mark.parametrize("method", ["sum", "mean", "max", "min", "prod", "logsumexp",
                                    "argmax", "var"])
def test_a_dtype_where_keepdims_goes_is_refused(method) -> None:
    """``t.sum(0, np.float32)`` (NumPy's positional order on the method) used to keep the
    axis silently: a dtype is truthy."""
    t = Tensor(np.ones((2, 3)), requires_grad=True)
    if method in ("max", "min", "var"):  # one positional argument there: x.max(1) and
        # x.var(1) are ambiguous
        with pytest.raises(UsageError, match=r"takes one positional argument, the axis"):
            getattr(t, method)(0, np.float32)
        return
    with pytest.raises(UsageError, match=r"keepdims must be True or False.*dtype= by keyword"):
        getattr(t, method)(0, np.float32)
    for keep in (np.True_, 1, np.int64(1)):  # bools and ints, as NumPy takes them
        assert getattr(t, method)(0, keep).shape == (1, 3)


@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.bool_, np.float32, np.int64])
def test_sum_and_mean_in_a_dtype_return_numpys_dtype(dtype) -> None:
    """NumPy returns a sum in the dtype asked for (small integers and bools are not
    promoted), and a mean cast to it."""
    x = np.array([[0.5, 0.0], [2.0, 0.0], [1.5, 3.0]])  # no negatives: uint8 too
    for name in ("sum", "mean"):
        ours, expected = getattr(Tensor(x), name)(0, dtype=dtype), getattr(np, name)(x, 0,
                                                                                    dtype=dtype)
        assert ours.dtype == expected.dtype
        np.testing.assert_array_equal(ours.data, expected)
