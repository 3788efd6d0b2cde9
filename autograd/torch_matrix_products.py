"""PyTorch's module-level matrix builders and products that linear-algebra code calls:
``vander`` (polynomial least squares), ``block_diag`` (stacked systems, bundle
adjustment), ``addmv``, ``addr``, ``ger``, ``chain_matmul`` (the older ``multi_dot``) and
``matrix_power`` (``torch.linalg.matrix_power``'s older name).
Compositions of differentiable ops."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import ShapeError
from .linalg_extras import multi_dot, powers
from .out_argument import accepts_out
from .tensor import Tensor, as_tensor
from .tensor_math import concatenate

__all__ = ["vander", "block_diag", "addmv", "addr", "ger", "chain_matmul", "matrix_power"]


def vander(x: Any, N: int | None = None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix of a vector, as ``torch.vander``: column j is x^(N-1-j)
    (x^j with ``increasing``), N = len(x) by default."""
    x = as_tensor(x)
    if x.ndim != 1:
        raise ShapeError(f"vander: x must be 1-d; got shape {x.shape}")
    V = powers(x, x.shape[0] if N is None else N)
    return V if increasing else V.flip(-1)


def block_diag(*tensors: Any) -> Tensor:
    """The block-diagonal matrix of the given blocks, as ``torch.block_diag``: a 0-d
    block is 1 x 1, a 1-d one a row; zeros elsewhere."""
    blocks = [as_tensor(t) for t in tensors]
    for i, b in enumerate(blocks):
        if b.ndim > 2:
            raise ShapeError(f"block_diag: block {i} must have at most 2 axes; got shape "
                             f"{b.shape}")
    blocks = [b.reshape(1, -1) if b.ndim < 2 else b for b in blocks]
    if not blocks:
        return Tensor(np.zeros((1, 0)))
    dtype = np.result_type(*(b.dtype for b in blocks))
    width = sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        b = b.astype(dtype) if b.dtype != dtype else b
        right = width - left - b.shape[1]
        rows.append(concatenate([b.new_zeros(b.shape[0], left), b,
                                 b.new_zeros(b.shape[0], right)], axis=1))
        left += b.shape[1]
    return concatenate(rows, axis=0)


@accepts_out
def addmv(input: Any, mat: Any, vec: Any, *, beta: Any = 1,  # noqa: A002
          alpha: Any = 1) -> Tensor:
    """beta * input + alpha * (mat @ vec), as ``torch.addmv``."""
    return as_tensor(input).addmv(mat, vec, beta=beta, alpha=alpha)


@accepts_out
def addr(input: Any, vec1: Any, vec2: Any, *, beta: Any = 1,  # noqa: A002
         alpha: Any = 1) -> Tensor:
    """beta * input + alpha * outer(vec1, vec2), as ``torch.addr``."""
    return as_tensor(input).addr(vec1, vec2, beta=beta, alpha=alpha)


@accepts_out
def ger(input: Any, vec2: Any) -> Tensor:  # noqa: A002
    """The outer product of two vectors, as ``torch.ger`` (``outer``'s older name)."""
    return as_tensor(input).ger(vec2)


@accepts_out
def chain_matmul(*matrices: Any) -> Tensor:
    """M_1 @ M_2 @ ... of 2-d matrices, as ``torch.chain_matmul`` (now
    ``linalg.multi_dot``; one matrix is returned as it is)."""
    if len(matrices) == 1:
        return as_tensor(matrices[0])
    return multi_dot(matrices)


@accepts_out
def matrix_power(input: Any, n: int) -> Tensor:  # noqa: A002
    """Each square matrix to the integer power n (n < 0: of its inverse), as
    ``torch.matrix_power`` (``Tensor.matrix_power``)."""
    return as_tensor(input).matrix_power(n)
