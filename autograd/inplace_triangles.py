"""PyTorch's in-place triangles ``tril_(diagonal=0)`` and ``triu_(diagonal=0)``: what is
above (below) diagonal ``k`` of the last two axes set to 0 (False). Attention masks are
built with them (``torch.ones(T, T, dtype=torch.bool).tril_()``, then ``.triu_(-w)`` for
a sliding window of w). A base of ``inplace.InplaceOps``, whose ``_write`` they use, so
the in-place rules hold (refused on a leaf that requires grad while recording, recorded
as ``tril``/``triu`` on a computed tensor)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["TriangleInplace"]


class TriangleInplace:
    """``tril_`` and ``triu_`` (a mixin under ``InplaceOps``)."""

    __slots__ = ()

    def tril_(self, diagonal: int = 0) -> Any:
        """self = tril(self, diagonal): elements above diagonal k zeroed, in place."""
        return self._triangle_("tril", diagonal)

    def triu_(self, diagonal: int = 0) -> Any:
        """self = triu(self, diagonal): elements below diagonal k zeroed, in place."""
        return self._triangle_("triu", diagonal)

    def _triangle_(self, name: str, diagonal: int) -> Any:
        kept = getattr(self.detach(), name)(diagonal).data  # checks diagonal and ndim

        def write(out: np.ndarray) -> None:
            out[...] = kept

        return self._write(f"{name}_", f"x = x.{name}({diagonal})", write,
                           recorded=lambda: getattr(self, name)(diagonal))
