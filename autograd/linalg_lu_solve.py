"""``torch.linalg.lu_solve``: solve with a factorisation from ``linalg.lu_factor``, as a
composition (A = P L U rebuilt from the packed factors, then the differentiable solve), so
its gradient reaches both the packed factors and the right-hand side."""

from __future__ import annotations

from typing import Any

from . import more_functions
from .errors import ShapeError
from .ops import lu as lu_ops
from .tensor import Tensor, as_tensor

__all__ = ["lu_solve"]


def lu_solve(LU: Any, pivots: Any, B: Any, *, left: bool = True,
             adjoint: bool = False) -> Tensor:
    """X with A X = B for A = P L U given packed as ``linalg.lu_factor``'s (LU, pivots), as
    ``torch.linalg.lu_solve``: ``adjoint=True`` solves A^T X = B, ``left=False`` X A = B
    (and X A^T = B with both). B is a (batch of) matrix(es); batch axes broadcast."""
    LU, B = as_tensor(LU), as_tensor(B)
    if LU.ndim < 2 or LU.shape[-1] != LU.shape[-2]:
        raise ShapeError(f"lu_solve: LU must hold square matrices (of lu_factor); got shape "
                         f"{LU.shape}")
    if B.ndim < 2:
        raise ShapeError(f"lu_solve: B must have at least 2 axes, as in PyTorch (a vector b "
                         f"is B = b[..., None], and X[..., 0] its solution); got shape "
                         f"{B.shape}")
    n = LU.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        where = "rows" if left else "columns"
        raise ShapeError(f"lu_solve: B needs {n} {where} to solve "
                         f"{'A X' if left else 'X A'} = B with A of size {n}; got B of shape "
                         f"{B.shape}")
    P, L, U = lu_ops.lu_unpack(LU, pivots)
    A = P @ L @ U
    if adjoint:
        A = A.swapaxes(-1, -2)
    if left:
        return more_functions.solve(A, B)
    return more_functions.solve(A.swapaxes(-1, -2), B.swapaxes(-1, -2)).swapaxes(-1, -2)
