"""The shape a view of a tensor sees it in, across the tensor's in-place shape changes.

``row = y[0]; y.unsqueeze_(0); y[0, 0, 2] = v``: the write gives y a new array
(``rebase``), and row, taken when y had shape (3, 3), is made again from y as it is now,
of shape (1, 3, 3). The index 0 means y's first row only in y's old shape, so the row is
made again from y reshaped back: the in-place shape changes recorded since the view was
taken (``unsqueeze_``/``squeeze_``: ``ReshapeInPlace``; ``transpose_``/``t_``:
``TransposeInPlace``) are undone, newest first (``as_when_viewed``). The reshape or
permutation of y that this takes is the view's input from then on, its *frame*: later
writes make the view again from y reshaped or permuted back the same way (``in_frame``,
``is_frame``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .ops.shape import Reshape, ReshapeInPlace, Transpose, TransposeInPlace

__all__ = ["as_when_viewed", "in_frame", "is_frame"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


def as_when_viewed(base: AnyTensor, used: AnyTensor) -> AnyTensor | None:
    """base in the shape and axis order ``used`` had (base when a view was taken, found by
    the engine's ``as_used``): the recorded in-place shape changes between them undone,
    newest first, by a reshape or permutation of base as it is. None if base's shape
    changed unrecorded since (outside the graph): the view is then left as it is."""
    source, node = base, base
    while node is not used:
        op = node._op
        if isinstance(op, ReshapeInPlace):
            source = _reshaped(source, base, op.previous.shape)
        elif isinstance(op, TransposeInPlace):
            source = _permuted(source, base, tuple(int(a) for a in np.argsort(op.axes)))
        node = op.previous
    return source if (source.shape, source.dtype) == (used.shape, used.dtype) else None


def is_frame(t: AnyTensor, base: AnyTensor) -> bool:
    """Whether t is a frame of base: a reshape or permutation of base (or of a frame of
    it), which an earlier write or shape change made a view of base again from (a write
    through a view of it makes it again as ``ReshapedAgain``/``TransposedAgain``)."""
    op = t._op
    return (isinstance(op, (Reshape, Transpose))
            and not isinstance(op, (ReshapeInPlace, TransposeInPlace))
            and op.parents is not None
            and (op.parents[0] is base or is_frame(op.parents[0], base)))


def in_frame(taken_of: AnyTensor, base: AnyTensor, source: AnyTensor) -> AnyTensor:
    """``source`` (base as ``as_when_viewed`` gives it) as the tensor a view is made again
    from: ``source`` itself, or, when the view was last made from a frame of base
    (``taken_of``), the same reshapes and permutations of ``source``."""
    if not is_frame(taken_of, base):
        return source
    inner, op = in_frame(taken_of._op.parents[0], base, source), taken_of._op
    return (_reshaped(inner, base, op.shape) if isinstance(op, Reshape)
            else _permuted(inner, base, op.axes))


def _reshaped(t: AnyTensor, base: AnyTensor, shape: tuple) -> AnyTensor:
    """t reshaped; a reshape frame of base is reshaped from what it reshapes (two reshapes
    are one), so frames do not pile up over many shape changes."""
    if t is not base and isinstance(t._op, Reshape) and is_frame(t, base):
        t = t._op.parents[0]
    return t if t.shape == tuple(shape) and t is base else t.reshape(shape)


def _permuted(t: AnyTensor, base: AnyTensor, axes: tuple) -> AnyTensor:
    """t permuted; a permutation frame of base is permuted from what it permutes (the
    axes composed)."""
    if t is not base and isinstance(t._op, Transpose) and is_frame(t, base):
        axes, t = tuple(t._op.axes[a] for a in axes), t._op.parents[0]
    return t if t is base and axes == tuple(range(len(axes))) else t.permute(axes)
