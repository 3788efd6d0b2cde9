"""PyTorch's ``torch.nn.modules.normalization``: its module classes that ``nn`` has, under that
path (``isinstance(m, nn.modules.normalization.LocalResponseNorm)``)."""

from .. import (LocalResponseNorm, LayerNorm, GroupNorm, RMSNorm)

__all__ = ["LocalResponseNorm", "LayerNorm", "GroupNorm", "RMSNorm"]
