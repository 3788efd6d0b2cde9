"""PyTorch's in-place forms of methods that exist out of place here: ``clip_`` (NumPy's
name of ``clamp_``), ``addmm_`` and ``baddbmm_`` (``clamp_min_ clamp_max_`` are in
``inplace_clamps``). A base of ``inplace.InplaceOps``, whose ``_math_`` they use, so the
in-place rules of that module hold (refused on a leaf that requires grad while recording,
recorded on a computed tensor, stamped)."""

from __future__ import annotations

from typing import Any

__all__ = ["AliasInplace"]


class AliasInplace:
    """``clip_ addmm_ baddbmm_`` (a mixin under ``InplaceOps``)."""

    __slots__ = ()

    def clip_(self, min: Any = None, max: Any = None) -> Any:  # noqa: A002
        """``clamp_``: self limited to [min, max], in place."""
        return self.clamp_(min, max)

    def addmm_(self, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
        """self = beta self + alpha mat1 @ mat2, in place."""
        return self._math_("addmm", mat1, mat2, beta=beta, alpha=alpha)

    def baddbmm_(self, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
        """self = beta self + alpha batch1 @ batch2 (batched), in place."""
        return self._math_("baddbmm", batch1, batch2, beta=beta, alpha=alpha)
