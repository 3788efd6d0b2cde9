"""PyTorch's ``torch.nn.modules.batchnorm``: its module classes that ``nn`` has, under that
path (``isinstance(m, nn.modules.batchnorm.BatchNorm1d)``)."""

from .. import (BatchNorm1d, BatchNorm2d, BatchNorm3d, LazyBatchNorm1d, LazyBatchNorm2d,
                LazyBatchNorm3d)
from ..normalization import _BatchNorm
from ..normalization import _NormBase
from ..sync_batchnorm import SyncBatchNorm

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LazyBatchNorm1d", "LazyBatchNorm2d",
           "LazyBatchNorm3d", "_BatchNorm", "_NormBase", "SyncBatchNorm"]
