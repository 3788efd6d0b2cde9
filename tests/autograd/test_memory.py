"""Memory: no reference cycles between graph nodes, and a leaf's ``.grad`` never shares
memory with another gradient, the upstream gradient, inputs or outputs."""

from __future__ import annotations

import gc

import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograd as ag
from autograd import Function, Tensor
from autograd.extend import is_tensor
from op_table import CASES, STRUCTURAL, OpCase


def leaf(*shape: int, seed: int = 0) -> Tensor:
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


def upstream(shape: tuple[int, ...], seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def test_no_reference_cycles_between_graph_nodes() -> None:
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        x = leaf(4, 3)
        w = leaf(3, 2, seed=1)
        h = (x @ w).tanh()
        loss = ag.log_softmax(h, axis=1)[np.arange(4), [0, 1, 1, 0]].mean() + h.var(ddof=0)
        loss.backward()
        gx, = ag.grad((x * x).sum(), [x])
        del x, w, h, loss, gx
        gc.collect()
        leaked = [o for o in gc.garbage if isinstance(o, (Tensor, Function))]
        assert leaked == []
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def _shares(a: np.ndarray, others: list[np.ndarray]) -> bool:
    return any(np.shares_memory(a, b) for b in others)


def test_grads_never_alias_each_other_or_user_arrays() -> None:
    a, c, g = leaf(2, 3), leaf(2, 3, seed=1), upstream((2, 3))
    (a + c).backward(g)
    assert not _shares(a.grad.data, [c.grad.data, g, a.data, c.data])
    assert not _shares(c.grad.data, [g, a.data, c.data])


@pytest.mark.parametrize("create_graph", [False, True])
def test_grad_results_and_backward_inputs_never_alias(create_graph: bool) -> None:
    """Add's VJP hands the same g to both inputs: grad() and backward(inputs=) copy it
    (mutants that stored or returned it as it was passed every other test)."""
    a, c, g = leaf(2, 3), leaf(2, 3, seed=1), upstream((2, 3))
    ga, gc_ = ag.grad(a + c, [a, c], g, create_graph=create_graph)
    assert ga is not gc_ and not _shares(ga.data, [gc_.data, g, a.data, c.data])
    h, k = a * 1, c * 1
    (h + k).backward(g, inputs=[h, k], create_graph=create_graph)
    assert not _shares(h.grad.data, [k.grad.data, g])
    kept = Tensor(np.ones((2, 3)))  # a hook's replacement: the result is a copy of it
    a.register_hook(lambda grad: kept)
    (ga,) = ag.grad((a * c).sum(), [a], create_graph=create_graph)
    assert ga is not kept and not _shares(ga.data, [kept.data])


@pytest.mark.parametrize("case", CASES, ids=repr)
@STRUCTURAL
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_grads_never_alias_for_any_op(case: OpCase, data: st.DataObject, seed: int) -> None:
    arrays, params = data.draw(case.inputs, label="inputs")
    leaves = [Tensor(a, requires_grad=True) for a in arrays]
    out = case.fn(*leaves, **params)
    g = upstream(out.shape, seed)
    out.backward(g)
    grads = [x.grad.data for x in leaves]
    for k, grad in enumerate(grads):
        assert grad.flags.writeable and not is_tensor(grad)
        assert not _shares(grad, grads[:k] + [g] + list(arrays) + [out.data])


class _Returns(Function):
    """y = x * w, whose vjp hands out the arrays ``pick`` chooses."""
    __slots__ = ("pick",)

    def __init__(self, pick) -> None:
        self.pick = pick

    def forward(self, x, w):
        return x * w

    def vjp(self, g, out, x, w):
        return self.pick(g, x, w)


class _FreshReturns(_Returns):
    __slots__ = ("handed",)
    fresh_grads = True

    def vjp(self, g, out, x, w):
        self.handed = super().vjp(g, out, x, w)
        return self.handed


def test_fresh_gradients_are_stored_without_a_copy() -> None:
    x, w = leaf(3), leaf(3, seed=1)
    op = _FreshReturns(lambda g, x, w: (g * w, g * x))
    op(x, w).sum().backward()
    assert x.grad.data is op.handed[0] and w.grad.data is op.handed[1]
    np.testing.assert_array_equal(x.grad.data, w.data)


@pytest.mark.parametrize("pick", [lambda g, x, w: (g, g), lambda g, x, w: (x, w),
                                  lambda g, x, w: (w, x), lambda g, x, w: (g[None][0], g)],
                         ids=["the upstream array twice", "the inputs", "the inputs swapped",
                              "a view"])
def test_leaf_gradients_never_alias_what_a_vjp_returns(pick) -> None:
    """A user's vjp may return any array: .grad gets a copy unless it is fresh."""
    x, w, g = leaf(3), leaf(3, seed=1), upstream((3,))
    _Returns(pick)(x, w).backward(g)
    for stored in (x.grad.data, w.grad.data):
        assert not _shares(stored, [g, x.data, w.data])
    assert not _shares(x.grad.data, [w.grad.data])
    expected = pick(g, x.data, w.data)
    np.testing.assert_array_equal(x.grad.data, expected[0])
    np.testing.assert_array_equal(w.grad.data, expected[1])


def test_kept_losses_hold_no_activations() -> None:
    """Appending ``loss`` instead of ``loss.item()`` over many training steps: after a
    backward without retain_graph a loss holds no activation arrays, so memory stays
    flat (traced by tracemalloc)."""
    tracemalloc = pytest.importorskip("tracemalloc")
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((32, 64)))
    w1 = Tensor(rng.standard_normal((64, 128)) * 0.1, requires_grad=True)
    w2 = Tensor(rng.standard_normal((128, 10)) * 0.1, requires_grad=True)
    kept = []

    def step() -> None:
        loss = (((x @ w1).relu() @ w2) ** 2).mean()
        w1.grad = w2.grad = None
        loss.backward()
        with ag.no_grad():
            for w in (w1, w2):
                w -= 0.01 * w.grad
        kept.append(loss)

    step()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(50):
            step()
        growth = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    activations = 2 * x.shape[0] * w1.shape[1] * 8  # one step's hidden arrays, in bytes
    assert growth < 5 * activations  # holding them would grow by 50 steps' worth


