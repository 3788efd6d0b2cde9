"""Matrix decompositions with their VJPs: eigh and eigvalsh (symmetric eigenproblem).
Matrices are the last two axes; leading axes are a batch.

An op has one output array, so a decomposition with several results packs them into one
array, which ``autograd.linalg`` slices (ordinary differentiable indexing):

- ``Eigh``: shape (..., n+1, n); row 0 holds the eigenvalues (ascending), rows 1..n the
  eigenvectors (as columns, A = V diag(l) V^T).

``Eigh``'s VJP holds where the eigenvalues are distinct: elsewhere it divides by
l_j - l_i and gives inf or NaN, as PyTorch's does. ``Eigvalsh`` needs no such division:
its gradient is finite everywhere (as ``torch.linalg.eigvalsh``'s).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import DTypeError, ShapeError
from ..function import Function, apply
from .generic import is_tensor

T = Any  # a Tensor (this module sits below the Tensor class)

__all__ = ["Eigh", "Eigvalsh", "check_matrix", "eigh_parts"]


def _mT(x: Any) -> Any:
    """The matrix transpose of the last two axes (arrays and Tensors alike)."""
    return x.swapaxes(-1, -2)


def _eye(n: int, like: Any) -> np.ndarray:
    return np.eye(n, dtype=like.dtype)


# ------------------------------------------------------------------ symmetric eigenproblem
class Eigh(Function):
    """out = [l; V] packed (see the module docstring), A = V diag(l) V^T with A symmetric
    (only its ``uplo`` triangle is read);
    dA = V (diag(gl) + F o (V^T gV - gV^T V) / 2) V^T,  F_ij = 1 / (l_j - l_i) (i != j).
    The gradient is symmetric (as PyTorch's): the derivative for symmetric changes of A."""
    __slots__ = ("uplo",)
    save_inputs = False
    save_output = True

    def __init__(self, uplo: str) -> None:
        self.uplo = uplo

    def forward(self, a: np.ndarray) -> np.ndarray:
        values, vectors = np.linalg.eigh(a, UPLO=self.uplo)
        return np.concatenate([values[..., None, :], vectors], axis=-2)

    def vjp(self, g: Any, out: Any, a: Any) -> tuple:
        values, vectors = out[..., 0, :], out[..., 1:, :]
        g_values, g_vectors = g[..., 0, :], g[..., 1:, :]
        eye = _eye(out.shape[-1], out)
        gaps = values[..., None, :] - values[..., :, None] + eye  # l_j - l_i; 1 on the diagonal
        vtg = _mT(vectors) @ g_vectors
        inner = (vtg - _mT(vtg)) * 0.5 / gaps + g_values[..., None, :] * eye
        return (vectors @ inner @ _mT(vectors),)


class Eigvalsh(Function):
    """out = l, the eigenvalues of symmetric A (ascending; ``uplo`` triangle read);
    dA = V diag(g) V^T (V recomputed in the backward pass, differentiably under
    ``create_graph``)."""
    __slots__ = ("uplo",)

    def __init__(self, uplo: str) -> None:
        self.uplo = uplo

    def forward(self, a: np.ndarray) -> np.ndarray:
        return np.linalg.eigvalsh(a, UPLO=self.uplo)

    def vjp(self, g: Any, out: Any, a: Any) -> tuple:
        _, vectors = eigh_parts(_run(Eigh(self.uplo), a))
        return ((vectors * g[..., None, :]) @ _mT(vectors),)


def eigh_parts(packed: Any) -> tuple[Any, Any]:
    """(eigenvalues, eigenvectors) from ``Eigh``'s packed output."""
    return packed[..., 0, :], packed[..., 1:, :]


# ------------------------------------------------------------------ helpers
def _run(op: Function, a: Any) -> Any:
    """``op`` on a Tensor (recorded, for create_graph) or on an array (plain forward)."""
    return apply(op, a) if is_tensor(a) else op.forward(a)


def check_matrix(x: T, op: str, square: bool = False) -> None:
    """ShapeError unless x has matrices in its last two axes (square ones if asked);
    DTypeError for float16, which NumPy's linear algebra does not take."""
    if x.ndim < 2 or (square and x.shape[-1] != x.shape[-2]):
        kind = "square matrices" if square else "matrices"
        raise ShapeError(f"{op}: needs {kind} in the last two axes; got shape {x.shape}")
    if x.dtype == np.float16:
        raise DTypeError(f"{op}: float16 matrices are not supported (NumPy's linear "
                         f"algebra has no float16 routines); got shape {x.shape}. Convert "
                         f"first: x.astype(np.float32)")
