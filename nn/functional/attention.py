"""Scaled dot-product attention, PyTorch's ``F.scaled_dot_product_attention``:

    A = softmax(Q K^T * scale + M) (rows over the keys),  y = dropout(A) V,

with scale = 1 / sqrt(E) by default (E the query's last axis): one fused op
(``DotProductAttention``, in ``attention_op.py``) whose gradients hold to every order.
``attention_weights`` gives A alone, composed of matmul, where and softmax
(``nn.MultiheadAttention`` returns it).

A query that may attend to no key (its mask row all False, or all -inf) gets zero
weights and a zero output, with zero gradients, as PyTorch's function gives (its
``nn.MultiheadAttention`` with ``need_weights=True`` gives NaN there).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor
from autograd.errors import DTypeError, ShapeError

from .._checks import flag, real_number
from .._random import RNGLike
from ..errors import ArgumentTypeError, ConfigError
from .attention_op import DotProductAttention, masked_softmax
from .dropout import dropout, keep_mask

__all__ = ["scaled_dot_product_attention", "attention_weights", "causal_mask",
           "check_float_mask_dtype"]


def causal_mask(target_length: int, source_length: int) -> np.ndarray:
    """Boolean (L, S) mask, True on and below the diagonal: query i sees keys 0..i."""
    return np.tril(np.ones((target_length, source_length), dtype=bool))


def _check_shapes(name: str, query: Tensor, key: Tensor, value: Tensor | None) -> None:
    """A named ShapeError unless (..., L, E), (..., S, E), (..., S, Ev) fit together."""
    if value is None:  # attention_weights: no value to check
        value = key
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise ShapeError(f"{name}: query, key and value need at least 2 axes (..., L, E), "
                         f"(..., S, E), (..., S, Ev); got shapes {query.shape}, {key.shape}, "
                         f"{value.shape}. Add an axis with x[None] for a single vector.")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise ShapeError(f"{name}: query and key need the same last axis (E) and key and "
                         f"value the same number of rows (S); got shapes {query.shape}, "
                         f"{key.shape}, {value.shape}")
    try:
        np.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2])
    except ValueError:
        raise ShapeError(f"{name}: the leading (batch, head) axes of query {query.shape}, "
                         f"key {key.shape} and value {value.shape} do not broadcast") from None


def _mask_parts(name: str, attn_mask: Any, scores_shape: tuple[int, ...], dtype: np.dtype
                ) -> tuple[np.ndarray | None, Tensor | None]:
    """(allowed, bias): a boolean mask (True = take part) or a float mask to add, which
    must broadcast to the scores' shape (..., L, S); a float mask (float32 or ``dtype``,
    the query's) gets ``dtype``."""
    is_tensor = isinstance(attn_mask, Tensor)
    mask_dtype = attn_mask.dtype if is_tensor else np.asarray(attn_mask).dtype
    shape = attn_mask.shape if is_tensor else np.shape(attn_mask)
    if mask_dtype.kind not in "bf":
        raise DTypeError(f"{name}: attn_mask must be boolean (True = take part in attention) "
                         f"or floating (added to the scores, -inf to exclude); got dtype "
                         f"{mask_dtype}. Use mask.astype(bool) for a 0/1 mask.")
    try:
        fits = np.broadcast_shapes(shape, scores_shape) == scores_shape
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(f"{name}: attn_mask of shape {shape} does not broadcast to the "
                         f"scores' shape {scores_shape} (..., L, S)")
    if mask_dtype.kind == "b":
        return np.asarray(attn_mask.data if is_tensor else attn_mask), None
    check_float_mask_dtype(name, mask_dtype, dtype)
    if not is_tensor:  # a float32 graph stays float32
        return None, Tensor(np.asarray(attn_mask, dtype))
    return None, attn_mask if mask_dtype == dtype else attn_mask.astype(dtype)


def check_float_mask_dtype(name: str, mask_dtype: np.dtype, dtype: np.dtype,
                           which: str = "attn_mask") -> None:
    """PyTorch's rule for a float mask, float32 or the query's dtype, widened by float64,
    the default dtype here (PyTorch's masks are float32 by default, so its habit of
    passing ``generate_square_subsequent_mask(L)`` to float32 queries keeps working; the
    mask is rounded to the queries' dtype); else ``DTypeError``: a float16 mask with
    float64 queries."""
    if mask_dtype not in (np.float32, np.float64, dtype):
        raise DTypeError(f"{name}: a float {which} must have the query's dtype, float32 "
                         f"or float64 (PyTorch: the query's or float32); got dtype "
                         f"{mask_dtype} for {dtype} queries. Convert it with "
                         f"{which}.astype(query.dtype).")


def _scores_parts(name: str, query: Tensor, key: Tensor, attn_mask: Any, is_causal: bool,
                  scale: float | None) -> tuple[float, np.ndarray | None, Tensor | None]:
    """(scale, allowed, bias) for the scores Q K^T * scale: the arguments checked, the
    boolean mask (or the causal one) and the float mask apart."""
    if flag(name, "is_causal", is_causal) and attn_mask is not None:
        raise ConfigError(f"{name}: give attn_mask or is_causal=True, not both (as PyTorch); "
                          f"fold the causal mask into attn_mask instead")
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1]) if query.shape[-1] else 1.0
    scale = _scale_number(name, scale)
    if is_causal:
        return scale, causal_mask(query.shape[-2], key.shape[-2]), None
    if attn_mask is None:
        return scale, None, None
    lead = np.broadcast_shapes(query.shape[:-2], key.shape[:-2])
    return (scale,) + _mask_parts(name, attn_mask, lead + (query.shape[-2], key.shape[-2]),
                                  query.dtype)


