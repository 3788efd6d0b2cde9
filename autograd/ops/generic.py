"""Helpers that let one VJP run on NumPy arrays and on Tensors alike.

A VJP receives arrays in an ordinary backward and Tensors under ``create_graph=True``.
Operators and the methods both types share (``sum``, ``reshape``, ``swapaxes``...) need
no help; these few functions pick the NumPy or the Tensor version by argument type.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor

__all__ = ["exp", "log", "where", "broadcast_to", "constant", "is_tensor"]


def is_tensor(x: Any) -> bool:
    """True when the VJP is running on Tensors (building a graph of the gradient)."""
    return isinstance(x, Tensor)


def constant(x: Any) -> np.ndarray:
    """The raw array behind ``x``: for masks and counts, which carry no gradient."""
    return x._data if isinstance(x, Tensor) else x


def exp(x: Any) -> Any:
    return x.exp() if isinstance(x, Tensor) else np.exp(x)


def log(x: Any) -> Any:
    return x.log() if isinstance(x, Tensor) else np.log(x)


def where(condition: np.ndarray, a: Any, b: Any) -> Any:
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        from .elementwise import where as tensor_where
        return tensor_where(condition, a, b)
    return np.where(condition, a, b)


def broadcast_to(x: Any, shape: tuple[int, ...]) -> Any:
    return x.broadcast_to(shape) if isinstance(x, Tensor) else np.broadcast_to(x, shape)
