"""``Embedding``: a lookup table of learned vectors, one row per integer index (PyTorch's
``nn.Embedding``); ``EmbeddingBag``: the sum, mean or max of each bag's vectors."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from autograd.errors import DTypeError, ShapeError

from . import init
from ._checks import flag, integer
from ._random import RNGLike, as_generator, reset_from
from .errors import ConfigError
from .functional.embedding import (SPARSE_ADVICE, check_max_norm, check_norm_type,
                                   check_padding_idx, embedding)
from .functional.embedding_bag import BAG_MODES, embedding_bag
from .layers import factory_dtype
from .module import Module, Parameter

__all__ = ["Embedding", "EmbeddingBag"]


def _pretrained_values(owner: str, embeddings: Any) -> np.ndarray:
    """``embeddings`` as a 2-d floating array (a NumPy array or Tensor's array shared, as
    PyTorch shares the tensor), else ``ShapeError`` / ``DTypeError``."""
    values = embeddings.data if isinstance(embeddings, Tensor) else embeddings
    if not isinstance(values, np.ndarray):
        values = Tensor(values).data  # a list: float64, as any Python numbers here
    if values.ndim != 2:
        raise ShapeError(f"{owner}: embeddings must be 2-d, (num_embeddings, embedding_dim); "
                         f"got shape {values.shape}")
    if values.dtype not in (np.float16, np.float32, np.float64):
        raise DTypeError(f"{owner}: embeddings must be floating (float16/32/64); got dtype "
                         f"{values.dtype}. Convert them, e.g. embeddings.astype(np.float64).")
    return values


def set_weight(module: Module, weight: Any, dtype: np.dtype, rng: RNGLike) -> None:
    """The weight of an ``Embedding`` or ``EmbeddingBag``: ``weight`` when given
    (``from_pretrained``: the values as they are, the padding row included, as PyTorch),
    which must have the shape (num_embeddings, embedding_dim) (else ``ShapeError``, as
    PyTorch asserts), else one of that shape and ``dtype`` drawn by
    ``module.reset_parameters()``."""
    shape = (module.num_embeddings, module.embedding_dim)
    if weight is None:
        module.weight = Parameter(np.empty(shape, dtype))
        reset_from(module, rng)
        return
    given = Parameter(weight)
    if given.shape != shape:
        name = type(module).__name__
        raise ShapeError(f"{name}: _weight must have the shape (num_embeddings, "
                         f"embedding_dim) = {shape}; got {given.shape}. Pass the matching "
                         f"sizes, or use {name}.from_pretrained(weight), which reads them "
                         f"from the weight.")
    module.weight = given


class Embedding(Module):
    """``weight`` of shape (num_embeddings, embedding_dim), drawn from N(0, 1) (PyTorch's
    default) with ``rng``; ``embedding(indices)`` returns the rows picked by an integer
    array of any shape S, shaped S + (embedding_dim,).

    ``padding_idx`` (negative counts from the end) names a row that starts at zero and
    gets no gradient: the vector of a padding token. ``max_norm``, ``norm_type`` and
    ``scale_grad_by_freq`` are PyTorch's (see ``F.embedding``: looked-up rows longer than
    max_norm are rescaled in the weight, in place). PyTorch's ``sparse`` is accepted for
    compatibility: the gradient is dense either way (the same values, zero rows where
    PyTorch's sparse gradient has none; with ``scale_grad_by_freq`` the backward raises,
    as PyTorch's). ``_weight`` (num_embeddings, embedding_dim), ``_freeze``, ``device`` (the CPU)
    and ``dtype`` come in PyTorch's positions too."""

    def __init__(self, num_embeddings: int, embedding_dim: int,
                 padding_idx: int | None = None, max_norm: float | None = None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                 sparse: bool = False, _weight: Any = None, _freeze: bool = False,
                 device: Any = None, dtype: Any = np.float64, *, rng: RNGLike = None) -> None:
        super().__init__()
        dtype = factory_dtype("Embedding", device, dtype)
        self.num_embeddings = integer("Embedding", "num_embeddings", num_embeddings,
                                      minimum=0)
        self.embedding_dim = integer("Embedding", "embedding_dim", embedding_dim, minimum=0)
        self.padding_idx = (None if padding_idx is None else
                            check_padding_idx("Embedding", padding_idx, self.num_embeddings))
        self.max_norm = check_max_norm("Embedding", max_norm)
        self.norm_type = check_norm_type("Embedding", norm_type)
        self.scale_grad_by_freq = flag("Embedding", "scale_grad_by_freq", scale_grad_by_freq)
        self.sparse = flag("Embedding", "sparse", sparse, advice=SPARSE_ADVICE)
        set_weight(self, _weight, dtype, rng)
        if flag("Embedding", "_freeze", _freeze):  # PyTorch's: a weight without gradient
            self.weight.requires_grad_(False)

    def reset_parameters(self, rng: RNGLike = None) -> None:
        """Draw new weights from N(0, 1) with ``rng``; the padding row becomes zero."""
        init.normal_(self.weight, rng=as_generator(rng))
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    def forward(self, input: Any) -> Tensor:
        return embedding(input, self.weight, self.padding_idx, self.max_norm,
                         self.norm_type, self.scale_grad_by_freq, self.sparse)

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
        values = _pretrained_values("Embedding.from_pretrained", embeddings)
        module = cls(values.shape[0], values.shape[1], padding_idx, max_norm, norm_type,
                     scale_grad_by_freq, sparse, _weight=values)
        module.weight.requires_grad_(not freeze)
        return module


class EmbeddingBag(Module):
    """PyTorch's ``nn.EmbeddingBag``: ``weight`` (num_embeddings, embedding_dim) drawn from
    N(0, 1) with ``rng`` (the ``padding_idx`` row zero); ``bag(input, offsets=None,
    per_sample_weights=None)`` returns the ``mode`` ("mean" by default, "sum" or "max")
    of each bag's rows, shaped (B, embedding_dim): bags are the rows of 2-d input, or
    slices of 1-d input that ``offsets`` start (see ``F.embedding_bag``). ``max_norm``,
    ``norm_type``, ``scale_grad_by_freq``, ``include_last_offset`` and ``padding_idx``
    (left out of the bags, no gradient) are PyTorch's; ``sparse`` is accepted, the
    gradient staying dense (refused where PyTorch refuses it: see ``F.embedding_bag``)."""

    def __init__(self, num_embeddings: int, embedding_dim: int,
                 max_norm: float | None = None, norm_type: float = 2.0,
                 scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                 _weight: Any = None, include_last_offset: bool = False,
                 padding_idx: int | None = None, device: Any = None,
                 dtype: Any = np.float64, *, rng: RNGLike = None) -> None:
        super().__init__()
        name = "EmbeddingBag"
        dtype = factory_dtype(name, device, dtype)
        self.num_embeddings = integer(name, "num_embeddings", num_embeddings, minimum=0)
        self.embedding_dim = integer(name, "embedding_dim", embedding_dim, minimum=0)
        self.max_norm = check_max_norm(name, max_norm)
        self.norm_type = check_norm_type(name, norm_type)
        self.scale_grad_by_freq = flag(name, "scale_grad_by_freq", scale_grad_by_freq)
        if mode not in BAG_MODES:
            raise ConfigError(f"{name}: mode must be one of {BAG_MODES}; got {mode!r}")
        self.mode = mode
        self.sparse = flag(name, "sparse", sparse, advice=SPARSE_ADVICE)
        self.include_last_offset = flag(name, "include_last_offset", include_last_offset)
        self.padding_idx = (None if padding_idx is None else
                            check_padding_idx(name, padding_idx, self.num_embeddings))
        set_weight(self, _weight, dtype, rng)

    reset_parameters = Embedding.reset_parameters  # N(0, 1), the padding row zero

    def forward(self, input: Any, offsets: Any = None,
                per_sample_weights: Any = None) -> Tensor:
        return embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type,
                             self.scale_grad_by_freq, self.mode, self.sparse,
                             per_sample_weights, self.include_last_offset, self.padding_idx)

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm!r}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type!r}"
        if self.scale_grad_by_freq:
            text += ", scale_grad_by_freq=True"
        text += f", mode={self.mode!r}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx!r}"
        return text

    @classmethod
    def from_pretrained(cls, embeddings: Any, freeze: bool = True,
                        max_norm: float | None = None, norm_type: float = 2.0,
                        scale_grad_by_freq: bool = False, mode: str = "mean",
                        sparse: bool = False, include_last_offset: bool = False,
                        padding_idx: int | None = None) -> "EmbeddingBag":
        """An EmbeddingBag whose weight is ``embeddings`` (2-d, floating; checked and
        shared as ``Embedding.from_pretrained``); ``freeze=True`` (the default) makes the
        weight not require grad."""
        freeze = flag("EmbeddingBag.from_pretrained", "freeze", freeze)
        values = _pretrained_values("EmbeddingBag.from_pretrained", embeddings)
        module = cls(values.shape[0], values.shape[1], max_norm, norm_type,
                     scale_grad_by_freq, mode, sparse, values, include_last_offset,
                     padding_idx)
        module.weight.requires_grad_(not freeze)
        return module
