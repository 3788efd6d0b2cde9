"""Python numbers beside integer tensors: ``integral_scalar`` casts a float multiplier
(``addcmul``'s ``value``) of an integer result as PyTorch casts it, towards zero
(x.addcmul(t1, t2, value=2.5) on int64 tensors multiplies by 2 and stays int64);
``clip_in_dtype`` is ``np.clip`` with a named error where a bound forces every value out
of an integer dtype (uint8 clamped to max=-3)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .errors import DTypeError

__all__ = ["integral_scalar", "clip_in_dtype"]


def integral_scalar(op: str, value: Any, dtype: np.dtype) -> Any:
    """``value`` itself, unless ``dtype`` is an integer one and ``value`` a float: then
    trunc(value), a Python int, as PyTorch's cast of the scalar to the tensors' type. A
    non-finite float has no integer: ``DTypeError``."""
    if np.dtype(dtype).kind not in "iu" or not isinstance(value, (float, np.floating)):
        return value
    if not math.isfinite(value):
        raise DTypeError(f"{op}: value={value} has no integer value for {dtype} tensors; "
                         f"pass a finite number, or convert the tensors to float first")
    return int(value)


def clip_in_dtype(x: np.ndarray, lo: Any, hi: Any) -> np.ndarray:
    """min(max(x, lo), hi) in x's dtype (``np.clip``). A Python integer bound beyond an
    integer dtype's range where the result would take it (uint8 with max=-3, int8 with
    min=300) is a ``DTypeError``: the result would not fit (PyTorch wraps -3 to 253, or
    refuses 300)."""
    try:
        return np.clip(x, lo, hi)
    except OverflowError:
        limits = np.iinfo(x.dtype) if x.dtype.kind in "iu" else np.finfo(x.dtype)
        raise DTypeError(f"clamp: a bound (min={lo!r:.30}, max={hi!r:.30}) is outside {x.dtype}'s "
                         f"range [{limits.min}, {limits.max}] where the result would take it; "
                         f"cast the tensor first (x.long() or x.double()), or pass a bound "
                         f"in range") from None
