"""MultiheadAttention checks a float mask's dtype by the rule scaled_dot_product_attention
uses (the query's dtype, float32 or float64; PyTorch refuses a float16 mask with float64
queries), for attn_mask and key_padding_mask alike."""

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import DTypeError


@pytest.mark.parametrize("which, shape", [("attn_mask", (3, 3)), ("key_padding_mask", (1, 3))])
def test_a_float16_mask_with_float64_queries_is_refused(which, shape):
    attention = nn.MultiheadAttention(4, 2)
    q = ag.tensor(np.random.default_rng(0).normal(size=(3, 1, 4)))
    with pytest.raises(DTypeError, match=f"float {which}"):
        attention(q, q, q, **{which: ag.tensor(np.zeros(shape, np.float16))})
    out, _ = attention(q, q, q, **{which: ag.tensor(np.zeros(shape, np.float32))})
    expected, _ = attention(q, q, q)  # a zero float mask changes nothing
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy())
