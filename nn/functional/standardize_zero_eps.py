"""Standardisation at eps = 0 by PyTorch's native batch-norm rule, which ``instance_norm``
follows: where var + eps = 0 (a constant row with eps = 0) the inverse standard deviation
is taken as 0, so that row's x_hat is 0 and its gradients (first and second) are 0, where
1 / sqrt(0) would make them 0 * inf = NaN (``layer_norm`` and ``group_norm`` give NaN
there, as PyTorch's do).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd.extend import is_tensor, where

from .standardize import Standardize

__all__ = ["StandardizeZeroEps"]


class StandardizeZeroEps(Standardize):
    """x_hat = (x - mean) * s with s = 1 / sqrt(var + eps) where var + eps > 0, else
    s = 0 (NaN statistics stay NaN); dx = (g - mean(g) - x_hat mean(g x_hat)) * s, the
    means over ``axes``, as ``Standardize``."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.mean = x.mean(self.axes, keepdims=True)
        centred = x - self.mean
        self.var = (centred * centred).mean(self.axes, keepdims=True)
        self.inv_std = _inverse_std_or_zero(self.var + self.eps, self._zero_rows())
        return centred * self.inv_std

    def _zero_rows(self) -> np.ndarray:
        """Where var + eps is exactly 0 (a constant row at eps = 0)."""
        return self.var + self.eps == 0

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        if not is_tensor(x):  # an ordinary backward: the saved inv_std (0 on zero rows)
            return super().vjp(g, out, x)
        centred = x - x.mean(self.axes, keepdims=True)  # create_graph: s as a function of x
        inv_std = _inverse_std_or_zero(
            (centred * centred).mean(self.axes, keepdims=True) + self.eps, self._zero_rows())
        mean_g = g.mean(self.axes, keepdims=True)
        mean_g_out = (g * out).mean(self.axes, keepdims=True)
        return ((g - mean_g - out * mean_g_out) * inv_std,)


def _inverse_std_or_zero(variance: Any, zero: np.ndarray) -> Any:
    """1 / sqrt(variance), and 0 where ``zero`` holds (an array or a Tensor): the power
    sees 1 there, so that neither it nor its derivative is infinite (0 * inf = NaN)."""
    return where(zero, 0.0, where(zero, 1.0, variance) ** -0.5)
