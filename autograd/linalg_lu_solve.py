"""``torch.linalg.lu_solve``: solve with a factorisation from ``linalg.lu_factor``, as a
composition (A = P L U rebuilt from the packed factors, then the differentiable solve), so
its gradient reaches both the packed factors and the right-hand side."""

from __future__ import annotations

from typing import Any

from . import more_functions
from .ops import lu as lu_ops
from .tensor import Tensor, as_tensor
from .triangular_methods import check_system

__all__ = ["lu_solve"]


def lu_solve(LU: Any, pivots: Any, B: Any, *, left: bool = True,
             adjoint: bool = False) -> Tensor:
    """X with A X = B for A = P L U given packed as ``linalg.lu_factor``'s (LU, pivots), as
    ``torch.linalg.lu_solve``: ``adjoint=True`` solves A^T X = B, ``left=False`` X A = B
    (and X A^T = B with both). B is a (batch of) matrix(es); batch axes broadcast."""
    LU, B = as_tensor(LU), as_tensor(B)
    check_system(LU, B, left, "lu_solve", "LU (of lu_factor)")
    P, L, U = lu_ops.lu_unpack(LU, pivots, where="lu_solve")
    A = P @ L @ U
    if adjoint:
        A = A.swapaxes(-1, -2)
    if left:
        return more_functions.solve(A, B)
    return more_functions.solve(A.swapaxes(-1, -2), B.swapaxes(-1, -2)).swapaxes(-1, -2)
