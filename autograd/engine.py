"""Reverse-mode differentiation: walk the graph from the output back to the leaves.

Order. Every tensor gets an increasing creation number (``_seq``), and an op's inputs
always exist before its output, so *decreasing creation number is a topological order*.
The pass keeps a heap of the tensors that have received a gradient and always takes the
newest one: by then every tensor computed from it has already passed its gradient on.
No recursion and no separate sorting pass, so a 10^6-op chain is fine.

Step. Pop the newest tensor and its accumulated gradient g, hand g to the op that made it
(``vjp``), un-broadcast and check each input's gradient, and add it to that input's
gradient, a dict keyed by creation number. A gradient is released as soon as it is
consumed. A tensor with hooks (``register_hook``) hands its complete gradient to them
first. Two shortcuts: a leaf adds each gradient to its ``.grad`` at once (nothing is
ever computed from a leaf, so nothing else will arrive before it is needed; a leaf with
hooks waits in the heap instead, so they see the whole gradient), and the
chain step: an op's first input with no gradient yet goes next without the heap, unless
a tensor newer than it (or itself) waits there. Only newer tensors add to its gradient
and none is left, so its gradient is complete. Along a chain of ops (elementwise, or with
constant or leaf operands, as a layer's ``x @ W + b``) the heap and the dict stay empty.

This module works on the graph's nodes through a narrow interface (``_op``, ``_seq``,
``_data``, ``_grad``, ``_retains_grad``, ``_hooks``; an op's ``parents``, ``wanted``,
``vjp``) and does
not import ``Tensor``: ``Tensor.backward`` and ``autograd.grad`` call ``run_backward``.
It stores plain arrays in ``_grad``; ``Tensor.grad`` wraps them when read.
"""

from __future__ import annotations

import threading
from heapq import heappop, heappush
from typing import Any, Sequence

import numpy as np

from ._vjp_checks import (as_gradient_tuple, as_used, check_finite_gradients, check_versions,
                          fit_gradient, unsaved_hint)
from .clock import INPLACE, record_write
from .errors import BackwardError, DTypeError, GraphFreedError, ShapeError
from .function import Function
from .grad_mode import STATE, set_grad_enabled
from .hooks import run_hooks, run_post_accumulate_hooks

__all__ = ["run_backward", "seed", "accumulate_into"]


def run_backward(roots: Sequence[Any], seeds: Sequence[Any], retain_graph: bool,
                 create_graph: bool, inputs: Sequence[Any] | None = None) -> dict[int, Any]:
    """The backward pass from ``roots`` (with gradients ``seeds``).

    Without ``inputs`` (``backward()``), gradients accumulate into ``.grad`` of the
    leaves and of tensors that called ``retain_grad()``. With ``inputs`` (``grad()``,
    ``backward(inputs=)``), only ``retain_grad()`` tensors on the way store theirs: the
    pass visits only what lies between the roots and the inputs, stops at the inputs, and
    returns their gradients by creation number.
    """
    targets = None if inputs is None else {t._seq for t in inputs}
    through = None if inputs is None else _nodes_above(roots, targets)
    grads: dict[int, Any] = {}  # creation number -> gradient accumulated so far
    heap: list[tuple[int, Any]] = []  # (-creation number, tensor): newest comes out first
    for root, g in zip(roots, seeds):
        _add(grads, heap, root, g)
    found: dict[int, Any] = {}
    following = None  # (tensor, gradient) found by the chain step: it goes next
    anomaly = STATE.anomaly and STATE.anomaly_check_nan  # check every gradient for NaN/Inf
    with set_grad_enabled(bool(create_graph)):  # VJPs on Tensors record only for create_graph
        while following or heap:
            # 1. Pop the newest tensor and its (complete) gradient; its hooks see it first.
            node, g = following or _pop_newest(grads, heap)
            following = None
            if node._hooks:
                g = run_hooks(node, g)
            if targets is not None:  # grad(): collect, and go on only towards an input
                if node._seq in targets:
                    found[node._seq] = g
                if node._retains_grad:  # retain_grad() on a tensor the pass visits, as PyTorch
                    _accumulate_grad(node, g, False)
                if node._seq not in through:
                    continue
            elif node._op is None or node._retains_grad:  # a leaf root, or retain_grad()
                _accumulate_grad(node, g, False)
                if node._op is None and node._hooks:  # register_post_accumulate_grad_hook
                    run_post_accumulate_hooks(node)
            op = node._op
            if op is None:
                continue
            # 2. Call its op's VJP: one gradient (or None) per input.
            input_grads = _call_vjp(op, g, node, create_graph)
            if anomaly:
                check_finite_gradients(op, input_grads)
            for parent, gi, wanted in zip(op.parents or freed(op), input_grads, op.wanted):
                if gi is None or not (wanted and parent._requires_grad):
                    continue  # no gradient wanted when the op ran, or now (PyTorch: no edge)
                data = parent._data  # 3. Un-broadcast and check, if type/shape/dtype differ
                if type(gi) is not type(data) or (type(gi) is np.ndarray and (
                        gi.shape != data.shape or gi.dtype is not data.dtype)):
                    gi = fit_gradient(gi, parent, op)
                # 4. Accumulate: a leaf at once; a first gradient may go next (the chain
                # step); the rest wait in the heap.
                if targets is None and parent._op is None and not parent._hooks:
                    _accumulate_grad(parent, gi, op.fresh_grads)
                elif through is not None and not (parent._seq in through
                                                  or parent._seq in targets):
                    continue  # grad(): nothing below leads to an input
                elif following is None and parent._seq not in grads:
                    following = parent, gi
                else:
                    _add(grads, heap, parent, gi)
            # (the chain step waits if a newer tensor, or itself as in x * x, is in the heap)
            if following and heap and following[0]._seq <= -heap[0][0]:
                _add(grads, heap, *following)
                following = None
            # 5. Without retain_graph, release the inputs this op kept (the activations).
            if not retain_graph:
                op.parents = None
    return found


