"""PyTorch's (and NumPy's) ``hstack``, ``vstack`` (``row_stack``), ``dstack`` and
``column_stack``: ``cat`` after giving each tensor at least the rank the stacking needs.
PINN programs build their collocation points with them. And PyTorch's ``block_diag``
(block-local attention masks): each block padded with zeros to the full width, then
``cat`` down the rows. Each takes PyTorch's ``out=`` too."""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .errors import ShapeError, UsageError
from .numpy_stacking import numpy_column_stack, numpy_dstack, numpy_hstack, numpy_vstack
from .out_argument import accepts_out
from .tensor import Tensor, as_tensor
from .tensor_math import concatenate

__all__ = ["hstack", "vstack", "row_stack", "dstack", "column_stack", "block_diag"]


@accepts_out
def hstack(tensors: Sequence[Any]) -> Tensor:
    """Join horizontally: along axis 0 if every tensor is 1-d (0-d ones become 1-d),
    else along axis 1."""
    return _join("hstack", numpy_hstack, tensors)


@accepts_out
def vstack(tensors: Sequence[Any]) -> Tensor:
    """Join vertically, along axis 0, a 1-d tensor of n elements (or a 0-d one) taken as
    a row of shape (1, n)."""
    return _join("vstack", numpy_vstack, tensors)


@accepts_out
def row_stack(tensors: Sequence[Any]) -> Tensor:
    """``vstack``'s other name (PyTorch's alias)."""
    return _join("row_stack", numpy_vstack, tensors)


@accepts_out
def dstack(tensors: Sequence[Any]) -> Tensor:
    """Join in depth, along axis 2, each tensor first given at least 3 axes (a 1-d one of
    n elements as (1, n, 1), a matrix (m, n) as (m, n, 1))."""
    return _join("dstack", numpy_dstack, tensors)


@accepts_out
def column_stack(tensors: Sequence[Any]) -> Tensor:
    """Join as columns, along axis 1, a 1-d tensor of n elements (or a 0-d one) taken as
    a column of shape (n, 1)."""
    return _join("column_stack", numpy_column_stack, tensors)


@accepts_out
def block_diag(*tensors: Any) -> Tensor:
    """The matrix with the given blocks on its diagonal and zeros elsewhere, as
    ``torch.block_diag``: a 0-d tensor is a 1x1 block, a 1-d one a row; the dtype is
    NumPy's result type of the blocks'. Each block's gradient is its part of the result's."""
    blocks = [as_tensor(t) for t in tensors]
    for i, block in enumerate(blocks):
        if block.ndim > 2:
            raise ShapeError(f"block_diag: the blocks have at most 2 dimensions; block {i} "
                             f"has shape {block.shape}")
    if not blocks:
        return Tensor(np.zeros((1, 0)))
    dtype = np.result_type(*[block.dtype for block in blocks])
    blocks = [block.reshape(1, -1) if block.ndim < 2 else block for block in blocks]
    width, left, rows = sum(block.shape[1] for block in blocks), 0, []
    for block in blocks:
        right = width - left - block.shape[1]
        rows.append(block.astype(dtype).pad(((0, 0), (left, right))))
        left += block.shape[1]
    return concatenate(rows, 0)


def _join(name: str, join: Callable[[list[Tensor]], Tensor], tensors: Any) -> Tensor:
    """``join`` (NumPy's rule for ``name``, from ``numpy_stacking``, which ``np.hstack``
    on Tensors runs too) of the tensors, its shape errors naming ``name``."""
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)) or not tensors:
        raise UsageError(f"{name}: expected a sequence of tensors, at least one, e.g. "
                         f"{name}((a, b)); got {type(tensors).__name__} {tensors!r:.40}")
    try:
        return join([as_tensor(t) for t in tensors])
    except ShapeError as error:
        raise ShapeError(f"{name}: {error}") from None
