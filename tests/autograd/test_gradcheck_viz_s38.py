"""Session 38 fixes: gradcheck leaves out outputs that do not require grad (PyTorch's
rule) and names an output element that is already NaN at x; gradgradcheck's hint for an
upstream-gradient mismatch; the strategies' zeta domain, unique=True limits and bool
flags; viz's root and title checks, save_graph's file names and the packed node of a
several-output Function. Expected values are computed here (NumPy, hand-derived)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis.errors import NoSuchExample

import autograd as ag
from autograd import Tensor
from autograd.errors import GradcheckError, UsageError
from autograd.extend import Function, constant
from autograd.testing import arrays, axes, domain, index_expressions, tensors

POINT = np.array([0.3, -1.2, 0.7])
needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's `dot` program is not on PATH")


def _x(values=POINT) -> Tensor:
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


class SinAndStat(Function):
    """(sin x, max |x|) with the statistic marked non-differentiable, as in PyTorch."""

    @staticmethod
    def forward(ctx, x):
        stat = x.abs().max() * 1.0
        ctx.mark_non_differentiable(stat)
        ctx.save_for_backward(x)
        return x.sin(), stat

    @staticmethod
    def backward(ctx, g, g_stat):
        x, = ctx.saved_tensors
        return g * x.cos()


class SinCos(Function):
    """Two differentiable outputs: the engine packs them into one internal node."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.sin(), x.cos()

    @staticmethod
    def backward(ctx, g_sin, g_cos):
        x, = ctx.saved_tensors
        return g_sin * x.cos() - g_cos * x.sin()


class SquareUpstreamDetached(Function):
    """d(x^2) = 2 g x with g taken off the graph: zero derivative in g."""

    def forward(self, x):
        return x * x

    def vjp(self, g, out, x):
        return (constant(g) * 2 * x,)


# ---------------------------------------------------------------- finding 1
@pytest.mark.parametrize("fn", [
    lambda x: (x.sin(), x.detach().norm()),
    lambda x: (x.detach() * 3, x.exp()),
    SinAndStat.apply,
], ids=["detached norm", "detached first", "mark_non_differentiable"])
@pytest.mark.parametrize("mode", [{}, {"check_forward_ad": True, "check_backward_ad": False}],
                         ids=["reverse", "forward"])
def test_outputs_that_do_not_require_grad_are_left_out(fn, mode) -> None:
    """A detached or non-differentiable output entered the numerical side only: its
    nonzero finite difference was compared with an analytic 0."""
    assert ag.gradcheck(fn, _x(), **mode)


@pytest.mark.parametrize("mode", [{}, {"check_forward_ad": True, "check_backward_ad": False}],
                         ids=["reverse", "forward"])
def test_leaving_outputs_out_does_not_hide_a_wrong_one(mode) -> None:
    wrong = lambda x: (x.detach() * x, x.detach().norm())  # noqa: E731  d/dx is x, not 2x
    assert ag.gradcheck(wrong, _x(), raise_exception=False, **mode) is False
    # no output requires grad: the numerical gradient must then be zero (PyTorch's rule)
    constant_only = lambda x: x.detach() * 2  # noqa: E731
    assert ag.gradcheck(constant_only, _x(), raise_exception=False, **mode) is False
    assert ag.gradcheck(lambda x: x.detach().sum() * 0, _x(), **mode)


# ---------------------------------------------------------------- finding 3
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("mode", [{}, {"check_forward_ad": True, "check_backward_ad": False}],
                         ids=["reverse", "forward"])
def test_an_output_nan_at_x_is_named_not_the_inputs(mode) -> None:
    values = np.array([1.0, 2.0, -1.0])
    bad = int(np.flatnonzero(np.isnan(np.log(values)))[0])  # log(-1)
    with pytest.raises(GradcheckError) as failure:
        ag.gradcheck(lambda t: t.log(), _x(values), **mode)
    message = str(failure.value)
    assert f"output 0 of fn is nan at index ({bad},)" in message
    assert "at the given point itself" in message
    assert "index (0,)" not in message  # x[0] = 1 is a valid point


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_nan_in_an_output_left_out_does_not_fail() -> None:
    """PyTorch ignores an output that does not require grad, NaN or not."""
    values = np.array([1.0, 2.0, -1.0])
    assert np.isnan(np.log(values)).any()
    assert ag.gradcheck(lambda t: (t.sin(), t.detach().log()), _x(values))


# ---------------------------------------------------------------- finding 8: gradgradcheck
def test_gradgradcheck_blames_g_only_when_its_derivative_is_zero() -> None:
    x = _x([0.5, -1.5, 2.0])
    with pytest.raises(GradcheckError, match=r"upstream gradient.*not differentiable in "
                       r"its upstream gradient g"):
        ag.gradgradcheck(SquareUpstreamDetached(), [x])


def test_gradgradcheck_calls_a_near_miss_in_g_rounding() -> None:
    """cumprod of 64 values 1.25 reaches 1.25^64 ~ 1.6e6: the finite differences of the
    first derivative in g are off by rounding, not because g is used as a constant."""
    x = _x(np.full(64, 1.25))
    assert np.prod(x.data) > 1e6
    with pytest.raises(GradcheckError) as failure:
        ag.gradgradcheck(lambda t: t.cumprod(0), [x])
    message = str(failure.value)
    assert "upstream gradient of output 0" in message
    assert "not differentiable in its upstream gradient" not in message
    assert "rounding" in message


# ---------------------------------------------------------------- finding 2
def test_zeta_domain_keeps_x_above_its_pole() -> None:
    with pytest.raises(NoSuchExample):
        find(domain("zeta", 0), lambda v: v <= 1.0)
    with pytest.raises(NoSuchExample):
        find(domain("zeta", 1), lambda v: v <= 0.0)


