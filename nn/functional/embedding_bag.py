"""``embedding_bag``: PyTorch's ``F.embedding_bag``, the sum, mean or max of the embedding
rows of each bag of indices, without building the (bags, length, dim) tensor in between;
what ``nn.EmbeddingBag`` calls.

The bags come from 2-d input (B, n): one bag per row, or from 1-d input with ``offsets``:
bag b holds input[offsets[b]:offsets[b + 1]] (the last up to the end; with
``include_last_offset=True`` offsets has B + 1 entries, the last equal to len(input)).
Entries equal to ``padding_idx`` are left out of their bag (also from a mean's count). An
empty bag gives zeros in every mode, as PyTorch.

- "sum": out[b] = sum over entries i of bag b of w_i W[input_i], with w_i the
  ``per_sample_weights`` (or 1); a gather (whose VJP adds into the picked rows) and one
  ``index_add`` into the bags, so the weight and the per-sample weights get gradients.
- "mean": the sum divided by the bag's count (per-sample weights are "sum" only).
- "max": per bag and feature d, the largest W[input_i, d]; the gradient goes to that entry
  of the weight, the first largest in the bag at ties (PyTorch's CPU rule: a later entry
  wins only if strictly larger, so a NaN wins only as the bag's first entry).

``max_norm`` rescales looked-up rows in place first, as ``F.embedding``;
``scale_grad_by_freq`` divides each row's gradient by how often its index occurs in the
whole input ("sum" and "mean"), the rule of ``F.embedding``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, as_tensor, zeros
from autograd.errors import DataError, DTypeError, ShapeError, UsageError

from .._checks import flag
from ..errors import ConfigError
from .embedding import (SPARSE_ADVICE, check_indices, check_max_norm, check_norm_type,
                        check_padding_idx, renorm_rows, scale_by_frequency)

__all__ = ["embedding_bag", "BAG_MODES"]

BAG_MODES = ("sum", "mean", "max")


def _offsets(offsets: Any, length: int, include_last_offset: bool) -> np.ndarray:
    """The start of each bag in 1-d input of ``length`` entries, checked: integers,
    1-d, starting at 0, never decreasing, none past the end (the last one equal to the
    end with ``include_last_offset``)."""
    owner = "embedding_bag"
    if offsets is None:
        raise ShapeError(f"{owner}: 1-d input needs offsets (where each bag starts); or "
                         f"pass 2-d input (B, n), one bag per row")
    starts = _array(offsets, "offsets")
    if starts.dtype.kind not in "iu":
        raise DTypeError(f"{owner}: offsets must be integers; got dtype {starts.dtype}")
    if starts.ndim != 1 or starts.size == 0:
        raise ShapeError(f"{owner}: offsets must be 1-d with at least one entry; got shape "
                         f"{starts.shape}")
    if starts[0] != 0 or (np.diff(starts) < 0).any() or starts[-1] > length:
        raise ConfigError(f"{owner}: offsets must start at 0, never decrease and not pass "
                          f"the input's length {length}; got {starts.tolist()}")
    if include_last_offset:
        if starts[-1] != length:
            raise ConfigError(f"{owner}: with include_last_offset=True the last offset must "
                              f"be the input's length {length}; got {int(starts[-1])}")
        starts = starts[:-1]
    return starts


def _bag_of_each_entry(indices: np.ndarray, offsets: Any,
                       include_last_offset: bool) -> tuple[np.ndarray, int]:
    """Which bag each entry of the flattened input is in, and how many bags there are."""
    if indices.ndim == 2:
        if offsets is not None:
            raise ShapeError("embedding_bag: 2-d input is a batch of bags of one length "
                             "(one per row), so offsets must be None; got offsets")
        return np.repeat(np.arange(indices.shape[0]), indices.shape[1]), indices.shape[0]
    if indices.ndim != 1:
        raise ShapeError(f"embedding_bag: input must be 1-d (with offsets) or 2-d (B, n); "
                         f"got shape {indices.shape}")
    starts = _offsets(offsets, indices.size, include_last_offset)
    bags = np.searchsorted(starts, np.arange(indices.size), side="right") - 1
    return bags, starts.size


def _bag_max(weight: Tensor, rows: np.ndarray, bags: np.ndarray, count: int) -> Tensor:
    """out[b, d] = W[rows_i, d] for the first i of bag b where it is largest (``rows``
    and ``bags`` per entry, in order, bags never decreasing); empty bags give zeros."""
    dim = weight.shape[1]
    out = zeros((count, dim), dtype=weight.dtype)
    if rows.size == 0 or dim == 0:  # zeros, still in the graph of weight (as PyTorch)
        return out.index_add(bags[:0], weight[rows[:0]])
    filled, starts = np.unique(bags, return_index=True)
    values = weight.data[rows]
    best = np.fmax.reduceat(values, starts, axis=0)  # NaN only where all are NaN
    bag_row = np.searchsorted(filled, bags)
    where = np.where(values == best[bag_row], np.arange(rows.size)[:, None], rows.size)
    first = np.minimum.reduceat(where, starts, axis=0)
    first = np.where(np.isnan(values[starts]) | (first == rows.size), starts[:, None], first)
    return out.index_add(filled, weight[rows[first], np.arange(dim)])


def embedding_bag(input: Any, weight: Any, offsets: Any = None, max_norm: float | None = None,
                  norm_type: float = 2, scale_grad_by_freq: bool = False, mode: str = "mean",
                  sparse: bool = False, per_sample_weights: Any = None,
                  include_last_offset: bool = False, padding_idx: int | None = None) -> Tensor:
    """The ``mode`` ("sum", "mean" or "max") of the rows of ``weight`` (num_embeddings,
    embedding_dim), a floating matrix, picked by each bag of ``input``, as PyTorch's
    ``F.embedding_bag``: (B, embedding_dim) for B bags (see the module docstring).
    ``per_sample_weights`` (input's shape, "sum" only) scales each picked row. Bad indices
    raise ``TensorIndexError`` / ``DTypeError``, bad offsets ``ConfigError`` /
    ``ShapeError``; ``sparse=True`` is refused (``ConfigError``) where PyTorch refuses it:
    with mode="max", and with ``scale_grad_by_freq`` at backward. Every argument is
    checked before ``max_norm`` writes to the weight."""
    owner = "embedding_bag"
    weight = _checked_weight(input, weight)
    if mode not in BAG_MODES:
        raise ConfigError(f"{owner}: mode must be one of {BAG_MODES}; got {mode!r}")
    indices = check_indices(input, weight.shape[0], owner)
    bags, count = _bag_of_each_entry(indices, offsets, flag(owner, "include_last_offset",
                                                            include_last_offset))
    flat = indices.reshape(-1)
    sparse, scale_grad_by_freq = _checked_gradient_flags(mode, sparse, scale_grad_by_freq)
    per_sample_weights = _checked_per_sample_weights(per_sample_weights, mode, indices,
                                                     weight.dtype)
    max_norm = check_max_norm(owner, max_norm)
    norm_type = check_norm_type(owner, norm_type)
    kept = np.ones(flat.shape, dtype=bool) if padding_idx is None else \
        flat != check_padding_idx(owner, padding_idx, weight.shape[0])
    if max_norm is not None:
        renorm_rows(weight, flat, max_norm, norm_type, owner)
    rows, bags = flat[kept], bags[kept]
    if mode == "max":
        return _bag_max(weight, rows, bags, count)
    picked = weight[rows]
    if scale_grad_by_freq:  # the counts of the kept indices: padding entries change none
        picked = scale_by_frequency(picked, rows, sparse, owner)
    if per_sample_weights is not None:
        picked = picked * per_sample_weights.reshape(-1)[kept].reshape((-1, 1))
    if mode == "mean":
        sizes = np.bincount(bags, minlength=count)
        picked = picked * (1 / sizes[bags]).astype(weight.dtype)[:, None]
    return zeros((count, weight.shape[1]), dtype=weight.dtype).index_add(bags, picked)


def _checked_weight(input: Any, weight: Any) -> Tensor:
    """``weight`` as a 2-d floating Tensor (PyTorch's rule: float16/32/64; an integer
    mean would be truncated), else a named error; a float input beside an integer weight
    is PyTorch's old argument order, refused with a UsageError."""
    owner = "embedding_bag"
    if _kind(input) == "f" and _kind(weight) in "iu":
        raise UsageError(f"{owner}: input is floating and weight holds integers: the "
                         f"arguments look swapped, in PyTorch's first order embedding_bag("
                         f"weight, input, offsets), which it now takes only with a "
                         f"deprecation warning. Write F.embedding_bag(input, weight, "
                         f"offsets, ...).")
    weight = as_tensor(weight)
    if weight.ndim != 2:
        raise ShapeError(f"{owner}: weight must be 2-d, (num_embeddings, embedding_dim); got "
                         f"shape {weight.shape}")
    if weight.dtype.kind != "f":
        raise DTypeError(f"{owner}: weight must hold floats (float16, float32 or float64), "
                         f"as in PyTorch (an integer bag mean would be truncated, and "
                         f"max_norm cannot rescale integer rows); got dtype {weight.dtype}. "
                         f"Convert it first, e.g. weight.double().")
    return weight


def _checked_gradient_flags(mode: str, sparse: Any, scale_grad_by_freq: Any
                            ) -> tuple[bool, bool]:
    """(sparse, scale_grad_by_freq) as bools; mode="max" takes neither, as PyTorch."""
    owner = "embedding_bag"
    sparse = flag(owner, "sparse", sparse, advice=SPARSE_ADVICE)
    scale_grad_by_freq = flag(owner, "scale_grad_by_freq", scale_grad_by_freq)
    if mode == "max" and scale_grad_by_freq:
        raise ConfigError(f"{owner}: mode='max' does not scale the gradient by frequency "
                          f"(as PyTorch); use scale_grad_by_freq=False")
    if mode == "max" and sparse:
        raise ConfigError(f"{owner}: mode='max' does not support sparse=True (PyTorch "
                          f"refuses it too); use sparse=False (the gradient is dense here "
                          f"either way), or mode='sum' / 'mean'")
    return sparse, scale_grad_by_freq


def _checked_per_sample_weights(per_sample_weights: Any, mode: str, indices: np.ndarray,
                                dtype: np.dtype) -> Tensor | None:
    """``per_sample_weights`` as a Tensor of the input's shape and the weight's ``dtype``
    (or None), for mode="sum" only, as PyTorch; else a named error."""
    if per_sample_weights is None:
        return None
    owner = "embedding_bag"
    if mode != "sum":
        raise ConfigError(f"{owner}: per_sample_weights are for mode='sum' only (as "
                          f"PyTorch); got mode={mode!r}")
    per_sample_weights = as_tensor(per_sample_weights)
    if per_sample_weights.shape != indices.shape:
        raise ShapeError(f"{owner}: per_sample_weights must have the input's shape "
                         f"{indices.shape}; got {per_sample_weights.shape}")
    if per_sample_weights.dtype != dtype:
        raise DTypeError(f"{owner}: per_sample_weights must have the weight's dtype "
                         f"{dtype}; got {per_sample_weights.dtype}")
    return per_sample_weights


def _kind(values: Any) -> str:
    """NumPy's dtype kind of a Tensor, array or nested list ("f" floating, "i" integer)."""
    return _array(values, "input").dtype.kind


def _array(values: Any, what: str) -> np.ndarray:
    """A Tensor's array, or NumPy's array of ``values``; ragged nested lists (bags of
    different lengths) are a DataError saying how to give them."""
    try:
        return np.asarray(getattr(values, "data", values))
    except ValueError:  # NumPy's message for ragged nesting
        raise DataError(f"embedding_bag: {what} is a ragged nested list (rows of different "
                        f"lengths); bags of different sizes go in a 1-d input with offsets "
                        f"(where each bag starts), e.g. input=[1, 2, 3], offsets=[0, 2]") \
            from None
