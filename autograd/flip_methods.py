"""``FlipMethods`` (a mixin of ``Tensor``): PyTorch's (and NumPy's) ``fliplr``, ``flipud``
and ``rot90(k, dims)``, flips and axis swaps, as ``np.fliplr``/``np.flipud``/``np.rot90``
on Tensors compute them (``numpy_more``)."""

from __future__ import annotations

from typing import Any, Sequence

from .errors import ShapeError
from .numpy_more import numpy_fliplr, numpy_flipud, numpy_rot90

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
        towards the second (a flip and a swap per quarter turn)."""
        return numpy_rot90(self, k, tuple(dims))
