"""Recurrent and transformer modules against PyTorch (session 35's findings): an LSTM
state pair with one half None is refused, as PyTorch refuses it; PackedSequence's integer
conversions and pinning; the boolean causal mask; pad_sequence of any iterable and a 0-d
tensor total_length; PyTorch's ``nn.modules.<sub>`` paths; named errors for an (h, c)
pair given to a GRU, a PackedSequence given to a cell, a bare RNNBase and a torch dtype."""

import importlib

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import AutogradError, DTypeError, UnsupportedError
from nn.errors import ArgumentTypeError
from nn.utils import rnn as R

L, N, H_IN, H = 5, 2, 3, 4


def _data(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


def _lstm_pair(torch):
    theirs = torch.nn.LSTM(H_IN, H)
    ours = nn.LSTM(H_IN, H)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


# ---------------------------------------------------------------- LSTM state pairs
@pytest.mark.parametrize("missing", [0, 1])
def test_lstm_state_pair_with_a_none_half_is_refused_as_torch_refuses_it(torch, missing):
    ours, theirs = _lstm_pair(torch)
    x, state = _data(L, N, H_IN), _data(1, N, H, seed=1)
    pair = [state, state]
    pair[missing] = None
    with pytest.raises(AttributeError):
        theirs(torch.tensor(x), tuple(None if s is None else torch.tensor(s) for s in pair))
    with pytest.raises(ArgumentTypeError, match=rf"hx\[{missing}\].*is None.*hx=None"):
        ours(ag.tensor(x), tuple(None if s is None else ag.tensor(s) for s in pair))


def test_lstm_hx_none_as_a_whole_is_still_zeros_as_torch(torch):
    ours, theirs = _lstm_pair(torch)
    x = _data(L, N, H_IN)
    out, (h, c) = ours(ag.tensor(x))
    expected, (h_t, c_t) = theirs(torch.tensor(x))
    for mine, their in ((out, expected), (h, h_t), (c, c_t)):
        np.testing.assert_allclose(mine.data, their.detach().numpy(), rtol=1e-10)


@pytest.mark.parametrize("missing", [0, 1])
def test_lstm_cell_state_pair_with_a_none_half_is_refused_as_torch(torch, missing):
    theirs, ours = torch.nn.LSTMCell(H_IN, H), nn.LSTMCell(H_IN, H)
    pair = [np.zeros((N, H)), np.zeros((N, H))]
    pair[missing] = None
    with pytest.raises(AttributeError):
        theirs(torch.ones(N, H_IN), tuple(None if s is None else torch.tensor(s)
                                           for s in pair))
    with pytest.raises(ArgumentTypeError, match=rf"hx\[{missing}\].*is None"):
        ours(ag.ones((N, H_IN)), tuple(None if s is None else ag.tensor(s) for s in pair))


# ---------------------------------------------------------------- PackedSequence
def _packed(lib, torch):
    rows = [_data(3, 2), _data(1, 2, seed=1)]
    if lib is torch:
        return torch.nn.utils.rnn.pack_sequence([torch.tensor(r) for r in rows])
    return R.pack_sequence([ag.tensor(r) for r in rows])


@pytest.mark.parametrize("method", ["long", "int", "short", "char", "byte"])
def test_packed_sequence_integer_conversions_as_torch(torch, method):
    theirs = getattr(_packed(torch, torch), method)()
    ours = getattr(_packed(R, torch), method)()
    assert isinstance(ours, R.PackedSequence)
    assert ours.data.dtype == np.dtype(str(theirs.data.dtype).removeprefix("torch."))
    np.testing.assert_array_equal(ours.data.data, theirs.data.numpy())
    np.testing.assert_array_equal(ours.batch_sizes.data, theirs.batch_sizes.numpy())
    assert ours.batch_sizes.dtype == np.int64


def test_packed_sequence_pinning(torch):
    ours = _packed(R, torch)
    assert ours.is_pinned() is _packed(torch, torch).is_pinned() is False
    assert ours.pin_memory() is ours  # no GPU to pin for: nothing to do


# ---------------------------------------------------------------- the causal mask
def test_boolean_causal_mask_as_torch(torch):
    for sz in (0, 1, 4):
        theirs = torch.nn.Transformer.generate_square_subsequent_mask(sz, dtype=torch.bool)
        for dtype in (bool, np.bool_, "bool"):
            ours = nn.generate_square_subsequent_mask(sz, dtype=dtype)
            assert ours.dtype == np.bool_
            np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert nn.Transformer.generate_square_subsequent_mask(3, dtype=bool).dtype == np.bool_


def test_boolean_causal_mask_attends_as_the_float_one(torch):
    layer = nn.TransformerEncoderLayer(4, 2, dim_feedforward=8, dropout=0.0)
    theirs = torch.nn.TransformerEncoderLayer(4, 2, dim_feedforward=8, dropout=0.0).double()
    layer.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = _data(5, 2, 4)
    expected = theirs(torch.tensor(x), src_mask=torch.nn.Transformer
                      .generate_square_subsequent_mask(5, dtype=torch.bool)).detach().numpy()
    for dtype in (bool, np.float64):
        out = layer(ag.tensor(x), src_mask=nn.generate_square_subsequent_mask(5, dtype=dtype))
        np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12)


