"""PyTorch's module-level matrix builders and products that linear-algebra code calls:
``vander`` (polynomial least squares), ``addmv``, ``addr``, ``ger``, ``chain_matmul`` (the
older ``multi_dot``), ``matrix_power`` (``torch.linalg.matrix_power``'s older name) and
``diagflat``.
Compositions of differentiable ops. (``block_diag``, for stacked systems and bundle
adjustment, is in ``stacking``.)"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import ShapeError, UsageError
from .linalg_extras import multi_dot, powers
from .out_argument import accepts_out
from .tensor import Tensor, as_tensor

__all__ = ["vander", "addmv", "addr", "ger", "chain_matmul", "matrix_power", "diagflat"]


def vander(x: Any, N: int | None = None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix of a vector, as ``torch.vander``: column j is x^(N-1-j)
    (x^j with ``increasing``), N = len(x) by default. Integer and bool x give int64, as
    PyTorch's (uint8 250^2 would wrap around)."""
    x = as_tensor(x)
    if x.ndim != 1:
        raise ShapeError(f"vander: x must be 1-d; got shape {x.shape}")
    if x.dtype.kind in "biu":
        x = x.astype(np.int64)
    V = powers(x, x.shape[0] if N is None else N)
    return V if increasing else V.flip(-1)


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
    ``linalg.multi_dot``, which also takes 1-d ends; one matrix is returned as it is)."""
    if not matrices:
        raise UsageError("chain_matmul: expected one or more matrices, as PyTorch; got none")
    matrices = tuple(as_tensor(m) for m in matrices)
    for i, m in enumerate(matrices):
        if m.ndim != 2:
            raise ShapeError(f"chain_matmul: every argument must be a 2-d matrix, as in "
                             f"PyTorch; argument {i} has shape {m.shape}. For a 1-d first "
                             f"or last vector use linalg.multi_dot([...])")
    if len(matrices) == 1:
        return matrices[0]
    return multi_dot(matrices)


@accepts_out
def matrix_power(input: Any, n: int) -> Tensor:  # noqa: A002
    """Each square matrix to the integer power n (n < 0: of its inverse), as
    ``torch.matrix_power`` (``Tensor.matrix_power``)."""
    return as_tensor(input).matrix_power(n)


@accepts_out
def diagflat(input: Any, offset: int = 0) -> Tensor:  # noqa: A002
    """The square matrix with input's entries (flattened) on diagonal ``offset``, as
    ``torch.diagflat``."""
    return as_tensor(input).diagflat(offset)
