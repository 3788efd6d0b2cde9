"""The in-place operators ``%= //= **= &= |= ^= <<= >>=`` and PyTorch's in-place
``bitwise_and_ bitwise_or_ bitwise_xor_ bitwise_not_ bitwise_left_shift_
bitwise_right_shift_ logical_and_ logical_or_ logical_xor_ logical_not_`` and the
comparison aliases ``greater_ greater_equal_ less_ less_equal_ not_equal_``. A base of
``inplace.InplaceOps``, whose ``_write`` they use, so the in-place rules of that module
hold (refused on a leaf that requires grad while recording, recorded on a computed
tensor, stamped): ``x //= 2`` writes x, and every view of it, as ``x += 2`` does.

``_result_`` writes ``self.<name>(...)`` back into self with PyTorch's rule for the cast
(``can_cast_back``): ``int16 &= 3`` stays int16, ``uint8 <<= int64`` wraps, and
``int64 %= 1.5`` is a ``DTypeError``, as PyTorch's "result type Double can't be cast".
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .dtypes import can_cast as can_cast_back  # PyTorch's rule of writing a result back
from .errors import DTypeError
from .inplace_shapes import store_update
from .inplace_values import WRAP_DEPENDENT, operand_held

__all__ = ["OperatorInplace", "can_cast_back", "check_cast_back", "check_operand_held"]


class OperatorInplace:
    """``%= //= **= &= |= ^= <<= >>=``, the in-place bitwise and logical methods and the
    comparison aliases (a mixin under ``InplaceOps``)."""

    __slots__ = ()

    def _result_(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """The values of ``self.<name>(*args, **kwargs)`` written into self, refused (a
        ``DTypeError``) where PyTorch refuses the cast back (``can_cast_back``), and where
        PyTorch would first wrap an integer operand self's dtype cannot hold
        (``operand_held``: uint8 ``x //= -1``)."""
        if name in WRAP_DEPENDENT and args:
            check_operand_held(name, args[0], self.dtype)

        def write(out: np.ndarray) -> None:
            result = np.asarray(getattr(self.detach(), name)(*args, **kwargs).data)
            check_cast_back(f"in-place {name}_", result.dtype, out.dtype,
                            f"Write the out-of-place x = x.{name}(...), or convert x first "
                            f"(x = x.double()).")
            store_update(f"{name}_", out, result)

        call = f"x = x.{name}(...)" if args or kwargs else f"x = x.{name}()"
        return self._write(f"{name}_", call, write, *args,
                           recorded=lambda: getattr(self, name)(*args, **kwargs))

    def __imod__(self, other: Any) -> Any:
        """self = self % other, in place."""
        return self._math_("remainder", other)

    def __ifloordiv__(self, other: Any) -> Any:
        """self = self // other, in place."""
        return self._math_("floor_divide", other)

    def __ipow__(self, other: Any) -> Any:
        """self = self ** other, in place (``pow_``)."""
        return self.pow_(other)

    def __iand__(self, other: Any) -> Any:
        """self = self & other, in place (bool masks, or integer bits)."""
        return self._result_("bitwise_and", other)

    def __ior__(self, other: Any) -> Any:
        """self = self | other, in place."""
        return self._result_("bitwise_or", other)

    def __ixor__(self, other: Any) -> Any:
        """self = self ^ other, in place."""
        return self._result_("bitwise_xor", other)

    def __ilshift__(self, other: Any) -> Any:
        """self = self << other (times 2**other), in place."""
        return self._result_("bitwise_left_shift", other)

    def __irshift__(self, other: Any) -> Any:
        """self = self >> other (floor division by 2**other), in place."""
        return self._result_("bitwise_right_shift", other)

    # PyTorch's names of the operators above
    bitwise_and_, bitwise_or_, bitwise_xor_ = __iand__, __ior__, __ixor__
    bitwise_left_shift_, bitwise_right_shift_ = __ilshift__, __irshift__

    def bitwise_not_(self) -> Any:
        """self = ~self (not of a bool mask, bitwise not of integers), in place."""
        return self._result_("bitwise_not")

    def logical_and_(self, other: Any) -> Any:
        """self = (self != 0 and other != 0) as self's dtype (1 or 0), in place."""
        return self._result_("logical_and", other)

    def logical_or_(self, other: Any) -> Any:
        """self = (self != 0 or other != 0) as self's dtype, in place."""
        return self._result_("logical_or", other)

    def logical_xor_(self, other: Any) -> Any:
        """self = (exactly one of self, other nonzero) as self's dtype, in place."""
        return self._result_("logical_xor", other)

    def logical_not_(self) -> Any:
        """self = (self == 0) as self's dtype, in place."""
        return self._result_("logical_not")

    def greater_(self, other: Any) -> Any:
        """``gt_``: self = (self > other) as self's dtype, in place."""
        return self.gt_(other)

    def greater_equal_(self, other: Any) -> Any:
        """``ge_``: self = (self >= other) as self's dtype, in place."""
        return self.ge_(other)

    def less_(self, other: Any) -> Any:
        """``lt_``: self = (self < other) as self's dtype, in place."""
        return self.lt_(other)

    def less_equal_(self, other: Any) -> Any:
        """``le_``: self = (self <= other) as self's dtype, in place."""
        return self.le_(other)

    def not_equal_(self, other: Any) -> Any:
        """``ne_``: self = (self != other) as self's dtype, in place."""
        return self.ne_(other)


def check_cast_back(what: str, result: Any, target: Any, advice: str) -> None:
    """DTypeError unless a result of dtype ``result`` may be stored in a ``target`` tensor
    by PyTorch's rule (``can_cast_back``: not float into int, nor int into bool). ``what``
    names the writer (``in-place div_``, ``addmm: alpha=1.5 with int64 tensors``) and
    ``advice`` says what to do instead."""
    result, target = np.dtype(result), np.dtype(target)
    if not can_cast_back(result, target):
        raise DTypeError(f"{what} cannot store the result in a {target} tensor: it has "
                         f"dtype {result}, and PyTorch refuses that cast too. {advice}")


def check_operand_held(name: str, operand: Any, dtype: Any) -> None:
    """``inplace_values.operand_held`` of ``operand``'s array (a tensor's) or ``operand``:
    a DTypeError for uint8 ``x.floor_divide_(-1)``, where PyTorch wraps -1 to 255 first."""
    value = operand.data if isinstance(operand, OperatorInplace) else operand
    operand_held(name, value, dtype)
