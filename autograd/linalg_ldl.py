"""``torch.linalg.ldl_factor`` / ``ldl_factor_ex`` / ``ldl_solve``: the Bunch-Kaufman
factorisation of a symmetric (possibly indefinite) matrix, A = L D L^T with L unit lower
triangular up to symmetric row/column interchanges and D block diagonal with 1x1 and 2x2
blocks, in LAPACK's compact form (``sytrf`` with the lower triangle): L below the
diagonal of LD, D's blocks on its diagonal and first subdiagonal, and 1-based int32
pivots, negative on both columns of a 2x2 block. A KKT matrix [[Q, A^T], [A, 0]] is the
usual example: symmetric, indefinite, so Cholesky does not apply.

PyTorch has no derivative for either function; neither has this library. As in PyTorch,
they run on tensors that require grad, and LD (``ldl_factor``) and X (``ldl_solve``) then
carry a gradient path whose backward raises ``UnsupportedError`` (``NoDerivative``)."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .errors import ShapeError, SingularMatrixError, UnsupportedError
from .function import Function, apply
from .tensor import Tensor, as_tensor

__all__ = ["ldl_factor", "ldl_factor_ex", "ldl_solve", "LDLFactorResult",
           "LDLFactorExResult"]

_ALPHA = (1.0 + np.sqrt(17.0)) / 8.0  # Bunch-Kaufman's pivot threshold


class LDLFactorResult(NamedTuple):
    """``ldl_factor``'s pair: the compact factor LD and the int32 pivots."""
    LD: Tensor
    pivots: Tensor


class LDLFactorExResult(NamedTuple):
    """``ldl_factor_ex``'s triple: LD, pivots and the int32 ``info`` (0: success, k > 0:
    D's k-th diagonal entry (1-based) is exactly zero, so A is singular)."""
    LD: Tensor
    pivots: Tensor
    info: Tensor


class NoDerivative(Function):
    """out = ``result``, a value computed from the inputs (floating ones: A, or LD and B)
    that has no derivative here (nor in PyTorch): recorded when an input requires grad,
    so that a backward pass through it raises ``UnsupportedError`` naming the op, as
    PyTorch's does at backward (not at the call)."""
    __slots__ = ("result", "op")
    save_inputs = False

    def __init__(self, result: np.ndarray, op: str) -> None:
        self.result, self.op = result, op

    def forward(self, *inputs: np.ndarray) -> np.ndarray:
        return self.result

    def vjp(self, g: Any, out: Any, *inputs: Any) -> tuple:
        raise UnsupportedError(
            f"linalg.{self.op} has no derivative (PyTorch has none either), so a backward "
            f"pass cannot go through its result. For a differentiable solve of a symmetric "
            f"indefinite system use linalg.solve(A, B); to keep the factorisation out of "
            f"the graph pass A.detach() (LD.detach(), B.detach()) or call it under "
            f"no_grad().")


def _without_derivative(result: np.ndarray, op: str, *inputs: Tensor) -> Tensor:
    """``result`` as a Tensor: recorded as ``NoDerivative`` when an input requires grad
    (and grad mode is on), else a plain constant."""
    floating = [t for t in inputs if t.dtype.kind == "f"]
    if not floating:
        return Tensor(result)
    return apply(NoDerivative(result, op), *floating)


def _swap(a: np.ndarray, i: Any, j: Any) -> None:
    a[i], a[j] = a[j].copy(), a[i].copy()