def test_a_long_graph_has_nothing_for_the_cycle_collector() -> None:
    """The graph is a tree of references (tensor -> op -> inputs), never a cycle, so
    dropping it frees everything at once, without the collector."""
    x = leaf(3)
    y = x
    for _ in range(1000):
        y = (y * 1.0001).tanh()
    y.sum().backward(retain_graph=True)
    gc.collect()
    del y
    assert gc.collect() == 0


def _tracked_per_node(build, nodes: int) -> float:
    """Objects the cycle collector tracks after ``build()`` made ``nodes`` graph nodes,
    per node, counted after two full passes (a pass untracks the tuples of plain values,
    a tuple of such tuples at the next)."""
    gc.collect()
    before = len(gc.get_objects())
    kept = build()
    gc.collect()
    gc.collect()
    count = (len(gc.get_objects()) - before) / nodes
    del kept
    return count


def test_the_collector_tracks_three_objects_a_node() -> None:
    """Each node leaves the collector a Tensor, its op and the op's inputs (a tuple):
    every full pass walks them (benchmarks/README.md, "The cycle collector"). The
    inputs' requires-grad flags, a tuple of bools, it drops after its first look."""
    x, w = leaf(8), leaf(8, seed=1)

    def chain() -> Tensor:
        y = x
        for _ in range(500):
            y = (y * w).tanh()
        return y
    assert _tracked_per_node(chain, 1000) <= 3.01


def test_a_view_and_a_concatenation_leave_no_extra_containers() -> None:
    """A view is listed on its base with one weak reference (``views.ViewRef``, not a
    (reference, op) pair); ``cat`` keeps its sizes as a tuple of ints."""
    x = leaf(4, 6)

    def views() -> list:
        base = x * 2.0  # the base lists its views (a leaf that requires grad does not)
        return [base, [base[:, k:k + 2] for k in range(0, 6, 2)]]
    # the product: Tensor, op, inputs; each view: Tensor, op, inputs, its ViewRef and
    # the index (a tuple of two slices: three objects); the base's ViewList; two lists
    base_and_views = _tracked_per_node(views, 4) * 4
    assert base_and_views <= 3 + 3 * 7 + 1 + 2 + 0.01
    parts = [leaf(2, 3, seed=k) for k in range(4)]
    assert _tracked_per_node(lambda: ag.cat(parts, dim=1), 1) <= 3.01


@pytest.mark.parametrize("backward", [True, False])
def test_a_detached_view_of_a_step_keeps_no_earlier_step_alive(backward: bool) -> None:
    """``h = out[:, -1].detach()`` (a recurrent state) is listed on ``out`` with the view's
    op, kept without its inputs: nothing refers back from h, so the steps before are
    freed, with a backward each step or without one."""
    import weakref
    w = leaf(4, 4)
    h = Tensor(np.zeros((2, 4)))
    outs = []
    for _ in range(20):
        out = (h[:, None, :] @ w).tanh().expand(2, 3, 4) * 1.0
        if backward:
            out.sum().backward()
        h = out[:, -1].detach()
        outs.append(weakref.ref(out))
        del out
    gc.collect()
    assert sum(ref() is not None for ref in outs) <= 1
