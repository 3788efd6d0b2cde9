"""Matrix product. Matmul switches: for Y = X W, dX = G W^T and dW = X^T G.

Batched inputs (leading axes) broadcast as in ``np.matmul`` (the engine sums the
gradient over broadcast batch axes); a 1-d left operand is a row vector and a 1-d right
operand a column vector, as NumPy defines them (``_as_matrices`` / ``_as_vectors``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ShapeError
from ..function import Function

__all__ = ["MatMul", "check_matmul"]


class MatMul(Function):
    """out = a @ b;  da = g @ b^T,  db = a^T @ g  (the gradient "switches" operands)."""
    __slots__ = ()
    fresh_grads = True  # both are new matrix products
    gradient_reads = ((1,), (0,))

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        check_matmul(a.shape, b.shape)
        return a @ b

    def vjp(self, g: Any, out: Any, a: Any, b: Any) -> tuple:
        a2, b2, g2 = _as_matrices(a, b, g)
        ga = g2 @ b2.swapaxes(-1, -2) if self.needs_input_grad[0] else None
        gb = a2.swapaxes(-1, -2) @ g2 if self.needs_input_grad[1] else None
        return _as_vectors(ga, gb, a.ndim == 1, b.ndim == 1)


def _as_matrices(a: Any, b: Any, g: Any) -> tuple:
    """1-d operands as 2-d: ``a`` (n,) as a row (1, n), ``b`` (n,) as a column (n, 1);
    ``g`` gets back the axis each one dropped from the product."""
    if a.ndim == 1:
        a, g = a.reshape((1,) + a.shape), g.reshape(g.shape[:-1] + (1,) + g.shape[-1:])
    if b.ndim == 1:
        b, g = b.reshape(b.shape + (1,)), g.reshape(g.shape + (1,))
    return a, b, g


def _as_vectors(ga: Any, gb: Any, a_vector: bool, b_vector: bool) -> tuple:
    """Undo ``_as_matrices`` on the gradients: drop the axes added to 1-d operands."""
    if a_vector and ga is not None:
        ga = ga.reshape(ga.shape[:-2] + ga.shape[-1:])
    if b_vector and gb is not None:
        gb = gb.reshape(gb.shape[:-1])
    return ga, gb


def check_matmul(a: tuple[int, ...], b: tuple[int, ...]) -> None:
    """ShapeError unless shapes ``a @ b`` can multiply (NumPy's rules)."""
    if len(a) == 0 or len(b) == 0:
        raise ShapeError(f"matmul: operands must have at least 1 axis; got shapes {a} "
                         f"and {b}. Use * to multiply by a scalar.")
    inner_b = b[0] if len(b) == 1 else b[-2]
    if a[-1] != inner_b:
        raise ShapeError(
            f"matmul: inner dimensions differ: {a} @ {b} needs a.shape[-1] ({a[-1]}) == "
            f"{'b.shape[0]' if len(b) == 1 else 'b.shape[-2]'} ({inner_b}). Transpose one "
            f"operand (x.T) or fix the layer sizes.")
    if len(a) > 2 and len(b) > 2:
        try:
            np.broadcast_shapes(a[:-2], b[:-2])
        except ValueError:
            raise ShapeError(f"matmul: batch axes {a[:-2]} and {b[:-2]} cannot "
                             f"broadcast") from None
