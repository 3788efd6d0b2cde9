"""``FlipMethods`` (a mixin of ``Tensor``): PyTorch's (and NumPy's) ``fliplr``, ``flipud``
and ``rot90(k, dims)``, flips and axis swaps, as ``np.fliplr``/``np.flipud``/``np.rot90``
on Tensors compute them (``numpy_more``)."""

from __future__ import annotations

from typing import Any, Sequence

from ._arrays import int_argument
from .errors import ShapeError, UsageError
from .numpy_more import numpy_fliplr, numpy_flipud, numpy_rot90
from .ops.reductions import single_axis

__all__ = ["FlipMethods"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


class FlipMethods:
    """``fliplr flipud rot90`` (a Tensor mixin)."""

    __slots__ = ()

    def fliplr(self) -> AnyTensor:
        """The columns (axis 1) reversed; the tensor needs at least 2 axes."""
        if self.ndim < 2:
            raise ShapeError(f"fliplr needs a tensor of at least 2 axes; got {self.ndim}-d")
        return numpy_fliplr(self)

    def flipud(self) -> AnyTensor:
        """The rows (axis 0) reversed; the tensor needs at least 1 axis."""
        if self.ndim < 1:
            raise ShapeError("flipud needs a tensor of at least 1 axis; got a 0-d one")
        return numpy_flipud(self)

    def rot90(self, k: int = 1, dims: Sequence[int] = (0, 1)) -> AnyTensor:
        """Rotated by 90 degrees ``k`` times in the plane of ``dims``, from the first axis
        towards the second (a flip and a swap per quarter turn). ``k`` is an int and
        ``dims`` two different axes, as PyTorch's. Always a new tensor (a copy for
        k % 4 == 0), as PyTorch's."""
        k = int_argument("rot90", "k", k)
        dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
        if len(dims) != 2:
            raise UsageError(f"rot90: dims must be two axes, the plane of the rotation; got "
                             f"{len(dims)}: {dims}. Pass two, e.g. dims=(0, 1)")
        first, second = (single_axis(d, self.ndim, "rot90") for d in dims)
        if first == second:
            raise UsageError(f"rot90: dims must be two different axes; got {dims}, both axis "
                             f"{first}. Pass two, e.g. dims=(0, 1)")
        return numpy_rot90(self, k, (first, second))
