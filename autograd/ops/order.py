"""The order-statistic ops with VJPs of their own: ``Lerp`` (a quantile between two
order statistics; ``LerpWeight`` when q requires grad), ``MedianAll`` (torch's
``median()``/``nanmedian()`` of every element, whose gradient torch spreads over the
tied elements) and ``LogCumsumExp``.

The rest of the order statistics (``median(dim)``, ``kthvalue``, ``mode``,
``cummax``...) read one element per result: ``take_along_axis`` with the positions of
``order_positions``, whose gradient goes back to that element.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function, apply
from .generic import constant, is_tensor, where

__all__ = ["Lerp", "LerpWeight", "MedianAll", "LogCumsumExp", "lerp"]


def lerp(a: np.ndarray, b: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """a + w (b - a) for w < 1/2, b - (1 - w) (b - a) otherwise: the formula NumPy's
    quantile and torch's lerp share (exact at w = 0 and w = 1 for finite a, b)."""
    with np.errstate(invalid="ignore"):  # inf - inf: NaN, as in both libraries
        difference = b - a
        return np.where(weight < 0.5, a + difference * weight,
                        b - difference * (1 - weight))


class Lerp(Function):
    """out = lerp(a, b, w) with the constant weights w (op state);  da = g (1 - w),
    db = g w."""
    __slots__ = ("weight",)
    save_inputs = False

    def __init__(self, weight: np.ndarray) -> None:
        self.weight = weight

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return lerp(a, b, self.weight)

    def vjp(self, g: Any, out: Any, a: Any, b: Any) -> tuple:
        return g * (1 - self.weight), g * self.weight


class LerpWeight(Function):
    """out = lerp(a, b, w) with the weights w an input (a quantile whose q requires
    grad);  da = g (1 - w), db = g w, dw = g (b - a)."""
    __slots__ = ()

    def forward(self, a: np.ndarray, b: np.ndarray, weight: np.ndarray) -> np.ndarray:
        return lerp(a, b, weight)

    def vjp(self, g: Any, out: Any, a: Any, b: Any, weight: Any) -> tuple:
        with np.errstate(invalid="ignore"):  # inf - inf: NaN, as in both libraries
            return g * (1 - weight), g * weight, g * (b - a)


class MedianAll(Function):
    """out = the lower median of all elements, sorted[(n - 1) // 2] (NaN if one is NaN;
    with ``skip_nan`` the lower median of the others);  dx = g spread evenly over the
    elements equal to out (over the NaNs when out is NaN), as torch's
    ``evenly_distribute_backward``. Of no element: NaN."""
    __slots__ = ("skip_nan",)
    save_output = True

    def __init__(self, skip_nan: bool) -> None:
        self.skip_nan = skip_nan

    def forward(self, x: np.ndarray) -> np.ndarray:
        values = x.reshape(-1)
        if values.dtype.kind == "f":
            nan = np.isnan(values)
            if nan.any() and not self.skip_nan:
                return np.array(np.nan, dtype=x.dtype)
            values = values[~nan]
        if values.size == 0:
            return np.array(np.nan, dtype=x.dtype if x.dtype.kind == "f" else np.float64)
        k = (values.size - 1) // 2
        return np.array(np.partition(values, k)[k])

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        x, out = constant(x), constant(out)
        hits = np.isnan(x) if np.isnan(out) else x == out
        with np.errstate(invalid="ignore", divide="ignore"):  # no element: nothing to share
            share = hits / hits.sum()
        return (g * share.astype(x.dtype, copy=False),)


class LogCumsumExp(Function):
    """out_i = log sum_{j <= i} exp(x_j) along ``axis`` (``np.logaddexp.accumulate``:
    no overflow, -inf stays -inf);  dx_j = sum_{i >= j} g_i exp(x_j - out_i). On arrays it
    is summed in log space, the positive and the negative g apart (stable for large x).
    Recorded (create_graph, forward mode, Hessians) it is written linear in g: forward
    mode differentiates it in g at g = 0, where the sign split has no derivative. There
    dx_j = exp(x_j - c) sum_{i >= j} g_i exp(c - out_i), c the largest finite out along
    the axis (a constant: the product does not depend on it), the reverse of PyTorch's
    forward-mode formula, exact while out spans less than ~700 along the axis (NaN
    beyond). Where x_j = out_i = -inf (a leading -inf) or +inf, exp(x_j - out_i) is
    NaN, as torch's."""
    __slots__ = ("axis",)
    save_output = True

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", over="ignore"):  # inf meeting -inf: NaN
            return np.logaddexp.accumulate(x, axis=self.axis)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        if is_tensor(g):
            return (self._linear(g, out, x),)
        lowest = float(np.finfo(constant(x).dtype).min)  # log 0, kept finite
        magnitude = abs(g)
        nonzero = constant(magnitude) > 0
        with np.errstate(divide="ignore"):
            log_size = np.log(where(nonzero, magnitude, 1.0))
        positive, negative = constant(g) > 0, constant(g) < 0
        return (self._part(where(positive, log_size, lowest), out, x)
                - self._part(where(negative, log_size, lowest), out, x),)

    def _linear(self, g: Any, out: Any, x: Any) -> Any:
        """exp(x_j - c) sum_{i >= j} g_i exp(c - out_i) on Tensors (recorded), with
        c = the largest finite out along the axis (0 if none)."""
        values = constant(out)
        with np.errstate(invalid="ignore", over="ignore"):  # -inf - -inf, +inf: NaN
            c = np.where(np.isfinite(values), values, -np.inf).max(
                axis=self.axis, keepdims=True, initial=-np.inf)
            c = np.where(np.isfinite(c), c, 0.0).astype(values.dtype, copy=False)
            weighted = np.flip(g * np.exp(c - out), self.axis)
            return np.exp(x - c) * np.flip(np.cumsum(weighted, axis=self.axis), self.axis)

    def _part(self, log_g: Any, out: Any, x: Any) -> Any:
        """exp(x_j + log sum_{i >= j} exp(log_g_i - out_i)): the reversed running
        log-sum-exp of log_g - out."""
        with np.errstate(invalid="ignore", over="ignore"):  # -inf: a weight of 0
            shifted = np.flip(log_g - out, self.axis)
            reversed_sum = np.flip(_logcumsumexp(shifted, self.axis), self.axis)
            return np.exp(reversed_sum + x)


def _logcumsumexp(x: Any, axis: int) -> Any:
    return apply(LogCumsumExp(axis), x) if is_tensor(x) else LogCumsumExp(axis).forward(x)
