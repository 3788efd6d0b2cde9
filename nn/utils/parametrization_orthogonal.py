"""``nn.utils.parametrizations.orthogonal``: a weight kept orthogonal (Q^T Q = I for a
tall matrix, Q Q^T = I for a wide one) as PyTorch's, by one of three maps of an
unconstrained tensor X (a tall n x k matrix; a wide one is transposed first):

- ``"matrix_exp"``: Q = exp(A)[:, :k], A = L - L^T skew-symmetric, L the lower triangle
  of X padded with zero columns to n x n;
- ``"cayley"``: Q = (I - A/2)^-1 (I + A/2), the first k columns;
- ``"householder"``: Q = H_1 ... H_k (``linalg.householder_product`` of X's strict lower
  triangle, tau_i = 2 / (1 + |v_i|^2)), its columns' signs those of X's diagonal.

With ``use_trivialization=True`` (the default) Q is ``base @ Q``, ``base`` an n x n
orthogonal buffer: assigning the weight (and registering it) stores the orthogonalized
value in ``base`` and resets the trained tensor to -I, so the parametrization starts
at that value.
"""
from __future__ import annotations

import numpy as np

import autograd as ag
from autograd import Tensor, no_grad
from autograd.errors import DTypeError, ShapeError, UnsupportedError, UsageError
from ..module import Module
from .parametrize import register_parametrization

__all__ = ["orthogonal"]

_MAPS = ("matrix_exp", "cayley", "householder")


def _is_orthogonal(Q: Tensor) -> bool:
    """Q^T Q = I up to 10 n eps, PyTorch's test."""
    n, k = Q.shape[-2:]
    eps = 10.0 * n * np.finfo(Q.dtype).eps
    return bool(np.allclose(Q.mT.detach().numpy() @ Q.detach().numpy(), np.eye(k),
                            rtol=1e-5, atol=eps))


def _make_orthogonal(A: Tensor) -> Tensor:
    """The Q of A = Q R (A tall) with R's diagonal made non-negative."""
    Q, R = ag.linalg.qr(A)
    return Q * R.diagonal(0, -2, -1).sign().unsqueeze(-2)


def _geqrf(Q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """LAPACK's packed QR (reflectors below the diagonal, R on and above it) and tau, of
    each matrix: NumPy's mode 'raw' (which gives the transpose)."""
    pairs = [np.linalg.qr(m, mode="raw") for m in Q.reshape((-1,) + Q.shape[-2:])]
    packed = np.stack([h.T for h, _ in pairs]).reshape(Q.shape)
    return packed, np.stack([t for _, t in pairs]).reshape(Q.shape[:-2] + (Q.shape[-1],))


class _Orthogonal(Module):
    """X (unconstrained) -> an orthogonal Q of the weight's shape by ``orthogonal_map``."""

    def __init__(self, weight: Tensor, orthogonal_map: str, *,
                 use_trivialization: bool = True) -> None:
        super().__init__()
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        self.use_trivialization = use_trivialization
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X: Tensor) -> Tensor:
        n, k = X.shape[-2:]
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        if self.orthogonal_map in ("matrix_exp", "cayley"):
            X = X.tril()
            if n != k:
                X = ag.cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)], dim=-1)
            A = X - X.mT
            if self.orthogonal_map == "matrix_exp":
                Q = ag.matrix_exp(A)
            else:
                Id = ag.eye(n, dtype=A.dtype)
                Q = ag.linalg.solve(Id - 0.5 * A, Id + 0.5 * A)
            if n != k:
                Q = Q[..., :k]
        else:
            A = X.tril(-1)
            tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
            Q = ag.linalg.householder_product(A, tau)
            # the signs of X's diagonal (+-1), as constants: PyTorch's .int(), truncated
            # in Q's dtype (an int32 factor would promote float32 to float64 in NumPy)
            Q = Q * X.diagonal(0, -2, -1).detach().trunc().unsqueeze(-2)
        if self.use_trivialization:
            Q = self.base @ Q
        return Q.mT if transposed else Q

    def right_inverse(self, Q: Tensor) -> Tensor:
        """The X that gives Q: with a base, -I (Q orthogonalized into ``base``); for
        the Householder map without one, the reflectors of Q's QR decomposition."""
        if Q.shape != self.shape:
            raise ShapeError(f"orthogonal: expected a matrix or batch of matrices of shape "
                             f"{self.shape}; got {Q.shape}")
        with no_grad():
            Q_init = Q
            n, k = Q.shape[-2:]
            transpose = n < k
            if transpose:
                Q, (n, k) = Q.mT, (k, n)
            if not self.use_trivialization:
                if self.orthogonal_map != "householder":
                    raise UnsupportedError(
                        "orthogonal: the matrix_exp and cayley maps cannot be assigned with "
                        "use_trivialization=False (no inverse map is known; PyTorch raises "
                        "NotImplementedError too): use the default use_trivialization=True "
                        "or orthogonal_map='householder'")
                A, tau = _geqrf(Q.detach().numpy())
                diagonal = np.sign(np.diagonal(A, 0, -2, -1)).copy()
                diagonal[tau == 0.0] *= -1
                idx = np.arange(k)
                A[..., idx, idx] = diagonal
                A = Tensor(A)
                return A.mT if transpose else A
            if n == k:
                Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
            else:  # completed to an n x n orthogonal matrix by random columns
                N = ag.randn(*(Q.shape[:-2] + (n, n - k)), dtype=Q.dtype)
                Q = _make_orthogonal(ag.cat([Q, N], dim=-1))
            self.base = Q
            minus_eye = -np.eye(*Q_init.shape[-2:], dtype=Q_init.dtype)
            return Q_init.new_tensor(np.broadcast_to(minus_eye, Q_init.shape).copy())


def orthogonal(module: Module, name: str = "weight", orthogonal_map: str | None = None, *,
               use_trivialization: bool = True) -> Module:
    """Keep ``module.<name>`` (a matrix or a batch of them) orthogonal, as PyTorch's
    ``orthogonal``: orthonormal columns if tall, rows if wide. ``orthogonal_map`` is
    ``"matrix_exp"`` (the default for square matrices), ``"cayley"`` or
    ``"householder"`` (the default otherwise). Returns ``module``."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise UsageError(f"orthogonal: module {type(module).__name__} has no parameter or "
                         f"buffer named {name!r}")
    if weight.ndim < 2:
        raise ShapeError(f"orthogonal: expected a matrix or batch of matrices; got a tensor "
                         f"of {weight.ndim} dimensions")
    if not np.issubdtype(weight.dtype, np.floating):
        raise DTypeError(f"orthogonal: module.{name} must be a floating-point tensor (an "
                         f"orthogonal matrix has fractional entries); got dtype "
                         f"{weight.dtype}. Convert it first, e.g. module.{name} = "
                         f"nn.Parameter(module.{name}.to(np.float64))")
    if orthogonal_map is None:
        orthogonal_map = "matrix_exp" if weight.shape[-2] == weight.shape[-1] else "householder"
    if orthogonal_map not in _MAPS:
        raise UsageError(f'orthogonal: orthogonal_map has to be one of "matrix_exp", '
                         f'"cayley", "householder"; got {orthogonal_map!r}')
    orth = _Orthogonal(weight, orthogonal_map, use_trivialization=use_trivialization)
    return register_parametrization(module, name, orth, unsafe=True)
