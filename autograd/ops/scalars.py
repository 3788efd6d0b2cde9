"""Python (and NumPy) numbers beside a tensor, for the ops in ``arithmetic.py``: which
objects are numbers (``number``), the array NumPy 2 makes of one beside a tensor
(``weak_number``, NEP 50: int8 with 3 is int8, float32 with 2.5 float32), and PyTorch's
float16 rule for ``x * c`` and ``x / c`` (``half_with_number``: in float32 with the number,
rounded once to float16).
"""

from __future__ import annotations

import numbers
from functools import lru_cache
from typing import Any

import numpy as np

from ..errors import DTypeError

__all__ = ["number", "is_scalar", "weak_number", "FLOAT16", "half_with_number"]

FLOAT16 = np.dtype(np.float16)  # NumPy's one float16 dtype: ``x.dtype is FLOAT16`` is cheap
_INT64 = np.iinfo(np.int64)


def number(x: Any) -> int | float | None:
    """``x`` as a Python number if it is a real number, else None. NumPy scalars become
    Python numbers, so they are weak like Python's: ``x32 * np.float64(2)`` stays float32.
    A ``fractions.Fraction`` (another ``numbers.Real``) is its float, as Python's
    ``0.5 + Fraction(1, 2)`` is; a ``Decimal`` (no ``numbers.Real``) is not a number here."""
    if type(x) is float or type(x) is int:
        return x
    if not _is_number_type(type(x)):
        return None  # a Tensor, an array, a list: one cached look-up
    if isinstance(x, (complex, np.complexfloating)):
        raise DTypeError(f"complex numbers are not supported; got {x!r}")
    if isinstance(x, (np.number, np.bool_)):  # before float: np.float64 subclasses it
        return x.item()
    if isinstance(x, bool):
        return x
    if isinstance(x, numbers.Integral):  # a subclass of int (x.size's ElementCount): NumPy
        return int(x)                    # would not take it as weak (x32 / x.size float64)
    if isinstance(x, numbers.Real):  # a float subclass, a Fraction
        return float(x)
    return None


@lru_cache(maxsize=256)
def _is_number_type(kind: type) -> bool:
    """Whether instances of ``kind`` are numbers, per type. Cached because a failing
    ``isinstance`` walks the instance's whole class hierarchy, and Tensor's has 46 classes
    (its mixins): the check of a Tensor operand cost 0.32 us per ``x * y`` (per-op chain
    with Tensor constants, (8,): 4.00 -> 3.78 us per op)."""
    return issubclass(kind, (int, float, complex, np.generic, numbers.Number))


def is_scalar(x: Any) -> bool:
    """A real Python or NumPy number (kept as op state, never a graph input)."""
    return number(x) is not None


def weak_number(value: int | float, dtype: np.dtype) -> np.ndarray:
    """A Python number as NumPy takes it beside an array of ``dtype`` (weak, NEP 50:
    int8 with 3 is int8, float32 with 2.5 float32). An integer that ``dtype`` cannot hold
    keeps its own int64 instead (int8 with 300, uint8 with -3: int64, as NumPy gives for
    ``np.int64(300)``, where NumPy's Python int is an OverflowError). One that int64 cannot
    hold either (2**63), or any beside a uint64 tensor, is a DTypeError: NumPy would take
    it as uint64 or object, and int64 with uint64 is NumPy's float64, which rounds silently."""
    try:
        return np.asarray(value, dtype=np.result_type(dtype, value))
    except OverflowError:
        pass
    if dtype == np.uint64:
        raise DTypeError(f"the integer {value} does not fit in uint64, and NumPy computes "
                         f"uint64 with int64 in float64, which rounds; convert the tensor "
                         f"first (x.astype(np.int64)) or use a float (float({value}))")
    if not _INT64.min <= value <= _INT64.max:
        held = "int64" if dtype == np.int64 else f"{dtype} nor in int64"
        raise DTypeError(f"the integer {value} does not fit in {held}, the widest integer "
                         f"a tensor computes in (as PyTorch's); use a smaller number, or a "
                         f"float for arithmetic (float({value}))")
    return np.asarray(value, dtype=np.int64)


def half_with_number(function: Any, x: Any, c: int | float) -> Any:
    """``function(x, c)`` (``x * c``, ``x / c``) for a float16 ``x`` (an array or a
    Tensor) as PyTorch's half kernels compute it: in float32 with the number, rounded once
    to float16. Not NumPy's, which rounds the number to float16 first (65535 becomes inf,
    1e-8 zero, 0.1 is 1 ulp off). A result beyond float16 is inf, without NumPy's
    overflow warning, as PyTorch's."""
    with np.errstate(over="ignore"):
        return function(x.astype(np.float32), c).astype(FLOAT16)
