"""PyTorch's in-place ``clamp_min_(min)`` and ``clamp_max_(max)`` (HGCN's hyperbolic
``(z + sqrt(1 + z ** 2)).clamp_min_(1e-15).log_()``). A base of ``inplace.InplaceOps``,
whose ``clamp_`` they call, so the in-place rules of that module hold."""

from __future__ import annotations

from typing import Any

__all__ = ["ClampInplace"]


class ClampInplace:
    """``clamp_min_`` and ``clamp_max_`` (a mixin under ``InplaceOps``)."""

    __slots__ = ()

    def clamp_min_(self, min: Any) -> Any:  # noqa: A002
        """self = max(self, min), in place."""
        return self.clamp_(min=min)

    def clamp_max_(self, max: Any) -> Any:  # noqa: A002
        """self = min(self, max), in place."""
        return self.clamp_(max=max)
