"""Upsampling layers with PyTorch's constructors and reprs: ``Upsample``,
``UpsamplingNearest2d`` and ``UpsamplingBilinear2d`` (they call ``F.interpolate``)."""

from __future__ import annotations

import numbers
from typing import Any

from autograd import Tensor

from .errors import ArgumentTypeError, ConfigError
from .functional.upsampling import INTERPOLATION_MODES, interpolate
from .module import Module

__all__ = ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"]


class Upsample(Module):
    """PyTorch's ``nn.Upsample``: ``F.interpolate(x, size, scale_factor, mode,
    align_corners, recompute_scale_factor)`` on (N, C, L) or (N, C, H, W) input. Give
    ``size`` or ``scale_factor`` (kept as a float, or a tuple of floats, as PyTorch);
    ``mode`` "nearest" (the default), "nearest-exact", "linear", "bilinear", "bicubic",
    "trilinear" or "area", checked when built."""

    def __init__(self, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                 align_corners: bool | None = None,
                 recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        name = type(self).__name__
        if mode not in INTERPOLATION_MODES:
            raise ConfigError(f"{name}: mode must be one of {INTERPOLATION_MODES}, as "
                              f"PyTorch's; got mode={mode!r}")
        self.name = name
        self.size = size
        factors = scale_factor if isinstance(scale_factor, (tuple, list)) else (scale_factor,)
        if scale_factor is not None and not all(
                isinstance(f, numbers.Real) and not isinstance(f, bool) for f in factors):
            raise ArgumentTypeError(f"{name}: scale_factor must be a number or a tuple of "
                                    f"numbers; got {scale_factor!r}")
        if isinstance(scale_factor, (tuple, list)):
            self.scale_factor: Any = tuple(float(factor) for factor in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Any) -> Tensor:
        return interpolate(input, self.size, self.scale_factor, self.mode,
                           self.align_corners, self.recompute_scale_factor)

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            return f"scale_factor={self.scale_factor!r}, mode={self.mode!r}"
        return f"size={self.size!r}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """PyTorch's ``nn.UpsamplingNearest2d``: ``Upsample(size, scale_factor,
    mode="nearest")``."""

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """PyTorch's ``nn.UpsamplingBilinear2d``: ``Upsample(size, scale_factor,
    mode="bilinear", align_corners=True)``."""

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
