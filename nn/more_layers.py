"""More layers with PyTorch's names and arguments: ``PairwiseDistance`` and
``CosineSimilarity`` (modules around ``F.pairwise_distance`` / ``F.cosine_similarity``)
and ``Bilinear`` (around ``F.bilinear``).

Every layer computes with autograd ops, so its gradients come from the engine.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor

from . import functional as F, init
from ._checks import flag, integer, real_number
from ._random import RNGLike, as_generator, reset_from
from .functional.vectors import check_distance_args
from .layers import factory_dtype, warn_wider_input
from .module import Module, Parameter

__all__ = ["PairwiseDistance", "CosineSimilarity", "Bilinear"]


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


class Bilinear(Module):
    """y = x1^T W[o] x2 + b[o] for each output o (PyTorch's ``nn.Bilinear``): ``weight``
    W has shape (out_features, in1_features, in2_features), ``bias`` b (out_features,).
    Both start as U(-1/sqrt(in1_features), 1/sqrt(in1_features)), as PyTorch's, drawn
    from ``rng`` (weight first)."""

    def __init__(self, in1_features: int, in2_features: int, out_features: int,
                 bias: bool = True, device: Any = None, dtype: Any = np.float64, *,
                 rng: RNGLike = None) -> None:
        super().__init__()
        dtype = factory_dtype("Bilinear", device, dtype)
        self.in1_features = integer("Bilinear", "in1_features", in1_features, minimum=1)
        self.in2_features = integer("Bilinear", "in2_features", in2_features, minimum=0)
        self.out_features = integer("Bilinear", "out_features", out_features, minimum=0)
        shape = (self.out_features, self.in1_features, self.in2_features)
        self.weight = Parameter(np.empty(shape, dtype))
        self.bias = Parameter(np.empty(self.out_features, dtype)) if bias else None
        self._dtype_warned = False  # DTypePromotionWarning: once per layer, as Linear
        reset_from(self, rng)

    def reset_parameters(self, rng: RNGLike = None) -> None:
        """Draw new initial values (weight first, then bias) from ``rng``."""
        generator = as_generator(rng)
        bound = 1.0 / math.sqrt(self.in1_features)
        init.uniform_(self.weight, -bound, bound, rng=generator)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound, rng=generator)

    def forward(self, input1: Any, input2: Any) -> Tensor:
        for x in (input1, input2):  # float64 data into a float32 layer: said once
            if not self._dtype_warned:
                warn_wider_input(self, x, self.weight.dtype)
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
