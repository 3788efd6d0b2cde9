"""The affine map of a ``Linear`` layer as one fused op.

y = x W^T + b could be written as three recorded ops (transpose, matmul, add), but fused
it is one graph node instead of three, its arrays stay C-contiguous (NumPy reduces and
broadcasts those fastest), and the weight's gradient comes out of one matrix product in
W's own (out, in) layout, ready to be stored without a copy.
"""

from __future__ import annotations

from typing import Any

from autograd import Function, Tensor, as_tensor
from autograd.errors import ShapeError

__all__ = ["linear", "Affine"]


class Affine(Function):
    """y = x W^T + b for x (..., in), W (out, in), b (out,);
    dx = g W,  dW = g^T x and db = sum of g, both summed over the leading axes of x."""
    __slots__ = ()

    def forward(self, x, weight, bias=None):
        y = x @ weight.T
        if bias is None:
            return y
        if y.dtype == bias.dtype and y.ndim:
            y += bias  # y is a fresh array: add in place, no second allocation
            return y
        return y + bias

    def vjp(self, g, out, x, weight, bias=None):
        needs = self.needs_input_grad
        rows = g.reshape(-1, g.shape[-1])  # leading axes folded: (N, out)
        grad_x = g @ weight if needs[0] else None
        grad_w = rows.swapaxes(-1, -2) @ x.reshape(-1, x.shape[-1]) if needs[1] else None
        if len(needs) == 2:
            return grad_x, grad_w
        return grad_x, grad_w, rows.sum(axis=0) if needs[2] else None


def linear(x: Any, weight: Any, bias: Any = None) -> Tensor:
    """y = x W^T + b on the last axis of x (PyTorch's ``F.linear``): W has shape
    (out, in), b shape (out,) or None."""
    x, weight = as_tensor(x), as_tensor(weight)
    if weight.ndim != 2:
        raise ShapeError(f"linear: weight must be 2-d (out, in); got shape {weight.shape}")
    if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ShapeError(
            f"linear: input of shape {x.shape} needs its last axis to have "
            f"in_features={weight.shape[1]} elements (weight shape {weight.shape}).")
    if bias is None:
        return Affine()(x, weight)
    bias = as_tensor(bias)
    if bias.shape != (weight.shape[0],):
        raise ShapeError(f"linear: bias must have shape ({weight.shape[0]},) to match the "
                         f"weight {weight.shape}; got {bias.shape}")
    return Affine()(x, weight, bias)
