"""What the modules that make tensors from numbers (``creation``, ``ranges``) share: the
default dtype, an allocation whose failure is a ShapeError, and the new leaf."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ._arrays import as_dtype
from .errors import ShapeError
from .layouts import check_layout
from .tensor import Tensor
from .torch_shapes import check_device

__all__ = ["dtype_or_float64", "allocated", "new_leaf"]


def dtype_or_float64(dtype: Any) -> np.dtype:
    """``dtype`` as a NumPy dtype; float64 (the default dtype) for None."""
    return np.dtype(np.float64) if dtype is None else as_dtype(dtype, "dtype")


def allocated(op: str, shape: tuple[int, ...], dtype: np.dtype,
              make: Callable[[], np.ndarray]) -> np.ndarray:
    """``make()``, the new array of ``shape`` and ``dtype``, or a ShapeError (PyTorch's
    RuntimeError) when it has more bytes than NumPy can index or the machine can give
    (NumPy's bare ValueError and MemoryError)."""
    size = math.prod(shape) * np.dtype(dtype).itemsize
    advice = f"{op}: the size {shape} of {np.dtype(dtype)} takes {size:.3g} bytes"
    if size > np.iinfo(np.intp).max:
        raise ShapeError(f"{advice}, more than NumPy can index; ask for fewer elements")
    try:
        return make()
    except MemoryError:
        raise ShapeError(f"{advice}, more than this machine could allocate; ask for "
                         f"fewer elements (or a smaller dtype)") from None


def new_leaf(array: np.ndarray, requires_grad: bool, device: Any, op: str,
             layout: Any = None) -> Tensor:
    """A new leaf holding ``array``; ``device`` must be the CPU, ``layout`` strided."""
    check_device(device, f"{op}(device=...)")
    check_layout(layout, op)
    return Tensor(array, requires_grad=requires_grad)
