"""PyTorch's ``torch.nn.modules.channelshuffle``: its module classes that ``nn`` has, under that
path (``isinstance(m, nn.modules.channelshuffle.ChannelShuffle)``)."""

from .. import (ChannelShuffle)

__all__ = ["ChannelShuffle"]
