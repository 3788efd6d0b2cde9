"""Whether a transformed function closes over tensors that require grad.

``torch.func.grad(f)(x)`` stays connected to the outer graph when ``f`` reads a tensor
that requires grad without taking it as an argument: a network's parameters in a
Lagrangian or Hamiltonian network, a physics-informed loss, a gradient penalty. Then
``loss.backward()`` on a loss of that gradient reaches the parameters. The transforms in
``func`` keep their graph (``create_graph``) when this walk finds such a tensor.
"""

from __future__ import annotations

from typing import Any, Iterable

__all__ = ["closes_over_grad"]


def closes_over_grad(outputs: Iterable[Any], inputs: Iterable[Any]) -> bool:
    """Whether the graph of ``outputs`` reaches a leaf that requires grad other than the
    transform's own ``inputs`` (where the walk stops). One visit per tensor: the cost of
    the function's forward graph, not of its backward. An op whose inputs a backward
    released counts as reaching one (keeping a graph is safe, dropping it is not)."""
    stop = {id(t) for t in inputs}
    seen: set[int] = set()
    stack = [t for t in outputs if hasattr(t, "_op")]
    while stack:
        t = stack.pop()
        if id(t) in seen or id(t) in stop:
            continue
        seen.add(id(t))
        op = t._op
        if op is None:
            if t._requires_grad:
                return True
            continue
        if op.parents is None:
            return True
        stack.extend(op.parents)
    return False
