"""``concatenate`` and ``stack`` of tensors (``autograd.functions`` gives their public
versions): one ``Concatenate`` op, ``stack`` after a new axis on each tensor. Moved out of
``tensor_math`` (which re-exports them) to keep that module small."""

from __future__ import annotations

from typing import Any, Sequence

from .errors import ShapeError, UsageError
from .function import apply
from .ops.reductions import pick_axis, single_axis
from .ops.shape import Concatenate

__all__ = ["concatenate", "stack"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


def concatenate(tensors: Sequence[AnyTensor], axis: int | None = 0, *,
                dim: int | None = None) -> AnyTensor:
    """Join tensors along an existing axis (``axis=None``: flattened first, as NumPy)."""
    axis = pick_axis(axis, dim, "concatenate", 0)
    if axis is None:
        tensors, axis = [t.reshape(-1) for t in tensors], 0
    return apply(Concatenate(axis), *tensors)


def stack(tensors: Sequence[AnyTensor], axis: int = 0, *, dim: int | None = None) -> AnyTensor:
    """Join same-shape tensors along a new axis."""
    axis = pick_axis(axis, dim, "stack", 0)
    if not tensors:
        raise UsageError("stack: needs at least one tensor")
    shape = tensors[0].shape
    for i, t in enumerate(tensors):
        if t.shape != shape:
            raise ShapeError(f"stack: tensor {i} has shape {t.shape}, tensor 0 has "
                             f"{shape}; all must match")
    axis = single_axis(axis, len(shape) + 1, "stack")
    return concatenate([t.expand_dims(axis) for t in tensors], axis)
