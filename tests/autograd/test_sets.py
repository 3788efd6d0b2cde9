"""Positions, distinct values and counts (``ops/sets.py``): nonzero, argwhere,
count_nonzero, unique, unique_consecutive, searchsorted, bucketize, bincount, histc and
NumPy's functions of them, against NumPy and torch; integer results, no gradient."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import BackwardError, DataError, DTypeError, ShapeError, UsageError

torch = pytest.importorskip("torch")

DATA = [np.array([[0.0, 2.0, 0.0], [3.0, 0.0, -1.0]]), np.array([0, 5, 0, 1]),
        np.array([True, False, True]), np.array(3.0), np.array(0.0),
        np.zeros((0, 3)), np.float32([[1, 0], [0, 0]])]


def _same(ours: ag.Tensor, theirs: torch.Tensor) -> None:
    expected = theirs.detach().numpy()
    assert ours.shape == expected.shape and ours.dtype == expected.dtype
    np.testing.assert_array_equal(ours.data, expected)


@pytest.mark.parametrize("data", DATA, ids=lambda d: f"{d.dtype}{d.shape}")
def test_nonzero_argwhere_count_nonzero_match_torch_and_numpy(data: np.ndarray) -> None:
    x, t = ag.Tensor(data), torch.from_numpy(data)
    _same(x.nonzero(as_tuple=False), t.nonzero())
    _same(ag.nonzero(x, as_tuple=False), torch.nonzero(t))
    for ours, theirs in zip(x.nonzero(as_tuple=True), t.nonzero(as_tuple=True), strict=True):
        _same(ours, theirs)
    _same(x.argwhere(), t.argwhere())
    _same(np.argwhere(x), torch.from_numpy(np.argwhere(data)))
    _same(x.count_nonzero(), torch.count_nonzero(t))
    _same(ag.count_nonzero(x, dim=()), torch.count_nonzero(t, dim=()))  # every axis
    if data.ndim:
        _same(x.count_nonzero(-1), torch.count_nonzero(t, dim=-1))
        for ours, theirs in zip(np.nonzero(x), np.nonzero(data), strict=True):
            np.testing.assert_array_equal(ours.data, theirs)
        counted = np.count_nonzero(x, axis=0, keepdims=True)
        np.testing.assert_array_equal(counted.data, np.count_nonzero(data, 0, keepdims=True))


def test_nonzero_as_tuple_indexes_differentiably() -> None:
    x = ag.tensor([[0.0, 2.0, 0.0], [3.0, 0.0, -1.0]], requires_grad=True)
    picked = x[x.nonzero(as_tuple=True)]
    np.testing.assert_array_equal(picked.data, [2.0, 3.0, -1.0])
    (picked * ag.tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0, 1, 0], [2, 0, 3]])
    assert not x.nonzero(as_tuple=False).requires_grad
    assert type(np.count_nonzero(x)) is ag.Tensor  # np.f(t) gives what t.f() gives


def test_nonzero_without_as_tuple_names_both_meanings() -> None:
    x = ag.tensor([1.0, 0.0])
    for call in (x.nonzero, lambda: ag.nonzero(x)):
        with pytest.raises(UsageError, match=r"as_tuple=True.*argwhere"):
            call()
    with pytest.raises(ShapeError, match="0-d"):  # as NumPy 2
        np.nonzero(ag.tensor(1.0))


UNIQUE_DATA = [np.array([3.0, 1.0, 2.0, 1.0, 3.0]), np.array([[3, 1], [2, 1]]),
               np.array([True, False, True]), np.array(5.0), np.zeros(0),
               np.float32([[1, 2], [1, 2], [0, 5]]), np.array([2.0, np.nan, 1.0, np.nan])]


@pytest.mark.parametrize("data", UNIQUE_DATA, ids=lambda d: f"{d.dtype}{d.shape}")
def test_unique_matches_torch(data: np.ndarray) -> None:
    x, t = ag.Tensor(data), torch.from_numpy(data)
    for inverse in (False, True):
        for counts in (False, True):
            ours = x.unique(return_inverse=inverse, return_counts=counts)
            theirs = t.unique(return_inverse=inverse, return_counts=counts)
            for a, b in zip(ours if inverse or counts else [ours],
                            theirs if inverse or counts else [theirs], strict=True):
                _same(a, b)
    if data.ndim == 2:
        for dim in (0, 1, -1):
            for a, b in zip(x.unique(return_inverse=True, return_counts=True, dim=dim),
                            torch.unique(t, return_inverse=True, return_counts=True, dim=dim),
                            strict=True):
                _same(a, b)
            for a, b in zip(ag.unique_consecutive(x, True, True, dim=dim),
                            torch.unique_consecutive(t, True, True, dim=dim), strict=True):
                _same(a, b)
    for a, b in zip(x.unique_consecutive(True, True), t.unique_consecutive(True, True),
                    strict=True):
        _same(a, b)


@pytest.mark.parametrize("data", UNIQUE_DATA, ids=lambda d: f"{d.dtype}{d.shape}")
def test_np_unique_gives_numpys_tuple(data: np.ndarray) -> None:
    x = ag.Tensor(data)
    axes = [None] + ([0, 1] if data.ndim == 2 else [])
    for axis in axes:
        ours = np.unique(x, True, True, True, axis=axis)
        theirs = np.unique(data, True, True, True, axis=axis)
        for a, b in zip(ours, theirs, strict=True):
            assert a.shape == b.shape and a.dtype == b.dtype
            np.testing.assert_array_equal(a.data, b)
    np.testing.assert_array_equal(np.unique(x).data, np.unique(data))


def test_unique_of_nans_spelled_neither_way_raises_and_has_no_gradient() -> None:
    x = ag.tensor([2.0, np.nan, np.nan])
    with pytest.raises(UsageError, match=r"equal_nan=True \(NumPy's\)"):
        ag.unique(x)
    assert ag.unique(x, equal_nan=True).shape == (2,) and x.unique().shape == (3,)
    with pytest.raises(UsageError, match="dim="):
        ag.unique(x, dim=0, axis=0)
    leaf = ag.tensor([1.0, 1.0, 2.0], requires_grad=True)
    with pytest.raises(BackwardError, match="unique has no gradient"):
        leaf.unique().sum().backward()
    with ag.no_grad():
        assert not leaf.unique().requires_grad


def test_searchsorted_and_bucketize_match_torch() -> None:
    seq, values = np.array([1.0, 3.0, 5.0, 7.0]), np.array([[3.0, 6.0], [9.0, 0.0]])
    s, v = torch.from_numpy(seq), torch.from_numpy(values)
    for right in (False, True):
        _same(ag.searchsorted(seq, values, right=right), torch.searchsorted(s, v, right=right))
        _same(ag.searchsorted(seq, values, "right" if right else "left"),
              torch.searchsorted(s, v, side="right" if right else "left"))
        _same(ag.bucketize(values, seq, right=right), torch.bucketize(v, s, right=right))
    _same(ag.searchsorted(seq, 3.0), torch.searchsorted(s, 3.0))
    rows, wanted = np.array([[1.0, 3.0], [2.0, 4.0]]), np.array([[2.0], [3.0]])
    _same(ag.searchsorted(rows, wanted), torch.searchsorted(torch.from_numpy(rows),
                                                            torch.from_numpy(wanted)))
    unsorted, order = np.array([3.0, 1.0, 2.0]), np.array([1, 2, 0])
    _same(ag.searchsorted(unsorted, np.array([2.5]), sorter=order),
          torch.searchsorted(torch.from_numpy(unsorted), torch.tensor([2.5]),
                             sorter=torch.from_numpy(order)))
    assert ag.searchsorted(seq, values, out_int32=True).dtype == np.int32
    found = np.searchsorted(ag.Tensor(seq), values, side="right")
    np.testing.assert_array_equal(found.data, np.searchsorted(seq, values, side="right"))
    with pytest.raises(UsageError, match="contradict"):
        ag.searchsorted(seq, values, side="left", right=True)
    with pytest.raises(ShapeError, match="same leading axes"):
        ag.searchsorted(rows, np.array([1.0]))
    with pytest.raises(ShapeError, match="1-d"):
        ag.bucketize(values, rows)


def test_bincount_matches_torch_and_numpy_and_carries_weight_gradients() -> None:
    labels = np.array([0, 2, 2, 5])
    _same(ag.bincount(labels), torch.bincount(torch.from_numpy(labels)))
    _same(ag.bincount(labels, minlength=8), torch.bincount(torch.from_numpy(labels),
                                                           minlength=8))
    _same(ag.bincount(np.zeros(0, int), minlength=3),
          torch.bincount(torch.zeros(0, dtype=torch.long), minlength=3))
    w = np.float32([1.0, 2.0, 3.0, 4.0])
    _same(ag.Tensor(labels).bincount(w), torch.bincount(torch.from_numpy(labels),
                                                        torch.from_numpy(w)))  # float32
    numpy_way = np.bincount(ag.Tensor(labels), weights=ag.Tensor(w))
    assert numpy_way.dtype == np.float64  # NumPy's dtype
    np.testing.assert_array_equal(numpy_way.data, np.bincount(labels, w))
    assert np.bincount(ag.Tensor(np.array([True, False]))).data.tolist() == [1, 1]
    weights = ag.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    g = np.array([1.0, 10.0, 100.0, 1000.0, 1e4, 1e5])
    ag.bincount(labels, weights).backward(g)
    np.testing.assert_array_equal(weights.grad.data, g[labels])
    with pytest.raises(DTypeError, match="x.long()"):
        ag.bincount(ag.tensor([0.0, 1.0]))  # floats, as torch
    with pytest.raises(DTypeError):
        ag.Tensor(np.array([True])).bincount()  # bool, as torch
    with pytest.raises(ShapeError, match="1-d"):
        ag.bincount(np.array([[0, 1]]))
    with pytest.raises(DataError, match="non-negative"):
        ag.bincount(np.array([-1, 1]))
    with pytest.raises(ShapeError, match="weights"):
        ag.bincount(labels, [1.0])
    with pytest.raises(UsageError, match="minlength"):
        ag.bincount(labels, minlength=-1)


def test_histc_matches_torch_and_np_histogram_numpy() -> None:
    rng = np.random.default_rng(0)
    for data, bins, low, high in [(rng.standard_normal(50), 7, 0, 0),
                                  (np.float32(rng.standard_normal(40)), 5, -1, 1),
                                  (np.array([2.0, 2.0]), 4, 0, 0), (np.zeros(0), 3, 0, 0),
                                  (np.array([1.0, 2.0, 1.0, 4.0]), 4, 0, 3)]:
        _same(ag.histc(data, bins, low, high),
              torch.histc(torch.from_numpy(data), bins, low, high))
    with pytest.raises(DTypeError, match="float"):
        ag.Tensor(np.array([1, 2])).histc()
    data = rng.standard_normal(30)
    counts, edges = np.histogram(ag.Tensor(data), bins=4, range=(-2, 2))
    expected = np.histogram(data, bins=4, range=(-2, 2))
    np.testing.assert_array_equal(counts.data, expected[0])
    np.testing.assert_array_equal(edges.data, expected[1])
    with pytest.raises(UsageError, match="no gradient"):
        np.histogram(ag.Tensor(data), weights=ag.tensor(data, requires_grad=True))
