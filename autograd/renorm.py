"""PyTorch's ``renorm(p, dim, maxnorm)`` and ``renorm_``: each slice along ``dim`` whose
p-norm exceeds ``maxnorm`` is scaled down to it, the projection onto an L2 ball that
adversarial-training code writes as ``delta.renorm_(p=2, dim=0, maxnorm=epsilon)``
(TRADES, L2 PGD). A composition of differentiable ops, so the gradient flows through the
norm as PyTorch's does; ``renorm_`` writes it in place under the rules of ``inplace``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .errors import UsageError
from .float_only import require_float
from .ops.reductions import single_axis

__all__ = ["RenormMethods"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


def _check(p: Any, maxnorm: Any, name: str) -> None:
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not p > 0:
        raise UsageError(f"{name}: p must be a positive number (the norm's order, inf for "
                         f"the largest magnitude); got {p!r}")
    if isinstance(maxnorm, bool) or not isinstance(maxnorm, (int, float)) or maxnorm < 0:
        raise UsageError(f"{name}: maxnorm must be a number >= 0; got {maxnorm!r}")


def _norms(magnitudes: np.ndarray, p: float, others: tuple[int, ...]) -> np.ndarray:
    """The p-norm of each slice of |x| over the axes ``others`` (kept), NaN in a slice
    holding NaN."""
    if math.isinf(p):
        return np.max(magnitudes, axis=others, keepdims=True, initial=0.0)
    return np.sum(magnitudes ** p, axis=others, keepdims=True) ** (1.0 / p)


class RenormMethods:
    """``renorm`` and ``renorm_`` (a mixin of the Tensor class)."""

    __slots__ = ()

    def renorm(self, p: float, dim: int, maxnorm: float) -> AnyTensor:
        """out = x * (maxnorm / (||x_i||_p + 1e-7)) on each slice x_i along ``dim`` whose
        p-norm (over all the other axes) exceeds ``maxnorm``; the slice unchanged
        elsewhere, also where the norm is NaN (PyTorch's renorm, its 1e-7 included).
        Integer and bool tensors are refused, as PyTorch's."""
        _check(p, maxnorm, "renorm")
        require_float("renorm", input=self)  # PyTorch's rule; uint8 200 ** 2 would wrap
        if self.ndim < 2:
            raise UsageError(f"renorm: needs a tensor of at least 2 dimensions (PyTorch's "
                             f"rule); got shape {self.shape}")
        keep = single_axis(dim, self.ndim, "renorm")
        others = tuple(axis for axis in range(self.ndim) if axis != keep)
        small = ~(_norms(np.abs(self.detach().numpy()), p, others) > maxnorm)  # NaN: kept
        # the slices kept as they are need no norm: zeros in its graph, and a total of 1,
        # so that no NaN, nor the infinite derivative of total^(1/p) at 0, meets their
        # zero gradient
        size = self.masked_fill(small, 0.0).abs()
        if math.isinf(p):
            norm = size.amax(dim=others, keepdim=True)
        else:
            total = (size ** p if p != 1 else size).sum(axis=others, keepdims=True)
            norm = total.masked_fill(small, 1.0) ** (1.0 / p) if p != 1 else total
        factor = (maxnorm / (norm + 1e-7)).masked_fill(small, 1.0)
        return self * factor

    def renorm_(self, p: float, dim: int, maxnorm: float) -> AnyTensor:
        """``renorm`` written into self, in place."""
        return self._math_("renorm", p, dim, maxnorm)
