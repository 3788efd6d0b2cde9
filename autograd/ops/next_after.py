"""``NextAfter``: the next float after x towards y (NumPy's ``nextafter``), PyTorch's
``torch.nextafter``; it moves x by at most one unit in the last place, so its gradient
is PyTorch's: 1 in x (0 where x = y, where the result is y), 0 in y."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from .generic import constant

__all__ = ["NextAfter"]


class NextAfter(Function):
    """out = nextafter(x, y);  dx = g [x != y], dy = 0."""
    __slots__ = ()

    def forward(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.nextafter(x, y)

    def vjp(self, g: Any, out: Any, x: Any, y: Any) -> tuple:
        moved = (constant(x) != constant(y)).astype(constant(g).dtype)
        return (g * moved, g * 0 if self.needs_input_grad[1] else None)
