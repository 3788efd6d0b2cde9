"""Reverse-mode differentiation: walk the graph from the output back to the leaves.

Order. Every tensor gets an increasing creation number (``_seq``), and an op's inputs
always exist before its output, so *decreasing creation number is a topological order*.
The pass keeps a heap of the tensors that have received a gradient and always takes the
newest one: by then every tensor computed from it has already passed its gradient on.
No recursion and no separate sorting pass, so a 10^6-op chain is fine.

Step. Seed dL/dL = 1 (or the given ``grad``). For the newest tensor, pop its accumulated
gradient g, hand g to the op that made it (``vjp``) and add the results into the
gradients of the op's inputs, a dict keyed by creation number. A gradient is released as
soon as it is consumed. Two shortcuts keep chains and layer stacks cheap: a leaf adds
each gradient to its ``.grad`` as soon as it arrives (nothing will ever be computed from
it), and an input that gets its first gradient from an op and is newer than everything
waiting in the heap is processed next, without the heap (only newer tensors add to a
gradient, and none is left).

Un-broadcasting happens here and only here: a VJP may return a gradient in the broadcast
shape; it is summed back to the input's shape, then its shape and dtype are checked.
"""

from __future__ import annotations

from heapq import heappop, heappush
from typing import Any, Iterable, Sequence

import numpy as np

from ._vjp_checks import (as_gradient_tuple, check_finite_gradients, check_versions,
                          fit_gradient, not_an_array, unbroadcast)
from .clock import INPLACE, next_seq
from .errors import BackwardError, DTypeError, GraphFreedError, ShapeError
from .function import Function
from .grad_mode import STATE
from .tensor import Tensor

__all__ = ["backward", "grad", "unbroadcast"]

_new = object.__new__


def backward(root: Tensor, grad: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False) -> None:
    """Accumulate d(root)/d(leaf) into ``leaf.grad`` for every leaf that requires grad."""
    if (grad is None and not create_graph and type(root) is Tensor and root._requires_grad
            and root._data.ndim == 0):
        seed = root._data.dtype.type(1)  # the common case, a scalar loss, checked inline
    else:
        _check_root(root, 0)
        seed = _seed(root, grad, create_graph, 0)
    retain = create_graph if retain_graph is None else retain_graph
    _run([root], [seed], retain, create_graph, None)


