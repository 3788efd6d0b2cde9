"""PyTorch's in-place powers: ``rsqrt_`` (HF's Adafactor: ``(row / row.mean(dim=-1,
keepdim=True)).rsqrt_()``), ``square_``, ``pow_`` and ``reciprocal_``. A base of
``inplace.InplaceOps``, whose ``_math_`` it uses, so the in-place rules of that module
hold (refused on a leaf that requires grad while recording, recorded on a computed
tensor, stamped)."""

from __future__ import annotations

from typing import Any

__all__ = ["PowerInplace"]


class PowerInplace:
    """``rsqrt_ square_ pow_ reciprocal_`` (a mixin under ``InplaceOps``)."""

    __slots__ = ()

    def rsqrt_(self) -> Any:
        """self = 1 / sqrt(self), in place (inf at 0 and NaN below it, as PyTorch)."""
        return self._math_("rsqrt")

    def square_(self) -> Any:
        """self = self ** 2, in place."""
        return self._math_("square")

    def pow_(self, exponent: Any) -> Any:
        """self = self ** exponent, in place."""
        return self._math_("pow", exponent)

    def reciprocal_(self) -> Any:
        """self = 1 / self, in place."""
        return self._math_("reciprocal")
