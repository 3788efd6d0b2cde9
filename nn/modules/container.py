"""PyTorch's ``torch.nn.modules.container``: its module classes that ``nn`` has, under that
path (``isinstance(m, nn.modules.container.Sequential)``)."""

from .. import (Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict)

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]
