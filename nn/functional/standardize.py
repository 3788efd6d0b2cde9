"""Standardisation as one op: the core of layer, batch, group and instance norm.

Written with autograd ops, x_hat = (x - mean) / sqrt(var + eps) took eight graph nodes
(mean, subtract, square, mean, add, power, multiply, and the sum the mean is made of);
this op is one, with the VJP PyTorch's native norms use. A transformer block has two
norms, so its graph shrinks by about fourteen nodes per block and step.

``StandardizeZeroEps`` is the same op at eps = 0 by PyTorch's native batch-norm rule,
which ``instance_norm`` follows: where var + eps = 0 (a constant row) the inverse standard
deviation is taken as 0, so that row's x_hat is 0 and its gradients (first and second)
are 0, where 1 / sqrt(0) would make them 0 * inf = NaN (``layer_norm`` and ``group_norm``
give NaN there, as PyTorch's do).
"""
from __future__ import annotations

from contextlib import nullcontext
from typing import Any

import numpy as np

from autograd import Function
from autograd.extend import is_tensor, where

__all__ = ["Standardize", "StandardizeZeroEps", "quiet_at_zero_eps"]


class Standardize(Function):
    """x_hat = (x - mean) / sqrt(var + eps), mean and biased var over ``axes`` (kept);
    dx = (g - mean(g) - x_hat mean(g x_hat)) / sqrt(var + eps), the means over ``axes``.

    After the forward the op holds the statistics: ``mean``, ``var`` (arrays with the
    reduced axes kept) and ``inv_std`` = 1 / sqrt(var + eps), which the VJP reads (batch
    norm reads the first two for its running averages)."""
    __slots__ = ("axes", "eps", "mean", "var", "inv_std")
    save_inputs = False  # the VJP reads x_hat (the output) and inv_std
    save_output = True

    def __init__(self, axes: tuple[int, ...], eps: float) -> None:
        self.axes, self.eps = axes, eps

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.mean = x.mean(self.axes, keepdims=True)
        centred = x - self.mean
        self.var = (centred * centred).mean(self.axes, keepdims=True)
        with quiet_at_zero_eps(self.eps):
            self.inv_std = self.inverse_std(self.var + self.eps)
            return centred * self.inv_std

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        inv_std = self.inv_std
        with quiet_at_zero_eps(self.eps):
            if is_tensor(x):  # create_graph: 1 / sqrt(var + eps) as a function of x
                centred = x - x.mean(self.axes, keepdims=True)
                inv_std = self.inverse_std(
                    (centred * centred).mean(self.axes, keepdims=True) + self.eps)
            mean_g = g.mean(self.axes, keepdims=True)
            mean_g_out = (g * out).mean(self.axes, keepdims=True)
            return ((g - mean_g - out * mean_g_out) * inv_std,)

    def inverse_std(self, variance: Any) -> Any:
        """1 / sqrt(variance) (var + eps: an array, or a Tensor under create_graph)."""
        return variance ** -0.5


class StandardizeZeroEps(Standardize):
    """``Standardize`` with s = 1 / sqrt(var + eps) where var + eps > 0, else s = 0 (NaN
    statistics stay NaN): x_hat = (x - mean) * s, dx = (g - mean(g) - x_hat mean(g x_hat))
    * s (see the module docstring)."""
    __slots__ = ()

    def inverse_std(self, variance: Any) -> Any:
        """1 / sqrt(variance), and 0 on the forward's constant rows (var + eps == 0): the
        power sees 1 there, so that neither it nor its derivative is infinite."""
        zero = self.var + self.eps == 0
        return where(zero, 0.0, where(zero, 1.0, variance) ** -0.5)


def quiet_at_zero_eps(eps: float) -> Any:
    """NumPy's warnings off where eps = 0 lets a constant row divide by 0 (its NaN is the
    answer, as PyTorch's, which warns nothing); nothing changes otherwise."""
    return np.errstate(divide="ignore", invalid="ignore") if eps == 0 else nullcontext()
