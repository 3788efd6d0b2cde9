"""PyTorch's in-place ``rsqrt_`` (HF's Adafactor: ``(row / row.mean(dim=-1,
keepdim=True)).rsqrt_()``). A base of ``inplace.InplaceOps``, whose ``_math_`` it uses,
so the in-place rules of that module hold (refused on a leaf that requires grad while
recording, recorded on a computed tensor, stamped)."""

from __future__ import annotations

from typing import Any

__all__ = ["PowerInplace"]


class PowerInplace:
    """``rsqrt_`` (a mixin under ``InplaceOps``)."""

    __slots__ = ()

    def rsqrt_(self) -> Any:
        """self = 1 / sqrt(self), in place (inf at 0 and NaN below it, as PyTorch)."""
        return self._math_("rsqrt")
