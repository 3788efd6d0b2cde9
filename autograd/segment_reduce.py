"""PyTorch's ``segment_reduce(data, reduce, lengths=... or offsets=..., axis=0,
unsafe=False, initial=None)``: ``data`` is cut along ``axis`` into consecutive segments
(segment k holds ``lengths[k]`` entries, or the entries ``offsets[k]:offsets[k + 1]``) and
each segment is reduced to one entry by 'sum', 'mean', 'max', 'min' or 'prod' (the
per-graph readout of a batch whose nodes come graph after graph). Lengths of more axes
(``data.shape[:axis] + (segments,)``) cut each row on its own. As PyTorch's, ``initial``
joins every segment (sum: + initial; mean: (sum + initial) / length; max, min: compared;
prod: * initial) and is the value of an empty one; without it an empty segment gives the
reduction's identity (0, 1, -inf, inf), and NaN for 'mean'.

A composition of ``index_add`` ('sum', 'mean') and ``scatter_reduce`` ('prod', 'max' and
'min', whose gradient is split evenly between ties, as PyTorch's), so it is differentiable
to any order."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import DTypeError, ShapeError, UnsupportedError, UsageError
from .ops.reductions import single_axis
from .creation import full, zeros
from .tensor import Tensor, as_tensor
from .tensor_math import where

__all__ = ["segment_reduce"]

_REDUCES = {"sum": "sum", "mean": "mean", "max": "max", "min": "min", "prod": "prod",
            "amax": "max", "amin": "min"}
# the scatter_reduce of each reduction that is one, and its value on an empty segment
_SCATTERED = {"prod": ("prod", 1.0), "max": ("amax", -np.inf), "min": ("amin", np.inf)}


def _lengths(data: Tensor, lengths: Any, offsets: Any, indices: Any, axis: int) -> np.ndarray:
    """The segments' lengths as an int array of shape data.shape[:axis] + (segments,)."""
    if indices is not None:
        raise UnsupportedError("segment_reduce: indices= is not supported (nor by PyTorch); "
                               "give lengths= or offsets=")
    if (lengths is None) == (offsets is None):
        raise UsageError("segment_reduce: give one of lengths= or offsets=")
    given = np.asarray(getattr(lengths if offsets is None else offsets, "data",
                               lengths if offsets is None else offsets))
    if given.dtype.kind not in "iu":
        raise DTypeError(f"segment_reduce: lengths and offsets must hold integers (int64), "
                         f"not {given.dtype}")
    if given.ndim == 0:
        raise ShapeError("segment_reduce: lengths and offsets need at least one axis")
    result = given if offsets is None else np.diff(given, axis=-1)
    if axis != given.ndim - 1:
        raise ShapeError(f"segment_reduce: axis must be the last axis of lengths or offsets "
                         f"({given.ndim - 1}, as PyTorch's); got {axis}")
    if result.shape[:-1] != data.shape[:axis]:
        raise ShapeError(f"segment_reduce: lengths of shape {result.shape} must match data's "
                         f"axes before axis {axis}, {data.shape[:axis]}")
    return result


def segment_reduce(data: Any, reduce: str, *, lengths: Any = None, indices: Any = None,
                   offsets: Any = None, axis: int = 0, unsafe: bool = False,
                   initial: Any = None) -> Tensor:
    """out[..., k, ...] = reduce(data[..., segment k, ...]) along ``axis``, the segments
    given by ``lengths`` (or ``offsets``) as PyTorch's ``torch.segment_reduce``."""
    data = as_tensor(data)
    if reduce not in _REDUCES:
        raise UsageError(f"segment_reduce: reduce must be 'sum', 'mean', 'max', 'min' or "
                         f"'prod', as PyTorch's; got {reduce!r}")
    kind = _REDUCES[reduce]
    axis = single_axis(axis, data.ndim, "segment_reduce") if data.ndim else 0
    sizes = _lengths(data, lengths, offsets, indices, axis)
    if not unsafe and ((sizes < 0).any() or (sizes.sum(-1) != data.shape[axis]).any()):
        raise ShapeError(f"segment_reduce: the lengths must be >= 0 and add up to "
                         f"{data.shape[axis]}, the length of axis {axis}; got {sizes.tolist()}")
    rows, count = int(np.prod(sizes.shape[:-1])), sizes.shape[-1]
    per_row = sizes.reshape(rows, count)
    segments = np.concatenate([np.repeat(r * count + np.arange(count), per_row[r])
                               for r in range(rows)]).astype(np.intp)
    rest = data.shape[axis + 1:]
    flat = data.reshape((-1,) + rest)
    out = _reduce(flat, segments, rows * count, kind, initial)
    return out.reshape(data.shape[:axis] + (count,) + rest)


def _reduce(flat: Tensor, segments: np.ndarray, count: int, kind: str,
            initial: Any) -> Tensor:
    """The rows of ``flat`` reduced by segment into ``count`` rows."""
    shape = (count,) + flat.shape[1:]
    if kind in _SCATTERED:
        reduce, identity = _SCATTERED[kind]
        spread = np.broadcast_to(segments.reshape((-1,) + (1,) * (flat.ndim - 1)), flat.shape)
        out = full(shape, identity, dtype=flat.dtype).scatter_reduce(0, spread, flat, reduce)
        if initial is None or kind == "prod":
            return out if initial is None else out * initial
        # initial joins the comparison, not the ties: a value equal to it keeps its gradient
        wins = out.data >= initial if kind == "max" else out.data <= initial
        return where(wins, out, initial)
    total = zeros(shape, dtype=flat.dtype).index_add(0, segments, flat)
    if initial is not None:
        total = total + initial
    if kind == "sum":
        return total
    sizes = np.bincount(segments, minlength=count).reshape((count,) + (1,) * (flat.ndim - 1))
    empty = np.nan if initial is None else initial
    return where(sizes > 0, total / np.maximum(sizes, 1), empty)
