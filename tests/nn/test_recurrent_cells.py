"""nn.RNNCell, nn.LSTMCell and nn.GRUCell as PyTorch's: parameter names and shapes, values
and every gradient on the same weights, finite differences, errors and repr."""

import numpy as np
import pytest

import nn
from autograd import Tensor, gradcheck
from autograd.errors import AutogradError, DTypeError, ShapeError
from nn.errors import ArgumentTypeError, ConfigError
from nn.recurrent_cells import gru_cell, lstm_cell, rnn_relu_cell, rnn_tanh_cell

from recurrent_helpers import pair as _pair, random_state as states

KINDS = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}), ("LSTMCell", {}),
         ("GRUCell", {}), ("GRUCell", {"bias": False}), ("LSTMCell", {"bias": False})]


def pair(torch, kind, kwargs):
    return _pair(torch, kind, kwargs, 3, 4)


def as_torch(torch, value):
    if isinstance(value, tuple):
        return tuple(as_torch(torch, v) for v in value)
    return torch.tensor(value, requires_grad=True)


def as_ours(value):
    if isinstance(value, tuple):
        return tuple(as_ours(v) for v in value)
    return Tensor(value, requires_grad=True)


def flat(value):
    return list(value) if isinstance(value, tuple) else [value]


@pytest.mark.parametrize("kind, kwargs", KINDS)
@pytest.mark.parametrize("batch", [(2,), ()], ids=["batched", "unbatched"])
@pytest.mark.parametrize("given_hx", [True, False])
def test_cell_matches_torch_values_and_gradients(kind, kwargs, batch, given_hx):
    torch = pytest.importorskip("torch")
    ours, theirs = pair(torch, kind, kwargs)
    x = np.random.default_rng(1).normal(size=batch + (3,))
    hx = states(kind, batch + (4,), 2) if given_hx else None
    x_o, x_t = as_ours(x), as_torch(torch, x)
    hx_o = as_ours(hx) if given_hx else None
    hx_t = as_torch(torch, hx) if given_hx else None
    out_o, out_t = flat(ours(x_o, hx_o)), flat(theirs(x_t, hx_t))
    upstream = np.random.default_rng(3)
    loss_o, loss_t = 0, 0
    for a, b in zip(out_o, out_t):
        assert a.shape == tuple(b.shape)
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-12, atol=1e-14)
        g = upstream.normal(size=a.shape)
        loss_o, loss_t = loss_o + (a * g).sum(), loss_t + (b * torch.tensor(g)).sum()
    loss_o.backward()
    loss_t.backward()
    np.testing.assert_allclose(x_o.grad, x_t.grad.numpy(), rtol=1e-10, atol=1e-13)
    if given_hx:
        for a, b in zip(flat(hx_o), flat(hx_t)):
            np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-10, atol=1e-13)
    named_t = dict(theirs.named_parameters())
    assert [n for n, _ in ours.named_parameters()] == list(named_t)
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, named_t[name].grad.numpy(), rtol=1e-10,
                                   atol=1e-13, err_msg=name)


@pytest.mark.parametrize("kind, gates", [("RNNCell", 1), ("LSTMCell", 4), ("GRUCell", 3)])
def test_parameter_names_shapes_and_init_range_as_torch(kind, gates):
    cell = getattr(nn, kind)(5, 4, rng=0)
    shapes = {n: p.shape for n, p in cell.named_parameters()}
    assert shapes == {"weight_ih": (4 * gates, 5), "weight_hh": (4 * gates, 4),
                      "bias_ih": (4 * gates,), "bias_hh": (4 * gates,)}
    for p in cell.parameters():
        assert p.dtype == np.float64 and np.all(np.abs(p.data) <= 0.5)  # 1/sqrt(4)
        assert np.std(p.data) > 0.1  # drawn, not constant
    no_bias = getattr(nn, kind)(5, 4, bias=False)
    assert [n for n, _ in no_bias.named_parameters()] == ["weight_ih", "weight_hh"]
    assert no_bias.bias_ih is None and no_bias.bias_hh is None


def test_init_follows_the_rng_and_reset_parameters_redraws():
    a, b = nn.GRUCell(3, 4, rng=7), nn.GRUCell(3, 4, rng=np.random.default_rng(7))
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    before = a.weight_ih.data.copy()
    a.reset_parameters(rng=8)
    assert not np.array_equal(before, a.weight_ih.data)
    a.reset_parameters(rng=7)
    np.testing.assert_array_equal(before, a.weight_ih.data)


