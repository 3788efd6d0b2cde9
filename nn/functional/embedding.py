"""``embedding``: rows of a weight matrix picked by integer indices (PyTorch's
``F.embedding``), what ``nn.Embedding`` calls.

The lookup is an ordinary index ``weight[indices]``, so its gradient scatter-adds back
into the picked rows: a row picked several times gets the sum of their gradients.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, as_tensor, where
from autograd.errors import DTypeError, ShapeError, TensorIndexError

from .._checks import integer

__all__ = ["embedding", "check_padding_idx"]


def check_padding_idx(owner: str, padding_idx: Any, num_embeddings: int) -> int:
    """``padding_idx`` as an index in [0, num_embeddings) (a negative one counts from the
    end, as PyTorch), else a named error."""
    return integer(owner, "padding_idx", padding_idx, minimum=-num_embeddings,
                   maximum=num_embeddings - 1,
                   advice=f"It is a row of the {num_embeddings} embeddings (or None)."
                   ) % max(num_embeddings, 1)


def _indices(input: Any, num_embeddings: int) -> np.ndarray:
    """``input`` as an integer array with every entry in [0, num_embeddings)."""
    indices = np.asarray(input.data if isinstance(input, Tensor) else input)
    if indices.dtype.kind not in "iu":
        raise DTypeError(f"embedding: the indices must be integers (an int array or Tensor "
                         f"of any shape); got dtype {indices.dtype}. Convert them, e.g. "
                         f"indices.astype(np.int64), if they hold whole numbers.")
    if indices.size and (indices.min() < 0 or indices.max() >= num_embeddings):
        bad = indices[(indices < 0) | (indices >= num_embeddings)]
        raise TensorIndexError(
            f"embedding: index {bad.flat[0]} is out of range for {num_embeddings} "
            f"embeddings; indices must lie in [0, {num_embeddings}) (negative indices do "
            f"not count from the end here, as in PyTorch)")
    return indices


def embedding(input: Any, weight: Any, padding_idx: int | None = None) -> Tensor:
    """``weight[input]``: for integer indices of shape S, the rows of ``weight``
    (num_embeddings, embedding_dim) as a tensor of shape S + (embedding_dim,).

    The gradient adds up over repeated indices. Entries equal to ``padding_idx`` give
    their row's values but send it no gradient (the row itself is not zeroed here;
    ``nn.Embedding`` zeroes it when it is created). Out-of-range or non-integer indices
    raise ``TensorIndexError`` / ``DTypeError``."""
    weight = as_tensor(weight)
    if weight.ndim != 2:
        raise ShapeError(f"embedding: weight must be 2-d, (num_embeddings, embedding_dim); "
                         f"got shape {weight.shape}")
    indices = _indices(input, weight.shape[0])
    rows = weight[indices]
    if padding_idx is not None:
        padding_idx = check_padding_idx("embedding", padding_idx, weight.shape[0])
        padded = indices == padding_idx
        if padded.any():
            rows = where(padded[..., None], rows.detach(), rows)
    return rows