def _factor_lower(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """LAPACK's unblocked ``sytf2`` (lower) on a copy of one n x n matrix, 0-based inside,
    with 1-based pivots out."""
    a = np.tril(a).astype(a.dtype, copy=True)
    n = a.shape[0]
    ipiv = np.zeros(n, dtype=np.int32)
    info, k = 0, 0
    while k < n:
        kstep, kp = 1, k
        absakk = abs(a[k, k])
        imax = k + 1 + int(np.argmax(np.abs(a[k + 1:, k]))) if k < n - 1 else k
        colmax = abs(a[imax, k]) if k < n - 1 else 0.0
        if max(absakk, colmax) == 0:
            info = info or k + 1
        elif absakk < _ALPHA * colmax:
            rowmax = np.max(np.abs(a[imax, k:imax]))
            if imax < n - 1:
                rowmax = max(rowmax, np.max(np.abs(a[imax + 1:, imax])))
            if absakk >= _ALPHA * colmax * (colmax / rowmax):
                kp = k
            elif abs(a[imax, imax]) >= _ALPHA * rowmax:
                kp = imax
            else:
                kp, kstep = imax, 2
        kk = k + kstep - 1
        if kp != kk:  # interchange rows and columns kk and kp of the trailing matrix
            a[kp + 1:, [kk, kp]] = a[kp + 1:, [kp, kk]]
            column, row = a[kk + 1:kp, kk].copy(), a[kp, kk + 1:kp].copy()
            a[kk + 1:kp, kk], a[kp, kk + 1:kp] = row, column
            _swap(a, (kk, kk), (kp, kp))
            if kstep == 2:
                _swap(a, (k + 1, k), (kp, k))
        if kstep == 1 and max(absakk, colmax) != 0:
            x = a[k + 1:, k].copy()
            a[k + 1:, k + 1:] -= np.tril(np.outer(x, x)) / a[k, k]
            a[k + 1:, k] = x / a[k, k]
        elif kstep == 2 and k < n - 2:
            d21 = a[k + 1, k]
            d11, d22 = a[k + 1, k + 1] / d21, a[k, k] / d21
            d21 = 1.0 / (d11 * d22 - 1.0) / d21
            wk = d21 * (d11 * a[k + 2:, k] - a[k + 2:, k + 1])
            wkp1 = d21 * (d22 * a[k + 2:, k + 1] - a[k + 2:, k])
            a[k + 2:, k + 2:] -= np.tril(np.outer(a[k + 2:, k], wk)
                                         + np.outer(a[k + 2:, k + 1], wkp1))
            a[k + 2:, k], a[k + 2:, k + 1] = wk, wkp1
        ipiv[k:k + kstep] = kp + 1 if kstep == 1 else -(kp + 1)
        k += kstep
    return a, ipiv, info


def _solve_lower(ld: np.ndarray, ipiv: np.ndarray, b: np.ndarray) -> np.ndarray:
    """LAPACK's ``sytrs`` (lower): X with L D L^T X = B, for one matrix B (n x nrhs)."""
    b = b.copy()
    n, k = ld.shape[0], 0
    while k < n:  # L D Y = B, forwards
        if ipiv[k] > 0:
            _swap(b, k, ipiv[k] - 1)
            b[k + 1:] -= np.outer(ld[k + 1:, k], b[k])
            b[k] /= ld[k, k]
            k += 1
        else:
            _swap(b, k + 1, -ipiv[k] - 1)
            b[k + 2:] -= np.outer(ld[k + 2:, k], b[k]) + np.outer(ld[k + 2:, k + 1], b[k + 1])
            akm1k = ld[k + 1, k]
            akm1, ak = ld[k, k] / akm1k, ld[k + 1, k + 1] / akm1k
            bkm1, bk = b[k] / akm1k, b[k + 1] / akm1k
            denom = akm1 * ak - 1.0
            b[k], b[k + 1] = (ak * bkm1 - bk) / denom, (akm1 * bk - bkm1) / denom
            k += 2
    k = n - 1
    while k >= 0:  # L^T X = Y, backwards
        if ipiv[k] > 0:
            b[k] -= ld[k + 1:, k] @ b[k + 1:]
            _swap(b, k, ipiv[k] - 1)
            k -= 1
        else:
            b[k] -= ld[k + 1:, k] @ b[k + 1:]
            b[k - 1] -= ld[k + 1:, k - 1] @ b[k + 1:]
            _swap(b, k, -ipiv[k] - 1)
            k -= 2
    return b


def _check_square(name: str, A: Tensor) -> None:
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise ShapeError(f"linalg.{name}: A must be a (batch of) square matrix(es), got "
                         f"shape {tuple(A.shape)}")


def ldl_factor_ex(A: Any, *, hermitian: bool = False,
                  check_errors: bool = False) -> LDLFactorExResult:
    """(LD, pivots, info) of A = L D L^T (Bunch-Kaufman, the lower triangle of A is read),
    as ``torch.linalg.ldl_factor_ex``; batch axes lead. Real tensors only, so
    ``hermitian`` changes nothing. ``check_errors=True`` raises for a singular matrix."""
    A = as_tensor(A)
    _check_square("ldl_factor_ex", A)
    data = A.data
    LD = np.empty_like(data)
    pivots = np.empty(data.shape[:-1], dtype=np.int32)
    info = np.zeros(data.shape[:-2], dtype=np.int32)
    for index in np.ndindex(*data.shape[:-2]):
        LD[index], pivots[index], info[index] = _factor_lower(data[index])
    if check_errors and info.any():
        raise SingularMatrixError("linalg.ldl_factor_ex: the matrix is singular (D has a "
                                  "zero on its diagonal; check_errors=True)")
    return LDLFactorExResult(_without_derivative(LD, "ldl_factor_ex", A), Tensor(pivots),
                             Tensor(info))


def ldl_factor(A: Any, *, hermitian: bool = False) -> LDLFactorResult:
    """(LD, pivots) of A = L D L^T, as ``torch.linalg.ldl_factor``; raises
    ``SingularMatrixError`` when D has a zero pivot (A singular)."""
    LD, pivots, info = ldl_factor_ex(A, hermitian=hermitian)
    if info.data.any():
        raise SingularMatrixError(
            f"linalg.ldl_factor: the matrix is singular (D's diagonal entry "
            f"{int(info.data.max())} is zero); use ldl_factor_ex for the info without raising")
    return LDLFactorResult(LD, pivots)


def ldl_solve(LD: Any, pivots: Any, B: Any, *, hermitian: bool = False) -> Tensor:
    """X with A X = B for A given as ``ldl_factor``'s (LD, pivots), as
    ``torch.linalg.ldl_solve``; B is a (batch of) n x k matrix(es) with LD's batch axes."""
    LD, pivots, B = as_tensor(LD), as_tensor(pivots), as_tensor(B)
    _check_square("ldl_solve", LD)
    if B.ndim < 2 or B.shape[-2] != LD.shape[-1]:
        raise ShapeError(f"linalg.ldl_solve: B must be a (batch of) matrix(es) with "
                         f"{LD.shape[-1]} rows (write B[..., None] for one vector), got "
                         f"shape {tuple(B.shape)}")
    batch = np.broadcast_shapes(LD.shape[:-2], B.shape[:-2])
    ld = np.broadcast_to(LD.data, batch + LD.shape[-2:])
    ipiv = np.broadcast_to(pivots.data, batch + LD.shape[-1:])
    b = np.broadcast_to(B.data, batch + B.shape[-2:])
    X = np.empty(b.shape, dtype=np.result_type(ld.dtype, b.dtype))
    for index in np.ndindex(*batch):
        X[index] = _solve_lower(ld[index], ipiv[index], b[index])
    return _without_derivative(X, "ldl_solve", LD, B)
