"""The check of PyTorch's float-only functions (``lerp``, ``dist``, ``renorm``): integer
and bool tensors are refused, as PyTorch refuses them, since computing them in the
integer dtype wraps around (uint8 0 - 200 is 56) and gives a wrong answer silently."""

from __future__ import annotations

import numbers
from typing import Any

from .errors import DTypeError

__all__ = ["require_float"]


def require_float(op: str, **tensors: Any) -> None:
    """``DTypeError`` naming the first integer or bool tensor among ``tensors`` (by the
    names given); numbers (NumPy's scalars too) and float tensors pass."""
    for name, value in tensors.items():
        if isinstance(value, numbers.Number):
            continue
        if getattr(getattr(value, "dtype", None), "kind", "f") in "biu":
            raise DTypeError(f"{op}: needs float tensors (as PyTorch's); {name} is "
                             f"{value.dtype}. Convert it first: {name}.double() (or "
                             f".float())")
