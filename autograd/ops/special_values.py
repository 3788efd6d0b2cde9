"""Special functions as ops: ``HurwitzZeta`` (differentiable in q, as PyTorch's) and
``NoDerivative``, the node of a function PyTorch computes but does not differentiate
(its Bessel functions J, Y, K, the Airy function and the orthogonal polynomials): their
outputs carry no ``grad_fn`` there, so a gradient through them silently vanishes. Here a
backward pass that reaches one raises instead, saying how to keep PyTorch's behaviour
(detach the input) and where a differentiable spelling exists.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import zeta_arrays
from ..errors import BackwardError, UnsupportedError
from ..function import Function, apply
from .generic import is_tensor

__all__ = ["HurwitzZeta", "NoDerivative"]


class NoDerivative(Function):
    """out = f(inputs), with no VJP: a backward pass through it raises."""
    __slots__ = ("function", "what", "hint")
    save_inputs = False

    def __init__(self, function: Callable[..., np.ndarray], what: str, hint: str = "") -> None:
        self.function, self.what, self.hint = function, what, hint

    def forward(self, *arrays: np.ndarray) -> np.ndarray:
        return self.function(*arrays)

    def vjp(self, g: Any, out: Any, *inputs: Any) -> tuple:
        raise BackwardError(
            f"{self.what} has no derivative: PyTorch marks its output as not differentiable "
            f"(no grad_fn), so a gradient through it is silently dropped there. Call it on "
            f"detached inputs (x.detach()) to do the same here{self.hint}.")


class HurwitzZeta(Function):
    """out = zeta(x, q) = sum_k (q + k)^-x;  dq = -g x zeta(x + 1, q); the derivative in x
    is not implemented (nor is PyTorch's)."""
    __slots__ = ()

    def forward(self, x: np.ndarray, q: np.ndarray) -> np.ndarray:
        return zeta_arrays.hurwitz_zeta(x, q)

    def vjp(self, g: Any, out: Any, x: Any, q: Any) -> tuple:
        if self.needs_input_grad[0]:
            raise UnsupportedError("zeta(x, q): the derivative in x is not implemented "
                                   "(PyTorch's neither); detach x, or differentiate in q")
        return (None, -g * x * zeta(x + 1, q))


def zeta(x: Any, q: Any) -> Any:
    """zeta(x, q) of arrays, or of Tensors as an op (for the VJP's own graph)."""
    if is_tensor(x) and is_tensor(q):
        return apply(HurwitzZeta(), x, q)
    if is_tensor(x) or is_tensor(q):
        tensor = x if is_tensor(x) else q
        x, q = (v if is_tensor(v) else tensor._make(np.asarray(v, dtype=tensor.dtype), None)
                for v in (x, q))
        return apply(HurwitzZeta(), x, q)
    return zeta_arrays.hurwitz_zeta(x, q)
