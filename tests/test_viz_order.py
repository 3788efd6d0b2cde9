"""``autograd.viz.topological_order``: the public walk a drawing (and the benchmarks'
breakdown) uses. It needs no Graphviz, so these tests run without it."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor, viz
from autograd.errors import UsageError


def test_topological_order_is_public_and_lists_inputs_first() -> None:
    x = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    h = (x * 2.0).tanh()
    y = (h * h).sum()
    order = viz.topological_order([y])
    position = {id(t): i for i, t in enumerate(order)}
    assert order[-1] is y and id(x) in position and len(order) == len(position) == 5
    for i, t in enumerate(order):
        assert t.grad_fn is None or all(position[id(p)] < i for p in t.grad_fn.parents)


def test_one_tensor_is_one_root_not_its_rows() -> None:
    """A bare Tensor is the root itself: iterating it would walk its rows (a 1-d output
    would silently give its elements' graphs, a 0-d one a TypeError)."""
    x = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    for y in ((x * x).sum(), x * 3.0):  # 0-d and 1-d roots
        assert viz.topological_order(y) == viz.topological_order([y])
        assert viz.topological_order(y)[-1] is y


def test_roots_that_are_not_tensors_are_named() -> None:
    x = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    with pytest.raises(UsageError, match=r"root 1 is of type ndarray"):
        viz.topological_order([x, np.ones(2)])
    with pytest.raises(UsageError, match="at least one tensor"):
        viz.topological_order([])