def _pop_newest(grads: dict[int, Any], heap: list) -> tuple[Any, Any]:
    """The newest tensor waiting in the heap, and its gradient."""
    _, node = heappop(heap)
    return node, grads.pop(node._seq)


def _add(grads: dict[int, Any], heap: list, node: Any, g: Any) -> None:
    """Add ``g`` to the gradient waiting for ``node``; a new node enters the heap."""
    key = node._seq
    if key in grads:
        grads[key] = grads[key] + g
    else:
        grads[key] = g
        heappush(heap, (-key, node))


def _call_vjp(op: Function, g: Any, node: Any, create_graph: bool) -> tuple:
    """One vector-Jacobian product: dL/d(inputs) of ``op`` from g = dL/d(node)."""
    parents = op.parents or freed(op)
    if node._seq < INPLACE.last:  # something was written in place after node was made:
        parents = op.parents = as_used(parents, node._seq)  # t[i] = v rebased one of them?
        check_versions(op, node)
    if create_graph:  # on Tensors: the gradient gets a graph of its own
        result = op.vjp(g, node, *parents)
    else:  # on arrays; what the op does not read arrives as None (see Function)
        out = node._data if op.save_output else None
        try:
            # one and two inputs (most ops) spelled out, without a list: per-op chain,
            # shape (8,), 3.47x -> 3.32x NumPy; shape (), 13.2x -> 11.9x; two inputs (the
            # chain with Tensor constants, `python -m benchmarks.versions`) 6% less time
            if len(parents) == 1:
                result = op.vjp(g, out, parents[0]._data if op.save_inputs else None)
            elif not op.save_inputs:
                result = op.vjp(g, out, *[None] * len(parents))
            elif len(parents) == 2:
                result = op.vjp(g, out, parents[0]._data, parents[1]._data)
            else:
                result = op.vjp(g, out, *[p._data for p in parents])
        except TypeError as error:
            raise unsaved_hint(op, error) or error
    if type(result) is not tuple or len(result) != len(parents):
        result = as_gradient_tuple(op, result)  # a bare gradient, or an error
    return result


def freed(op: Function) -> tuple:
    """GraphFreedError: a backward released ``op``'s inputs (``op.parents`` is None), before
    this one or, in another thread, while this one ran its VJP. (A recorded op has at
    least one input, so ``op.parents or freed(op)`` never mistakes an empty tuple.)"""
    raise GraphFreedError(
        f"trying to backward through {op.name()} a second time: the first backward "
        f"released its inputs. Pass retain_graph=True to the first call if you need "
        f"to go through the graph again.")


def accumulate_into(tensors: Sequence[Any], found: dict[int, Any]) -> None:
    """``backward(inputs=...)``: add to each tensor's ``.grad`` the gradient that
    ``run_backward(..., inputs=tensors)`` found for it (leaves or not, as PyTorch), then
    run a leaf's post-accumulate hooks; a non-leaf input keeps its gradient from now on,
    as PyTorch's (``retain_grad()``), reached or not."""
    for t in tensors:
        stored = t._op is not None and t._retains_grad  # the pass stored it (retain_grad)
        if t._op is not None:
            t.retain_grad()
        if t._seq in found and not stored:
            _accumulate_grad(t, found[t._seq], False)
            if t._op is None and t._hooks:
                run_post_accumulate_hooks(t)


_GRAD_LOCK = threading.Lock()  # backward passes in several threads may share a leaf


