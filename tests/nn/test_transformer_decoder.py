"""nn.TransformerDecoderLayer and nn.TransformerDecoder against PyTorch with its state
dict (values and gradients of the target, the memory and every parameter), the copies'
generators, finite differences and errors."""

import warnings

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from autograd.errors import ShapeError, UsageError
from nn.errors import ArgumentTypeError, ConfigError
from nn.module import functional_call
from nn.train.resume import model_generators
from torch_compare_helpers import normal

T, S, N, D = 4, 5, 2, 8
TGT_PADDING = np.array([[0, 0, 1, 1], [0, 0, 0, 0]], bool)  # True: left out
MEMORY_PADDING = np.array([[0, 0, 0, 0, 0], [0, 0, 0, 1, 1]], bool)


def _pair(torch, kwargs, num_layers=None):
    """Ours and torch's layer (or decoder of ``num_layers`` with a final norm), ours
    holding torch's random parameters."""
    theirs = torch.nn.TransformerDecoderLayer(D, 2, 16, 0.0, **kwargs).double()
    ours = nn.TransformerDecoderLayer(D, 2, 16, 0.0, **kwargs, rng=0)
    if num_layers:
        theirs = torch.nn.TransformerDecoder(theirs, num_layers,
                                             torch.nn.LayerNorm(D).double())
        ours = nn.TransformerDecoder(ours, num_layers, nn.LayerNorm(D))
    generator = torch.Generator().manual_seed(0)
    for p in theirs.parameters():
        p.data.normal_(0.0, 0.5, generator=generator)
    ours.load_state_dict(theirs.state_dict())
    return ours, theirs


CAUSAL = nn.generate_square_subsequent_mask(T).data
MEMORY_MASK = np.triu(np.ones((T, S), bool), k=2)  # boolean: True = left out
CASES = {
    "post_norm": ({}, None, {}),
    "pre_norm_gelu_batch_first": ({"norm_first": True, "activation": "gelu",
                                   "batch_first": True}, None, {}),
    "no_bias_eps": ({"bias": False, "layer_norm_eps": 1e-3}, None, {}),
    "causal_layer": ({}, None, {"tgt_mask": CAUSAL, "tgt_is_causal": True}),
    "memory_masks": ({"batch_first": True}, None,
                     {"memory_mask": MEMORY_MASK, "memory_key_padding_mask": MEMORY_PADDING}),
    "decoder_all_masks": ({}, 2, {"tgt_mask": CAUSAL, "tgt_key_padding_mask": TGT_PADDING,
                                  "memory_key_padding_mask": MEMORY_PADDING}),
    "decoder_pre_norm": ({"norm_first": True}, 3, {"memory_mask": MEMORY_MASK}),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.filterwarnings("ignore:Support for mismatched")  # torch: bool and float masks
def test_matches_torch_values_and_gradients(case):
    torch = pytest.importorskip("torch")
    kwargs, num_layers, call = CASES[case]
    ours, theirs = _pair(torch, kwargs, num_layers)
    first = kwargs.get("batch_first", False)
    tgt = normal(1, (N, T, D) if first else (T, N, D))
    memory = normal(2, (N, S, D) if first else (S, N, D))
    ts, ms = Tensor(tgt, requires_grad=True), Tensor(memory, requires_grad=True)
    tt, mt = torch.tensor(tgt, requires_grad=True), torch.tensor(memory, requires_grad=True)
    y = ours(ts, ms, **call)
    yt = theirs(tt, mt, **{k: torch.tensor(v) if isinstance(v, np.ndarray) else v
                           for k, v in call.items()})
    g = normal(9, y.shape)
    y.backward(Tensor(g)), yt.backward(torch.tensor(g))
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ts.grad.data, tt.grad.numpy(), rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(ms.grad.data, mt.grad.numpy(), rtol=1e-9, atol=1e-11)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.data, theirs.get_parameter(name).grad.numpy(),
                                   rtol=1e-9, atol=1e-11)


