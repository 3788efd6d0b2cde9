"""``autograd.viz``: what the labels say about unusual names and values, and that they
render through ``dot`` without errors or warnings."""

from __future__ import annotations

import re
import subprocess

import numpy as np
import pytest

import autograd as ag

graphviz = pytest.importorskip("graphviz", reason="the 'graphviz' package is not installed")
from autograd import viz  # noqa: E402
from viz_helpers import needs_dot, parse, label, node_named  # noqa: E402


def _dot_stderr(graph) -> str:
    """What ``dot`` prints while rendering ``graph`` to SVG (it fails on a bad label)."""
    done = subprocess.run(["dot", "-Tsvg"], input=graph.source.encode(), capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    return done.stderr.decode()


@needs_dot
def test_names_with_line_breaks_tabs_and_control_characters_are_drawn_as_written():
    names = ["line1\nline2", "tab\there", "a\rb", "esc\x1b[31m", "nul\x00", "<b>&amp;</b>"]
    leaves = [ag.Tensor(1.0, requires_grad=True, name=n) for n in names]
    total = leaves[0] * 2
    for leaf in leaves[1:]:
        total = total + leaf * 2
    graph = viz.draw_backward(total)
    assert _dot_stderr(graph) == ""
    nodes, _ = parse(graph)  # one node is one line of DOT source
    assert node_named(nodes, "line1")  # a line break starts a new line of the label
    assert "line1\nline2" in label(node_named(nodes, "line1"))
    assert "a\nb" in label(node_named(nodes, "a"))
    node_named(nodes, "tab here")
    node_named(nodes, "esc\\x1b[31m")
    node_named(nodes, "nul\\x00")
    node_named(nodes, "<b>&amp;</b>")


def test_op_arguments_are_drawn_as_given_not_rounded_to_values_precision():
    x = ag.Tensor([1.0, 2.0], requires_grad=True, name="x")
    y = ((x * 1.0001) ** 0.123456).clip(-0.25, 2.5)
    ops = [label(a) for a in parse(viz.draw_graph(y))[0].values()]
    assert any(t.startswith("MulScalar") and "c=1.0001" in t for t in ops)  # was c=1
    assert any(t.startswith("PowScalar") and "p=0.123456" in t for t in ops)
    assert any("-0.25" in t and "2.5" in t for t in ops if t.startswith("Clip"))


def test_the_backward_view_says_where_a_hook_was_not_applied():
    x = ag.Tensor([1.0, 2.0], requires_grad=True, name="x")
    y = x * 2
    y.name = "y"
    seen = []
    y.register_hook(lambda g: seen.append(g) or g * 10)
    L = (y ** 2).sum()
    L.backward(retain_graph=True)
    nodes, _ = parse(viz.draw_backward(L))
    assert len(seen) == 1  # drawing runs no user code
    assert "1 hook not applied here" in label(node_named(nodes, "y"))
    assert "hook" not in label(node_named(nodes, "x"))
    assert "hook" not in label(node_named(parse(viz.draw_graph(L))[0], "y"))  # stored grads


@needs_dot
def test_a_long_chain_saved_as_png_fits_the_bitmap_limit_without_a_warning(tmp_path, capfd):
    x = ag.Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(400):
        y = y * 1.0001
    path = viz.save_graph(viz.draw_graph(y), tmp_path / "chain.png")  # 300 nodes in a row
    assert capfd.readouterr().err == ""  # was "graph is too large for cairo-renderer..."
    width = int.from_bytes(path.read_bytes()[16:20], "big")  # the PNG header's IHDR
    assert 20000 < width <= 32767


def test_names_from_named_parameters_and_bad_names_or_max_nodes_are_explained():
    nn = pytest.importorskip("nn")
    net = nn.Linear(2, 1)
    y = net(ag.Tensor([[1.0, 2.0]])).sum()
    nodes, _ = parse(viz.draw_graph(y, names=net.named_parameters()))  # pairs, as dict() takes
    node_named(nodes, "weight")
    with pytest.raises(TypeError, match=r"names= maps each name .* got list"):
        viz.draw_graph(y, names=[net.weight])  # was AttributeError: no attribute 'items'
    for bad in ("10", 10.5, True):
        with pytest.raises(TypeError, match="max_nodes must be an int"):
            viz.draw_graph(y, max_nodes=bad)  # "10" was a bare '<' not supported


def test_shapes_slices_and_the_max_values_boundary_are_drawn_as_python_writes_them():
    """(3,) as Python's tuple, 0:2 without a trailing colon, exactly max_values values in
    full and one more as statistics; a tensor an op keeps (t[i] = v's earlier self) is a
    node, never a label line. Mutants breaking each passed the other viz tests."""
    x = ag.Tensor([1.0, 2.0, 3.0], requires_grad=True, name="x")
    t = x * 1
    t[0] = x[1]
    y = t[::2] + t[0:2].sum()
    labels = [label(a) for a in parse(viz.draw_graph(y, max_values=2))[0].values()]
    assert any(text.startswith("x\n(3,) float64\nmean") for text in labels)
    assert "t3\n(2,) float64\ndata [2., 3.]" in labels  # two values, max_values=2: in full
    assert "GetItem\nindex=0:2" in labels and "GetItem\nindex=::2" in labels
    assert any(text.startswith("SetItem") for text in labels)
    assert not any("Tensor" in text for text in labels)


def _numbers(text: str) -> np.ndarray:
    """The numbers of one label line such as ``grad [1e-05, 0.5]``."""
    return np.array([float(v) for v in re.findall(r"-?\d+(?:\.\d*)?(?:e[-+]\d+)?", text)])


def test_a_vanishing_gradient_is_drawn_with_its_digits_not_as_zero():
    """A vector behind eight sigmoids: the engine's gradient is ~1e-5 to 1e-7. Three
    decimals drew it as ``grad [0., 0.]`` (and -0.0003 as ``-0.``)."""
    w = ag.Tensor(np.array([0.5, -0.5]), requires_grad=True, name="w")
    h = w
    for _ in range(8):
        h = (h * 4.0 - 3.0).sigmoid()
    L = h.sum()
    L.backward(retain_graph=True)
    for graph in (viz.draw_graph(L), viz.draw_backward(L)):
        text = label(node_named(parse(graph)[0], "w"))
        grad_line = next(line for line in text.split("\n") if line.startswith("grad"))
        drawn = _numbers(grad_line)
        assert np.all(drawn != 0), grad_line
        np.testing.assert_allclose(drawn, w.grad.numpy(), rtol=5e-3)
    z = ag.Tensor(np.array([0.25, -0.0, 0.0]), requires_grad=True, name="z")
    assert "-0" not in label(node_named(parse(viz.draw_graph(z * 1))[0], "z"))
