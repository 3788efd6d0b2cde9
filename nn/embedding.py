"""``Embedding``: a lookup table of learned vectors, one row per integer index (PyTorch's
``nn.Embedding``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from autograd.errors import DTypeError, ShapeError

from . import init
from ._checks import flag, integer
from ._random import RNGLike, as_generator
from .functional.embedding import (SPARSE_ADVICE, check_max_norm, check_norm_type,
                                   check_padding_idx, embedding)
from .layers import float_dtype
from .module import Module, Parameter

__all__ = ["Embedding"]


class Embedding(Module):
    """``weight`` of shape (num_embeddings, embedding_dim), drawn from N(0, 1) (PyTorch's
    default) with ``rng``; ``embedding(indices)`` returns the rows picked by an integer
    array of any shape S, shaped S + (embedding_dim,).

    ``padding_idx`` (negative counts from the end) names a row that starts at zero and
    gets no gradient: the vector of a padding token. ``max_norm``, ``norm_type`` and
    ``scale_grad_by_freq`` are PyTorch's (see ``F.embedding``: looked-up rows longer than
    max_norm are rescaled in the weight, in place). PyTorch's ``sparse`` is accepted for
    compatibility: the gradient is dense either way (the same values, zero rows where
    PyTorch's sparse gradient has none)."""

    def __init__(self, num_embeddings: int, embedding_dim: int,
                 padding_idx: int | None = None, max_norm: float | None = None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                 sparse: bool = False, *, rng: RNGLike = None, dtype: Any = np.float64,
                 _weight: Any = None) -> None:
        super().__init__()
        self.num_embeddings = integer("Embedding", "num_embeddings", num_embeddings,
                                      minimum=0)
        self.embedding_dim = integer("Embedding", "embedding_dim", embedding_dim, minimum=0)
        self.padding_idx = (None if padding_idx is None else
                            check_padding_idx("Embedding", padding_idx, self.num_embeddings))
        self.max_norm = check_max_norm("Embedding", max_norm)
        self.norm_type = check_norm_type("Embedding", norm_type)
        self.scale_grad_by_freq = flag("Embedding", "scale_grad_by_freq", scale_grad_by_freq)
        self.sparse = flag("Embedding", "sparse", sparse, advice=SPARSE_ADVICE)
        if _weight is None:
            shape = (self.num_embeddings, self.embedding_dim)
            self.weight = Parameter(np.empty(shape, float_dtype(dtype, "Embedding")))
            self.reset_parameters(rng)
        else:  # from_pretrained: the given values, the padding row included, as PyTorch
            self.weight = Parameter(_weight)

    def reset_parameters(self, rng: RNGLike = None) -> None:
        """Draw new weights from N(0, 1) with ``rng``; the padding row becomes zero."""
        init.normal_(self.weight, rng=as_generator(rng))
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    def forward(self, input: Any) -> Tensor:
        return embedding(input, self.weight, self.padding_idx, self.max_norm,
                         self.norm_type, self.scale_grad_by_freq)

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            text += ", scale_grad_by_freq=True"
        if self.sparse:
            text += ", sparse=True"
        return text

    @classmethod
    def from_pretrained(cls, embeddings: Any, freeze: bool = True,
                        padding_idx: int | None = None, max_norm: float | None = None,
                        norm_type: float = 2.0,
                        scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> "Embedding":
        """An Embedding whose weight is ``embeddings`` (2-d, floating; a NumPy array is
        shared, as PyTorch shares the tensor). ``freeze=True`` (the default) makes the
        weight not require grad. The ``padding_idx`` row keeps its given values and
        gets no gradient; the other arguments are the constructor's."""
        freeze = flag("Embedding.from_pretrained", "freeze", freeze)
        values = embeddings.data if isinstance(embeddings, Tensor) else embeddings
        if not isinstance(values, np.ndarray):
            values = Tensor(values).data  # a list: float64, as any Python numbers here
        if values.ndim != 2:
            raise ShapeError(f"Embedding.from_pretrained: embeddings must be 2-d, "
                             f"(num_embeddings, embedding_dim); got shape {values.shape}")
        if values.dtype not in (np.float16, np.float32, np.float64):
            raise DTypeError(f"Embedding.from_pretrained: embeddings must be floating "
                             f"(float16/32/64); got dtype {values.dtype}. Convert them, "
                             f"e.g. embeddings.astype(np.float64).")
        module = cls(values.shape[0], values.shape[1], padding_idx, max_norm, norm_type,
                     scale_grad_by_freq, sparse, _weight=values)
        module.weight.requires_grad_(not freeze)
        return module
