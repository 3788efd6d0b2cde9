"""NumPy's LAPACK calls for the SVD and the symmetric eigenproblem, made safe for
non-finite matrices. NumPy raised a bare ``LinAlgError`` on some (a NaN), and its SVD with
vectors of some matrices holding inf never returned (3 x 3, OpenBLAS 0.3.31); PyTorch's
SVD refuses a NaN and gives NaN for an inf, its eigh does the same for most matrices. Here
a NaN is a ``NaNMatrixError`` (a ``DataError``, and a ``LinAlgError`` as NumPy's) that says
what to do, and a matrix holding inf never reaches LAPACK: its results are NaN, as
PyTorch's. ``lapack_nan_safe`` does the same for ``np.linalg.inv`` and ``solve``, whose
LU pivoting leaves some entries of a matrix holding NaN finite (or raises): there every
entry is NaN, as PyTorch's.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..errors import NaNMatrixError

__all__ = ["lapack_svd", "lapack_eigh", "lapack_nan_safe"]


def lapack_svd(a: np.ndarray, **options: Any) -> Any:
    """``np.linalg.svd(a, **options)``; a NaN is a ``DataError``, a matrix holding inf
    gets NaN results."""
    finite = np.isfinite(a).all(axis=(-2, -1))
    if finite.all():
        return np.linalg.svd(a, **options)
    _refuse_nan(a, "svd", "singular value decomposition (of svd, svdvals, pinv, "
                "matrix_rank, cond and the 2, -2 and 'nuc' norms)")
    result = np.linalg.svd(np.where(finite[..., None, None], a, 0), **options)
    for part in result if isinstance(result, tuple) else (result,):
        part[~finite] = np.nan
    return result


def lapack_eigh(a: np.ndarray, uplo: str, vectors: bool = True) -> Any:
    """``np.linalg.eigh(a, uplo)`` as (values, vectors), or ``eigvalsh`` with
    ``vectors=False``. Only the ``uplo`` triangle is read: a NaN there is a ``DataError``,
    a matrix with inf there gets NaN values and vectors."""
    n = a.shape[-1]
    read = np.tri(n, dtype=bool) if uplo == "L" else np.tri(n, dtype=bool).T
    used = np.where(read, a, 0)
    finite = np.isfinite(used).all(axis=(-2, -1))
    if finite.all():
        return tuple(np.linalg.eigh(a, uplo)) if vectors else np.linalg.eigvalsh(a, uplo)
    _refuse_nan(used, "eigh", "symmetric eigendecomposition (of eigh, eigvalsh and pinv "
                "and matrix_rank with hermitian=True)")
    safe = np.where(finite[..., None, None], a, 0)
    result = tuple(np.linalg.eigh(safe, uplo)) if vectors else (np.linalg.eigvalsh(safe, uplo),)
    for part in result:
        part[~finite] = np.nan
    return result if vectors else result[0]


def lapack_nan_safe(function: Callable[..., np.ndarray], a: np.ndarray,
                    *rest: np.ndarray) -> np.ndarray:
    """``function(a, *rest)`` for ``np.linalg.inv`` (``rest`` empty) or ``np.linalg.solve``
    (``rest`` = (b,), b 1-d: one vector), with X = NaN for every matrix A of a that holds a
    NaN (in a batch, only those): NaN in, NaN out, as PyTorch's inv and solve. Clean input
    costs one ``np.isnan(a).any()``; a NaN matrix never reaches LAPACK (the identity goes
    in its place), so it cannot raise ``LinAlgError`` either."""
    if not np.isnan(a).any():
        return function(a, *rest)
    poisoned = np.isnan(a).any(axis=(-2, -1))  # one flag per matrix of a
    safe = np.where(poisoned[..., None, None], np.eye(a.shape[-1], dtype=a.dtype), a)
    result = function(safe, *rest)
    matrix_axes = 1 if rest and np.ndim(rest[0]) == 1 else 2  # solve's 1-d b: X is (..., n)
    mask = poisoned.reshape(poisoned.shape + (1,) * matrix_axes)
    result[np.broadcast_to(mask, result.shape)] = np.nan
    return result


def _refuse_nan(a: np.ndarray, op: str, what: str) -> None:
    """``NaNMatrixError`` (a ``DataError`` and NumPy's ``LinAlgError``) if a holds a NaN."""
    if np.isnan(a).any():
        raise NaNMatrixError(f"{op}: the matrix (shape {a.shape}) holds NaN, on which the {what} "
                        f"does not converge (PyTorch's raises too, or gives NaN). Find where "
                        f"the NaN comes from (autograd.detect_anomaly() if it is a gradient), "
                        f"or replace it first: x.nan_to_num()")
