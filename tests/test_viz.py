"""Tests of ``autograd.viz``'s DOT structure: node and edge counts, labels, styles
and clusters. The backward view, large graphs and rendering are in
test_viz_rendering.py."""

from __future__ import annotations

import re

import numpy as np
import pytest

import autograd as ag

graphviz = pytest.importorskip("graphviz", reason="the 'graphviz' package is not installed")
from autograd import viz  # noqa: E402
# rng is a pytest fixture, used by name
from viz_helpers import (rng, parse, label, graph_size, node_named, scalar_expression,
                         hidden_layer)


# ---------------------------------------------------------------- structure
def test_node_and_edge_counts_equal_the_graph(rng):
    L, names = hidden_layer(rng)
    L.backward(retain_graph=True)
    for direction in ("forward", "backward"):
        nodes, edges = parse(viz.draw_graph(L, names=names, direction=direction))
        tensors, ops, n_edges = graph_size(L)
        assert len(nodes) == tensors + ops
        assert len(edges) == n_edges


def test_edges_follow_the_data(rng):
    L, names = hidden_layer(rng)
    nodes, edges = parse(viz.draw_graph(L, names=names))
    ids = {label(a).split("\n")[0]: k for k, a in nodes.items()}
    matmul = [h for t, h, _ in edges if t == ids["x"]][0]
    assert label(nodes[matmul]).startswith("MatMul")
    assert (ids["W1"], matmul) in {(t, h) for t, h, _ in edges}
    assert not any(t == ids["L"] for t, _, _ in edges)  # nothing flows out of the root


def test_labels_carry_names_shapes_values_and_grads():
    L = scalar_expression()
    nodes, _ = parse(viz.draw_graph(L))
    a = label(node_named(nodes, "a"))
    assert "() float64" in a and "data 2" in a and "grad 6" in a
    assert "grad -2" in label(node_named(nodes, "e"))  # retain_grad() kept it
    assert "grad" not in label(node_named(nodes, "d"))  # an intermediate without it
    assert "grad" not in label(node_named(nodes, "f"))  # a constant
    nodes, _ = parse(viz.draw_graph(L, show_values=False, show_grad=False))
    assert "data" not in label(node_named(nodes, "a"))
    assert "grad" not in label(node_named(nodes, "a"))


def test_large_tensors_show_statistics_and_gradient_norm(rng):
    W = ag.Tensor(rng.normal(size=(20, 30)).astype(np.float32), requires_grad=True)
    loss = (W * W).sum()
    loss.backward(retain_graph=True)
    text = label(node_named(parse(viz.draw_graph(loss, names={"W": W}))[0], "W"))
    assert "(20, 30) float32" in text
    data = W.data.astype(np.float64)
    assert f"mean {data.mean():.4g}" in text and f"max {data.max():.4g}" in text
    assert f"|grad| {np.linalg.norm(2 * data):.4g}" in text


def test_short_ids_for_unnamed_tensors_and_names_override(rng):
    x = ag.Tensor(rng.normal(size=3), requires_grad=True, name="from_tensor")
    y = (x * 2).sum()
    first = {label(a).split("\n")[0] for a in parse(viz.draw_graph(y))[0].values()}
    assert {"from_tensor", "t0", "t1"} <= first
    second = {label(a).split("\n")[0]
              for a in parse(viz.draw_graph(y, names={"given": x}))[0].values()}
    assert "given" in second and "from_tensor" not in second


def test_op_nodes_show_their_arguments_not_bookkeeping(rng):
    x = ag.Tensor(rng.normal(size=(2, 3)), requires_grad=True)
    y = (x ** 3).sum(axis=1).reshape(1, 2).mean()
    ops = [label(a) for a in parse(viz.draw_graph(y))[0].values()
           if label(a).split("\n")[0][0].isupper()]
    pow_label = next(t for t in ops if t.startswith("PowScalar"))
    assert "p=3" in pow_label
    assert any(t.startswith("Sum") and "axis=(1,)" in t for t in ops)
    reshape = next(t for t in ops if t.startswith("Reshape"))
    assert "shape=(1, 2)" in reshape and "source" not in reshape


def test_parameters_inputs_and_root_are_styled_apart(rng):
    L, names = hidden_layer(rng)
    nodes, _ = parse(viz.draw_graph(L, names=names))
    assert viz.STYLE["parameter"]["fillcolor"] in node_named(nodes, "W1")
    assert viz.STYLE["constant"]["fillcolor"] in node_named(nodes, "x")
    root = node_named(nodes, "L")
    assert viz.STYLE["root"]["fillcolor"] in root and "peripheries=2" in root
    assert sum("peripheries=2" in a for a in nodes.values()) == 1


