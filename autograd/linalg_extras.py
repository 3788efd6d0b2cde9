"""More of ``torch.linalg``: ``vecdot``, ``multi_dot`` and ``vander`` (compositions of
``sum``, ``matmul`` and products), ``cholesky_ex``, ``inv_ex`` and ``lu_factor_ex`` (the
factor or inverse with an ``info`` code instead of an error, for code that adds jitter and
retries), and
``eig``/``eigvals``, refused: their results are complex, and every tensor here is real.
"""

from __future__ import annotations

import functools
import math
import operator
from typing import Any, NamedTuple, Sequence

import numpy as np

from .errors import (DTypeError, NaNMatrixError, ShapeError, SingularMatrixError,
                     UnsupportedError, UsageError)
from .more_functions import solve
from .ops import lu as lu_ops
from .ops.linalg_more import check_square
from .ops.lu import lapack_lu, zero_pivot_info
from .out_argument import accepts_out
from .tensor import Tensor, as_tensor
from .tensor_math import stack, where

__all__ = ["vecdot", "multi_dot", "vander", "powers", "cholesky_ex", "inv_ex", "eig", "eigvals",
           "lu_factor_ex", "CholeskyExResult", "InvExResult", "LUFactorExResult"]


class CholeskyExResult(NamedTuple):
    """``cholesky_ex``'s pair: the factor and the int32 ``info`` (0: success)."""
    L: Tensor
    info: Tensor


class InvExResult(NamedTuple):
    """``inv_ex``'s pair: the inverse and the int32 ``info`` (0: success)."""
    inverse: Tensor
    info: Tensor


class LUFactorExResult(NamedTuple):
    """``lu_factor_ex``'s triple: ``lu_factor``'s LU and pivots, and the int32 ``info``."""
    LU: Tensor
    pivots: Tensor
    info: Tensor


@accepts_out
def vecdot(x: Any, y: Any, *, dim: int = -1) -> Tensor:
    """sum(x * y) along ``dim`` (broadcast), as ``torch.linalg.vecdot``."""
    return (as_tensor(x) * as_tensor(y)).sum(axis=dim)


@accepts_out
def multi_dot(tensors: Sequence[Any]) -> Tensor:
    """A_1 @ A_2 @ ... @ A_n, as ``torch.linalg.multi_dot``: the first may be a 1-d row
    vector and the last a 1-d column vector; the others are 2-d."""
    tensors = [as_tensor(t) for t in tensors]
    if len(tensors) < 2:
        raise UsageError(f"multi_dot: needs at least two tensors; got {len(tensors)}")
    inner = [t.ndim for t in tensors[1:-1]]
    if any(d != 2 for d in inner) or tensors[0].ndim not in (1, 2) \
            or tensors[-1].ndim not in (1, 2):
        raise ShapeError(f"multi_dot: the first and last tensors must be 1-d or 2-d and the "
                         f"others 2-d; got shapes {[t.shape for t in tensors]}")
    return functools.reduce(operator.matmul, tensors)


def powers(x: Tensor, n: int) -> Tensor:
    """[1, x, x^2, ..., x^(n-1)] along a new last axis, by repeated products (exact
    gradients at x = 0, where pow's x^k k/x would not be)."""
    columns = [x.new_ones(x.shape)] if n > 0 else []
    for _ in range(1, n):
        columns.append(columns[-1] * x)
    if not columns:
        return x.new_zeros(x.shape + (0,))
    return stack(columns, axis=-1)


def vander(x: Any, *, N: int | None = None) -> Tensor:
    """The Vandermonde matrices of the vectors in x's last axis, as
    ``torch.linalg.vander``: increasing powers x^0 ... x^(N-1), N = x.shape[-1] by
    default. Integer x gives int64 (uint8 250^2 would wrap around) and bool x is refused,
    as PyTorch's."""
    x = as_tensor(x)
    if x.ndim < 1:
        raise ShapeError("linalg.vander: x must have at least one axis; got a 0-d tensor")
    if x.dtype == np.bool_:
        raise DTypeError("linalg.vander: x is bool, which PyTorch refuses too; convert it "
                         "first: x.long() (or x.double())")
    if x.dtype.kind in "iu":
        x = x.astype(np.int64)
    n = x.shape[-1] if N is None else N
    if n < 1:
        raise ShapeError(f"linalg.vander: N must be at least 1; got {N}")
    return powers(x, n)


def _per_matrix(A: Tensor, info: np.ndarray, factor: Any) -> Tensor:
    """``factor`` of each matrix whose info is 0 (differentiable there), NaN elsewhere:
    the failed matrices are swapped for the identity before factoring."""
    failed = (info != 0)[..., None, None]
    if not failed.any():
        return factor(A)
    eye = np.broadcast_to(np.eye(A.shape[-1], dtype=A.dtype), A.shape)
    return where(failed, np.nan, factor(where(failed, eye, A)))


def _first_failures(A: np.ndarray, test: Any) -> np.ndarray:
    """Per matrix of the batch: 0 if ``test`` passes, else the 1-based order of the
    first leading minor that fails it (LAPACK potrf's info)."""
    flat = A.reshape((math.prod(A.shape[:-2]),) + A.shape[-2:])  # (not -1: empty matrices)
    info = np.zeros(len(flat), dtype=np.int32)
    for b, matrix in enumerate(flat):
        if not test(matrix):
            info[b] = next(k for k in range(1, matrix.shape[-1] + 1)
                           if not test(matrix[:k, :k]))
    return info.reshape(A.shape[:-2])


