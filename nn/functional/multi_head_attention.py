"""PyTorch's ``F.multi_head_attention_forward``: ``nn.MultiheadAttention``'s forward with
every weight passed in (``nn.attention.GivenAttention`` runs the module's computation on
them), for code that keeps its own projection tensors."""
from __future__ import annotations

from typing import Any

from autograd import Tensor
from autograd.errors import UnsupportedError

__all__ = ["multi_head_attention_forward"]


def multi_head_attention_forward(
        query: Any, key: Any, value: Any, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Any, in_proj_bias: Any, bias_k: Any, bias_v: Any,
        add_zero_attn: bool, dropout_p: float, out_proj_weight: Any, out_proj_bias: Any,
        training: bool = True, key_padding_mask: Any = None, need_weights: bool = True,
        attn_mask: Any = None, use_separate_proj_weight: bool = False,
        q_proj_weight: Any = None, k_proj_weight: Any = None, v_proj_weight: Any = None,
        static_k: Any = None, static_v: Any = None, average_attn_weights: bool = True,
        is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention with the given weights, PyTorch's arguments and order:
    q, k, v = query W_q^T + b_q, key W_k^T + b_k, value W_v^T + b_v (the thirds of
    ``in_proj_weight`` / ``in_proj_bias``, or ``q/k/v_proj_weight`` with
    ``use_separate_proj_weight``); ``bias_k``/``bias_v`` (1, 1, E) and ``add_zero_attn``
    append a key; each of the ``num_heads`` heads computes softmax(q_h k_h^T / sqrt(d) + M)
    v_h (d = E / num_heads, M from ``attn_mask`` and ``key_padding_mask``, True = left
    out), dropout ``dropout_p`` on the weights if ``training``; the heads joined go through
    out = heads W_o^T + b_o. query (L, N, E), key and value (S, N, kdim / vdim), or
    unbatched (L, E), (S, kdim / vdim). Returns (out, weights) as ``MultiheadAttention``
    (the same rules, e.g. ``is_causal`` needs ``attn_mask``). ``static_k``/``static_v``
    (precomputed per-head keys) are not offered: an ``UnsupportedError``."""
    if static_k is not None or static_v is not None:
        raise UnsupportedError("multi_head_attention_forward: static_k / static_v (keys and "
                               "values already split into heads) are not supported; pass "
                               "the key and value inputs and their projection weights")
    from ..attention import GivenAttention  # nn.attention builds on nn.functional
    separate = (q_proj_weight, k_proj_weight, v_proj_weight)
    attention = GivenAttention(
        embed_dim_to_check, num_heads, separate if use_separate_proj_weight else None,
        (in_proj_weight, in_proj_bias), (bias_k, bias_v, add_zero_attn),
        (out_proj_weight, out_proj_bias), dropout_p, training)
    return attention.forward(query, key, value, key_padding_mask, need_weights, attn_mask,
                             average_attn_weights, is_causal)
