"""``draw_graph``: a computation graph as a ``graphviz.Digraph``.

Tensors are boxes, ops are ellipses, edges follow the data (input -> op -> output).
The backward view keeps the same layout, turns the arrows around and writes on each
edge the gradient it carries back, so the rules of backpropagation can be read off it:
addition sends ``g`` unchanged to both inputs, matmul sends ``g @ W^T`` to X and
``X^T @ g`` to W.
"""

from __future__ import annotations

import numbers
import sys
import warnings
from typing import Any, Mapping

import numpy as np

from ..errors import NonLeafGradWarning, UsageError
from ..tensor import Tensor
from ._gradients import Gradients, compute_gradients
from ._graph import RELEASED, GraphView, collect, inputs_of, packed_op
from ._labels import (format_grad, format_shape, format_state, format_values, html_label,
                      is_finite)
from ._render import require_graphviz

__all__ = ["draw_graph", "draw_backward", "make_dot", "STYLE", "RULES"]

STYLE: dict[str, dict[str, str]] = {
    "parameter": {"fillcolor": "#cfe5fb", "color": "#2b6cb0"},
    "constant": {"fillcolor": "#ececec", "color": "#8a8a8a", "style": "rounded,filled,dashed"},
    "intermediate": {"fillcolor": "#ffffff", "color": "#444444"},
    "root": {"fillcolor": "#ffe0a6", "color": "#c05600", "penwidth": "2", "peripheries": "2"},
    "nonfinite": {"fillcolor": "#ff9c9c", "color": "#c00000", "penwidth": "2.5"},
    "op": {"shape": "ellipse", "style": "filled", "fillcolor": "#fff6c7", "color": "#9a7b00"},
    "more": {"shape": "box", "style": "dashed", "color": "#666666", "fontcolor": "#444444"},
    "packed": {"shape": "box", "style": "rounded,dashed", "color": "#9a7b00",
               "fontcolor": "#6b5500"},
    "cluster": {"style": "rounded,dashed", "color": "#2b6cb0", "fontcolor": "#2b6cb0"},
    "backward_edge": {"dir": "back", "color": "#c53030", "fontcolor": "#c53030"},
    "no_grad_edge": {"style": "dotted", "color": "#9a9a9a"},
}

# What the VJP of an op sends to input i, written with the drawn names: {0}, {1} are the
# inputs, {out} the output (a name that is an expression, "y - y_hat", is put in
# brackets). "Add distributes, matmul switches" in the picture's own words.
RULES: dict[str, tuple[str, ...]] = {
    "Add": ("g", "g"), "Sub": ("g", "-g"), "Neg": ("-g",),
    "Mul": ("g * {1}", "g * {0}"), "Div": ("g / {1}", "-g * {out} / {1}"),
    "MatMul": ("g @ {1}^T", "{0}^T @ g"),
    "Affine": ("g @ {1}", "g^T @ {0}", "g summed over rows"),  # nn's fused x W^T + b
    "AddScalar": ("g",), "SubScalar": ("g",), "RSubScalar": ("-g",), "MulScalar": ("c g",),
    "DivScalar": ("g / c",), "HalfMulScalar": ("c g",), "HalfDivScalar": ("g / c",),
    "PowScalar": ("p {0}^(p-1) g",), "Exp": ("g * {out}",), "Log": ("g / {0}",),
    "Tanh": ("g (1 - {out}^2)",), "Sigmoid": ("g {out} (1 - {out})",),
    "Relu": ("g [{0} > 0]",), "Sum": ("g, broadcast",),
}

_RANKDIRS = ("LR", "RL", "TB", "BT")


def _operand(name: str) -> str:
    """``name`` as an operand of a rule: an identifier or a dotted parameter path
    ("hidden1.weight") as it is, anything else in brackets, so "p (y - y_hat)^(p-1) g"
    is not read as "p y - y_hat^(p-1) g"."""
    if name == "?" or all(part.isidentifier() for part in name.split(".")):
        return name
    return f"({name})"


