"""PyTorch's ``torch.nn.modules.upsampling``: its module classes that ``nn`` has, under that
path (``isinstance(m, nn.modules.upsampling.Upsample)``)."""

from .. import (Upsample, UpsamplingNearest2d, UpsamplingBilinear2d)

__all__ = ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"]
