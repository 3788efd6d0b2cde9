"""Solves with triangular matrices and Cholesky factors, as PyTorch spells them:
``torch.linalg.solve_triangular``, ``torch.cholesky_solve``, ``torch.cholesky_inverse`` and
the older ``torch.triangular_solve`` (Gaussian-process tutorials use all four).

Each is a composition over the differentiable ``solve`` and ``tril``/``triu``, so it
differentiates (twice too) without a VJP of its own, and its gradient is PyTorch's:
- ``solve_triangular`` reads only the named triangle of A (and not its diagonal with
  ``unitriangular=True``), so A's gradient is that triangle's (PyTorch's too);
- ``cholesky_solve`` and ``cholesky_inverse`` also read only L's triangle, but PyTorch's
  gradient is that of (L L^T)^-1 for the whole L; L L^T less a detached correction to
  the triangle's product gives both.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from . import more_functions
from .creation import eye
from .errors import ShapeError
from .tensor import Tensor, as_tensor

__all__ = ["solve_triangular", "cholesky_solve", "cholesky_inverse", "triangular_solve",
           "TriangularSolveResult"]


class TriangularSolveResult(NamedTuple):
    """``torch.triangular_solve``'s pair: the solution and a copy of the coefficient."""
    solution: Tensor
    cloned_coefficient: Tensor


def _mT(x: Tensor) -> Tensor:
    return x.swapaxes(-1, -2)


def _check(A: Tensor, B: Tensor, rows: bool, op: str) -> None:
    """A square; B matrices (>= 2 axes, as PyTorch) with A's size rows (or columns)."""
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise ShapeError(f"{op}: the triangular matrix must be square (the last two axes); "
                         f"got shape {A.shape}")
    if B.ndim < 2:
        raise ShapeError(f"{op}: the right-hand side must have at least 2 axes, as in PyTorch "
                         f"(a vector b is b[..., None], its solution x[..., 0]); got shape "
                         f"{B.shape}")
    n, where = (B.shape[-2], "rows") if rows else (B.shape[-1], "columns")
    if n != A.shape[-1]:
        raise ShapeError(f"{op}: the right-hand side needs {A.shape[-1]} {where} for a "
                         f"matrix of size {A.shape[-1]}; got shape {B.shape}")


def _triangle(A: Tensor, upper: bool, unitriangular: bool = False) -> Tensor:
    """The triangle of A that LAPACK reads (its diagonal taken as ones if unitriangular)."""
    if not unitriangular:
        return A.triu() if upper else A.tril()
    strict = A.triu(1) if upper else A.tril(-1)
    return strict + _eye_like(A)


def _eye_like(A: Tensor) -> Tensor:
    """The identity of A's matrix size and dtype (batch axes broadcast)."""
    return eye(A.shape[-1], dtype=A.dtype)


def solve_triangular(A: Any, B: Any, *, upper: bool, left: bool = True,
                     unitriangular: bool = False) -> Tensor:
    """X with A X = B (``left=False``: X A = B) for triangular A, as
    ``torch.linalg.solve_triangular``: only the upper (``upper=True``) or lower triangle of
    A is read, its diagonal taken as ones with ``unitriangular=True``. B is a (batch of)
    matrix(es); batch axes broadcast. ``upper`` has no default, as in PyTorch."""
    A, B = as_tensor(A), as_tensor(B)
    _check(A, B, left, "solve_triangular")
    T = _triangle(A, upper, unitriangular)
    if left:
        return more_functions.solve(T, B)
    return _mT(more_functions.solve(_mT(T), _mT(B)))


def _product(L: Tensor, upper: bool) -> Tensor:
    """A = L L^T (U^T U) from L's named triangle in value, from the whole L in gradient,
    as PyTorch's cholesky_solve: LAPACK reads one triangle, its VJP multiplies by L."""
    F = L.triu() if upper else L.tril()
    read, whole = (_mT(F) @ F, _mT(L) @ L) if upper else (F @ _mT(F), L @ _mT(L))
    return whole - (whole - read).detach()


def cholesky_solve(B: Any, L: Any, upper: bool = False) -> Tensor:
    """X = A^-1 B for A = L L^T given its Cholesky factor L (``upper=True``: A = U^T U), as
    ``torch.cholesky_solve(B, L)`` (B first, as PyTorch; ``upper`` defaults to False,
    unlike the removed ``torch.potrs``). B is a (batch of) matrix(es)."""
    B, L = as_tensor(B), as_tensor(L)
    _check(L, B, True, "cholesky_solve")
    return more_functions.solve(_product(L, upper), B)


def cholesky_inverse(L: Any, upper: bool = False) -> Tensor:
    """A^-1 for A = L L^T given its Cholesky factor L (``upper=True``: A = U^T U), as
    ``torch.cholesky_inverse``."""
    L = as_tensor(L)
    return cholesky_solve(_eye_like(L), L, upper)


def triangular_solve(b: Any, A: Any, upper: bool = True, transpose: bool = False,
                     unitriangular: bool = False) -> TriangularSolveResult:
    """PyTorch's older ``torch.triangular_solve(b, A)``: X with A X = b (A^T X = b with
    ``transpose=True``); ``upper`` defaults to True there. Returns (solution,
    cloned_coefficient) as PyTorch; ``linalg.solve_triangular`` is its replacement."""
    b, A = as_tensor(b), as_tensor(A)
    _check(A, b, True, "triangular_solve")
    T = _triangle(A, upper, unitriangular)
    X = more_functions.solve(_mT(T) if transpose else T, b)
    return TriangularSolveResult(X, A * 1)
