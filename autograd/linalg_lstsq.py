"""``torch.linalg.lstsq``: least-squares solutions of A X = B, as a composition of the
differentiable pseudo-inverse and matmul (its gradient is the pseudo-inverse's, at a
fixed rank), with PyTorch's rules for which extra fields each LAPACK driver fills."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .errors import DTypeError, ShapeError, UsageError
from .function import apply
from .linalg_solve import _is_batch_of_vectors
from .ops import decompositions
from .ops.lapack import lapack_svd
from .tensor import Tensor, as_tensor

__all__ = ["LstsqResult", "lstsq"]

DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


class LstsqResult(NamedTuple):
    """``torch.linalg.lstsq``'s named result; a field a driver does not compute is an
    empty tensor, as PyTorch's."""
    solution: Tensor
    residuals: Tensor
    rank: Tensor
    singular_values: Tensor


def lstsq(A: Any, B: Any, rcond: Any = None, *, driver: str | None = None) -> LstsqResult:
    """X minimising ||A X - B||_F for each matrix A (m x n) and B (m x k), as
    ``torch.linalg.lstsq``: X = pinv(A) B, the minimum-norm solution, with singular values
    <= rcond * the largest counted as zero (rcond None: eps * max(m, n)). B has A's number
    of axes or one fewer; it holds vectors of length m when it is 1-d or of shape
    A.shape[:-1] (``linalg.solve``'s rule), else matrices. Batch axes broadcast. Besides
    the solution:
    ``residuals`` ||A X - B||^2 per column (drivers gels, gelsd, gelss, when m > n and
    every A has full rank; gels assumes it), ``rank`` (gelsy, gelsd, gelss) and
    ``singular_values`` of A (gelsd, gelss, constants); empty otherwise. ``driver`` None
    is gelsy, as on PyTorch's CPU. Here every driver gives the minimum-norm solution;
    PyTorch's gelsy (QR with pivoting) may give another one where A is rank-deficient,
    and its rank comes from the QR, here from the SVD."""
    A, B = as_tensor(A), as_tensor(B)
    driver = "gelsy" if driver is None else driver
    if driver not in DRIVERS:
        raise UsageError(f"lstsq: driver must be one of {', '.join(DRIVERS)} (None means "
                         f"gelsy, PyTorch's CPU default); got {driver!r}")
    decompositions.check_matrix(A, "lstsq")
    if A.dtype != B.dtype:
        raise DTypeError(f"lstsq: A and B must have the same dtype, as in PyTorch; got "
                         f"{A.dtype} and {B.dtype}. Convert one, e.g. B.to(A.dtype)")
    if B.ndim not in (A.ndim, A.ndim - 1):
        raise ShapeError(f"lstsq: B must have as many axes as A or one axis fewer, as in "
                         f"PyTorch; got A of shape {A.shape}, B {B.shape}")
    vector, given = _is_batch_of_vectors(A, B), B.shape
    if vector:
        B = B.reshape(B.shape + (1,))
    if B.shape[-2] != A.shape[-2]:
        raise ShapeError(f"lstsq: B needs as many rows as A ({A.shape[-2]}): A has shape "
                         f"{A.shape}, B {given} (matrices of m rows; vectors when B "
                         f"is 1-d or of shape A.shape[:-1])")
    atol, rtol = decompositions.tolerances(None, rcond, A, "lstsq")
    solution = apply(decompositions.Pinv(atol, rtol, False), A) @ B
    values = lapack_svd(A.data, compute_uv=False)
    ranks = np.sum(values > decompositions.cutoff(atol, rtol, values), axis=-1)
    m, n = A.shape[-2:]
    full_rank = driver == "gels" or bool(np.all(ranks == n))
    residuals = (((A @ solution - B) ** 2).sum(-2) if driver != "gelsy" and m > n
                 and full_rank else Tensor(np.zeros(0, A.dtype)))
    rank = Tensor(ranks.astype(np.int64) if driver != "gels" else np.zeros(0, np.int64))
    singular = Tensor(values if driver in ("gelsd", "gelss") else np.zeros(0, A.dtype))
    if vector:
        solution = solution.reshape(solution.shape[:-1])
    return LstsqResult(solution, residuals, rank, singular)
