"""``TriangularMethods`` (a mixin of ``Tensor``): PyTorch's Tensor methods that solve
with a Cholesky factor or a triangular matrix, ``B.cholesky_solve(L)``,
``L.cholesky_inverse()`` and the older ``b.triangular_solve(A)``, and the helpers that
``linalg_triangular`` shares (``torch.linalg.solve_triangular``).

Each is a composition over the differentiable ``solve`` and ``tril``/``triu``, so it
differentiates (twice too) without a VJP of its own, and its gradient is PyTorch's:
- a triangular solve reads only the named triangle of A (and not its diagonal with
  ``unitriangular=True``), so A's gradient is that triangle's (PyTorch's too);
- ``cholesky_solve`` and ``cholesky_inverse`` also read only L's triangle, but PyTorch's
  gradient is that of (L L^T)^-1 for the whole L; L L^T less a detached correction to
  the triangle's product gives both.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .errors import ShapeError
from .ops import linalg_more

__all__ = ["TriangularMethods", "TriangularSolveResult", "check_system", "triangle",
           "matrix_transpose"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


class TriangularSolveResult(NamedTuple):
    """``torch.triangular_solve``'s pair: the solution and a copy of the coefficient."""
    solution: AnyTensor
    cloned_coefficient: AnyTensor


def matrix_transpose(x: AnyTensor) -> AnyTensor:
    """The last two axes swapped."""
    return x.swapaxes(-1, -2)


def check_system(A: AnyTensor, B: AnyTensor, rows: bool, op: str,
                 matrix: str = "the triangular matrix") -> None:
    """A square; B matrices (>= 2 axes, as PyTorch) with A's size rows (or columns)."""
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise ShapeError(f"{op}: {matrix} must be square (the last two axes); got shape "
                         f"{A.shape}")
    if B.ndim < 2:
        raise ShapeError(f"{op}: the right-hand side must have at least 2 axes, as in PyTorch "
                         f"(a vector b is b[..., None], its solution x[..., 0]); got shape "
                         f"{B.shape}")
    n, where = (B.shape[-2], "rows") if rows else (B.shape[-1], "columns")
    if n != A.shape[-1]:
        raise ShapeError(f"{op}: the right-hand side needs {A.shape[-1]} {where} for a "
                         f"matrix of size {A.shape[-1]}; got shape {B.shape}")


def identity_like(A: AnyTensor) -> AnyTensor:
    """The identity of A's matrix size and dtype (batch axes broadcast)."""
    return A.new_tensor(np.eye(A.shape[-1], dtype=A.dtype))


def triangle(A: AnyTensor, upper: bool, unitriangular: bool = False) -> AnyTensor:
    """The triangle of A that LAPACK reads (its diagonal taken as ones if unitriangular)."""
    if not unitriangular:
        return A.triu() if upper else A.tril()
    return (A.triu(1) if upper else A.tril(-1)) + identity_like(A)


def _product(L: AnyTensor, upper: bool) -> AnyTensor:
    """A = L L^T (U^T U) from L's named triangle in value, from the whole L in gradient,
    as PyTorch's cholesky_solve: LAPACK reads one triangle, its VJP multiplies by L."""
    F = L.triu() if upper else L.tril()
    Ft, Lt = matrix_transpose(F), matrix_transpose(L)
    read, whole = (Ft @ F, Lt @ L) if upper else (F @ Ft, L @ Lt)
    return whole - (whole - read).detach()


class TriangularMethods:
    """Solves with a Cholesky factor or a triangular matrix, as PyTorch's methods."""

    __slots__ = ()

    def _as_operand(self, x: Any) -> AnyTensor:
        return x if isinstance(x, TriangularMethods) else self.new_tensor(x)

    def cholesky_solve(self, input2: Any, upper: bool = False) -> AnyTensor:
        """X = A^-1 B for B = self and A = L L^T given its Cholesky factor L = input2
        (``upper=True``: A = U^T U), as ``torch.cholesky_solve(B, L)``; ``upper``
        defaults to False, unlike the removed ``torch.potrs``. B: (batches of) matrices."""
        L = self._as_operand(input2)
        check_system(L, self, True, "cholesky_solve")
        return linalg_more.solve(_product(L, upper), self)

    def cholesky_inverse(self, upper: bool = False) -> AnyTensor:
        """A^-1 for A = L L^T given its Cholesky factor L = self (``upper=True``: A = U^T
        U), as ``torch.cholesky_inverse``."""
        return identity_like(self).cholesky_solve(self, upper)

    def triangular_solve(self, A: Any, upper: bool = True, transpose: bool = False,
                         unitriangular: bool = False) -> TriangularSolveResult:
        """PyTorch's older ``b.triangular_solve(A)``: X with A X = b (A^T X = b with
        ``transpose=True``); ``upper`` defaults to True there. Returns (solution,
        cloned_coefficient) as PyTorch; ``linalg.solve_triangular`` replaces it."""
        A = self._as_operand(A)
        check_system(A, self, True, "triangular_solve")
        T = triangle(A, upper, unitriangular)
        X = linalg_more.solve(matrix_transpose(T) if transpose else T, self)
        return TriangularSolveResult(X, A.clone())
