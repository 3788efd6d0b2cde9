"""Solves with triangular matrices and Cholesky factors, as PyTorch spells them:
``torch.linalg.solve_triangular``, and ``torch.cholesky_solve``,
``torch.cholesky_inverse``, the older ``torch.triangular_solve`` (the functions of the
Tensor methods in ``triangular_methods``, whose docstring says how they differentiate).
Gaussian-process tutorials use all four."""

from __future__ import annotations

from typing import Any

from . import more_functions
from .keyword_aliases import keyword_aliases
from .out_argument import accepts_out
from .tensor import Tensor, as_tensor
from .triangular_methods import (TriangularSolveResult, check_system, matrix_transpose,
                                 triangle)

__all__ = ["solve_triangular", "cholesky_solve", "cholesky_inverse", "triangular_solve",
           "TriangularSolveResult"]


def solve_triangular(A: Any, B: Any, *, upper: bool, left: bool = True,
                     unitriangular: bool = False) -> Tensor:
    """X with A X = B (``left=False``: X A = B) for triangular A, as
    ``torch.linalg.solve_triangular``: only the upper (``upper=True``) or lower triangle of
    A is read, its diagonal taken as ones with ``unitriangular=True``. B is a (batch of)
    matrix(es); batch axes broadcast. ``upper`` has no default, as in PyTorch."""
    A, B = as_tensor(A), as_tensor(B)
    check_system(A, B, left, "solve_triangular")
    T = triangle(A, upper, unitriangular)
    if left:
        return more_functions.solve(T, B)
    return matrix_transpose(more_functions.solve(matrix_transpose(T), matrix_transpose(B)))


@keyword_aliases(B="input", L="input2")
@accepts_out
def cholesky_solve(input: Any, input2: Any, upper: bool = False) -> Tensor:  # noqa: A002
    """X = A^-1 B for B = ``input`` and A = L L^T given its Cholesky factor L = ``input2``
    (``upper=True``: A = U^T U), as ``torch.cholesky_solve(B, L)`` (B first, as PyTorch;
    ``B=``, ``L=`` taken too): ``B.cholesky_solve(L)``."""
    return as_tensor(input).cholesky_solve(as_tensor(input2), upper)


@keyword_aliases(L="input")
@accepts_out
def cholesky_inverse(input: Any, upper: bool = False) -> Tensor:  # noqa: A002
    """A^-1 for A = L L^T given its Cholesky factor L = ``input`` (``L=`` too), as
    ``torch.cholesky_inverse``."""
    return as_tensor(input).cholesky_inverse(upper)


@keyword_aliases(b="input")
@accepts_out
def triangular_solve(input: Any, A: Any, upper: bool = True,  # noqa: A002
                     transpose: bool = False, unitriangular: bool = False
                     ) -> TriangularSolveResult:
    """PyTorch's older ``torch.triangular_solve(b, A)`` (``upper`` defaults to True): the
    pair (solution, cloned_coefficient) for b = ``input`` (``b=`` too);
    ``b.triangular_solve(A)``."""
    return as_tensor(input).triangular_solve(as_tensor(A), upper, transpose, unitriangular)
