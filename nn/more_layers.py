"""More layers with PyTorch's names and arguments: ``PairwiseDistance`` and
``CosineSimilarity`` (modules around ``F.pairwise_distance`` / ``F.cosine_similarity``).

Every layer computes with autograd ops, so its gradients come from the engine.
"""
from __future__ import annotations

from typing import Any

from autograd import Tensor

from . import functional as F
from ._checks import flag, integer, real_number
from .functional.vectors import check_distance_args
from .module import Module

__all__ = ["PairwiseDistance", "CosineSimilarity"]


class PairwiseDistance(Module):
    """||x1 - x2 + eps||_p along the last axis, ``F.pairwise_distance`` as a module
    (PyTorch's ``nn.PairwiseDistance``; its repr too, without arguments)."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm, self.eps = check_distance_args("PairwiseDistance", p, eps)  # torch's names
        self.keepdim = flag("PairwiseDistance", "keepdim", keepdim)

    def forward(self, x1: Any, x2: Any) -> Tensor:
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


class CosineSimilarity(Module):
    """The cosine similarity of x1 and x2 along ``dim``, ``F.cosine_similarity`` as a
    module (PyTorch's ``nn.CosineSimilarity``; its repr too, without arguments)."""

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim = integer("CosineSimilarity", "dim", dim)
        self.eps = real_number("CosineSimilarity", "eps", eps, minimum=0)

    def forward(self, x1: Any, x2: Any) -> Tensor:
        return F.cosine_similarity(x1, x2, self.dim, self.eps)
