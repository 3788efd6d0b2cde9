"""PyTorch's ``torch.nn.modules.normalization``: its module classes that ``nn`` has, under that
path (``isinstance(m, nn.modules.normalization.LocalResponseNorm)``)."""

from .. import (CrossMapLRN2d, LocalResponseNorm, LayerNorm, GroupNorm, RMSNorm)

__all__ = ["CrossMapLRN2d", "LocalResponseNorm", "LayerNorm", "GroupNorm", "RMSNorm"]
