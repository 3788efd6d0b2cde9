"""``Wishart(df, covariance_matrix= | precision_matrix= | scale_tril=)`` (PyTorch's
``torch.distributions.wishart`` path): the law of sum_k x_k x_k^T for df draws
x_k ~ N(0, Sigma), on positive definite p x p matrices (a prior on precisions or
covariances). Draws by the Bartlett decomposition L A A^T L^T, reparameterised (the
diagonal of A through Chi2 draws, implicitly in df)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._random import as_generator
from ..errors import ShapeError, UsageError
from ..functions import broadcast_to, matmul, where
from ..linalg import cholesky, diagonal, inv, slogdet
from ..linalg_triangular import cholesky_solve
from ..more_functions import digamma
from ..special import mvlgamma
from ..tensor import Tensor, as_tensor
from .constraints import (Constraint, greater_than, lower_cholesky, positive_definite)
from .distribution import Distribution, lazy_property, sample_shape_of
from .heavy_tailed import Chi2

__all__ = ["Wishart"]

_LOG_2 = math.log(2.0)


def _mvdigamma(x: Tensor, p: int) -> Tensor:
    """The derivative of mvlgamma(x, p): sum_{i<p} digamma(x - i / 2)."""
    return sum(digamma(x - i / 2) for i in range(p))


class Wishart(Distribution):
    """Density |X|^((nu - p - 1)/2) exp(-tr(Sigma^-1 X) / 2)
    / (2^(nu p / 2) |Sigma|^(nu / 2) Gamma_p(nu / 2)) on p x p positive definite X, with
    ``df`` nu > p - 1 and exactly one of ``covariance_matrix`` Sigma, ``precision_matrix``
    Sigma^-1 or ``scale_tril`` L (Sigma = L L^T)."""

    support = positive_definite
    has_rsample = True

    @property
    def arg_constraints(self) -> dict[str, Constraint]:  # type: ignore[override]
        """The matrices' constraints and df > p - 1."""
        return {"covariance_matrix": positive_definite, "precision_matrix": positive_definite,
                "scale_tril": lower_cholesky,
                "df": greater_than(self._event_shape[-1] - 1)}

    def __init__(self, df: Any, covariance_matrix: Any = None, precision_matrix: Any = None,
                 scale_tril: Any = None, validate_args: bool | None = None) -> None:
        given = {name: value for name, value in (("covariance_matrix", covariance_matrix),
                                                 ("precision_matrix", precision_matrix),
                                                 ("scale_tril", scale_tril))
                 if value is not None}
        if len(given) != 1:
            raise UsageError("Wishart: give exactly one of covariance_matrix, "
                             "precision_matrix or scale_tril (PyTorch's 'Exactly one of "
                             "covariance_matrix or precision_matrix or scale_tril may be "
                             f"specified.'); got {sorted(given) or 'none'}")
        ((name, matrix),) = given.items()
        matrix = as_tensor(matrix)
        if matrix.dtype.kind != "f":
            matrix = matrix.astype(np.float64)
        if matrix.ndim < 2 or matrix.shape[-1] != matrix.shape[-2]:
            raise ShapeError(f"Wishart: {name} must be at least two-dimensional and square "
                             f"in its last two axes; got shape {matrix.shape}")
        df = as_tensor(np.asarray(df, dtype=matrix.dtype) if not isinstance(df, Tensor)
                       else df)
        batch_shape = np.broadcast_shapes(matrix.shape[:-2], df.shape)
        p = matrix.shape[-1]
        self.df = broadcast_to(df, batch_shape)
        if (self.df.data <= p - 1).any():
            raise UsageError(f"Wishart: df must be greater than p - 1 = {p - 1} (PyTorch's "
                             f"'Value of df=... expected to be greater than ndim - 1'); got "
                             f"{self.df.data.ravel()[:5]}")
        self.__dict__[name] = broadcast_to(matrix, batch_shape + (p, p))
        super().__init__(batch_shape, (p, p), validate_args=validate_args)
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = matrix
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = cholesky(matrix)
        else:
            self._unbroadcasted_scale_tril = cholesky(inv(matrix))

    def expand(self, batch_shape: Any, _instance: Any = None) -> "Wishart":
        """The same law with its batch broadcast to ``batch_shape``."""
        shape = sample_shape_of(batch_shape, "Wishart.expand", "batch_shape", "expand((64,))")
        scale_tril = self._unbroadcasted_scale_tril.expand(shape + self._event_shape)
        return self._expanded(Wishart, _instance, self.df.expand(shape),
                              scale_tril=scale_tril)

    def _full(self, matrix: Tensor) -> Tensor:
        return broadcast_to(matrix, self._batch_shape + self._event_shape)

    @lazy_property
    def scale_tril(self) -> Tensor:
        """L, the lower Cholesky factor of Sigma."""
        return self._full(self._unbroadcasted_scale_tril)

    @lazy_property
    def covariance_matrix(self) -> Tensor:
        """Sigma = L L^T."""
        L = self._unbroadcasted_scale_tril
        return self._full(matmul(L, L.transpose(-1, -2)))

    @lazy_property
    def precision_matrix(self) -> Tensor:
        """Sigma^-1, by the Cholesky factor."""
        identity = as_tensor(np.eye(self._event_shape[-1], dtype=self.df.dtype))
        return self._full(cholesky_solve(identity, self._unbroadcasted_scale_tril))

    def _per_matrix(self, value: Tensor) -> Tensor:
        """A batch value with two trailing unit axes, to scale whole matrices."""
        return value.unsqueeze(-1).unsqueeze(-1)

    @property
    def mean(self) -> Tensor:
        """nu Sigma."""
        return self._per_matrix(self.df) * self.covariance_matrix

    @property
    def mode(self) -> Tensor:
        """(nu - p - 1) Sigma for nu > p + 1, NaN otherwise."""
        factor = self.df - self._event_shape[-1] - 1
        factor = where(factor.data > 0, factor, np.array(np.nan, factor.dtype))
        return self._per_matrix(factor) * self.covariance_matrix

    @property
    def variance(self) -> Tensor:
        """Var X_ij = nu (Sigma_ij^2 + Sigma_ii Sigma_jj)."""
        V = self.covariance_matrix
        d = diagonal(V)
        return self._per_matrix(self.df) * (V.pow(2) + d.unsqueeze(-1) * d.unsqueeze(-2))

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """L A A^T L^T with A lower triangular: A_ii = sqrt of Chi2(nu - i) draws (at least
        the dtype's eps, as PyTorch's), A_ij ~ N(0, 1) below the diagonal (Bartlett). A
        singular draw (likely only for p - 1 < nu < p) is returned as drawn: PyTorch's
        redraws are not reproduced."""
        rng = as_generator(generator, "Wishart.sample")
        p = self._event_shape[-1]
        shape = sample_shape_of(sample_shape, "Wishart.sample")
        chi2 = Chi2(self.df.unsqueeze(-1) - as_tensor(np.arange(p, dtype=self.df.dtype)),
                    validate_args=False)
        eps = float(np.finfo(self.df.dtype).eps)
        diag = chi2.rsample(shape, generator=rng).sqrt().clamp(min=eps)
        lower = np.tril(rng.standard_normal(shape + self._batch_shape + (p, p)), -1)
        A = diag.diag_embed() + as_tensor(lower.astype(self.df.dtype, copy=False))
        factor = matmul(self._unbroadcasted_scale_tril, A)
        return matmul(factor, factor.transpose(-1, -2))

    def log_prob(self, value: Any) -> Tensor:
        """-nu (p log 2 / 2 + log|L|) - mvlgamma(nu / 2, p) + (nu - p - 1) / 2 log|X|
        - tr(Sigma^-1 X) / 2."""
        value = self._value(value, self.df.dtype)
        nu, p = self.df, self._event_shape[-1]
        log_det_L = diagonal(self._unbroadcasted_scale_tril).log().sum(-1)
        trace = diagonal(cholesky_solve(value, self._unbroadcasted_scale_tril)).sum(-1)
        return (-nu * (p * _LOG_2 / 2 + log_det_L) - mvlgamma(nu / 2, p)
                + (nu - p - 1) / 2 * slogdet(value).logabsdet - trace / 2)

    def entropy(self) -> Tensor:
        """(p + 1)(p log 2 / 2 + log|L|) + mvlgamma(nu / 2, p)
        - (nu - p - 1) / 2 mvdigamma(nu / 2, p) + nu p / 2."""
        nu, p = self.df, self._event_shape[-1]
        log_det_L = diagonal(self._unbroadcasted_scale_tril).log().sum(-1)
        return ((p + 1) * (p * _LOG_2 / 2 + log_det_L) + mvlgamma(nu / 2, p)
                - (nu - p - 1) / 2 * _mvdigamma(nu / 2, p) + nu * p / 2)

    def __repr__(self) -> str:
        return f"Wishart(df: {self.df.shape}, scale_tril: {self.scale_tril.shape})"
