"""NumPy interop, session 38: ``np.average`` with weights that sum to zero raises (a
``UsageError``; NumPy's is a ``ZeroDivisionError``) instead of giving NaN; ``np.clip(t)``
with no bound is a differentiable copy, as NumPy 2's; ``np.unique(t)``'s values require
grad and refuse a backward, as ``torch.unique``'s; and the errors for NumPy calls with no
differentiable version name what to write, each hint checked here against NumPy's own
answer on the same array."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor
from autograd.errors import BackwardError, UsageError, ZeroWeightsError

RNG = np.random.default_rng(38)
X = RNG.standard_normal((3, 4))
SIGNED = np.array([[0.0, -0.0, -2.0, 3.5], [np.nan, -np.inf, 1.0, 0.0]])


def assert_same(ours: Tensor, numpys: object) -> None:
    """Same values (NaN and signed zeros included) and dtype as NumPy's answer."""
    numpys = np.asarray(numpys)
    assert ours.dtype == numpys.dtype, (ours.dtype, numpys.dtype)
    np.testing.assert_array_equal(ours.data, numpys)
    np.testing.assert_array_equal(np.signbit(ours.data), np.signbit(numpys))


# ------------------------------------------------------------------ np.average
ZERO_SUM_WEIGHTS = [
    (1, np.zeros(4)),                                       # 1-d weights along an axis
    (1, np.array([1.0, -1.0, 2.0, -2.0])),                  # a zero sum, no zero weight
    (0, np.array([[1.0, 1.0, 0.0, 1.0], [1.0, -1.0, 0.0, 2.0], [1.0, 3.0, 0.0, 0.5]])),
    (None, np.zeros((3, 4))),                               # all of a
]


@pytest.mark.parametrize("axis, weights", ZERO_SUM_WEIGHTS)
@pytest.mark.parametrize("as_tensor", [False, True])
def test_average_with_weights_summing_to_zero_raises_as_numpys_does(axis, weights,
                                                              as_tensor: bool) -> None:
    with pytest.raises(ZeroDivisionError):
        np.average(X, axis=axis, weights=weights)  # NumPy's own answer
    t = Tensor(X, requires_grad=True)
    w = Tensor(weights, requires_grad=True) if as_tensor else weights
    for returned in (False, True):
        with pytest.raises(ZeroWeightsError, match="sum to zero") as raised:
            np.average(t, axis=axis, weights=w, returned=returned)
        assert isinstance(raised.value, ZeroDivisionError)  # as NumPy's, and a UsageError


def test_average_with_nonzero_weights_is_numpys_and_differentiable() -> None:
    weights = np.array([1.0, -1.0, 2.0, 0.5])
    t = Tensor(X, requires_grad=True)
    assert_same(np.average(t, axis=1, weights=weights), np.average(X, axis=1, weights=weights))
    w = Tensor(weights, requires_grad=True)
    assert ag.gradcheck(lambda a, b: np.average(a, axis=1, weights=b), [t, w])


# ------------------------------------------------------------------ np.clip
@pytest.mark.parametrize("call", [lambda a: np.clip(a), lambda a: np.clip(a, None, None),
                                  lambda a: np.clip(a, min=None, max=None)])
@pytest.mark.parametrize("data", [X, X.astype(np.float32), np.array([[3, -1], [0, 7]])])
def test_clip_without_bounds_is_a_copy_as_numpy2(call, data: np.ndarray) -> None:
    t = Tensor(data, requires_grad=data.dtype.kind == "f")
    got = call(t)
    assert_same(got, call(data))  # NumPy 2 gives a copy of the array
    assert got is not t and not np.shares_memory(got.data, t.data)
    if t.requires_grad:
        upstream = RNG.standard_normal(data.shape)
        (got * upstream).sum().backward()
        np.testing.assert_allclose(t.grad.data, upstream.astype(data.dtype))


def test_clip_method_without_bounds_still_refuses_as_pytorchs_clamp() -> None:
    with pytest.raises(UsageError, match="at least one"):
        Tensor(X).clip()
    assert_same(np.clip(Tensor(X), None, 0.5), np.clip(X, None, 0.5))


