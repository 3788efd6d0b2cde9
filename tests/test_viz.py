"""Tests of ``autograd.viz``: the DOT structure (counts, labels, styles, clusters, the
backward view's edge gradients), large graphs, and real rendering through ``dot``."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import autograd as ag

graphviz = pytest.importorskip("graphviz", reason="the 'graphviz' package is not installed")
from autograd import viz  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's `dot` program is not on PATH")

NODE = re.compile(r"^\t+(\w+) \[(.*)\]$", re.M)
EDGE = re.compile(r"^\t(\w+) -> (\w+)(?: \[(.*)\])?$", re.M)


# ---------------------------------------------------------------- helpers
@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def parse(graph) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Node id -> attribute text, and (tail, head, attribute text) per edge."""
    source = graph.source
    nodes = {m[1]: m[2] for m in NODE.finditer(source) if m[1] not in ("graph", "node", "edge")}
    edges = [(m[1], m[2], m[3] or "") for m in EDGE.finditer(source)]
    return nodes, edges


def label(attrs: str) -> str:
    """The label's text without HTML tags."""
    match = (re.search(r"label=<(.*)>(?: |$)", attrs) or re.search(r'label="(.*?)"', attrs)
             or re.search(r"label=(\w+)", attrs))
    if match is None:
        return ""
    text = "\n".join(line.strip() for line in re.sub(r"<[^>]*>", "\n", match[1]).split("\n")
                     if line.strip())
    return text.replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&")


def graph_size(*roots: ag.Tensor) -> tuple[int, int, int]:
    """(tensors, ops, edges) of the graph behind ``roots``, counted independently."""
    seen, stack, ops, edges = set(), list(roots), 0, 0
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        if t.grad_fn is not None:
            ops += 1
            edges += 1 + len(t.grad_fn.parents)
            stack.extend(t.grad_fn.parents)
    return len(seen), ops, edges


def node_named(nodes: dict[str, str], name: str) -> str:
    found = [attrs for attrs in nodes.values() if label(attrs).split("\n")[0] == name]
    assert len(found) == 1, f"{len(found)} nodes named {name!r}"
    return found[0]


def scalar_expression():
    a = ag.Tensor(2.0, requires_grad=True, name="a")
    b = ag.Tensor(-3.0, requires_grad=True, name="b")
    c = ag.Tensor(10.0, requires_grad=True, name="c")
    e = a * b
    d = e + c
    L = d * ag.Tensor(-2.0, name="f")
    e.name, d.name, L.name = "e", "d", "L"
    e.retain_grad()
    L.backward(retain_graph=True)
    return L


def hidden_layer(rng):
    x = ag.Tensor(rng.normal(size=(4, 2)))
    W1 = ag.Tensor(rng.normal(size=(2, 3)), requires_grad=True)
    b1 = ag.Tensor(rng.normal(size=3), requires_grad=True)
    W2 = ag.Tensor(rng.normal(size=(3, 1)), requires_grad=True)
    h = (x @ W1 + b1).sigmoid()
    L = 0.5 * ((h @ W2 - 1.0) ** 2).sum()
    names = {"x": x, "W1": W1, "b1": b1, "W2": W2, "h": h, "L": L}
    return L, names


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
        viz.save_graph(viz.draw_graph(L), "graph.jpeg")


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
    with pytest.raises(ImportError, match=re.escape('pip install -e ".[viz]"')):
        viz.draw_graph(ag.Tensor(1.0))


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
