"""Small nn fixes (session 38): PyTorch's deprecation warning for a boolean mask beside a
float key-padding mask (attention, Transformer layers and stacks); no NumPy warning from
a +inf float mask; F.pad(value=True) pads with 1; gumbel_softmax names itself in its
axis error; Bilinear and PReLU warn about wider input as Linear does."""
import warnings

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd.errors import AxisError
from nn.layers import DTypePromotionWarning

MISMATCH = "Support for mismatched"


def _recorded(call):
    """(result, warnings) of call() with every warning recorded."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    return result, caught


def _mismatch_messages(caught):
    return [str(w.message) for w in caught
            if issubclass(w.category, UserWarning) and str(w.message).startswith(MISMATCH)]


def _masks(length=3, batch=2):
    """A causal boolean mask, the same as a float mask, and a padding mask (the last key
    of batch element 1 left out) as bool and as float."""
    causal = np.triu(np.ones((length, length), bool), 1)
    padding = np.zeros((batch, length), bool)
    padding[1, -1] = True
    as_float = lambda m: np.where(m, -np.inf, 0.0)  # noqa: E731
    return (ag.tensor(causal), ag.tensor(as_float(causal)), ag.tensor(padding),
            ag.tensor(as_float(padding)))


def test_multihead_attention_warns_once_on_mismatched_masks_and_keeps_the_values():
    rng = np.random.default_rng(0)
    mha = nn.MultiheadAttention(4, 2, rng=1)
    x = ag.tensor(rng.normal(size=(3, 2, 4)))
    mask_b, mask_f, pad_b, pad_f = _masks()
    expected, caught = _recorded(lambda: mha(x, x, x, attn_mask=mask_b, key_padding_mask=pad_b))
    assert not _mismatch_messages(caught)
    for mask, padding in ((mask_b, pad_f), (mask_f, pad_b)):
        (out, weights), caught = _recorded(
            lambda: mha(x, x, x, attn_mask=mask, key_padding_mask=padding))
        messages = _mismatch_messages(caught)
        assert len(messages) == 1
        assert messages[0].startswith("Support for mismatched key_padding_mask and attn_mask"
                                      " is deprecated. Use same type for both instead.")
        np.testing.assert_allclose(out.data, expected[0].data, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(weights.data, expected[1].data, rtol=1e-12, atol=1e-12)


def test_functional_multi_head_attention_forward_warns_on_mismatched_masks():
    mha = nn.MultiheadAttention(4, 2, rng=2)
    x = ag.tensor(np.random.default_rng(1).normal(size=(3, 2, 4)))
    mask_b, _, _, pad_f = _masks()
    _, caught = _recorded(lambda: F.multi_head_attention_forward(
        x, x, x, 4, 2, mha.in_proj_weight, mha.in_proj_bias, None, None, False, 0.0,
        mha.out_proj.weight, mha.out_proj.bias, attn_mask=mask_b, key_padding_mask=pad_f))
    assert len(_mismatch_messages(caught)) == 1


def test_encoder_layer_and_stack_warn_once_with_their_argument_names():
    rng = np.random.default_rng(2)
    layer = nn.TransformerEncoderLayer(4, 2, 8, 0.0, rng=3)
    stack = nn.TransformerEncoder(layer, 2)
    x = ag.tensor(rng.normal(size=(3, 2, 4)))
    mask_b, mask_f, pad_b, pad_f = _masks()
    expected = layer(x, src_mask=mask_b, src_key_padding_mask=pad_b)
    out, caught = _recorded(lambda: layer(x, src_mask=mask_b, src_key_padding_mask=pad_f))
    messages = _mismatch_messages(caught)
    assert len(messages) == 1 and "src_key_padding_mask and src_mask " in messages[0]
    np.testing.assert_allclose(out.data, expected.data, rtol=1e-12, atol=1e-12)
    expected = stack(x, mask=mask_f, src_key_padding_mask=pad_f)
    out, caught = _recorded(lambda: stack(x, mask=mask_f, src_key_padding_mask=pad_b))
    messages = _mismatch_messages(caught)
    assert len(messages) == 1 and "src_key_padding_mask and mask " in messages[0]
    np.testing.assert_allclose(out.data, expected.data, rtol=1e-12, atol=1e-12)


def test_decoder_and_transformer_warn_on_mismatched_masks():
    rng = np.random.default_rng(3)
    decoder = nn.TransformerDecoderLayer(4, 2, 8, 0.0, rng=4)
    model = nn.Transformer(4, 2, 1, 1, 8, 0.0, rng=5)
    x = ag.tensor(rng.normal(size=(3, 2, 4)))
    mask_b, _, pad_b, pad_f = _masks()
    expected = decoder(x, x, tgt_mask=mask_b, tgt_key_padding_mask=pad_b)
    out, caught = _recorded(lambda: decoder(x, x, tgt_mask=mask_b, tgt_key_padding_mask=pad_f))
    assert len(_mismatch_messages(caught)) == 1
    np.testing.assert_allclose(out.data, expected.data, rtol=1e-12, atol=1e-12)
    _, caught = _recorded(lambda: model(x, x, src_mask=mask_b, src_key_padding_mask=pad_f))
    assert len(_mismatch_messages(caught)) == 1


def test_matching_masks_do_not_warn():
    layer = nn.TransformerEncoderLayer(4, 2, 8, 0.0, rng=6)
    x = ag.tensor(np.random.default_rng(4).normal(size=(3, 2, 4)))
    mask_b, mask_f, pad_b, pad_f = _masks()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer(x, src_mask=mask_b, src_key_padding_mask=pad_b)
        layer(x, src_mask=mask_f, src_key_padding_mask=pad_f)
        layer(x, src_mask=mask_b)


def test_an_inf_float_mask_gives_nan_rows_without_a_numpy_warning():
    """softmax of a score row holding +inf is NaN (inf - inf), as PyTorch's; the other
    rows are softmax(q k^T / sqrt(d) + M) v, computed here with NumPy."""
    rng = np.random.default_rng(5)
    q, k, v = (rng.normal(size=(1, 3, 2)) for _ in range(3))
    mask = np.zeros((3, 3))
    mask[0, 0] = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = F.scaled_dot_product_attention(ag.tensor(q), ag.tensor(k), ag.tensor(v),
                                             attn_mask=mask)
        layer = nn.TransformerEncoderLayer(4, 2, 8, 0.0, rng=7)
        encoded = layer(ag.tensor(rng.normal(size=(3, 2, 4))), src_mask=np.tile(mask[0], (3, 1)))
    assert np.isnan(out.data[0, 0]).all()
    scores = q[0, 1:] @ k[0].T / np.sqrt(2.0)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    np.testing.assert_allclose(out.data[0, 1:], weights @ v[0], rtol=1e-12, atol=1e-12)
    assert np.isnan(encoded.data).all()


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.bool_])
@pytest.mark.parametrize("value", [True, False, np.bool_(True)])
def test_pad_with_a_bool_value_fills_with_one_or_zero(dtype, value):
    x = np.zeros((2, 2), dtype)
    out = F.pad(ag.tensor(x), (1, 1), value=value)
    expected = np.pad(x, ((0, 0), (1, 1)), constant_values=int(value))
    assert out.dtype == dtype
    np.testing.assert_array_equal(out.data, expected)


@pytest.mark.parametrize("dim", [5, -3, 1.0, None])
def test_gumbel_softmax_names_itself_for_a_bad_dim(dim):
    with pytest.raises(AxisError, match=r"^gumbel_softmax: dim"):
        F.gumbel_softmax(ag.tensor(np.ones((2, 3))), dim=dim, generator=0)


def test_gumbel_softmax_still_takes_every_valid_dim():
    x = ag.tensor(np.zeros((2, 3)))
    for dim in (0, 1, -1, -2):
        y = F.gumbel_softmax(x, dim=dim, generator=0)
        np.testing.assert_allclose(y.data.sum(axis=dim), 1.0, rtol=1e-12)
    np.testing.assert_allclose(F.gumbel_softmax(ag.tensor(0.5), dim=0, generator=0).data, 1.0)


def _wider_input_warnings(call):
    _, caught = _recorded(call)
    return [w for w in caught if issubclass(w.category, DTypePromotionWarning)]


def test_prelu_warns_once_about_float64_input_into_float32_slopes():
    layer = nn.PReLU(3).float()
    x = np.array([[-2.0, 0.5, -1.0]])
    assert not _wider_input_warnings(lambda: layer(ag.tensor(x.astype(np.float32))))
    caught = _wider_input_warnings(lambda: layer(ag.tensor(x)))
    assert len(caught) == 1 and "PReLU" in str(caught[0].message)
    out = layer(ag.tensor(x))
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.data, np.where(x > 0, x, 0.25 * x), rtol=1e-7)
    assert not _wider_input_warnings(lambda: layer(ag.tensor(x)))  # once per layer


def test_bilinear_warns_once_about_float64_input_into_a_float32_layer():
    layer = nn.Bilinear(2, 3, 2, rng=8).float()
    rng = np.random.default_rng(6)
    x1, x2 = rng.normal(size=(4, 2)), rng.normal(size=(4, 3))
    single = (ag.tensor(x1.astype(np.float32)), ag.tensor(x2.astype(np.float32)))
    assert not _wider_input_warnings(lambda: layer(*single))
    caught = _wider_input_warnings(lambda: layer(single[0], ag.tensor(x2)))
    assert len(caught) == 1 and "Bilinear" in str(caught[0].message)
    out = layer(ag.tensor(x1), ag.tensor(x2))
    w, b = layer.weight.data.astype(np.float64), layer.bias.data.astype(np.float64)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.data, np.einsum("ni,oij,nj->no", x1, w, x2) + b,
                               rtol=1e-12)
    assert not _wider_input_warnings(lambda: layer(ag.tensor(x1), ag.tensor(x2)))
