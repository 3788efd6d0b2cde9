"""nn.RNN, nn.LSTM and nn.GRU as PyTorch's: a torch state dict loads, and outputs, final
states and the gradients of the input, hx and every parameter match torch on the same
weights (layers, directions, batch_first, unbatched input, given hx, no bias)."""

import numpy as np
import pytest

import nn
from autograd import Tensor, gradcheck
from nn.module import functional_call

from recurrent_helpers import pair as _pair, random_state as hidden

KINDS = [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("LSTM", {}), ("GRU", {})]
CONFIGS = [{}, {"num_layers": 2}, {"bidirectional": True},
           {"num_layers": 2, "bidirectional": True}, {"batch_first": True},
           {"num_layers": 2, "batch_first": True, "bidirectional": True},
           {"bias": False, "num_layers": 2}]
L, N, H_IN, H = 5, 3, 3, 4


def pair(torch, kind, kwargs):
    return _pair(torch, kind, kwargs, H_IN, H)


def convert(value, make):
    if isinstance(value, tuple):
        return tuple(convert(v, make) for v in value)
    return make(value)


def flat(result):
    """output, h_n (and c_n) as one list."""
    output, state = result
    return [output] + (list(state) if isinstance(state, tuple) else [state])


def compare(torch, ours, theirs, kind, x, hx=None):
    """Run both on x (and hx), backward a random weighting of every result, compare."""
    x_o, x_t = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    hx_o = None if hx is None else convert(hx, lambda v: Tensor(v, requires_grad=True))
    hx_t = None if hx is None else convert(hx, lambda v: torch.tensor(v, requires_grad=True))
    out_o, out_t = flat(ours(x_o, hx_o)), flat(theirs(x_t, hx_t))
    rng = np.random.default_rng(9)
    loss_o, loss_t = 0, 0
    for a, b in zip(out_o, out_t, strict=True):
        assert a.shape == tuple(b.shape)
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-11, atol=1e-13)
        g = rng.normal(size=a.shape)
        loss_o, loss_t = loss_o + (a * g).sum(), loss_t + (b * torch.tensor(g)).sum()
    loss_o.backward()
    loss_t.backward()
    np.testing.assert_allclose(x_o.grad, x_t.grad.numpy(), rtol=1e-9, atol=1e-12)
    if hx is not None:
        for a, b in zip(flat((None, hx_o))[1:], flat((None, hx_t))[1:]):
            np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-9, atol=1e-12)
    named_t = dict(theirs.named_parameters())
    assert [n for n, _ in ours.named_parameters()] == list(named_t)
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, named_t[name].grad.numpy(), rtol=1e-9,
                                   atol=1e-12, err_msg=name)


@pytest.mark.parametrize("kind, kind_kwargs", KINDS)
@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(f"{k}={v}" for k, v in
                                                                  c.items()) or "default")
def test_layer_matches_torch_values_and_gradients(kind, kind_kwargs, config):
    torch = pytest.importorskip("torch")
    ours, theirs = pair(torch, kind, {**kind_kwargs, **config})
    shape = (N, L, H_IN) if config.get("batch_first") else (L, N, H_IN)
    compare(torch, ours, theirs, kind, np.random.default_rng(1).normal(size=shape))


@pytest.mark.parametrize("kind, kind_kwargs", KINDS)
@pytest.mark.parametrize("config", [{}, {"num_layers": 2, "bidirectional": True},
                                    {"batch_first": True, "num_layers": 2}])
def test_given_hx_matches_torch(kind, kind_kwargs, config):
    torch = pytest.importorskip("torch")
    ours, theirs = pair(torch, kind, {**kind_kwargs, **config})
    layers = config.get("num_layers", 1) * (2 if config.get("bidirectional") else 1)
    shape = (N, L, H_IN) if config.get("batch_first") else (L, N, H_IN)
    hx = hidden(kind, (layers, N, H), 2)  # (D * num_layers, N, H) even with batch_first
    compare(torch, ours, theirs, kind, np.random.default_rng(1).normal(size=shape), hx)


@pytest.mark.parametrize("kind, kind_kwargs", KINDS)
@pytest.mark.parametrize("config", [{}, {"num_layers": 2, "bidirectional": True},
                                    {"batch_first": True}])
