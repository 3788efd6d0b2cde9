"""The pruning methods of ``nn.utils.prune`` (PyTorch's classes, same arguments): each
``compute_mask(t, default_mask)`` starts from ``default_mask`` and zeroes more of it.

* ``Identity``: nothing more;
* ``RandomUnstructured(amount)``: ``amount`` entries at random;
* ``L1Unstructured(amount)``: the ``amount`` entries of smallest |t|;
* ``RandomStructured(amount, dim)``: ``amount`` slices along ``dim`` at random;
* ``LnStructured(amount, n, dim)``: the ``amount`` slices along ``dim`` of smallest
  ``n``-norm (p-norm over the other axes);
* ``CustomFromMask(mask)``: the zeros of a given mask.

``amount`` is a count (int) or a fraction (float, rounded to a count of what is
given). Random methods draw from ``autograd.default_generator`` (``manual_seed``).
Among equal scores the first in flat (row-major) order is pruned first; PyTorch's
``topk`` leaves the order among ties to its selection algorithm, so the masks of tied
scores (a BatchNorm weight of ones, a zero bias) can differ from PyTorch's.
"""
from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from autograd import Tensor, tensor
from autograd.errors import ShapeError

from .._random import default_generator
from ..errors import ArgumentTypeError, ConfigError
from .pruning_base import BasePruningMethod, as_array, check_amount, count_to_prune

__all__ = ["Identity", "RandomUnstructured", "L1Unstructured", "RandomStructured",
           "LnStructured", "CustomFromMask", "ln_norms"]


class Identity(BasePruningMethod):
    """Prunes nothing (the mask stays all ones): a tensor re-parametrised as pruned."""

    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        """``default_mask`` itself."""
        return default_mask


class _Unstructured(BasePruningMethod):
    PRUNING_TYPE = "unstructured"

    def __init__(self, amount: float) -> None:
        check_amount(amount)
        self.amount = amount

    def _order(self, scores: np.ndarray) -> np.ndarray:  # flat indices, pruned first
        raise NotImplementedError

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        """``default_mask`` with the first k = count(amount, t.numel()) of ``_order`` set
        to 0."""
        scores = as_array(t)
        k = count_to_prune(self.amount, scores.size)
        mask = as_array(default_mask).copy()
        if k:
            mask.reshape(-1)[self._order(scores)[:k]] = 0
        return tensor(mask)


class RandomUnstructured(_Unstructured):
    """Zero ``amount`` entries picked uniformly at random (PyTorch ranks ``rand_like(t)``,
    not the already pruned ones excepted: combined in a container, only kept ones)."""

    def _order(self, scores: np.ndarray) -> np.ndarray:
        return np.argsort(-default_generator().random(scores.size), kind="stable")


class L1Unstructured(_Unstructured):
    """Zero the ``amount`` entries of smallest |t|."""

    def _order(self, scores: np.ndarray) -> np.ndarray:
        return np.argsort(np.abs(scores).reshape(-1), kind="stable")


def ln_norms(t: np.ndarray, n: float, dim: int) -> np.ndarray:
    """(sum over the axes other than ``dim`` of |t|^n)^(1/n) for each index along
    ``dim``; n = inf: max |t|, -inf: min |t|, 0: the count of non-zeros, "fro" or None:
    2 (PyTorch's ``torch.norm(p=None)``)."""
    axes = tuple(d for d in range(t.ndim) if d != dim % t.ndim)
    a = np.abs(t)
    if n is None or n == "fro":  # PyTorch's names of the 2-norm here
        n = 2
    if isinstance(n, bool) or not isinstance(n, (int, float)):
        raise ArgumentTypeError(f"LnStructured: n must be a number (the order of the norm, "
                                f"e.g. 1, 2, inf); got {n!r}")
    if n == math.inf:
        return a.max(axis=axes)
    if n == -math.inf:
        return a.min(axis=axes)
    if n == 0:
        return (a != 0).sum(axis=axes).astype(a.dtype)
    return (a ** n).sum(axis=axes) ** (1.0 / n)


def _check_dim(owner: str, dim: Any) -> None:
    """A named ArgumentTypeError unless ``dim`` is an int (not a bool): the axis whose
    slices are pruned."""
    if isinstance(dim, bool) or not isinstance(dim, numbers.Integral):
        raise ArgumentTypeError(f"{owner}: dim must be an int, the axis whose slices are "
                                f"pruned (e.g. 0 for a Linear's output rows); got "
                                f"{dim!r} of type {type(dim).__name__}")


class _Structured(BasePruningMethod):
    PRUNING_TYPE = "structured"

    def __init__(self, amount: float, dim: int = -1) -> None:
        check_amount(amount)
        _check_dim(type(self).__name__, dim)
        self.amount, self.dim = amount, int(dim)

    def _kept(self, scores: np.ndarray, k: int) -> np.ndarray:  # indices along dim
        raise NotImplementedError

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        """``default_mask`` times 1 on the kept slices along ``dim``, 0 on the others."""
        scores = as_array(t)
        name = type(self).__name__
        if scores.ndim <= 1:
            raise ShapeError(f"{name} prunes slices, so the tensor must have 2 or more "
                             f"dimensions; got shape {scores.shape}. Use an unstructured "
                             f"method (e.g. l1_unstructured) on a bias.")
        if not -scores.ndim <= self.dim < scores.ndim:
            raise ConfigError(f"{name}: dim={self.dim} is out of range for shape "
                              f"{scores.shape}")
        size = scores.shape[self.dim]
        k = count_to_prune(self.amount, size)
        if k == 0:
            return default_mask
        mask = np.zeros_like(scores)
        where: list[Any] = [slice(None)] * scores.ndim
        where[self.dim] = self._kept(scores, k)
        mask[tuple(where)] = 1
        return tensor(mask * as_array(default_mask))


class RandomStructured(_Structured):
    """Zero ``amount`` slices along ``dim`` picked at random: those whose uniform draw is
    among the k smallest."""

    def _kept(self, scores: np.ndarray, k: int) -> np.ndarray:
        draws = default_generator().random(scores.shape[self.dim])
        return draws > np.sort(draws)[k - 1]


class LnStructured(_Structured):
    """Zero the ``amount`` slices along ``dim`` of smallest ``n``-norm (``ln_norms``)."""

    def __init__(self, amount: float, n: float, dim: int = -1) -> None:
        super().__init__(amount, dim)
        self.n = n

    def _kept(self, scores: np.ndarray, k: int) -> np.ndarray:
        norms = ln_norms(scores, self.n, self.dim)
        return np.argsort(-norms, kind="stable")[:norms.size - k]


class CustomFromMask(BasePruningMethod):
    """Zero where the given ``mask`` is 0 (``default_mask * mask``)."""

    PRUNING_TYPE = "global"

    def __init__(self, mask: Tensor | np.ndarray) -> None:
        self.mask = mask

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        """``default_mask * mask``; the two must have one shape."""
        mask, default = as_array(self.mask), as_array(default_mask)
        if mask.shape != default.shape:
            raise ShapeError(f"CustomFromMask: the mask has shape {mask.shape}, the tensor "
                             f"pruned {default.shape}; they must match")
        return tensor(default * mask.astype(default.dtype))
