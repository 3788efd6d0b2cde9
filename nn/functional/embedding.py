"""``embedding``: rows of a weight matrix picked by integer indices (PyTorch's
``F.embedding``), what ``nn.Embedding`` calls.

The lookup is an ordinary index ``weight[indices]``, so its gradient scatter-adds back
into the picked rows: a row picked several times gets the sum of their gradients (their
mean with ``scale_grad_by_freq=True``). ``max_norm`` rescales the picked rows of the
weight in place first, untracked, as PyTorch's ``embedding_renorm_``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Function, Tensor, as_tensor, no_grad, where
from autograd.extend import constant
from autograd.errors import DataError, DTypeError, ShapeError, TensorIndexError

from .._checks import flag, integer, real_number
from ..errors import ConfigError

__all__ = ["embedding", "check_padding_idx", "check_max_norm", "check_norm_type",
           "check_indices", "renorm_rows", "ScaleGradient", "SPARSE_ADVICE",
           "scale_by_frequency"]

RENORM_EPS = 1e-7
"""A row longer than max_norm is scaled by max_norm / (norm + 1e-7), as PyTorch."""

SPARSE_ADVICE = ("It is accepted for PyTorch compatibility; the weight's gradient is dense "
                 "either way.")


def check_padding_idx(owner: str, padding_idx: Any, num_embeddings: int) -> int:
    """``padding_idx`` as an index in [0, num_embeddings) (a negative one counts from the
    end, as PyTorch), else a named error."""
    return integer(owner, "padding_idx", padding_idx, minimum=-num_embeddings,
                   maximum=num_embeddings - 1,
                   advice=f"It is a row of the {num_embeddings} embeddings (or None)."
                   ) % max(num_embeddings, 1)


def check_indices(input: Any, num_embeddings: int, owner: str = "embedding") -> np.ndarray:
    """``input`` as an integer array with every entry in [0, num_embeddings)."""
    try:
        indices = np.asarray(input.data if isinstance(input, Tensor) else input)
    except ValueError:  # ragged nested lists
        raise DataError(f"{owner}: the indices are ragged nested sequences (rows of "
                        f"different lengths); pad them to one length first") from None
    if indices.dtype.kind not in "iu":
        raise DTypeError(f"{owner}: the indices must be integers (an int array or Tensor "
                         f"of any shape); got dtype {indices.dtype}. Convert them, e.g. "
                         f"indices.astype(np.int64), if they hold whole numbers.")
    if indices.size and (indices.min() < 0 or indices.max() >= num_embeddings):
        bad = indices[(indices < 0) | (indices >= num_embeddings)]
        raise TensorIndexError(
            f"{owner}: index {bad.flat[0]} is out of range for {num_embeddings} "
            f"embeddings; indices must lie in [0, {num_embeddings}) (negative indices do "
            f"not count from the end here, as in PyTorch)")
    return indices.astype(np.int64) if indices.dtype == np.uint8 else indices  # not a mask


def check_max_norm(owner: str, max_norm: Any) -> float | None:
    """``max_norm`` as None or a number >= 0 (inf: never rescale), else a named error."""
    if max_norm is None:
        return None
    return real_number(owner, "max_norm", max_norm, minimum=0, finite=False,
                       advice="It is the largest norm a looked-up row keeps (or None).")


def check_norm_type(owner: str, norm_type: Any) -> float:
    """``norm_type``, the p of the p-norm ``max_norm`` bounds: a number > 0 (inf too)."""
    return real_number(owner, "norm_type", norm_type, minimum=0, open_min=True,
                       finite=False, advice="It is the p of the p-norm, 2 by default.")


def embedding(input: Any, weight: Any, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """``weight[input]``: for integer indices of shape S, the rows of ``weight``
    (num_embeddings, embedding_dim) as a tensor of shape S + (embedding_dim,).

    The gradient adds up over repeated indices. Entries equal to ``padding_idx`` give
    their row's values but send it no gradient (the row itself is not zeroed here;
    ``nn.Embedding`` zeroes it when it is created). With ``max_norm``, every picked row
    whose ``norm_type``-norm exceeds it is first scaled in place (under ``no_grad``) to
    norm max_norm, as PyTorch; the weight's version changes, so a graph that saved the
    weight before refuses to run backward. ``scale_grad_by_freq`` divides each row's
    gradient by how often its index occurs in ``input``. ``sparse`` is accepted for
    PyTorch compatibility: the gradient is dense either way (the same values, zero rows
    where PyTorch's sparse gradient has none); with ``scale_grad_by_freq`` too, the
    backward raises ``ConfigError``, as PyTorch's. Out-of-range or non-integer indices
    raise ``TensorIndexError`` / ``DTypeError``. Every argument is checked before
    ``max_norm`` writes to the weight, so a refused call leaves it unchanged."""
    weight = as_tensor(weight)
    if weight.ndim != 2:
        raise ShapeError(f"embedding: weight must be 2-d, (num_embeddings, embedding_dim); "
                         f"got shape {weight.shape}")
    indices = check_indices(input, weight.shape[0])
    max_norm = check_max_norm("embedding", max_norm)
    norm_type = check_norm_type("embedding", norm_type)
    sparse = flag("embedding", "sparse", sparse, advice=SPARSE_ADVICE)
    scale_grad_by_freq = flag("embedding", "scale_grad_by_freq", scale_grad_by_freq)
    if padding_idx is not None:
        padding_idx = check_padding_idx("embedding", padding_idx, weight.shape[0])
    if max_norm is not None:
        renorm_rows(weight, indices, max_norm, norm_type)
    rows = weight[indices]
    if scale_grad_by_freq:
        rows = scale_by_frequency(rows, indices, sparse, "embedding")
    if padding_idx is not None:
        padded = indices == padding_idx
        if padded.any():
            rows = where(padded[..., None], rows.detach(), rows)
    return rows


def renorm_rows(weight: Tensor, indices: np.ndarray, max_norm: float,
                norm_type: float, owner: str = "embedding") -> None:
    """Scale, in place, the rows of ``weight`` that ``indices`` pick and whose norm
    exceeds ``max_norm`` by max_norm / (norm + 1e-7) (PyTorch's ``embedding_renorm_``).
    A weight that is not floating raises ``DTypeError`` and is left untouched, as
    PyTorch's (its scaled rows would be truncated)."""
    rows = np.unique(indices)
    if rows.size == 0:
        return
    if weight.dtype.kind != "f":
        raise DTypeError(f"{owner}: max_norm rescales rows of the weight, which must hold "
                         f"floats; got dtype {weight.dtype}. Convert the weight first "
                         f"(weight.double()), or leave max_norm=None.")
    if weight.shape[1] == 0:
        return
    norms = np.linalg.norm(weight.data[rows], ord=norm_type, axis=1)
    too_long = norms > max_norm
    if too_long.any():
        scale = max_norm / (norms[too_long] + RENORM_EPS)
        with no_grad():  # an untracked write, as an optimizer's update
            weight[rows[too_long]] = weight.data[rows[too_long]] * scale[:, None]


def scale_by_frequency(rows: Tensor, indices: np.ndarray, sparse: bool, owner: str) -> Tensor:
    """``rows`` (indices.shape + (D,), row i looked up by indices[i]), whose gradient is
    divided by n_i, the number of times indices[i] occurs in ``indices``: dL/dW[k] is
    the mean of the gradients of the rows looking up k (``scale_grad_by_freq``). With
    ``sparse``, the backward raises ``ConfigError``, as PyTorch's (no scaled sparse
    gradient there); the forward runs."""
    if sparse:
        return RefuseSparseScaledGradient.apply(rows, owner=owner)
    _, where_in_unique, counts = np.unique(indices.reshape(-1), return_inverse=True,
                                           return_counts=True)
    frequency = counts[where_in_unique].reshape(indices.shape + (1,))
    return ScaleGradient.apply(rows, scale=(1 / frequency).astype(rows.dtype))


class RefuseSparseScaledGradient(Function):
    """out = x; its backward raises ``ConfigError``: PyTorch refuses
    ``scale_grad_by_freq=True`` with ``sparse=True`` when the gradient is computed
    ("scale_grad_by_freq not supported with sparse gradients"), so code written here
    would fail there."""
    __slots__ = ("owner",)

    def __init__(self, owner: str) -> None:
        self.owner = owner

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x.copy()

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        raise ConfigError(f"{self.owner}: scale_grad_by_freq=True does not work with "
                          f"sparse=True (PyTorch raises when the gradient is computed, "
                          f"as here); pass sparse=False (the gradient is dense here "
                          f"either way) or scale_grad_by_freq=False")


class ScaleGradient(Function):
    """out = x; dx = g * scale (``scale`` is op state, broadcast against g).

    Written g + (g * (scale - 1)) held constant: its derivative in g is 1, as in PyTorch's
    double backward of ``scale_grad_by_freq``, so a second derivative (the change of the
    scaled gradient with the weight) applies the scale once, not twice."""
    __slots__ = ("scale",)

    def __init__(self, scale: np.ndarray) -> None:
        self.scale = scale

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x.copy()

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g + constant(g) * (self.scale - 1),)
