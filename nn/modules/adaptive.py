"""PyTorch's ``torch.nn.modules.adaptive``: its module classes that ``nn`` has, under that
path (``isinstance(m, nn.modules.adaptive.AdaptiveLogSoftmaxWithLoss)``)."""

from .. import (AdaptiveLogSoftmaxWithLoss)

__all__ = ["AdaptiveLogSoftmaxWithLoss"]
