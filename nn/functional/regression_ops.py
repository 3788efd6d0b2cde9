"""The regression losses as fused ops: the squared error and Huber's loss of d = x - y,
each with its reduction, one graph node where the composition of a difference, a square
or an absolute value, a ``where`` and the reduction was four to eleven. The values are
the composition's, to the bit; the VJPs are written with operators, ``np.clip`` and
``where``, which run on Tensors too, so the gradients can be differentiated again."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Function
from autograd.errors import DTypeError
from autograd.extend import constant, is_tensor, where

from .fused import reduce_losses

__all__ = ["SquaredError", "Huber", "difference"]


def difference(x: np.ndarray, y: np.ndarray, op: str) -> np.ndarray:
    """x - y, or a named error for two boolean arrays (NumPy and PyTorch refuse those)."""
    if x.dtype == np.bool_ and y.dtype == np.bool_:
        raise DTypeError(f"{op}: input and target are both boolean, and a - b is not defined "
                         f"for boolean tensors (NumPy and PyTorch refuse it too). Convert "
                         f"first: input.astype(float).")
    return x - y


class SquaredError(Function):
    """out = (x - y)^2 per element, then reduced ("none", "sum" or "mean");
    dx = 2 g' (x - y),  dy = -dx, with g' = g, or g / size for "mean". One graph node
    where "mean" was four (difference, square, sum, division), with the same values."""
    __slots__ = ("reduction",)

    def __init__(self, reduction: str = "none") -> None:
        self.reduction = reduction

    def forward(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        diff = difference(x, y, "mse_loss")
        return reduce_losses(diff * diff, self.reduction)

    def vjp(self, g: Any, out: Any, x: Any, y: Any) -> tuple:
        if self.reduction == "mean":
            g = g / constant(x).size
        dx = (x - y) * (g * 2)
        need_x, need_y = self.needs_input_grad
        return (dx if need_x else None), (-dx if need_y else None)


class Huber(Function):
    """Huber's loss of d = x - y, per element then reduced ("none", "sum", "mean"):
    out = d^2 / 2 for |d| <= delta, delta (|d| - delta / 2) beyond;
    dx = g' clip(d, -delta, delta),  dy = -dx (g' as in ``SquaredError``). One node
    where "mean" was eleven. The second derivative is g' where |d| < delta, else 0: the
    kink |d| = delta takes the linear side, as PyTorch's double backward."""
    __slots__ = ("delta", "reduction")

    def __init__(self, delta: float, reduction: str = "none") -> None:
        self.delta, self.reduction = delta, reduction

    def forward(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        diff = difference(x, y, "huber_loss")
        size = np.abs(diff)
        with np.errstate(over="ignore", invalid="ignore"):  # the branch not taken
            losses = np.where(size <= self.delta, diff * diff * 0.5,
                              (size - 0.5 * self.delta) * self.delta)
        return reduce_losses(losses, self.reduction)

    def vjp(self, g: Any, out: Any, x: Any, y: Any) -> tuple:
        if self.reduction == "mean":
            g = g / constant(x).size
        dx = self._clipped(x - y) * g
        need_x, need_y = self.needs_input_grad
        return (dx if need_x else None), (-dx if need_y else None)

    def _clipped(self, diff: Any) -> Any:
        """clip(d, -delta, delta); on Tensors (create_graph) with slope 1 only where
        |d| < delta, so the kink takes the linear side (np.clip's slope there is 1)."""
        if not is_tensor(diff):
            return np.clip(diff, -self.delta, self.delta)
        inside = abs(constant(diff)) < self.delta
        return where(inside, diff, np.sign(constant(diff)) * self.delta)
