"""PyTorch's ``torch.nn.modules.instancenorm``: its module classes that ``nn`` has, under that
path (``isinstance(m, nn.modules.instancenorm.InstanceNorm1d)``)."""

from .. import (InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, LazyInstanceNorm1d,
                LazyInstanceNorm2d, LazyInstanceNorm3d)
from ..normalization import _InstanceNorm

__all__ = ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "LazyInstanceNorm1d",
           "LazyInstanceNorm2d", "LazyInstanceNorm3d", "_InstanceNorm"]
