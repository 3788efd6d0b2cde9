"""More of PyTorch's ``torch._foreach_*`` list ops, as hand-written multi-tensor
optimizers use them: the in-place ``_foreach_addcmul_ _foreach_addcdiv_ _foreach_sqrt_
_foreach_abs_ _foreach_neg_ _foreach_sign_ _foreach_maximum_ _foreach_clamp_min_`` (each
returns the list it wrote, as ``foreach.py``'s) and the out-of-place ``_foreach_add
_foreach_sub _foreach_mul _foreach_div _foreach_lerp _foreach_sqrt _foreach_abs
_foreach_neg _foreach_sign _foreach_norm``, which return a new tuple (as PyTorch's do).
PyTorch fuses each into one kernel; here each runs the method of its name on every tensor
of the list, so it has that method's rules (recorded on a computed tensor, refused on a leaf
that requires grad while recording, the version counter bumped by a write). The arguments
follow ``foreach.py``'s rules; ``_foreach_addcmul_``/``_foreach_addcdiv_`` also take one
value per tensor packed in a 1-d Tensor, as PyTorch's."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .errors import DTypeError, NormOrderError, ShapeError
from .foreach import _each, check_alpha, paired, tensor_list
from .tensor import Tensor
from .torch_arguments import widening_dtype

__all__ = ["_foreach_addcmul_", "_foreach_addcdiv_", "_foreach_sqrt_", "_foreach_abs_",
           "_foreach_neg_", "_foreach_sign_", "_foreach_maximum_", "_foreach_clamp_min_",
           "_foreach_add", "_foreach_sub", "_foreach_mul", "_foreach_div", "_foreach_lerp",
           "_foreach_sqrt", "_foreach_abs", "_foreach_neg", "_foreach_sign", "_foreach_norm"]


def _per_tensor_values(op: str, tensors: list, value: Any) -> list:
    """``value`` once per tensor: a number, a list of numbers, or PyTorch's packed 1-d
    Tensor of numbers (entry i goes with tensor i, never broadcast into each)."""
    if not isinstance(value, Tensor):
        return _each(op, tensors, value)
    if value.shape != (len(tensors),):
        raise ShapeError(f"{op}: a tensor of values holds one number per tensor, so it must "
                         f"be 1-d of length {len(tensors)} (as PyTorch's); got shape "
                         f"{value.shape}. Pass a number for one value for all")
    return value.tolist()


def _addc_operands(op: str, self: Any, tensor1: Any, tensor2: Any, value: Any) -> list:
    """(t, a, b, v) for each t of the list, its a and b and its value v."""
    tensors = tensor_list(op, self)
    firsts = _each(op, tensors, tensor_list(op, tensor1, "tensor1"))
    seconds = _each(op, tensors, tensor_list(op, tensor2, "tensor2"))
    return list(zip(tensors, firsts, seconds, _per_tensor_values(op, tensors, value)))


def _foreach_addcmul_(self: Sequence[Tensor], tensor1: Sequence[Tensor],
                      tensor2: Sequence[Tensor], value: Any = 1) -> Sequence[Tensor]:
    """t += value * a * b for each t of the list and its a, b (``value`` a number, or one
    number per tensor: a list or a 1-d Tensor)."""
    for t, a, b, v in _addc_operands("_foreach_addcmul_", self, tensor1, tensor2, value):
        t.addcmul_(a, b, value=v)
    return self


def _foreach_addcdiv_(self: Sequence[Tensor], tensor1: Sequence[Tensor],
                      tensor2: Sequence[Tensor], value: Any = 1) -> Sequence[Tensor]:
    """t += value * a / b for each t of the list and its a, b (Adam's update:
    ``_foreach_addcdiv_(params, exp_avgs, denom, value=-step_size)``; ``value`` as in
    ``_foreach_addcmul_``)."""
    for t, a, b, v in _addc_operands("_foreach_addcdiv_", self, tensor1, tensor2, value):
        t.addcdiv_(a, b, value=v)
    return self


def _foreach_sqrt_(self: Sequence[Tensor]) -> Sequence[Tensor]:
    """t = sqrt(t) for each tensor of the list, in place."""
    for t in tensor_list("_foreach_sqrt_", self):
        t.sqrt_()
    return self


def _foreach_abs_(self: Sequence[Tensor]) -> Sequence[Tensor]:
    """t = |t| for each tensor of the list, in place."""
    for t in tensor_list("_foreach_abs_", self):
        t.abs_()
    return self


def _foreach_neg_(self: Sequence[Tensor]) -> Sequence[Tensor]:
    """t = -t for each tensor of the list, in place."""
    for t in tensor_list("_foreach_neg_", self):
        t.neg_()
    return self


def _foreach_sign_(self: Sequence[Tensor]) -> Sequence[Tensor]:
    """t = sign(t) for each tensor of the list, in place."""
    for t in tensor_list("_foreach_sign_", self):
        t.sign_()
    return self


def _foreach_maximum_(self: Sequence[Tensor], other: Any) -> Sequence[Tensor]:
    """t = max(t, o) for each t of the list and its o (AMSGrad's running maximum)."""
    for t, o in paired("_foreach_maximum_", self, other):
        t.copy_(t.maximum(o) if isinstance(o, Tensor) else t.clamp(min=o))
    return self


def _foreach_clamp_min_(self: Sequence[Tensor], scalar: Any) -> Sequence[Tensor]:
    """t = max(t, s) for each t of the list and its number s."""
    for t, s in paired("_foreach_clamp_min_", self, scalar):
        t.clamp_(min=s)
    return self


def _foreach_add(self: Sequence[Tensor], other: Any, *, alpha: Any = 1) -> tuple:
    """[t + alpha * o] for each t of the list and its o, a new tuple."""
    check_alpha("_foreach_add", other, alpha)
    return tuple(t.add(o, alpha=alpha) for t, o in paired("_foreach_add", self, other))


def _foreach_sub(self: Sequence[Tensor], other: Any, *, alpha: Any = 1) -> tuple:
    """[t - alpha * o] for each t of the list and its o, a new tuple."""
    check_alpha("_foreach_sub", other, alpha)
    return tuple(t.sub(o, alpha=alpha) for t, o in paired("_foreach_sub", self, other))


def _foreach_mul(self: Sequence[Tensor], other: Any) -> tuple:
    """[t * o] for each t of the list and its o, a new tuple."""
    return tuple(t * o for t, o in paired("_foreach_mul", self, other))


def _foreach_div(self: Sequence[Tensor], other: Any) -> tuple:
    """[t / o] for each t of the list and its o, a new tuple."""
    return tuple(t / o for t, o in paired("_foreach_div", self, other))


def _foreach_lerp(self: Sequence[Tensor], tensors1: Sequence[Tensor], weight: Any) -> tuple:
    """[t + weight * (end - t)] for each t of the list and its end, a new tuple."""
    name = "_foreach_lerp"
    ends = paired(name, self, tensor_list(name, tensors1, "tensors1"))
    return tuple(t.lerp(end, w) for (t, end), w in zip(ends, _each(name, self, weight)))


def _foreach_sqrt(self: Sequence[Tensor]) -> tuple:
    """[sqrt(t)] for each tensor of the list (Adam's ``denom``), a new tuple."""
    return tuple(t.sqrt() for t in tensor_list("_foreach_sqrt", self))


def _foreach_abs(self: Sequence[Tensor]) -> tuple:
    """[|t|] for each tensor of the list, a new tuple."""
    return tuple(t.abs() for t in tensor_list("_foreach_abs", self))


def _foreach_neg(self: Sequence[Tensor]) -> tuple:
    """[-t] for each tensor of the list, a new tuple."""
    return tuple(-t for t in tensor_list("_foreach_neg", self))


def _foreach_sign(self: Sequence[Tensor]) -> tuple:
    """[sign(t)] for each tensor of the list (Lion's update), a new tuple."""
    return tuple(t.sign() for t in tensor_list("_foreach_sign", self))


def _foreach_norm(self: Sequence[Tensor], ord: Any = 2, *,  # noqa: A002 (PyTorch's)
                  dtype: Any = None) -> tuple:
    """[||t||_ord] for each tensor of the list, as 0-d tensors (the whole tensor's vector
    norm, ``torch.linalg.vector_norm(t, ord)``: ord a real number, inf or -inf), computed
    in ``dtype`` (a float dtype at least as wide as t's) when given; a new tuple."""
    name = "_foreach_norm"
    if isinstance(ord, bool) or not isinstance(ord, (int, float, np.number)):
        raise NormOrderError(f"{name}: ord must be a number (any real p, inf, -inf), as "
                             f"PyTorch's; got {ord!r}")
    tensors = tensor_list(name, self)
    for t in tensors:
        if t.dtype.kind != "f":
            raise DTypeError(f"{name}: the norm needs float tensors (as PyTorch's); got "
                             f"{t.dtype}. Convert them first: [t.double() for t in tensors]")
        if dtype is not None:
            widening_dtype(name, t.dtype, dtype)  # refuses a narrowing dtype
    return tuple(t.norm(p=ord, dtype=dtype) for t in tensors)
