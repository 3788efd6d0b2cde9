"""The other operand of a tensor's Python operators (``x + y``, ``y ** x``, ``x @ y``...)
when it is no number: data becomes an array (``operand_array``), and an object that is
no data (None, a dict, a set, a str, a ``Decimal``) is refused as Python and PyTorch
refuse it, "unsupported operand type(s) for +", as a library ``DTypeError`` (a
TypeError). Three-argument ``pow`` is refused too (``refuse_modular_pow``).
"""

from __future__ import annotations

from typing import Any, NoReturn

import numpy as np

from ._arrays import to_array
from .errors import AutogradError, DTypeError, UsageError

__all__ = ["operand_array", "refuse_modular_pow"]


def operand_array(other: Any, op: str = "", reflected: bool = False) -> np.ndarray:
    """``other`` as an array for an operator of a tensor: arrays, array-likes and (nested)
    lists as ``to_array`` reads them, Python ints in a list as int64 (as NumPy reads them:
    ``int_t + [1]`` stays integer). For an object that is no data, a DTypeError naming the
    operator ``op`` ("+"; the tensor on its right if ``reflected``) and the object's type;
    data that cannot become an array (a ragged list) keeps ``to_array``'s error."""
    try:
        return to_array(other, python_ints=np.int64)
    except AutogradError:
        if _is_data(other):
            raise
        raise _unsupported_operand(op, other, reflected) from None


def _is_data(value: Any) -> bool:
    """Whether ``value`` is array data: a list, a tuple, an array or an array-like."""
    return isinstance(value, (list, tuple, np.ndarray, np.generic)) or hasattr(
        value, "__array__")


def _unsupported_operand(op: str, other: Any, reflected: bool) -> DTypeError:
    """Python's "unsupported operand type(s) for +: 'Tensor' and 'NoneType'", with what a
    tensor does combine with."""
    kinds = ["'Tensor'", repr(type(other).__name__)]
    left, right = kinds[::-1] if reflected else kinds
    where = f" for {op}" if op else ""
    return DTypeError(f"unsupported operand type(s){where}: {left} and {right}. A tensor "
                      f"combines with real numbers, arrays, (nested) lists of numbers and "
                      f"tensors; convert the operand first (e.g. float(y) or "
                      f"autograd.tensor(y)).")


def refuse_modular_pow(modulo: Any) -> NoReturn:
    """``pow(x, p, m)``: Python's modular power, which neither NumPy's nor PyTorch's
    tensors have: a UsageError (a TypeError, as PyTorch's) saying what to write."""
    raise UsageError(f"pow(x, p, m): three-argument (modular) pow is not supported for "
                     f"tensors (got modulo {modulo!r}); write (x ** p) % m")
