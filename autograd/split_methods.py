"""``PieceMethods`` (a mixin of ``Tensor``): PyTorch's methods that take a tensor apart,
put a piece back or reduce it to a shape: ``hsplit vsplit dsplit`` (NumPy's, in equal
parts, through ``tensor_split``), ``select(dim, index)`` and ``select_scatter``,
``slice_scatter``, ``swapdims``, ``msort``, ``sum_to_size``, ``aminmax`` and
``positive``. Each is differentiable through the slices, sorts and sums
it is made of."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ._arrays import int_argument, positional_or_keyword
from ._vjp_checks import unbroadcast
from .errors import ShapeError, TensorIndexError, UsageError
from .ops.reductions import single_axis

__all__ = ["PieceMethods", "MinMax"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


class MinMax(NamedTuple):
    """``aminmax``'s pair, as PyTorch's: ``min_val, max_val = x.aminmax()``, or by name."""
    min: Any
    max: Any


class PieceMethods:
    """``hsplit vsplit dsplit select select_scatter slice_scatter swapdims msort
    sum_to_size aminmax positive`` (a Tensor mixin)."""

    __slots__ = ()

    def hsplit(self, indices_or_sections: Any = None, *, sections: int | None = None,
               indices: Any = None) -> tuple[AnyTensor, ...]:
        """``tensor_split`` along axis 1 (axis 0 of a 1-d tensor); N sections must divide
        the axis evenly, as NumPy's and PyTorch's ``hsplit`` (PyTorch's ``sections=``,
        ``indices=`` are taken)."""
        return self._split_evenly("hsplit", (indices_or_sections, sections, indices),
                                  0 if self.ndim == 1 else 1, 1)

    def vsplit(self, indices_or_sections: Any = None, *, sections: int | None = None,
               indices: Any = None) -> tuple[AnyTensor, ...]:
        """``tensor_split`` along axis 0 of a tensor of at least 2 axes, evenly."""
        return self._split_evenly("vsplit", (indices_or_sections, sections, indices), 0, 2)

    def dsplit(self, indices_or_sections: Any = None, *, sections: int | None = None,
               indices: Any = None) -> tuple[AnyTensor, ...]:
        """``tensor_split`` along axis 2 of a tensor of at least 3 axes, evenly."""
        return self._split_evenly("dsplit", (indices_or_sections, sections, indices), 2, 3)

    def _split_evenly(self, name: str, how: tuple, axis: int,
                      min_ndim: int) -> tuple[AnyTensor, ...]:
        """``how`` is (indices_or_sections, sections, indices), of which one is given."""
        if self.ndim < min_ndim:
            raise ShapeError(f"{name} needs a tensor of at least {min_ndim} axes; got "
                             f"{self.ndim}-d")
        indices_or_sections, sections, indices = how
        count = indices_or_sections if sections is None else sections
        if isinstance(count, (int, np.integer)):
            n, count = self.shape[axis], int(count)
            if count <= 0 or n % count:
                raise ShapeError(f"{name}: an axis of length {n} does not split into "
                                 f"{count} equal parts; tensor_split allows unequal ones")
        return self.tensor_split(indices_or_sections, axis, sections=sections, indices=indices)

    def select(self, dim: int, index: int) -> AnyTensor:
        """The slice at ``index`` along ``dim``, which it removes: ``x.select(1, 0)`` is
        ``x[:, 0]`` (a view)."""
        axis = single_axis(dim, self.ndim, "select")
        index = int_argument("select", "index", index)  # (a bool would be a mask)
        length = self.shape[axis]
        if not -length <= index < length:
            raise TensorIndexError(f"select: index {index} is out of range for axis {axis} of "
                             f"length {length}")
        return self[(slice(None),) * axis + (index,)]

    def select_scatter(self, src: Any, dim: int, index: int) -> AnyTensor:
        """A copy of self with ``src`` in place of ``self.select(dim, index)``
        (differentiable in both: ``x.at[..., index, ...].set(src)``)."""
        self.select(dim, index)  # the checks of dim and index
        axis = single_axis(dim, self.ndim, "select_scatter")
        return self.at[(slice(None),) * axis + (index,)].set(src)

    def slice_scatter(self, src: Any, dim: int = 0, start: int | None = None,
                      end: int | None = None, step: int = 1) -> AnyTensor:
        """A copy of self with ``src`` in place of the slice ``start:end:step`` along
        ``dim`` (differentiable in both)."""
        axis = single_axis(dim, self.ndim, "slice_scatter")
        return self.at[(slice(None),) * axis + (slice(start, end, step),)].set(src)

    def diagonal_scatter(self, src: Any, offset: int = 0, dim1: int = 0,
                         dim2: int = 1) -> AnyTensor:
        """A copy of self with ``src`` in place of ``self.diagonal(offset, dim1, dim2)``
        (the diagonal's axis last, as ``diagonal`` gives it); differentiable in both: the
        copy's diagonal view takes the write."""
        out = self.clone()
        diagonal = out.diagonal(offset, dim1, dim2)
        src = self._lift(src)
        if src.shape != diagonal.shape:
            raise ShapeError(f"diagonal_scatter: src must have the diagonal's shape "
                             f"{diagonal.shape} (offset {offset}, dims {dim1} and {dim2} of "
                             f"shape {self.shape}); got {src.shape}")
        diagonal.copy_(src)
        return out

    def swapdims(self, dim0: int, dim1: int) -> AnyTensor:
        """The two axes exchanged (``swapaxes``, ``transpose(dim0, dim1)``)."""
        return self.swapaxes(dim0, dim1)

    def msort(self) -> AnyTensor:
        """The values sorted along axis 0, ascending (``sort(dim=0).values``)."""
        return self.sort(dim=0).values

    def sum_to_size(self, *sizes: Any, size: Any = None) -> AnyTensor:
        """Summed down to ``size``, which the tensor must broadcast from (what un-broadcasting
        a gradient does): ``x.sum_to_size(1, 3)`` of a (2, 3) ``x`` sums its rows."""
        sizes = positional_or_keyword("sum_to_size", sizes, size, "size")
        several = len(sizes) == 1 and isinstance(sizes[0], (tuple, list))
        shape = tuple(sizes[0]) if several else tuple(sizes)
        try:
            return unbroadcast(self, shape)  # a gradient's un-broadcasting, on the tensor
        except ShapeError:
            raise ShapeError(f"sum_to_size: size {shape} is not expandable to the tensor's "
                             f"shape {self.shape}") from None

    def aminmax(self, *, dim: int | None = None, keepdim: bool = False) -> MinMax:
        """The minimum and the maximum (of all values, or along ``dim``) as a named pair
        ``(min, max)``; differentiable as ``amin`` and ``amax``."""
        axes = () if dim is None else dim
        return MinMax(self.amin(axes, keepdim), self.amax(axes, keepdim))

    def positive(self) -> AnyTensor:
        """The tensor itself (``+x``), as PyTorch's; a bool tensor is refused there too."""
        if self.dtype == np.bool_:
            raise UsageError("positive: a bool tensor has no positive; PyTorch refuses it "
                             "too (convert it first, t.long())")
        return self
