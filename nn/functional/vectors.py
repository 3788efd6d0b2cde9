"""Vectors along an axis: ``one_hot`` labels, ``normalize`` to unit length, the
``cosine_similarity``, ``pairwise_distance`` and ``bilinear`` form of two batches, the
distances ``pdist`` between the rows of one, with PyTorch's names and arguments.

normalize(x) = x / max(||x||_p, eps); cos(a, b) = a.b / (max(||a||, eps) max(||b||, eps)),
both along ``dim`` and differentiable (the norms' gradients are 0 at the zero vector);
pairwise_distance(a, b) = ||a - b + eps||_p along the last axis; pdist(x) = ||x_i - x_j||_p
for the rows i < j of x;
bilinear(a, b)[..., o] = a^T W[o] b + bias[o].
"""

from __future__ import annotations

from typing import Any

import math

import numpy as np

from autograd import Tensor, as_tensor, broadcast_tensors, einsum
from autograd import pdist as autograd_pdist
from autograd.errors import DTypeError, ShapeError
from autograd.extend import accepts_out

from .._checks import flag, integer, real_number
from ..errors import ConfigError

__all__ = ["one_hot", "normalize", "cosine_similarity", "pairwise_distance", "pdist",
           "bilinear", "check_distance_args"]


def one_hot(input: Any, num_classes: int = -1) -> Tensor:
    """An integer tensor of shape input.shape + (C,) with 1 at each label of ``input``
    (a constant); C = ``num_classes``, or the largest label + 1 when -1."""
    num_classes = integer("one_hot", "num_classes", num_classes, minimum=-1,
                          advice="-1 means the largest label + 1.")
    array = np.asarray(getattr(input, "data", input))
    if array.dtype.kind not in "iu":
        raise DTypeError(f"one_hot: labels must be integers; got dtype {array.dtype}. "
                         f"Convert them, e.g. labels.astype(np.int64).")
    if array.size == 0:
        if num_classes == -1:
            raise ConfigError(f"one_hot: num_classes=-1 takes the largest label + 1, but the "
                              f"labels are empty (shape {array.shape}); pass num_classes, "
                              f"e.g. one_hot(labels, num_classes=10)")
        return Tensor(np.zeros(array.shape + (num_classes,), dtype=np.int64))
    lo, hi = int(array.min()), int(array.max())
    classes = hi + 1 if num_classes == -1 else num_classes
    if lo < 0 or hi >= classes:
        raise ConfigError(f"one_hot: labels must lie in [0, num_classes); got labels from "
                          f"{lo} to {hi} with num_classes={classes}"
                          + (" (from num_classes=-1: the largest label + 1)"
                             if num_classes == -1 else ""))
    out = np.zeros(array.shape + (classes,), dtype=np.int64)
    np.put_along_axis(out, array[..., None].astype(np.intp), 1, axis=-1)
    return Tensor(out)


