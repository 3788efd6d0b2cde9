"""PyTorch's ``torch.nn.modules.dropout``: its module classes that ``nn`` has, under that
path (``isinstance(m, nn.modules.dropout.Dropout)``)."""

from .. import (Dropout, Dropout1d, Dropout2d, Dropout3d, AlphaDropout, FeatureAlphaDropout)

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]
