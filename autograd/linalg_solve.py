"""``torch.linalg``'s linear solvers: ``solve`` (PyTorch's rule for a batch of vectors),
``solve_ex`` (the solution with LAPACK's ``info`` instead of an error), and the tensor
forms ``tensorsolve`` and ``tensorinv`` (a reshape to one square matrix and back). All
differentiable through ``solve``/``inv``.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple, Sequence

import numpy as np

from . import more_functions
from .errors import ShapeError, SingularMatrixError
from .linalg_extras import _getrf_info, _per_matrix, lu_solve_unchecked
from .ops.linalg_more import check_solve
from .out_argument import accepts_out
from .tensor import Tensor, as_tensor

__all__ = ["solve", "solve_ex", "tensorsolve", "tensorinv", "SolveExResult"]


class SolveExResult(NamedTuple):
    """``solve_ex``'s pair: the solution and the int32 ``info`` (0: success)."""
    result: Tensor
    info: Tensor


def _is_batch_of_vectors(A: Tensor, B: Tensor) -> bool:
    """PyTorch's rule: B holds vectors when it is 1-d or its shape is A.shape[:-1]."""
    return B.ndim == 1 or (B.ndim > 1 and B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])


def _check_right_side(A: Tensor, B: Tensor) -> None:
    """For X A = B (``left=False``): B must be matrices with A's n columns, not what
    PyTorch reads as vectors (1-d, or of shape A.shape[:-1]: it refuses those here)."""
    n = A.shape[-1] if A.ndim else None
    if B.ndim >= 2 and _is_batch_of_vectors(A, B):
        raise ShapeError(f"solve(..., left=False) solves X A = B for matrices B; B of shape "
                         f"{B.shape} = A.shape[:-1] is a batch of vectors, as PyTorch reads "
                         f"it (and refuses it too). For rows x with x A = b write "
                         f"B.unsqueeze(-2) (shape {B.shape[:-1] + (1,) + B.shape[-1:]}) and "
                         f"take [..., 0, :] of the result")
    if B.ndim < 2 or B.shape[-1] != n:
        raise ShapeError(f"solve(..., left=False) solves X A = B: B needs {n} columns "
                         f"(matrices, as in PyTorch); got A of shape {A.shape}, B "
                         f"{B.shape}")


@accepts_out
def solve(A: Any, B: Any, *, left: bool = True) -> Tensor:
    """X with A X = B, as ``torch.linalg.solve``: B is a (batch of) vector(s) when it is
    1-d or its shape is ``A.shape[:-1]`` (NumPy's ``autograd.solve`` reads the latter as
    matrices), else matrices of A's size rows; batch axes broadcast. ``left=False``: X
    with X A = B, B matrices of A's size columns (X = (A^T \\ B^T)^T); a B that PyTorch
    reads as vectors (1-d, or of shape ``A.shape[:-1]``) is a ``ShapeError`` there, as
    PyTorch's."""
    A, B = as_tensor(A), as_tensor(B)
    if not left:
        _check_right_side(A, B)
        return more_functions.solve(A.swapaxes(-1, -2), B.swapaxes(-1, -2)).swapaxes(-1, -2)
    if B.ndim > 1 and _is_batch_of_vectors(A, B):
        return more_functions.solve(A, B.reshape(B.shape + (1,))).reshape(B.shape)
    return more_functions.solve(A, B)


@accepts_out
def solve_ex(A: Any, B: Any, *, left: bool = True, check_errors: bool = False
             ) -> SolveExResult:
    """(X, info) as ``torch.linalg.solve_ex``: X with A X = B (X A = B with
    ``left=False``; B's shapes as ``solve``'s) and, per matrix of A, info 0 or LAPACK
    getrf's 1-based position of the first zero pivot. X comes from the LU that gives info
    (X = U^-1 L^-1 P^T B, as LAPACK's getrs), so a matrix whose info is 0 always gets its
    solution (perhaps huge, if A is numerically singular), as in PyTorch; where info is not
    0, X is NaN (PyTorch's holds infs or garbage). ``check_errors=True`` raises
    instead."""
    A, B = as_tensor(A), as_tensor(B)
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise ShapeError(f"solve_ex: A must be (a batch of) square matrices; got shape "
                         f"{A.shape}")
    vectors = left and _is_batch_of_vectors(A, B)
    if vectors:
        B = B.reshape(B.shape + (1,))
    if left:
        check_solve(A, B)
    else:  # (the shapes first, as PyTorch: before check_errors looks at A)
        _check_right_side(A, B)
    info = _getrf_info(A.data)
    if check_errors and info.any():
        raise SingularMatrixError("solve_ex: A is singular (a zero pivot in its LU "
                                  "factorisation; check_errors=True)")
    X = _per_matrix(A, info, lambda M: lu_solve_unchecked(M, B, left))
    return SolveExResult(X.reshape(X.shape[:-1]) if vectors else X, Tensor(info))


@accepts_out
def tensorsolve(A: Any, B: Any, dims: Sequence[int] | None = None) -> Tensor:
    """X with tensordot(A, X, X.ndim) = B, as ``torch.linalg.tensorsolve``: A's leading
    axes are B's shape, its other axes X's shape (``dims``: A's axes moved to the end
    first); one square solve of A reshaped to (B.size, X.size)."""
    A, B = as_tensor(A), as_tensor(B)
    if dims is not None:
        moved = [d % A.ndim for d in dims]
        A = A.permute(*[d for d in range(A.ndim) if d not in moved], *moved)
    if A.shape[:B.ndim] != B.shape:
        raise ShapeError(f"tensorsolve: A's leading axes must be B's shape {B.shape}; got A "
                         f"of shape {A.shape}" + ("" if dims is None else " (after dims)"))
    x_shape = A.shape[B.ndim:]
    rows, cols = math.prod(B.shape), math.prod(x_shape)
    if rows != cols:
        raise ShapeError(f"tensorsolve: A must reshape to a square matrix: prod{B.shape} = "
                         f"{rows} rows, prod{x_shape} = {cols} columns")
    return solve(A.reshape(rows, cols), B.reshape(rows)).reshape(x_shape)


@accepts_out
def tensorinv(A: Any, ind: int = 2) -> Tensor:
    """The inverse of A for ``tensordot`` over ``ind`` axes, as ``torch.linalg.tensorinv``:
    A reshaped to (prod A.shape[:ind], prod A.shape[ind:]), which must be square, inverted,
    and shaped A.shape[ind:] + A.shape[:ind]."""
    A = as_tensor(A)
    if not isinstance(ind, (int, np.integer)) or ind <= 0:
        raise ShapeError(f"tensorinv: ind must be a positive integer (the number of leading "
                         f"axes); got {ind!r}")
    rows, cols = math.prod(A.shape[:ind]), math.prod(A.shape[ind:])
    if rows != cols:
        raise ShapeError(f"tensorinv: A must reshape to a square matrix: prod{A.shape[:ind]} "
                         f"= {rows} rows, prod{A.shape[ind:]} = {cols} columns")
    return A.reshape(rows, cols).inv().reshape(A.shape[ind:] + A.shape[:ind])
