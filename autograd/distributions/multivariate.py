"""``MultivariateNormal(loc, covariance_matrix= | precision_matrix= | scale_tril=)``, as
``torch.distributions``'s: events are vectors (``event_shape`` = (k,)), batches broadcast
between ``loc``'s leading axes and the matrices'; ``rsample`` is loc + L eps with L the
lower Cholesky factor of the covariance, so gradients flow from a draw to every parameter.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._random import as_generator
from ..errors import ShapeError, UsageError
from ..functions import broadcast_to, matmul
from ..linalg import cholesky, diagonal, inv
from ..linalg_triangular import cholesky_inverse, solve_triangular
from ..tensor import Tensor, as_tensor
from .constraints import lower_cholesky, positive_definite, real_vector
from .distribution import Distribution, lazy_property, sample_shape_of

__all__ = ["MultivariateNormal", "mv", "mahalanobis"]


def _float(value: Any) -> Tensor:
    value = as_tensor(value)
    return value if value.dtype.kind == "f" else value.astype(np.float64)


def mv(matrix: Tensor, vector: Tensor) -> Tensor:
    """matrix @ vector over the last axes, batches broadcast."""
    return matmul(matrix, vector.unsqueeze(-1)).squeeze(-1)


def mahalanobis(L: Tensor, x: Tensor) -> Tensor:
    """|L^-1 x|^2 over the last axis, L read only in its lower triangle (as PyTorch's
    solve_triangular), so the upper one gets no gradient; batches broadcast."""
    return solve_triangular(L, x.unsqueeze(-1), upper=False).squeeze(-1).pow(2).sum(-1)


class MultivariateNormal(Distribution):
    """The normal distribution N(loc, Sigma) on vectors of size k, density
    p(x) = exp(-(x - loc)^T Sigma^-1 (x - loc) / 2) / sqrt((2 pi)^k det Sigma). Give exactly
    one of ``covariance_matrix`` (Sigma, positive definite), ``precision_matrix``
    (Sigma^-1) or ``scale_tril`` (L lower triangular with a positive diagonal, Sigma = L L^T)."""

    arg_constraints = {"loc": real_vector, "covariance_matrix": positive_definite,
                       "precision_matrix": positive_definite, "scale_tril": lower_cholesky}
    support = real_vector
    has_rsample = True

    def __init__(self, loc: Any, covariance_matrix: Any = None, precision_matrix: Any = None,
                 scale_tril: Any = None, validate_args: bool | None = None) -> None:
        given = {"covariance_matrix": covariance_matrix, "precision_matrix": precision_matrix,
                 "scale_tril": scale_tril}
        given = {name: value for name, value in given.items() if value is not None}
        if len(given) != 1:
            raise UsageError("MultivariateNormal: give exactly one of covariance_matrix, "
                             "precision_matrix or scale_tril (PyTorch's 'Exactly one of "
                             f"covariance_matrix or precision_matrix or scale_tril may be "
                             f"specified.'); got {sorted(given) or 'none'}")
        loc = _float(loc)
        if loc.ndim < 1:
            raise ShapeError(f"MultivariateNormal: loc must be at least one-dimensional (its "
                             f"last axis is the event); got shape {loc.shape}")
        ((name, matrix),) = given.items()
        matrix = _float(matrix)
        if matrix.ndim < 2 or matrix.shape[-1] != matrix.shape[-2]:
            raise ShapeError(f"MultivariateNormal: {name} must be at least two-dimensional, "
                             f"with optional leading batch dimensions; got shape "
                             f"{matrix.shape}")
        k = loc.shape[-1]
        if matrix.shape[-1] != k:
            raise ShapeError(f"MultivariateNormal: loc of size {k} and {name} of shape "
                             f"{matrix.shape} do not match (the event size is the last axis)")
        try:
            batch_shape = np.broadcast_shapes(matrix.shape[:-2], loc.shape[:-1])
        except ValueError:
            raise ShapeError(f"MultivariateNormal: loc of shape {loc.shape} and {name} of "
                             f"shape {matrix.shape} have batch shapes that do not "
                             f"broadcast") from None
        self.__dict__[name] = broadcast_to(matrix, batch_shape + (k, k))
        self.loc = broadcast_to(loc, batch_shape + (k,))
        self._given = name
        super().__init__(batch_shape, (k,), validate_args=validate_args)
        if name == "covariance_matrix":
            self._unbroadcast_tril = cholesky(matrix)
        elif name == "precision_matrix":
            self._unbroadcast_tril = cholesky(inv(matrix))
        else:
            self._unbroadcast_tril = matrix

    def expand(self, batch_shape: Any, _instance: Any = None) -> "MultivariateNormal":
        """The same distribution with its batch broadcast to ``batch_shape`` (gradients
        flow to the parameters given), as PyTorch's ``expand``."""
        where = "MultivariateNormal.expand"
        shape = sample_shape_of(batch_shape, where, "batch_shape", "expand((64,))")
        k = self._event_shape[0]
        try:
            np.broadcast_shapes(self._batch_shape, shape)
            if np.broadcast_shapes(self._batch_shape, shape) != shape:
                raise ValueError
        except ValueError:
            raise ShapeError(f"{where}: batch_shape {self._batch_shape} cannot expand to "
                             f"{shape}") from None
        return self._expanded(MultivariateNormal, _instance,
                              broadcast_to(self.loc, shape + (k,)),
                              scale_tril=broadcast_to(self._unbroadcast_tril, shape + (k, k)))

    @lazy_property
    def scale_tril(self) -> Tensor:
        """L, the lower Cholesky factor of the covariance."""
        return broadcast_to(self._unbroadcast_tril, self._batch_shape + self._event_shape * 2)

    @lazy_property
    def covariance_matrix(self) -> Tensor:
        """Sigma = L L^T."""
        L = self._unbroadcast_tril
        product = matmul(L, L.transpose(-1, -2))
        return broadcast_to(product, self._batch_shape + self._event_shape * 2)

    @lazy_property
    def precision_matrix(self) -> Tensor:
        """Sigma^-1 = L^-T L^-1, from L's lower triangle (PyTorch's cholesky_inverse)."""
        product = cholesky_inverse(self._unbroadcast_tril)
        return broadcast_to(product, self._batch_shape + self._event_shape * 2)

    @property
    def mean(self) -> Tensor:
        """loc."""
        return self.loc

    @property
    def mode(self) -> Tensor:
        """loc."""
        return self.loc

    @property
    def variance(self) -> Tensor:
        """The diagonal of Sigma: the row sums of L^2."""
        variance = self._unbroadcast_tril.pow(2).sum(-1)
        return broadcast_to(variance, self._batch_shape + self._event_shape)

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """loc + L eps with eps ~ N(0, I) of shape ``sample_shape + batch_shape + (k,)``."""
        shape = self._extended_shape(sample_shape)
        eps = as_generator(generator, "MultivariateNormal.sample").standard_normal(shape)
        return self.loc + mv(self._unbroadcast_tril,
                              Tensor(eps.astype(self.loc.dtype, copy=False)))

    def half_log_det(self) -> Tensor:
        """log sqrt(det Sigma) = sum log diag(L)."""
        return diagonal(self._unbroadcast_tril).log().sum(-1)

    def log_prob(self, value: Any) -> Tensor:
        """-(k log(2 pi) + |L^-1 (value - loc)|^2) / 2 - sum log diag(L), L read only in
        its lower triangle (as PyTorch's)."""
        value = self._value(value, self.loc.dtype)
        M = mahalanobis(self._unbroadcast_tril, value - self.loc)
        k = self._event_shape[0]
        return -0.5 * (k * math.log(2 * math.pi) + M) - self.half_log_det()

    def entropy(self) -> Tensor:
        """k (1 + log(2 pi)) / 2 + sum log diag(L), one per distribution of the batch."""
        k = self._event_shape[0]
        H = 0.5 * k * (1.0 + math.log(2 * math.pi)) + self.half_log_det()
        return H if H.shape == self._batch_shape else broadcast_to(H, self._batch_shape)

    def __repr__(self) -> str:
        return (f"MultivariateNormal(loc: {self.loc.shape}, {self._given}: "
                f"{self.__dict__[self._given].shape})")
