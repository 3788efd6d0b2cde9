"""The LU decomposition with partial pivoting, as LAPACK's ``getrf`` (NumPy has none and
the project does not depend on SciPy): A = P L U, L unit lower triangular, U upper
triangular, P a permutation; leading axes are a batch.

``LuFactor`` is the op: its output is LAPACK's packed form (L below the diagonal, U on and
above it), differentiable with
dA = P L^-T (tril(L^T gL, -1) + triu(gU U^T)) U^-T  (gL, gU: the packed gradient's two
triangles) for square matrices and PyTorch's wide and tall formulas for the others.
The pivots (LAPACK's 1-based row swaps, int32) and P are constants.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from ..errors import (DTypeError, ShapeError, SingularMatrixError, TensorIndexError,
                      UnsupportedError)
from ..function import Function, apply
from ..grad_mode import _flag
from .decompositions import run_solve
from .generic import is_tensor
from .indexing import triangle

T = Any  # a Tensor (this module sits below the Tensor class)

__all__ = ["LuFactor", "LUFactorResult", "LUResult", "LUUnpackResult", "lapack_lu",
           "zero_pivot_info", "permutations", "check_pivots", "lu_factor", "lu_unpack", "lu",
           "torch_lu"]


class LUFactorResult(NamedTuple):
    """``torch.linalg.lu_factor``'s pair: the packed factors and the pivots."""
    LU: T
    pivots: T


class LUResult(NamedTuple):
    """``torch.linalg.lu``'s triple: A = P L U."""
    P: T
    L: T
    U: T


class LUUnpackResult(NamedTuple):
    """``torch.lu_unpack``'s triple: A = P L U."""
    P: T
    L: T
    U: T


def _flat_batch(a: np.ndarray, core: int) -> np.ndarray:
    """a with its batch axes (all but the last ``core``) merged into one leading axis; the
    batch size is counted, not inferred with -1, so empty matrices (m or n = 0) reshape."""
    batch = a.shape[:a.ndim - core]
    return a.reshape((math.prod(batch),) + a.shape[a.ndim - core:])


