"""The decompositions and matrix norms called on Tensors: the input checked, the op of
``decompositions`` run, its packed output sliced into named results. ``autograd.linalg``
(PyTorch's spellings) and ``autograd.interop`` (``np.linalg.*`` on Tensors) both call
these; this module sits below the Tensor class (its arguments are Tensors).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..errors import NormOrderError, ShapeError, UsageError
from ..function import apply
from .decompositions import (Eigh, Eigvalsh, Qr, SingularValues, Svd, Svdvals, check_matrix,
                             eigh_parts)
from .generic import lift_like
from .reductions import single_axis

T = Any  # a Tensor (this module sits below the Tensor class)

__all__ = ["EighResult", "SVDResult", "QRResult", "MATRIX_ORDERS", "checked_uplo", "eigh",
           "eigvalsh", "svd", "svdvals", "qr", "matrix_norm", "cond"]

MATRIX_ORDERS = "'fro', 'nuc', 1, -1, 2, -2, inf and -inf"


class EighResult(NamedTuple):
    """What ``eigh`` gives, as PyTorch's and NumPy's: ``eigenvalues, eigenvectors``."""
    eigenvalues: T
    eigenvectors: T


class SVDResult(NamedTuple):
    """What ``svd`` gives, as PyTorch's and NumPy's: ``U, S, Vh``."""
    U: T
    S: T
    Vh: T


class QRResult(NamedTuple):
    """What ``qr`` gives, as PyTorch's and NumPy's: ``Q, R``."""
    Q: T
    R: T


def checked_uplo(UPLO: Any, name: str) -> str:
    """'L' or 'U' (either case accepted), else a ``UsageError``."""
    if not isinstance(UPLO, str) or UPLO.upper() not in ("L", "U"):
        raise UsageError(f"{name}: UPLO must be 'L' or 'U' (the triangle of A that is "
                         f"read); got {UPLO!r}")
    return UPLO.upper()


def eigh(A: T, UPLO: str, name: str = "eigh") -> EighResult:
    """The eigenvalues (ascending) and eigenvectors (columns) of symmetric A."""
    check_matrix(A, name, square=True)
    uplo = checked_uplo(UPLO, name)
    _, vectors = eigh_parts(apply(Eigh(uplo), A))
    # The eigenvalues come from their own op (computed again, the cheaper half of the
    # work), not from Eigh's packed output: through Eigh, a recorded gradient of the
    # eigenvalues alone (create_graph, jvp) met the eigenvectors' 1 / (l_j - l_i), NaN at
    # repeated eigenvalues; Eigvalsh's needs no such division.
    return EighResult(apply(Eigvalsh(uplo), A), vectors)


def eigvalsh(A: T, UPLO: str, name: str = "eigvalsh") -> T:
    """The eigenvalues (ascending) of symmetric A."""
    check_matrix(A, name, square=True)
    return apply(Eigvalsh(checked_uplo(UPLO, name)), A)


def svd(A: T, full_matrices: bool, name: str = "svd") -> SVDResult:
    """A = U diag(S) Vh: U m x m and Vh n x n with ``full_matrices``, else m x k and
    k x n (k = min(m, n))."""
    check_matrix(A, name)
    m, n = A.shape[-2:]
    packed = apply(Svd(bool(full_matrices)), A)
    u_cols, v_cols = (m, n) if full_matrices else (min(m, n),) * 2
    # S through its own op (as eigh's eigenvalues through Eigvalsh): a recorded gradient
    # of S alone (create_graph, jvp) would meet the vectors' 1 / (s_j^2 - s_i^2) in Svd's
    # VJP, NaN at repeated singular values; SingularValues' needs no such division.
    return SVDResult(packed[..., :m, :u_cols], apply(SingularValues(), A, packed),
                     packed[..., m + 1:, :v_cols].mT)


def svdvals(A: T, name: str = "svdvals") -> T:
    """The singular values (descending) of A."""
    check_matrix(A, name)
    return apply(Svdvals(), A)


def qr(A: T, mode: str, name: str = "qr") -> QRResult:
    """A = Q R, mode 'reduced', 'complete' or 'r' (Q empty)."""
    check_matrix(A, name)
    if mode not in ("reduced", "complete", "r"):
        raise UsageError(f"{name}: mode must be 'reduced' (the default), 'complete' or 'r'; "
                         f"got {mode!r}")
    m, n = A.shape[-2:]
    packed = apply(Qr("reduced" if mode == "r" else mode), A)
    R = packed[..., m:, :n]
    if mode == "r":
        return QRResult(lift_like(R, np.zeros(0, dtype=R.dtype)), R)
    return QRResult(packed[..., :m, :m if mode == "complete" else min(m, n)], R)


# ------------------------------------------------------------------ matrix norms
def _matrix_dims(x: T, dim: Any, name: str) -> tuple[int, int]:
    if x.ndim < 2:
        raise ShapeError(f"{name}: needs matrices (at least 2 axes); got shape {x.shape}. "
                         f"For a vector use vector_norm")
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise ShapeError(f"{name}: dim must be a pair of axes (the matrix's rows and "
                         f"columns); got {dim!r}")
    rows, cols = (single_axis(d, x.ndim, name) for d in dim)  # in the given order
    if rows == cols:
        raise ShapeError(f"{name}: dim must name two different axes; got {dim!r}")
    return rows, cols


def matrix_norm(A: T, ord: Any, dim: Any, keepdim: bool,  # noqa: A002
                name: str = "matrix_norm") -> T:
    """A matrix norm over the axes ``dim``: 'fro', 'nuc', 2 / -2 (largest / smallest
    singular value), 1 / -1 (max / min absolute column sum), inf / -inf (row sums); the
    max over no columns (rows) is 0, as PyTorch's, the min a ``ShapeError``. Integer and
    bool matrices are measured in float64, as NumPy's (PyTorch refuses them)."""
    rows, cols = _matrix_dims(A, dim, name)
    A = _floating(A)
    if isinstance(ord, str) and ord == "fro":
        return A.norm(2, (rows, cols), keepdim)
    if (isinstance(ord, str) and ord == "nuc") or (not isinstance(ord, str) and ord in (2, -2)):
        return _singular_value_norm(A, ord, rows, cols, keepdim)
    if isinstance(ord, str) or ord not in (1, -1, np.inf, -np.inf):
        raise NormOrderError(f"{name}: ord must be one of {MATRIX_ORDERS}; got "
                             f"{ord!r}. For the p-norm of the entries use "
                             f"vector_norm(A, ord, dim)")
    summed, reduced = (rows, cols) if abs(ord) == 1 else (cols, rows)
    sums = A.abs().sum(summed, keepdims=True)
    if ord > 0 and A.shape[reduced] == 0:  # the largest of no sums: 0, as PyTorch's
        out = sums.sum(reduced, keepdims=True)
    else:
        out = sums.max(reduced, keepdims=True) if ord > 0 else sums.min(reduced, keepdims=True)
    return out if keepdim else out.squeeze((rows, cols))


