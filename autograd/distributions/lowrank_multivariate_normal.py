"""``LowRankMultivariateNormal(loc, cov_factor, cov_diag)`` (PyTorch's
``torch.distributions.lowrank_multivariate_normal`` path): a Gaussian on vectors of size n
whose covariance is W W^T + diag(D), W of shape (n, r) with r small (a factor model, a
Gaussian process with inducing points, SWAG). Density and entropy cost O(n r^2), not
O(n^3), through the r x r capacitance matrix C = I + W^T D^-1 W (Woodbury and the matrix
determinant lemma)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._random import as_generator
from ..errors import ShapeError
from ..functions import broadcast_to, matmul
from ..linalg import cholesky, diagonal
from ..linalg_triangular import solve_triangular
from ..tensor import Tensor, as_tensor
from .constraints import Constraint, independent, positive, real, real_vector
from .distribution import Distribution, lazy_property, sample_shape_of
from .multivariate import mv

__all__ = ["LowRankMultivariateNormal", "lowrank_log_det", "lowrank_mahalanobis"]


def _float(value: Any) -> Tensor:
    value = as_tensor(value)
    return value if value.dtype.kind == "f" else value.astype(np.float64)


def _capacitance_tril(W: Tensor, D: Tensor) -> Tensor:
    """The lower Cholesky factor of C = I + W^T D^-1 W (r x r)."""
    Wt_Dinv = W.transpose(-1, -2) / D.unsqueeze(-2)
    r = W.shape[-1]
    return cholesky(matmul(Wt_Dinv, W) + as_tensor(np.eye(r, dtype=W.dtype)))


def lowrank_log_det(D: Tensor, capacitance_tril: Tensor) -> Tensor:
    """log det(W W^T + diag D) = log det C + sum log D (the matrix determinant lemma)."""
    return 2 * diagonal(capacitance_tril).log().sum(-1) + D.log().sum(-1)


def lowrank_mahalanobis(W: Tensor, D: Tensor, x: Tensor, capacitance_tril: Tensor) -> Tensor:
    """x^T (W W^T + diag D)^-1 x = x^T D^-1 x - |L_C^-1 W^T D^-1 x|^2 (Woodbury)."""
    Wt_Dinv_x = mv(W.transpose(-1, -2), x / D)
    projected = solve_triangular(capacitance_tril, Wt_Dinv_x.unsqueeze(-1), upper=False)
    return (x.pow(2) / D).sum(-1) - projected.squeeze(-1).pow(2).sum(-1)


class LowRankMultivariateNormal(Distribution):
    """N(loc, W W^T + diag(D)) on vectors of size n, with ``cov_factor`` W of shape
    (..., n, r) and ``cov_diag`` D > 0 of shape (..., n); batches broadcast between the
    leading axes of the three. ``rsample`` is loc + W eps_r + sqrt(D) eps_n."""

    arg_constraints: dict[str, Constraint] = {"loc": real_vector,
                                              "cov_factor": independent(real, 2),
                                              "cov_diag": independent(positive, 1)}
    support = real_vector
    has_rsample = True

    def __init__(self, loc: Any, cov_factor: Any, cov_diag: Any,
                 validate_args: bool | None = None) -> None:
        loc, W, D = _float(loc), _float(cov_factor), _float(cov_diag)
        if loc.ndim < 1:
            raise ShapeError(f"LowRankMultivariateNormal: loc must be at least "
                             f"one-dimensional (its last axis is the event); got shape "
                             f"{loc.shape}")
        n = loc.shape[-1]
        if W.ndim < 2 or W.shape[-2] != n:
            raise ShapeError(f"LowRankMultivariateNormal: cov_factor must be at least "
                             f"two-dimensional, of shape (..., {n}, rank) for loc of size "
                             f"{n}; got shape {W.shape}")
        if D.ndim < 1 or D.shape[-1] != n:
            raise ShapeError(f"LowRankMultivariateNormal: cov_diag must be at least "
                             f"one-dimensional, of shape (..., {n}); got shape {D.shape}")
        try:
            batch_shape = np.broadcast_shapes(loc.shape[:-1], W.shape[:-2], D.shape[:-1])
        except ValueError:
            raise ShapeError(f"LowRankMultivariateNormal: the batch shapes of loc "
                             f"{loc.shape}, cov_factor {W.shape} and cov_diag {D.shape} do "
                             f"not broadcast") from None
        self.loc = broadcast_to(loc, batch_shape + (n,))
        self.cov_factor = broadcast_to(W, batch_shape + W.shape[-2:])
        self.cov_diag = broadcast_to(D, batch_shape + (n,))
        self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag = W, D
        super().__init__(batch_shape, (n,), validate_args=validate_args)
        self._capacitance_tril = _capacitance_tril(W, D)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "LowRankMultivariateNormal":
        """The same law with its batch broadcast to ``batch_shape``."""
        shape = sample_shape_of(batch_shape, "LowRankMultivariateNormal.expand",
                                "batch_shape", "expand((64,))")
        n, r = self.cov_factor.shape[-2:]
        return self._expanded(
            LowRankMultivariateNormal, _instance, self.loc.expand(shape + (n,)),
            self.cov_factor.expand(shape + (n, r)), self.cov_diag.expand(shape + (n,)))

    @property
    def mean(self) -> Tensor:
        """loc."""
        return self.loc

    @property
    def mode(self) -> Tensor:
        """loc."""
        return self.loc

    @lazy_property
    def variance(self) -> Tensor:
        """The diagonal of the covariance: sum_j W_ij^2 + D_i."""
        value = self._unbroadcasted_cov_factor.pow(2).sum(-1) + self._unbroadcasted_cov_diag
        return broadcast_to(value, self._batch_shape + self._event_shape)

    @lazy_property
    def covariance_matrix(self) -> Tensor:
        """W W^T + diag(D)."""
        W, D = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        value = matmul(W, W.transpose(-1, -2)) + D.diag_embed()
        return broadcast_to(value, self._batch_shape + self._event_shape * 2)

    @lazy_property
    def scale_tril(self) -> Tensor:
        """The lower Cholesky factor of the covariance: sqrt(D) chol(I + K K^T) with
        K = D^-1/2 W (the factor of a well-conditioned matrix, as PyTorch's)."""
        W, D = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        sqrt_D = D.sqrt().unsqueeze(-1)
        K = W / sqrt_D
        n = self._event_shape[0]
        value = sqrt_D * cholesky(matmul(K, K.transpose(-1, -2))
                                  + as_tensor(np.eye(n, dtype=K.dtype)))
        return broadcast_to(value, self._batch_shape + self._event_shape * 2)

    @lazy_property
    def precision_matrix(self) -> Tensor:
        """D^-1 - D^-1 W C^-1 W^T D^-1 (Woodbury)."""
        W, D = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        A = solve_triangular(self._capacitance_tril, W.transpose(-1, -2) / D.unsqueeze(-2),
                             upper=False)
        value = (1 / D).diag_embed() - matmul(A.transpose(-1, -2), A)
        return broadcast_to(value, self._batch_shape + self._event_shape * 2)

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """loc + W eps_r + sqrt(D) eps_n with standard normal eps_r (rank r) and eps_n."""
        shape = self._extended_shape(sample_shape)
        rng = as_generator(generator, "LowRankMultivariateNormal.sample")
        eps_W = rng.standard_normal(shape[:-1] + self.cov_factor.shape[-1:])
        eps_D = rng.standard_normal(shape)
        dtype = self.loc.dtype
        return (self.loc + mv(self._unbroadcasted_cov_factor, as_tensor(eps_W.astype(dtype)))
                + self._unbroadcasted_cov_diag.sqrt() * as_tensor(eps_D.astype(dtype)))

    def log_prob(self, value: Any) -> Tensor:
        """-(n log(2 pi) + log det Sigma + (x - loc)^T Sigma^-1 (x - loc)) / 2."""
        value = self._value(value, self.loc.dtype)
        M = lowrank_mahalanobis(self._unbroadcasted_cov_factor,
                                self._unbroadcasted_cov_diag, value - self.loc,
                                self._capacitance_tril)
        log_det = lowrank_log_det(self._unbroadcasted_cov_diag, self._capacitance_tril)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + log_det + M)

    def entropy(self) -> Tensor:
        """(n (1 + log 2 pi) + log det Sigma) / 2, one per distribution of the batch."""
        log_det = lowrank_log_det(self._unbroadcasted_cov_diag, self._capacitance_tril)
        H = 0.5 * (self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + log_det)
        return H if H.shape == self._batch_shape else broadcast_to(H, self._batch_shape)

    def __repr__(self) -> str:
        return (f"LowRankMultivariateNormal(loc: {self.loc.shape}, cov_factor: "
                f"{self.cov_factor.shape}, cov_diag: {self.cov_diag.shape})")