def test_causal_mask_of_another_dtype_names_the_mask(torch):
    with pytest.raises(RuntimeError):  # PyTorch cannot fill ints with -inf either
        torch.nn.Transformer.generate_square_subsequent_mask(3, dtype=torch.int64)
    with pytest.raises(DTypeError, match="mask's dtype must be floating.*or bool"):
        nn.generate_square_subsequent_mask(3, dtype=np.int64)


# ---------------------------------------------------------------- call forms
def test_pad_sequence_takes_any_iterable_as_torch(torch):
    rows = [_data(3, 2), _data(1, 2, seed=1), _data(2, 2, seed=2)]
    theirs = torch.nn.utils.rnn.pad_sequence(torch.tensor(r) for r in rows).numpy()
    for given in ((ag.tensor(r) for r in rows), tuple(ag.tensor(r) for r in rows),
                  map(ag.tensor, rows)):
        np.testing.assert_array_equal(R.pad_sequence(given).data, theirs)
    with pytest.raises(ArgumentTypeError, match="empty"):
        R.pad_sequence(iter([]))


def test_pad_packed_sequence_takes_a_0d_integer_tensor_total_length(torch):
    theirs, lengths_t = torch.nn.utils.rnn.pad_packed_sequence(
        _packed(torch, torch), total_length=torch.tensor(5))
    for total in (ag.tensor(5), ag.tensor(np.int32(5)), 5):
        ours, lengths = R.pad_packed_sequence(_packed(R, torch), total_length=total)
        np.testing.assert_array_equal(ours.data, theirs.numpy())
        np.testing.assert_array_equal(lengths.data, lengths_t.numpy())
    with pytest.raises(TypeError):
        torch.nn.utils.rnn.pad_packed_sequence(_packed(torch, torch),
                                               total_length=torch.tensor(5.0))
    for bad in (ag.tensor(5.0), ag.tensor([5])):  # as PyTorch: not an int
        with pytest.raises(ArgumentTypeError, match="total_length"):
            R.pad_packed_sequence(_packed(R, torch), total_length=bad)


def test_nn_modules_transformer_path():
    transformer = importlib.import_module("nn.modules.transformer")
    assert transformer.TransformerEncoderLayer is nn.TransformerEncoderLayer
    assert transformer.Transformer is nn.Transformer
    assert transformer.MultiheadAttention is nn.MultiheadAttention


