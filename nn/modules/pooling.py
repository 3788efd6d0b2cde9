"""PyTorch's ``torch.nn.modules.pooling``: its module classes that ``nn`` has, under that
path (``isinstance(m, nn.modules.pooling.MaxPool1d)``)."""

from .. import (MaxPool1d, MaxPool2d, MaxPool3d, MaxUnpool1d, MaxUnpool2d, MaxUnpool3d, AvgPool1d,
               AvgPool2d, AvgPool3d, LPPool1d, LPPool2d, LPPool3d, AdaptiveMaxPool1d,
               AdaptiveMaxPool2d, AdaptiveMaxPool3d, AdaptiveAvgPool1d, AdaptiveAvgPool2d,
               AdaptiveAvgPool3d, FractionalMaxPool2d, FractionalMaxPool3d)

__all__ = ["MaxPool1d", "MaxPool2d", "MaxPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d",
           "AvgPool1d", "AvgPool2d", "AvgPool3d", "LPPool1d", "LPPool2d", "LPPool3d",
           "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "AdaptiveAvgPool1d",
           "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "FractionalMaxPool2d",
           "FractionalMaxPool3d"]
