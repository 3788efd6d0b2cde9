"""PyTorch's ``triu_indices(row, col, offset=0)`` and ``tril_indices``: the coordinates
of a ``row`` x ``col`` matrix's upper (lower) triangle, as one 2 x N int64 tensor (row
coordinates first, in row-major order). A graph autoencoder lists its candidate node
pairs with ``torch.triu_indices(n, n, 1)``. NumPy's ``np.triu_indices(n, k, m)`` orders
its arguments differently (the offset second) and gives a tuple of arrays."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._arrays import as_dtype
from .errors import UsageError
from .tensor import Tensor
from .torch_shapes import check_device

__all__ = ["triu_indices", "tril_indices"]


def _triangle(row: Any, col: Any, offset: Any, dtype: Any, device: Any, upper: bool) -> Tensor:
    name = "triu_indices" if upper else "tril_indices"
    if col is None:
        raise UsageError(f"{name}(row, col, offset=0) takes the matrix's rows and columns, "
                         f"as PyTorch's (NumPy's np.{name}(n, k, m) puts the offset second)")
    sizes = (row, col, offset)
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in sizes):
        raise UsageError(f"{name}: row, col and offset are ints; got {sizes!r}")
    if row < 0 or col < 0:
        raise UsageError(f"{name}: row and col must be >= 0; got {row}, {col}")
    check_device(device, name)
    dtype = np.dtype(np.int64) if dtype is None else as_dtype(dtype, "dtype")
    if dtype.kind not in "iu":
        raise UsageError(f"{name}: dtype must be an integer type (int64 by default, as "
                         f"PyTorch's); got {dtype}")
    pick = np.triu_indices if upper else np.tril_indices
    return Tensor(np.stack(pick(int(row), int(offset), int(col))).astype(dtype))


def triu_indices(row: int, col: Any = None, offset: int = 0, *, dtype: Any = None,
                 device: Any = None, layout: Any = None) -> Tensor:
    """The 2 x N coordinates (i, j) of a row x col matrix with j - i >= offset."""
    return _triangle(row, col, offset, dtype, device, upper=True)


def tril_indices(row: int, col: Any = None, offset: int = 0, *, dtype: Any = None,
                 device: Any = None, layout: Any = None) -> Tensor:
    """The 2 x N coordinates (i, j) of a row x col matrix with j - i <= offset."""
    return _triangle(row, col, offset, dtype, device, upper=False)
