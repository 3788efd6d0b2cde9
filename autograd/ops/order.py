"""The order-statistic ops with VJPs of their own: ``Lerp`` (a quantile between two
order statistics) and ``MedianAll`` (torch's ``median()``/``nanmedian()`` of every
element, whose gradient torch spreads over the tied elements).

The rest of the order statistics (``median(dim)``, ``cummax``...) read one element per
result: ``take_along_axis`` with the positions of ``order_positions``, whose gradient
goes back to that element.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from .generic import constant

__all__ = ["Lerp", "MedianAll", "lerp"]


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
