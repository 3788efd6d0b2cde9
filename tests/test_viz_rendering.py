"""Tests of ``autograd.viz`` beyond the structure: the backward view's edge gradients,
large graphs, the optional dependencies, and real rendering through ``dot``."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autograd as ag

graphviz = pytest.importorskip("graphviz", reason="the 'graphviz' package is not installed")
from autograd import viz  # noqa: E402
# rng is a pytest fixture, used by name
from viz_helpers import (ROOT, needs_dot, rng, parse, label, graph_size, node_named,
                         scalar_expression, hidden_layer)


# ---------------------------------------------------------------- backward view
def _edges_into(nodes, edges, op_name):
    op = next(k for k, a in nodes.items() if label(a).startswith(op_name))
    return {label(nodes[t]).split("\n")[0]: label(a) for t, h, a in edges if h == op}


def test_backward_view_add_distributes_and_matmul_switches():
    X = ag.Tensor([[1.0, 2.0]], requires_grad=True)
    W = ag.Tensor([[3.0], [4.0]], requires_grad=True)
    b = ag.Tensor([0.5], requires_grad=True)
    xw = X @ W
    y = xw + b
    L = y * 3.0
    nodes, edges = parse(viz.draw_backward(L, names={"X": X, "W": W, "b": b, "xw": xw}))
    assert all("dir=back" in a for _, _, a in edges)
    into_add = _edges_into(nodes, edges, "Add")
    assert into_add["xw"].split("\n")[0] == into_add["b"].split("\n")[0] == "g"
    assert "= 3" in into_add["xw"] and "= 3" in into_add["b"]  # the same g on both
    into_matmul = _edges_into(nodes, edges, "MatMul")
    assert "g @ W^T" in into_matmul["X"] and "= [[ 9., 12.]]" in into_matmul["X"]
    assert "X^T @ g" in into_matmul["W"] and "= [[3.]," in into_matmul["W"]


def test_backward_view_gradients_match_the_engine(rng):
    L, names = hidden_layer(rng)
    graph = viz.draw_backward(L, names=names)  # drawn before backward: computed itself
    L.backward(retain_graph=True)  # keeps the graph (and its arrays) for the drawing
    again = viz.draw_backward(L, names=names)
    assert graph.source == again.source
    nodes, _ = parse(again)
    for name in ("W1", "b1", "W2"):
        expected = np.array2string(names[name].grad.data, separator=", ",
                                   precision=3, suppress_small=True, floatmode="maxprec")
        assert expected.split("\n")[0] in label(node_named(nodes, name))


def test_backward_view_edges_of_an_input_used_twice_add_up():
    x = ag.Tensor(3.0, requires_grad=True, name="x")
    y = x * x
    nodes, edges = parse(viz.draw_backward(y, show_rules=False))
    into_mul = [label(a) for _, h, a in edges if label(nodes[h]).startswith("Mul")]
    assert into_mul == ["3", "3"]  # each edge carries g * (the other factor)
    assert "grad 6" in label(node_named(nodes, "x"))


def test_backward_view_marks_summed_broadcasts_and_constants(rng):
    x = ag.Tensor(rng.normal(size=(4, 3)))
    b = ag.Tensor(np.zeros(3), requires_grad=True)
    nodes, edges = parse(viz.draw_backward((x + b).sum(), names={"x": x, "b": b}))
    into_add = _edges_into(nodes, edges, "Add")
    assert "summed from (4, 3)" in into_add["b"] and "= [4., 4., 4.]" in into_add["b"]
    constant_edge = next(a for t, _, a in edges if label(nodes[t]).startswith("x\n"))
    assert "style=dotted" in constant_edge and "label" not in constant_edge


# ---------------------------------------------------------------- large graphs
def test_a_long_chain_is_cut_with_a_more_node():
    x = ag.Tensor(np.ones(2), requires_grad=True)
    y = x
    for i in range(100_000):
        y = y * 1.0000001 if i % 2 else y + 0.5
    loss = y.sum()
    tensors, ops, _ = graph_size(loss)
    for direction in ("forward", "backward"):
        graph = viz.draw_graph(loss, max_nodes=50, direction=direction)
        nodes, edges = parse(graph)
        assert len(nodes) <= 50
        hidden = int(re.search(r"\.\.\. ([\d,]+) more nodes", graph.source)[1].replace(",", ""))
        assert hidden + len(nodes) - 1 == tensors + ops
        assert sum(t == "more" for t, _, _ in edges) == 1


def test_max_nodes_none_draws_everything_and_small_limits_are_refused(rng):
    L, names = hidden_layer(rng)
    tensors, ops, _ = graph_size(L)
    assert len(parse(viz.draw_graph(L, max_nodes=None))[0]) == tensors + ops
    assert "more" not in parse(viz.draw_graph(L, max_nodes=tensors + ops))[0]
    with pytest.raises(ValueError, match="max_nodes"):
        viz.draw_graph(L, max_nodes=1)


def test_bad_arguments_are_explained(rng):
    L, _ = hidden_layer(rng)
    with pytest.raises(ValueError, match="direction"):
        viz.draw_graph(L, direction="sideways")
    with pytest.raises(ValueError, match="rankdir"):
        viz.draw_graph(L, rankdir="up")
    with pytest.raises(TypeError, match="Tensors"):
        viz.draw_graph(np.ones(3))
    with pytest.raises(ValueError, match="at least one"):
        viz.draw_graph()
    with pytest.raises(ValueError, match="format"):
        viz.save_graph(viz.draw_graph(L), "graph.bmp")


def test_a_leaf_alone_and_several_roots(rng):
    x = ag.Tensor(rng.normal(size=3), requires_grad=True)
    assert len(parse(viz.draw_graph(x))[0]) == 1
    a, b = (x * 2).sum(), (x + 1).sum()
    nodes, edges = parse(viz.draw_backward(a, b))
    assert sum("peripheries=2" in v for v in nodes.values()) == 2
    assert len(nodes) == sum(graph_size(a, b)[:2])


# ---------------------------------------------------------------- dependencies
def test_import_autograd_does_not_import_graphviz():
    code = "import autograd, sys; assert 'graphviz' not in sys.modules, 'imported'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_missing_graphviz_package_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # makes `import graphviz` fail
    with pytest.raises(ImportError, match=re.escape('pip install -e ".[viz]"')) as err:
        viz.draw_graph(ag.Tensor(1.0))
    assert isinstance(err.value, ag.errors.MissingDependencyError)  # as nn's optional extras


def test_missing_dot_program_says_how_to_install(tmp_path, monkeypatch):
    graph = viz.draw_graph(scalar_expression())
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(viz.GraphvizNotFoundError) as info:
        viz.save_graph(graph, tmp_path / "g.svg")
    assert isinstance(info.value, RuntimeError)
    for hint in ("apt-get install graphviz", "brew install graphviz",
                 "conda install -c conda-forge graphviz"):
        assert hint in str(info.value)
    assert (tmp_path / "g.gv").read_text() == graph.source  # the DOT source is kept
    assert viz.save_graph(graph, tmp_path / "g.dot").read_text() == graph.source


# ---------------------------------------------------------------- real rendering
@needs_dot
def test_render_svg_has_one_svg_node_per_graph_node(tmp_path, rng):
    L, names = hidden_layer(rng)
    L.backward(retain_graph=True)
    for direction in ("forward", "backward"):
        graph = viz.draw_graph(L, names=names, direction=direction)
        path = viz.save_graph(graph, tmp_path / f"{direction}.svg")
        root = ET.parse(path).getroot()
        groups = [g.get("class") for g in root.iter("{http://www.w3.org/2000/svg}g")]
        assert groups.count("node") == len(parse(graph)[0])
        assert groups.count("edge") == len(parse(graph)[1])


@needs_dot
def test_render_png_and_pdf_have_valid_headers(tmp_path):
    graph = viz.draw_graph(scalar_expression())
    assert viz.save_graph(graph, tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert viz.save_graph(graph, tmp_path / "g", format="pdf").read_bytes()[:5] == b"%PDF-"
    assert (tmp_path / "g.pdf").exists()
    assert viz.save_graph(graph, tmp_path / "g.jpg").read_bytes()[:3] == b"\xff\xd8\xff"


@needs_dot
def test_the_example_writes_its_pictures(tmp_path):
    run = subprocess.run([sys.executable, "-m", "examples.visualize_graph", "--out",
                          str(tmp_path)], cwd=ROOT, capture_output=True, text=True, check=True)
    assert str(tmp_path.resolve()) in run.stdout
    for name in ("scalar_expression", "scalar_expression_backward", "hidden_layer_forward",
                 "hidden_layer_backward", "mlp_clusters"):
        assert (tmp_path / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
        ET.parse(tmp_path / f"{name}.svg")


def test_a_graph_released_by_backward_is_drawn_up_to_the_release_with_a_note(rng):
    L, names = hidden_layer(rng)
    L.backward()  # without retain_graph: the inputs of L's op are released
    nodes, edges = parse(viz.draw_graph(L, names=names))
    assert len(nodes) == 2 and len(edges) == 1  # L and the op that made it
    assert "retain_graph=True" in viz.draw_graph(L).source


def test_the_example_draws_whole_graphs_after_backward():
    from examples.visualize_graph import hidden_layer as example_hidden_layer
    from examples.visualize_graph import scalar_expression as example_scalar
    for graph in example_scalar():
        nodes, _ = parse(graph)
        names = {label(attrs).split("\n")[0] for attrs in nodes.values()}
        assert {"a", "b", "c", "f", "e", "d", "L"} <= names
    forward, backward = example_hidden_layer(np.random.default_rng(0))
    for graph in (forward, backward):
        names = {label(attrs).split("\n")[0] for attrs in parse(graph)[0].values()}
        assert {"x", "W1", "b1", "W2", "b2", "L"} <= names
    edge_labels = [label(attrs) for _, _, attrs in parse(backward)[1]]
    assert any(text.startswith("g @ W2^T") for text in edge_labels)  # matmul switches
