"""The affine map of a ``Linear`` layer as one fused op.

y = x W^T + b could be written as three recorded ops (transpose, matmul, add), but fused
it is one graph node instead of three, its arrays stay contiguous (NumPy reduces and
broadcasts those fastest), and the weight's gradient comes out of one matrix product in
W's own (out, in) shape and memory order, ready to be stored without a copy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from autograd.extend import Function, constant, slope_vjp
from autograd.errors import ShapeError

__all__ = ["linear", "Affine", "AffineReLU"]

_add_reduce = np.add.reduce


class Affine(Function):
    """y = x W^T + b for x (..., in), W (out, in), b (out,) (or (1,) or (), broadcast);
    dx = g W,  dW = g^T x and db = sum of g, both summed over the leading axes of x
    (the engine sums db further down to a broadcast bias's shape).
    Each gradient comes out in its input's shape, as a new array (``fresh_grads``). dx
    reads only W and dW only x (``gradient_reads``), so an in-place update of W after the
    forward (an optimizer or ``AveragedModel`` step) is no error when x needs no gradient,
    as in PyTorch."""
    __slots__ = ()
    fresh_grads = True
    gradient_reads = ((1,), (0,), ())  # bias may be absent: only the wanted ones are read

    def forward(self, x: np.ndarray, weight: np.ndarray,
                bias: np.ndarray | None = None) -> np.ndarray:
        y = x @ weight.T
        if bias is None:
            return y
        if y.dtype is bias.dtype:  # y is a fresh array, at least 1-d: add in place
            y += bias
            return y
        return y + bias  # (mixed dtypes promote)

    def vjp(self, g: Any, out: Any, x: Any, weight: Any, bias: Any = None) -> tuple:
        needs = self.needs_input_grad
        if g.ndim == 2:  # (N, out): no leading axes to fold
            rows, inputs = g, x
        else:  # leading axes folded: (N, out) and (N, in)
            rows, inputs = g.reshape(-1, g.shape[-1]), x.reshape(-1, x.shape[-1])
        grad_x = g @ weight if needs[0] else None
        if not needs[1]:
            grad_w = None
        elif type(weight) is np.ndarray and weight.strides[0] < weight.strides[1]:
            grad_w = (inputs.T @ rows).T  # W in F order (Linear's): dW too, for the update
        else:
            grad_w = rows.T @ inputs  # rows is 2-d: .T swaps its axes
        if len(needs) == 2:
            return grad_x, grad_w
        if not needs[2]:
            return grad_x, grad_w, None
        # ndarray.sum would call through NumPy's Python wrapper; add.reduce is the same sum
        return grad_x, grad_w, (_add_reduce(rows, 0) if type(rows) is np.ndarray
                                else rows.sum(axis=0))


class AffineReLU(Affine):
    """y = max(x W^T + b, 0): a ``Linear`` layer and the ReLU after it as one graph node
    (``Sequential`` runs such pairs so: one node to record and walk back instead of two).
    With A = x W^T + b, dA = g [y > 0] (relu'(0) = 0, as ``ReLU``'s), then Affine's VJP
    of dA: the same numbers as the two ops, bit for bit."""
    __slots__ = ()
    save_output = True  # the mask [y > 0] comes from the output

    def forward(self, x: np.ndarray, weight: np.ndarray,
                bias: np.ndarray | None = None) -> np.ndarray:
        y = super().forward(x, weight, bias)  # a fresh array: clamp it in place
        return np.maximum(y, 0, out=y)

    def vjp(self, g: Any, out: Any, x: Any, weight: Any, bias: Any = None) -> tuple:
        return super().vjp(slope_vjp(g, out, constant(out) > 0), out, x, weight, bias)


def linear(input: Any, weight: Any, bias: Any = None) -> Tensor:
    """y = x W^T + b on the last axis of x (PyTorch's ``F.linear``): W has shape
    (out, in), b shape (out,), or (1,) or () (one value added to every output, as
    PyTorch broadcasts it; its gradient is the sum of all of g), or None."""
    x = input if isinstance(input, Tensor) else Tensor(input)
    weight = weight if isinstance(weight, Tensor) else Tensor(weight)
    w_shape = weight.shape
    if len(w_shape) != 2:
        raise ShapeError(f"linear: weight must be 2-d (out, in); got shape {weight.shape}")
    x_shape = x.shape
    if not x_shape or x_shape[-1] != w_shape[1]:
        raise ShapeError(
            f"linear: input of shape {x.shape} needs its last axis to have "
            f"in_features={w_shape[1]} elements (weight shape {weight.shape}).")
    if bias is None:
        return Affine.apply(x, weight)
    bias = bias if isinstance(bias, Tensor) else Tensor(bias)
    _check_bias(bias.shape, w_shape)
    return Affine.apply(x, weight, bias)


def _check_bias(b_shape: tuple, w_shape: tuple) -> None:
    """A named ShapeError unless a bias of shape ``b_shape`` broadcasts to the output's
    last axis alone: (out,), (1,) or () for a weight (out, in). (PyTorch also takes a
    bias of the output's whole shape; that is refused here.)"""
    if b_shape in (w_shape[:1], (1,), ()):
        return
    raise ShapeError(f"linear: bias must have shape ({w_shape[0]},) to match the weight "
                     f"{w_shape} (or (1,) or (): one value for every output); got "
                     f"{b_shape}. Give one bias value per output feature.")
