"""``torch.lobpcg``: the k largest (or smallest) eigenpairs of a symmetric A, or of the
generalized problem A x = l B x (B symmetric positive definite), as spectral clustering
and eigenmaps code calls it. PyTorch iterates (LOBPCG, Knyazev 2001) for large sparse
matrices; every matrix here is dense, so this solves exactly with ``eigh`` (after
B = L L^T: C = L^-1 A L^-T, x = L^-T y) and agrees with PyTorch up to its tolerance
and the eigenvectors' signs. Differentiable in A (and in B) as ``eigh``."""

from __future__ import annotations

from typing import Any, NamedTuple

from .errors import ShapeError, UsageError
from .linalg_triangular import solve_triangular
from .ops import matrix_functions
from .tensor import Tensor, as_tensor

__all__ = ["lobpcg", "LobpcgResult"]


class LobpcgResult(NamedTuple):
    """The eigenvalues (*, k) and the eigenvectors (*, m, k) as columns."""
    eigenvalues: Tensor
    eigenvectors: Tensor


def _check_unused(**options: Any) -> None:
    given = [name for name, value in options.items() if value is not None]
    if given:
        raise UsageError(f"lobpcg: {', '.join(given)} steer PyTorch's iteration "
                         f"(preconditioner, tracker, orthogonalisation); this engine "
                         f"solves exactly with eigh: leave them None")


def lobpcg(A: Any, k: int | None = None, B: Any = None, X: Any = None, n: int | None = None,
           iK: Any = None, niter: int | None = None, tol: float | None = None,  # noqa: N803
           largest: bool | None = None, method: str | None = None, tracker: Any = None,
           ortho_iparams: Any = None, ortho_fparams: Any = None,
           ortho_bparams: Any = None) -> LobpcgResult:
    """The k eigenpairs of symmetric A x = l B x (B = I by default) with the largest
    eigenvalues (descending), or the smallest (ascending) with ``largest=False``, as
    ``torch.lobpcg``; k is X.shape[-1] when X is given, else 1. ``niter``, ``tol``,
    ``method`` and ``n`` (the iteration's settings and subspace size) do not apply to
    the exact solution and are accepted for PyTorch's calls."""
    _check_unused(iK=iK, tracker=tracker, ortho_iparams=ortho_iparams,
                  ortho_fparams=ortho_fparams, ortho_bparams=ortho_bparams)
    A = as_tensor(A)
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise ShapeError(f"lobpcg: A must be a (batch of) square matrices; got {A.shape}")
    if k is None:
        k = 1 if X is None else as_tensor(X).shape[-1]
    m = A.shape[-1]
    if m < 3 * k:
        raise UsageError(f"lobpcg: LOBPCG needs at least 3 k rows (PyTorch's rule): A has "
                         f"{m} rows for k = {k} eigenpairs; use linalg.eigh for small matrices")
    if B is not None:
        L = as_tensor(B).cholesky()
        C = solve_triangular(L, solve_triangular(L, A, upper=False).mT, upper=False)
        values, Y = matrix_functions.eigh(C, "L", name="lobpcg")
        vectors = solve_triangular(L.mT, Y, upper=True)
    else:
        values, vectors = matrix_functions.eigh(A, "L", name="lobpcg")
    if largest is None or largest:
        return LobpcgResult(values[..., m - k:].flip(-1), vectors[..., m - k:].flip(-1))
    return LobpcgResult(values[..., :k], vectors[..., :k])
