"""Weight penalties (regularisation terms) over a collection of tensors.

Add them to the loss: ``loss = data_loss + l2_penalty(model.parameters(), 1e-4)``.
``params`` is one Tensor or any iterable of Tensors (a generator such as
``model.parameters()`` is fine; pass only the weights you want penalised, often not the
biases). The result is a differentiable 0-d Tensor.

Convention: no factor 1/2 anywhere, as in the notes' formulas.

* L1: ``lam sum |w|``, gradient ``lam sign(w)`` (the constant push +-lambda toward 0
  that makes weights exactly zero, i.e. sparse; sign(0) = 0);
* L2: ``lam sum w^2``, gradient ``2 lam w`` (an SGD "weight decay" of ``wd`` is
  ``l2_penalty(params, wd / 2)``);
* Elastic net: ``l1 sum |w| + l2 sum w^2``.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from autograd import Function, Tensor
from .._checks import real_number
from ..errors import ArgumentTypeError

__all__ = ["l1_penalty", "l2_penalty", "elastic_net_penalty", "SquaredNorm"]


class SquaredNorm(Function):
    """out = lam sum_i sum(w_i^2) over all the inputs w_i;  dw_i = 2 lam g w_i.

    One node for all the parameters: written as ops it was two nodes per parameter plus
    the sums between them, about two thirds of a small model's training step."""
    __slots__ = ("lam",)
    fresh_grads = True  # each gradient is a new product

    def __init__(self, lam: float) -> None:
        self.lam = lam

    def forward(self, *params: np.ndarray) -> np.ndarray:
        total = 0.0  # a Python float: float32 parameters keep a float32 sum
        for w in params:
            flat = w.ravel(order="K")  # a view of a C- or F-ordered array
            total = total + np.dot(flat, flat)
        return np.asarray(total * self.lam)

    def vjp(self, g: Any, out: Any, *params: Any) -> tuple:
        scale = g * (2.0 * self.lam)
        return tuple((_as_dtype(scale * w, w.dtype) if needs else None)
                     for w, needs in zip(params, self.needs_input_grad))


def _as_dtype(grad: Any, dtype: np.dtype) -> Any:
    """A float32 parameter summed with float64 ones gets its gradient back in float32."""
    return grad if grad.dtype == dtype else grad.astype(dtype)


def _tensors(name: str, params: Tensor | Iterable[Tensor]) -> list[Tensor]:
    items = [params] if isinstance(params, Tensor) else list(params)
    for i, p in enumerate(items):
        if not isinstance(p, Tensor):
            raise ArgumentTypeError(f"{name}: params must be Tensors (e.g. model.parameters()); "
                                    f"item {i} is {type(p).__name__}")
    return items


def _check_strength(name: str, label: str, value: Any) -> float:
    return real_number(name, label, value, minimum=0)


def _total(terms: list[Tensor]) -> Tensor:
    if not terms:
        return Tensor(0.0)
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def l1_penalty(params: Tensor | Iterable[Tensor], lam: float) -> Tensor:
    """lam * sum over all elements of all params of |w|;  d/dw = lam sign(w)."""
    lam = _check_strength("l1_penalty", "lam", lam)
    return _total([p.abs().sum() for p in _tensors("l1_penalty", params)]) * lam


def l2_penalty(params: Tensor | Iterable[Tensor], lam: float) -> Tensor:
    """lam * sum over all elements of all params of w^2 (no 1/2);  d/dw = 2 lam w."""
    lam = _check_strength("l2_penalty", "lam", lam)
    tensors = _tensors("l2_penalty", params)
    return SquaredNorm.apply(*tensors, lam=lam) if tensors else Tensor(0.0)


def elastic_net_penalty(params: Tensor | Iterable[Tensor], l1: float,
                        l2: float) -> Tensor:
    """l1 * sum |w| + l2 * sum w^2 over all params (L1 sparsity plus L2 shrinkage);
    d/dw = l1 sign(w) + 2 l2 w."""
    l1 = _check_strength("elastic_net_penalty", "l1", l1)
    l2 = _check_strength("elastic_net_penalty", "l2", l2)
    tensors = _tensors("elastic_net_penalty", params)
    squares = SquaredNorm.apply(*tensors, lam=l2) if tensors else Tensor(0.0)
    return _total([p.abs().sum() for p in tensors]) * l1 + squares
