"""nn.MultiheadAttention against PyTorch with its state dict (outputs, weights, input and
parameter gradients, masks, layouts, kdim/vdim, add_bias_kv, add_zero_attn), its
initialisation, dropout generator, finite differences and errors."""

import numpy as np
import pytest

import nn
from autograd import Tensor
from autograd.errors import DTypeError, ShapeError, UsageError
from nn.errors import ArgumentTypeError, ConfigError
from nn.train.resume import model_generators
from torch_compare_helpers import module_gradients_match_finite_differences, normal

L, S, N, E = 3, 4, 2, 6
PADDING = np.array([[0, 0, 1, 1], [0, 1, 0, 0]], bool)  # True: the key is left out
BLOCKED = np.array([[0, 1, 1, 0], [0, 0, 1, 1], [1, 0, 0, 1]], bool)  # True: left out


def _pair(torch, kwargs, seed=0):
    """Ours and torch's layer, ours holding torch's (random) parameters."""
    theirs = torch.nn.MultiheadAttention(E, **kwargs).double()
    generator = torch.Generator().manual_seed(seed)
    for p in theirs.parameters():
        p.data.normal_(generator=generator)
    ours = nn.MultiheadAttention(E, **kwargs, rng=0)
    ours.load_state_dict(theirs.state_dict())
    return ours, theirs


def _compare(kwargs, call=None, batched=True, train=False, atol=1e-12):
    torch = pytest.importorskip("torch")
    call = call or {}
    ours, theirs = _pair(torch, kwargs)
    ours.train(train), theirs.train(train)
    first = kwargs.get("batch_first", False)

    def shape(length, width):
        return ((N, length, width) if first else (length, N, width)) if batched else (
            length, width)

    arrays = [normal(1, shape(L, E)), normal(2, shape(S, kwargs.get("kdim", E))),
              normal(3, shape(S, kwargs.get("vdim", E)))]
    ins = [Tensor(a, requires_grad=True) for a in arrays]
    tins = [torch.tensor(a, requires_grad=True) for a in arrays]
    tcall = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in call.items()}
    (y, w), (yt, wt) = ours(*ins, **call), theirs(*tins, **tcall)
    g = normal(9, y.shape)
    y.backward(Tensor(g)), yt.backward(torch.tensor(g))
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-10, atol=atol)
    if wt is None:
        assert w is None
    else:
        np.testing.assert_allclose(w.data, wt.detach().numpy(), rtol=1e-10, atol=atol)
    for a, at in zip(ins, tins):
        np.testing.assert_allclose(a.grad.data, at.grad.numpy(), rtol=1e-9, atol=1e-11)
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.data, theirs.get_parameter(name).grad.numpy(),
                                   rtol=1e-9, atol=1e-11)


CASES = {
    "default": ({"num_heads": 2}, {}),
    "batch_first": ({"num_heads": 3, "batch_first": True}, {}),
    "kdim_vdim": ({"num_heads": 2, "kdim": 3, "vdim": 5}, {}),
    "no_bias": ({"num_heads": 2, "bias": False}, {}),
    "bias_kv_zero_attn": ({"num_heads": 2, "add_bias_kv": True, "add_zero_attn": True},
                          {"key_padding_mask": PADDING}),
    "bool_masks_per_head": ({"num_heads": 2}, {"attn_mask": BLOCKED, "key_padding_mask":
                                               PADDING, "average_attn_weights": False}),
    "float_masks": ({"num_heads": 2}, {"attn_mask": normal(4, (N * 2, L, S)),
                                       "key_padding_mask": normal(5, (N, S))}),
    "causal_hint": ({"num_heads": 2}, {"attn_mask": np.triu(np.ones((L, S), bool), 1),
                                       "is_causal": True, "need_weights": False}),
}


@pytest.mark.parametrize("case", CASES)
def test_matches_torch_with_its_state_dict(case):
    _compare(*CASES[case])


@pytest.mark.parametrize("call", [{}, {"attn_mask": np.stack([BLOCKED, BLOCKED[::-1]])}])
def test_unbatched_input_matches_torch(call):
    _compare({"num_heads": 2}, call, batched=False)


def test_a_fully_padded_sequence_gets_torchs_zeros_without_weights():
    all_padded = np.array([[0, 0, 1, 0], [1, 1, 1, 1]], bool)
    _compare({"num_heads": 2}, {"key_padding_mask": all_padded, "need_weights": False})
    layer = nn.MultiheadAttention(E, 2, rng=0)
    x = Tensor(normal(0, (S, N, E)), requires_grad=True)
    y, w = layer(x, x, x, key_padding_mask=all_padded)
    y.sum().backward()
    np.testing.assert_array_equal(w.data[1], 0.0)  # torch gives NaN weights here
    np.testing.assert_allclose(y.data[:, 1], np.broadcast_to(layer.out_proj.bias.data, (S, E)))
    assert np.all(np.isfinite(x.grad.data))


