"""The backward engine: order, accumulation, releasing the graph, ``grad()``, grad
modes, user-defined ops, anomaly detection (memory: ``test_memory.py``)."""

from __future__ import annotations

import inspect
import os
import sys

import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograd as ag
from autograd import Function, Tensor
from autograd.ops.generic import exp
from autograd.testing import domain, shapes, tensors


def leaf(*shape: int, seed: int = 0) -> Tensor:
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


def upstream(shape: tuple[int, ...], seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


# ------------------------------------------------------------------ order and depth
def test_deep_chain_at_the_default_recursion_limit() -> None:
    depth = int(os.environ.get("AUTOGRAD_TEST_DEPTH", 100_000))
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)  # CPython's default
    try:
        x = leaf()
        y, factor = x, 1.0 + 1e-6
        for _ in range(depth):
            y = y * factor
        y.backward()
        assert x.grad.item() == pytest.approx(factor ** depth, rel=1e-9)
        del y  # freeing a deep chain must not recurse either
    finally:
        sys.setrecursionlimit(previous)


def test_wide_graph() -> None:
    xs = [leaf(seed=k) for k in range(2000)]
    total = xs[0]
    for x in xs[1:]:
        total = total + x * x
    total.backward()
    for x in xs[1:]:
        np.testing.assert_array_equal(x.grad.data, 2 * x.data)


def test_diamond_is_exact() -> None:
    a, g = leaf(2, 3), upstream((2, 3))
    (a + a).backward(g)
    np.testing.assert_array_equal(a.grad.data, g + g)
    a.zero_grad()
    (a * a).backward(g)
    np.testing.assert_array_equal(a.grad.data, g * a.data + g * a.data)


@pytest.mark.parametrize("build", [
    lambda x: x.tanh() * (x.tanh() * 2.0),  # the second input is newer than the first
    lambda x: (lambda a: a * (a * 2.0))(x.tanh()),  # ... and computed from it
    lambda x: (lambda a: a * a)(x.sigmoid()),  # one non-leaf input twice
    lambda x: (lambda a: (a * 2.0) * a)(x.sigmoid()),  # the newer input first
    lambda x: (lambda a: (Tensor(2.0) * a + a) * (Tensor(0.5) - a))(x.tanh()),  # constants
], ids=["independent", "dependent", "twice", "newer first", "constant operands"])
def test_two_input_ops_on_intermediate_tensors(build) -> None:
    """After a two-input op the engine may go straight to one of its inputs (skipping the
    heap) only if nothing still pending can add to that input's gradient."""
    x = leaf(4)
    ag.gradcheck(lambda t: build(t).sum(), [x])
    build(x).sum().backward()
    (found,) = ag.grad(build(x).sum(), x)
    np.testing.assert_allclose(x.grad.data, found.data, rtol=1e-12, atol=1e-15)


@given(tensors(shapes(), elements=(-1, 1), requires_grad=True))
def test_shared_subexpressions(x: Tensor) -> None:
    def f(t: Tensor) -> Tensor:
        u = t.tanh()
        v = u * t + u
        return (v * u - v.exp() * u + t).sum() * v.mean()
    ag.gradcheck(f, [x])


_UNARY = (lambda t: t.tanh(), lambda t: t * 0.7, lambda t: t + 0.3, lambda t: t.sigmoid())


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 10**6), st.integers(0, 10**6)),
                min_size=1, max_size=25),
       tensors(shapes(max_dims=2), elements=(-1, 1), requires_grad=True))
