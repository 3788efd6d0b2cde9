"""Helpers that let one VJP run on NumPy arrays and on Tensors alike.

A VJP receives arrays in an ordinary backward and Tensors under ``create_graph=True``.
Operators and the methods both types share (``sum``, ``reshape``, ``swapaxes``...) need
no help, and NumPy functions called on Tensors run the differentiable ops (``np.exp(t)``
is ``t.exp()``, see ``autograd.interop``). These few helpers name the cases a VJP meets.
This module does not import ``Tensor``: a Tensor is recognised by its ``_data``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import erf_arrays

__all__ = ["exp", "log", "erf", "erfc", "where", "broadcast_to", "constant", "is_tensor",
           "lift_like"]


def is_tensor(x: Any) -> bool:
    """True when the VJP is running on Tensors (building a graph of the gradient)."""
    return hasattr(x, "_data") and not isinstance(x, np.ndarray)


def constant(x: Any) -> Any:
    """The raw array behind ``x``: for masks and counts, which carry no gradient."""
    return x._data if is_tensor(x) else x


def exp(x: Any) -> Any:
    """e^x of an array or a Tensor."""
    return np.exp(x)


def log(x: Any) -> Any:
    """ln x of an array or a Tensor."""
    return np.log(x)


def erf(x: Any) -> Any:
    """erf x = 2/sqrt(pi) int_0^x e^{-t^2} dt of an array (``autograd/erf_arrays.py``; NumPy
    has none) or a Tensor (the differentiable op)."""
    return x.erf() if is_tensor(x) else erf_arrays.erf(x)


def erfc(x: Any) -> Any:
    """erfc x = 1 - erf x, accurate in relative terms for large x too, of an array or a
    Tensor (the differentiable op)."""
    return x.erfc() if is_tensor(x) else erf_arrays.erfc(x)


def where(condition: np.ndarray, a: Any, b: Any) -> Any:
    """``a`` where ``condition`` holds, else ``b`` (arrays or Tensors)."""
    return np.where(condition, a, b)


def broadcast_to(x: Any, shape: tuple[int, ...]) -> Any:
    """``x`` repeated to ``shape`` (an array or a Tensor)."""
    return np.broadcast_to(x, shape)


def lift_like(like: Any, x: Any) -> Any:
    """``x`` as a Tensor (a constant, if it is an array), built like the Tensor ``like``."""
    return x if is_tensor(x) else like._make(np.asarray(x), None)
