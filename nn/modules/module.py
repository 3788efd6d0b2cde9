"""PyTorch's ``torch.nn.modules.module``: its module classes that ``nn`` has, under that
path (``isinstance(m, nn.modules.module.Module)``)."""

from .. import (Module)

__all__ = ["Module"]
