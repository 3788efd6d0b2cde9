"""nn.RNN, nn.LSTM and nn.GRU on a PackedSequence as PyTorch's: the packed output, each
sequence's last state (both directions) and the gradients of the input, hx and every
parameter match torch on the same weights, sorted or not."""

import numpy as np
import pytest

import nn
from autograd import Tensor
from autograd.errors import ShapeError
from nn.utils.rnn import PackedSequence, pack_padded_sequence, pack_sequence

from recurrent_helpers import pair, random_state

KINDS = [("RNN", {}), ("LSTM", {}), ("GRU", {}), ("RNN", {"nonlinearity": "relu"})]
CONFIGS = [{}, {"bidirectional": True}, {"num_layers": 2, "bidirectional": True},
           {"num_layers": 2, "bias": False, "batch_first": True}]
SORTED, UNSORTED = [5, 3, 3, 1], [3, 5, 1, 3]
H_IN, H = 3, 4


def _states(state):
    return list(state) if isinstance(state, tuple) else [state]


def _to(value, make):
    return tuple(make(v) for v in value) if isinstance(value, tuple) else make(value)


def compare(torch, kind, kwargs, lengths, enforce_sorted, with_hx, seed=1):
    ours, theirs = pair(torch, kind, kwargs, H_IN, H)
    rng = np.random.default_rng(seed)
    padded = rng.normal(size=(max(lengths), len(lengths), H_IN))
    x_o, x_t = Tensor(padded, requires_grad=True), torch.tensor(padded, requires_grad=True)
    packed_o = pack_padded_sequence(x_o, lengths, enforce_sorted=enforce_sorted)
    packed_t = torch.nn.utils.rnn.pack_padded_sequence(x_t, lengths,
                                                       enforce_sorted=enforce_sorted)
    hx_o = hx_t = None
    if with_hx:
        rows = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
        hx = random_state(kind, (rows, len(lengths), H), seed + 1)
        hx_o = _to(hx, lambda v: Tensor(v, requires_grad=True))
        hx_t = _to(hx, lambda v: torch.tensor(v, requires_grad=True))
    (out_o, state_o), (out_t, state_t) = ours(packed_o, hx_o), theirs(packed_t, hx_t)
    assert isinstance(out_o, PackedSequence)
    np.testing.assert_array_equal(out_o.batch_sizes.data, out_t.batch_sizes.numpy())
    for field in ("sorted_indices", "unsorted_indices"):
        assert (getattr(out_o, field) is None) == (getattr(out_t, field) is None)
    loss_o, loss_t = 0, 0
    for a, b in zip([out_o.data] + _states(state_o), [out_t.data] + _states(state_t),
                    strict=True):
        assert a.shape == tuple(b.shape)
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-11, atol=1e-13)
        g = rng.normal(size=a.shape)
        loss_o, loss_t = loss_o + (a * g).sum(), loss_t + (b * torch.tensor(g)).sum()
    loss_o.backward()
    loss_t.backward()
    np.testing.assert_allclose(x_o.grad, x_t.grad.numpy(), rtol=1e-9, atol=1e-12)
    if with_hx:
        for a, b in zip(_states(hx_o), _states(hx_t), strict=True):
            np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-9, atol=1e-12)
    named_t = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, named_t[name].grad.numpy(), rtol=1e-9,
                                   atol=1e-12, err_msg=name)


@pytest.mark.parametrize("kind, kind_kwargs", KINDS)
@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(f"{k}={v}" for k, v in
                                                                  c.items()) or "default")
def test_packed_input_matches_torch(kind, kind_kwargs, config):
    torch = pytest.importorskip("torch")
    compare(torch, kind, {**kind_kwargs, **config}, SORTED, True, with_hx=False)


@pytest.mark.parametrize("kind, kind_kwargs", KINDS[:3])
@pytest.mark.parametrize("config", CONFIGS[:3])
def test_unsorted_packed_input_with_hx_matches_torch(kind, kind_kwargs, config):
    torch = pytest.importorskip("torch")
    compare(torch, kind, {**kind_kwargs, **config}, UNSORTED, False, with_hx=True)


def test_equal_lengths_and_a_single_sequence_match_torch():
    torch = pytest.importorskip("torch")
    compare(torch, "LSTM", {"bidirectional": True}, [3, 3], True, with_hx=True)
    compare(torch, "GRU", {"bidirectional": True}, [4], True, with_hx=False)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_each_sequence_runs_as_if_alone(kind):
    """The packed run of a batch equals running each sequence by itself (no torch)."""
    layer = getattr(nn, kind)(2, 3, num_layers=2, bidirectional=True, rng=0)
    rng = np.random.default_rng(0)
    sequences = [rng.normal(size=(n, 2)) for n in UNSORTED]
    output, state = layer(pack_sequence(sequences, enforce_sorted=False))
    padded, lengths = nn.utils.rnn.pad_packed_sequence(output)
    for b, sequence in enumerate(sequences):
        alone, alone_state = layer(Tensor(sequence[:, None]))
        np.testing.assert_allclose(padded.data[:lengths.data[b], b], alone.data[:, 0],
                                   rtol=1e-12, atol=1e-14)
        for s, a in zip(_states(state), _states(alone_state), strict=True):
            np.testing.assert_allclose(s.data[:, b], a.data[:, 0], rtol=1e-12, atol=1e-14)


def test_dropout_between_layers_runs_on_packed_steps():
    layer = nn.GRU(2, 3, num_layers=2, dropout=0.5, rng=0)
    packed = pack_sequence([np.ones((3, 2)), np.ones((2, 2))])
    out_a, _ = layer(packed)
    out_b, _ = layer(packed)
    assert out_a.data.shape == (5, 3)
    assert not np.allclose(out_a.data.data, out_b.data.data)  # fresh masks each call
    layer.eval()
    np.testing.assert_array_equal(layer(packed)[0].data.data, layer(packed)[0].data.data)


@pytest.mark.parametrize("packed, hx, match", [
    (PackedSequence(Tensor(np.ones((4, 2))), Tensor(np.array([2, 2]))), None,
     r"data must have shape \(sum of batch_sizes, input_size\) = \(4, 3\); got \(4, 2\)"),
    (PackedSequence(Tensor(np.ones((4, 3))), Tensor(np.array([1, 3]))), None,
     "non-increasing; got \\[1, 3\\]"),
    (pack_sequence([np.ones((2, 3)), np.ones((1, 3))]), np.zeros((1, 3, 4)),
     r"hx must have shape \(1, 2, 4\) for a PackedSequence of batch 2"),
])
def test_bad_packed_input_is_a_named_error(packed, hx, match):
    with pytest.raises(ShapeError, match=match):
        nn.RNN(3, 4, rng=0)(packed, hx)
