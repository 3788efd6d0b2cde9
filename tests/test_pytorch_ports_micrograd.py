""""The spelled-out intro to neural networks and backpropagation: building micrograd"
(Andrej Karpathy's lecture), ported as its students write it with 0-d tensors in place
of micrograd's ``Value``: each program is written once for a library ``T`` (``autograd``
here, ``torch`` there) and runs next to PyTorch's 0-d float64 tensors; values and
gradients agree to 1e-12, and every gradient is checked against the lecture's own
numerical derivative, never typed in (the lecture's x1.grad = -1.5, w1.grad = 1.0,
x2.grad = 0.5, w2.grad = 0 are what the engine and the finite differences give).
The Neuron/Layer/MLP part: ``test_pytorch_ports_micrograd_mlp.py``; micrograd's demo
notebook (make_moons, the SVM loss): ``test_pytorch_ports_micrograd_demo.py``; the habits
that needed a fix: ``test_pytorch_ports_micrograd_habits.py``.

Where the lecture's line is written differently here, the line says so:
- ``Value(2.0)`` is ``T.tensor(2.0, requires_grad=True)`` (``ag.Tensor(2.0, ...)`` too);
  micrograd's ``Value(0)`` is ``tensor(0.0, ...)``: ``tensor(0)`` is int64 here as in
  PyTorch, which cannot require grad (``ag.Tensor(0, ...)``, the class, gives float64);
- ``Value(2.0, label='a')`` / ``e.label = 'e'``: ``name='a'`` (``ag.tensor`` and
  ``ag.Tensor`` take it) / ``e.name = 'e'``: ``name`` labels a node in ``autograd.viz``'s
  drawings, and ``label`` is an error saying so. PyTorch's ``name`` is read-only and its
  tensors keep any other attribute unused, so the programs call ``named(e, 'e')``;
- ``draw_dot(o)`` is ``autograd.viz.draw_graph(o)`` (a ``graphviz.Digraph``, as draw_dot's);
- micrograd keeps every node's ``.grad``; here, as in PyTorch, leaves keep theirs and an
  intermediate after ``retain_grad()``;
- ``p.grad = 0.0``: PyTorch refuses a float (``p.grad = None`` there); here both work;
- ``loss.data`` is a 0-d NumPy array here (a float in micrograd, a 0-d tensor in
  PyTorch); ``print(k, loss.data)`` prints the same number, ``loss.item()`` is a float;
- ``o.backward(); draw_dot(o)``: ``o.backward(retain_graph=True)`` (or draw first), as
  backward releases the graph's inputs here (PyTorch keeps its nodes, freeing only the
  saved tensors); a drawing of a released graph says so and names retain_graph=True;
- the lecture's hand-run backward (``o._backward()``, a topological sort over ``v._prev``)
  reads micrograd's private fields; the public graph here is ``o.grad_fn.parents``.
"""

import numpy as np
import pytest

import autograd as ag
from viz_helpers import label, needs_dot, node_named, parse

B = 6.8813735870195432  # the lecture's bias: n = 0.8814, o = tanh(n) = 0.7071


def assert_close(got, want, rtol=1e-12, atol=1e-14):
    np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(want, dtype=float),
                               rtol=rtol, atol=atol)


def named(t, text):
    """The lecture's ``e.label = 'e'``: ``e.name = 'e'`` here; PyTorch's ``name`` is
    read-only (its tensors take ``e.label = 'e'`` as a new attribute, unused)."""
    if isinstance(t, ag.Tensor):
        t.name = text
    return t


# ------------------------------------------------------------------ derivatives
def f(x):
    return 3*x**2 - 4*x + 5


def test_the_lectures_first_function_and_its_numerical_derivative(torch):
    """f(x) = 3x^2 - 4x + 5 on numbers, on ``np.arange(-5, 5, 0.25)`` as a tensor, and
    ``(f(x + h) - f(x)) / h`` beside what backward gives."""
    h = 0.0001
    x = ag.tensor(3.0, requires_grad=True)
    y = f(x)
    y.backward()
    assert y.item() == f(3.0) and abs(x.grad.item() - (f(3.0 + h) - f(3.0)) / h) < 1e-3
    tx = torch.tensor(3.0, requires_grad=True)
    f(tx).backward()
    assert x.grad.item() == tx.grad.item()
    xs = np.arange(-5, 5, 0.25)
    ys = ag.tensor(xs, requires_grad=True)
    f(ys).sum().backward()  # one gradient per point: the slope of the curve
    np.testing.assert_allclose(f(ys).detach().numpy(), f(xs), rtol=1e-15)
    np.testing.assert_allclose(ys.grad.numpy(), (f(xs + h) - f(xs)) / h, atol=1e-3)
    np.testing.assert_allclose(ys.grad.numpy(), central_difference(lambda d: f(xs + d)),
                               rtol=1e-5, atol=1e-7)