def test_eval_mode_matches_torchs_fast_path():
    torch = pytest.importorskip("torch")
    ours, theirs = _pair(torch, {"num_heads": 2, "batch_first": True, "dropout": 0.3})
    ours.eval(), theirs.eval()
    x = normal(0, (N, L, E))
    with torch.no_grad():
        expected = theirs(*[torch.tensor(x)] * 3, need_weights=False)[0].numpy()
    np.testing.assert_allclose(ours(x, x, x, need_weights=False)[0].data, expected,
                               rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("kwargs", [{}, {"kdim": 3, "vdim": 5}, {"bias": False},
                                    {"add_bias_kv": True}])
def test_parameters_have_torchs_names_shapes_and_start(kwargs):
    torch = pytest.importorskip("torch")
    ours, theirs = nn.MultiheadAttention(8, 2, **kwargs, rng=0), torch.nn.MultiheadAttention(
        8, 2, **kwargs)
    assert [(k, v.shape) for k, v in ours.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    assert ours.head_dim == theirs.head_dim and ours.kdim == theirs.kdim
    assert ours._qkv_same_embed_dim == theirs._qkv_same_embed_dim
    weight = ours.in_proj_weight if ours.in_proj_weight is not None else ours.k_proj_weight
    bound = np.sqrt(6 / sum(weight.shape))  # Xavier-uniform
    assert bound * 0.9 < np.abs(weight.data).max() <= bound
    for bias in (ours.in_proj_bias, ours.out_proj.bias):
        assert bias is None or np.all(bias.data == 0)
    again = nn.MultiheadAttention(8, 2, **kwargs, rng=0)
    for (_, a), (_, b) in zip(ours.named_parameters(), again.named_parameters()):
        np.testing.assert_array_equal(a.data, b.data)


def test_gradients_match_finite_differences():
    layer = nn.MultiheadAttention(4, 2, add_bias_kv=True, rng=0)

    class SelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.attn = layer

        def forward(self, x):
            return self.attn(x, x, x, key_padding_mask=np.array([[0, 0, 1]], bool))[0]

    module_gradients_match_finite_differences(SelfAttention(), normal(0, (3, 1, 4)))


def test_dropout_in_training_only_from_the_layers_generator():
    x = normal(0, (L, N, E))
    layer = nn.MultiheadAttention(E, 2, dropout=0.5, rng=np.random.default_rng(1))
    assert model_generators(layer) == {"rng": layer.rng}  # fit's resume restores it
    state = layer.rng.bit_generator.state
    first, weights = layer(x, x, x)
    assert not np.allclose(weights.data.sum(-1), 1.0)  # weights after dropout, as torch
    layer.rng.bit_generator.state = state
    np.testing.assert_array_equal(layer(x, x, x)[0].data, first.data)
    layer.eval()
    y, weights = layer(x, x, x)
    np.testing.assert_allclose(weights.data.sum(-1), 1.0)
    assert not np.allclose(y.data, first.data)


def test_float32_layer_stays_float32():
    layer = nn.MultiheadAttention(4, 2, rng=0, dtype=np.float32)
    x = normal(0, (3, 2, 4)).astype(np.float32)
    y, w = layer(x, x, x, attn_mask=np.triu(np.ones((3, 3), bool), 1))
    assert y.dtype == np.float32 and w.dtype == np.float32


def test_errors_are_named():
    with pytest.raises(ConfigError, match="divisible by num_heads"):
        nn.MultiheadAttention(5, 2)
    with pytest.raises(ConfigError, match="dropout"):
        nn.MultiheadAttention(4, 2, dropout=-0.1)
    with pytest.raises(ArgumentTypeError, match="batch_first"):
        nn.MultiheadAttention(4, 2, batch_first=1)
    layer = nn.MultiheadAttention(4, 2, rng=0)
    x = normal(0, (3, 2, 4))
    with pytest.raises(UsageError, match="needs attn_mask"):
        layer(x, x, x, is_causal=True)
    with pytest.raises(ShapeError, match=r"attn_mask must have shape \(L, S\)"):
        layer(x, x, x, attn_mask=np.zeros((3, 4)))
    with pytest.raises(ShapeError, match="key_padding_mask must have shape"):
        layer(x, x, x, key_padding_mask=np.zeros((3, 2), bool))
    with pytest.raises(DTypeError, match="boolean .* or floating"):
        layer(x, x, x, attn_mask=np.zeros((3, 3), int))
    with pytest.raises(ShapeError, match="embed_dim=4"):
        layer(x[..., :3], x, x)
    with pytest.raises(ShapeError, match="all be 3-d"):
        layer(x, x[0], x)
    with pytest.raises(ShapeError, match="same batch size"):
        layer(x, x[:, :1], x[:, :1])
    with pytest.raises(ShapeError, match="same sequence length"):
        layer(x, x, x[:2])
