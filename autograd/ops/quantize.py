"""Fake quantization (quantization-aware training): round to an affine integer grid and
back, with the straight-through gradient.

The scale is a float32 number (as in PyTorch's quantized tensors) and the rounding
decision is PyTorch's: ``q = round(x * (1 / scale)) + zero_point`` with the reciprocal
taken in float32, halves to even, so the same inputs land in the same bins in both
libraries. The output ``(clip(q) - zero_point) * scale`` is computed in x's dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from .elementwise import masked
from .generic import constant

__all__ = ["FakeQuantizeAffine"]


class FakeQuantizeAffine(Function):
    """out = (clip(q, qmin, qmax) - z) s with q = round(x / s) + z;
    dx = g [qmin <= q <= qmax] (straight through inside the grid, 0 where clipped, and 0
    where q is undefined: x = 0 with s = 0, as PyTorch's).

    ``scale`` and ``zero_point`` (integers, or floats added before rounding) are arrays
    broadcasting against x (a per-channel quantizer shapes them along its axis); they are
    op state, never graph inputs."""
    __slots__ = ("scale", "inverse_scale", "zero_point", "quant_min", "quant_max")

    def __init__(self, scale: np.ndarray, zero_point: np.ndarray, quant_min: int,
                 quant_max: int) -> None:
        self.scale = np.asarray(scale, dtype=np.float32)
        with np.errstate(divide="ignore"):  # s = 0: 1 / s = inf, as PyTorch's
            self.inverse_scale = np.float32(1.0) / self.scale
        zero_point = np.asarray(zero_point)  # integers, or float32 (PyTorch's float mode)
        self.zero_point = zero_point.astype(np.float32 if zero_point.dtype.kind == "f"
                                            else np.int64)
        self.quant_min, self.quant_max = int(quant_min), int(quant_max)

    def _levels(self, x: np.ndarray) -> np.ndarray:
        """q = round(x / s) + z (round(x / s + z) for a float z), unclipped, in x's dtype
        (NaN for x = 0 with s = 0)."""
        with np.errstate(invalid="ignore"):  # s = 0: x / s is 0 * inf at x = 0
            scaled = x * self.inverse_scale.astype(x.dtype)
        zero_point = self.zero_point
        if zero_point.dtype.kind == "f":
            return np.round(scaled + zero_point.astype(x.dtype))
        return np.round(scaled) + zero_point.astype(x.dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """With s = 0, x / s is +-inf (clipped to an end of the grid) and 0 / 0 is taken
        as quant_min, as PyTorch's kernel does, so the output (q - z) s is 0, not NaN; a
        NaN x gives NaN."""
        levels = self._levels(x)
        levels = np.where(np.isnan(levels) & ~np.isnan(x), self.quant_min, levels)
        levels = np.clip(levels, self.quant_min, self.quant_max)
        return (levels - self.zero_point.astype(x.dtype)) * self.scale.astype(x.dtype)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        levels = self._levels(constant(x))
        return (masked(g, (levels >= self.quant_min) & (levels <= self.quant_max)),)