# ------------------------------------------------------------------ the expression
def expression(T, nudge=None, h=0.0, style="lecture"):
    """The lecture's L = (a*b + c) * f with every node named; ``nudge`` adds h to one
    leaf (its lol() function). ``style`` is how the student writes d."""
    a = named(T.tensor(2.0, requires_grad=True), 'a')
    b = named(T.tensor(-3.0, requires_grad=True), 'b')
    c = named(T.tensor(10.0, requires_grad=True), 'c')
    f = named(T.tensor(-2.0, requires_grad=True), 'f')
    leaves = {"a": a, "b": b, "c": c, "f": f}
    if nudge is not None:
        leaves[nudge].data += h  # the lecture rebuilds the leaf with 2.0 + h
    if style == "lecture":
        e = named(a*b, 'e')
        d = named(e + c, 'd')
    elif style == "one line":
        d = a*b + c
    else:  # the in-place accumulation a student writes in a loop
        d = a*b
        d += c
    L = named(d * f, 'L')
    return L, leaves


def lecture_derivative(T, leaf, h=0.001):
    """The lecture's lol(): (L(leaf + h) - L(leaf)) / h."""
    L1 = expression(T)[0].item()
    L2 = expression(T, leaf, h)[0].item()
    return (L2 - L1) / h


def central_difference(f, h=1e-6):
    return (f(h) - f(-h)) / (2 * h)


@pytest.mark.parametrize("style", ["lecture", "one line", "d += c"])
def test_the_expression_backward_agrees_with_torch_and_the_numerical_derivative(torch, style):
    L, leaves = expression(ag, style=style)
    L.backward()
    tL, tleaves = expression(torch, style=style)
    tL.backward()
    assert L.shape == () and L.dtype == np.float64 and L.name == "L"
    assert_close(L.item(), tL.item())
    for name, leaf in leaves.items():
        assert_close(leaf.grad.item(), tleaves[name].grad.item())
        lol = lecture_derivative(ag, name)  # forward difference: exact here up to rounding
        assert abs(lol - leaf.grad.item()) < 1e-9 * max(1.0, abs(lol)) + 1e-9
        central = central_difference(lambda h: expression(ag, name, h, style)[0].item())
        assert abs(central - leaf.grad.item()) < 1e-7 + 1e-5 * abs(central)


def test_the_lectures_backprop_by_hand_is_drawn_and_equals_backward():
    """The lecture fills in every ``.grad`` by the chain rule before writing backward():
    assigning ``.grad`` on intermediates works, and the drawing shows it."""
    viz = pytest.importorskip("autograd.viz")
    pytest.importorskip("graphviz")
    L, leaves = expression(ag)
    a, b, c, f = leaves.values()
    d = L.grad_fn.parents[0]
    e = d.grad_fn.parents[0]
    L.grad = 1.0
    f.grad = d.data * L.grad  # dL/df = d
    d.grad = f.data * L.grad  # dL/dd = f
    c.grad = d.grad  # + routes the gradient to both inputs
    e.grad = d.grad
    a.grad = b.data * e.grad  # the local derivative times the gradient arriving
    b.grad = a.data * e.grad
    nodes, _ = parse(viz.draw_graph(L))
    assert "grad -2" in label(node_named(nodes, "e"))  # the hand-assigned one, drawn
    by_hand = [t.grad.item() for t in (a, b, c, f)]
    L, leaves = expression(ag)
    L.backward()
    assert by_hand == [t.grad.item() for t in leaves.values()]


