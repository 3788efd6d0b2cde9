"""The fused scaled dot-product attention (``nn/functional/attention_op.py``): gradients
against finite differences to second order with each kind of mask, broadcasting heads
and dropout; the same values and gradients as the composed ops; one graph node; the
composed path for a float mask that needs a gradient; and ``nn.MultiheadAttention``
without weights drawing the same dropout mask as with them."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.viz import topological_order
from nn.functional.attention import attention_weights
from nn.functional.attention_op import DotProductAttention, masked_softmax


def _qkv(seed: int, lead: tuple[int, ...] = (2,), kv_lead: tuple[int, ...] | None = None,
         length: int = 3, keys: int = 4) -> list[Tensor]:
    rng = np.random.default_rng(seed)
    kv_lead = lead if kv_lead is None else kv_lead
    shapes = [lead + (length, 2), kv_lead + (keys, 2), kv_lead + (keys, 3)]
    return [Tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]


MASKS = {
    "none": dict(),
    "causal": dict(is_causal=True),
    "boolean, a row with no key": dict(attn_mask=np.array([[True, False, True, False],
                                                           [False, False, False, False],
                                                           [True, True, True, True]])),
    "float": dict(attn_mask=np.array([[0.0, -1.0, 0.5, -np.inf]] * 3)),
}


@pytest.mark.parametrize("mask", MASKS.values(), ids=MASKS.keys())
def test_gradients_match_finite_differences(mask: dict) -> None:
    def attend(q, k, v):
        return F.scaled_dot_product_attention(q, k, v, scale=0.7, **mask)
    inputs = _qkv(0, lead=(2, 1), kv_lead=(1, 2))  # heads broadcast both ways
    assert gradcheck(attend, inputs)
    assert gradgradcheck(attend, inputs)


@pytest.mark.parametrize("mask", MASKS.values(), ids=MASKS.keys())
def test_equals_the_composed_ops_in_one_node(mask: dict) -> None:
    q, k, v = _qkv(1)
    fused = F.scaled_dot_product_attention(q, k, v, **mask)
    nodes = [t.grad_fn for t in topological_order([fused]) if t.grad_fn is not None]
    assert [type(op) for op in nodes] == [DotProductAttention]
    weights = attention_weights(q, k, **mask)  # composed: matmul, where, softmax
    composed = weights @ v
    np.testing.assert_allclose(fused.data, composed.data, rtol=1e-13, atol=1e-15)
    seed = Tensor(np.random.default_rng(2).standard_normal(fused.shape))
    for got, want in zip(ag.grad(fused, [q, k, v], seed), ag.grad(composed, [q, k, v], seed)):
        np.testing.assert_allclose(got.data, want.data, rtol=1e-12, atol=1e-14)


def test_dropout_draws_as_f_dropout_and_differentiates() -> None:
    q, k, v = _qkv(3)
    fused = F.scaled_dot_product_attention(q, k, v, dropout_p=0.4,
                                           generator=np.random.default_rng(7))
    weights = F.dropout(attention_weights(q, k), 0.4, generator=np.random.default_rng(7))
    np.testing.assert_allclose(fused.data, (weights @ v).data, rtol=1e-13, atol=1e-15)
    assert gradcheck(lambda q, k, v: F.scaled_dot_product_attention(
        q, k, v, dropout_p=0.4, generator=np.random.default_rng(7)), [q, k, v])


def test_a_float_mask_that_requires_grad_gets_its_gradient() -> None:
    q, k, v = _qkv(4)
    mask = Tensor(np.random.default_rng(5).standard_normal((3, 4)), requires_grad=True)
    assert gradcheck(lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, m),
                     [q, k, v, mask])


def test_weights_dropped_after_backward_and_recomputed() -> None:
    q, k, v = _qkv(6)
    out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    out.sum().backward(retain_graph=True)
    first = [t.grad.data.copy() for t in (q, k, v)]
    assert out.grad_fn.kept is None  # a kept output holds no (L, S) weights
    for t in (q, k, v):
        t.grad = None
    out.sum().backward()
    for t, want in zip((q, k, v), first):
        np.testing.assert_array_equal(t.grad.data, want)


def test_masked_softmax_on_arrays_equals_on_tensors() -> None:
    scores = np.random.default_rng(8).standard_normal((3, 4))
    allowed = MASKS["boolean, a row with no key"]["attn_mask"]
    np.testing.assert_allclose(masked_softmax(scores, allowed, None),
                               masked_softmax(Tensor(scores), allowed, None).data, rtol=1e-15)


def test_multihead_attention_without_weights_draws_the_same_dropout() -> None:
    """need_weights=False takes the fused op; its dropout mask comes from the layer's rng
    as the composed path draws it, so both give the same output."""
    data = np.random.default_rng(9).standard_normal((2, 5, 8))
    outputs = []
    for need_weights in (True, False):
        layer = nn.MultiheadAttention(8, 2, dropout=0.3, batch_first=True,
                                      rng=np.random.default_rng(10))
        x = Tensor(data)
        outputs.append(layer(x, x, x, need_weights=need_weights)[0].data)
    np.testing.assert_allclose(outputs[0], outputs[1], rtol=1e-13, atol=1e-15)
