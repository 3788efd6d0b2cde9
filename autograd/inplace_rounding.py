"""PyTorch's in-place rounding (``floor_ ceil_ round_``) and comparison (``ge_ gt_ le_ lt_
eq_ ne_``) methods: stochastic depth as timm writes it binarises its keep mask with
``(keep_prob + torch.rand(shape)).floor_()``. A base of ``inplace.InplaceOps``, whose
``_math_`` and ``_write`` they use, so the in-place rules of that module hold (refused on
a leaf that requires grad while recording, recorded on a computed tensor, stamped)."""

from __future__ import annotations

from typing import Any

from .inplace_operators import check_operand_held
from .inplace_shapes import store_update

__all__ = ["RoundingInplace"]


class RoundingInplace:
    """``floor_ ceil_ round_ ge_ gt_ le_ lt_ eq_ ne_`` (a mixin under ``InplaceOps``)."""

    __slots__ = ()

    def floor_(self) -> Any:
        """self = floor(self), in place (integer tensors unchanged)."""
        return self._math_("floor")

    def ceil_(self) -> Any:
        """self = ceil(self), in place (integer tensors unchanged)."""
        return self._math_("ceil")

    def round_(self, decimals: int = 0) -> Any:
        """self rounded to ``decimals`` places (halves to even, as PyTorch), in place."""
        return self._math_("round", decimals=decimals)  # (Round checks decimals is an int)

    def ge_(self, other: Any) -> Any:
        """self = (self >= other) as self's dtype (1 or 0), in place."""
        return self._compare_("ge", other)

    def gt_(self, other: Any) -> Any:
        """self = (self > other) as self's dtype, in place."""
        return self._compare_("gt", other)

    def le_(self, other: Any) -> Any:
        """self = (self <= other) as self's dtype, in place."""
        return self._compare_("le", other)

    def lt_(self, other: Any) -> Any:
        """self = (self < other) as self's dtype, in place."""
        return self._compare_("lt", other)

    def eq_(self, other: Any) -> Any:
        """self = (self == other) as self's dtype, in place."""
        return self._compare_("eq", other)

    def ne_(self, other: Any) -> Any:
        """self = (self != other) as self's dtype, in place."""
        return self._compare_("ne", other)

    def _compare_(self, name: str, other: Any) -> Any:
        """The booleans of ``self.<name>(other)`` written into self as its dtype's 1 and 0
        (recorded as a constant: a comparison has no gradient). An integer ``other`` an
        integer self's dtype cannot hold is refused (``check_operand_held``: PyTorch
        compares with it wrapped, uint8 ``x.lt_(-1)`` as x < 255)."""
        check_operand_held(name, other, self.dtype)

        def write(out: Any) -> None:
            store_update(f"{name}_", out, getattr(self.detach(), name)(other).data)

        return self._write(f"{name}_", f"x = x.{name}(y).to(x.dtype)", write, other,
                           recorded=lambda: getattr(self.detach(), name)(other)
                           .astype(self.dtype))
