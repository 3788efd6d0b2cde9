"""nn.LSTM(proj_size=...) as PyTorch's: weight_hr_l{k} with its names, shapes and init,
h of proj_size features; outputs, states and gradients match torch on the same weights
(layers, directions, batch_first, no bias, given hx, unbatched and packed input)."""

import numpy as np
import pytest

import nn
from autograd import Tensor
from autograd.errors import ShapeError
from nn.errors import ArgumentTypeError, ConfigError
from nn.utils.rnn import pack_padded_sequence

from recurrent_helpers import pair

L, N, H_IN, H, P = 4, 3, 3, 5, 2
CONFIGS = [{}, {"num_layers": 2, "bidirectional": True}, {"batch_first": True},
           {"bias": False, "num_layers": 2}]
pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections")  # torch's oneDNN


def _layers(kwargs):
    return kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)


def compare(torch, kwargs, x, hx=None, lengths=None):
    """Run ours and torch's LSTM(proj_size=P) on x (packed when lengths are given) and
    hx, backward a random weighting of every result, compare values and gradients."""
    ours, theirs = pair(torch, "LSTM", {**kwargs, "proj_size": P}, H_IN, H)
    x_o, x_t = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    in_o, in_t = x_o, x_t
    if lengths is not None:
        in_o = pack_padded_sequence(x_o, lengths, enforce_sorted=False)
        in_t = torch.nn.utils.rnn.pack_padded_sequence(x_t, lengths, enforce_sorted=False)
    hx_o = None if hx is None else tuple(Tensor(v, requires_grad=True) for v in hx)
    hx_t = None if hx is None else tuple(torch.tensor(v, requires_grad=True) for v in hx)
    (out_o, state_o), (out_t, state_t) = ours(in_o, hx_o), theirs(in_t, hx_t)
    if lengths is not None:
        out_o, out_t = out_o.data, out_t.data
    rng = np.random.default_rng(9)
    loss_o, loss_t = 0, 0
    for a, b in zip([out_o, *state_o], [out_t, *state_t], strict=True):
        assert a.shape == tuple(b.shape)
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-11, atol=1e-13)
        g = rng.normal(size=a.shape)
        loss_o, loss_t = loss_o + (a * g).sum(), loss_t + (b * torch.tensor(g)).sum()
    loss_o.backward()
    loss_t.backward()
    np.testing.assert_allclose(x_o.grad, x_t.grad.numpy(), rtol=1e-9, atol=1e-12)
    for a, b in zip(hx_o or (), hx_t or (), strict=True):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-9, atol=1e-12)
    named_t = dict(theirs.named_parameters())
    assert [n for n, _ in ours.named_parameters()] == list(named_t)
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, named_t[name].grad.numpy(), rtol=1e-9,
                                   atol=1e-12, err_msg=name)
    return ours, theirs


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(f"{k}={v}" for k, v in
                                                                  c.items()) or "default")
def test_projected_lstm_matches_torch(config):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x = rng.normal(size=(N, L, H_IN) if config.get("batch_first") else (L, N, H_IN))
    ours, theirs = compare(torch, config, x)
    assert repr(ours) == repr(theirs)
    assert [[tuple(p.shape) for p in w] for w in ours.all_weights] == \
        [[tuple(p.shape) for p in w] for w in theirs.all_weights]


@pytest.mark.parametrize("config", CONFIGS[:2])
def test_given_hx_unbatched_and_packed_input_match_torch(config):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    rows = _layers(config)
    compare(torch, config, rng.normal(size=(L, N, H_IN)),
            (rng.normal(size=(rows, N, P)), rng.normal(size=(rows, N, H))))
    compare(torch, config, rng.normal(size=(L, H_IN)),
            (rng.normal(size=(rows, P)), rng.normal(size=(rows, H))))
    compare(torch, config, rng.normal(size=(L, N, H_IN)),
            (rng.normal(size=(rows, N, P)), rng.normal(size=(rows, N, H))), [2, 4, 1])


def test_parameters_shapes_and_init_are_torchs():
    lstm = nn.LSTM(H_IN, H, num_layers=2, bidirectional=True, proj_size=P, rng=0)
    assert lstm.proj_size == P
    assert lstm.weight_hr_l1_reverse.shape == (P, H)
    assert lstm.weight_hh_l0.shape == (4 * H, P)
    assert lstm.weight_ih_l1.shape == (4 * H, 2 * P)
    bound = 1 / np.sqrt(H)  # every parameter from U(-1/sqrt(hidden), 1/sqrt(hidden))
    values = np.concatenate([p.data.ravel() for p in lstm.parameters()])
    assert np.all(np.abs(values) <= bound) and np.abs(values).max() > 0.9 * bound
    output, (h, c) = lstm(np.zeros((L, N, H_IN)))
    assert (output.shape, h.shape, c.shape) == ((L, N, 2 * P), (4, N, P), (4, N, H))
    plain = nn.LSTM(H_IN, H, rng=0)
    assert not any("weight_hr" in name for name, _ in plain.named_parameters())


def test_bad_proj_size_and_hx_are_named_errors():
    with pytest.raises(ConfigError, match=r"proj_size must be an int in \[0, 4\].*smaller "
                                          r"than hidden_size"):
        nn.LSTM(3, 5, proj_size=5)
    with pytest.raises(ConfigError, match="proj_size"):
        nn.LSTM(3, 5, proj_size=-1)
    with pytest.raises(ArgumentTypeError, match="proj_size"):
        nn.LSTM(3, 5, proj_size=2.0)
    lstm = nn.LSTM(3, 5, proj_size=2, rng=0)
    with pytest.raises(ShapeError, match=r"h_0 must have shape \(1, 4, 2\).*N, proj_size\)"):
        lstm(np.zeros((2, 4, 3)), (np.zeros((1, 4, 5)), np.zeros((1, 4, 5))))
    with pytest.raises(ShapeError, match=r"c_0 must have shape \(1, 4, 5\).*N, hidden_size\)"):
        lstm(np.zeros((2, 4, 3)), (np.zeros((1, 4, 2)), np.zeros((1, 4, 2))))
