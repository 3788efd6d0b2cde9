"""PyTorch's in-place powers: ``rsqrt_`` (HF's Adafactor: ``(row / row.mean(dim=-1,
keepdim=True)).rsqrt_()``), ``square_``, ``pow_`` and ``reciprocal_``. A base of
``inplace.InplaceOps``, whose ``_math_`` it uses, so the in-place rules of that module
hold (refused on a leaf that requires grad while recording, recorded on a computed
tensor, stamped)."""

from __future__ import annotations

from typing import Any

import numpy as np

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
        """self = self ** exponent, in place. A bool tensor takes a bool exponent, as
        PyTorch's: x ** True = x, x ** False = True (0 ** 0 = 1), i.e. x or not exponent;
        another exponent gives no bool and is refused, as PyTorch refuses it."""
        if self.dtype == np.bool_ and isinstance(exponent, (bool, np.bool_)):
            return self._write("pow_", "x = x | (not exponent)",
                               lambda out: np.logical_or(out, not exponent, out=out))
        return self._math_("pow", exponent)

    def reciprocal_(self) -> Any:
        """self = 1 / self, in place."""
        return self._math_("reciprocal")
