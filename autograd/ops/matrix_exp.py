"""The matrix exponential, exp(A) = sum_k A^k / k!, of each square matrix (the last two
axes), by scaling and squaring with the [13/13] Pade approximant (Higham, "The scaling
and squaring method for the matrix exponential revisited", 2005): exp(A) =
(r(A / 2^s))^(2^s), s chosen so that ||A / 2^s||_1 <= theta_13.

Its VJP is the Frechet derivative at A^T applied to g, read off the exponential of a
block matrix (Mathias 1996): exp([[A^T, g], [0, A^T]]) = [[exp(A^T), L(A^T, g)], [0,
exp(A^T)]], so dA = L(A^T, g). Written with ``matrix_exp`` itself, the VJP is
differentiable again (second derivatives through a 2n x 2n exponential).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import DTypeError, ShapeError
from ..function import Function, apply
from .generic import is_tensor

__all__ = ["MatrixExp", "matrix_exp"]

# b_0 .. b_13 of the [13/13] Pade approximant, and the 1-norm up to which it is exact to
# double precision (Higham 2005, table 2.3)
_PADE_13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0,
            1187353796428800.0, 129060195264000.0, 10559470521600.0, 670442572800.0,
            33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA_13 = 5.371920351148152


def _check(a: np.ndarray) -> None:
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"matrix_exp needs (a batch of) square matrices in the last two "
                         f"axes; got shape {a.shape}")
    if a.dtype.kind != "f":
        raise DTypeError(f"matrix_exp needs floating matrices; got dtype {a.dtype}. "
                         f"Convert first: x.double()")


def _expm(a: np.ndarray) -> np.ndarray:
    """exp of each matrix of ``a`` (float32 computed in float64, then cast back)."""
    dtype = a.dtype
    a = a.astype(np.float64)
    norm = np.abs(a).sum(axis=-2).max() if a.size else 0.0  # the largest 1-norm
    if norm == 0.0:  # exp(0) = I exactly (LAPACK's solve of b0 I by b0 I rounds)
        return np.broadcast_to(np.eye(a.shape[-1], dtype=dtype), a.shape).copy()
    # norm > theta only (a subnormal norm / theta is 0, whose log is -inf); inf and NaN
    # matrices go through the approximant as they are and come out NaN, as PyTorch's
    finite_large = np.isfinite(norm) and norm > _THETA_13
    squarings = int(np.ceil(np.log2(norm / _THETA_13))) if finite_large else 0
    a = a / 2.0 ** squarings
    b = _PADE_13
    identity = np.broadcast_to(np.eye(a.shape[-1]), a.shape)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2)
             + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * identity)
    v = (a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2)
         + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * identity)
    result = np.linalg.solve(v - u, v + u)
    for _ in range(squarings):
        result = result @ result
    return result.astype(dtype, copy=False)


class MatrixExp(Function):
    """out = exp(A);  dA = L(A^T, g), the upper-right block of exp([[A^T, g], [0, A^T]])."""
    __slots__ = ()
    save_output = False

    def forward(self, a: np.ndarray) -> np.ndarray:
        _check(a)
        return _expm(a)

    def vjp(self, g: Any, out: Any, a: Any) -> tuple:
        n = a.shape[-1]
        a_t = a.swapaxes(-1, -2)
        top = np.concatenate([a_t, g], axis=-1)  # on Tensors (create_graph): the op
        bottom = np.concatenate([a_t * 0.0, a_t], axis=-1)
        block = matrix_exp(np.concatenate([top, bottom], axis=-2))
        return (block[..., :n, n:],)


def matrix_exp(a: Any) -> Any:
    """exp of each square matrix: the op on a Tensor, the plain exponential on an array."""
    if is_tensor(a):
        return apply(MatrixExp(), a)
    _check(np.asarray(a))
    return _expm(np.asarray(a))