def test_every_torch_modules_submodule_with_classes_nn_has_is_there(torch):
    """Each ``torch.nn.modules.<sub>`` whose public classes ``nn`` has is a path here,
    holding those very classes."""
    import pkgutil
    for info in pkgutil.iter_modules(torch.nn.modules.__path__):
        theirs = importlib.import_module(f"torch.nn.modules.{info.name}")
        shared = [n for n in getattr(theirs, "__all__", []) if hasattr(nn, n)]
        if not shared:
            continue
        ours = importlib.import_module(f"nn.modules.{info.name}")
        assert info.name in nn.modules.__all__
        for name in shared:
            assert getattr(ours, name) is getattr(nn, name), (info.name, name)


# ---------------------------------------------------------------- messages
@pytest.mark.parametrize("kind", ["GRU", "RNN"])
def test_an_lstm_pair_given_to_a_gru_or_rnn_names_hx(torch, kind):
    x, h0 = _data(L, N, H_IN), _data(1, N, H, seed=1)
    with pytest.raises(AttributeError):
        getattr(torch.nn, kind)(H_IN, H).double()(torch.tensor(x),
                                                  (torch.tensor(h0), torch.tensor(h0)))
    layer = getattr(nn, kind)(H_IN, H)
    with pytest.raises(ArgumentTypeError, match=rf"{kind}: hx must be one tensor.*LSTM's"):
        layer(ag.tensor(x), (ag.tensor(h0), ag.tensor(h0)))
    out, h = layer(ag.tensor(x), h0.tolist())  # nested lists of numbers still read
    np.testing.assert_array_equal(h.data, layer(ag.tensor(x), ag.tensor(h0))[1].data)


@pytest.mark.parametrize("kind", ["GRUCell", "RNNCell"])
def test_cells_name_a_packed_sequence_and_an_lstm_pair(kind):
    cell = getattr(nn, kind)(H_IN, H)
    packed = R.pack_sequence([ag.ones((2, H_IN)), ag.ones((1, H_IN))])
    with pytest.raises(ArgumentTypeError,
                       match=rf"{kind}: takes one time step.*PackedSequence.*nn\."
                             rf"{kind.removesuffix('Cell')}"):
        cell(packed)
    with pytest.raises(ArgumentTypeError, match=rf"{kind}: hx must be one tensor.*LSTMCell's"):
        cell(ag.ones((N, H_IN)), (ag.zeros((N, H)), ag.zeros((N, H))))


def test_bare_rnn_base_is_a_named_not_implemented_error():
    with pytest.raises(UnsupportedError, match="nn.RNN, nn.LSTM and nn.GRU") as caught:
        nn.RNNBase("LSTM", H_IN, H)(ag.ones((2, 1, H_IN)))
    assert isinstance(caught.value, NotImplementedError)
    assert isinstance(caught.value, AutogradError)


@pytest.mark.parametrize("build", [
    lambda dtype: nn.Linear(3, 4, dtype=dtype),
    lambda dtype: nn.LSTM(3, 4, dtype=dtype),
    lambda dtype: nn.GRUCell(3, 4, dtype=dtype),
    lambda dtype: nn.TransformerEncoderLayer(4, 2, dtype=dtype),
])
def test_a_torch_dtype_is_named_with_its_equivalent(torch, build):
    with pytest.raises(DTypeError, match=r"torch\.float32 is a torch dtype.*autograd\.float32"):
        build(torch.float32)
    with pytest.raises(DTypeError, match=r"torch\.float64 is a torch dtype.*autograd\.float64"):
        build(torch.double)
    with pytest.raises(DTypeError, match="bfloat16 is a torch dtype.*no equivalent"):
        build(torch.bfloat16)
    assert build(np.float32).state_dict()  # NumPy's dtypes as before
    assert next(iter(build(ag.float32).parameters())).dtype == np.float32


def test_a_torch_dtype_for_the_causal_mask_names_its_equivalent(torch):
    with pytest.raises(DTypeError, match=r"torch\.bool is a torch dtype.*autograd\.bool"):
        nn.generate_square_subsequent_mask(3, dtype=torch.bool)
