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
from .generic import constant, is_tensor, lift_like, where
from .indexing import pad

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
    dx_j = exp(x_j - out_j) R_j with R_j = sum_{i >= j} g_i exp(out_j - out_i), every
    factor at most 1 (out does not decrease along the axis), so any spread of out is
    exact (see ``_decayed_reverse_sum``). Where x_j = out_j = -inf (a leading -inf) or
    +inf, dx_j is NaN, as torch's; the other entries and their derivatives stay finite."""
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
        """exp(x_j - out_j) R_j on Tensors (recorded), R of ``_decayed_reverse_sum``.
        Where x_j = out_j = +-inf (a +inf, a leading -inf) dx_j is NaN, and so is its
        derivative in the g_i with an infinite out_i (i >= j), whose exp(x_j - out_i) is
        NaN; none reaches the other entries (in forward mode: the outputs that are
        infinite are NaN, the others finite)."""
        out, x = lift_like(g, out), lift_like(g, x)
        infinite = np.isinf(constant(out))
        undefined = infinite & (constant(x) == constant(out))
        running = where(undefined, 0.0, _decayed_reverse_sum(g, out, self.axis))
        nan_where_undefined = np.where(undefined, np.nan, 0.0).astype(constant(out).dtype)
        infinite_g = np.flip(np.cumsum(np.flip(where(infinite, g, 0.0), self.axis),
                                       axis=self.axis), self.axis)
        with np.errstate(invalid="ignore"):  # inf - inf at the undefined entries
            return np.exp(x - out) * running + nan_where_undefined * infinite_g

    def _part(self, log_g: Any, out: Any, x: Any) -> Any:
        """exp(x_j + log sum_{i >= j} exp(log_g_i - out_i)): the reversed running
        log-sum-exp of log_g - out."""
        with np.errstate(invalid="ignore", over="ignore"):  # -inf: a weight of 0
            shifted = np.flip(log_g - out, self.axis)
            reversed_sum = np.flip(_logcumsumexp(shifted, self.axis), self.axis)
            return np.exp(reversed_sum + x)


def _decayed_reverse_sum(g: Any, out: Any, axis: int) -> Any:
    """R_j = sum_{i >= j} g_i exp(out_j - out_i) along ``axis`` (out non-decreasing), by
    doubling: the step of size s = 1, 2, 4, ... adds exp(out_j - out_{j+s}) R_{j+s}, after
    which R_j holds the terms i < j + 2s. Linear in g; no factor exceeds 1."""
    size = np.shape(constant(out))[axis]
    total, step = g, 1
    while step < size:
        head = (slice(None),) * axis + (slice(None, size - step),)
        tail = (slice(None),) * axis + (slice(step, None),)
        widths = [(0, 0)] * total.ndim
        widths[axis] = (0, step)
        total = total + pad(_decay(out[head], out[tail]) * total[tail], widths, 0.0)
        step *= 2
    return total


def _decay(earlier: Any, later: Any) -> Any:
    """exp(earlier - later); 0 where both are the same infinity (out after a +inf, or a
    leading run of -inf), whose NaN would otherwise reach the gradient too."""
    values = constant(earlier)
    same_infinity = np.isinf(values) & (values == constant(later))
    with np.errstate(invalid="ignore"):  # inf - inf, replaced below
        gap = where(same_infinity, 0.0, earlier - later)
    return where(same_infinity, 0.0, np.exp(gap))


def _logcumsumexp(x: Any, axis: int) -> Any:
    return apply(LogCumsumExp(axis), x) if is_tensor(x) else LogCumsumExp(axis).forward(x)