def grad(outputs: Tensor | Sequence[Tensor], inputs: Tensor | Sequence[Tensor],
         grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False) -> tuple:
    """d(outputs)/d(inputs) as a tuple (one entry per input), without touching ``.grad``.

    ``grad_outputs`` gives dL/d(output) for each output (needed unless it has one element).
    With ``create_graph=True`` the results are differentiable Tensors (grad of grad).
    An input the outputs do not depend on gets ``None`` if ``allow_unused`` else an error.
    """
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, (Tensor, np.ndarray)):
        grad_outputs = [grad_outputs] * len(outputs) if grad_outputs is None else [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise BackwardError(f"grad: {len(outputs)} outputs but {len(grad_outputs)} "
                            f"grad_outputs; give one per output")
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise BackwardError(f"grad: input {i} does not require grad, so it has no "
                                f"gradient. Create it with requires_grad=True.")
    seeds = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        _check_root(out, i)
        seeds.append(_seed(out, g, create_graph, i))
    retain = create_graph if retain_graph is None else retain_graph
    found = _run(outputs, seeds, retain, create_graph, targets={t._seq for t in inputs})
    result = []
    for i, t in enumerate(inputs):
        g = found.get(t._seq)
        if g is None and not allow_unused:
            raise BackwardError(f"grad: input {i} (shape {t.shape}) is not used to compute "
                                f"the outputs; pass allow_unused=True to get None for it")
        if g is not None and not create_graph:
            g = Tensor._make(np.array(g, copy=True), None)
        result.append(g)
    return tuple(result)


def _check_root(root: Any, i: int) -> None:
    if not isinstance(root, Tensor):
        raise TypeError(f"backward needs Tensors; output {i} is {type(root).__name__}")
    if not root._requires_grad:
        raise BackwardError(
            "backward on a tensor that does not require grad: nothing was recorded. "
            "Create the inputs with requires_grad=True, and do not compute under no_grad().")


def _seed(root: Tensor, g: Any, create_graph: bool, i: int) -> Any:
    """dL/d(root): ones for a one-element output, else the given gradient (checked)."""
    if g is None:
        data = root._data
        if data.size != 1:
            raise BackwardError(
                f"grad can be created implicitly only for one-element outputs; output {i} "
                f"has shape {root.shape}. Pass grad= (dL/doutput, same shape), or reduce "
                f"it first, e.g. loss.sum() or loss.mean().")
        # a 0-d seed is a NumPy scalar, as the engine keeps for 0-d results (see Tensor._make)
        array = data.dtype.type(1) if data.ndim == 0 else np.ones(data.shape, dtype=data.dtype)
    else:
        array = np.array(g._data if isinstance(g, Tensor) else g, copy=True)
        if array.shape != root.shape:
            raise ShapeError(f"grad for output {i} has shape {array.shape}; the output has "
                             f"shape {root.shape}. They must be equal.")
        if array.dtype.kind not in "biuf":
            raise DTypeError(f"grad for output {i} has dtype {array.dtype}; expected numbers")
        array = array.astype(root.dtype, copy=False)
    if create_graph:
        return g if isinstance(g, Tensor) and g.requires_grad else Tensor._make(array, None)
    return array


def _useful_nodes(roots: Iterable[Tensor], targets: set[int]) -> set[int]:
    """Creation numbers of the nodes from which a target can be reached: ``grad()``
    visits only these."""
    seen: dict[int, Tensor] = {}
    stack = list(roots)
    while stack:  # every node reachable from the roots
        node = stack.pop()
        if node._seq in seen:
            continue
        seen[node._seq] = node
        if node._op is not None:
            stack.extend(p for p in node._op.parents if p._requires_grad)
    useful: set[int] = set()
    for seq in sorted(seen):  # inputs before the nodes computed from them
        op = seen[seq]._op
        if seq in targets or (op is not None and any(p._seq in useful for p in op.parents)):
            useful.add(seq)
    return useful


def _run(roots: list[Tensor], seeds: list[Any], retain_graph: bool, create_graph: bool,
         targets: set[int] | None) -> dict[int, Any]:
    """The backward pass. Returns the gradients of ``targets`` (for ``grad()``); without
    targets, accumulates into ``.grad`` of leaves (and of tensors that retain_grad())."""
    useful = _useful_nodes(roots, targets) if targets is not None else None
    grads: dict[int, Any] = {}  # creation number -> accumulated gradient
    heap: list[tuple[int, Tensor]] = []  # (-creation number, tensor): newest first
    following = following_g = None  # the next node and its gradient, when known without
    # the heap (see the chain step)
    if len(roots) == 1:  # backward(): the root goes first
        following, following_g = roots[0], seeds[0]
    else:
        for root, seed in zip(roots, seeds):
            key = root._seq
            if key in grads:
                grads[key] = grads[key] + seed
            else:
                grads[key] = seed
                heappush(heap, (-key, root))
    found: dict[int, Any] = {}
    last_write, anomaly, pop = INPLACE.last, STATE.anomaly, grads.pop
    previous_mode = STATE.grad_enabled
    STATE.grad_enabled = create_graph  # VJPs on Tensors record only for create_graph
    storing = targets is None  # backward(): a leaf stores its gradient as soon as it arrives
    plain = not (create_graph or retain_graph or anomaly)  # the common, fastest VJP call
    adopt = storing and not create_graph  # a leaf's .grad may take a fresh array as is
    # (see Function.fresh_grads); any other array is copied, as it may be shared
    try:
        while True:
            if following is not None:
                node, g, following = following, following_g, None
                key = node._seq
            elif heap:
                key, node = heappop(heap)
                key = -key
                g = pop(key)
            else:
                break
            op = node._op
            if op is None or node._retains_grad or not storing:
                if storing:
                    _store(node, g, create_graph)
                else:
                    if key in targets:
                        found[key] = g
                    if key not in useful:
                        continue
                if op is None:
                    continue
            # one vector-Jacobian product: dL/d(inputs) from dL/d(node)
            saved = op.saved
            if saved is None:
                raise GraphFreedError(
                    f"trying to backward through {op.name} a second time: its saved arrays "
                    f"were released by the first backward. Pass retain_graph=True to the "
                    f"first call if you need to go through the graph again.")
            if key < last_write:  # something was written in place after node was made
                check_versions(op, node)
            parents = op.parents
            count = len(parents)  # saved holds the output, then one entry per input
            if not plain:
                result = _vjp(op, g, node, create_graph, retain_graph, anomaly)
            else:  # the arguments spelled out: a call with *saved costs 3x
                op.saved = None
                if count == 1:
                    saved_out, saved_a = saved
                    result = op.vjp(g, saved_out, saved_a)
                elif count == 3:  # e.g. an affine map: x, W, b
                    saved_out, saved_a, saved_b, saved_c = saved
                    result = op.vjp(g, saved_out, saved_a, saved_b, saved_c)
                elif count == 2:
                    saved_out, saved_a, saved_b = saved
                    result = op.vjp(g, saved_out, saved_a, saved_b)
                else:
                    result = op.vjp(g, *saved)
            if type(result) is not tuple or len(result) != count:
                result = as_gradient_tuple(op, result)
            if count == 1:  # the chain step: one input (which then needs grad); the loop
                # below, unrolled for the one-input case (chains of elementwise ops)
                gi = result[0]
                if gi is None:
                    continue
                parent = parents[0]
                data = parent._data
                try:
                    if ((not op.exact_grads and gi.shape != data.shape)
                            or gi.dtype is not data.dtype):
                        gi = fit_gradient(gi, parent, op)
                except AttributeError:
                    raise not_an_array(op, parent, gi) from None
                if parent._op is None and storing:  # a leaf: nothing to wait for
                    _store(parent, gi, create_graph)
                    continue
                key = parent._seq
                previous = grads.get(key)
                if previous is not None:  # already waiting in the heap
                    grads[key] = previous + gi
                elif not heap or key > -heap[0][0]:  # nothing waiting is newer: go on
                    following, following_g = parent, gi
                else:
                    grads[key] = gi
                    heappush(heap, (-key, parent))
                continue
            exact, fresh = op.exact_grads, adopt and op.fresh_grads
            for parent, gi, needed in zip(parents, result, op.needs_input_grad):
                if gi is None or not needed:
                    continue
                data = parent._data
                try:
                    if (not exact and gi.shape != data.shape) or gi.dtype is not data.dtype:
                        gi = fit_gradient(gi, parent, op)  # un-broadcast and check
                except AttributeError:  # not an array (a Python number, a list...)
                    raise not_an_array(op, parent, gi) from None
                if parent._op is None and storing:  # a leaf: store it now
                    if fresh and parent._grad is None and type(gi) is np.ndarray:
                        parent._grad = stored = _new(Tensor)  # Tensor._make(gi, None)
                        stored._data = gi
                        stored._grad = stored._op = None
                        stored._requires_grad = stored._retains_grad = False
                        stored._seq = next_seq()
                    else:
                        _store(parent, gi, create_graph)
                    continue
                key = parent._seq
                previous = grads.get(key)
                if previous is not None:  # already waiting in the heap
                    grads[key] = previous + gi
                elif following is None:  # the first new input: maybe it goes next
                    following, following_g = parent, gi
                elif parent is following:  # the same input twice (x * x)
                    following_g = following_g + gi
                else:
                    grads[key] = gi
                    heappush(heap, (-key, parent))
            if following is not None:
                # the next step without the heap: an input newer than everything waiting
                # has all its gradient (only newer nodes feed it); else it waits its turn
                key = following._seq
                if heap and key < -heap[0][0]:
                    grads[key] = following_g
                    heappush(heap, (-key, following))
                    following = None
    finally:
        STATE.grad_enabled = previous_mode
    return found


def _vjp(op: Function, g: Any, node: Tensor, create_graph: bool, retain_graph: bool,
         anomaly: bool) -> tuple:
    """The VJP call outside the plain case: on Tensors for ``create_graph``, keeping the
    saved arrays for ``retain_graph``, checked for NaN/Inf under ``detect_anomaly``."""
    if create_graph:
        result = op.vjp(g, node, *op.parents)
    else:
        result = op.vjp(g, *op.saved)
    if not retain_graph:
        op.saved = None
    if anomaly:
        result = as_gradient_tuple(op, result)
        check_finite_gradients(op, result)
    return result


def _store(node: Tensor, g: Any, create_graph: bool) -> None:
    """Accumulate into ``node.grad`` (a leaf, or a non-leaf that asked retain_grad()).

    A first gradient is copied: the array may be shared (``g`` passed on by an add, a
    view, or an input or saved array a user's vjp returned), and ``.grad`` must never
    alias anything. Fresh gradients (``Function.fresh_grads``) are stored by the caller
    without coming here."""
    if create_graph:
        node._grad = g if node._grad is None else node._grad + g
        return
    if node._grad is not None:
        node._grad = Tensor._make(np.asarray(node._grad._data + g), None)
        return
    node._grad = Tensor._make(np.array(g, copy=True), None)
