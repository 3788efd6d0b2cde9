"""``autograd.nansum`` and ``autograd.nanmean``, PyTorch's functions (``out=`` too) over the
Tensor methods of ``nan_reductions``."""

from __future__ import annotations

from typing import Any

from .out_argument import accepts_out
from .tensor import Tensor, as_tensor

__all__ = ["nansum", "nanmean"]


@accepts_out
def nansum(input: Any, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
           dtype: Any = None) -> Tensor:
    """sum of the entries that are not NaN, over ``dim`` (every axis when None)."""
    return as_tensor(input).nansum(dim, keepdim, dtype=dtype)


@accepts_out
def nanmean(input: Any, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
            dtype: Any = None) -> Tensor:
    """mean of the entries that are not NaN, over ``dim`` (NaN where all are NaN)."""
    return as_tensor(input).nanmean(dim, keepdim, dtype=dtype)
