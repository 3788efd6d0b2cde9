"""``torch.linalg.householder_product``: the first n columns of H_1 H_2 ... H_k, H_i =
I - tau_i v_i v_i^T, v_i column i of A below the diagonal with a 1 on it (LAPACK's
``orgqr``; with ``geqrf``'s output it is the Q of a QR decomposition, and PyTorch's
orthogonal parametrization builds its Householder map with it).

A composition of differentiable ops (k rank-one updates), so it differentiates in A's
strict lower triangle and tau, twice too; A's diagonal and upper triangle are not read.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import ShapeError
from .out_argument import accepts_out
from .tensor import Tensor, as_tensor
from .tensor_math import where

__all__ = ["householder_product"]


@accepts_out
def householder_product(A: Any, tau: Any) -> Tensor:
    """Q[..., :, :n] with Q = prod_{i<k} (I - tau_i v_i v_i^T), v_i = e_i + the part of
    A[..., :, i] below the diagonal, for A of shape (*, m, n), m >= n >= k, tau (*, k)."""
    A, tau = as_tensor(A), as_tensor(tau)
    if A.ndim < 2 or A.shape[-2] < A.shape[-1]:
        raise ShapeError(f"householder_product: A must be a (batch of) m x n matrices with "
                         f"m >= n; got shape {A.shape}")
    m, n = A.shape[-2:]
    if tau.ndim != A.ndim - 1 or tau.shape[-1] > n or tau.shape[:-1] != A.shape[:-2]:
        raise ShapeError(f"householder_product: tau must have shape (*batch, k) with k <= "
                         f"n = {n} and A's batch axes {A.shape[:-2]}; got {tau.shape}")
    V = A.tril(-1) + A.new_tensor(np.eye(m, n, dtype=A.dtype))
    Q = A.new_tensor(np.broadcast_to(np.eye(m, dtype=A.dtype), A.shape[:-2] + (m, m)))
    if tau.shape[-1] == 0:  # no reflector: Q's columns are I's, a constant
        return _with_zero_gradient(Q[..., :, :n], A, tau)
    for i in range(tau.shape[-1]):
        v = V[..., :, i:i + 1]
        Q = Q - (Q @ v) * tau[..., i, None, None] @ v.mT
    return Q[..., :, :n]


def _with_zero_gradient(value: Tensor, A: Tensor, tau: Tensor) -> Tensor:
    """``value`` (of A's shape), recorded as a function of A and tau whose gradient is 0,
    as PyTorch's result requires grad when an input does (``where`` takes the value
    alone: no 0 * inf from A's entries)."""
    return where(True, value, A + tau.sum(-1)[..., None, None])
