"""Collect the part of a computation graph to draw: tensors, the ops that made them,
their names and clusters, and where the picture is cut when it would be too large.

Everything here is iterative (an explicit stack and a queue): drawing a 10^6-op chain
must not hit Python's recursion limit.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import numpy as np

from ..ctx_function import CtxOp
from ..errors import UsageError
from .._vjp_checks import as_used
from ..tensor import Tensor

__all__ = ["GraphView", "collect", "inputs_of", "packed_op", "RELEASED"]


RELEASED = "inputs released by backward(): pass retain_graph=True to draw them"


def inputs_of(node: Tensor) -> tuple:
    """The input tensors of the op that made ``node``, as that op used them (an input
    that ``t[index] = v`` rebased since then is drawn as it was); none for a leaf, or
    once a backward without ``retain_graph=True`` released them (the drawing then stops
    at that op and says so)."""
    op = node.grad_fn
    if op is None or op.parents is None:
        return ()
    return as_used(op.parents, node._seq)


def packed_op(node: Tensor) -> CtxOp | None:
    """The PyTorch-style Function whose several outputs ``node`` packs, or None. Such a
    node (see ``ctx_outputs``) is internal: its array is placeholder zeros, never data."""
    op = node.grad_fn
    return op if isinstance(op, CtxOp) and op.layout is not None else None


@dataclass
class GraphView:
    """What to draw. Tensors are keyed by ``id()`` (``==`` on Tensor is elementwise).

    ``order`` holds every reachable tensor, inputs before the tensors computed from them;
    ``kept`` the ids drawn (all of them unless ``max_nodes`` cut the picture);
    ``cut`` the ids of drawn tensors whose op has an input that is not drawn;
    ``hidden`` how many tensor and op nodes were left out.
    """

    roots: list[Tensor]
    order: list[Tensor]
    kept: set[int]
    cut: set[int]
    hidden: int
    names: dict[int, str] = field(default_factory=dict)
    clusters: dict[str, list[int]] = field(default_factory=dict)
    cluster_labels: dict[str, str] = field(default_factory=dict)

    @property
    def drawn(self) -> list[Tensor]:
        """The drawn tensors, inputs first."""
        return [t for t in self.order if id(t) in self.kept]


def collect(roots: Iterable[Tensor], max_nodes: int | None = None,
            names: Mapping[str, Tensor] | None = None, model: Any = None) -> GraphView:
    """The graph behind ``roots``, cut to about ``max_nodes`` nodes nearest the roots."""
    roots = as_roots(roots, "draw_graph")
    if max_nodes is not None and (not isinstance(max_nodes, int) or isinstance(max_nodes, bool)):
        raise UsageError(f"max_nodes must be an int (or None for no limit); got "
                         f"{type(max_nodes).__name__} {max_nodes!r}")
    if max_nodes is not None and max_nodes < 2:
        raise UsageError(f"max_nodes must be at least 2 (or None for no limit); "
                         f"got {max_nodes}")
    order = topological_order(roots)
    total = sum(1 if t.grad_fn is None else 2 for t in order)
    if max_nodes is None or total <= max_nodes:
        kept, hidden = {id(t) for t in order}, 0
    else:
        kept, hidden = _nearest(roots, max_nodes)
    cut = {id(t) for t in order if id(t) in kept and t.grad_fn is not None
           and any(id(p) not in kept for p in inputs_of(t))}
    view = GraphView(roots, order, kept, cut, hidden)
    _name_tensors(view, names, model)
    return view


def _type_name(value: Any) -> str:
    """``torch.Tensor`` for a PyTorch tensor (whose class is also called Tensor), else
    the class name."""
    kind = type(value)
    return f"torch.{kind.__name__}" if kind.__module__.split(".")[0] == "torch" else \
        kind.__name__


def _not_a_tensor(caller: str, what: str, value: Any) -> UsageError:
    """The error for a root that is no autograd Tensor, with the conversion for a torch
    tensor or a NumPy array."""
    kind = _type_name(value)
    if kind.startswith("torch."):
        advice = ("autograd.viz draws autograd's graphs: convert it with "
                  "autograd.tensor(t.detach().numpy()) and compute with that, or draw "
                  "PyTorch's graph with torchviz")
    elif isinstance(value, np.ndarray):
        advice = ("an array has no graph: compute with autograd.tensor(a) and draw the "
                  "result")
    else:
        advice = "pass the output tensor(s) of the computation, e.g. the loss"
    return UsageError(f"{caller} needs autograd Tensors (one, or a list or tuple of them); "
                      f"{what} is of type {kind}: {advice}.")


def as_roots(roots: Tensor | Iterable[Tensor], caller: str) -> list[Tensor]:
    """``roots`` as a non-empty list of Tensors: one Tensor is one root (iterating it
    would walk its rows instead), and so is a list or tuple of them given alone
    (``draw_graph([a, b])``); anything else (a number, an array, a torch tensor) is a
    ``UsageError``, checked before anything is iterated."""
    if isinstance(roots, Tensor):
        roots = [roots]
    elif isinstance(roots, (list, tuple)):
        roots = list(roots)
    else:
        raise _not_a_tensor(caller, "the argument", roots)
    if len(roots) == 1 and isinstance(roots[0], (list, tuple)):
        roots = list(roots[0])
    for i, root in enumerate(roots):
        if not isinstance(root, Tensor):
            raise _not_a_tensor(caller, f"root {i}", root)
    if not roots:
        raise UsageError(f"{caller} needs at least one tensor; got none")
    return roots


def topological_order(roots: Tensor | Iterable[Tensor]) -> list[Tensor]:
    """Every tensor reachable from ``roots`` (one Tensor or several), each after all the
    tensors it was made from (an iterative post-order depth-first search)."""
    roots = as_roots(roots, "topological_order")
    order: list[Tensor] = []
    visited: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(r, False) for r in reversed(roots)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        op = node.grad_fn
        if op is not None:
            for parent in reversed(inputs_of(node)):
                if id(parent) not in visited:
                    stack.append((parent, False))
    return order


def _nearest(roots: list[Tensor], max_nodes: int) -> tuple[set[int], int]:
    """Breadth-first from the roots: keep tensors (with their op nodes) while they fit in
    ``max_nodes`` drawn nodes, one of which is saved for the "... N more" node. The kept
    tensors are a prefix of the breadth-first order, so every one is connected to a root.
    Returns the kept ids and the number of tensor and op nodes left out."""
    kept: set[int] = set()
    queue: deque[Tensor] = deque(roots)
    seen: set[int] = {id(r) for r in roots}
    budget = max_nodes - 1
    used = hidden = 0
    full = False
    while queue:
        node = queue.popleft()
        op = node.grad_fn
        cost = 1 if op is None else 2
        if not full and (used + cost <= budget or not kept):
            kept.add(id(node))
            used += cost
        else:
            full = True
            hidden += cost
        if op is not None:
            for parent in inputs_of(node):
                if id(parent) not in seen:
                    seen.add(id(parent))
                    queue.append(parent)
    return kept, hidden


def _name_tensors(view: GraphView, names: Mapping[str, Tensor] | None, model: Any) -> None:
    """Names: ``names=`` first, then the model's parameter names, then ``Tensor.name``,
    then a short id (``t0``, ``t1``... in data-flow order). Dotted parameter names
    (``fc1.weight``) put the parameter in the cluster of its module (``fc1``)."""
    module_types: dict[str, str] = {}
    model_names = _model_names(model, module_types) if model is not None else {}
    given = dict(model_names)
    for name, t in _name_pairs(names):
        if isinstance(name, Tensor):
            raise UsageError(f"names= maps each name to its tensor, {{'W1': W1}}; got a "
                             f"tensor of shape {name.shape} as a key (with the value "
                             f"{t!r}): swap the keys and values")
        if not isinstance(t, Tensor):
            raise UsageError(f"names[{name!r}] is {type(t).__name__}, not a Tensor")
        given[id(t)] = str(name)
    counter = 0
    for t in view.order:
        key = id(t)
        if key not in view.kept:
            continue
        if key in given:
            view.names[key] = given[key]
            if key in model_names:  # a parameter of the model: the box of its module
                _add_to_cluster(view, key, model_names[key], module_types)
            elif t.grad_fn is None and "." in given[key]:  # names={"fc1.weight": W}
                _add_to_cluster(view, key, given[key], module_types)
        elif t.name:
            view.names[key] = t.name
        else:
            view.names[key] = f"t{counter}"
            counter += 1
    rank = {path: i for i, path in enumerate(module_types)}  # the model's own order
    view.clusters = dict(sorted(view.clusters.items(),
                                key=lambda item: rank.get(item[0], len(rank))))


def _name_pairs(names: Any) -> list[tuple[Any, Any]]:
    """``names=`` as (name, tensor) pairs: a mapping, or pairs such as those of
    ``model.named_parameters()`` (torchviz's ``params=dict(...)`` habit)."""
    if names is None:
        return []
    try:
        return list((names if isinstance(names, Mapping) else dict(names)).items())
    except (TypeError, ValueError):
        raise UsageError(f"names= maps each name to its tensor, {{'W1': W1}} (or is a list "
                         f"of (name, tensor) pairs); got {type(names).__name__}") from None


def _model_names(model: Any, module_types: dict[str, str]) -> dict[int, str]:
    """``id(parameter) -> dotted name`` and ``module path -> class name`` (duck typing:
    anything with ``named_parameters()``; ``named_modules()`` is optional)."""
    if not hasattr(model, "named_parameters"):
        raise UsageError(f"model must have named_parameters() (an nn.Module); got "
                        f"{type(model).__name__}")
    found = {id(p): str(name) for name, p in model.named_parameters()}
    if hasattr(model, "named_modules"):
        for path, module in model.named_modules():
            module_types[str(path)] = type(module).__name__
    module_types.setdefault("", type(model).__name__)
    return found


def _add_to_cluster(view: GraphView, key: int, name: str,
                    module_types: dict[str, str]) -> None:
    """Put the leaf ``key`` in the box of the module path in front of its last dot."""
    path = name.rpartition(".")[0]
    if path not in view.clusters:
        kind = module_types.get(path)
        label = path or (kind or "")
        view.cluster_labels[path] = f"{label} ({kind})" if kind and path else label
        view.clusters[path] = []
    view.clusters[path].append(key)
