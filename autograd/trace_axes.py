"""The axes ``trace`` sums a diagonal over: PyTorch's ``torch.trace`` takes a matrix only
(a batch of them would silently be traced over its first two axes, as NumPy does), NumPy's
``np.trace`` any two axes of any tensor."""

from __future__ import annotations

from typing import Any

from .errors import ShapeError

__all__ = ["trace_axes"]


def trace_axes(x: Any, axis1: int | None, axis2: int | None) -> tuple[int, int]:
    """(axis1, axis2): the given ones, as ``np.trace`` (0 and 1 in place of the one not
    given); neither given, a matrix's two axes, as ``torch.trace``, whose ``ShapeError``
    any other rank gets."""
    if axis1 is None and axis2 is None and x.ndim != 2:
        raise ShapeError(f"trace: expected a matrix (2 axes), as torch.trace; got shape "
                         f"{tuple(x.shape)}. For a batch of matrices in the last two axes "
                         f"write x.diagonal(dim1=-2, dim2=-1).sum(-1); for NumPy's trace "
                         f"over axes 0 and 1, x.trace(axis1=0, axis2=1)")
    return (0 if axis1 is None else axis1), (1 if axis2 is None else axis2)
