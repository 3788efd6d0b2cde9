"""The convolution's matrix product over the windows as one op (``WindowProduct``).

Written with autograd ops, a convolution after its ``im2col`` was five or six graph
nodes (the windows read as matrices, the weight read as one, the batched product, the
result back in (N, C_out, *out), the bias reshaped and added). Fused, it is one node,
like ``Affine`` for ``Linear``, with the same rule: the product sends ``g @ cols^T`` to
the weight and ``W^T @ g`` to the windows. The VJP is written with products, reshapes and
sums that Tensors have too, so it runs again under ``create_graph`` (every order holds).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.extend import Function

__all__ = ["WindowProduct"]


class WindowProduct(Function):
    """y[n, g] = W[g] @ cols[n, g] (+ b per output channel), in (N, C_out, *out), from the
    windows cols (N, C_in, *kernel, *out), read per sample and group as a matrix of
    (C_in / G * prod(kernel)) rows and prod(out) columns, and the weight W (C_out,
    C_in / G, *kernel), read as (G, C_out / G, C_in / G * prod(kernel));
    dW[g] = sum_n g[n, g] @ cols[n, g]^T,  dcols[n, g] = W[g]^T @ g[n, g],
    db = sum of g over n and the output positions."""
    __slots__ = ("groups",)

    def __init__(self, groups: int) -> None:
        self.groups = groups

    def _operands(self, cols: Any, weight: Any) -> tuple[Any, Any, tuple[int, ...]]:
        """(cols as (N, G, K, L), W as (G, M, K), the output's spatial shape)."""
        dims = weight.ndim - 2
        out = tuple(cols.shape[2 + dims:])
        rows = math.prod(weight.shape[1:])  # C_in / G * prod(kernel), also for N = 0
        columns = cols.reshape((cols.shape[0], self.groups, rows, math.prod(out)))
        return columns, weight.reshape((self.groups, weight.shape[0] // self.groups, rows)), out

    def forward(self, cols: np.ndarray, weight: np.ndarray,
                bias: np.ndarray | None = None) -> np.ndarray:
        columns, matrices, out = self._operands(cols, weight)
        y = (matrices @ columns).reshape((cols.shape[0], weight.shape[0]) + out)
        if bias is None:
            return y
        bias = bias.reshape((weight.shape[0],) + (1,) * len(out))
        if y.dtype is bias.dtype:  # y is a fresh array: add in place
            y += bias
            return y
        return y + bias  # (mixed dtypes promote)

    def vjp(self, g: Any, out: Any, cols: Any, weight: Any, bias: Any = None) -> tuple:
        needs = self.needs_input_grad
        columns, matrices, _ = self._operands(cols, weight)
        rows = g.reshape((g.shape[0], self.groups, matrices.shape[1], columns.shape[-1]))
        grad_cols = (matrices.swapaxes(-1, -2) @ rows).reshape(cols.shape) if needs[0] else None
        grad_w = ((rows @ columns.swapaxes(-1, -2)).sum(0).reshape(weight.shape)
                  if needs[1] else None)
        if bias is None:
            return grad_cols, grad_w
        grad_b = rows.sum((0, 3)).reshape(bias.shape) if needs[2] else None
        return grad_cols, grad_w, grad_b
