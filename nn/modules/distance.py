"""PyTorch's ``torch.nn.modules.distance``: its module classes that ``nn`` has, under that
path (``isinstance(m, nn.modules.distance.PairwiseDistance)``)."""

from .. import (PairwiseDistance, CosineSimilarity)

__all__ = ["PairwiseDistance", "CosineSimilarity"]
