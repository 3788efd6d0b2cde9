"""NumPy's stacking helpers on Tensors (``np.hstack``, ``np.vstack``, ``np.atleast_2d``...)
run the differentiable ops, and ``np.zeros_like(t)`` gives a constant Tensor: HIPS
autograd programs (``np.hstack((x, h, np.ones((n, 1))))``) called on Tensors raised
"no differentiable version". Values and gradients against PyTorch's functions of the
same names (float64, random upstream gradient)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import DTypeError, UsageError

RNG = np.random.default_rng(0)
SHAPES = [(3,), (2, 3), (2, 3, 2), ()]
JOINS = [("hstack", [(2, 3), (2, 1)]), ("hstack", [(3,), (2,)]), ("vstack", [(3,), (2, 3)]),
         ("vstack", [(2, 3), (1, 3)]), ("dstack", [(2, 3), (2, 3, 2)]),
         ("dstack", [(3,), (3,)]), ("column_stack", [(3,), (3, 2)])]


def _compare(torch, ours: list, theirs_fn, ours_fn) -> None:
    leaves = [ag.tensor(a, requires_grad=True) for a in ours]
    mixed = leaves[:-1] + [ours[-1]]  # the last one a plain ndarray, as HIPS code mixes them
    got = ours_fn(mixed)
    theirs = [torch.tensor(a, requires_grad=True) for a in ours]
    want = theirs_fn(theirs[:-1] + [torch.tensor(ours[-1])])
    assert isinstance(got, ag.Tensor) and got.shape == tuple(want.shape)
    np.testing.assert_allclose(got.data, want.detach().numpy(), rtol=1e-12)
    upstream = RNG.standard_normal(got.shape)
    got.backward(upstream)
    want.backward(torch.tensor(upstream))
    for mine, other in zip(leaves[:-1], theirs[:-1]):
        np.testing.assert_allclose(mine.grad, other.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("name,shapes", JOINS)
def test_joins_match_pytorch(torch, name: str, shapes: list) -> None:
    arrays = [RNG.standard_normal(s) for s in shapes]
    _compare(torch, arrays, lambda ts: getattr(torch, name)(ts),
             lambda ts: getattr(np, name)(ts))


@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize("shape", SHAPES)
def test_atleast_matches_pytorch(torch, ndim: int, shape: tuple) -> None:
    a, b = RNG.standard_normal(shape), RNG.standard_normal((2,))
    name = f"atleast_{ndim}d"
    _compare(torch, [a, b], lambda ts: getattr(torch, name)(ts[0]) * 2.0,
             lambda ts: getattr(np, name)(ts[0]) * 2.0)
    x, y = getattr(np, name)(ag.tensor(a), ag.tensor(b))  # several in, a tuple out
    assert (x.shape, y.shape) == (np.shape(getattr(np, name)(a)),
                                  np.shape(getattr(np, name)(b)))


def test_hips_rnn_input_is_one_graph() -> None:
    """HIPS's ``concat_and_multiply``: the state, the input and a column of ones."""
    x = ag.tensor(RNG.standard_normal((4, 3)), requires_grad=True)
    h = ag.tensor(RNG.standard_normal((4, 2)), requires_grad=True)
    joined = np.hstack((x, h, np.ones((4, 1))))
    assert joined.shape == (4, 6) and joined.requires_grad
    np.sum(joined ** 2).backward()
    np.testing.assert_allclose(h.grad, 2 * h.data)


@pytest.mark.parametrize("name,args", [("zeros_like", ()), ("ones_like", ()),
                                       ("empty_like", ()), ("full_like", (2.5,))])
def test_likes_are_constants_as_pytorch(torch, name: str, args: tuple) -> None:
    t = ag.tensor(RNG.standard_normal((2, 3)).astype(np.float32), requires_grad=True)
    got = getattr(np, name)(t, *args)
    want = getattr(torch, name)(torch.tensor(t.data, requires_grad=True), *args)
    assert isinstance(got, ag.Tensor) and not got.requires_grad
    assert got.dtype == np.float32 and got.shape == tuple(want.shape)
    if name != "empty_like":
        np.testing.assert_array_equal(got.data, want.numpy())
    assert np.zeros_like(t, dtype=np.int64, shape=(4,)).dtype == np.int64


def test_join_errors_say_what_to_do() -> None:
    t = ag.tensor([1.0, 2.0], requires_grad=True)
    assert np.vstack([t, t], dtype=np.float32).dtype == np.float32  # NumPy's cast
    with pytest.raises(DTypeError, match="casting='same_kind'.*astype"):
        np.vstack([t, t], dtype=np.int64)
    with pytest.raises(UsageError, match="cut out of the graph"):
        np.full_like(t, t[0])