def test_one_step_along_the_gradient_raises_L_as_in_the_lecture(torch):
    """``a.data += 0.01 * a.grad`` on each leaf, then the forward pass again."""
    runs = []
    for T in (ag, torch):
        L, leaves = expression(T)
        L.backward()
        before = L.item()
        a, b, c, f = leaves.values()
        a.data += 0.01 * a.grad
        b.data += 0.01 * b.grad
        c.data += 0.01 * c.grad
        f.data += 0.01 * f.grad
        e = a * b
        d = e + c
        L = d * f
        runs.append((before, L.item(), *(v.item() for v in leaves.values())))
        assert L.item() > before
    assert_close(runs[0], runs[1])
    assert isinstance(leaves["a"].data, type(torch.tensor(0.0)))
    L, leaves = expression(ag)
    L.backward()
    leaves["a"].data += 0.01 * leaves["a"].grad
    assert type(leaves["a"].data) is np.ndarray and leaves["a"].data.shape == ()


# ------------------------------------------------------------------ the neuron
def neuron(T, x1=2.0, x2=0.0, w1=-3.0, w2=1.0, b=B, expanded=False):
    """o = tanh(x1*w1 + x2*w2 + b), named as in the lecture; ``expanded`` writes tanh
    out as (e - 1)/(e + 1) with e = exp(2n)."""
    x1 = named(T.tensor(x1, requires_grad=True), 'x1')
    x2 = named(T.tensor(x2, requires_grad=True), 'x2')
    w1 = named(T.tensor(w1, requires_grad=True), 'w1')
    w2 = named(T.tensor(w2, requires_grad=True), 'w2')
    b = named(T.tensor(b, requires_grad=True), 'b')
    x1w1 = named(x1*w1, 'x1*w1')
    x2w2 = named(x2*w2, 'x2*w2')
    x1w1x2w2 = named(x1w1 + x2w2, 'x1*w1 + x2*w2')
    n = named(x1w1x2w2 + b, 'n')
    if expanded:
        e = named((2*n).exp(), 'e')
        o = (e - 1) / (e + 1)
    else:
        o = n.tanh()
    named(o, 'o')
    return o, {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b}


@pytest.mark.parametrize("expanded", [False, True], ids=["tanh", "(e - 1)/(e + 1)"])
def test_the_neurons_gradients_are_the_finite_differences_and_torchs(torch, expanded):
    o, leaves = neuron(ag, expanded=expanded)
    o.backward()
    to, tleaves = neuron(torch, expanded=expanded)
    to.backward()
    assert_close(o.item(), to.item())
    assert_close(o.item(), np.sqrt(0.5), rtol=1e-9)  # the lecture's b makes o = 1/sqrt(2)
    start = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": B}
    for name, leaf in leaves.items():
        assert_close(leaf.grad.item(), tleaves[name].grad.item())
        nudged = lambda h: neuron(ag, **{**start, name: start[name] + h},  # noqa: E731
                                  expanded=expanded)[0].item()
        central = central_difference(nudged)
        assert abs(central - leaf.grad.item()) < 1e-7 + 1e-5 * abs(central), name
    tanh, _ = neuron(ag)
    tanh.backward()
    assert_close(o.item(), tanh.item(), rtol=1e-15)
    assert leaves["w2"].grad.item() == 0.0  # x2 = 0: exactly, as the lecture says


def test_the_lectures_pytorch_cell_runs_as_written(torch):
    """The cell verbatim, ``torch`` replaced by ``T``: 1-element float64 tensors."""
    printed = []
    for T in (ag, torch):
        x1 = T.Tensor([2.0]).double()                ; x1.requires_grad = True  # noqa: E203,E702
        x2 = T.Tensor([0.0]).double()                ; x2.requires_grad = True  # noqa: E203,E702
        w1 = T.Tensor([-3.0]).double()               ; w1.requires_grad = True  # noqa: E203,E702
        w2 = T.Tensor([1.0]).double()                ; w2.requires_grad = True  # noqa: E203,E702
        b = T.Tensor([6.8813735870195432]).double()  ; b.requires_grad = True  # noqa: E203,E702
        n = x1*w1 + x2*w2 + b
        o = T.tanh(n)
        out = [o.data.item()]
        o.backward()
        out += [x2.grad.item(), w2.grad.item(), x1.grad.item(), w1.grad.item()]
        printed.append(out)
        assert x1.is_leaf and x1.grad.shape == (1,)
    assert_close(printed[0], printed[1])
    scalar, leaves = neuron(ag)
    scalar.backward()
    assert_close(printed[0][1:], [leaves[k].grad.item() for k in ("x2", "w2", "x1", "w1")])


