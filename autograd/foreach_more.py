"""More of PyTorch's ``torch._foreach_*`` list ops, as hand-written multi-tensor
optimizers use them: the in-place ``_foreach_addcmul_ _foreach_addcdiv_ _foreach_sqrt_
_foreach_abs_ _foreach_neg_ _foreach_sign_ _foreach_maximum_ _foreach_clamp_min_`` (each
returns the list it wrote, as ``foreach.py``'s) and the out-of-place ``_foreach_add
_foreach_sub _foreach_mul _foreach_div _foreach_lerp _foreach_sqrt _foreach_abs
_foreach_neg _foreach_sign _foreach_norm``, which return a new tuple (as PyTorch's do).
PyTorch fuses each into one kernel; here each runs the method of its name on every tensor
of the list, so it has that method's rules (recorded on a computed tensor, refused on a leaf that
requires grad while recording, the version counter bumped by a write)."""

from __future__ import annotations

from typing import Any, Sequence

from .foreach import _each
from .tensor import Tensor

__all__ = ["_foreach_addcmul_", "_foreach_addcdiv_", "_foreach_sqrt_", "_foreach_abs_",
           "_foreach_neg_", "_foreach_sign_", "_foreach_maximum_", "_foreach_clamp_min_",
           "_foreach_add", "_foreach_sub", "_foreach_mul", "_foreach_div", "_foreach_lerp",
           "_foreach_sqrt", "_foreach_abs", "_foreach_neg", "_foreach_sign", "_foreach_norm"]


def _foreach_addcmul_(self: Sequence[Tensor], tensor1: Sequence[Tensor],
                      tensor2: Sequence[Tensor], value: Any = 1) -> Sequence[Tensor]:
    """t += value * a * b for each t of the list and its a, b (``value`` a number or one
    number per tensor)."""
    name = "_foreach_addcmul_"
    for t, a, b, v in zip(self, _each(name, self, list(tensor1)),
                          _each(name, self, list(tensor2)), _each(name, self, value)):
        t.addcmul_(a, b, value=v)
    return self


def _foreach_addcdiv_(self: Sequence[Tensor], tensor1: Sequence[Tensor],
                      tensor2: Sequence[Tensor], value: Any = 1) -> Sequence[Tensor]:
    """t += value * a / b for each t of the list and its a, b (Adam's update:
    ``_foreach_addcdiv_(params, exp_avgs, denom, value=-step_size)``)."""
    name = "_foreach_addcdiv_"
    for t, a, b, v in zip(self, _each(name, self, list(tensor1)),
                          _each(name, self, list(tensor2)), _each(name, self, value)):
        t.addcdiv_(a, b, value=v)
    return self


def _foreach_sqrt_(self: Sequence[Tensor]) -> Sequence[Tensor]:
    """t = sqrt(t) for each tensor of the list, in place."""
    for t in self:
        t.sqrt_()
    return self


def _foreach_abs_(self: Sequence[Tensor]) -> Sequence[Tensor]:
    """t = |t| for each tensor of the list, in place."""
    for t in self:
        t.abs_()
    return self


def _foreach_neg_(self: Sequence[Tensor]) -> Sequence[Tensor]:
    """t = -t for each tensor of the list, in place."""
    for t in self:
        t.neg_()
    return self


def _foreach_sign_(self: Sequence[Tensor]) -> Sequence[Tensor]:
    """t = sign(t) for each tensor of the list, in place."""
    for t in self:
        t.sign_()
    return self


def _foreach_maximum_(self: Sequence[Tensor], other: Any) -> Sequence[Tensor]:
    """t = max(t, o) for each t of the list and its o (AMSGrad's running maximum)."""
    for t, o in zip(self, _each("_foreach_maximum_", self, other)):
        t.copy_(t.maximum(o) if isinstance(o, Tensor) else t.clamp(min=o))
    return self


def _foreach_clamp_min_(self: Sequence[Tensor], scalar: Any) -> Sequence[Tensor]:
    """t = max(t, s) for each t of the list and its number s."""
    for t, s in zip(self, _each("_foreach_clamp_min_", self, scalar)):
        t.clamp_(min=s)
    return self


def _foreach_add(self: Sequence[Tensor], other: Any, *, alpha: Any = 1) -> tuple:
    """[t + alpha * o] for each t of the list and its o, a new tuple."""
    return tuple(t.add(o, alpha=alpha) for t, o in zip(self, _each("_foreach_add", self, other)))


def _foreach_sub(self: Sequence[Tensor], other: Any, *, alpha: Any = 1) -> tuple:
    """[t - alpha * o] for each t of the list and its o, a new tuple."""
    return tuple(t.sub(o, alpha=alpha) for t, o in zip(self, _each("_foreach_sub", self, other)))


def _foreach_mul(self: Sequence[Tensor], other: Any) -> tuple:
    """[t * o] for each t of the list and its o, a new tuple."""
    return tuple(t * o for t, o in zip(self, _each("_foreach_mul", self, other)))


def _foreach_div(self: Sequence[Tensor], other: Any) -> tuple:
    """[t / o] for each t of the list and its o, a new tuple."""
    return tuple(t / o for t, o in zip(self, _each("_foreach_div", self, other)))


def _foreach_lerp(self: Sequence[Tensor], tensors1: Sequence[Tensor], weight: Any) -> tuple:
    """[t + weight * (end - t)] for each t of the list and its end, a new tuple."""
    ends = _each("_foreach_lerp", self, list(tensors1))
    weights = _each("_foreach_lerp", self, weight)
    return tuple(t.lerp(end, w) for t, end, w in zip(self, ends, weights))


def _foreach_sqrt(self: Sequence[Tensor]) -> tuple:
    """[sqrt(t)] for each tensor of the list (Adam's ``denom``), a new tuple."""
    return tuple(t.sqrt() for t in self)


def _foreach_abs(self: Sequence[Tensor]) -> tuple:
    """[|t|] for each tensor of the list, a new tuple."""
    return tuple(t.abs() for t in self)


def _foreach_neg(self: Sequence[Tensor]) -> tuple:
    """[-t] for each tensor of the list, a new tuple."""
    return tuple(-t for t in self)


def _foreach_sign(self: Sequence[Tensor]) -> tuple:
    """[sign(t)] for each tensor of the list (Lion's update), a new tuple."""
    return tuple(t.sign() for t in self)


def _foreach_norm(self: Sequence[Tensor], ord: Any = 2) -> tuple:  # noqa: A002 (PyTorch's)
    """[||t||_ord] for each tensor of the list, as 0-d tensors (the whole tensor's vector
    norm, ``torch.linalg.vector_norm(t, ord)``), a new tuple."""
    return tuple(t.norm(p=ord) for t in self)
