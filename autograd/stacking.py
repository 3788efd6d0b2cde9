"""PyTorch's (and NumPy's) ``hstack``, ``vstack`` (``row_stack``) and ``column_stack``:
``cat`` after giving each tensor at least the rank the stacking needs. PINN programs build
their collocation points with them. Each takes PyTorch's ``out=`` too."""

from __future__ import annotations

from typing import Any, Sequence

from .errors import ShapeError, UsageError
from .functions import concatenate
from .out_argument import accepts_out
from .tensor import Tensor, as_tensor

__all__ = ["hstack", "vstack", "row_stack", "column_stack"]


@accepts_out
def hstack(tensors: Sequence[Any]) -> Tensor:
    """Join horizontally: along axis 0 if every tensor is 1-d (0-d ones become 1-d),
    else along axis 1."""
    parts = [t.reshape(1) if t.ndim == 0 else t for t in _tensors("hstack", tensors)]
    return _join("hstack", parts, 0 if all(t.ndim == 1 for t in parts) else 1)


@accepts_out
def vstack(tensors: Sequence[Any]) -> Tensor:
    """Join vertically, along axis 0, a 1-d tensor of n elements (or a 0-d one) taken as
    a row of shape (1, n)."""
    parts = [t.reshape(1, -1) if t.ndim < 2 else t for t in _tensors("vstack", tensors)]
    return _join("vstack", parts, 0)


@accepts_out
def row_stack(tensors: Sequence[Any]) -> Tensor:
    """``vstack``'s other name (PyTorch's alias)."""
    return vstack(tensors)


@accepts_out
def column_stack(tensors: Sequence[Any]) -> Tensor:
    """Join as columns, along axis 1, a 1-d tensor of n elements (or a 0-d one) taken as
    a column of shape (n, 1)."""
    parts = [t.reshape(-1, 1) if t.ndim < 2 else t
             for t in _tensors("column_stack", tensors)]
    return _join("column_stack", parts, 1)


def _tensors(name: str, tensors: Any) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise UsageError(f"{name}: expected a sequence of tensors, e.g. {name}((a, b)); got "
                         f"{type(tensors).__name__}")
    return [as_tensor(t) for t in tensors]


def _join(name: str, parts: list[Tensor], axis: int) -> Tensor:
    try:
        return concatenate(parts, axis)
    except ShapeError as error:
        raise ShapeError(f"{name}: {error}") from None
