"""``MultiheadAttention``, PyTorch's ``nn.MultiheadAttention``: query, key and value are
projected, split into ``num_heads`` heads of ``embed_dim // num_heads`` features, each
head attends with ``F.scaled_dot_product_attention``'s weights, and the heads, joined
again, go through ``out_proj``. The computation is ``multi_head_attention`` in
``nn/functional/multi_head_attention.py`` (``F.multi_head_attention_forward``'s), which
``forward`` calls with the parameters, as PyTorch's module calls its function.

Parameters have PyTorch's names, shapes and initialisation (``in_proj_weight`` (3E, E)
Xavier-uniform, or ``q_proj_weight``/``k_proj_weight``/``v_proj_weight`` when ``kdim`` or
``vdim`` differ from E; ``in_proj_bias`` zeros; ``out_proj`` a ``Linear`` whose bias
starts at zero; ``bias_k``/``bias_v`` Xavier-normal), so a PyTorch state dict loads.

``SDPBackend`` and ``sdpa_kernel`` (``nn/sdpa_backends.py``) are here too, as in
``torch.nn.attention``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from . import init
from ._checks import bias_flag, flag, integer, real_number
from ._random import RNGLike, as_generator
from .functional.multi_head_attention import (AttentionParameters, head_sizes,
                                              multi_head_attention)
from .layers import Linear, factory_dtype, warn_wider_input
from .module import Module, Parameter
from .sdpa_backends import SDPBackend, sdpa_kernel

__all__ = ["MultiheadAttention", "NonDynamicallyQuantizableLinear", "SDPBackend",
           "sdpa_kernel"]


class NonDynamicallyQuantizableLinear(Linear):
    """A ``Linear`` under PyTorch's name for ``MultiheadAttention.out_proj`` (PyTorch's
    marks it against dynamic quantization); the name keeps the printed model the same."""


class MultiheadAttention(Module):
    """Attention over ``num_heads`` heads, as PyTorch's ``nn.MultiheadAttention``.

    ``mha(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
    average_attn_weights=True, is_causal=False)`` returns ``(output, weights)``. Inputs
    are (L, N, E) (query) and (S, N, kdim) / (S, N, vdim), batch first with
    ``batch_first``, or unbatched (L, E). Masks follow PyTorch's MultiheadAttention (the
    opposite of ``F.scaled_dot_product_attention``'s boolean masks): a boolean
    ``attn_mask`` (L, S) or (N * num_heads, L, S) and ``key_padding_mask`` (N, S) are
    True where a key is *excluded*; float masks are added to the scores. ``is_causal``
    is PyTorch's hint that ``attn_mask`` is causal: the mask is needed and used (PyTorch
    with ``need_weights=False`` and no ``key_padding_mask`` applies its own causal mask
    instead: the same unless ``attn_mask`` is not causal or ``add_bias_kv`` /
    ``add_zero_attn`` append keys, which that mask hides from every query i < S).
    ``weights`` (None unless ``need_weights``) are the attention weights after dropout,
    averaged over the heads, (N, L, S), or (N, num_heads, L, S) with
    ``average_attn_weights=False``. A query left with no key gets zeros (PyTorch's
    ``need_weights=False`` answer; its ``need_weights=True`` gives NaN).
    ``dropout`` drops attention weights in training only, drawing from ``rng`` (kept as
    ``self.rng``, so ``fit``'s resume restores it), which also draws the parameters.
    ``device`` (the CPU) and ``dtype`` (float64 by default) come in PyTorch's positions.
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0,
                 bias: bool = True, add_bias_kv: bool = False, add_zero_attn: bool = False,
                 kdim: int | None = None, vdim: int | None = None, batch_first: bool = False,
                 device: Any = None, dtype: Any = np.float64, *, rng: RNGLike = None) -> None:
        super().__init__()
        name = "MultiheadAttention"
        dtype = factory_dtype(name, device, dtype)
        self.embed_dim, self.num_heads, self.head_dim = head_sizes(name, embed_dim,
                                                                   num_heads)
        self.kdim = self.embed_dim if kdim is None else integer(name, "kdim", kdim, minimum=1)
        self.vdim = self.embed_dim if vdim is None else integer(name, "vdim", vdim, minimum=1)
        self.dropout = real_number(name, "dropout", dropout, minimum=0, maximum=1,
                                   advice="dropout is the probability of zeroing a weight.")
        self.batch_first = flag(name, "batch_first", batch_first)
        self.add_zero_attn = flag(name, "add_zero_attn", add_zero_attn)
        self._qkv_same_embed_dim = self.kdim == self.embed_dim == self.vdim
        self.rng = as_generator(rng)
        self._dtype_warned = False  # DTypePromotionWarning: once per layer, as Linear
        e = self.embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(np.empty((3 * e, e), dtype))
            self.q_proj_weight = self.k_proj_weight = self.v_proj_weight = None
        else:
            self.in_proj_weight = None
            self.q_proj_weight = Parameter(np.empty((e, e), dtype))
            self.k_proj_weight = Parameter(np.empty((e, self.kdim), dtype))
            self.v_proj_weight = Parameter(np.empty((e, self.vdim), dtype))
        self.in_proj_bias = (Parameter(np.empty(3 * e, dtype))
                             if bias_flag(name, bias) else None)
        if flag(name, "add_bias_kv", add_bias_kv):
            self.bias_k = Parameter(np.empty((1, 1, e), dtype))
            self.bias_v = Parameter(np.empty((1, 1, e), dtype))
        else:
            self.bias_k = self.bias_v = None
        self.out_proj = NonDynamicallyQuantizableLinear(e, e, bias=bias, rng=self.rng,
                                                        dtype=dtype)
        # without rng= the override-friendly call, PyTorch's _reset_parameters(self)
        self._reset_parameters() if rng is None else self._reset_parameters(self.rng)

    def _reset_parameters(self, rng: RNGLike = None) -> None:
        """PyTorch's start: Xavier-uniform projections, zero biases, Xavier-normal
        ``bias_k``/``bias_v`` (``out_proj.weight`` keeps its ``Linear`` start)."""
        generator = as_generator(rng)
        for weight in (self.in_proj_weight, self.q_proj_weight, self.k_proj_weight,
                       self.v_proj_weight):
            if weight is not None:
                init.xavier_uniform_(weight, rng=generator)
        for bias in (self.in_proj_bias, self.out_proj.bias):
            if bias is not None:
                init.zeros_(bias)
        for bias in (self.bias_k, self.bias_v):
            if bias is not None:
                init.xavier_normal_(bias, rng=generator)

    def forward(self, query: Any, key: Any, value: Any, key_padding_mask: Any = None,
                need_weights: bool = True, attn_mask: Any = None,
                average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        """out = [head_1, ..., head_H] W_o^T + b_o, head_h = dropout(softmax(q_h k_h^T /
        sqrt(d) + M)) v_h: ``multi_head_attention`` (nn/functional/multi_head_attention.py)
        with this layer's parameters, its layout and its ``rng`` for dropout."""
        self._warn_wider_inputs(query, key, value)
        return multi_head_attention(
            query, key, value, self._parameters_for_call(),
            key_padding_mask=key_padding_mask, need_weights=need_weights,
            attn_mask=attn_mask, average_attn_weights=average_attn_weights,
            is_causal=is_causal, dropout_p=self.dropout if self.training else 0.0,
            batch_first=self.batch_first, generator=self.rng, name="MultiheadAttention")

    def _warn_wider_inputs(self, *inputs: Any) -> None:
        """``DTypePromotionWarning``, once per layer (as ``Linear``'s), when an input is
        wider than the parameters (float64 data into a float32 layer): the attention is
        then computed in the wider dtype."""
        for x in inputs:
            if not self._dtype_warned:
                warn_wider_input(self, x, self.out_proj.weight.dtype)

    def _parameters_for_call(self) -> AttentionParameters:
        """The tensors that ``multi_head_attention`` takes, read now (a state dict loaded
        or a parameter replaced since construction counts), as PyTorch's forward passes
        them to ``F.multi_head_attention_forward``."""
        separate = None if self._qkv_same_embed_dim else (
            self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
        return AttentionParameters(
            self.embed_dim, self.num_heads, self.in_proj_weight, separate,
            self.in_proj_bias, self.bias_k, self.bias_v, self.add_zero_attn,
            self.out_proj.weight, self.out_proj.bias)
