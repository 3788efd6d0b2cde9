"""PyTorch's ``torch.nn.modules.fold``: its module classes that ``nn`` has, under that
path (``isinstance(m, nn.modules.fold.Fold)``)."""

from .. import (Fold, Unfold)

__all__ = ["Fold", "Unfold"]
