"""Vectors along an axis: ``one_hot`` labels, ``normalize`` to unit length and the
``cosine_similarity`` of two batches, with PyTorch's names and arguments.

normalize(x) = x / max(||x||_p, eps); cos(a, b) = a.b / (max(||a||, eps) max(||b||, eps)),
both along ``dim`` and differentiable (the norms' gradients are 0 at the zero vector).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, as_tensor
from autograd.errors import DTypeError

from .._checks import integer, real_number
from ..errors import ConfigError

__all__ = ["one_hot", "normalize", "cosine_similarity"]


def one_hot(labels: Any, num_classes: int = -1) -> Tensor:
    """An integer tensor of shape labels.shape + (C,) with 1 at each label (a constant);
    C = ``num_classes``, or the largest label + 1 when -1."""
    num_classes = integer("one_hot", "num_classes", num_classes, minimum=-1,
                          advice="-1 means the largest label + 1.")
    array = np.asarray(getattr(labels, "data", labels))
    if array.dtype.kind not in "iu":
        raise DTypeError(f"one_hot: labels must be integers; got dtype {array.dtype}. "
                         f"Convert them, e.g. labels.astype(np.int64).")
    lo, hi = (int(array.min()), int(array.max())) if array.size else ("-", "-")
    classes = hi + 1 if num_classes == -1 and array.size else num_classes
    if classes < 0 or (array.size and (lo < 0 or hi >= classes)):
        raise ConfigError(f"one_hot: labels must lie in [0, num_classes); got labels from "
                          f"{lo} to {hi} with num_classes={classes}")
    out = np.zeros(array.shape + (max(classes, 0),), dtype=np.int64)
    np.put_along_axis(out, array[..., None].astype(np.intp), 1, axis=-1)
    return Tensor(out)


def normalize(x: Any, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """x / max(||x||_p, eps) along ``dim``: unit vectors (zero vectors stay zero)."""
    eps = real_number("normalize", "eps", eps, minimum=0)
    x = as_tensor(x)
    return x / x.norm(p, dim=dim, keepdim=True).clip(eps, None)


def cosine_similarity(x1: Any, x2: Any, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """The cosine of the angle between x1 and x2 along ``dim`` (broadcasting):
    x1.x2 / (max(||x1||, eps) max(||x2||, eps)), computed as the dot product of the two
    scaled vectors, as PyTorch does (x1.x2 itself overflows for float16 |x| > 256)."""
    eps = real_number("cosine_similarity", "eps", eps, minimum=0)
    x1, x2 = as_tensor(x1), as_tensor(x2)
    unit1 = x1 / x1.norm(2, dim=dim, keepdim=True).clip(eps, None)
    unit2 = x2 / x2.norm(2, dim=dim, keepdim=True).clip(eps, None)
    return (unit1 * unit2).sum(dim=dim)