def draw_graph(*roots: Tensor, show_values: bool = True, show_grad: bool = True,
               rankdir: str = "LR", max_nodes: int | None = 300,
               names: Mapping[str, Tensor] | None = None, model: Any = None,
               direction: str = "forward", max_values: int | None = 6, clusters: bool = True,
               show_rules: bool = True, title: str | None = None) -> Any:
    """Draw the graph that computed ``roots`` and return a ``graphviz.Digraph``.

    A tensor node shows its name (``names={"W1": W1}`` or (name, tensor) pairs such as
    ``net.named_parameters()``, else the dotted parameter name
    when ``model=`` is given, else ``Tensor.name``, else ``t0, t1...``), its shape and
    dtype; with ``show_values`` its values when it has at most ``max_values`` elements
    (None: always), else mean/min/max; with ``show_grad`` its gradient (norm when large). Colours:
    blue = leaf that requires grad (parameter), grey dashed = input or constant,
    orange double border = root, red = NaN or Inf in the value or the gradient.
    An op node shows the op and its non-tensor arguments. A PyTorch-style ``Function``
    with several outputs has one internal node, "outputs of <Op>" (dashed, no values),
    between its op and its outputs. ``title`` (a str) is drawn literally above.

    ``direction="forward"`` shows the gradients the engine stored (``.grad``: leaves,
    and intermediates that called ``retain_grad()``). ``direction="backward"`` computes
    d(roots)/d(node) itself (seeding ones, i.e. the gradient of ``root.sum()``), draws
    the same layout with the arrows reversed and labels each edge with the gradient it
    carries (and, with ``show_rules``, the rule that produced it). It does not run
    ``register_hook`` hooks (user code, maybe with side effects): a tensor with hooks
    says so, and the gradients drawn from it on are those without the hooks.

    ``model`` (anything with ``named_parameters()``, e.g. an ``nn.Module``) names the
    parameters and, with ``clusters``, groups them in one box per module. More than
    ``max_nodes`` nodes (None: no limit) are cut: the nodes nearest the roots are drawn
    and a "... N more nodes" node marks the rest. ``rankdir`` is Graphviz's layout
    direction ("LR", "TB", ...). Drawing is iterative; large graphs are fine.
    """
    graphviz = require_graphviz()
    if direction not in ("forward", "backward"):
        raise UsageError(f"direction must be 'forward' or 'backward'; got {direction!r}")
    if rankdir not in _RANKDIRS:
        raise UsageError(f"rankdir must be one of {', '.join(_RANKDIRS)}; got {rankdir!r}")
    if max_values is not None and (isinstance(max_values, bool) or not isinstance(
            max_values, numbers.Integral) or max_values < 0):
        raise UsageError(f"max_values must be an int >= 0 (or None to always show the "
                         f"values); got {type(max_values).__name__} {max_values!r:.40}")
    if title is not None and not isinstance(title, str):
        raise UsageError(f"title must be a str (or None for no title); got "
                         f"{type(title).__name__} {title!r:.40}. Pass str(...) of it.")
    max_values = sys.maxsize if max_values is None else int(max_values)
    view = collect(roots, max_nodes, names, model)
    grads = None
    if direction == "backward" and show_grad:
        grads = compute_gradients(view.roots, view.order, view.kept)
    graph = graphviz.Digraph(
        "autograd",
        graph_attr={"rankdir": rankdir, "fontname": "Helvetica", "fontsize": "11",
                    "nodesep": "0.25", "ranksep": "0.35", "bgcolor": "white"},
        node_attr={"fontname": "Helvetica", "fontsize": "10", "shape": "box",
                   "style": "rounded,filled", "margin": "0.12,0.05"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9", "arrowsize": "0.7"})
    if title:  # escaped as the tensor names are: drawn literally, "<a & b>" included
        graph.attr(label=html_label([("plain", [title])]), labelloc="t")
    _Painter(graph, view, grads, direction, show_values, show_grad, max_values,
             show_rules).paint(clusters)
    return graph


def draw_backward(*roots: Tensor, **options: Any) -> Any:
    """``draw_graph(*roots, direction="backward", **options)``: gradients on the edges."""
    return draw_graph(*roots, direction="backward", **options)


def make_dot(var: Any, params: Any = None, show_attrs: bool = True,
             show_saved: bool = False) -> Any:
    """torchviz's ``make_dot(var, params=dict(model.named_parameters()))``, so a PyTorch
    user's line runs unchanged: ``draw_graph(var, names=params)`` (``var`` one tensor or
    a tuple of them). ``show_attrs``: the ops' arguments (drawn here in any case);
    ``show_saved``: what the ops keep for the backward pass, here the tensors' values."""
    roots = tuple(var) if isinstance(var, (tuple, list)) else (var,)
    return draw_graph(*roots, names=params, show_values=bool(show_saved), show_grad=False)


class _Painter:
    """Writes the nodes and edges of one drawing."""

    def __init__(self, graph: Any, view: GraphView, grads: Gradients | None,
                 direction: str, show_values: bool, show_grad: bool, max_values: int,
                 show_rules: bool) -> None:
        self.graph, self.view, self.grads = graph, view, grads
        self.backward = direction == "backward"
        self.show_values, self.show_grad = show_values, show_grad
        self.max_values, self.show_rules = max_values, show_rules
        self.drawn = view.drawn
        self.ids = {id(t): f"n{k}" for k, t in enumerate(self.drawn)}
        self.roots = {id(r) for r in view.roots}

    def paint(self, clusters: bool) -> None:
        in_cluster: dict[int, Any] = {}
        boxes = []
        for k, path in enumerate(self.view.clusters if clusters else ()):
            box = type(self.graph)(name=f"cluster_{k}")
            box.attr(label=self.view.cluster_labels[path], **STYLE["cluster"])
            boxes.append(box)
            for key in self.view.clusters[path]:
                in_cluster[key] = box
        for t in self.drawn:
            self._tensor_node(in_cluster.get(id(t), self.graph), t)
        for box in boxes:
            self.graph.subgraph(box)
        for t in self.drawn:
            if t.grad_fn is not None:
                self._op(t)
        if self.view.hidden:
            self._more()

    # ------------------------------------------------------------------ nodes
    def _packed_node(self, where: Any, t: Tensor) -> None:
        """The internal node of a Function's several outputs: labelled, without values
        (its array is placeholder zeros, not something the op produced)."""
        blocks = [("title", [f"outputs of {packed_op(t).name()}"]),
                  ("meta", [f"{t.size} elements, packed"])]
        where.node(self.ids[id(t)], html_label(blocks), **STYLE["packed"])

    def _tensor_node(self, where: Any, t: Tensor) -> None:
        key = id(t)
        if packed_op(t) is not None:
            self._packed_node(where, t)
            return
        data = t.data
        blocks = [("title", [self.view.names[key]]),
                  ("meta", [f"{format_shape(t.shape)} {t.dtype}"])]
        numbers = "mono" if t.size <= self.max_values else "stats"  # arrays or statistics
        if self.show_values:
            blocks.append((numbers, format_values(data, self.max_values)))
        grad = self._node_grad(t)
        if grad is not None:
            blocks.append((numbers, format_grad(grad, self.max_values)))
        hooks = len(t._hooks or ()) if self.grads is not None else 0
        if hooks:  # user code: the private pass does not run it (see compute_gradients)
            blocks.append(("warn", [f"{hooks} hook{'s' * (hooks > 1)} not applied here"]))
        bad = [what for what, a in (("value", data), ("grad", grad)) if not is_finite(a)]
        if bad:
            blocks.append(("warn", ["NaN/Inf in " + " and ".join(bad)]))
            kind = "nonfinite"
        elif key in self.roots:
            kind = "root"
        elif t.grad_fn is not None:
            kind = "intermediate"
        else:
            kind = "parameter" if t.requires_grad else "constant"
        attrs = dict(STYLE[kind])
        if key in self.roots:
            attrs["peripheries"] = "2"
        where.node(self.ids[key], html_label(blocks), **attrs)

    def _node_grad(self, t: Tensor) -> np.ndarray | None:
        if not self.show_grad:
            return None
        if self.grads is not None:
            return self.grads.nodes.get(id(t))
        if self.backward:
            return None
        with warnings.catch_warnings():  # a non-leaf's .grad: set by hand (micrograd's
            warnings.simplefilter("ignore", NonLeafGradWarning)  # lecture), or None
            grad = t.grad
        return None if grad is None else grad.data

    def _op(self, t: Tensor) -> None:
        op = t.grad_fn
        op_id = "f" + self.ids[id(t)][1:]
        blocks = [("title", [op.name()]), ("meta", format_state(op))]
        if op.parents is None:
            blocks.append(("warn", [RELEASED]))
        elif self.grads is not None and id(t) in self.grads.failed:
            blocks.append(("warn", ["vjp not drawable"]))
        self.graph.node(op_id, html_label(blocks), **STYLE["op"])
        out_attrs = dict(STYLE["backward_edge"]) if self.backward else {}
        g = self._node_grad(t) if self.backward else None
        if g is not None:
            lines = format_grad(g, self.max_values, "g", " = ")
            out_attrs["label"] = html_label([("mono", lines if len(lines) == 1 else ["g"])])
        self.graph.edge(op_id, self.ids[id(t)], **out_attrs)
        for i, parent in enumerate(inputs_of(t)):
            if id(parent) in self.ids:
                self.graph.edge(self.ids[id(parent)], op_id, **self._input_edge(t, i))

    def _input_edge(self, t: Tensor, i: int) -> dict[str, str]:
        """Attributes of the edge from input ``i`` of ``t``'s op to the op."""
        op = t.grad_fn
        if not self.backward:
            return {}
        if not op.parents[i].requires_grad:
            return dict(STYLE["no_grad_edge"])
        attrs = dict(STYLE["backward_edge"])
        blocks: list[tuple[str, list[str]]] = []
        rule = RULES.get(op.name()) if self.show_rules else None
        if rule is not None and i < len(rule):
            names = [_operand(self.view.names.get(id(p), "?")) for p in op.parents]
            out = _operand(self.view.names[id(t)])
            blocks.append(("rule", [rule[i].format(*names, out=out)]))
        edge = self.grads.edges.get((id(t), i)) if self.grads is not None else None
        if edge is not None:
            blocks.append(("mono", format_grad(edge.value, self.max_values, "",
                                               "= " if blocks else "")))
            if edge.summed_from is not None:
                blocks.append(("meta", [f"summed from {format_shape(edge.summed_from)}"]))
            if not is_finite(edge.value):
                attrs["penwidth"] = "2.5"
                blocks.append(("warn", ["NaN/Inf"]))
        if blocks:
            attrs["label"] = html_label(blocks)
        return attrs

    def _more(self) -> None:
        self.graph.node("more", f"... {self.view.hidden:,} more nodes", **STYLE["more"])
        attrs = {"style": "dashed", "color": "#888888"}
        if self.backward:
            attrs["dir"] = "back"
        for t in self.drawn:
            if id(t) in self.view.cut:
                self.graph.edge("more", "f" + self.ids[id(t)][1:], **attrs)
