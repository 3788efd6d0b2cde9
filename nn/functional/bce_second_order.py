"""The first derivative of binary cross-entropy in its input, as an op of its own, for
``create_graph=True``: its derivatives are PyTorch's double backward
(``binary_cross_entropy_double_backward``), which do not differentiate through the floor
of the denominator (that gave 1 / eps = 1e12 at p = 0 or 1, where PyTorch gives 0)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Function

__all__ = ["BinaryCrossEntropyInputGrad"]


class BinaryCrossEntropyInputGrad(Function):
    """out = (p - y) / max(p (1 - p), eps), BCE's d/dp for a unit upstream gradient;
    dp = g (p^2 - 2 p y + y) / ((p + eps)^2 (1 - p + eps)^2), the exact derivative with
    eps added to each factor (0 at p = y = 0 or 1, as PyTorch's),
    dy = -g / max(p (1 - p), eps)."""
    __slots__ = ("eps",)

    def __init__(self, eps: float) -> None:
        self.eps = eps

    def forward(self, p: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (p - y) / np.maximum(p * (1 - p), self.eps)

    def vjp(self, g: Any, out: Any, p: Any, y: Any) -> tuple:
        eps = self.eps
        need_p, need_y = self.needs_input_grad
        dp = (g * (p * p - 2 * p * y + y) / ((p + eps) ** 2 * (1 - p + eps) ** 2)
              if need_p else None)
        dy = -g / np.maximum(p * (1 - p), eps) if need_y else None
        return dp, dy
