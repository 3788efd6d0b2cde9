"""PyTorch's ``torch.nn.modules.flatten``: its module classes that ``nn`` has, under that
path (``isinstance(m, nn.modules.flatten.Flatten)``)."""

from .. import (Flatten, Unflatten)

__all__ = ["Flatten", "Unflatten"]
