"""PyTorch's ``nansum`` and ``nanmean`` as Tensor methods: the sum and the mean of the
entries that are not NaN, as segmentation code averages per-class IoU where an absent
class gives 0 / 0. Compositions of differentiable ops: a NaN entry gets gradient 0."""

from __future__ import annotations

from typing import Any

from .errors import DTypeError

__all__ = ["NanReductionMethods"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


class NanReductionMethods:
    """``nansum`` and ``nanmean`` (a mixin of the Tensor class)."""

    __slots__ = ()

    def nansum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> AnyTensor:
        """sum over ``dim`` (all axes when None) of the entries that are not NaN (0 for
        none); integer tensors are summed as they are (they hold no NaN)."""
        x = self if dtype is None else self.to(dtype)
        if x.is_floating_point():
            x = x.masked_fill(x.isnan(), 0.0)
        # dtype=x.dtype when asked: NumPy's sum would promote int32 and bool to int64
        return x.sum(dim=dim, keepdim=keepdim, dtype=None if dtype is None else x.dtype)

    def nanmean(self, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None) -> AnyTensor:
        """nansum / (number of entries that are not NaN) over ``dim``: NaN where all are
        NaN. Floating-point tensors only, as PyTorch's. The gradient of a NaN entry is 0,
        also in a slice of nothing but NaN (PyTorch's is NaN there: 0 times NaN)."""
        x = self if dtype is None else self.to(dtype)
        if not x.is_floating_point():
            raise DTypeError(f"nanmean: expected a floating point tensor (PyTorch's rule); "
                             f"got {x.dtype}: pass dtype=float64, or x.float()")
        count = (~x.isnan()).sum(dim=dim, keepdim=keepdim)
        return x.nansum(dim=dim, keepdim=keepdim) / count.to(x.dtype)
