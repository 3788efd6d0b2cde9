"""PyTorch's ``nansum`` and ``nanmean`` (forecasting metrics over series with missing
values: ``torch.nanmean(torch.abs(pred - target))``), as Tensor methods; the functions
``autograd.nansum`` / ``autograd.nanmean`` are in ``nan_functions``. NaN entries count as
absent: their gradient is 0, the others' as ``sum``'s / ``mean``'s."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import DTypeError
from .ops.reductions import normalize_axis

__all__ = ["NanReductionMethods"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


class NanReductionMethods:
    """``nansum`` and ``nanmean`` (a mixin of the Tensor class)."""

    __slots__ = ()

    def _without_nan(self, name: str) -> tuple[AnyTensor, np.ndarray]:
        if self.dtype.kind != "f":
            raise DTypeError(f"{name}(): expected a floating tensor (PyTorch's rule); got "
                             f"{self.dtype}. Convert it first: x.double().{name}()")
        missing = np.isnan(np.asarray(self.detach().data))
        return self.masked_fill(missing, 0.0), missing

    def nansum(self, dim: Any = None, keepdim: bool = False) -> AnyTensor:
        """sum over ``dim`` (every axis when None) of the entries that are not NaN."""
        filled, _ = self._without_nan("nansum")
        if dim is None:
            return filled.sum(dim=tuple(range(self.ndim)), keepdim=keepdim)
        return filled.sum(dim=dim, keepdim=keepdim)

    def nanmean(self, dim: Any = None, keepdim: bool = False) -> AnyTensor:
        """nansum / (the number of entries that are not NaN) over ``dim``; NaN where every
        entry is NaN."""
        filled, missing = self._without_nan("nanmean")
        axes = tuple(range(self.ndim)) if dim is None else normalize_axis(dim, self.ndim,
                                                                          "nanmean")
        count = np.sum(~missing, axis=axes, keepdims=keepdim).astype(self.dtype)
        with np.errstate(invalid="ignore", divide="ignore"):
            return filled.sum(dim=axes, keepdim=keepdim) / count
