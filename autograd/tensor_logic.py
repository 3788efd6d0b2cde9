"""``LogicOps``: boolean masks combined (a mixin of ``Tensor``).

``&``, ``|``, ``^`` and ``~`` are NumPy's bitwise operators on bool and integer tensors (on
bool: and, or, xor, not), so the habit of NumPy and PyTorch, ``(x > 0) & (x < 1)``, works.
``>>`` and ``<<`` shift the bits of integer tensors (``input_lengths >> 2`` is a length
after two stride-2 convolutions). A Python or NumPy number beside a tensor is weak, as in
PyTorch and NumPy 2 (``weak_number``): ``int16 & 3`` and ``int8 >> np.int32(1)`` keep the
tensor's dtype; an int the dtype cannot hold (``uint8 << -2``) widens to int64.
PyTorch's ``logical_and``, ``logical_or``, ``logical_xor`` and ``logical_not`` take any
tensor (nonzero is True) and give bool. Every result is a constant, as a comparison's is:
masks and bit patterns carry no gradient. ``np.logical_and(a, t)`` and the bitwise ufuncs
run these (``autograd.interop``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._arrays import numeric
from .dtype_refusals import refuse_bool_shift
from .errors import DTypeError
from .ops.arithmetic import broadcasting, number, weak_number

__all__ = ["LogicOps"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


def _array(x: Any) -> np.ndarray:
    """A tensor's array; numbers, lists and arrays as NumPy makes them (None, strings,
    ragged lists: a DTypeError or DataError)."""
    return numeric(getattr(x, "_data", x), "a logical or bitwise operation")


def _masks_or_bits(symbol: str, *arrays: np.ndarray) -> None:
    """``DTypeError`` unless every operand of ``symbol`` is bool or integer."""
    for a in arrays:
        if a.dtype.kind not in "biu":
            raise DTypeError(
                f"{symbol} works on bool masks (or integer bit patterns); got dtype "
                f"{a.dtype}. Compare first, e.g. (x > 0) & (x < 1), or use "
                f"x.logical_and(y), which takes any tensor (nonzero is True).")


def _operand(x: Any, beside: np.dtype) -> np.ndarray:
    """x's array; a Python or NumPy number as ``weak_number`` takes it beside a tensor of
    dtype ``beside`` (int16 with 3: int16; uint8 with -1: int64)."""
    value = number(x)
    return _array(x) if value is None else weak_number(value, beside)


def _integer_shift_operand(symbol: str, data: np.ndarray) -> np.ndarray:
    """A shift's operand, an integer (or bool) array; a ``DTypeError`` for floats, saying
    what to write instead."""
    if data.dtype.kind not in "biu":
        raise DTypeError(
            f"{symbol} works on integer tensors (a bit shift); got dtype {data.dtype}. "
            f"Convert first, e.g. x.long() {symbol} 2, or scale a float tensor: "
            f"x * 2 ** k, torch.div(x, 2 ** k, rounding_mode='floor').")
    return data


class LogicOps:
    """``& | ^ ~ >> <<`` (also as PyTorch's ``bitwise_*``) and ``logical_*`` (a mixin: ``Tensor``
    is its user)."""

    __slots__ = ()

    def _operands(self, a: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
        """a and b (one of them self) as arrays, a number weak beside self's dtype."""
        dtype = _array(self).dtype
        return _operand(a, dtype), _operand(b, dtype)

    def _bitwise(self, symbol: str, ufunc: np.ufunc, a: Any, b: Any) -> AnyTensor:
        a, b = self._operands(a, b)
        _masks_or_bits(symbol, a, b)
        return self._make(np.asarray(broadcasting(ufunc.__name__, ufunc, a, b)), None)

    def __and__(self, other: Any) -> AnyTensor:
        """self & other: and of bool masks (bitwise on integers), a constant."""
        return self._bitwise("&", np.bitwise_and, self, other)

    def __rand__(self, other: Any) -> AnyTensor:
        return self._bitwise("&", np.bitwise_and, other, self)

    def __or__(self, other: Any) -> AnyTensor:
        """self | other: or of bool masks (bitwise on integers), a constant."""
        return self._bitwise("|", np.bitwise_or, self, other)

    def __ror__(self, other: Any) -> AnyTensor:
        return self._bitwise("|", np.bitwise_or, other, self)

    def __xor__(self, other: Any) -> AnyTensor:
        """self ^ other: xor of bool masks (bitwise on integers), a constant."""
        return self._bitwise("^", np.bitwise_xor, self, other)

    def __rxor__(self, other: Any) -> AnyTensor:
        return self._bitwise("^", np.bitwise_xor, other, self)

    def __invert__(self) -> AnyTensor:
        """~self: not of a bool mask (bitwise not of integers), a constant."""
        data = _array(self)
        _masks_or_bits("~", data)
        return self._make(np.invert(data), None)

    def _shift(self, symbol: str, ufunc: np.ufunc, a: Any, b: Any) -> AnyTensor:
        a, b = (_integer_shift_operand(symbol, x) for x in self._operands(a, b))
        refuse_bool_shift(symbol, a, b)
        return self._make(np.asarray(broadcasting(ufunc.__name__, ufunc, a, b)), None)

    def __rshift__(self, other: Any) -> AnyTensor:
        """self >> other: integer bits shifted right (floor division by 2**other)."""
        return self._shift(">>", np.right_shift, self, other)

    def __rrshift__(self, other: Any) -> AnyTensor:
        return self._shift(">>", np.right_shift, other, self)

    def __lshift__(self, other: Any) -> AnyTensor:
        """self << other: integer bits shifted left (times 2**other)."""
        return self._shift("<<", np.left_shift, self, other)

    def __rlshift__(self, other: Any) -> AnyTensor:
        return self._shift("<<", np.left_shift, other, self)

    def bitwise_right_shift(self, other: Any) -> AnyTensor:
        """``self >> other``, PyTorch's name."""
        return self >> other

    def bitwise_left_shift(self, other: Any) -> AnyTensor:
        """``self << other``, PyTorch's name."""
        return self << other

    def bitwise_and(self, other: Any) -> AnyTensor:
        """``self & other`` (bool masks or integers), PyTorch's name."""
        return self & other

    def bitwise_or(self, other: Any) -> AnyTensor:
        """``self | other``."""
        return self | other

    def bitwise_xor(self, other: Any) -> AnyTensor:
        """``self ^ other``."""
        return self ^ other

    def bitwise_not(self) -> AnyTensor:
        """``~self``."""
        return ~self

    def logical_and(self, other: Any) -> AnyTensor:
        """Where both are nonzero: a bool constant (any dtypes; they broadcast)."""
        return self._logical(np.logical_and, other)

    def logical_or(self, other: Any) -> AnyTensor:
        """Where either is nonzero: a bool constant."""
        return self._logical(np.logical_or, other)

    def logical_xor(self, other: Any) -> AnyTensor:
        """Where exactly one is nonzero: a bool constant."""
        return self._logical(np.logical_xor, other)

    def logical_not(self) -> AnyTensor:
        """Where self is zero: a bool constant."""
        return self._make(np.logical_not(_array(self)), None)

    def _logical(self, ufunc: np.ufunc, other: Any) -> AnyTensor:
        a, b = _array(self), _array(other)
        return self._make(np.asarray(broadcasting(ufunc.__name__, ufunc, a, b)), None)