def test_unbatched_input_matches_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = _pair(torch, {}, 2)
    tgt, memory = normal(3, (T, D)), normal(4, (S, D))
    expected = theirs(torch.tensor(tgt), torch.tensor(memory), torch.tensor(CAUSAL),
                      memory_key_padding_mask=torch.tensor(MEMORY_PADDING[1]))
    got = ours(tgt, memory, CAUSAL, memory_key_padding_mask=MEMORY_PADDING[1])
    np.testing.assert_allclose(got.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_decoder_copies_start_equal_and_drop_with_their_own_generators():
    layer = nn.TransformerDecoderLayer(4, 2, 8, rng=np.random.default_rng(0))
    decoder = nn.TransformerDecoder(layer, 3)
    first, second = decoder.layers[0], decoder.layers[1]
    assert first is not layer and first.linear1.weight is not second.linear1.weight
    for copy in (first, second):
        np.testing.assert_array_equal(copy.multihead_attn.in_proj_weight.data,
                                      layer.multihead_attn.in_proj_weight.data)
    generators = model_generators(decoder)
    assert len(generators) == 3  # one per copy, shared by its dropouts and attentions
    assert len({str(g.bit_generator.state) for g in generators.values()}) == 3
    again = nn.TransformerDecoder(nn.TransformerDecoderLayer(4, 2, 8, rng=0), 3)
    tgt, memory = normal(0, (3, 2, 4)), normal(1, (5, 2, 4))
    np.testing.assert_array_equal(decoder(tgt, memory).data, again(tgt, memory).data)
    shared = nn.TransformerDecoder(nn.TransformerDecoderLayer(4, 2, 8), 2)
    assert all(g is nn._random.default_generator() for g in model_generators(shared).values())


def test_dropout_only_in_training():
    layer = nn.TransformerDecoderLayer(4, 2, 8, dropout=0.5, rng=0)
    tgt, memory = normal(0, (3, 2, 4)), normal(1, (5, 2, 4))
    assert not np.allclose(layer(tgt, memory).data, layer(tgt, memory).data)
    layer.eval()
    np.testing.assert_array_equal(layer(tgt, memory).data, layer(tgt, memory).data)


def test_the_causal_mask_keeps_later_targets_out_of_earlier_outputs():
    decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(4, 2, 8, dropout=0.0,
                                                               rng=0), 2)
    tgt, memory = normal(0, (4, 1, 4)), normal(1, (5, 1, 4))
    changed = tgt.copy()
    changed[2:] += 1.0
    mask = nn.generate_square_subsequent_mask(4)
    before, after = decoder(tgt, memory, mask).data, decoder(changed, memory, mask).data
    np.testing.assert_allclose(after[:2], before[:2], rtol=1e-12, atol=1e-12)
    assert not np.allclose(after[2:], before[2:])


def test_a_float32_decoder_stays_float32_with_float64_masks():
    layer = nn.TransformerDecoderLayer(4, 2, 8, rng=0, dtype=np.float32)
    decoder = nn.TransformerDecoder(layer, 2, nn.LayerNorm(4, dtype=np.float32))
    tgt = normal(0, (3, 2, 4)).astype(np.float32)
    memory = normal(1, (5, 2, 4)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no DTypePromotionWarning
        y = decoder(tgt, memory, nn.generate_square_subsequent_mask(3),
                    np.zeros((3, 5)), np.zeros((2, 3)), np.zeros((2, 5)))  # (all float)
    assert y.dtype == np.float32


def test_gradients_match_finite_differences():
    layer = nn.TransformerDecoderLayer(4, 2, 6, dropout=0.0, norm_first=True, rng=0)
    names = [n for n, _ in layer.named_parameters()]
    params = [Tensor(p.data.copy(), requires_grad=True) for p in layer.parameters()]
    tgt = Tensor(normal(0, (3, 1, 4)), requires_grad=True)
    memory = Tensor(normal(1, (2, 1, 4)), requires_grad=True)
    mask = nn.generate_square_subsequent_mask(3)

    def fn(tgt, memory, *ps):
        return functional_call(layer, dict(zip(names, ps)), tgt, memory, mask)

    assert autograd.gradcheck(fn, [tgt, memory, *params])


def test_errors_are_named():
    with pytest.raises(ConfigError, match="TransformerDecoderLayer: activation must be"):
        nn.TransformerDecoderLayer(4, 2, activation="tanh")
    with pytest.raises(ArgumentTypeError, match="activation"):
        nn.TransformerDecoderLayer(4, 2, activation=3)
    with pytest.raises(ConfigError, match="divisible by num_heads"):
        nn.TransformerDecoderLayer(5, 2)
    with pytest.raises(ConfigError, match="dropout"):
        nn.TransformerDecoderLayer(4, 2, dropout=1.5)
    with pytest.raises(ArgumentTypeError, match="decoder_layer must be a Module"):
        nn.TransformerDecoder("layer", 2)
    with pytest.raises(ArgumentTypeError, match="norm must be a Module"):
        nn.TransformerDecoder(nn.TransformerDecoderLayer(4, 2, 8), 2, norm="layer_norm")
    with pytest.raises(ArgumentTypeError, match="num_layers"):
        nn.TransformerDecoder(nn.TransformerDecoderLayer(4, 2, 8), 2.0)
    decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(4, 2, 8), 1)
    tgt, memory = normal(0, (3, 2, 4)), normal(1, (5, 2, 4))
    with pytest.raises(UsageError, match="needs attn_mask"):
        decoder(tgt, memory, tgt_is_causal=True)
    with pytest.raises(UsageError, match="needs attn_mask"):
        decoder(tgt, memory, memory_is_causal=True)
    with pytest.raises(ArgumentTypeError, match="tgt_is_causal"):
        decoder(tgt, memory, tgt_is_causal=1)
    with pytest.raises(ShapeError, match="same batch size"):
        decoder(tgt, normal(1, (5, 3, 4)))
    with pytest.raises(ShapeError, match="attn_mask must have shape"):
        decoder(tgt, memory, memory_mask=np.zeros((3, 3)))