def _singular_value_norm(A: T, ord: Any, rows: int, cols: int, keepdim: bool) -> T:
    """'nuc', 2 or -2: the sum, largest or smallest of the singular values."""
    rest = [d for d in range(A.ndim) if d not in (rows, cols)]
    values = svdvals(A.transpose(rest + [rows, cols]))
    if ord == "nuc" or (ord == 2 and values.shape[-1] == 0):  # no values: 0, as PyTorch
        out = values.sum(-1)
    else:
        out = values.max(axis=-1) if ord == 2 else values.min(axis=-1)
    if keepdim:
        out = out.reshape([1 if d in (rows, cols) else A.shape[d] for d in range(A.ndim)])
    return out


def cond(A: T, p: Any, name: str = "cond") -> T:
    """The condition number, as PyTorch's: for p None or 2 the largest over the smallest
    singular value (-2: the inverse), any matrix; 'nuc': sum(s) * sum(1 / s), square
    matrices (both inf or NaN where s has zeros); 'fro', 1, -1, inf, -inf:
    matrix_norm(A, p) * matrix_norm(inv(A), p), square matrices, and inf (a constant)
    for a matrix without an inverse (an exactly zero pivot, PyTorch's test). Integer
    and bool matrices are computed in float64, as NumPy's."""
    A = _floating(A)
    if p is None or (not isinstance(p, str) and p in (2, -2)):
        check_matrix(A, name)
        values = svdvals(A)
        if values.shape[-1] == 0:  # an empty matrix: 0, as PyTorch
            return values.sum(-1)
        largest, smallest = values[..., 0], values[..., -1]
        with np.errstate(divide="ignore", invalid="ignore"):  # singular: inf or NaN
            return smallest / largest if p == -2 else largest / smallest
    if not ((isinstance(p, str) and p in ("fro", "nuc")) or
            (not isinstance(p, str) and p in (1, -1, np.inf, -np.inf))):
        raise NormOrderError(f"{name}: p must be None or one of {MATRIX_ORDERS}; got {p!r}")
    check_matrix(A, f"{name} (p={p!r})", square=True)
    if A.size == 0:  # no matrix, or empty ones: 0, as PyTorch
        return A.sum((-2, -1))
    if isinstance(p, str) and p == "nuc":
        values = svdvals(A)
        with np.errstate(divide="ignore", invalid="ignore"):
            return values.sum(-1) * (1 / values).sum(-1)
    singular = _without_inverse(A.data)
    if singular.any():  # the inverse of the identity in their place, then inf
        A = np.where(singular[..., None, None], np.eye(A.shape[-1], dtype=A.dtype), A)
    dims = (-2, -1)
    value = matrix_norm(A, p, dims, False) * matrix_norm(A.inv(), p, dims, False)
    return np.where(singular, np.array(np.inf, dtype=value.dtype), value) if singular.any() \
        else value


def _floating(A: T) -> T:
    """A itself if floating, else A as float64 (an integer or bool matrix)."""
    return A if A.dtype.kind in "fc" else A.astype(np.float64)


def _without_inverse(a: np.ndarray) -> np.ndarray:
    """For each matrix, whether ``np.linalg.inv`` refuses it (LAPACK met an exactly zero
    pivot), as a boolean array of the batch shape."""
    try:
        np.linalg.inv(a)
        return np.zeros(a.shape[:-2], dtype=bool)
    except np.linalg.LinAlgError:
        pass
    flat = a.reshape((-1,) + a.shape[-2:])
    found = np.zeros(len(flat), dtype=bool)
    for i, matrix in enumerate(flat):
        try:
            np.linalg.inv(matrix)
        except np.linalg.LinAlgError:
            found[i] = True
    return found.reshape(a.shape[:-2])