def _scale_number(name: str, scale: Any) -> float:
    """``scale`` as a finite float: a number, or a 0-d Tensor that needs no gradient (as
    PyTorch takes ``scale=torch.tensor(2.)``; one that requires grad would get none)."""
    if isinstance(scale, Tensor) and scale.ndim == 0:
        if scale.requires_grad:
            raise ArgumentTypeError(f"{name}: scale must be a number or a 0-d Tensor without "
                                    f"grad (it gets no gradient); got a Tensor that requires "
                                    f"grad. Pass scale=s.item(), or multiply the query by s "
                                    f"to learn it.")
        scale = scale.item()
    return real_number(name, "scale", scale)


def attention_weights(query: Any, key: Any, attn_mask: Any = None, is_causal: bool = False,
                      scale: float | None = None, *,
                      name: str = "attention_weights") -> Tensor:
    """A = softmax(Q K^T * scale + M) over the last axis, shape (..., L, S); ``attn_mask``
    and ``is_causal`` as in ``scaled_dot_product_attention``; rows with no allowed key
    are zeros."""
    query, key = as_tensor(query), as_tensor(key)
    _check_shapes(name, query, key, None)
    scale, allowed, bias = _scores_parts(name, query, key, attn_mask, is_causal, scale)
    return masked_softmax((query @ key.swapaxes(-1, -2)) * scale, allowed, bias)


def scaled_dot_product_attention(query: Any, key: Any, value: Any, attn_mask: Any = None,
                                 dropout_p: float = 0.0, is_causal: bool = False,
                                 scale: float | None = None, enable_gqa: bool = False, *,
                                 generator: RNGLike = None) -> Tensor:
    """PyTorch's ``F.scaled_dot_product_attention``: y = dropout(A) V with
    A = softmax(Q K^T * scale + M); query (..., L, E), key (..., S, E), value (..., S, Ev)
    with broadcasting leading axes and one dtype; result (..., L, Ev).

    ``attn_mask`` broadcasts to (..., L, S): boolean (True = the key takes part) or
    floating, float32 or the query's dtype (added to the scores). ``is_causal=True`` lets
    query i see keys 0..i (not with ``attn_mask``). ``scale`` (a number or a 0-d Tensor)
    defaults to 1 / sqrt(E). ``dropout_p > 0`` drops weights whenever given (as PyTorch:
    pass ``dropout_p=p if self.training else 0``), drawing from ``generator`` (nn's
    default generator when None), as ``F.dropout``. ``enable_gqa=True``: query heads
    (axis -3) share key heads in groups of H / H_k and value heads in groups of H / H_v.
    One graph node (``DotProductAttention``) unless a float mask requires grad."""
    name = "scaled_dot_product_attention"
    query, key, value = as_tensor(query), as_tensor(key), as_tensor(value)
    _check_same_dtype(name, query, key, value)
    dropout_p = real_number(name, "dropout_p", dropout_p, minimum=0, maximum=1,
                            advice="dropout_p is the probability of zeroing a weight.")
    if flag(name, "enable_gqa", enable_gqa):
        key, value = _repeat_heads(query, key, value)
    _check_shapes(name, query, key, value)
    scale, allowed, bias = _scores_parts(name, query, key, attn_mask, is_causal, scale)
    if (bias is not None and bias.requires_grad) or dropout_p == 1.0:  # composed
        weights = masked_softmax((query @ key.swapaxes(-1, -2)) * scale, allowed, bias)
        return dropout(weights, dropout_p, generator=generator) @ value
    keep = None
    if dropout_p > 0.0:  # F.dropout's mask of the weights, drawn as it draws it
        shape = np.broadcast_shapes(query.shape[:-2], key.shape[:-2]) + (
            query.shape[-2], key.shape[-2])
        keep = keep_mask(shape, dropout_p, np.result_type(query.dtype, key.dtype), generator)
    op = DotProductAttention(scale, allowed, None if bias is None else bias.data, keep)
    return op(query, key, value)


def _check_same_dtype(name: str, query: Tensor, key: Tensor, value: Tensor) -> None:
    """A ``DTypeError`` unless query, key and value share one dtype (as PyTorch; NumPy
    would promote a float32 query with float64 keys to a float64 result)."""
    if not query.dtype == key.dtype == value.dtype:
        raise DTypeError(f"{name}: query, key and value must have the same dtype (as "
                         f"PyTorch); got {query.dtype}, {key.dtype} and {value.dtype}. "
                         f"Convert them, e.g. key.astype(query.dtype).")


def _repeat_heads(query: Tensor, key: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    """Key and value heads (axis -3) each repeated to the query's head count, so that
    each key head serves H / H_k consecutive query heads and each value head H / H_v
    (as PyTorch, which lets H_k and H_v differ)."""
    if query.ndim < 3 or key.ndim < 3 or value.ndim < 3:
        raise ShapeError(f"scaled_dot_product_attention: enable_gqa needs query, key and "
                         f"value with a head axis (..., H, L, E); got shapes {query.shape}, "
                         f"{key.shape}, {value.shape}")
    heads, key_heads, value_heads = query.shape[-3], key.shape[-3], value.shape[-3]
    if not key_heads or not value_heads or heads % key_heads or heads % value_heads:
        raise ShapeError(f"scaled_dot_product_attention: enable_gqa needs the query heads "
                         f"({heads}) to be a multiple of the key/value heads (key "
                         f"{key_heads}, value {value_heads})")
    return _repeat_axis(key, heads // key_heads), _repeat_axis(value, heads // value_heads)


def _repeat_axis(x: Tensor, times: int) -> Tensor:
    """Each head of ``x`` (axis -3) ``times`` times in a row (x itself for once)."""
    return x if times == 1 else x.repeat(times, axis=-3)
