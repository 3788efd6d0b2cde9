"""PyTorch's module-level linear-algebra spellings that are not in ``torch.linalg``:
``torch.pinverse(A, rcond)`` (pykan's spline fit), ``torch.logdet(K)`` (Gaussian-process
likelihoods) and ``torch.lu(A)`` (Glow's ``torch.lu_unpack(*torch.lu(w))``), for the
Tensor methods of those names."""

from __future__ import annotations

from typing import Any

from .out_argument import accepts_out
from .tensor import Tensor, as_tensor

__all__ = ["pinverse", "logdet", "lu"]


def pinverse(input: Any, rcond: float = 1e-15) -> Tensor:  # noqa: A002  (PyTorch's name)
    """A^+ of each matrix, singular values <= rcond * the largest dropped, as
    ``torch.pinverse``: ``autograd.linalg.pinv(A, rtol=rcond)``."""
    return as_tensor(input).pinverse(rcond)


def logdet(input: Any) -> Tensor:  # noqa: A002  (PyTorch's name)
    """ln det A of each square matrix, as ``torch.logdet``: NaN where det A < 0, -inf
    where it is 0 (``linalg.slogdet`` gives the sign apart)."""
    return as_tensor(input).logdet()


@accepts_out
def lu(A: Any, pivot: bool = True, get_infos: bool = False) -> tuple:
    """(LU, pivots) of P A = L U for each square matrix, as ``torch.lu`` (PyTorch's
    deprecated spelling of ``linalg.lu_factor``), with LAPACK's ``infos`` when ``get_infos``;
    differentiable through LU. ``lu_unpack`` gives P, L, U."""
    return as_tensor(A).lu(pivot, get_infos)
