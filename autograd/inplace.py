"""In-place operators: ``+= -= *= /=``, ``zero_()`` and ``fill_()`` write into a tensor's
array without recording anything.

They are allowed only where they cannot bypass the graph: on tensors that do not require
grad, or under ``no_grad()`` (optimizer updates). Every write stamps the written memory
with the time of the write (``clock.record_write``), so a backward pass can tell that an
array an op reads was changed after the op's output was created, and refuse
(``InplaceError``), whichever tensor (a view, a detached copy) the write went through.
Assigning ``.data`` is the documented untracked escape hatch; it stamps the new array, so
a graph built before it refuses too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .clock import record_write
from .errors import DTypeError, InplaceError, ShapeError, UsageError
from .grad_mode import STATE

__all__ = ["InplaceOps", "check_writable"]


def _assign(array: np.ndarray, value: Any, out: np.ndarray) -> None:
    """``out[...] = value`` shaped like a ufunc for ``_inplace`` (x * 0 + v would keep NaN/inf)."""
    np.copyto(out, value, casting="same_kind")


_assign.__name__ = "fill_"
_SYMBOL = {np.add: "+", np.subtract: "-", np.multiply: "*", np.true_divide: "/",
           _assign: "* 0 +"}


def check_writable(array: np.ndarray, what: str) -> None:
    """UsageError if ``array`` is read-only, e.g. the broadcast gradient a hook gets from
    ``sum`` (NumPy's ValueError would have read as a ShapeError)."""
    if not array.flags.writeable:
        raise UsageError(
            f"{what} into a read-only array of shape {array.shape} (a broadcast, such as "
            f"the gradient a hook gets from a sum, or an array NumPy marked read-only). "
            f"Compute a new tensor instead (g = g * 2, and return it from a hook), or "
            f"copy first (t = t.clone()).")


class InplaceOps:
    """The in-place methods of ``Tensor`` (a mixin: Tensor is the only subclass)."""

    __slots__ = ()

    def _inplace(self, ufunc: Any, other: Any) -> Any:
        operand = isinstance(other, InplaceOps)
        if STATE.grad_enabled and (self._requires_grad or (operand and other._requires_grad)):
            raise InplaceError(
                f"in-place {ufunc.__name__} on a tensor that requires grad (or with an operand "
                f"that does) would bypass the graph. Write x = x {_SYMBOL[ufunc]} y instead, "
                f"or do the update under autograd.no_grad().")
        check_writable(self.data, f"in-place {ufunc.__name__}")
        try:
            ufunc(self.data, other.data if operand else other, out=self.data)
        except TypeError as exc:  # numpy's casting errors
            raise DTypeError(f"in-place {ufunc.__name__} cannot store the result in a "
                             f"{self.dtype} tensor: {exc}") from None
        except ValueError as exc:
            raise ShapeError(f"in-place {ufunc.__name__}: {exc}") from None
        record_write(self.data)
        return self

    def __iadd__(self, other: Any) -> Any:
        return self._inplace(np.add, other)

    def __isub__(self, other: Any) -> Any:
        return self._inplace(np.subtract, other)

    def __imul__(self, other: Any) -> Any:
        return self._inplace(np.multiply, other)

    def __itruediv__(self, other: Any) -> Any:
        return self._inplace(np.true_divide, other)

    def zero_(self) -> Any:
        """Set every element to 0 in place (untracked; see the module docstring)."""
        return self._inplace(_assign, 0)

    def fill_(self, value: float) -> Any:
        """Set every element to ``value`` in place."""
        return self._inplace(_assign, value)
