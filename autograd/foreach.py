"""PyTorch's ``torch._foreach_*_`` in-place list ops, as EMA code writes the update of a
target network (``torch._foreach_lerp_(ema_params, params, 1 - decay)``, or
``_foreach_mul_(ema_params, decay)`` then ``_foreach_add_(ema_params, params,
alpha=1 - decay)``, ``_foreach_copy_`` for buffers). PyTorch fuses them into one kernel;
here each runs the in-place method of its name on every tensor of the list, so each has
that method's rules (a leaf that requires grad is written under ``no_grad()``; the version
counter is bumped). ``other`` is a number, a tensor, or a list with one per tensor.
Each returns the list it was given (``self``), as PyTorch's."""

from __future__ import annotations

from typing import Any, Sequence

from .errors import ShapeError
from .tensor import Tensor

__all__ = ["_foreach_add_", "_foreach_sub_", "_foreach_mul_", "_foreach_div_",
           "_foreach_lerp_", "_foreach_copy_", "_foreach_zero_"]


def _each(op: str, tensors: Sequence[Tensor], other: Any) -> list:
    """``other`` once per tensor: a list as it is (the same length), else repeated."""
    if isinstance(other, (list, tuple)):
        if len(other) != len(tensors):
            raise ShapeError(f"{op}: the lists must be as long as each other; got "
                             f"{len(tensors)} tensors and {len(other)}")
        return list(other)
    return [other] * len(tensors)


def _foreach_add_(self: Sequence[Tensor], other: Any, *, alpha: Any = 1) -> Sequence[Tensor]:
    """t += alpha * o for each tensor t of the list and its o (``t.add_(o, alpha=...)``)."""
    for t, o in zip(self, _each("_foreach_add_", self, other)):
        t.add_(o, alpha=alpha)
    return self


def _foreach_sub_(self: Sequence[Tensor], other: Any, *, alpha: Any = 1) -> Sequence[Tensor]:
    """t -= alpha * o for each tensor t of the list and its o."""
    for t, o in zip(self, _each("_foreach_sub_", self, other)):
        t.sub_(o, alpha=alpha)
    return self


def _foreach_mul_(self: Sequence[Tensor], other: Any) -> Sequence[Tensor]:
    """t *= o for each tensor t of the list and its o."""
    for t, o in zip(self, _each("_foreach_mul_", self, other)):
        t.mul_(o)
    return self


def _foreach_div_(self: Sequence[Tensor], other: Any) -> Sequence[Tensor]:
    """t /= o for each tensor t of the list and its o."""
    for t, o in zip(self, _each("_foreach_div_", self, other)):
        t.div_(o)
    return self


def _foreach_lerp_(self: Sequence[Tensor], tensors1: Sequence[Tensor],
                   weight: Any) -> Sequence[Tensor]:
    """t += weight * (end - t) for each tensor t of the list and its end."""
    ends = _each("_foreach_lerp_", self, list(tensors1))
    for t, end, w in zip(self, ends, _each("_foreach_lerp_", self, weight)):
        t.lerp_(end, w)
    return self


def _foreach_copy_(self: Sequence[Tensor], src: Sequence[Tensor]) -> Sequence[Tensor]:
    """t[...] = s for each tensor t of the list and its s."""
    for t, s in zip(self, _each("_foreach_copy_", self, list(src))):
        t.copy_(s)
    return self


def _foreach_zero_(self: Sequence[Tensor]) -> Sequence[Tensor]:
    """t[...] = 0 for each tensor t of the list."""
    for t in self:
        t.zero_()
    return self
