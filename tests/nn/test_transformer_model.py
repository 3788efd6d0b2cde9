"""nn.Transformer (encoder + decoder) against PyTorch with its state dict (values and
gradients of src, tgt and every parameter), its Xavier start, custom parts and errors."""

import warnings

import numpy as np
import pytest

import nn
from autograd import Tensor
from autograd.errors import ShapeError
from nn.errors import ArgumentTypeError, ConfigError
from torch_compare_helpers import normal

S, T, N, D = 5, 4, 2, 8
SRC_PADDING = np.array([[0, 0, 0, 1, 1], [0, 0, 0, 0, 0]], bool)  # True: left out
TGT_PADDING = np.array([[0, 0, 0, 0], [0, 0, 1, 1]], bool)


def _pair(torch, **kwargs):
    """Ours and torch's 2 + 2 layer Transformer, ours holding torch's parameters."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch: nested tensors off (its eval fast path)
        theirs = torch.nn.Transformer(D, 2, 2, 2, 16, 0.0, **kwargs).double()
    ours = nn.Transformer(D, 2, 2, 2, 16, 0.0, **kwargs, rng=0)
    generator = torch.Generator().manual_seed(0)
    for p in theirs.parameters():
        p.data.normal_(0.0, 0.5, generator=generator)
    result = ours.load_state_dict(theirs.state_dict())
    assert not result.missing_keys and not result.unexpected_keys
    return ours, theirs


CAUSAL = nn.generate_square_subsequent_mask(T).data
CASES = {
    "post_norm": ({}, {}),
    "pre_norm_gelu_batch_first": ({"norm_first": True, "activation": "gelu",
                                   "batch_first": True}, {}),
    "no_bias_eps": ({"bias": False, "layer_norm_eps": 1e-3}, {"tgt_mask": CAUSAL}),
    "all_masks": ({}, {"src_mask": np.triu(np.ones((S, S), bool), k=3),
                       "tgt_mask": CAUSAL, "memory_mask": np.zeros((T, S)),
                       "src_key_padding_mask": SRC_PADDING,
                       "tgt_key_padding_mask": TGT_PADDING,
                       "memory_key_padding_mask": SRC_PADDING, "tgt_is_causal": True}),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.filterwarnings("ignore:Support for mismatched")  # torch: bool and float masks
def test_matches_torch_values_and_gradients(case):
    torch = pytest.importorskip("torch")
    kwargs, call = CASES[case]
    ours, theirs = _pair(torch, **kwargs)
    first = kwargs.get("batch_first", False)
    src = normal(1, (N, S, D) if first else (S, N, D))
    tgt = normal(2, (N, T, D) if first else (T, N, D))
    ss, ts = Tensor(src, requires_grad=True), Tensor(tgt, requires_grad=True)
    st, tt = torch.tensor(src, requires_grad=True), torch.tensor(tgt, requires_grad=True)
    y = ours(ss, ts, **call)
    yt = theirs(st, tt, **{k: torch.tensor(v) if isinstance(v, np.ndarray) else v
                           for k, v in call.items()})
    assert y.shape == tgt.shape
    g = normal(9, y.shape)
    y.backward(Tensor(g)), yt.backward(torch.tensor(g))
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ss.grad.data, st.grad.numpy(), rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(ts.grad.data, tt.grad.numpy(), rtol=1e-9, atol=1e-11)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.data, theirs.get_parameter(name).grad.numpy(),
                                   rtol=1e-9, atol=1e-11)


def test_unbatched_input_matches_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = _pair(torch)
    src, tgt = normal(3, (S, D)), normal(4, (T, D))
    expected = theirs(torch.tensor(src), torch.tensor(tgt), tgt_mask=torch.tensor(CAUSAL))
    got = ours(src, tgt, tgt_mask=CAUSAL)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_start_is_xavier_uniform_for_matrices_as_torchs():
    torch = pytest.importorskip("torch")
    ours = nn.Transformer(D, 2, 1, 1, 16, rng=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch: nested tensors off without batch_first
        theirs = torch.nn.Transformer(D, 2, 1, 1, 16)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for name, p in ours.named_parameters():
        their = theirs.get_parameter(name).detach().numpy()
        assert p.shape == their.shape and p.dtype == np.float64
        if p.ndim > 1:  # U(-b, b), b = sqrt(6 / (fan_in + fan_out)): fills its range
            bound = np.sqrt(6.0 / sum(p.shape))
            assert np.abs(p.data).max() <= bound
            assert np.abs(p.data).max() > 0.8 * bound  # (Linear's own start: < 0.75 b)
            assert np.abs(their).max() <= bound
        elif name.endswith(("in_proj_bias", "out_proj.bias")) or "norm" in name:
            np.testing.assert_array_equal(p.data, their)  # zeros and ones, as torch
        else:  # the Linear biases keep Linear's start U(-1/sqrt(fan_in), 1/sqrt(fan_in))
            fan_in = ours.get_submodule(name.rsplit(".", 1)[0]).in_features
            assert 0 < np.abs(p.data).max() <= 1 / np.sqrt(fan_in)


def test_the_start_follows_rng():
    first, again = nn.Transformer(4, 2, 1, 1, 8, rng=3), nn.Transformer(4, 2, 1, 1, 8, rng=3)
    other = nn.Transformer(4, 2, 1, 1, 8, rng=4)
    for (name, p), q, r in zip(first.named_parameters(), again.parameters(),
                               other.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
        if p.ndim > 1:
            assert not np.array_equal(p.data, r.data), name
    nn.manual_seed(0)  # rng=None: nn's default generator
    a = nn.Transformer(4, 2, 1, 1, 8)
    nn.manual_seed(0)
    np.testing.assert_array_equal(a.decoder.layers[0].linear1.weight.data,
                                  nn.Transformer(4, 2, 1, 1, 8).decoder.layers[0]
                                  .linear1.weight.data)


def test_custom_encoder_and_decoder_and_float32():
    layer = nn.TransformerEncoderLayer(4, 2, 8, rng=0, dtype=np.float32)
    encoder = nn.TransformerEncoder(layer, 1)
    decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(4, 2, 8, rng=0,
                                                               dtype=np.float32), 1)
    model = nn.Transformer(4, 2, custom_encoder=encoder, custom_decoder=decoder, rng=0)
    assert model.encoder is encoder and model.decoder is decoder
    assert "encoder.norm.weight" not in model.state_dict()
    src = normal(0, (5, 2, 4)).astype(np.float32)
    tgt = normal(1, (3, 2, 4)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no DTypePromotionWarning
        y = model(src, tgt, tgt_mask=nn.Transformer.generate_square_subsequent_mask(3))
    assert y.dtype == np.float32 and y.shape == (3, 2, 4)
    built = nn.Transformer(4, 2, 1, 1, 8, rng=0, dtype=np.float32)
    assert {p.dtype for p in built.parameters()} == {np.dtype(np.float32)}


def test_generate_square_subsequent_mask_is_the_static_method():
    torch = pytest.importorskip("torch")
    np.testing.assert_array_equal(nn.Transformer.generate_square_subsequent_mask(4).data,
                                  torch.nn.Transformer.generate_square_subsequent_mask(4))
    model = nn.Transformer(4, 2, 1, 1, 8, rng=0)
    np.testing.assert_array_equal(model.generate_square_subsequent_mask(3).data,
                                  nn.generate_square_subsequent_mask(3).data)


def test_errors_are_named():
    model = nn.Transformer(4, 2, 1, 1, 8, rng=0)
    src, tgt = normal(0, (5, 2, 4)), normal(1, (3, 2, 4))
    with pytest.raises(ShapeError, match="same batch size"):
        model(src, normal(1, (3, 3, 4)))
    with pytest.raises(ShapeError, match="d_model=4"):
        model(normal(0, (5, 2, 6)), normal(1, (3, 2, 6)))
    with pytest.raises(ShapeError, match="both be 3-d"):
        model(src, tgt[:, 0])
    with pytest.raises(ShapeError, match="attn_mask must have shape"):
        model(src, tgt, tgt_mask=np.zeros((5, 5)))
    with pytest.raises(ArgumentTypeError, match="custom_encoder must be a Module"):
        nn.Transformer(4, 2, custom_encoder="encoder")
    with pytest.raises(ArgumentTypeError, match="custom_decoder must be a Module"):
        nn.Transformer(4, 2, custom_decoder=lambda tgt, memory: tgt)
    with pytest.raises(ConfigError, match="num_decoder_layers"):
        nn.Transformer(4, 2, 1, -1)
    with pytest.raises(ConfigError, match="divisible by num_heads"):
        nn.Transformer(6, 4)
    with pytest.raises(ArgumentTypeError, match="batch_first"):
        nn.Transformer(4, 2, batch_first=1)
