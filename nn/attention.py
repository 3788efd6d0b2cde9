"""``MultiheadAttention``, PyTorch's ``nn.MultiheadAttention``: query, key and value are
projected, split into ``num_heads`` heads of ``embed_dim // num_heads`` features, each
head attends with ``F.scaled_dot_product_attention``'s weights, and the heads, joined
again, go through ``out_proj``.

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

from autograd import Tensor, as_tensor, concatenate, zeros
from autograd.errors import DTypeError, ShapeError, UsageError

from . import functional as F, init
from ._checks import bias_flag, flag, integer, real_number
from ._random import RNGLike, as_generator
from .errors import ConfigError
from .functional.attention import attention_weights
from .layers import Linear, factory_dtype
from .module import Module, Parameter
from .sdpa_backends import SDPBackend, sdpa_kernel

__all__ = ["MultiheadAttention", "GivenAttention", "SDPBackend", "sdpa_kernel"]


def _head_sizes(name: str, embed_dim: Any, num_heads: Any) -> tuple[int, int, int]:
    """(embed_dim, num_heads, head_dim = embed_dim // num_heads), checked: positive ints,
    num_heads dividing embed_dim; else a named error."""
    embed_dim = integer(name, "embed_dim", embed_dim, minimum=1)
    num_heads = integer(name, "num_heads", num_heads, minimum=1)
    if embed_dim % num_heads:
        raise ConfigError(f"{name}: embed_dim must be divisible by num_heads (each head "
                          f"gets embed_dim // num_heads features); got embed_dim="
                          f"{embed_dim} and num_heads={num_heads}")
    return embed_dim, num_heads, embed_dim // num_heads


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
        self.embed_dim, self.num_heads, self.head_dim = _head_sizes(name, embed_dim,
                                                                    num_heads)
        self.kdim = self.embed_dim if kdim is None else integer(name, "kdim", kdim, minimum=1)
        self.vdim = self.embed_dim if vdim is None else integer(name, "vdim", vdim, minimum=1)
        self.dropout = real_number(name, "dropout", dropout, minimum=0, maximum=1,
                                   advice="dropout is the probability of zeroing a weight.")
        self.batch_first = flag(name, "batch_first", batch_first)
        self.add_zero_attn = flag(name, "add_zero_attn", add_zero_attn)
        self._qkv_same_embed_dim = self.kdim == self.embed_dim == self.vdim
        self.rng = as_generator(rng)
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
        self.out_proj = Linear(e, e, bias=bias, rng=self.rng, dtype=dtype)
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
        query, key, value = as_tensor(query), as_tensor(key), as_tensor(value)
        batched = self._check_inputs(query, key, value)
        if flag("MultiheadAttention", "is_causal", is_causal) and attn_mask is None:
            raise UsageError("MultiheadAttention: is_causal=True is PyTorch's hint that "
                             "attn_mask is causal, so it needs attn_mask; pass the causal "
                             "mask as attn_mask (True above the diagonal)")
        if not batched:  # one sequence: a batch of one
            query, key, value = _each(lambda x: x[None], query, key, value)
        elif not self.batch_first:  # (L, N, E) -> (N, L, E)
            query, key, value = _each(lambda x: x.swapaxes(0, 1), query, key, value)
        q, k, v = self._project(query, key, value)
        mask = self._mask(attn_mask, key_padding_mask, batched, q, k.shape[1])
        if self.bias_k is not None:
            n = k.shape[0]
            k = concatenate([k, self.bias_k.broadcast_to((n, 1, self.embed_dim))], axis=1)
            v = concatenate([v, self.bias_v.broadcast_to((n, 1, self.embed_dim))], axis=1)
        if self.add_zero_attn:
            k = concatenate([k, zeros((k.shape[0], 1, self.embed_dim), dtype=k.dtype)], axis=1)
            v = concatenate([v, zeros((v.shape[0], 1, self.embed_dim), dtype=v.dtype)], axis=1)
        extra = (self.bias_k is not None) + self.add_zero_attn
        if mask is not None and extra:  # the added keys always take part
            mask = concatenate([mask, zeros(mask.shape[:-1] + (extra,), dtype=mask.dtype)], axis=-1)
        dropout_p = self.dropout if self.training else 0.0
        if need_weights:  # the weights are returned: composed ops
            weights = attention_weights(self._heads(q), self._heads(k), mask,
                                        name="MultiheadAttention")
            if dropout_p > 0.0:
                weights = F.dropout(weights, dropout_p, generator=self.rng)
            heads = weights @ self._heads(v)  # (N, H, L, head_dim)
        else:  # one fused node; dropout's mask drawn from self.rng as above
            heads = F.scaled_dot_product_attention(self._heads(q), self._heads(k),
                                                   self._heads(v), mask, dropout_p,
                                                   generator=self.rng)
        n, length = heads.shape[0], heads.shape[2]
        output = self.out_proj(heads.swapaxes(1, 2).reshape(n, length, self.embed_dim))
        if not batched:
            output = output[0]
        elif not self.batch_first:
            output = output.swapaxes(0, 1)
        if not need_weights:
            return output, None
        if average_attn_weights:
            weights = weights.mean(axis=1)
        return output, weights if batched else weights[0]

    def _check_inputs(self, query: Tensor, key: Tensor, value: Tensor) -> bool:
        """Whether the input is batched; a named ShapeError if the shapes do not fit."""
        name = "MultiheadAttention"
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise ShapeError(f"{name}: query, key and value must all be 3-d (batched) or all "
                             f"2-d (unbatched); got shapes {query.shape}, {key.shape}, "
                             f"{value.shape}")
        given = (query.shape[-1], key.shape[-1], value.shape[-1])
        if given != (self.embed_dim, self.kdim, self.vdim):
            raise ShapeError(f"{name}: the last axes of query, key and value must be "
                             f"embed_dim={self.embed_dim}, kdim={self.kdim}, vdim={self.vdim};"
                             f" got shapes {query.shape}, {key.shape}, {value.shape}")
        if key.shape[:-1] != value.shape[:-1]:
            raise ShapeError(f"{name}: key and value need the same sequence length and "
                             f"batch size; got shapes {key.shape} and {value.shape}")
        batch_axis = 0 if self.batch_first else 1
        if query.ndim == 3 and query.shape[batch_axis] != key.shape[batch_axis]:
            raise ShapeError(f"{name}: query and key need the same batch size (axis "
                             f"{batch_axis}, batch_first={self.batch_first}); got shapes "
                             f"{query.shape} and {key.shape}")
        return query.ndim == 3

    def _project(self, query: Tensor, key: Tensor, value: Tensor
                 ) -> tuple[Tensor, Tensor, Tensor]:
        """q, k, v = x W_i^T + b_i, W_i the rows of ``in_proj_weight`` (or the separate
        projections), each (N, length, E). Self-attention (one tensor for all three)
        projects once with all of ``in_proj_weight``, as PyTorch: one graph node and one
        product where three of each were."""
        e = self.embed_dim
        if self._qkv_same_embed_dim and query is key is value:  # self-attention: one
            projected = F.linear(query, self.in_proj_weight, self.in_proj_bias)  # product
            return projected[..., :e], projected[..., e:2 * e], projected[..., 2 * e:]
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            weights = (w[:e], w[e:2 * e], w[2 * e:])
        else:
            weights = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
        b = self.in_proj_bias
        biases = (None, None, None) if b is None else (b[:e], b[e:2 * e], b[2 * e:])
        return tuple(F.linear(x, w, bias)
                     for x, w, bias in zip((query, key, value), weights, biases))

    def _heads(self, x: Tensor) -> Tensor:
        """(N, length, E) -> (N, num_heads, length, head_dim)."""
        n, length = x.shape[0], x.shape[1]
        return x.reshape(n, length, self.num_heads, self.head_dim).swapaxes(1, 2)

    def _mask(self, attn_mask: Any, key_padding_mask: Any, batched: bool, q: Tensor,
              keys: int) -> Tensor | None:
        """Both masks as one float mask (-inf where a bool mask is True) that broadcasts
        to the scores (N, num_heads, L, S); None if neither is given."""
        n, length = q.shape[0], q.shape[1]
        mask = None
        if attn_mask is not None:
            heads = n * self.num_heads if batched else self.num_heads
            mask = _as_float_mask("attn_mask", attn_mask, q.dtype)
            if mask.shape == (heads, length, keys):
                mask = mask.reshape(n, self.num_heads, length, keys)
            elif mask.shape != (length, keys):
                raise ShapeError(f"MultiheadAttention: attn_mask must have shape (L, S) = "
                                 f"{(length, keys)} or (N * num_heads, L, S) = "
                                 f"{(heads, length, keys)}; got {mask.shape}")
        if key_padding_mask is not None:
            padding = _as_float_mask("key_padding_mask", key_padding_mask, q.dtype)
            expected = (n, keys) if batched else (keys,)
            if padding.shape != expected:
                raise ShapeError(f"MultiheadAttention: key_padding_mask must have shape "
                                 f"{'(N, S)' if batched else '(S,)'} = {expected}; got "
                                 f"{padding.shape}")
            padding = padding.reshape(n, 1, 1, keys)
            mask = padding if mask is None else mask + padding
        return mask


class GivenAttention:
    """``MultiheadAttention``'s computation (its methods, borrowed) over tensors given for
    one call, as PyTorch's ``F.multi_head_attention_forward`` takes them: this holds the
    attributes those methods read, set from the call's arguments (no parameters, inputs
    (L, N, E) or unbatched, dropout drawn from the default generator)."""

    forward = MultiheadAttention.forward
    _check_inputs = MultiheadAttention._check_inputs
    _project = MultiheadAttention._project
    _heads = MultiheadAttention._heads
    _mask = MultiheadAttention._mask

    def __init__(self, embed_dim: int, num_heads: int, projections: tuple[Any, Any, Any] | None,
                 in_proj: tuple[Any, Any], extra_keys: tuple[Any, Any, bool],
                 out_proj: tuple[Any, Any], dropout: float, training: bool) -> None:
        """``projections`` (q, k, v weights) when separate, else None and ``in_proj`` =
        (in_proj_weight, in_proj_bias); ``extra_keys`` = (bias_k, bias_v, add_zero_attn);
        ``out_proj`` = (weight, bias)."""
        name = "multi_head_attention_forward"
        self.embed_dim, self.num_heads, self.head_dim = _head_sizes(name, embed_dim,
                                                                    num_heads)
        self._qkv_same_embed_dim = projections is None
        self.in_proj_weight = None if projections else _tensor(in_proj[0], "in_proj_weight")
        self.q_proj_weight, self.k_proj_weight, self.v_proj_weight = (
            (None,) * 3 if projections is None else
            (_tensor(w, f"{n}_proj_weight") for w, n in zip(projections, "qkv")))
        self.kdim = self.embed_dim if projections is None else self.k_proj_weight.shape[-1]
        self.vdim = self.embed_dim if projections is None else self.v_proj_weight.shape[-1]
        self.in_proj_bias = None if in_proj[1] is None else as_tensor(in_proj[1])
        bias_k, bias_v, add_zero_attn = extra_keys
        if (bias_k is None) != (bias_v is None):
            raise UsageError(f"{name}: bias_k and bias_v come together (add_bias_kv); got "
                             f"only {'bias_k' if bias_v is None else 'bias_v'}")
        self.bias_k = None if bias_k is None else as_tensor(bias_k)
        self.bias_v = None if bias_v is None else as_tensor(bias_v)
        self.add_zero_attn = flag(name, "add_zero_attn", add_zero_attn)
        self.out_proj = lambda x: F.linear(x, out_proj[0], out_proj[1])
        self.dropout = real_number(name, "dropout_p", dropout, minimum=0, maximum=1)
        self.training = flag(name, "training", training)
        self.batch_first, self.rng = False, as_generator(None)


def _tensor(value: Any, name: str) -> Tensor:
    """A projection weight of ``F.multi_head_attention_forward`` as a Tensor; None (not
    given for the projection asked for) is a named error."""
    if value is None:
        raise UsageError(f"multi_head_attention_forward: {name} is needed (with "
                         f"use_separate_proj_weight={name != 'in_proj_weight'}); got None")
    return as_tensor(value)


def _each(change: Any, query: Tensor, key: Tensor, value: Tensor
          ) -> tuple[Tensor, Tensor, Tensor]:
    """``change`` applied to query, key and value; one tensor given for all three
    (self-attention) stays one, so that ``_project`` still sees it."""
    if query is key is value:
        query = key = value = change(query)
        return query, key, value
    return change(query), change(key), change(value)


def _as_float_mask(name: str, mask: Any, dtype: np.dtype) -> Tensor:
    """A boolean mask (True = excluded) as 0 / -inf, a float mask as given."""
    is_tensor = isinstance(mask, Tensor)
    array = mask.data if is_tensor else np.asarray(mask)
    if array.dtype.kind == "b":
        return Tensor(np.where(array, -np.inf, 0.0).astype(dtype))
    if array.dtype.kind != "f":
        raise DTypeError(f"MultiheadAttention: {name} must be boolean (True where a key is "
                         f"excluded) or floating (added to the scores); got dtype "
                         f"{array.dtype}. Use mask.astype(bool) for a 0/1 mask.")
    if not is_tensor:
        return Tensor(array.astype(dtype))
    return mask if mask.dtype == dtype else mask.astype(dtype)  # a float32 graph stays so
