"""PyTorch's ``nansum`` and ``nanmean`` as Tensor methods: the sum and the mean of the
entries that are not NaN, as segmentation code averages per-class IoU where an absent
class gives 0 / 0. Compositions of differentiable ops: a NaN entry gets gradient 0."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import DTypeError
from .tensor_reductions import in_float32

__all__ = ["NanReductionMethods"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


class NanReductionMethods:
    """``nansum`` and ``nanmean`` (a mixin of the Tensor class)."""

    __slots__ = ()

    def nansum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> AnyTensor:
        """sum over ``dim`` (all axes when None) of the entries that are not NaN (0 for
        none); integer tensors are summed as they are (they hold no NaN). With ``dtype``
        the NaN are skipped first, then each entry is cast (as PyTorch: an int dtype
        truncates each entry); a non-float dtype of a tensor that requires grad raises
        ``DTypeError``, as ``sum``'s."""
        x = self.masked_fill(self.isnan(), 0.0) if self.is_floating_point() else self
        if dtype is None:
            return x.sum(dim=dim, keepdim=keepdim)
        x = x._in_dtype(dtype, "nansum")
        # dtype=x.dtype: NumPy's sum would promote int32 and bool to int64
        return x.sum(dim=dim, keepdim=keepdim, dtype=x.dtype)

    def nanmean(self, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None) -> AnyTensor:
        """nansum / (number of entries that are not NaN) over ``dim``: NaN where all are
        NaN. Floating-point tensors only, as PyTorch's. The gradient of a NaN entry is 0,
        also in a slice of nothing but NaN (PyTorch's is NaN there: 0 times NaN).
        float16 is summed and divided in float32 and rounded once (PyTorch rounds the
        sum to float16 first, so its nanmean overflows to inf past 65504)."""
        x = self if dtype is None else self.to(dtype)
        if not x.is_floating_point():
            raise DTypeError(f"nanmean: expected a floating point tensor (PyTorch's rule); "
                             f"got {x.dtype}: pass dtype=float64, or x.float()")
        if x.dtype == np.float16:
            return in_float32(x, "nanmean", dim, keepdim)
        count = (~x.isnan()).sum(dim=dim, keepdim=keepdim)
        return x.nansum(dim=dim, keepdim=keepdim) / count.to(x.dtype)