# ------------------------------------------------------------------ np.unique
def test_unique_values_require_grad_and_refuse_backward_as_torch_unique() -> None:
    data = np.array([3.0, 1.0, 3.0, -2.0])
    t = Tensor(data, requires_grad=True)
    values, index, inverse, counts = np.unique(t, return_index=True, return_inverse=True,
                                               return_counts=True)
    for ours, numpys in zip((values, index, inverse, counts),
                            np.unique(data, return_index=True, return_inverse=True,
                                      return_counts=True)):
        assert_same(ours, numpys)
    assert values.requires_grad  # so a loss through it is refused, never a silent zero
    assert not (index.requires_grad or inverse.requires_grad or counts.requires_grad)
    with pytest.raises(BackwardError):
        (values * 2.0).sum().backward()


# ------------------------------------------------------------------ hints
@pytest.mark.parametrize("ufunc, method, kwargs, written", [
    (np.add, "reduce", {"axis": 1}, "t.sum(axis=1)"),
    (np.add, "reduce", {}, "t.sum(axis=0)"),
    (np.add, "reduce", {"axis": None, "keepdims": True}, "t.sum(axis=None, keepdims=True)"),
    (np.multiply, "reduce", {"axis": -1}, "t.prod(axis=-1)"),
    (np.add, "accumulate", {"axis": 1}, "t.cumsum(axis=1)"),
])
def test_a_ufunc_method_names_the_method_with_the_axis_given(ufunc, method, kwargs,
                                                             written: str) -> None:
    t = Tensor(X, requires_grad=True)
    with pytest.raises(UsageError) as info:
        getattr(ufunc, method)(t, **kwargs)
    assert written in str(info.value)
    if "axis" in kwargs:
        assert "by default" not in str(info.value)
    hinted = eval(written, {"t": t})  # what the message says to write gives NumPy's value
    np.testing.assert_allclose(hinted.data, getattr(ufunc, method)(X, **kwargs))


def test_logical_reduce_names_all_with_the_axis_given() -> None:
    mask = X > 0
    with pytest.raises(UsageError, match=r"t\.all\(axis=1\)"):
        np.logical_and.reduce(Tensor(mask), 1)
    assert_same(Tensor(mask).all(axis=1), np.logical_and.reduce(mask, 1))


@pytest.mark.parametrize("ufunc, symbol", [(np.equal, "=="), (np.less, "<"),
                                           (np.greater_equal, ">=")])
@pytest.mark.parametrize("kwargs", [{"dtype": bool}, {"where": np.array([True, False] * 2)}])
def test_a_comparison_with_keywords_names_its_operator(ufunc, symbol: str, kwargs) -> None:
    t = Tensor(X, requires_grad=True)
    with pytest.raises(UsageError) as info:
        ufunc(t, 0.0, **kwargs)
    message = str(info.value)
    assert f"t {symbol} other" in message and "t.sum()" not in message
    assert f"{next(iter(kwargs))}=" in message
    assert_same(eval(f"t {symbol} 0.0", {"t": t}), ufunc(X, 0.0))


def _hint(call) -> str:
    with pytest.raises(UsageError) as info:
        call()
    return str(info.value)


def test_flatnonzero_hint_gives_numpys_positions() -> None:
    data = np.array([[0.0, 2.0, 0.0], [-1.0, 0.0, 3.0]])
    t = Tensor(data)
    assert "np.nonzero(t.ravel())[0]" in _hint(lambda: np.flatnonzero(t))
    assert_same(np.nonzero(t.ravel())[0], np.flatnonzero(data))


@pytest.mark.parametrize("right, side", [(False, "right"), (True, "left")])
def test_digitize_hint_gives_numpys_bins(right: bool, side: str) -> None:
    bins = np.array([-1.0, 0.0, 0.5, 2.0])
    data = np.concatenate([X.ravel(), bins])  # values on the edges too
    message = _hint(lambda: np.digitize(Tensor(data), bins, right=right))
    assert "np.searchsorted(bins, t, side='right')" in message and "side='left'" in message
    assert_same(np.searchsorted(bins, Tensor(data), side=side),
                np.digitize(data, bins, right=right))


def test_iscomplex_hint_gives_numpys_mask() -> None:
    t = Tensor(SIGNED)
    assert "autograd.zeros(t.shape, dtype=bool)" in _hint(lambda: np.iscomplex(t))
    assert_same(ag.zeros(t.shape, dtype=bool), np.iscomplex(SIGNED))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_angle_hint_gives_numpys_angle(dtype) -> None:
    data = SIGNED.astype(dtype)
    t = Tensor(data)
    assert "np.arctan2(0.0, t)" in _hint(lambda: np.angle(t))
    assert_same(np.arctan2(0.0, t), np.angle(data))
    np.testing.assert_allclose((np.arctan2(0.0, t) * (180 / np.pi)).data,
                               np.angle(data, deg=True), rtol=1e-6)
