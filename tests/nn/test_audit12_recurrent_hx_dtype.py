"""A recurrent layer or cell given a hidden state wider than the dtype it computes in
(float64 hx into a float32 model and float32 input) raises a named DTypeError, as
PyTorch raises on the mismatch, instead of silently computing in float64; a narrower or
matching hx still runs, in the layer's dtype."""

import numpy as np
import pytest

import nn
from autograd import Tensor
from autograd.errors import DTypeError
from nn.layers import DTypePromotionWarning
from nn.utils.rnn import pack_padded_sequence

L, N, H_IN, H = 4, 2, 3, 5


def _hx(kind, shape, dtype):
    h = Tensor(np.zeros(shape, dtype))
    return (h, Tensor(np.zeros(shape, dtype))) if kind.startswith("LSTM") else h


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_a_wider_hx_raises_as_torch_does(kind):
    torch = pytest.importorskip("torch")
    theirs = getattr(torch.nn, kind)(H_IN, H)  # float32
    x = np.random.default_rng(0).standard_normal((L, N, H_IN)).astype(np.float32)
    t_hx = torch.zeros(1, N, H, dtype=torch.float64)
    with pytest.raises(Exception):
        theirs(torch.tensor(x), (t_hx, t_hx) if kind == "LSTM" else t_hx)
    ours = getattr(nn, kind)(H_IN, H, dtype=np.float32, rng=0)
    with pytest.raises(DTypeError, match=r"float64.*float32.*astype\(np.float32\)"):
        ours(x, _hx(kind, (1, N, H), np.float64))
    with pytest.raises(DTypeError, match="float64"):  # unbatched, and packed
        ours(x[:, 0], _hx(kind, (1, H), np.float64))
    with pytest.raises(DTypeError, match="float64"):
        ours(pack_padded_sequence(x, [L, 2]), _hx(kind, (1, N, H), np.float64))


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
def test_a_cell_given_a_wider_hx_raises_as_torch_does(kind):
    torch = pytest.importorskip("torch")
    theirs = getattr(torch.nn, kind)(H_IN, H)
    x = np.random.default_rng(0).standard_normal((N, H_IN)).astype(np.float32)
    t_hx = torch.zeros(N, H, dtype=torch.float64)
    with pytest.raises(Exception):
        theirs(torch.tensor(x), (t_hx, t_hx) if kind == "LSTMCell" else t_hx)
    ours = getattr(nn, kind)(H_IN, H, dtype=np.float32, rng=0)
    with pytest.raises(DTypeError, match=r"float64.*float32.*astype\(np.float32\)"):
        ours(x, _hx(kind, (N, H), np.float64))


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_a_matching_or_narrower_hx_runs_in_the_layers_dtype(kind):
    x = np.random.default_rng(0).standard_normal((L, N, H_IN))
    wide = getattr(nn, kind)(H_IN, H, rng=0)  # float64: a float32 hx is promoted, exactly
    out, _ = wide(x, _hx(kind, (1, N, H), np.float32))
    expected, _ = wide(x, _hx(kind, (1, N, H), np.float64))
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out.data, expected.data)
    narrow = getattr(nn, kind)(H_IN, H, dtype=np.float32, rng=0)
    out, _ = narrow(x.astype(np.float32), _hx(kind, (1, N, H), np.float32))
    assert out.dtype == np.float32
    h_n = narrow(x.astype(np.float32))[1]
    narrow(x.astype(np.float32), h_n)  # the state it returns goes back in


def test_float64_input_into_a_float32_model_takes_its_own_state_back():
    """The input may widen the computation (a DTypePromotionWarning, not an error); the
    state h_n it returns then has that dtype and goes back in (truncated BPTT)."""
    lstm = nn.LSTM(H_IN, H, dtype=np.float32, rng=0)
    x = np.random.default_rng(0).standard_normal((L, N, H_IN))
    with pytest.warns(DTypePromotionWarning):
        _, state = lstm(x)
    assert state[0].dtype == np.float64
    out, _ = lstm(x, state)
    assert out.dtype == np.float64