def test_nan_and_inf_are_highlighted():
    x = ag.Tensor([-1.0, 4.0], requires_grad=True)
    y = x.log()  # log(-1) is NaN
    nodes, _ = parse(viz.draw_graph(y.sum(), names={"y": y}))
    bad = node_named(nodes, "y")
    assert viz.STYLE["nonfinite"]["fillcolor"] in bad and "NaN/Inf in value" in label(bad)
    z = ag.Tensor([0.0, 4.0], requires_grad=True)
    s = z.sqrt().sum()  # finite value, infinite gradient at 0
    s.backward(retain_graph=True)
    nodes, _ = parse(viz.draw_graph(s, names={"z": z}))
    assert "NaN/Inf in grad" in label(node_named(nodes, "z"))
    assert sum(viz.STYLE["nonfinite"]["fillcolor"] in a for a in nodes.values()) == 1


def test_clusters_from_dotted_names(rng):
    x = ag.Tensor(rng.normal(size=(2, 3)))
    p = {f"{layer}.{kind}": ag.Tensor(rng.normal(size=shape), requires_grad=True)
         for layer, shapes in (("fc1", ((3, 4), (4,))), ("fc2", ((4, 1), (1,))))
         for kind, shape in zip(("weight", "bias"), shapes)}
    out = ((x @ p["fc1.weight"] + p["fc1.bias"]).tanh() @ p["fc2.weight"] + p["fc2.bias"])
    source = viz.draw_graph(out.sum(), names=p).source
    clusters = re.findall(r"subgraph (cluster_\w+) \{(.*?)\n\t\}", source, re.S)
    assert len(clusters) == 2
    bodies = {re.search(r"label=(\w+)", body)[1]: body for _, body in clusters}
    assert set(bodies) == {"fc1", "fc2"}
    assert "fc1.weight" in bodies["fc1"] and "fc1.bias" in bodies["fc1"]
    assert "fc2" not in bodies["fc1"].replace("label=fc1", "")
    assert "subgraph" not in viz.draw_graph(out.sum(), names=p, clusters=False).source


class Linear:
    """A duck-typed module: the drawing only needs named_parameters/named_modules."""

    def __init__(self, rng, n_in, n_out):
        self.weight = ag.Tensor(rng.normal(size=(n_in, n_out)), requires_grad=True)
        self.bias = ag.Tensor(np.zeros(n_out), requires_grad=True)

    def __call__(self, x):
        return x @ self.weight + self.bias


class TwoLayers:
    def __init__(self, rng):
        self.first, self.second = Linear(rng, 3, 4), Linear(rng, 4, 2)

    def named_modules(self):
        return [("", self), ("first", self.first), ("second", self.second)]

    def named_parameters(self):
        return [(f"{m}.{k}", getattr(getattr(self, m), k))
                for m in ("first", "second") for k in ("weight", "bias")]


def test_clusters_and_names_from_a_model(rng):
    model = TwoLayers(rng)
    x = ag.Tensor(rng.normal(size=(5, 3)))
    loss = model.second(model.first(x).relu()).sum()
    loss.backward(retain_graph=True)
    graph = viz.draw_graph(loss, model=model, names={"x": x})
    clusters = re.findall(r"subgraph cluster_\w+ \{(.*?)\n\t\}", graph.source, re.S)
    assert [re.search(r'label="(.*?)"', c)[1] for c in clusters] == ["first (Linear)",
                                                                     "second (Linear)"]
    assert not any("x\n" in label(line) for c in clusters for line in c.split("\n"))
    nodes, _ = parse(graph)
    assert "(4, 2) float64" in label(node_named(nodes, "second.weight"))
    with pytest.raises(TypeError, match="named_parameters"):
        viz.draw_graph(loss, model=object())


def test_clusters_from_an_nn_module(rng):
    nn = pytest.importorskip("nn", reason="the nn package is not importable")
    model = nn.Sequential({"fc1": nn.Linear(3, 4), "fc2": nn.Linear(4, 2)})
    x = ag.Tensor(rng.normal(size=(5, 3)))
    loss = model(x).sum()
    loss.backward(retain_graph=True)
    source = viz.draw_graph(loss, model=model, names={"x": x}).source
    assert re.findall(r'label="(\w+ \(\w+\))"', source) == ["fc1 (Linear)", "fc2 (Linear)"]
    nodes, _ = parse(viz.draw_graph(loss, model=model))
    for name in ("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"):
        assert viz.STYLE["parameter"]["fillcolor"] in node_named(nodes, name)


def test_a_list_of_roots_draws_as_the_roots_themselves(rng):
    """draw_graph([a, b]) as draw_graph(a, b) (topological_order takes a list too)."""
    x = ag.Tensor(rng.standard_normal(3), requires_grad=True, name="x")
    a, b = (x * 2.0).sum(), x.exp().sum()
    assert parse(viz.draw_graph([a, b])) == parse(viz.draw_graph(a, b))
    assert parse(viz.draw_graph((a, b))) == parse(viz.draw_graph(a, b))


def test_names_with_keys_and_values_swapped_say_so(rng):
    W = ag.Tensor(rng.standard_normal((40, 40)), requires_grad=True)
    y = (W * W).sum()
    with pytest.raises(ag.UsageError, match=r"got a tensor of shape \(40, 40\) as a key.*swap") \
            as info:
        viz.draw_graph(y, names={W: "W"})
    assert len(str(info.value)) < 300  # not the whole tensor printed