@pytest.mark.parametrize("given_hx", [False, True])
def test_unbatched_input_matches_torch(kind, kind_kwargs, config, given_hx):
    torch = pytest.importorskip("torch")
    ours, theirs = pair(torch, kind, {**kind_kwargs, **config})
    layers = config.get("num_layers", 1) * (2 if config.get("bidirectional") else 1)
    hx = hidden(kind, (layers, H), 2) if given_hx else None
    compare(torch, ours, theirs, kind, np.random.default_rng(1).normal(size=(L, H_IN)), hx)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_one_step_and_one_sample_match_torch(kind):
    torch = pytest.importorskip("torch")
    ours, theirs = pair(torch, kind, {"num_layers": 2, "bidirectional": True})
    compare(torch, ours, theirs, kind, np.random.default_rng(1).normal(size=(1, 1, H_IN)))


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_an_empty_batch_gives_empty_results_as_torch(kind):
    torch = pytest.importorskip("torch")
    ours, theirs = pair(torch, kind, {"bidirectional": True})
    for a, b in zip(flat(ours(np.zeros((L, 0, H_IN)))), flat(theirs(torch.zeros(
            L, 0, H_IN, dtype=torch.float64)))):
        assert a.shape == tuple(b.shape) and a.shape[1] == 0


@pytest.mark.parametrize("kind, gates", [("RNN", 1), ("LSTM", 4), ("GRU", 3)])
def test_parameters_names_shapes_and_init_as_torch(kind, gates):
    torch = pytest.importorskip("torch")
    kwargs = {"num_layers": 2, "bidirectional": True}
    ours, theirs = getattr(nn, kind)(3, 4, **kwargs, rng=0), getattr(torch.nn, kind)(3, 4,
                                                                                    **kwargs)
    assert {n: p.shape for n, p in ours.named_parameters()} == {
        n: tuple(p.shape) for n, p in theirs.named_parameters()}
    assert ours.weight_ih_l1_reverse.shape == (4 * gates, 8)
    for p in ours.parameters():  # U(-1/sqrt(4), 1/sqrt(4)), drawn
        assert p.dtype == np.float64 and np.all(np.abs(p.data) <= 0.5) and p.data.std() > 0.1
    names_o = {id(p): n for n, p in ours.named_parameters()}
    names_t = {id(p): n for n, p in theirs.named_parameters()}
    assert [[names_o[id(p)] for p in group] for group in ours.all_weights] == [
        [names_t[id(p)] for p in group] for group in theirs.all_weights]
    ours.flatten_parameters()  # PyTorch's cuDNN call: accepted, nothing to do


def test_init_follows_the_rng_and_reset_parameters_redraws():
    a, b = nn.LSTM(3, 4, 2, rng=3), nn.LSTM(3, 4, 2, rng=np.random.default_rng(3))
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    a.reset_parameters(rng=4)
    assert not np.array_equal(a.weight_hh_l1.data, b.weight_hh_l1.data)
    a.reset_parameters(rng=3)
    np.testing.assert_array_equal(a.weight_hh_l1.data, b.weight_hh_l1.data)


def test_float32_layer_computes_in_float32():
    lstm = nn.LSTM(3, 2, num_layers=2, dtype=np.float32, rng=0)
    output, (h, c) = lstm(np.ones((4, 2, 3), np.float32))
    assert output.dtype == h.dtype == c.dtype == np.float32
    assert repr(lstm) == "LSTM(3, 2, num_layers=2, dtype=float32)"


@pytest.mark.parametrize("kind, kwargs", [("GRU", {}), ("LSTM", {"bidirectional": True}),
                                          ("RNN", {"nonlinearity": "relu"})])
def test_gradcheck_of_a_small_layer_in_float64(kind, kwargs):
    layer = getattr(nn, kind)(2, 2, num_layers=2, **kwargs, rng=0)
    rng = np.random.default_rng(6)
    x = Tensor(rng.normal(size=(3, 2, 2)), requires_grad=True)
    names = [n for n, _ in layer.named_parameters()]
    weights = [Tensor(p.data.copy(), requires_grad=True) for p in layer.parameters()]

    def run(x, *ws):
        output, state = functional_call(layer, dict(zip(names, ws)), x)
        h = state[0] if isinstance(state, tuple) else state
        return (output ** 2).sum() + h.sum()

    assert gradcheck(run, [x, *weights])
