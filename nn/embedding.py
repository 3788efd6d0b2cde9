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
from .functional.embedding import check_padding_idx, embedding
from .layers import float_dtype
from .module import Module, Parameter

__all__ = ["Embedding"]


class Embedding(Module):
    """``weight`` of shape (num_embeddings, embedding_dim), drawn from N(0, 1) (PyTorch's
    default) with ``rng``; ``embedding(indices)`` returns the rows picked by an integer
    array of any shape S, shaped S + (embedding_dim,).

    ``padding_idx`` (negative counts from the end) names a row that starts at zero and
    gets no gradient: the vector of a padding token. PyTorch's ``max_norm``,
    ``scale_grad_by_freq`` and ``sparse`` are not offered."""

    def __init__(self, num_embeddings: int, embedding_dim: int,
                 padding_idx: int | None = None, *, rng: RNGLike = None,
                 dtype: Any = np.float64, _weight: Any = None) -> None:
        super().__init__()
        self.num_embeddings = integer("Embedding", "num_embeddings", num_embeddings,
                                      minimum=0)
        self.embedding_dim = integer("Embedding", "embedding_dim", embedding_dim, minimum=0)
        self.padding_idx = (None if padding_idx is None else
                            check_padding_idx("Embedding", padding_idx, self.num_embeddings))
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
        return embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        extra = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{extra}"

    @classmethod
    def from_pretrained(cls, embeddings: Any, freeze: bool = True,
                        padding_idx: int | None = None) -> "Embedding":
        """An Embedding whose weight is ``embeddings`` (2-d, floating; a NumPy array is
        shared, as PyTorch shares the tensor). ``freeze=True`` (the default) makes the
        weight not require grad. The ``padding_idx`` row keeps its given values and
        gets no gradient."""
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
        module = cls(values.shape[0], values.shape[1], padding_idx, _weight=values)
        module.weight.requires_grad_(not freeze)
        return module
