"""``grad_fn.next_functions``: the graph walked PyTorch's way, one ``(node, 0)`` per input
(the input's op, an ``AccumulateGrad`` for a leaf that requires grad, ``None`` for a
constant), with the same structure as torch's on small graphs."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.graph import AccumulateGrad


def _shape_of(fn, leaves) -> object:
    """The structure below ``fn``: None, ("leaf", position in ``leaves``) or a tuple of
    the structures below its inputs (names left out: ops differ in name, not shape)."""
    if fn is None:
        return None
    if hasattr(fn, "variable"):
        return ("leaf", next(i for i, t in enumerate(leaves) if t is fn.variable))
    return tuple(_shape_of(f, leaves) for f, _ in fn.next_functions)


GRAPHS = {  # the same expression in both libraries (x, w require grad; c does not)
    "mul": lambda L, x, w, c: x * c,
    "mul swapped": lambda L, x, w, c: c * x,
    "square": lambda L, x, w, c: x * x,
    "exp of mul": lambda L, x, w, c: (x * w).exp(),
    "add": lambda L, x, w, c: x + c,
    "sub": lambda L, x, w, c: x - c,
    "sum": lambda L, x, w, c: x.sum(),
    "cat": lambda L, x, w, c: L.cat([x, c, x * w]),
    "where": lambda L, x, w, c: L.where(c > 0, x, c),
    "dot": lambda L, x, w, c: x @ c,
    "layer": lambda L, x, w, c: L.tanh(x.reshape(3, 1) @ w.reshape(1, 3) + c).sum(),
}


@pytest.mark.parametrize("name", GRAPHS)
def test_structure_matches_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    values = np.random.default_rng(0).normal(size=(3, 3))
    ours = [ag.tensor(v, requires_grad=i < 2) for i, v in enumerate(values)]
    theirs = [torch.tensor(v, requires_grad=i < 2) for i, v in enumerate(values)]
    y = GRAPHS[name](ag, *ours)
    expected = GRAPHS[name](torch, *theirs)
    assert _shape_of(y.grad_fn, ours) == _shape_of(expected.grad_fn, theirs)


def test_the_tutorials_walk_reaches_the_leaf() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2).exp().sum()
    assert y.grad_fn.next_functions[0][0].next_functions[0][0].next_functions[0][0] \
        .variable is x
    seen = []

    def walk(fn):  # PyTorch's autograd tutorial
        for f, _ in fn.next_functions:
            if f is not None:
                seen.append(f.name())
                walk(f)
    walk(y.grad_fn)
    assert seen == ["Exp", "MulScalar", "AccumulateGrad"]


def test_entries_and_equal_leaf_nodes() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    c = ag.tensor([3.0, 4.0])
    y = x * x + c.detach() * 2
    (left, nr0), (right, nr1) = y.grad_fn.next_functions
    assert (nr0, nr1) == (0, 0) and right is None  # c * 2: made without grad, a constant
    a, b = left.next_functions
    assert a == b and hash(a[0]) == hash(b[0]) and a[0].variable is x
    assert len({a[0], b[0]}) == 1 and a[0].next_functions == ()
    assert (x * 2).grad_fn.next_functions == ((AccumulateGrad(x), 0),)  # 2 is op state


def test_released_graph_says_what_to_do() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    kept = (x * x).sum()
    kept.backward(retain_graph=True)
    assert kept.grad_fn.next_functions[0][0].next_functions[0][0].variable is x
    y = (x * x).sum()
    y.backward()
    with pytest.raises(ag.GraphFreedError, match="retain_graph=True"):
        y.grad_fn.next_functions


def test_read_only_and_free_for_the_engine() -> None:
    x = ag.tensor([1.0], requires_grad=True)
    y = x.exp()
    with pytest.raises(AttributeError):
        y.grad_fn.next_functions = ()
    assert "next_functions" not in type(y.grad_fn).__slots__
    assert y.grad_fn.state() == {}
