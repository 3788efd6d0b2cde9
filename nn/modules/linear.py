"""PyTorch's ``torch.nn.modules.linear``: its module classes that ``nn`` has, under that
path (``isinstance(m, nn.modules.linear.Bilinear)``)."""

from .. import (Bilinear, Identity, LazyLinear, Linear)

__all__ = ["Bilinear", "Identity", "LazyLinear", "Linear"]
