"""What the cycle collector costs a graph, by how many objects it tracks per node.

A study behind the ``gc`` case, not one of its workloads: a chain of 100,000 nodes built
from plain slotted classes shaped like the engine's (a tensor of ten slots and a 32-element
array), in three layouts, each built with the collector off and on:

- ``3``: the tensor, its op, and the op's tuple of inputs (the engine today);
- ``2``: the op holds its inputs in slots (no tuple);
- ``1``: the tensor holds its inputs and points at a shared op (nothing else per node).

Only Python objects the collector tracks cost it anything; NumPy arrays are not tracked.
Run ``python -m benchmarks.collector_layouts`` (one process, medians of five).
"""

from __future__ import annotations

import gc
import statistics
import time

import numpy as np

__all__ = ["build", "overhead"]


class _Node:
    __slots__ = ("data", "grad", "requires_grad", "op", "seq", "retains_grad", "name",
                 "hooks", "views", "__weakref__", "first", "second")


class _OpWithTuple:
    __slots__ = ("parents", "wanted", "origin", "metadata")


class _OpWithSlots:
    __slots__ = ("first", "second", "wanted", "origin", "metadata")


_SHARED_OP, _WANTED = _OpWithSlots(), (True, True)


def build(objects_per_node: int, nodes: int) -> _Node:
    """A chain of ``nodes`` two-input nodes (both inputs the previous node)."""
    previous = _Node()
    previous.data, previous.op = np.zeros(32), None
    for _ in range(nodes):
        node = _Node()
        node.data, node.grad = np.zeros(32), None
        if objects_per_node == 3:
            op = node.op = _OpWithTuple()
            op.parents, op.wanted = (previous, previous), _WANTED
        elif objects_per_node == 2:
            op = node.op = _OpWithSlots()
            op.first, op.second, op.wanted = previous, previous, _WANTED
        else:
            node.op, node.first, node.second = _SHARED_OP, previous, previous
        previous = node
    return previous


def overhead(objects_per_node: int, nodes: int = 100_000, rounds: int = 5) -> float:
    """Median seconds the collector adds to building the chain (on minus off)."""
    added = []
    for _ in range(rounds):
        times = []
        for enabled in (False, True):
            gc.collect()
            if not enabled:
                gc.disable()
            start = time.perf_counter()
            chain = build(objects_per_node, nodes)
            times.append(time.perf_counter() - start)
            gc.enable()
            del chain
        added.append(times[1] - times[0])
    return statistics.median(added)


if __name__ == "__main__":
    for count in (3, 2, 1):
        print(f"{count} tracked object(s) per node: the collector adds "
              f"{overhead(count) * 1e3:.1f} ms to 100,000 nodes")
