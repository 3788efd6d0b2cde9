"""Matrix product. Matmul switches: for Y = X W, dX = G W^T and dW = X^T G.

Batched inputs (leading axes) broadcast as in ``np.matmul``; a 1-d left operand is a
row vector and a 1-d right operand a column vector, as NumPy defines them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ShapeError
from ..function import Function, apply
from ..tensor import Tensor, as_tensor
from .generic import is_tensor

__all__ = ["matmul", "MatMul"]


class MatMul(Function):
    """out = a @ b;  da = g @ b^T,  db = a^T @ g  (the gradient "switches" operands)."""
    __slots__ = ()
    fresh_grads = True  # both are new matrix products

    def forward(self, a, b):
        return a @ b

    def vjp(self, g, out, a, b):
        a_vector, b_vector = a.ndim == 1, b.ndim == 1
        if a_vector:  # (n,) -> (1, n); g gains the matching axis
            a, g = a.reshape((1,) + a.shape), g.reshape(g.shape[:-1] + (1,) + g.shape[-1:])
        if b_vector:  # (n,) -> (n, 1)
            b, g = b.reshape(b.shape + (1,)), g.reshape(g.shape + (1,))
        ga = gb = None
        if self.needs_input_grad[0]:
            ga = g @ b.swapaxes(-1, -2)
            if a_vector:
                ga = ga.reshape(ga.shape[:-2] + ga.shape[-1:])
        if self.needs_input_grad[1]:
            if b.ndim == 2 and a.ndim > 2 and not is_tensor(a):
                # fold the batch axes into rows: one BLAS call, no summing afterwards
                gb = a.reshape(-1, a.shape[-1]).T @ g.reshape(-1, g.shape[-1])
            else:
                gb = a.swapaxes(-1, -2) @ g
            if b_vector:
                gb = gb.reshape(gb.shape[:-1])
        return ga, gb


def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product ``a @ b`` with NumPy's rules (batched, 1-d cases)."""
    a, b = as_tensor(a), as_tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(f"matmul: operands must have at least 1 axis; got shapes {a.shape} "
                         f"and {b.shape}. Use * to multiply by a scalar.")
    inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if a.shape[-1] != inner_b:
        raise ShapeError(
            f"matmul: inner dimensions differ: {a.shape} @ {b.shape} needs a.shape[-1] "
            f"({a.shape[-1]}) == {'b.shape[0]' if b.ndim == 1 else 'b.shape[-2]'} "
            f"({inner_b}). Transpose one operand (x.T) or fix the layer sizes.")
    if a.ndim > 2 and b.ndim > 2:
        try:
            np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        except ValueError:
            raise ShapeError(f"matmul: batch axes {a.shape[:-2]} and {b.shape[:-2]} cannot "
                             f"broadcast") from None
    return apply(MatMul(), a, b)