def _is_positive_definite(matrix: np.ndarray) -> bool:
    """Whether every pivot a_jj - sum_k L_jk^2 of the Cholesky factorisation (of the lower
    triangle) is > 0, as LAPACK potrf's test: a NaN pivot fails too (NumPy's cholesky
    returns NaN there without an error; an inf pivot passes, as in PyTorch)."""
    try:
        factor = np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        return False
    return not np.isnan(np.diagonal(factor)).any()


@accepts_out
def cholesky_ex(A: Any, *, upper: bool = False, check_errors: bool = False) -> CholeskyExResult:
    """(L, info) as ``torch.linalg.cholesky_ex``: info 0 where A is positive definite,
    else the order of its first leading minor that is not (and that L is NaN; PyTorch's
    holds LAPACK's partial factor); a NaN in the triangle read (the lower one, the upper
    with ``upper=True``) fails where it reaches a pivot, as in LAPACK. ``check_errors=True``
    raises instead."""
    A = as_tensor(A)
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise ShapeError(f"cholesky_ex: needs (a batch of) square matrices; got {A.shape}")
    read = np.tril(np.swapaxes(A.data, -1, -2) if upper else A.data)  # as a lower triangle
    info = _first_failures(read + np.swapaxes(np.tril(read, -1), -1, -2),
                           _is_positive_definite)
    if check_errors and info.any():
        if np.isnan(read).any():
            raise NaNMatrixError(f"cholesky_ex: the triangle read holds NaN, so the "
                                 f"factorisation fails at the leading minor of order "
                                 f"{info.max()} (check_errors=True). Find where the NaN "
                                 f"comes from, or replace it first: A.nan_to_num()")
        raise SingularMatrixError(f"cholesky_ex: the leading minor of order {info.max()} is "
                                  f"not positive-definite (check_errors=True)")
    return CholeskyExResult(_per_matrix(A, info, lambda M: M.cholesky(upper=upper)),
                            Tensor(info))


def _getrf_info(A: np.ndarray) -> np.ndarray:
    """LAPACK getrf's info per matrix: 0, or the 1-based position of the first exact zero
    on U's diagonal after partial pivoting."""
    return zero_pivot_info(lapack_lu(A)[0])


def lu_solve_unchecked(A: Tensor, B: Tensor, left: bool = True) -> Tensor:
    """X with A X = B (``left=False``: X A = B) for matrices B, through A = P L U, the
    factorisation whose zero pivots give ``info``, as LAPACK's getrs:
    X = U^-1 L^-1 P^T B, and X = (P L^-T U^-T B^T)^T for ``left=False``. Solving with the
    triangles fails only at an exact zero on U's diagonal, so a matrix whose info is 0
    always gets its (perhaps huge) answer, as in PyTorch. Differentiable through
    ``linalg.lu`` and the solves."""
    P, L, U = lu_ops.lu(A)
    if left:
        return solve(U, solve(L, P.mT @ B))
    return (P @ solve(L.mT, solve(U.mT, B.mT))).mT


@accepts_out
def inv_ex(A: Any, *, check_errors: bool = False) -> InvExResult:
    """(inverse, info) as ``torch.linalg.inv_ex``: info 0 where A is invertible, else
    LAPACK's: the position of the first zero pivot (and that inverse is NaN; PyTorch's
    holds infs). The inverse comes from the LU that gives info (``lu_solve_unchecked``),
    so a numerically singular A with info 0 gets its huge inverse, as in PyTorch.
    ``check_errors=True`` raises instead."""
    A = as_tensor(A)
    check_square(A, "inv_ex")
    info = _getrf_info(A.data)
    if check_errors and info.any():
        raise SingularMatrixError("inv_ex: the matrix is singular (check_errors=True)")
    identity = A.new_tensor(np.eye(A.shape[-1], dtype=A.dtype))
    return InvExResult(_per_matrix(A, info, lambda M: lu_solve_unchecked(M, identity)),
                       Tensor(info))


@accepts_out
def lu_factor_ex(A: Any, *, pivot: bool = True, check_errors: bool = False) -> LUFactorExResult:
    """(LU, pivots, info) as ``torch.linalg.lu_factor_ex``: ``linalg.lu_factor``'s packed
    factors (differentiable) and, per matrix, info 0 or LAPACK's 1-based position of the
    first zero on U's diagonal. ``check_errors=True`` raises for such a matrix instead."""
    LU, pivots = lu_ops.lu_factor(as_tensor(A), pivot, "lu_factor_ex", check_errors=False)
    info = zero_pivot_info(LU.data)
    if check_errors and info.any():
        raise SingularMatrixError("lu_factor_ex: the matrix is singular (U has a zero on "
                                  "its diagonal; check_errors=True)")
    return LUFactorExResult(LU, pivots, Tensor(info))


_COMPLEX = ("its eigenvalues and eigenvectors are complex in general, and every tensor "
            "here is real. For a symmetric matrix use linalg.eigh / eigvalsh; for the "
            "singular values, linalg.svdvals; for a spectral radius, "
            "linalg.matrix_norm(A, 2) bounds it")


def eig(A: Any) -> None:
    """Refused: ``torch.linalg.eig`` returns complex tensors (see ``eigh``)."""
    raise UnsupportedError(f"linalg.eig: {_COMPLEX}")


def eigvals(A: Any) -> None:
    """Refused: ``torch.linalg.eigvals`` returns complex tensors (see ``eigvalsh``)."""
    raise UnsupportedError(f"linalg.eigvals: {_COMPLEX}")
