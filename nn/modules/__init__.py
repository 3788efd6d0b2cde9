"""PyTorch's ``torch.nn.modules`` paths, for scripts that spell a class by its module
(``type(m) == nn.modules.conv.Conv2d``, ``isinstance(m, nn.modules.batchnorm._BatchNorm)``,
``nn.modules.loss._Loss``): each submodule holds the classes of PyTorch's submodule of
that name that ``nn`` has (the same objects as ``nn.Conv2d``...)."""

from . import (activation, adaptive, batchnorm, channelshuffle, container, conv, distance,
               dropout, flatten, fold, instancenorm, linear, loss, module, normalization,
               padding, pixelshuffle, pooling, rnn, sparse, transformer, upsampling, utils)

__all__ = ["activation", "adaptive", "batchnorm", "channelshuffle", "container", "conv",
           "distance", "dropout", "flatten", "fold", "instancenorm", "linear", "loss", "module",
           "normalization", "padding", "pixelshuffle", "pooling", "rnn", "sparse", "transformer",
           "upsampling", "utils"]
