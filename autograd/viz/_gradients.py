"""A private backward pass for the backward view: the gradient on every edge.

The engine accumulates d(root)/d(x) per tensor and throws away what flowed along each
edge; a picture of backpropagation needs exactly that. So the backward view runs its
own pass over the drawn graph: for each op, in reverse data-flow order, it calls the
op's ``vjp`` with the node's accumulated gradient, the node's ``.data`` and its inputs'
``.data`` (all of them, whatever the op declares it reads), un-broadcasts with the
engine's ``unbroadcast`` and records what each input received.

It reads the tensors' current values: if ``.data`` was changed after the forward pass
(an optimizer step), the drawn gradients are those of the new values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..extend import unbroadcast
from ..tensor import Tensor
from ._graph import inputs_of

__all__ = ["EdgeGradient", "Gradients", "compute_gradients"]


@dataclass
class EdgeGradient:
    """What one input of one op received: the array, and the broadcast shape it was
    summed from (None when the VJP already returned the input's shape)."""

    value: np.ndarray
    summed_from: tuple[int, ...] | None = None


@dataclass
class Gradients:
    """``nodes[id(t)]``: d(roots)/dt; ``edges[(id(t), i)]``: what input ``i`` of the op
    that made ``t`` received from it; ``failed``: ids of ops whose vjp raised."""

    nodes: dict[int, np.ndarray]
    edges: dict[tuple[int, int], EdgeGradient]
    failed: set[int]


def compute_gradients(roots: list[Tensor], order: list[Tensor], keep: set[int]) -> Gradients:
    """Backpropagate ones from every root through ``order`` (inputs first), keeping the
    node and edge gradients of the tensors in ``keep``. Gradients not needed any more
    are released as the pass goes, as in the engine."""
    pending: dict[int, np.ndarray] = {}
    for root in roots:
        if root.requires_grad:
            seed = np.ones(root.shape, dtype=root.dtype)
            pending[id(root)] = pending[id(root)] + seed if id(root) in pending else seed
    result = Gradients({}, {}, set())
    with np.errstate(all="ignore"):
        for node in reversed(order):
            g = pending.pop(id(node), None)
            if g is None:
                continue
            if id(node) in keep:
                result.nodes[id(node)] = g
            op = node.grad_fn
            if op is None:
                continue
            received = _vjp(op, node, g)
            if received is None:
                result.failed.add(id(node))
                continue
            for i, (parent, gi) in enumerate(zip(inputs_of(node), received)):
                if gi is None or not parent.requires_grad:
                    continue
                try:
                    edge = _fit(np.asarray(gi), parent)
                except ValueError:  # a VJP returning a wrong shape: leave the edge bare
                    result.failed.add(id(node))
                    continue
                if id(node) in keep:
                    result.edges[(id(node), i)] = edge
                key = id(parent)
                pending[key] = pending[key] + edge.value if key in pending else edge.value
    return result


def _vjp(op: Any, node: Tensor, g: np.ndarray) -> tuple | None:
    """The op's VJP on current arrays; None if it cannot run on them."""
    parents = inputs_of(node)
    if not parents:  # released by backward(): nothing to run it on
        return None
    try:
        result = op.vjp(g, node.data, *[p.data for p in parents])
    except Exception:  # a user op that cannot run on these arrays: draw without gradients
        return None
    if not isinstance(result, tuple):
        result = (result,)
    return result if len(result) == len(parents) else None


def _fit(g: np.ndarray, parent: Tensor) -> EdgeGradient:
    summed_from = None
    if g.shape != parent.shape:
        summed_from = g.shape
        g = unbroadcast(g, parent.shape)
    if g.dtype != parent.dtype:
        g = g.astype(parent.dtype)
    return EdgeGradient(g, summed_from)
