"""Layers that rearrange channels and pixels, with PyTorch's constructors and reprs:
``PixelShuffle``, ``PixelUnshuffle`` and ``ChannelShuffle`` (they call the functions of
``nn.functional.shuffle``; no parameters)."""

from __future__ import annotations

from typing import Any

from autograd import Tensor

from .functional.shuffle import channel_shuffle, check_factor, pixel_shuffle, pixel_unshuffle
from .module import Module

__all__ = ["PixelShuffle", "PixelUnshuffle", "ChannelShuffle"]


class PixelShuffle(Module):
    """PyTorch's ``nn.PixelShuffle(upscale_factor)``: (*, C r^2, H, W) -> (*, C, H r, W r)
    (``F.pixel_shuffle``), the upsampling step of a sub-pixel convolution."""

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = check_factor("PixelShuffle", "upscale_factor", upscale_factor)

    def forward(self, input: Any) -> Tensor:
        return pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """PyTorch's ``nn.PixelUnshuffle(downscale_factor)``: (*, C, H r, W r) ->
    (*, C r^2, H, W) (``F.pixel_unshuffle``), the inverse of ``PixelShuffle``."""

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = check_factor("PixelUnshuffle", "downscale_factor",
                                             downscale_factor)

    def forward(self, input: Any) -> Tensor:
        return pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"


class ChannelShuffle(Module):
    """PyTorch's ``nn.ChannelShuffle(groups)``: the channels of (N, C, *) input, in
    ``groups`` groups, interleaved (``F.channel_shuffle``), as in ShuffleNet."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = check_factor("ChannelShuffle", "groups", groups)

    def forward(self, input: Any) -> Tensor:
        return channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"
