"""The fused elementwise steps of the LSTM and the GRU (``nn/functional/recurrent_gates.py``):
gradients against finite differences to second order, the same values and gradients as
the composition of ops they replace, broadcasting inputs, a retained graph's second
backward, and no activation arrays kept after a backward."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import autograd as ag
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from nn.functional.recurrent_gates import GRUCellUpdate, LSTMCellOutput, LSTMCellState
from nn.recurrent_cells import gru_cell, lstm_cell


def _tensors(seed: int, *shapes: tuple[int, ...], scale: float = 1.5) -> list[Tensor]:
    rng = np.random.default_rng(seed)
    return [Tensor(rng.standard_normal(s) * scale, requires_grad=True) for s in shapes]


def _lstm_composed(a: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
    """The cell's elementwise step as the ops it was written with before fusing."""
    i, f, g, o = a.chunk(4, dim=-1)
    c_next = F.sigmoid(f) * c + F.sigmoid(i) * F.tanh(g)
    return F.sigmoid(o) * F.tanh(c_next), c_next


def _gru_composed(a: Tensor, b: Tensor, h: Tensor) -> Tensor:
    a_r, a_z, a_n = a.chunk(3, dim=-1)
    b_r, b_z, b_n = b.chunk(3, dim=-1)
    r, z = F.sigmoid(a_r + b_r), F.sigmoid(a_z + b_z)
    n = F.tanh(a_n + r * b_n)
    return (1 - z) * n + z * h


@settings(max_examples=15, deadline=None)
@given(batch=st.integers(1, 3), hidden=st.integers(1, 3), seed=st.integers(0, 2**16))
def test_lstm_ops_match_finite_differences(batch: int, hidden: int, seed: int) -> None:
    a, c = _tensors(seed, (batch, 4 * hidden), (batch, hidden))
    assert gradcheck(lambda a, c: LSTMCellState.apply(a, c), [a, c])
    assert gradcheck(lambda a, c: LSTMCellOutput.apply(a, c), [a, c])
    assert gradgradcheck(lambda a, c: LSTMCellState.apply(a, c), [a, c])
    assert gradgradcheck(lambda a, c: LSTMCellOutput.apply(a, c), [a, c])


@settings(max_examples=15, deadline=None)
@given(batch=st.integers(1, 3), hidden=st.integers(1, 3), seed=st.integers(0, 2**16))
def test_gru_op_matches_finite_differences(batch: int, hidden: int, seed: int) -> None:
    inputs = _tensors(seed, (batch, 3 * hidden), (batch, 3 * hidden), (batch, hidden))
    assert gradcheck(lambda a, b, h: GRUCellUpdate.apply(a, b, h), inputs)
    assert gradgradcheck(lambda a, b, h: GRUCellUpdate.apply(a, b, h), inputs)


def _grads(outputs: list[Tensor], inputs: list[Tensor], seeds: list[np.ndarray]) -> list:
    return [g.data for g in ag.grad(outputs, inputs, [Tensor(s) for s in seeds])]


def test_lstm_cell_equals_the_composition() -> None:
    x, h, c, w_ih, w_hh, b_ih, b_hh = _tensors(1, (5, 3), (5, 4), (5, 4), (16, 3), (16, 4),
                                               (16,), (16,))
    h1, c1 = lstm_cell(x, (h, c), w_ih, w_hh, b_ih, b_hh)
    assert type(h1.grad_fn) is LSTMCellOutput and type(c1.grad_fn) is LSTMCellState
    h2, c2 = _lstm_composed(F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh), c)
    np.testing.assert_allclose(h1.data, h2.data, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(c1.data, c2.data, rtol=1e-13, atol=1e-15)
    seeds = list(np.random.default_rng(2).standard_normal((2, 5, 4)))
    inputs = [x, h, c, w_ih, w_hh, b_ih, b_hh]
    for got, want in zip(_grads([h1, c1], inputs, seeds), _grads([h2, c2], inputs, seeds)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_gru_cell_equals_the_composition() -> None:
    x, h, w_ih, w_hh, b_ih, b_hh = _tensors(3, (5, 3), (5, 4), (12, 3), (12, 4), (12,), (12,))
    fused = gru_cell(x, h, w_ih, w_hh, b_ih, b_hh)
    assert type(fused.grad_fn) is GRUCellUpdate
    composed = _gru_composed(F.linear(x, w_ih, b_ih), F.linear(h, w_hh, b_hh), h)
    np.testing.assert_allclose(fused.data, composed.data, rtol=1e-13, atol=1e-15)
    seed = [np.random.default_rng(4).standard_normal((5, 4))]
    inputs = [x, h, w_ih, w_hh, b_ih, b_hh]
    for got, want in zip(_grads([fused], inputs, seed), _grads([composed], inputs, seed)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_unbatched_and_broadcast_inputs() -> None:
    """One sequence (no batch axis), and a state shared by the batch: the engine sums the
    gradient over the broadcast axis, as for the composition."""
    a, c = _tensors(5, (4 * 3,), (3,))
    assert gradcheck(lambda a, c: LSTMCellState.apply(a, c) * LSTMCellOutput.apply(a, c),
                     [a, c])
    a2, c_shared = _tensors(6, (4, 4 * 3), (3,))
    assert gradcheck(lambda a, c: LSTMCellState.apply(a, c), [a2, c_shared])
    a3, b3, h_shared = _tensors(7, (4, 6), (4, 6), (2,))
    assert gradcheck(lambda a, b, h: GRUCellUpdate.apply(a, b, h), [a3, b3, h_shared])


@pytest.mark.parametrize("op, shapes", [(LSTMCellState, [(2, 8), (2, 2)]),
                                        (LSTMCellOutput, [(2, 8), (2, 2)]),
                                        (GRUCellUpdate, [(2, 6), (2, 6), (2, 2)])])
def test_activations_dropped_after_backward_and_recomputed(op, shapes) -> None:
    inputs = _tensors(8, *shapes)
    out = op.apply(*inputs)
    out.sum().backward(retain_graph=True)
    first = [t.grad.data.copy() for t in inputs]
    assert out.grad_fn.kept is None  # a kept loss holds no activation arrays
    for t in inputs:
        t.grad = None
    out.sum().backward()  # the retained graph: the activations are computed again
    for t, want in zip(inputs, first):
        np.testing.assert_array_equal(t.grad.data, want)


def test_float32_stays_float32() -> None:
    x = Tensor(np.ones((2, 3), np.float32))
    h, c = (Tensor(np.zeros((2, 4), np.float32)) for _ in range(2))
    w_ih = Tensor(np.full((16, 3), 0.1, np.float32), requires_grad=True)
    w_hh = Tensor(np.full((16, 4), 0.1, np.float32), requires_grad=True)
    h1, c1 = lstm_cell(x, (h, c), w_ih, w_hh)
    (h1.sum() + c1.sum()).backward()
    assert h1.dtype == c1.dtype == np.float32 and w_ih.grad.dtype == np.float32