def test_random_graphs(steps: list, x: Tensor) -> None:
    """Random DAGs mixing one-input chains (the engine's heap-free step) with two-input
    ops reusing earlier nodes: gradients must match central differences, and backward(),
    a retained second backward() and grad() (which prunes the graph) must agree."""
    def f(t: Tensor) -> Tensor:
        nodes = [t]
        for kind, i, j in steps:
            a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
            nodes.append(_UNARY[kind](a) if (i + j) % 3 else a * b + _UNARY[kind](b))
        return nodes[-1].sum() + nodes[len(nodes) // 2].sum()
    ag.gradcheck(f, [x])
    y = f(x)
    y.backward(retain_graph=True)
    first = x.grad.data.copy()
    y.backward()
    np.testing.assert_allclose(x.grad.data, 2 * first, rtol=1e-12, atol=1e-15)
    (found,) = ag.grad(f(x), x)
    np.testing.assert_allclose(found.data, first, rtol=1e-12, atol=1e-15)


# ------------------------------------------------------------------ releasing the graph
def test_backward_releases_the_inputs_unless_retained() -> None:
    x = leaf(3)
    y = (x.exp() * x).sum()
    mul = y.grad_fn.parents[0].grad_fn
    assert mul.parents is not None
    y.backward()
    assert y.grad_fn is not None  # the op that made y is still named (repr, drawing)
    assert y.grad_fn.parents is None and mul.parents is None  # the activations released
    z = (x.exp() * x).sum()
    z.backward(retain_graph=True)
    assert z.grad_fn.parents[0].grad_fn.parents[1] is x  # kept when asked for


def test_retain_graph_allows_a_second_backward_that_accumulates() -> None:
    x = leaf(3)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.data.copy()
    y.backward()
    np.testing.assert_allclose(x.grad.data, first + first, rtol=1e-15)
    x.zero_grad()
    assert x.grad is None


def test_retain_grad_keeps_an_intermediate_gradient() -> None:
    x = leaf(3)
    h = x.exp()
    h.retain_grad()
    y = (h * x).sum()
    (expected,) = ag.grad(y, [h], retain_graph=True)
    np.testing.assert_array_equal(h.grad.data, expected.data)  # grad() stores it too,
    h.grad = None  # as PyTorch's retain_grad (test_retain_grad_in_grad_vs_torch.py)
    y.backward()
    np.testing.assert_array_equal(h.grad.data, expected.data)
    with pytest.warns(ag.NonLeafGradWarning):  # PyTorch warns too: it stays None
        assert (x * 2).grad is None
    assert h.is_leaf is False and x.is_leaf is True


def test_backward_of_a_leaf() -> None:
    x, g = leaf(2, 2), upstream((2, 2))
    x.backward(g)
    np.testing.assert_array_equal(x.grad.data, g)
    assert not np.shares_memory(x.grad.data, g)


# ------------------------------------------------------------------ grad()
def test_grad_returns_gradients_without_touching_dot_grad() -> None:
    x, w = leaf(3), leaf(3, seed=1)
    h = x * w
    h.retain_grad()
    y = (h.exp()).sum()
    gx, gw = ag.grad(y, [x, w], retain_graph=True)
    assert x.grad is None and w.grad is None  # only a retain_grad() tensor on the way
    np.testing.assert_array_equal(h.grad.data, np.exp(h.data))  # stores its own, as PyTorch
    h.grad = None
    assert not gx.requires_grad and gx.grad_fn is None
    y.backward()
    np.testing.assert_array_equal(gx.data, x.grad.data)
    np.testing.assert_array_equal(gw.data, w.grad.data)


def test_grad_of_several_outputs_and_of_an_intermediate() -> None:
    x = leaf(2, 3)
    h = x.tanh()
    outs = [h.sum(axis=0), (h * h).mean()]
    gs = [upstream((3,)), None]
    (gh,) = ag.grad(outs, [h], grad_outputs=gs, retain_graph=True)
    (gx,) = ag.grad(outs, [x], grad_outputs=gs)
    assert gh.shape == h.shape and gx.shape == x.shape
    ag.gradcheck(lambda t: t.tanh().sum(axis=0), [x], grad_outputs=gs[0])


def test_grad_allow_unused() -> None:
    x, unused = leaf(3), leaf(2)
    gx, gu = ag.grad((x * 3).sum(), [x, unused], allow_unused=True)
    assert gu is None and gx.shape == (3,)


def test_nothing_is_recorded_when_no_input_requires_grad() -> None:
    a, b = Tensor(np.ones(3)), Tensor(np.ones(3))
    y = (a * b).exp().sum()
    assert y.grad_fn is None and not y.requires_grad and y.is_leaf
    c = leaf(3)
    z = a * c
    assert z.grad_fn.needs_input_grad == (False, True)
    z.sum().backward()
    assert a.grad is None and c.grad is not None


def test_inputs_that_need_no_gradient_are_skipped() -> None:
    calls: list[tuple[bool, ...]] = []

    class Product(Function):
        def forward(self, a, b):
            return a * b

        def vjp(self, g, out, a, b):
            calls.append(self.needs_input_grad)
            return (g * b if self.needs_input_grad[0] else None,
                    g * a if self.needs_input_grad[1] else None)

    const, x = Tensor(np.ones(2)), leaf(2)
    Product()(const, const)
    Product()(const, x).sum().backward()
    assert calls == [(False, True)]
    assert const.grad is None


# ------------------------------------------------------------------ grad modes
def test_no_grad_and_enable_grad_as_context_managers() -> None:
    x = leaf(2)
    with ag.no_grad():
        assert not ag.is_grad_enabled()
        assert not (x * 2).requires_grad
        with ag.enable_grad():
            assert (x * 2).requires_grad
        assert not (x * 2).requires_grad
    assert ag.is_grad_enabled() and (x * 2).requires_grad
    with ag.set_grad_enabled(False):
        assert not (x * 2).requires_grad


def test_grad_modes_as_decorators_and_after_exceptions() -> None:
    @ag.no_grad()
    def evaluate(t: Tensor) -> Tensor:
        return t * 2

    @ag.enable_grad()
    def train(t: Tensor) -> Tensor:
        return t * 2

    x = leaf(2)
    assert not evaluate(x).requires_grad
    with ag.no_grad():
        assert train(x).requires_grad
    with pytest.raises(KeyError), ag.no_grad():
        raise KeyError("boom")
    assert ag.is_grad_enabled()


def test_detach_and_requires_grad_() -> None:
    x = leaf(3)
    d = (x * 2).detach()
    assert d.is_leaf and not d.requires_grad
    assert d.requires_grad_() is d and (d * 2).requires_grad


# ------------------------------------------------------------------ user-defined ops
class Softplus(Function):
    """out = log(1 + e^x);  dx = g sigmoid(x) = g e^x / (1 + e^x)."""
    save_output = True

    def forward(self, x):
        return np.logaddexp(0, x)

    def vjp(self, g, out, x):
        return (g * (1 - exp(-out)),)


class Hypot(Function):
    """out = sqrt(a^2 + b^2);  da = g a / out, db = g b / out."""
    save_output = True

    def forward(self, a, b):
        return np.hypot(a, b)

    def vjp(self, g, out, a, b):
        return (g * a / out if self.needs_input_grad[0] else None,
                g * b / out if self.needs_input_grad[1] else None)


@given(tensors(elements=(-3, 3), requires_grad=True))
def test_user_defined_unary_op(x: Tensor) -> None:
    ag.gradcheck(Softplus.apply, [x])
    ag.gradgradcheck(Softplus.apply, [x])


@given(st.data())
def test_user_defined_binary_op_with_broadcasting(data: st.DataObject) -> None:
    a_shape, b_shape = data.draw(ag.testing.broadcastable_shapes(2))
    a = data.draw(tensors(a_shape, elements=domain("relu"), requires_grad=True))
    b = data.draw(tensors(b_shape, elements=domain("relu"), requires_grad=True))
    ag.gradcheck(Hypot.apply, [a, b])
    ag.gradgradcheck(Hypot.apply, [a, b])
    b.requires_grad_(False)
    ag.gradcheck(Hypot.apply, [a, b])


def test_function_state_and_repr() -> None:
    y = leaf(2, 3).sum(axis=1, keepdims=True)
    assert y.grad_fn.name() == "Sum"
    assert "axis=(1,)" in repr(y.grad_fn) and "keepdims=True" in repr(y.grad_fn)
    assert "grad_fn=Sum" in repr(y)


# ------------------------------------------------------------------ anomaly detection
def _line() -> int:
    return inspect.currentframe().f_back.f_lineno


def test_anomaly_in_forward_names_op_and_line() -> None:
    x = Tensor(-np.ones(2), requires_grad=True)
    with ag.detect_anomaly():
        with pytest.raises(ag.AnomalyError, match=rf"Log produced NaN/Inf in its forward pass"
                                                  rf".*test_engine.py:{_line() + 1} "):
            x.log()
    assert not ag.is_anomaly_enabled()
    with np.errstate(invalid="ignore"):
        assert np.isnan(x.log().data).all()  # off: IEEE results, no error


def test_anomaly_in_backward_names_op_and_line() -> None:
    x = Tensor(np.zeros(2), requires_grad=True)

    @ag.detect_anomaly()
    def run() -> int:
        y = x.sqrt().sum()  # forward finite, gradient infinite
        line = _line() - 1
        with pytest.raises(ag.AnomalyError, match=rf"Sqrt.vjp produced NaN/Inf in the "
                                                  rf"gradient of input 0.*:{line} in run"):
            y.backward()
        return line
    run()


def test_anomaly_in_backward_of_a_graph_built_outside() -> None:
    x = Tensor(np.zeros(2), requires_grad=True)
    y = x.sqrt().sum()
    with ag.detect_anomaly(), pytest.raises(ag.AnomalyError, match="Sqrt.vjp.*unknown"):
        y.backward()


# ------------------------------------------------------------------ untracked in-place ops
def test_fill_and_zero_overwrite_inf_and_nan() -> None:
    t = Tensor(np.array([np.inf, -np.inf, np.nan, 1.0]))
    np.testing.assert_array_equal(t.fill_(2.5).data, np.full(4, 2.5))
    t.data[0] = np.nan
    np.testing.assert_array_equal(t.zero_().data, np.zeros(4))


def test_inplace_updates_under_no_grad_change_the_data() -> None:
    w = leaf(3)
    before = w.data.copy()
    step = upstream((3,))
    with ag.no_grad():
        w -= step
        w *= 2.0
    np.testing.assert_array_equal(w.data, (before - step) * 2.0)
    assert w.requires_grad and w.is_leaf


def test_inplace_clock_tells_writes_before_an_op_from_writes_after_it() -> None:
    w, x = leaf(3), Tensor(np.ones(3))
    x *= 2.0  # before any op saved x: fine
    y = (w * x).sum()
    unrelated = Tensor(np.ones(3))
    unrelated += 1.0  # after y was built, but not to anything y saved
    y.backward()
    np.testing.assert_array_equal(w.grad.data, x.data)
    out = w.tanh()  # Tanh saves its output
    total = out.sum()
    with ag.no_grad():
        out *= 2.0
    with pytest.raises(ag.InplaceError, match="needed by Tanh"):
        total.backward()