def _accumulate_grad(node: Any, g: Any, fresh: bool) -> None:
    """``node.grad += g``. A first gradient is copied unless the op promised a fresh
    array (``Function.fresh_grads``): ``.grad`` must never share memory with anything.
    A leaf's later gradients are added into that array in place, as PyTorch's
    AccumulateGrad does, so a ``.grad`` read before shows the sum (a gradient with a graph
    of its own, from ``create_graph=True``, is added out of place and recorded, so it keeps
    its graph). Read, add and store happen under a lock: two threads adding to one
    ``.grad`` at once would otherwise lose one of the parts."""
    with _GRAD_LOCK:
        held = node._grad
        array = getattr(held, "_data", held)  # .grad hands out a Tensor on this array
        if held is None:  # (a NumPy scalar, a 0-d op's result, as a 0-d array: it can add)
            node._grad = np.array(g) if isinstance(g, np.generic) else g if fresh else g.copy()
        elif (node._op is None and type(array) is np.ndarray and array.flags.writeable
              and isinstance(g, (np.ndarray, np.generic))
              and not getattr(held, "_requires_grad", False)):
            array += g
            if held is not array:  # handed out as .grad: a graph that used it refuses
                record_write(array)
        else:  # recorded: a .grad with a graph (an earlier create_graph) keeps it, as PyTorch's
            with set_grad_enabled(True):
                node._grad = held + g


def _nodes_above(roots: Sequence[Any], targets: set[int]) -> set[int]:
    """Creation numbers of the nodes whose op leads down to a target: ``grad()`` runs
    only their VJPs. Nothing older than the oldest target can lead to one, so the walk
    stops there: its cost follows the part of the graph between roots and targets. A
    released op on the way raises, as ``backward()`` does: the part below it is unknown."""
    oldest = min(targets)
    seen: dict[int, Any] = {}
    stack = [r for r in roots if r._seq >= oldest]
    while stack:
        node = stack.pop()
        if node._seq in seen:
            continue
        seen[node._seq] = node
        op = node._op
        if op is not None and op.parents is None and node._seq not in targets:
            raise GraphFreedError(  # whether it leads to an input is no longer known
                f"grad() reached {op.name()}, whose inputs an earlier backward released, so "
                f"it cannot tell whether that part of the graph leads to the inputs (a "
                f"silent guess could drop gradients). Pass retain_graph=True to the earlier "
                f"backward, or compute the outputs afresh.")
        if op is not None and op.parents is not None:
            if node._seq < INPLACE.last:  # t[i] = v may have rebased a parent since
                op.parents = as_used(op.parents, node._seq)
            stack.extend(p for p in op.parents if p._seq >= oldest)
    above: set[int] = set()
    for key in sorted(seen):  # inputs before the nodes computed from them
        op = seen[key]._op
        if op is not None and op.parents is not None and any(
                p._seq in above or p._seq in targets for p in op.parents):
            above.add(key)
    return above


def seed(root: Any, grad: Any, create_graph: bool, i: int = 0,
         caller: str = "backward") -> Any:
    """dL/d(root): 1 for a one-element output, else the given gradient (checked). A
    Tensor that requires grad is kept under ``create_graph`` (grad of grad); anything
    else becomes a new array. ``caller`` ("backward" or "grad") names the call and its
    keyword for the gradient in the errors."""
    if not root._requires_grad:
        raise BackwardError(
            f"{caller}: output {i} does not require grad: nothing was recorded. Create the "
            f"inputs with requires_grad=True, and do not compute under no_grad(). A gradient "
            f"is itself recorded only with create_graph=True: to differentiate u_x again, "
            f"take it with grad(u, x, ..., create_graph=True). (A gradient of a function "
            f"that is linear in the inputs, such as 2 * x or x.clip(0, 1), records nothing "
            f"even then: its own derivative is zero.)")
    data = root._data
    if grad is None:
        if data.size != 1:
            keyword = "grad_outputs=" if caller == "grad" else "grad="
            raise BackwardError(
                f"grad can be created implicitly only for one-element outputs; output {i} "
                f"has shape {data.shape}. Pass {keyword} (dL/doutput, same shape), or reduce "
                f"it first, e.g. loss.sum() or loss.mean().")
        return data.dtype.type(1) if data.ndim == 0 else np.ones(data.shape, data.dtype)
    if isinstance(grad, (str, bytes, dict)):
        raise DTypeError(f"grad for output {i} is a {type(grad).__name__}; expected a Tensor "
                         f"(or array) of numbers shaped as the output, or None")
    if create_graph and getattr(grad, "_requires_grad", False):
        array = grad._data  # kept as it is: the seed is part of a graph
    else:
        array = np.array(getattr(grad, "_data", grad), copy=True)
    if array.shape != data.shape:
        raise ShapeError(f"grad for output {i} has shape {array.shape}; the output has "
                         f"shape {data.shape}. They must be equal.")
    if array.dtype.kind not in "biuf":
        raise DTypeError(f"grad for output {i} has dtype {array.dtype}; expected numbers")
    return grad if array is getattr(grad, "_data", None) else array.astype(data.dtype)
