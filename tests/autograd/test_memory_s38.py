"""A dropped graph is freed at once, without Python's cycle collector, and a kept loss
holds no activation after its backward (session 38).

Before: a view the backward never ran (an unused ``split`` piece, an unused output of
``eigh`` or an LSTM, a view taken and dropped in a forward-only pass) kept its op in the
base's list of views, and the op's parents held the base: base -> views -> op -> base, a
cycle that kept the whole graph below the base until the collector ran. And a PyTorch-style
Function kept the tensors forward was given and saved after the backward released it."""
import gc
import weakref
from collections.abc import Iterator

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import GraphFreedError


@pytest.fixture(autouse=True)
def no_collector() -> Iterator[None]:
    """Only reference counting frees anything while a test runs."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _leaf(*shape: int) -> ag.Tensor:
    return ag.Tensor(np.random.default_rng(0).random(shape), requires_grad=True)


def test_an_unused_split_piece_does_not_keep_the_graph() -> None:
    x = _leaf(1000)
    y = x * 2
    a, b = y.split(500, 0)
    loss = a.sum()
    alive = weakref.ref(y)
    del y, a, b
    loss.backward()
    assert alive() is None
    np.testing.assert_array_equal(x.grad.data, np.r_[np.full(500, 2.0), np.zeros(500)])


def test_a_view_taken_in_a_forward_only_pass_does_not_keep_its_base() -> None:
    x = _leaf(10)
    y = x.exp()
    print_me = y[0]
    del print_me
    alive = weakref.ref(y)
    del y
    assert alive() is None


def test_a_graph_kept_with_retain_graph_is_freed_when_dropped() -> None:
    x = _leaf(10)
    y = x * 3
    loss = y[:4].sum()
    loss.backward(retain_graph=True)
    alive = weakref.ref(y)
    del y, loss
    assert alive() is None


def test_one_output_of_eigh_does_not_keep_the_other() -> None:
    a = _leaf(4, 4)
    sym = a + a.T
    values, vectors = ag.linalg.eigh(sym)
    loss = values.sum()
    alive = weakref.ref(sym)
    del sym, values, vectors
    loss.backward()
    assert alive() is None
    np.testing.assert_allclose(a.grad.data, 2 * np.eye(4), atol=1e-12)  # d trace / d a


def test_an_lstm_whose_state_is_unused_frees_its_graph() -> None:
    lstm = nn.LSTM(3, 5, num_layers=2)
    x = _leaf(6, 2, 3)
    inputs = x * 1.0
    out, (h, c) = lstm(inputs)
    loss = h.sum()
    del inputs, out, h, c
    loss.backward()
    del loss
    gc.set_debug(gc.DEBUG_SAVEALL)  # what only the collector would free stays listed
    try:
        gc.collect()
        cyclic = [type(o).__name__ for o in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert cyclic == []
    assert x.grad is not None


class _SquaredSum(ag.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        ctx.scale = 2.0
        return (x * x).sum()

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return ctx.scale * g * x


def test_a_kept_custom_loss_lets_go_of_its_input_after_backward() -> None:
    x = _leaf(100)
    activation = x * 1.0
    loss = _SquaredSum.apply(activation)
    alive = weakref.ref(activation)
    del activation
    assert alive() is not None  # forward saved it for the backward
    loss.backward()
    assert alive() is None  # released with the graph, as PyTorch frees saved tensors
    np.testing.assert_allclose(x.grad.data, 2 * x.data)
    assert loss.grad_fn.scale == 2.0  # attributes set on ctx stay, as in PyTorch
    with pytest.raises(GraphFreedError, match="saved_tensors"):
        loss.grad_fn.saved_tensors


def test_retain_graph_keeps_what_a_custom_function_saved() -> None:
    x = _leaf(5)
    loss = _SquaredSum.apply(x * 1.0)
    loss.backward(retain_graph=True)
    loss.backward()
    np.testing.assert_allclose(x.grad.data, 4 * x.data)