@settings(max_examples=15, deadline=None)
@given(tensors((2,), elements=domain("zeta", 0)),
       tensors((2,), elements=domain("zeta", 1), requires_grad=True))
def test_zeta_domain_gives_finite_values_and_checkable_gradients(x, q) -> None:
    assert np.all(np.isfinite(ag.special.zeta(x, q).data))
    assert ag.gradcheck(lambda t: ag.special.zeta(x, t), [q])


# ---------------------------------------------------------------- finding 6 and 7 (flags)
@pytest.mark.parametrize("strategy, needed, available", [
    (lambda: arrays((3,), dtype=bool, unique=True), 3, 2),
    (lambda: arrays((5,), dtype=np.int8, elements=(0, 2), unique=True), 5, 3),
    (lambda: arrays((2, 2), elements=(1.0, 1.0), unique=True), 4, 1),
])
def test_unique_with_too_few_values_is_a_named_error(strategy, needed, available) -> None:
    with pytest.raises(UsageError, match=rf"needs {needed} distinct elements.*only "
                       rf"{available} distinct value"):
        find(strategy(), lambda a: True)


def test_unique_with_just_enough_values_still_draws() -> None:
    both = find(arrays((2,), dtype=bool, unique=True), lambda a: True)
    assert sorted(both.tolist()) == [False, True]
    low = 1.0
    three = [low, np.nextafter(low, 2.0), np.nextafter(np.nextafter(low, 2.0), 2.0)]
    drawn = find(arrays((3,), elements=(three[0], three[-1]), unique=True), lambda a: True)
    assert sorted(drawn.tolist()) == three


@pytest.mark.parametrize("call, name", [
    (lambda: find(arrays((2,), unique="no"), lambda a: True), "unique"),
    (lambda: find(arrays((2,), noncontiguous="yes"), lambda a: True), "noncontiguous"),
    (lambda: tensors((2,), requires_grad="yes"), "requires_grad"),
    (lambda: tensors((2,), unique=1), "unique"),
    (lambda: axes(2, allow_none=0), "allow_none"),
    (lambda: index_expressions((2,), allow_arrays="no"), "allow_arrays"),
])
def test_flags_must_be_bools(call, name) -> None:
    with pytest.raises(UsageError, match=rf"{name} must be True"):
        call()


def test_index_expressions_does_not_suggest_a_dtype() -> None:
    with pytest.raises(UsageError) as failure:
        index_expressions("x")
    assert "dtype" not in str(failure.value) and "x.shape" in str(failure.value)
    with pytest.raises(UsageError, match="shape comes first"):  # arrays still says it
        find(arrays("float32"), lambda a: True)


# ---------------------------------------------------------------- viz
@pytest.fixture
def viz():
    pytest.importorskip("graphviz", reason="the 'graphviz' package is not installed")
    from autograd import viz
    return viz


def _loss() -> Tensor:
    return (Tensor([1.0, 2.0], requires_grad=True) * 3).sum()


def test_roots_are_checked_before_they_are_iterated(viz) -> None:
    with pytest.raises(UsageError, match="of type int"):
        viz.topological_order(3)
    with pytest.raises(UsageError, match="of type ndarray"):  # not its elements' float64
        viz.topological_order(np.ones(2))
    fake_torch_tensor = type("Tensor", (), {"__module__": "torch"})()
    for call in (viz.topological_order, viz.draw_graph):
        with pytest.raises(UsageError, match=r"torch\.Tensor.*autograd\.tensor\("
                           r"t\.detach\(\)\.numpy\(\)\)"):
            call(fake_torch_tensor)


def test_save_graph_refuses_a_directory(viz, tmp_path) -> None:
    graph = viz.draw_graph(_loss())
    with pytest.raises(UsageError, match="names a directory; give a file name"):
        viz.save_graph(graph, tmp_path)
    with pytest.raises(UsageError, match="names a directory"):
        viz.save_graph(graph, str(tmp_path / "out") + "/")
    assert list(tmp_path.iterdir()) == []  # no sibling out.svg


def test_save_graph_refuses_an_extension_of_another_format(viz, tmp_path) -> None:
    graph = viz.draw_graph(_loss())
    with pytest.raises(UsageError, match=r"format='png' but the file name 'x\.svg'"):
        viz.save_graph(graph, tmp_path / "x.svg", format="png")
    assert not (tmp_path / "x.svg").exists()
    written = viz.save_graph(graph, tmp_path / "x.gv", format="dot")  # the same format
    assert written == tmp_path / "x.gv" and written.read_text() == graph.source


def test_title_must_be_a_str_and_is_escaped(viz) -> None:
    with pytest.raises(UsageError, match="title must be a str"):
        viz.draw_graph(_loss(), title=5)
    source = viz.draw_graph(_loss(), title="<a & b>").source
    assert "&lt;a &amp; b&gt;" in source and "<a & b>" not in source


@needs_dot
def test_an_escaped_title_renders(viz, tmp_path) -> None:
    """"<a & b>" was read as a broken HTML label: dot failed in save_graph."""
    svg = viz.save_graph(viz.draw_graph(_loss(), title="<a & b>"), tmp_path / "t.svg")
    assert "&lt;a &amp; b&gt;" in svg.read_text()


def test_a_packed_node_is_labelled_without_placeholder_values(viz) -> None:
    x = _x([0.5, 1.0, 1.5, 2.0])
    sin, cos = SinCos.apply(x)
    loss = (sin * cos).sum()
    placeholder = "data [0., 0., 0., 0., 0., 0., 0., 0.]"
    for graph in (viz.draw_graph(loss, max_values=8), viz.draw_backward(loss, max_values=8)):
        assert "outputs of SinCos" in graph.source
        assert placeholder not in graph.source
