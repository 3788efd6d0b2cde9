"""Multi-head attention over explicit tensors: PyTorch's ``F.multi_head_attention_forward``
and ``multi_head_attention``, the computation ``nn.MultiheadAttention.forward`` runs with
its parameters (as PyTorch's module calls the function). With E = embed_dim split over
H = num_heads heads of d = E / H features:

    q = query W_q^T + b_q,   k = key W_k^T + b_k,   v = value W_v^T + b_v
    k, v gain a row bias_k / bias_v (add_bias_kv), then a row of zeros (add_zero_attn)
    head_h = dropout(softmax(q_h k_h^T / sqrt(d) + M)) v_h          for h = 1 .. H
    out = [head_1, ..., head_H] W_o^T + b_o

W_q, W_k, W_v are the thirds of ``in_proj_weight`` (3E, E) (b_q, b_k, b_v those of
``in_proj_bias``) or separate weights (E, E), (E, kdim), (E, vdim); q_h is the h-th block
of d features of q. M is the sum of ``attn_mask`` and ``key_padding_mask``, each boolean
(True = the key is left out: -inf) or floating (added to the scores); the appended keys
are never masked.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from autograd import Tensor, as_tensor, concatenate, zeros
from autograd.errors import DTypeError, ShapeError, UnsupportedError, UsageError

from .._checks import caller_outside_nn, flag, integer, real_number
from .._random import RNGLike
from ..errors import ConfigError
from .attention import attention_weights, check_float_mask_dtype, scaled_dot_product_attention
from .dropout import dropout
from .linear import linear

__all__ = ["multi_head_attention_forward", "multi_head_attention", "AttentionParameters",
           "head_sizes", "warn_mismatched_masks", "canonical_masks"]


def head_sizes(name: str, embed_dim: Any, num_heads: Any) -> tuple[int, int, int]:
    """(embed_dim, num_heads, head_dim = embed_dim // num_heads), checked: positive ints,
    num_heads dividing embed_dim; else a named error."""
    embed_dim = integer(name, "embed_dim", embed_dim, minimum=1)
    num_heads = integer(name, "num_heads", num_heads, minimum=1)
    if embed_dim % num_heads:
        raise ConfigError(f"{name}: embed_dim must be divisible by num_heads (each head "
                          f"gets embed_dim // num_heads features); got embed_dim="
                          f"{embed_dim} and num_heads={num_heads}")
    return embed_dim, num_heads, embed_dim // num_heads


@dataclass(frozen=True)
class AttentionParameters:
    """The tensors of multi-head attention over E = ``embed_dim`` features in
    ``num_heads`` heads (sizes checked by ``head_sizes``): ``in_proj_weight`` (3E, E),
    or, when it is None, ``proj_weights`` = (W_q (E, E), W_k (E, kdim), W_v (E, vdim));
    ``in_proj_bias`` (3E,) or None; ``bias_k`` and ``bias_v`` (1, 1, E), both or None;
    ``add_zero_attn``; ``out_proj_weight`` (E, E) and ``out_proj_bias`` (E,) or None."""
    embed_dim: int
    num_heads: int
    in_proj_weight: Tensor | None
    proj_weights: tuple[Tensor, Tensor, Tensor] | None
    in_proj_bias: Tensor | None
    bias_k: Tensor | None
    bias_v: Tensor | None
    add_zero_attn: bool
    out_proj_weight: Any
    out_proj_bias: Any

    @property
    def head_dim(self) -> int:
        """d = E / num_heads, the features of one head."""
        return self.embed_dim // self.num_heads

    @property
    def kdim(self) -> int:
        """The features of a key: E, or the inputs of W_k."""
        return self.embed_dim if self.proj_weights is None else self.proj_weights[1].shape[-1]

    @property
    def vdim(self) -> int:
        """The features of a value: E, or the inputs of W_v."""
        return self.embed_dim if self.proj_weights is None else self.proj_weights[2].shape[-1]


def multi_head_attention_forward(
        query: Any, key: Any, value: Any, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Any, in_proj_bias: Any, bias_k: Any, bias_v: Any,
        add_zero_attn: bool, dropout_p: float, out_proj_weight: Any, out_proj_bias: Any,
        training: bool = True, key_padding_mask: Any = None, need_weights: bool = True,
        attn_mask: Any = None, use_separate_proj_weight: bool = False,
        q_proj_weight: Any = None, k_proj_weight: Any = None, v_proj_weight: Any = None,
        static_k: Any = None, static_v: Any = None, average_attn_weights: bool = True,
        is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
    """PyTorch's ``F.multi_head_attention_forward``, its arguments in its order: the
    module docstring's out = [head_1, ..., head_H] W_o^T + b_o with the weights given
    (W_q, W_k, W_v the thirds of ``in_proj_weight``, or ``q/k/v_proj_weight`` with
    ``use_separate_proj_weight``), dropout ``dropout_p`` on the attention weights if
    ``training``, drawn from nn's default generator. query (L, N, E), key and value
    (S, N, kdim / vdim), or unbatched (L, E), (S, kdim / vdim). Returns (out, weights)
    as ``multi_head_attention`` (``is_causal`` needs ``attn_mask``). ``static_k`` /
    ``static_v`` (keys and values already split into heads) are an ``UnsupportedError``."""
    name = "multi_head_attention_forward"
    if static_k is not None or static_v is not None:
        raise UnsupportedError(f"{name}: static_k / static_v (keys and values already split "
                               f"into heads) are not supported; pass the key and value "
                               f"inputs and their projection weights")
    separate = (q_proj_weight, k_proj_weight, v_proj_weight)
    parameters = _given_parameters(
        name, (embed_dim_to_check, num_heads), separate if use_separate_proj_weight else None,
        (in_proj_weight, in_proj_bias), (bias_k, bias_v, add_zero_attn),
        (out_proj_weight, out_proj_bias))
    dropout_p = real_number(name, "dropout_p", dropout_p, minimum=0, maximum=1)
    training = flag(name, "training", training)
    return multi_head_attention(
        query, key, value, parameters, key_padding_mask=key_padding_mask,
        need_weights=need_weights, attn_mask=attn_mask,
        average_attn_weights=average_attn_weights, is_causal=is_causal,
        dropout_p=dropout_p if training else 0.0, name=name)


def _given_parameters(name: str, sizes: tuple[Any, Any],
                      projections: tuple[Any, Any, Any] | None, in_proj: tuple[Any, Any],
                      extra_keys: tuple[Any, Any, Any], out_proj: tuple[Any, Any]
                      ) -> AttentionParameters:
    """``multi_head_attention_forward``'s tensors, checked: ``sizes`` = (embed_dim,
    num_heads); ``projections`` (q, k, v weights) when separate, else None and
    ``in_proj`` = (in_proj_weight, in_proj_bias); ``extra_keys`` = (bias_k, bias_v,
    add_zero_attn); ``out_proj`` = (weight, bias)."""
    embed_dim, num_heads, _ = head_sizes(name, *sizes)
    in_proj_weight = None if projections else _needed(name, in_proj[0], "in_proj_weight")
    if projections is not None:
        projections = tuple(_needed(name, weight, f"{which}_proj_weight")
                            for weight, which in zip(projections, "qkv"))
    bias_k, bias_v, add_zero_attn = extra_keys
    if (bias_k is None) != (bias_v is None):
        raise UsageError(f"{name}: bias_k and bias_v come together (add_bias_kv); got "
                         f"only {'bias_k' if bias_v is None else 'bias_v'}")
    return AttentionParameters(
        embed_dim, num_heads, in_proj_weight, projections,
        None if in_proj[1] is None else as_tensor(in_proj[1]),
        None if bias_k is None else as_tensor(bias_k),
        None if bias_v is None else as_tensor(bias_v),
        flag(name, "add_zero_attn", add_zero_attn), out_proj[0], out_proj[1])


def _needed(name: str, weight: Any, which: str) -> Tensor:
    """A projection weight as a Tensor; None (not given for the projection asked for) is
    a named error."""
    if weight is None:
        raise UsageError(f"{name}: {which} is needed (with use_separate_proj_weight="
                         f"{which != 'in_proj_weight'}); got None")
    return as_tensor(weight)


def multi_head_attention(query: Any, key: Any, value: Any, parameters: AttentionParameters,
                         *, key_padding_mask: Any = None, need_weights: bool = True,
                         attn_mask: Any = None, average_attn_weights: bool = True,
                         is_causal: bool = False, dropout_p: float = 0.0,
                         batch_first: bool = False, generator: RNGLike = None,
                         name: str = "multi_head_attention") -> tuple[Tensor, Tensor | None]:
    """out = [head_1, ..., head_H] W_o^T + b_o with head_h = dropout(softmax(q_h k_h^T /
    sqrt(d) + M)) v_h (the module docstring), for ``parameters`` given as tensors.

    Inputs (L, N, E), (S, N, kdim), (S, N, vdim), batch first (N, L, E) with
    ``batch_first``, or unbatched (L, E). Masks as PyTorch's MultiheadAttention: a
    boolean ``attn_mask`` (L, S) or (N * H, L, S) and ``key_padding_mask`` (N, S) are
    True where a key is left out; float masks are added (masks of two dtypes: PyTorch's
    deprecation UserWarning, ``warn_mismatched_masks``). ``is_causal`` is the hint that
    ``attn_mask`` is causal, so it needs one. ``dropout_p`` (0 outside training) drops
    weights, drawing from ``generator``. Returns (out, weights): weights (None unless
    ``need_weights``) after dropout, averaged over the heads (N, L, S), or (N, H, L, S)
    with ``average_attn_weights=False``. ``name`` (the caller) heads error messages."""
    query, key, value = as_tensor(query), as_tensor(key), as_tensor(value)
    batched = _check_inputs(name, query, key, value, parameters, batch_first)
    warn_mismatched_masks(attn_mask, key_padding_mask)
    if flag(name, "is_causal", is_causal) and attn_mask is None:
        raise UsageError(f"{name}: is_causal=True is PyTorch's hint that attn_mask is "
                         f"causal, so it needs attn_mask; pass the causal mask as attn_mask "
                         f"(True above the diagonal)")
    if not batched:  # one sequence: a batch of one
        query, key, value = _each(lambda x: x[None], query, key, value)
    elif not batch_first:  # (L, N, E) -> (N, L, E)
        query, key, value = _each(lambda x: x.swapaxes(0, 1), query, key, value)
    q, k, v = _project(query, key, value, parameters)
    mask = _mask(name, attn_mask, key_padding_mask, batched, parameters.num_heads, q,
                 k.shape[1])
    k, v, mask = _append_keys(k, v, mask, parameters)
    split = parameters.num_heads, parameters.head_dim
    heads, weights = _attend(name, _heads(q, *split), _heads(k, *split), _heads(v, *split),
                             mask, need_weights, dropout_p, generator)
    n, length = heads.shape[0], heads.shape[2]
    joined = heads.swapaxes(1, 2).reshape(n, length, parameters.embed_dim)
    output = linear(joined, parameters.out_proj_weight, parameters.out_proj_bias)
    if not batched:
        output = output[0]
    elif not batch_first:
        output = output.swapaxes(0, 1)
    if weights is None:
        return output, None
    if average_attn_weights:
        weights = weights.mean(axis=1)
    return output, weights if batched else weights[0]


def _check_inputs(name: str, query: Tensor, key: Tensor, value: Tensor,
                  parameters: AttentionParameters, batch_first: bool) -> bool:
    """Whether the input is batched; a named ShapeError if the shapes do not fit."""
    if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
        raise ShapeError(f"{name}: query, key and value must all be 3-d (batched) or all "
                         f"2-d (unbatched); got shapes {query.shape}, {key.shape}, "
                         f"{value.shape}")
    given = (query.shape[-1], key.shape[-1], value.shape[-1])
    e, kdim, vdim = parameters.embed_dim, parameters.kdim, parameters.vdim
    if given != (e, kdim, vdim):
        raise ShapeError(f"{name}: the last axes of query, key and value must be "
                         f"embed_dim={e}, kdim={kdim}, vdim={vdim}; got shapes "
                         f"{query.shape}, {key.shape}, {value.shape}")
    if key.shape[:-1] != value.shape[:-1]:
        raise ShapeError(f"{name}: key and value need the same sequence length and "
                         f"batch size; got shapes {key.shape} and {value.shape}")
    batch_axis = 0 if batch_first else 1
    if query.ndim == 3 and query.shape[batch_axis] != key.shape[batch_axis]:
        raise ShapeError(f"{name}: query and key need the same batch size (axis "
                         f"{batch_axis}, batch_first={batch_first}); got shapes "
                         f"{query.shape} and {key.shape}")
    return query.ndim == 3


def _each(change: Callable[[Tensor], Tensor], query: Tensor, key: Tensor, value: Tensor
          ) -> tuple[Tensor, Tensor, Tensor]:
    """``change`` applied to query, key and value; one tensor given for all three
    (self-attention) stays one, so that ``_project`` still sees it."""
    if query is key is value:
        query = key = value = change(query)
        return query, key, value
    return change(query), change(key), change(value)


def _project(query: Tensor, key: Tensor, value: Tensor, parameters: AttentionParameters
             ) -> tuple[Tensor, Tensor, Tensor]:
    """q, k, v = x W_i^T + b_i, W_i the thirds of ``in_proj_weight`` (or the separate
    projections), each (N, length, E). Self-attention (one tensor for all three)
    projects once with all of ``in_proj_weight``, as PyTorch: one graph node and one
    product where three of each were."""
    e, joint = parameters.embed_dim, parameters.in_proj_weight
    if joint is not None and query is key is value:  # self-attention: one product
        projected = linear(query, joint, parameters.in_proj_bias)
        return projected[..., :e], projected[..., e:2 * e], projected[..., 2 * e:]
    weights = (parameters.proj_weights if joint is None
               else (joint[:e], joint[e:2 * e], joint[2 * e:]))
    b = parameters.in_proj_bias
    biases = (None, None, None) if b is None else (b[:e], b[e:2 * e], b[2 * e:])
    return tuple(linear(x, w, bias)
                 for x, w, bias in zip((query, key, value), weights, biases))


def _heads(x: Tensor, num_heads: int, head_dim: int) -> Tensor:
    """(N, length, E) -> (N, num_heads, length, head_dim)."""
    n, length = x.shape[0], x.shape[1]
    return x.reshape(n, length, num_heads, head_dim).swapaxes(1, 2)


def _mask(name: str, attn_mask: Any, key_padding_mask: Any, batched: bool, num_heads: int,
          q: Tensor, keys: int) -> Tensor | None:
    """Both masks as one float mask M (-inf where a boolean mask is True) that broadcasts
    to the scores (N, num_heads, L, S); None if neither is given."""
    n, length = q.shape[0], q.shape[1]
    mask = None
    if attn_mask is not None:
        heads = n * num_heads if batched else num_heads
        mask = _as_float_mask(name, "attn_mask", attn_mask, q.dtype)
        if mask.shape == (heads, length, keys):
            mask = mask.reshape(n, num_heads, length, keys)
        elif mask.shape != (length, keys):
            raise ShapeError(f"{name}: attn_mask must have shape (L, S) = {(length, keys)} "
                             f"or (N * num_heads, L, S) = {(heads, length, keys)}; got "
                             f"{mask.shape}")
    if key_padding_mask is not None:
        padding = _as_float_mask(name, "key_padding_mask", key_padding_mask, q.dtype)
        expected = (n, keys) if batched else (keys,)
        if padding.shape != expected:
            raise ShapeError(f"{name}: key_padding_mask must have shape "
                             f"{'(N, S)' if batched else '(S,)'} = {expected}; got "
                             f"{padding.shape}")
        padding = padding.reshape(n, 1, 1, keys)
        mask = padding if mask is None else mask + padding
    return mask


def _as_float_mask(name: str, which: str, mask: Any, dtype: np.dtype) -> Tensor:
    """A boolean mask (True = left out) as 0 / -inf, a float mask as given."""
    is_tensor = isinstance(mask, Tensor)
    array = mask.data if is_tensor else np.asarray(mask)
    if array.dtype.kind == "b":
        return _boolean_as_float(array, dtype)
    if array.dtype.kind != "f":
        raise DTypeError(f"{name}: {which} must be boolean (True where a key is excluded) "
                         f"or floating (added to the scores); got dtype {array.dtype}. Use "
                         f"mask.astype(bool) for a 0/1 mask.")
    check_float_mask_dtype(name, array.dtype, np.dtype(dtype), which)
    if not is_tensor:
        return Tensor(array.astype(dtype))
    return mask if mask.dtype == dtype else mask.astype(dtype)  # a float32 graph stays so


def _boolean_as_float(left_out: np.ndarray, dtype: np.dtype) -> Tensor:
    """A boolean mask (True = the key is left out) as the float mask -inf / 0."""
    return Tensor(np.where(left_out, -np.inf, 0.0).astype(dtype))


def _mask_dtype(mask: Any) -> np.dtype | None:
    """The dtype of a mask (a Tensor, an array or a list); None when no mask is given or
    it is no array (a ragged list: the mask's own check names that later)."""
    if mask is None:
        return None
    if isinstance(mask, (Tensor, np.ndarray)):
        return mask.dtype
    try:
        return np.asarray(mask).dtype
    except (TypeError, ValueError):
        return None


def warn_mismatched_masks(attn_mask: Any, key_padding_mask: Any,
                          names: tuple[str, str] = ("key_padding_mask", "attn_mask")) -> bool:
    """Whether both masks are given in different dtypes (a boolean and a float one, or
    two float dtypes), which PyTorch deprecates; if so its UserWarning, naming the
    arguments ``names`` = (padding mask, mask). The result is the same either way: each
    mask becomes part of the float mask M."""
    dtypes = _mask_dtype(attn_mask), _mask_dtype(key_padding_mask)
    if any(d is None or d.kind not in "bf" for d in dtypes) or dtypes[0] == dtypes[1]:
        return False  # no pair, or an int mask (which the mask's own check refuses)
    padding, mask = names
    warnings.warn(f"Support for mismatched {padding} and {mask} is deprecated. Use same type "
                  f"for both instead. (Got {padding} of dtype {dtypes[1]} and {mask} of "
                  f"dtype {dtypes[0]}; e.g. both boolean, True where a key is left out.)",
                  UserWarning, stacklevel=caller_outside_nn())
    return True


def canonical_masks(attn_mask: Any, key_padding_mask: Any, dtype: np.dtype,
                    names: tuple[str, str]) -> tuple[Any, Any]:
    """The masks a Transformer layer or stack passes on to its attention, as PyTorch's
    ``_canonical_mask``: when their dtypes differ, ``warn_mismatched_masks`` (naming the
    caller's arguments ``names``) and a boolean one as the float mask -inf / 0 in
    ``dtype`` (the input's; float64 for a non-float input), so that the attention does
    not warn again; otherwise both as given. M is the same either way."""
    if not warn_mismatched_masks(attn_mask, key_padding_mask, names):
        return attn_mask, key_padding_mask
    dtype = np.dtype(dtype) if np.dtype(dtype).kind == "f" else np.dtype(np.float64)
    return _float_if_boolean(attn_mask, dtype), _float_if_boolean(key_padding_mask, dtype)


def _float_if_boolean(mask: Any, dtype: np.dtype) -> Any:
    """A boolean mask as the float mask -inf / 0 in ``dtype``; a float one as given."""
    if _mask_dtype(mask).kind != "b":
        return mask
    return _boolean_as_float(np.asarray(mask.data if isinstance(mask, Tensor) else mask), dtype)


def _append_keys(k: Tensor, v: Tensor, mask: Tensor | None, parameters: AttentionParameters
                 ) -> tuple[Tensor, Tensor, Tensor | None]:
    """k and v (N, S, E) with the row bias_k / bias_v (if given), then a row of zeros
    (``add_zero_attn``), appended to each sequence; the mask gains 0 (taking part) for
    each appended key."""
    n, e = k.shape[0], parameters.embed_dim
    if parameters.bias_k is not None:
        k = concatenate([k, parameters.bias_k.broadcast_to((n, 1, e))], axis=1)
        v = concatenate([v, parameters.bias_v.broadcast_to((n, 1, e))], axis=1)
    if parameters.add_zero_attn:
        k = concatenate([k, zeros((n, 1, e), dtype=k.dtype)], axis=1)
        v = concatenate([v, zeros((n, 1, e), dtype=v.dtype)], axis=1)
    extra = (parameters.bias_k is not None) + parameters.add_zero_attn
    if mask is not None and extra:
        mask = concatenate([mask, zeros(mask.shape[:-1] + (extra,), dtype=mask.dtype)],
                           axis=-1)
    return k, v, mask


def _attend(name: str, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None,
            need_weights: bool, dropout_p: float, generator: RNGLike
            ) -> tuple[Tensor, Tensor | None]:
    """(heads, weights): heads = dropout(A) v with A = softmax(q k^T / sqrt(d) + M) per
    head, (N, H, L, d); weights = dropout(A) when ``need_weights`` (composed ops, since
    they are returned), else None (one fused node, dropout's mask drawn alike)."""
    if not need_weights:
        return scaled_dot_product_attention(q, k, v, mask, dropout_p,
                                            generator=generator), None
    weights = attention_weights(q, k, mask, name=name)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, generator=generator)
    return weights @ v, weights
