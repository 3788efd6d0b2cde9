"""PyTorch's module-level decompositions outside ``torch.linalg``: the older
``torch.svd(A, some=True)`` (U, S, V) and ``torch.qr(A, some=True)``, ``torch.cov`` and
``torch.corrcoef`` (PCA and ZCA whitening), and the randomized ``torch.svd_lowrank`` and
``torch.pca_lowrank`` (Halko, Martinsson and Tropp 2009, Algorithms 4.4 and 5.1), written
as PyTorch's are: over differentiable ``qr`` and ``svd``, so they differentiate the same.

The random test matrix comes from this library's generator, so the factors are not
PyTorch's numbers; with q at least the rank of A (or enough power iterations) both give
the exact leading singular triplets, up to the signs of the vectors.
"""

from __future__ import annotations

from typing import Any

from .creation import randn
from .decomposition_methods import QRPair, SVDTriple
from .errors import ShapeError, UsageError
from .ops import matrix_functions
from .out_argument import accepts_out
from .tensor import Tensor, as_tensor

__all__ = ["svd", "qr", "cov", "corrcoef", "svd_lowrank", "pca_lowrank"]


@accepts_out
def svd(input: Any, some: bool = True, compute_uv: bool = True) -> SVDTriple:  # noqa: A002
    """A = U diag(S) V^T, as ``torch.svd``: V (not Vh); reduced factors with ``some``."""
    return as_tensor(input).svd(some, compute_uv)


@accepts_out
def qr(input: Any, some: bool = True) -> QRPair:  # noqa: A002
    """A = Q R, as ``torch.qr``: ``some=True`` reduced, ``some=False`` complete."""
    return as_tensor(input).qr(some)


def cov(input: Any, *, correction: int = 1, fweights: Any = None,  # noqa: A002
        aweights: Any = None) -> Tensor:
    """The covariance matrix of the rows (variables) over the columns (observations),
    divided by N - correction, as ``torch.cov`` (``Tensor.cov``)."""
    return as_tensor(input).cov(correction=correction, fweights=fweights, aweights=aweights)


def corrcoef(input: Any) -> Tensor:  # noqa: A002
    """The Pearson correlation matrix of the rows, as ``torch.corrcoef``."""
    return as_tensor(input).corrcoef()


def _approximate_basis(A: Tensor, q: int, niter: int, generator: Any) -> Tensor:
    """Q with q orthonormal columns such that Q Q^T A ~ A: a Gaussian test matrix, then
    ``niter`` power iterations re-orthonormalised by QR (Halko et al., Algorithm 4.4)."""
    R = randn(A.shape[-1], q, dtype=A.dtype, generator=generator)
    Q = matrix_functions.qr(A @ R, "reduced").Q
    for _ in range(niter):
        Q = matrix_functions.qr(A.mT @ Q, "reduced").Q
        Q = matrix_functions.qr(A @ Q, "reduced").Q
    return Q


def _check_lowrank(A: Tensor, q: Any, niter: Any, M: Any, name: str) -> None:
    if A.ndim < 2:
        raise ShapeError(f"{name}: needs a matrix or a batch of them (at least 2 axes); got "
                         f"shape {A.shape}")
    if M is not None:
        raise UsageError(f"{name}: M= (a mean to subtract, for sparse A) is not supported "
                         f"here, every tensor being dense: pass A - M")
    m, n = A.shape[-2:]
    if not isinstance(q, int) or not 0 <= q <= min(m, n):
        raise UsageError(f"{name}: q must be an int between 0 and min(m, n) = {min(m, n)}; "
                         f"got {q!r}")
    if not isinstance(niter, int) or niter < 0:
        raise UsageError(f"{name}: niter must be a non-negative int; got {niter!r}")


def svd_lowrank(A: Any, q: int | None = 6, niter: int = 2, M: Any = None, *,
                generator: Any = None) -> SVDTriple:
    """A rank-q approximation A ~ U diag(S) V^T (U m x q, S q, V n x q), as
    ``torch.svd_lowrank``: Q from ``_approximate_basis`` (of A^T when m < n), then the
    exact SVD of the small Q^T A. ``generator`` draws the test matrix (this library's
    addition; PyTorch draws from its global generator)."""
    A = as_tensor(A)
    q = 6 if q is None else q
    _check_lowrank(A, q, niter, M, "svd_lowrank")
    m, n = A.shape[-2:]
    if m < n:
        A = A.mT
    Q = _approximate_basis(A, q, niter, generator)
    U, S, Vh = matrix_functions.svd(Q.mT @ A, full_matrices=False)
    U, V = Q @ U, Vh.mT
    return SVDTriple(V, S, U) if m < n else SVDTriple(U, S, V)


def pca_lowrank(A: Any, q: int | None = None, center: bool = True, niter: int = 2, *,
                generator: Any = None) -> SVDTriple:
    """PCA of the rows of A (m samples, n features), as ``torch.pca_lowrank``:
    ``svd_lowrank`` of A less its column means (``center``), q = min(6, m, n) by default.
    The columns of V are the principal directions, S^2 / (m - 1) the variances along
    them, A V[:, :k] the data projected on the first k."""
    A = as_tensor(A)
    if A.ndim >= 2 and q is None:
        q = min(6, *A.shape[-2:])
    _check_lowrank(A, q, niter, None, "pca_lowrank")
    if center:
        A = A - A.mean(axis=-2, keepdims=True)
    return svd_lowrank(A, q, niter, generator=generator)