def lapack_lu(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(packed LU, pivots) of each matrix of ``a`` (..., m, n) by Gaussian elimination with
    partial pivoting (the largest |entry| of the column, the first one on ties, as
    LAPACK's ``idamax``); the pivots are 1-based int32, ``pivots[j] - 1`` the row swapped
    with row j at step j."""
    m, n = a.shape[-2:]
    k = min(m, n)
    batch = a.shape[:-2]
    work = _flat_batch(np.array(a, dtype=np.result_type(a.dtype, np.float32)), 2)
    pivots = np.zeros((work.shape[0], k), dtype=np.int32)
    rows = np.arange(work.shape[0])
    for j in range(k):
        p = j + np.argmax(np.abs(work[:, j:, j]), axis=1)
        pivots[:, j] = p + 1
        top = work[rows, j].copy()
        work[rows, j] = work[rows, p]
        work[rows, p] = top
        diagonal = work[:, j, j]
        safe = np.where(diagonal == 0, 1.0, diagonal)
        work[:, j + 1:, j] /= safe[:, None]
        work[:, j + 1:, j + 1:] -= work[:, j + 1:, j, None] * work[:, j, None, j + 1:]
    return work.reshape(batch + (m, n)), pivots.reshape(batch + (k,))


def zero_pivot_info(LU: np.ndarray) -> np.ndarray:
    """Per packed LU: LAPACK getrf's int32 info, 0 or the 1-based position of the first
    exact zero on U's diagonal (0 for an empty matrix, which has no pivot)."""
    zero = np.diagonal(LU, 0, -2, -1) == 0
    if zero.shape[-1] == 0:
        return np.zeros(zero.shape[:-1], dtype=np.int32)
    return np.where(zero.any(-1), zero.argmax(-1) + 1, 0).astype(np.int32)


def check_pivots(pivots: np.ndarray, m: int, op: str = "lu_unpack") -> None:
    """LAPACK's pivots are 1-based row numbers: a ``DTypeError`` unless they are integers,
    a ``TensorIndexError`` unless 1 <= p <= m for each (0 or a negative one would wrap
    around to another row, silently)."""
    if pivots.dtype.kind not in "iu":
        raise DTypeError(f"{op}: pivots must be integers (linalg.lu_factor's 1-based int32 "
                         f"row swaps); got dtype {pivots.dtype}. Pass the pivots that "
                         f"lu_factor returned")
    if pivots.size and (pivots.min() < 1 or pivots.max() > m):
        raise TensorIndexError(f"{op}: pivots must be row numbers from 1 to {m} (LU has {m} "
                               f"rows; LAPACK counts from 1); got values from "
                               f"{pivots.min()} to {pivots.max()}. Pass the pivots that "
                               f"linalg.lu_factor returned")


def permutations(pivots: np.ndarray, m: int, op: str = "lu_unpack") -> np.ndarray:
    """perm (..., m) with (P^T A)[i] = A[perm[i]], from LAPACK's 1-based row swaps
    (checked by ``check_pivots``: integers from 1 to m)."""
    check_pivots(pivots, m, op)
    flat = _flat_batch(pivots, 1).astype(np.intp) - 1
    perm = np.tile(np.arange(m), (flat.shape[0], 1))
    rows = np.arange(flat.shape[0])
    for j in range(flat.shape[1]):
        p = flat[:, j]
        top = perm[rows, j].copy()
        perm[rows, j] = perm[rows, p]
        perm[rows, p] = top
    return perm.reshape(pivots.shape[:-1] + (m,))


def _permutation_matrices(perm: np.ndarray, dtype: Any) -> np.ndarray:
    """P with P[perm[i], i] = 1, so that A = P (P^T A)."""
    m = perm.shape[-1]
    P = np.zeros(perm.shape + (m,), dtype=dtype)
    flat = _flat_batch(P, 2)
    for b, row in enumerate(_flat_batch(perm, 1)):
        flat[b, row, np.arange(m)] = 1
    return flat.reshape(perm.shape + (m,))


def _mT(x: Any) -> Any:
    return x.swapaxes(-1, -2)


class LuFactor(Function):
    """out = the packed LU of A (L's strict lower triangle, U's upper triangle), A = P L U;
    dA = P L^-T (tril(L^T gL, -1) + triu(gU U^T)) U^-T for square A (rectangular A:
    ``_rectangular_lu_vjp``)."""
    __slots__ = ("p_matrices", "pivots")
    save_inputs = False
    save_output = True

    def forward(self, a: np.ndarray) -> np.ndarray:
        packed, self.pivots = lapack_lu(a)
        self.p_matrices = _permutation_matrices(permutations(self.pivots, a.shape[-2]), a.dtype)
        return packed

    def vjp(self, g: Any, out: Any, a: Any) -> tuple:
        m, n = out.shape[-2:]
        if m != n:
            return (np.matmul(self.p_matrices, _rectangular_lu_vjp(g, out)),)
        lower = _part(out, -1, True) + np.eye(n, dtype=out.dtype)
        upper = _part(out, 0, False)
        inner = _part(_mT(lower) @ _part(g, -1, True), -1, True) + _part(
            _part(g, 0, False) @ _mT(upper), 0, False)
        right = _mT(run_solve(upper, _mT(inner)))       # inner U^-T = (U^-1 inner^T)^T
        return (np.matmul(self.p_matrices, run_solve(_mT(lower), right)),)


def _part(x: Any, k: int, lower: bool) -> Any:
    """tril(x, k) (triu(x, k) if not ``lower``) of arrays or Tensors: entries selected,
    not multiplied by a 0/1 mask, whose inf * 0 = NaN would spread an inf of the factors."""
    if is_tensor(x):
        return triangle(x, k, lower)
    return np.tril(x, k) if lower else np.triu(x, k)


def _rectangular_lu_vjp(g: Any, out: Any) -> Any:
    """P^T dA for a packed m x n LU with m != n (k = min(m, n), L m x k, U k x n; gL, gU
    the packed gradient's strict lower m x k and upper k x n parts), PyTorch's formulas:
    wide (m < n): L^-T [tril(L^T gL - gU U^T, -1) U1^-T, 0] + L^-T gU, U1 = U[:, :k];
    tall (m > n): [L1^-T triu(gU U^T - L^T gL); 0] U^-T + gL U^-T, L1 = L[:k]."""
    m, n = out.shape[-2:]
    k = min(m, n)
    lower = _part(out[..., :, :k], -1, True) + np.eye(m, k, dtype=out.dtype)
    upper = _part(out[..., :k, :], 0, False)
    g_lower, g_upper = _part(g[..., :, :k], -1, True), _part(g[..., :k, :], 0, False)
    if m < n:
        x = _part(_mT(lower) @ g_lower - g_upper @ _mT(upper), -1, True)
        x = _mT(run_solve(upper[..., :, :k], _mT(x)))   # x U1^-T
        return run_solve(_mT(lower), x @ np.eye(k, n, dtype=out.dtype) + g_upper)
    x = _part(g_upper @ _mT(upper) - _mT(lower) @ g_lower, 0, False)
    x = run_solve(_mT(lower[..., :k, :]), x)             # L1^-T x
    x = np.eye(m, k, dtype=out.dtype) @ x + g_lower
    return _mT(run_solve(upper, _mT(x)))                 # x U^-T


def _check_matrices(A: T, where: str) -> None:
    """ShapeError unless A has matrices in its last two axes."""
    if A.ndim < 2:
        raise ShapeError(f"{where}: expected a matrix or a batch of matrices (at least 2 "
                         f"axes); got shape {A.shape}")


def _check_zero_pivots(LU: np.ndarray, where: str) -> None:
    """SingularMatrixError, as PyTorch's ``linalg.lu_factor``, where U has an exact zero on
    its diagonal (LU's later solves would divide by it)."""
    info = zero_pivot_info(LU)
    if not info.any():
        return
    first = np.unravel_index(np.flatnonzero(info)[0], info.shape)
    position = int(info[first])
    batch = f" (batch element {tuple(int(i) for i in first)})" if info.ndim else ""
    raise SingularMatrixError(f"{where}: U[{position},{position}] is zero{batch}: the matrix "
                              f"is singular, and lu_solve with these factors would divide by "
                              f"zero (as PyTorch's linalg.lu_factor). For the factors anyway "
                              f"call linalg.lu_factor_ex (its info gives that position) or "
                              f"linalg.lu")


def lu_factor(A: T, pivot: bool = True, where: str = "lu_factor", *,
              check_errors: bool = True) -> LUFactorResult:
    """(LU, pivots): the packed factors (differentiable) and LAPACK's 1-based
    int32 pivots (a constant), as ``torch.linalg.lu_factor``: a ``SingularMatrixError``
    where U has a zero on its diagonal, unless ``check_errors=False`` (``lu_factor_ex``,
    ``linalg.lu`` and ``torch.lu`` do not check). Integer and bool matrices are factored
    as float64, as NumPy's (and this library's other decompositions). ``pivot`` must be
    a bool, as PyTorch's (``pivot="no"`` would be truthy)."""
    pivot = _flag(where, "pivot", pivot)
    _check_matrices(A, where)
    if A.dtype.kind in "biu":
        A = A.astype(np.float64)
    if not pivot:
        raise UnsupportedError(f"{where}: LU without pivoting is not implemented (PyTorch's "
                               f"neither on the CPU); leave pivot=True")
    op = LuFactor()
    packed = apply(op, A)
    if check_errors:
        _check_zero_pivots(packed.data, where)
    return LUFactorResult(packed, A._make(op.pivots, None))


def lu_unpack(LU: T, pivots: T, unpack_data: bool = True,
              unpack_pivots: bool = True, where: str = "lu_unpack") -> LUUnpackResult:
    """(P, L, U) from the packed factors and pivots, as ``torch.lu_unpack``: L the unit
    lower triangle (m x k), U the upper one (k x n), P the permutation (m x m, a constant);
    an empty tensor for what is not unpacked. The pivots are k = min(m, n) integers from 1
    to m (else a named error)."""
    _check_matrices(LU, where)
    if LU.dtype.kind != "f":
        raise DTypeError(f"{where}: LU must be floating (linalg.lu_factor's packed factors); "
                         f"got dtype {LU.dtype}. Pass what lu_factor returned, or convert "
                         f"first: LU.double()")
    m, n = LU.shape[-2:]
    k = min(m, n)
    empty = LU._make(np.zeros((0,), dtype=LU.dtype), None)
    L = U = P = empty
    if unpack_data:  # (tril/triu, not a product with a 0/1 mask: inf * 0 would be NaN)
        L = LU[..., :, :k].tril(-1) + np.eye(m, k, dtype=LU.dtype)
        U = LU[..., :k, :].triu()
    if unpack_pivots:
        piv = np.asarray(pivots.data if hasattr(pivots, "data") else pivots)
        if piv.ndim < 1 or piv.shape[-1] != k:
            raise ShapeError(f"{where}: pivots must hold min(m, n) = {k} row swaps per "
                             f"matrix (last axis) for LU of shape {LU.shape}; got shape "
                             f"{piv.shape}. Pass the pivots that linalg.lu_factor returned")
        P = LU._make(_permutation_matrices(permutations(piv, m, where), LU.dtype), None)
    return LUUnpackResult(P, L, U)


def lu(A: T, pivot: bool = True) -> LUResult:
    """A = P L U, as ``torch.linalg.lu``: P a permutation (a constant), L unit lower
    triangular, U upper triangular; differentiable (square or not)."""
    packed, pivots = lu_factor(A, pivot, "lu", check_errors=False)
    return LUResult(*lu_unpack(packed, pivots))


def torch_lu(A: T, pivot: bool = True, get_infos: bool = False) -> tuple:
    """(LU, pivots) as ``torch.lu``: ``lu_factor``'s, a singular matrix no error;
    ``get_infos`` (a bool, as PyTorch's): also int32 infos, 0 or the 1-based position of
    U's first zero pivot."""
    get_infos = _flag("lu", "get_infos", get_infos)
    LU, pivots = lu_factor(A, pivot, "lu", check_errors=False)
    infos = A._make(zero_pivot_info(LU.data), None)
    return (LU, pivots, infos) if get_infos else (LU, pivots)
