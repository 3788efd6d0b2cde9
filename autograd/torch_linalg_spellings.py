"""PyTorch's module-level linear-algebra spellings that are not in ``torch.linalg``:
``torch.pinverse(A, rcond)`` (pykan's spline fit), for the Tensor method of that name."""

from __future__ import annotations

from typing import Any

from .tensor import Tensor, as_tensor

__all__ = ["pinverse"]


def pinverse(input: Any, rcond: float = 1e-15) -> Tensor:  # noqa: A002  (PyTorch's name)
    """A^+ of each matrix, singular values <= rcond * the largest dropped, as
    ``torch.pinverse``: ``autograd.linalg.pinv(A, rtol=rcond)``."""
    return as_tensor(input).pinverse(rcond)