@pytest.mark.parametrize("step, gates", [(rnn_tanh_cell, 1), (rnn_relu_cell, 1),
                                         (lstm_cell, 4), (gru_cell, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_cell_functions_gradcheck_in_float64(step, gates, bias):
    """Every input of one step (x, the state, the weights) against finite differences."""
    rng = np.random.default_rng(5)
    shapes = [(2, 2), (2, 3), (3 * gates, 2), (3 * gates, 3)] + [(3 * gates,)] * 2 * bias
    if step is lstm_cell:
        shapes.insert(2, (2, 3))
    inputs = [Tensor(rng.normal(size=s), requires_grad=True) for s in shapes]

    def run(*args):
        if step is lstm_cell:
            h, c = step(args[0], (args[1], args[2]), *args[3:])
            return (h * 2 + c).sum()
        return (step(*args) ** 2).sum()

    assert gradcheck(run, inputs)


def test_float32_cell_computes_in_float32():
    cell = nn.LSTMCell(3, 2, dtype=np.float32, rng=0)
    h, c = cell(np.ones((4, 3), np.float32))
    assert h.dtype == c.dtype == np.float32 and h.shape == (4, 2)
    assert repr(cell) == "LSTMCell(3, 2, dtype=float32)"
    with pytest.raises(DTypeError, match="floating dtype"):
        nn.GRUCell(3, 2, dtype=np.int64)


def test_repr_as_torch():
    torch = pytest.importorskip("torch")
    for kind, kwargs in KINDS + [("RNNCell", {"bias": False, "nonlinearity": "relu"})]:
        assert repr(getattr(nn, kind)(3, 4, **kwargs)) == repr(
            getattr(torch.nn, kind)(3, 4, **kwargs))


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
def test_input_and_state_shape_errors_are_named(kind):
    cell = getattr(nn, kind)(3, 4)
    with pytest.raises(ShapeError, match=r"1 or 2 axes.*got shape \(2, 2, 3\)"):
        cell(np.ones((2, 2, 3)))
    with pytest.raises(ShapeError, match="expected input_size=3"):
        cell(np.ones((2, 5)))
    bad = {"RNNCell": np.ones((3, 4)), "GRUCell": np.ones((2, 5)),
           "LSTMCell": (np.ones((2, 4)), np.ones((3, 4)))}[kind]
    with pytest.raises(ShapeError, match=r"must have shape \(2, 4\)"):
        cell(np.ones((2, 3)), bad)
    unbatched_hx = (np.ones((1, 4)),) * 2 if kind == "LSTMCell" else np.ones((1, 4))
    with pytest.raises(ShapeError, match=r"must have shape \(4,\)"):
        cell(np.ones(3), unbatched_hx)  # torch refuses this too


def test_lstm_cell_needs_a_pair_as_hx():
    with pytest.raises(ArgumentTypeError, match=r"tuple \(h, c\)"):
        nn.LSTMCell(3, 4)(np.ones((2, 3)), np.ones((2, 4)))


def test_constructor_errors_are_named():
    with pytest.raises(ConfigError, match="unknown nonlinearity 'sig'"):
        nn.RNNCell(3, 4, nonlinearity="sig")
    with pytest.raises(ArgumentTypeError, match="nonlinearity must be"):
        nn.RNNCell(3, 4, nonlinearity=None)
    with pytest.raises(ConfigError, match="hidden_size must be an int >= 0"):
        nn.GRUCell(3, -1)
    with pytest.raises(ArgumentTypeError, match="input_size"):
        nn.LSTMCell(3.0, 4)
    with pytest.raises(ArgumentTypeError, match="bias"):
        nn.RNNCell(3, 4, 1)
    for error in (ConfigError, ArgumentTypeError, ShapeError):
        assert issubclass(error, AutogradError)


def test_cell_loop_in_a_model_trains():
    """The tutorial habit: loop a cell over the steps, a Linear on the last state."""
    torch = pytest.importorskip("torch")
    ours, theirs = pair(torch, "GRUCell", {})
    x = np.random.default_rng(4).normal(size=(6, 2, 3))
    h_o, h_t = None, None
    for t in range(6):
        h_o, h_t = ours(x[t], h_o), theirs(torch.tensor(x[t]), h_t)
    h_o.square().sum().backward()
    h_t.square().sum().backward()
    np.testing.assert_allclose(h_o.data, h_t.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.weight_hh.grad, theirs.weight_hh.grad.numpy(),
                               rtol=1e-10)