@accepts_out
def normalize(input: Any, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """x / max(||x||_p, eps) along ``dim``: unit vectors (zero vectors stay zero); PyTorch's
    ``out=`` too (untracked, as ``autograd.extend.accepts_out`` gives it)."""
    eps = real_number("normalize", "eps", eps, minimum=0)
    x = as_tensor(input)
    return x / x.norm(p, dim=dim, keepdim=True).clip(eps, None)


def cosine_similarity(x1: Any, x2: Any, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """The cosine of the angle between x1 and x2 along ``dim`` (broadcasting):
    x1.x2 / (max(||x1||, eps) max(||x2||, eps)), computed as the dot product of the two
    scaled vectors, as PyTorch does (x1.x2 itself overflows for float16 |x| > 256)."""
    eps = real_number("cosine_similarity", "eps", eps, minimum=0)
    x1, x2 = broadcast_tensors(as_tensor(x1), as_tensor(x2))  # first, as PyTorch: the
    unit1 = x1 / x1.norm(2, dim=dim, keepdim=True).clip(eps, None)  # norms of the
    unit2 = x2 / x2.norm(2, dim=dim, keepdim=True).clip(eps, None)  # broadcast vectors
    return (unit1 * unit2).sum(dim=dim)


def check_distance_args(owner: str, p: Any, eps: Any) -> tuple[float, float]:
    """``(p, eps)`` as floats: p any real number or +-inf (not NaN), eps >= 0 and finite;
    else ``ArgumentTypeError`` / ``ConfigError`` naming ``owner``."""
    p = real_number(owner, "p", p, finite=False, advice="p is the order of the norm.")
    if math.isnan(p):
        raise ConfigError(f"{owner}: p must be a number or +-inf (the order of the norm); "
                          f"got nan")
    return p, real_number(owner, "eps", eps, minimum=0)


def pairwise_distance(x1: Any, x2: Any, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """||x1 - x2 + eps||_p along the last axis (x1 and x2 broadcast), as PyTorch: eps is
    added to the difference, so equal vectors are eps * D^(1/p) apart and the gradient
    stays finite. Any order p: 1, 2, inf and -inf are the engine's norms, 0 counts the
    non-zero differences (gradient 0), others are (sum |d|^p)^(1/p). Two 0-d inputs
    give the 0-d |x1 - x2 + eps| (1 or 0 for p = 0), as PyTorch."""
    p, eps = check_distance_args("pairwise_distance", p, eps)
    keepdim = flag("pairwise_distance", "keepdim", keepdim)
    difference = as_tensor(x1) - as_tensor(x2) + eps
    if difference.ndim == 0:  # two 0-d inputs: one 1-vector each, a 0-d result (PyTorch)
        difference, keepdim = difference.reshape((1,)), False
    if p in (0, 1, 2, math.inf, -math.inf):  # 0: the count of d != 0 (NaN too), gradient 0
        return difference.norm(p, axis=-1, keepdims=keepdim)
    return (difference.abs() ** p).sum(axis=-1, keepdims=keepdim) ** (1.0 / p)


def pdist(input: Any, p: float = 2.0) -> Tensor:
    """The p-norm distances ||x_i - x_j||_p between the rows of x (N, M), for each pair
    i < j in row-major order (the upper triangle of the distance matrix, N (N - 1) / 2
    values), as PyTorch's ``F.pdist``; p >= 0 or inf: ``autograd.pdist`` (torch.pdist).

    At a zero distance (equal rows) the gradient is 0, and so is a zero difference's for
    p < 1, as PyTorch. p = 0 counts the differing coordinates (gradient 0). p = inf: where
    several coordinates tie for the largest |difference|, they share the gradient evenly
    (the engine's max rule; PyTorch's pdist gives each the whole gradient)."""
    p = real_number("pdist", "p", p, minimum=0, finite=False,
                    advice="p is the order of the norm (p >= 0, or inf), as PyTorch.")
    return autograd_pdist(input, p)


def bilinear(input1: Any, input2: Any, weight: Any, bias: Any = None) -> Tensor:
    """y[..., o] = sum_ij x1[..., i] weight[o, i, j] x2[..., j] + bias[o] for x1 =
    ``input1``, x2 = ``input2`` (PyTorch's ``F.bilinear``): weight has shape (out, in1,
    in2), bias (out,) or None; x1 (..., in1) and x2 (..., in2) have the same leading axes
    (no broadcasting, as PyTorch)."""
    x1, x2, weight = as_tensor(input1), as_tensor(input2), as_tensor(weight)
    if weight.ndim != 3:
        raise ShapeError(f"bilinear: weight must be 3-d (out, in1, in2); got shape "
                         f"{weight.shape}")
    _, in1, in2 = weight.shape
    if (x1.ndim == 0 or x1.shape[:-1] != x2.shape[:-1] or x1.shape[-1] != in1
            or x2.shape[-1] != in2):
        raise ShapeError(f"bilinear: inputs of shapes (..., {in1}) and (..., {in2}) with "
                         f"the same leading axes are needed for a weight of shape "
                         f"{weight.shape}; got {x1.shape} and {x2.shape}")
    y = einsum("...i,oij,...j->...o", x1, weight, x2)
    if bias is None:
        return y
    bias = as_tensor(bias)
    if bias.shape != weight.shape[:1]:
        raise ShapeError(f"bilinear: bias must have shape ({weight.shape[0]},) to match "
                         f"the weight {weight.shape}; got {bias.shape}")
    return y + bias
