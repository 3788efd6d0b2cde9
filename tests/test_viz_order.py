"""``autograd.viz.topological_order``: the public walk a drawing (and the benchmarks'
breakdown) uses. It needs no Graphviz, so these tests run without it."""

from __future__ import annotations

import numpy as np

from autograd import Tensor, viz


def test_topological_order_is_public_and_lists_inputs_first() -> None:
    x = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    h = (x * 2.0).tanh()
    y = (h * h).sum()
    order = viz.topological_order([y])
    position = {id(t): i for i, t in enumerate(order)}
    assert order[-1] is y and id(x) in position and len(order) == len(position) == 5
    for i, t in enumerate(order):
        assert t.grad_fn is None or all(position[id(p)] < i for p in t.grad_fn.parents)
