"""``tensor_split`` (function and method) against PyTorch's: sections, split indices
(lists, tuples, int64 tensors, past the end, decreasing, negative), ``sections=`` and
``indices=``, any ``dim``; the gradient of the pieces flows back into their places;
PyTorch's refusals are named errors."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import DTypeError, ShapeError, UsageError

X = np.random.default_rng(0).standard_normal((7, 4))

CASES = [((3,), {}), ((4,), {}), ((9,), {}), (([2, 5],), {}), (((1,),), {}),
         (([-2],), {}), (([5, 2, 9],), {}), (([],), {}), ((2,), {"dim": 1}),
         (([1, 3],), {"dim": -1}), ((), {"sections": 2}), ((), {"indices": [3]})]


@pytest.mark.parametrize("args, kwargs", CASES)
def test_tensor_split_matches_pytorch(torch, args, kwargs):
    ours = ag.tensor(X).tensor_split(*args, **kwargs)
    theirs = torch.tensor(X).tensor_split(*args, **kwargs)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    functional = ag.tensor_split(ag.tensor(X), *args, **kwargs)
    assert [p.shape for p in functional] == [p.shape for p in ours]


@pytest.mark.parametrize("argument", [3, [2, 5]])
def test_tensor_split_takes_int64_tensors_as_pytorch(torch, argument):
    """A 0-d int64 tensor is the number of sections, a 1-d one the indices
    (``x.tensor_split(ptr[1:-1])`` cuts a batch of graphs back into graphs)."""
    ours = ag.tensor(X).tensor_split(ag.tensor(argument))
    theirs = torch.tensor(X).tensor_split(torch.tensor(argument))
    assert [p.shape for p in ours] == [tuple(p.shape) for p in theirs]


def test_tensor_split_pieces_send_their_gradients_back(torch):
    weights = np.random.default_rng(1).standard_normal(3)
    grads = []
    for T in (ag, torch):
        x = T.tensor(X, requires_grad=True)
        pieces = T.tensor_split(x, [2, 5])
        sum(w * (p ** 2).sum() for w, p in zip(weights.tolist(), pieces)).backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


@pytest.mark.parametrize("argument, error, match", [
    (0, ShapeError, "number of sections must be positive"),
    (np.array([1.0]), DTypeError, "must hold integers"),
    (np.array([[1]]), ShapeError, "0 or 1 axes"),
    ([1.5], UsageError, "sequence of ints"),
    (True, UsageError, "an int, a sequence of ints"),
])
def test_tensor_split_refuses_what_pytorch_refuses(argument, error, match):
    with pytest.raises(error, match=match):
        ag.tensor(X).tensor_split(argument)


def test_tensor_split_needs_one_argument_and_an_axis():
    with pytest.raises(UsageError, match="give one of"):
        ag.tensor(X).tensor_split(2, sections=2)
    with pytest.raises(ShapeError, match="0-d tensor"):
        ag.tensor(1.0).tensor_split(1)
