"""``autograd.segment_reduce`` against PyTorch's ``torch.segment_reduce``: every reduction
with and without ``initial``, empty segments, ``offsets=``, rows of features, lengths of
two axes; the gradients (ties split, ``initial`` out of the ties) and the second
derivatives (by finite differences: PyTorch has none); PyTorch's refusals are named."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import DTypeError, ShapeError, UnsupportedError, UsageError

RNG = np.random.default_rng(0)
DATA = np.array([5.0, 5.0, 2.0, 7.0, 7.0, 0.0, 0.0, 3.0])  # ties and zeros
# PyTorch 2.13 splits the gradient of tied extremes between the ties in some segments and
# gives each tie all of it in others (the last segment, or with initial=); ties split
# evenly here, always (as scatter_reduce's 'amax'), so max and min compare without ties
UNTIED = np.array([5.0, 4.0, 2.0, 7.0, 6.0, 0.0, 1.0, 3.0])
LENGTHS = np.array([2, 3, 0, 3])  # with an empty segment
REDUCES = ["sum", "mean", "max", "min", "prod"]


def _both(torch, data, reduce, weights, **kwargs):
    """(value, gradient of sum(weights * value)) in each library."""
    results = []
    for T in (ag, torch):
        x = T.tensor(data, requires_grad=True)
        given = {k: T.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
        y = T.segment_reduce(x, reduce, **given)
        finite = T.where(T.isfinite(y), y, T.zeros_like(y))  # empty segments: inf, NaN
        (g,) = (ag if T is ag else T.autograd).grad((finite * T.tensor(weights)).sum(), x)
        results.append((y.detach().numpy(), g.numpy()))
    return results


@pytest.mark.parametrize("lengths", [LENGTHS, np.array([2, 3, 3])], ids=["empty", "full"])
@pytest.mark.parametrize("initial", [None, 2.0, 7.0])
@pytest.mark.parametrize("reduce", REDUCES)
def test_segment_reduce_matches_pytorch(torch, reduce, initial, lengths):
    weights = RNG.standard_normal(len(lengths))
    data = UNTIED if reduce in ("max", "min") else DATA
    (ours, ours_grad), (theirs, theirs_grad) = _both(torch, data, reduce, weights,
                                                     lengths=lengths, initial=initial)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    np.testing.assert_allclose(ours_grad, theirs_grad, rtol=1e-12)


@pytest.mark.parametrize("reduce", REDUCES)
def test_segment_reduce_of_feature_rows_by_offsets_matches_pytorch(torch, reduce):
    """A batch of graphs' node features (8 nodes x 3), reduced per graph by offsets."""
    data = RNG.standard_normal((8, 3))
    weights = RNG.standard_normal((4, 3))
    offsets = np.concatenate([[0], np.cumsum(LENGTHS)])
    (ours, ours_grad), (theirs, theirs_grad) = _both(torch, data, reduce, weights,
                                                     offsets=offsets)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    np.testing.assert_allclose(ours_grad, theirs_grad, rtol=1e-12)


@pytest.mark.parametrize("reduce", ["sum", "max", "mean"])
def test_segment_reduce_with_lengths_per_row_matches_pytorch(torch, reduce):
    data = RNG.standard_normal((2, 6, 2))
    lengths = np.array([[2, 0, 3, 1], [1, 1, 1, 3]])
    weights = RNG.standard_normal((2, 4, 2))
    (ours, ours_grad), (theirs, theirs_grad) = _both(torch, data, reduce, weights,
                                                     lengths=lengths, axis=1)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    np.testing.assert_allclose(ours_grad, theirs_grad, rtol=1e-12)


@pytest.mark.parametrize("reduce", ["max", "min"])
def test_segment_reduce_splits_the_gradient_between_ties(torch, reduce):
    """As PyTorch's scatter_reduce 'amax'/'amin' of the same segments."""
    x = ag.tensor(DATA, requires_grad=True)
    ag.segment_reduce(x, reduce, lengths=ag.tensor([2, 3, 3])).sum().backward()
    tx = torch.tensor(DATA, requires_grad=True)
    torch.full((3,), 50.0).scatter_reduce(0, torch.tensor([0, 0, 1, 1, 1, 2, 2, 2]), tx,
                                          "a" + reduce, include_self=False).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


@pytest.mark.parametrize("reduce", REDUCES)
def test_segment_reduce_second_derivatives_match_finite_differences(reduce):
    x = ag.tensor(RNG.uniform(0.5, 2.0, size=(6, 2)), requires_grad=True)  # no ties
    lengths = ag.tensor([2, 1, 3])
    assert ag.gradgradcheck(lambda x: ag.segment_reduce(x ** 2, reduce, lengths=lengths,
                                                        initial=0.25), (x,))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"lengths": np.array([2, 2])}, ShapeError, "add up to 8"),
    ({"lengths": np.array([9, -1])}, ShapeError, ">= 0"),
    ({"lengths": np.array([2.0, 6.0])}, DTypeError, "integers"),
    ({"indices": np.zeros(8, dtype=np.int64)}, UnsupportedError, "indices= is not supported"),
    ({}, UsageError, "one of lengths= or offsets="),
    ({"lengths": np.array([8]), "axis": -1, "reduce": "median"}, UsageError, "'max'"),
])
def test_segment_reduce_refuses_what_pytorch_refuses(kwargs, error, match):
    kwargs = dict(kwargs)
    reduce = kwargs.pop("reduce", "sum")
    with pytest.raises(error, match=match):
        ag.segment_reduce(ag.tensor(DATA), reduce,
                          **{k: ag.tensor(v) if isinstance(v, np.ndarray) else v
                             for k, v in kwargs.items()})


def test_segment_reduce_axis_must_be_the_last_of_lengths():
    with pytest.raises(ShapeError, match="last axis of lengths"):
        ag.segment_reduce(ag.tensor(np.ones((2, 4))), "sum", lengths=ag.tensor([2, 2]),
                          axis=1)
