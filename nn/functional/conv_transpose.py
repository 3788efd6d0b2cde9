"""``conv_transpose1d``, ``conv_transpose2d`` and ``conv_transpose3d`` with PyTorch's
arguments: the adjoint of a convolution (the gradient of ``conv2d`` in its input), written
as one matmul + col2im, one function over any number of spatial axes.

Per sample and group, the weight read as (C_in/groups, C_out/groups * prod(kernel)) meets
the input read as (C_in/groups, prod(spatial)) in one batched matrix product,

    cols[n, g] = W[g]^T @ x[n, g]        (one window of outputs per input position)

(one op, ``TransposedWindowProduct``, whose inputs are the user's input and weight, so an
in-place write into either names their own shapes), and ``col2im``
(``nn.functional.windows``) adds each window into the output where a convolution with the
same stride and dilation would have read it. ``padding`` then trims both sides,
``output_padding`` that much less at the end (zeros where no window reached). The
product, col2im, pad and slicing are each one op whose VJP is again such ops, so
gradients hold to every order.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor
from autograd.errors import ShapeError
from autograd.extend import Function

from .._checks import integer
from ..errors import ConfigError
from .conv import check_has_channels, check_not_empty, conv_operands
from .windows import col2im, int_tuple

__all__ = ["conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "transposed_length",
           "check_output_padding", "TransposedWindowProduct"]


def transposed_length(size: int, kernel: int, stride: int, padding: int, dilation: int,
                      output_padding: int = 0) -> int:
    """The output length of a transposed convolution along an axis of ``size`` entries:
    (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1."""
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def check_output_padding(owner: str, output_padding: tuple[int, ...],
                         stride: tuple[int, ...], dilation: tuple[int, ...]) -> None:
    """A ConfigError unless each output padding is smaller than its stride or its
    dilation (PyTorch's rule: otherwise it would add a row no window reaches)."""
    if any(p >= s and p >= d for p, s, d in zip(output_padding, stride, dilation)):
        raise ConfigError(f"{owner}: output padding must be smaller than either stride or "
                          f"dilation, as in PyTorch; got output_padding={output_padding}, "
                          f"stride={stride}, dilation={dilation}. Use a smaller "
                          f"output_padding (or give the layer output_size=)")


class TransposedWindowProduct(Function):
    """cols[n, g] = W[g]^T @ x[n, g], in (N, C_out, *kernel, *spatial), from the input x
    (N, C_in, *spatial), read per sample and group as (C_in / G, prod(spatial)), and the
    weight W (C_in, C_out / G, *kernel), read as (G, C_in / G, C_out / G * prod(kernel));
    dx[n, g] = W[g] @ g[n, g],  dW[g] = sum_n x[n, g] @ g[n, g]^T. The VJP uses only
    products, reshapes and sums, which Tensors have too (every order holds)."""
    __slots__ = ("groups",)
    fresh_grads = True  # both are new matrix products
    gradient_reads = ((1,), (0,))  # dx reads W, dW reads x

    def __init__(self, groups: int) -> None:
        self.groups = groups

    def _operands(self, x: Any, weight: Any) -> tuple[Any, Any]:
        """(x as (N, G, C_in / G, L), W as (G, C_in / G, C_out / G * prod(kernel)))."""
        groups, per_group = self.groups, weight.shape[0] // self.groups
        matrices = weight.reshape((groups, per_group, math.prod(weight.shape[1:])))
        rows = x.reshape((x.shape[0], groups, per_group, math.prod(x.shape[2:])))
        return rows, matrices

    def forward(self, x: np.ndarray, weight: np.ndarray) -> np.ndarray:
        rows, matrices = self._operands(x, weight)
        cols = matrices.swapaxes(-1, -2) @ rows
        return cols.reshape((x.shape[0], weight.shape[1] * self.groups) + weight.shape[2:]
                            + x.shape[2:])

    def vjp(self, g: Any, out: Any, x: Any, weight: Any) -> tuple:
        needs = self.needs_input_grad
        rows, matrices = self._operands(x, weight)
        windows = g.reshape(rows.shape[:2] + (matrices.shape[2], rows.shape[3]))
        grad_x = (matrices @ windows).reshape(x.shape) if needs[0] else None
        grad_w = ((rows @ windows.swapaxes(-1, -2)).sum(0).reshape(weight.shape)
                  if needs[1] else None)
        return grad_x, grad_w


def _conv_transpose(owner: str, dims: int, input: Any, weight: Any, bias: Any, stride: Any,
                    padding: Any, output_padding: Any, groups: Any, dilation: Any) -> Tensor:
    """The transposed convolution over the last ``dims`` axes (see ``conv_transpose2d``)."""
    x, weight, unbatched = conv_operands(owner, dims, input, weight,
                                         "in_channels, out_channels / groups, *kernel_size")
    groups = integer(owner, "groups", groups, minimum=1)
    in_channels, group_out, kernel = weight.shape[0], weight.shape[1], weight.shape[2:]
    check_has_channels(owner, weight.shape, "input channel", 0)
    check_has_channels(owner, weight.shape, "output channel per group", 1)
    if in_channels % groups:
        raise ShapeError(f"{owner}: groups={groups} must divide the weight's in_channels "
                         f"(its first axis); got weight of shape {weight.shape}")
    if x.shape[1] != in_channels:
        raise ShapeError(f"{owner}: a weight of shape {weight.shape} (in_channels first, "
                         f"as PyTorch's transposed convolutions) expects an input with "
                         f"{in_channels} channels (axis {int(not unbatched)}); got input "
                         f"of shape {tuple(getattr(input, 'shape', ()))}")
    stride = int_tuple(owner, "stride", stride, dims, minimum=1, expand_single=True)
    padding = int_tuple(owner, "padding", padding, dims, minimum=0, expand_single=True)
    output_padding = int_tuple(owner, "output_padding", output_padding, dims, minimum=0,
                               expand_single=True)
    dilation = int_tuple(owner, "dilation", dilation, dims, minimum=1, expand_single=True)
    check_output_padding(owner, output_padding, stride, dilation)
    spatial = x.shape[2:]
    check_not_empty(owner, spatial, kernel)
    out = tuple(transposed_length(*sizes) for sizes
                in zip(spatial, kernel, stride, padding, dilation, output_padding))
    if any(n < 1 for n in out):
        raise ShapeError(f"{owner}: an input of {spatial} per channel gives an output of "
                         f"{out} per channel (kernel {kernel}, stride {stride}, padding "
                         f"{padding}, dilation {dilation}): too small. Use less padding.")
    batch, out_channels = x.shape[0], group_out * groups
    cols = TransposedWindowProduct.apply(x, weight, groups=groups)  # (N, C_out, *k, *spatial)
    full = tuple(transposed_length(n, k, s, 0, d) for n, k, s, d
                 in zip(spatial, kernel, stride, dilation))
    y = col2im(cols, (batch, out_channels) + full, stride, dilation)
    if any(output_padding):
        y = y.pad([(0, 0), (0, 0)] + [(0, p) for p in output_padding])
    if any(padding):
        y = y[(slice(None), slice(None)) + tuple(slice(p, p + n) for p, n in zip(padding, out))]
    if bias is not None:
        bias = as_tensor(bias)
        if bias.shape != (out_channels,):
            raise ShapeError(f"{owner}: bias must have shape ({out_channels},), one value "
                             f"per output channel; got {bias.shape}")
        y = y + bias.reshape((out_channels,) + (1,) * dims)
    return y.reshape(y.shape[1:]) if unbatched else y


def conv_transpose1d(input: Any, weight: Any, bias: Any = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """1-d transposed convolution of input (N, C_in, L) or (C_in, L) with weight
    (C_in, C_out/groups, k), as PyTorch's ``F.conv_transpose1d`` (see
    ``conv_transpose2d``)."""
    return _conv_transpose("conv_transpose1d", 1, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


def conv_transpose2d(input: Any, weight: Any, bias: Any = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """2-d transposed convolution ("deconvolution"), as PyTorch's ``F.conv_transpose2d``:
    input (N, C_in, H, W) or (C_in, H, W), weight (C_in, C_out/groups, kH, kW), bias
    (C_out,) or None. Each input entry adds W[c] times itself into the output window a
    ``conv2d`` with this stride and dilation would read: it is conv2d's gradient in its
    input. Output H' = (H - 1) sH - 2 pH + dH (kH - 1) + opH + 1: ``padding`` (ints) trims
    both sides, ``output_padding`` (smaller than the stride or the dilation) keeps that
    many more rows at the end. Note the order: ``groups`` before ``dilation``, as PyTorch."""
    return _conv_transpose("conv_transpose2d", 2, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


def conv_transpose3d(input: Any, weight: Any, bias: Any = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """3-d transposed convolution of input (N, C_in, D, H, W) or (C_in, D, H, W) with
    weight (C_in, C_out/groups, kD, kH, kW), as PyTorch's ``F.conv_transpose3d`` (see
    ``conv_transpose2d``): D' = (D - 1) sD - 2 pD + dD (kD - 1) + opD + 1, and alike on H
    and W; the sizes an int or a triple."""
    return _conv_transpose("conv_transpose3d", 3, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)