def test_the_neuron_drawing_shows_the_lectures_labels_values_and_gradients():
    viz = pytest.importorskip("autograd.viz")
    pytest.importorskip("graphviz")
    o, leaves = neuron(ag)
    n = o.grad_fn.parents[0]
    n.retain_grad()  # micrograd keeps every node's grad; here the ones asked for
    o.backward(retain_graph=True)  # the lecture draws after backward: keep the inputs
    nodes, edges = parse(viz.draw_graph(o))
    for name in ("x1", "x2", "w1", "w2", "b", "x1*w1", "x2*w2", "x1*w1 + x2*w2", "n", "o"):
        node_named(nodes, name)
    x1 = label(node_named(nodes, "x1"))
    assert "data 2" in x1 and "grad -1.5" in x1 and "() float64" in x1
    assert "grad 0.5" in label(node_named(nodes, "n"))
    assert "grad" not in label(node_named(nodes, "x1*w1"))  # no retain_grad() asked
    assert len(edges) == 14  # 5 ops into their outputs, 9 inputs into the ops


@needs_dot
def test_the_neuron_drawing_renders_with_dot(tmp_path):
    viz = pytest.importorskip("autograd.viz")
    pytest.importorskip("graphviz")
    o, _ = neuron(ag)
    graph = viz.draw_graph(o)  # before backward, or after backward(retain_graph=True)
    o.backward()
    path = viz.save_graph(graph, tmp_path / "neuron.svg")
    svg = path.read_text()
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    assert "x1*w1 + x2*w2" in svg and "Tanh" in svg


# ------------------------------------------------------------------ the small steps
OPERATIONS = {
    "a + 1": lambda a, b: a + 1, "1 + a": lambda a, b: 1 + a, "2 * a": lambda a, b: 2 * a,
    "a * 2": lambda a, b: a * 2, "a / b": lambda a, b: a / b, "a / 2": lambda a, b: a / 2,
    "2 / a": lambda a, b: 2 / a, "a ** 2": lambda a, b: a ** 2, "a - b": lambda a, b: a - b,
    "a - 1": lambda a, b: a - 1, "1 - a": lambda a, b: 1 - a, "-a": lambda a, b: -a,
    "a.exp()": lambda a, b: a.exp(), "a ** 0.5 * b": lambda a, b: a ** 0.5 * b,
}


@pytest.mark.parametrize("expression", OPERATIONS)
def test_python_numbers_on_either_side_as_the_lecture_adds_them(torch, expression):
    operation, results = OPERATIONS[expression], []
    for T in (ag, torch):
        a = T.tensor(2.0, requires_grad=True)
        b = T.tensor(4.0, requires_grad=True)
        out = operation(a, b)
        out.backward()
        grads = [0.0 if t.grad is None else t.grad.item() for t in (a, b)]
        results.append([out.item(), *grads])
        assert tuple(out.shape) == ()
    assert out.dtype == torch.float64
    assert_close(results[0], results[1])


def test_b_equals_a_plus_a_accumulates_the_gradient(torch):
    """The lecture's bug: ``self.grad = ...`` overwrote; the gradient must accumulate."""
    a = ag.tensor(3.0, requires_grad=True, name="a")
    b = named(a + a, 'b')
    b.backward()
    assert a.grad.item() == 2.0  # the engine's, exactly
    assert abs(central_difference(lambda h: (3.0 + h) + (3.0 + h)) - 2.0) < 1e-9
    results = []
    for T in (ag, torch):
        a = T.tensor(-2.0, requires_grad=True)
        b = T.tensor(3.0, requires_grad=True)
        d = a * b
        e = a + b
        f = d * e
        f.backward()
        results.append([f.item(), a.grad.item(), b.grad.item()])
    assert_close(results[0], results[1])
    f_of = lambda x, y: (x * y) * (x + y)  # noqa: E731
    assert abs(results[0][1] - central_difference(lambda h: f_of(-2.0 + h, 3.0))) < 1e-6
    assert abs(results[0][2] - central_difference(lambda h: f_of(-2.0, 3.0 + h))) < 1e-6
