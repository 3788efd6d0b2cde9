"""``TriangularMethods`` (a mixin of ``Tensor``): PyTorch's Tensor methods that solve
with a Cholesky factor or a triangular matrix, ``B.cholesky_solve(L)``,
``L.cholesky_inverse()`` and the older ``b.triangular_solve(A)``, and the helpers that
``linalg_triangular`` shares (``torch.linalg.solve_triangular``).

Each is a composition over the differentiable ``solve``, ``tril``/``triu`` and
``TriangleProduct`` (its VJP written with operators), so it differentiates twice too,
and its gradient is PyTorch's:
- a triangular solve reads only the named triangle of A (and not its diagonal with
  ``unitriangular=True``), so A's gradient is that triangle's (PyTorch's too);
- ``cholesky_solve`` and ``cholesky_inverse`` also read only L's triangle F, but
  PyTorch's VJP multiplies by the whole L; ``TriangleProduct`` (F F^T in value, whose VJP
  is that of L L^T) gives both, so the unread triangle never reaches the value.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .errors import ShapeError
from .function import Function, apply
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


class TriangleProduct(Function):
    """out = F F^T (F^T F with ``upper``) for F = L's named triangle, the only one LAPACK
    reads; dL = (g + g^T) L (L (g + g^T) with ``upper``), the VJP of L L^T for the whole
    L, as PyTorch's cholesky_solve and cholesky_inverse give it."""
    __slots__ = ("upper",)

    def __init__(self, upper: bool) -> None:
        self.upper = upper

    def forward(self, L: np.ndarray) -> np.ndarray:
        F = np.triu(L) if self.upper else np.tril(L)
        return matrix_transpose(F) @ F if self.upper else F @ matrix_transpose(F)

    def vjp(self, g: Any, out: Any, L: Any) -> tuple:
        symmetric = g + matrix_transpose(g)
        return (L @ symmetric if self.upper else symmetric @ L,)


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
        return linalg_more.solve(apply(TriangleProduct(upper), L), self)

    def cholesky_inverse(self, upper: bool = False) -> AnyTensor:
        """A^-1 for A = L L^T given its Cholesky factor L = self (``upper=True``: A = U^T
        U), as ``torch.cholesky_inverse``."""
        return identity_like(self).cholesky_solve(self, upper)

    def triangular_solve(self, A: Any, upper: bool = True, transpose: bool = False,
                         unitriangular: bool = False) -> TriangularSolveResult:
        """PyTorch's older ``b.triangular_solve(A)``: X with A X = b (A^T X = b with
        ``transpose=True``); ``upper`` defaults to True there. Returns (solution,
        cloned_coefficient: A broadcast to the solution's batch axes) as PyTorch;
        ``linalg.solve_triangular`` replaces it."""
        A = self._as_operand(A)
        check_system(A, self, True, "triangular_solve")
        T = triangle(A, upper, unitriangular)
        X = linalg_more.solve(matrix_transpose(T) if transpose else T, self)
        return TriangularSolveResult(X, A.broadcast_to(X.shape[:-2] + A.shape[-2:]).clone())
