"""Session 36 fixes to F.scaled_dot_product_attention and F.ctc_loss, checked against
NumPy references computed here (brute-force sums over every CTC path) and gradcheck:
grouped-query attention with different key and value head counts, PyTorch's dtype rules
for query/key/value and float masks, a 0-d Tensor scale, a (1, S) target for one CTC
sample, (1, N) and (N, 1) lengths, and empty log_probs refused."""

import itertools

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck
from autograd.errors import DTypeError, ShapeError
from nn.errors import ArgumentTypeError

RNG = np.random.default_rng(36)


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _attention(q, k, v, scale=None, mask=None):
    """softmax(q k^T * scale + mask) v in NumPy."""
    scale = 1.0 / np.sqrt(q.shape[-1]) if scale is None else scale
    scores = q @ np.swapaxes(k, -1, -2) * scale
    return _softmax(scores if mask is None else scores + mask) @ v


# ------------------------------------------------------------------ attention
@pytest.mark.parametrize("heads, key_heads, value_heads", [(6, 2, 1), (6, 3, 6), (4, 1, 2)])
def test_gqa_repeats_key_and_value_heads_separately(heads, key_heads, value_heads):
    q = RNG.standard_normal((2, heads, 3, 4))
    k = RNG.standard_normal((2, key_heads, 5, 4))
    v = RNG.standard_normal((2, value_heads, 5, 3))
    got = F.scaled_dot_product_attention(q, k, v, enable_gqa=True)
    want = _attention(q, np.repeat(k, heads // key_heads, axis=1),
                      np.repeat(v, heads // value_heads, axis=1))
    np.testing.assert_allclose(got.data, want, rtol=1e-12, atol=1e-14)
    assert gradcheck(lambda a, b, c: F.scaled_dot_product_attention(a, b, c, enable_gqa=True),
                     [Tensor(x, requires_grad=True) for x in (q, k, v)])


def test_gqa_needs_heads_that_divide_the_query_heads():
    q, k = RNG.standard_normal((1, 6, 3, 4)), RNG.standard_normal((1, 2, 5, 4))
    with pytest.raises(ShapeError, match="multiple of the key/value heads.*value 4"):
        F.scaled_dot_product_attention(q, k, RNG.standard_normal((1, 4, 5, 3)),
                                       enable_gqa=True)


def _qkv(dtype):
    return tuple(RNG.standard_normal(shape).astype(dtype)
                 for shape in ((2, 3, 4), (2, 5, 4), (2, 5, 6)))


@pytest.mark.parametrize("which", [0, 1, 2])
def test_query_key_value_of_different_dtypes_are_refused(which):
    inputs = list(_qkv(np.float64))
    inputs[which] = inputs[which].astype(np.float32)
    with pytest.raises(DTypeError, match="same dtype.*astype"):
        F.scaled_dot_product_attention(*inputs)


@pytest.mark.parametrize("query_dtype, mask_dtype", [
    (np.float64, np.float16), (np.float32, np.float16)])
def test_a_float16_mask_with_wider_queries_is_refused(
        query_dtype, mask_dtype):
    mask = RNG.standard_normal((3, 5)).astype(mask_dtype)
    with pytest.raises(DTypeError, match="attn_mask must have the query's dtype"):
        F.scaled_dot_product_attention(*_qkv(query_dtype), attn_mask=mask)
    with pytest.raises(DTypeError, match="attn_mask must have the query's dtype"):
        F.scaled_dot_product_attention(*_qkv(query_dtype), attn_mask=Tensor(mask))


@pytest.mark.parametrize("query_dtype, mask_dtype", [
    (np.float64, np.float32), (np.float32, np.float32), (np.float64, np.float64),
    (np.float16, np.float32), (np.float32, np.float64)])
def test_a_float32_or_float64_mask_or_one_of_the_querys_dtype_is_added(query_dtype, mask_dtype):
    q, k, v = _qkv(query_dtype)
    mask = RNG.standard_normal((3, 5)).astype(mask_dtype)
    got = F.scaled_dot_product_attention(q, k, v, attn_mask=Tensor(mask))
    assert got.dtype == query_dtype
    want = _attention(*(x.astype(np.float64) for x in (q, k, v)),
                      mask=mask.astype(query_dtype).astype(np.float64))
    tolerance = {np.float16: 2e-2, np.float32: 1e-5, np.float64: 1e-12}[query_dtype]
    np.testing.assert_allclose(got.data, want, rtol=tolerance, atol=tolerance)


def test_scale_may_be_a_0d_tensor():
    q, k, v = _qkv(np.float64)
    got = F.scaled_dot_product_attention(q, k, v, scale=Tensor(0.7))
    np.testing.assert_allclose(got.data, _attention(q, k, v, scale=0.7), rtol=1e-12)
    whole = F.scaled_dot_product_attention(q, k, v, scale=Tensor(np.array(2)))
    np.testing.assert_allclose(whole.data, _attention(q, k, v, scale=2.0), rtol=1e-12)


@pytest.mark.parametrize("scale", [Tensor(0.7, requires_grad=True), Tensor([0.7]),
                                   Tensor(True)], ids=["requires_grad", "1-d", "bool"])
def test_a_scale_tensor_that_cannot_be_a_constant_number_is_refused(scale):
    with pytest.raises(ArgumentTypeError, match="scale must be"):
        F.scaled_dot_product_attention(*_qkv(np.float64), scale=scale)


# ------------------------------------------------------------------ CTC
def _brute_force_ctc(log_probs: np.ndarray, target, blank: int = 0) -> float:
    """-log of the summed probability of every path over (T, C) that reads as
    ``target`` once repeats are merged and blanks dropped (C ** T paths)."""
    steps, classes = log_probs.shape
    total = 0.0
    for path in itertools.product(range(classes), repeat=steps):
        merged = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
        if [c for c in merged if c != blank] == list(target):
            total += np.exp(sum(log_probs[t, c] for t, c in enumerate(path)))
    return -np.log(total)


def _log_probs(*shape):
    return np.log(_softmax(RNG.standard_normal(shape)))


@pytest.mark.parametrize("targets", [[[1, 2, 1]], [[1, 2, 1, 3, 3]]], ids=["exact", "padded"])
@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_one_sample_takes_a_1_by_s_target(targets, reduction):
    log_probs = _log_probs(5, 4)
    got = F.ctc_loss(log_probs, np.array(targets), np.array(5), np.array(3),
                     reduction=reduction)
    want = _brute_force_ctc(log_probs, [1, 2, 1]) / (3 if reduction == "mean" else 1)
    assert got.shape == ()
    np.testing.assert_allclose(got.data, want, rtol=1e-12)
    assert gradcheck(lambda x: F.ctc_loss(x, np.array(targets), 5, 3, reduction=reduction),
                     [Tensor(log_probs, requires_grad=True)])


def test_one_sample_refuses_two_target_rows_or_a_short_row():
    log_probs = _log_probs(5, 4)
    with pytest.raises(ShapeError, match=r"\(N, S\) = \(1, S\)"):
        F.ctc_loss(log_probs, np.array([[1, 2, 1], [1, 1, 1]]), 5, 3)
    with pytest.raises(ShapeError, match=r"\(N, S\) = \(1, S\)"):
        F.ctc_loss(log_probs, np.array([[1, 2]]), 5, 3)


@pytest.mark.parametrize("layout", [lambda a: a[None], lambda a: a[:, None],
                                    lambda a: a[None, None]], ids=["1xN", "Nx1", "1x1xN"])
def test_lengths_as_a_row_or_a_column(layout):
    log_probs = _log_probs(4, 2, 3)
    targets, input_lengths, target_lengths = np.array([[1, 2], [2, 0]]), [4, 3], [2, 1]
    got = F.ctc_loss(log_probs, targets, layout(np.array(input_lengths)),
                     layout(np.array(target_lengths)), reduction="none")
    want = [_brute_force_ctc(log_probs[:il, n], targets[n, :tl])
            for n, (il, tl) in enumerate(zip(input_lengths, target_lengths))]
    np.testing.assert_allclose(got.data, want, rtol=1e-12)


def test_lengths_with_two_long_axes_are_refused():
    log_probs = _log_probs(4, 6, 3)
    with pytest.raises(ShapeError, match=r"input_lengths must hold one length per sample"):
        F.ctc_loss(log_probs, np.ones((6, 1), np.int64), np.full((2, 3), 4), [1] * 6)


@pytest.mark.parametrize("shape", [(0, 2, 4), (6, 0, 4), (6, 2, 0), (0, 0, 4), (0, 4)],
                         ids=["T=0", "N=0", "C=0", "T=N=0", "unbatched_T=0"])
@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_empty_log_probs_are_refused(shape, reduction):
    batch = 1 if len(shape) == 2 else shape[1]
    targets = np.zeros((batch, 0), np.int64)
    lengths = np.zeros(batch, np.int64)
    with pytest.raises(ShapeError, match="must not be empty"):
        F.ctc_loss(np.zeros(shape), targets, lengths, lengths, reduction=reduction)
    with pytest.raises(ShapeError, match="must not be empty"):
        nn.CTCLoss(reduction=reduction)(Tensor(np.zeros(shape)), targets, lengths, lengths)
