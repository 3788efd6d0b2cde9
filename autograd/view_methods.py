"""``ViewMethods``: PyTorch's ``view`` (a mixin of ``Tensor``), in both its forms:
``x.view(2, 3)`` is ``reshape`` (differentiable, sharing memory where the strides allow,
a copy where PyTorch would refuse), and ``x.view(dtype)`` reads the same bytes as
another dtype, as PyTorch's: an untracked tensor sharing the memory (and the version),
whose last axis is longer or shorter by the ratio of the element sizes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._arrays import as_dtype, shape_argument
from .errors import ShapeError, UsageError

__all__ = ["ViewMethods"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


def _dtype_request(shape: tuple, keyword: dict) -> Any:
    """The dtype of ``view(dtype)`` / ``view(dtype=...)``, or None for a shape."""
    if "dtype" in keyword:
        if shape or len(keyword) > 1:
            raise UsageError(f"view(dtype=...) takes the dtype alone; got {shape!r} and "
                             f"{sorted(keyword)}")
        return keyword["dtype"]
    if len(shape) == 1 and isinstance(shape[0], (np.dtype, type, str)):
        return shape[0]
    return None


class ViewMethods:
    """``view`` (a Tensor mixin)."""

    __slots__ = ()

    def view(self, *shape: Any, **keyword: Any) -> AnyTensor:
        """``reshape`` (PyTorch's name, and its keyword ``view(size=...)``; a copy where
        the memory order needs one, where PyTorch would refuse: ops here may return
        layouts PyTorch's do not, e.g. a transposed matmul result, so refusing would
        reject PyTorch code that works there); or, given a dtype, the
        same memory read as that dtype: float64 (n,) viewed as int32 is (2n,), shares
        the memory and the version, and is not tracked (PyTorch's ``view(dtype)``)."""
        dtype = _dtype_request(shape, keyword)
        if dtype is None:
            return self.reshape(*shape_argument("view", "size", shape, keyword))
        dtype = as_dtype(dtype, "view(dtype)")
        try:
            values = self.data.view(dtype)
        except ValueError:
            raise ShapeError(
                f"view({dtype}): a {self.dtype} tensor of shape {self.shape} and strides "
                f"{self.stride()} cannot be read as {dtype} in place: the last axis must "
                f"be contiguous (stride 1) and its bytes a multiple of {dtype.itemsize}, "
                f"and a 0-d tensor keeps its element size. Use "
                f"x.contiguous().view({dtype}), or x.to({dtype}) to convert the "
                f"values.") from None
        plain_tensor = type(self.detach())  # Tensor, also for a subclass (a Parameter)
        return plain_tensor(values)
