"""PyTorch's ``x.tensor_split(indices_or_sections, dim=0)`` (a mixin of ``Tensor``; the
function ``autograd.tensor_split`` is in ``torch_functions_more``): the pieces of ``x``
along ``dim``, either ``n`` pieces as equal as can be (the first ``len % n`` one longer,
NumPy's ``array_split``) or the pieces between the given split indices (Python's slice
rules: indices past the end clip, a smaller index after a larger gives an empty piece).
Graph code cuts a batch back into its graphs with it: ``x.tensor_split(ptr[1:-1])``.
Each piece is a slice of ``x``, so the gradient flows back into its place. Also PyTorch's
``x.split_with_sizes(sizes, dim)`` (``split`` with a list of sizes) and
``x.narrow_copy(dim, start, length)`` (a copy of ``narrow``'s piece)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._arrays import int_argument
from .errors import DTypeError, ShapeError, UsageError
from .ops.reductions import single_axis

__all__ = ["TensorSplitMethods", "split_bounds"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


def _sections_or_indices(value: Any) -> int | list[int]:
    """An int (the number of sections) or a list of split indices, from what PyTorch
    takes: an int, a sequence of ints, or an int64 tensor (0-d: sections, 1-d: indices)."""
    if isinstance(value, (bool, np.bool_)):
        raise UsageError("tensor_split: indices_or_sections must be an int, a sequence of "
                         f"ints or an integer tensor; got {value!r}")
    if isinstance(value, (int, np.integer)):
        return int(value)
    array = np.asarray(getattr(value, "data", value))
    if hasattr(value, "shape"):  # a tensor or array: PyTorch wants int64 of 0 or 1 axes
        if array.dtype.kind not in "iu":
            raise DTypeError(f"tensor_split: a tensor of indices or sections must hold "
                             f"integers (int64), not {array.dtype}: write t.long()")
        if array.ndim > 1:
            raise ShapeError(f"tensor_split: a tensor of indices or sections must have 0 "
                             f"or 1 axes; got shape {array.shape}")
        return int(array) if array.ndim == 0 else [int(k) for k in array]
    if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
        raise UsageError(f"tensor_split: indices must be a sequence of ints; got {value!r}")
    return [int(k) for k in array]


def split_bounds(length: int, indices_or_sections: Any) -> list[tuple[int, int]]:
    """The (start, stop) of each piece of an axis of ``length``: ``n`` sections of
    ``length // n`` (+1 for the first ``length % n``), or slices between split indices."""
    value = _sections_or_indices(indices_or_sections)
    if isinstance(value, int):
        if value <= 0:
            raise ShapeError(f"tensor_split: the number of sections must be positive; got "
                             f"{value}")
        base, extra = divmod(length, value)
        sizes = [base + 1] * extra + [base] * (value - extra)
        starts = np.cumsum([0] + sizes[:-1])
        return [(int(s), int(s) + k) for s, k in zip(starts, sizes)]
    edges = [0] + value + [length]
    return [slice(a, b).indices(length)[:2] for a, b in zip(edges[:-1], edges[1:])]


class TensorSplitMethods:
    """``tensor_split split_with_sizes narrow_copy`` (a mixin of the Tensor class)."""

    __slots__ = ()

    def tensor_split(self, indices_or_sections: Any = None, dim: int = 0, *,
                     sections: int | None = None,
                     indices: Any = None) -> tuple[AnyTensor, ...]:
        """The pieces along ``dim``: ``n`` (an int, or ``sections=``) as equal as can be,
        or those between the split indices (a sequence or 1-d int tensor, or
        ``indices=``), as PyTorch's: x[:i0], x[i0:i1], ..., x[ik:]."""
        given = [v for v in (indices_or_sections, sections, indices) if v is not None]
        if len(given) != 1:
            raise UsageError("tensor_split: give one of indices_or_sections, sections= "
                             "or indices=")
        if self.ndim == 0:
            raise ShapeError("tensor_split: a 0-d tensor has no axis to split; it needs "
                             "at least one axis")
        axis = single_axis(dim, self.ndim, "tensor_split")
        lead = (slice(None),) * axis
        return tuple(self[lead + (slice(start, max(start, stop)),)]
                     for start, stop in split_bounds(self.shape[axis], given[0]))

    def split_with_sizes(self, split_sizes: Any, dim: int = 0) -> tuple[AnyTensor, ...]:
        """The pieces of the given sizes along ``dim``, in order; the sizes (a list or
        tuple of ints >= 0) add up to the axis's length. ``x.split(sizes, dim)``, with
        PyTorch's check that the sizes are a sequence (an int is refused, as there)."""
        if not isinstance(split_sizes, (tuple, list)):
            raise UsageError(f"split_with_sizes: split_sizes must be a list or tuple of ints "
                             f"(the length of each piece); got {split_sizes!r}. For pieces "
                             f"of one size each, write x.split(size, dim)")
        sizes = [int_argument("split_with_sizes", "each size", k) for k in split_sizes]
        return self.split(sizes, dim)

    def narrow_copy(self, dim: int, start: int, length: int) -> AnyTensor:
        """A copy of ``self.narrow(dim, start, length)``: out = x[..., start:start + length]
        along ``dim`` (``start`` < 0 counts from the end), in new memory; the gradient goes
        to that slice of self."""
        return self.narrow(dim, start, length).clone()
