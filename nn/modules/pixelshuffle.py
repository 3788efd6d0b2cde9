"""PyTorch's ``torch.nn.modules.pixelshuffle``: its module classes that ``nn`` has, under that
path (``isinstance(m, nn.modules.pixelshuffle.PixelShuffle)``)."""

from .. import (PixelShuffle, PixelUnshuffle)

__all__ = ["PixelShuffle", "PixelUnshuffle"]
