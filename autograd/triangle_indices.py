"""``tril_indices`` and ``triu_indices``: PyTorch's index pairs of a matrix's triangles.

For a ``row`` x ``col`` matrix, ``tril_indices(row, col, offset)`` is a (2, N) integer
tensor whose columns are the pairs (i, j) with j - i <= offset, in row-major order;
``triu_indices`` takes those with j - i >= offset. ``z[:, li, lj]`` then reads a batch's
strict lower triangle, as DLRM's pairwise feature interactions do."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._arrays import as_dtype, as_size, is_int
from .errors import UsageError
from .tensor import Tensor
from .torch_shapes import check_device

__all__ = ["tril_indices", "triu_indices"]


def _pairs(op: str, row: int, col: int, offset: int, dtype: Any, device: Any,
           lower: bool) -> Tensor:
    """The (2, N) pairs (i, j) of a row x col matrix with j - i <= offset (lower) or
    j - i >= offset (upper), row-major, as ``dtype`` (int64 unless given)."""
    check_device(device, f"{op}(device=...)")
    rows, cols = as_size((row, col), f"{op}: row, col")
    if not is_int(offset):
        raise UsageError(f"{op}: offset must be an int; got {offset!r}")
    dtype = np.dtype(np.int64) if dtype is None else as_dtype(dtype, "dtype")
    if dtype.kind not in "iu":
        raise UsageError(f"{op}: dtype must be an integer type (int64 by default, as "
                         f"PyTorch); got {dtype}")
    i, j = np.indices((rows, cols)).reshape(2, -1)
    keep = (j - i <= offset) if lower else (j - i >= offset)
    return Tensor(np.stack([i[keep], j[keep]]).astype(dtype))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None,
                 device: Any = None, layout: Any = None) -> Tensor:
    """The (2, N) pairs (i, j) of a row x col matrix's lower triangle, j - i <= offset,
    row-major (PyTorch's ``torch.tril_indices``); ``layout`` is accepted and ignored."""
    return _pairs("tril_indices", row, col, offset, dtype, device, lower=True)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None,
                 device: Any = None, layout: Any = None) -> Tensor:
    """The (2, N) pairs (i, j) of a row x col matrix's upper triangle, j - i >= offset,
    row-major (PyTorch's ``torch.triu_indices``); ``layout`` is accepted and ignored."""
    return _pairs("triu_indices", row, col, offset, dtype, device, lower=False)
