"""``LKJCholesky(dim, concentration)`` (PyTorch's ``torch.distributions.lkj_cholesky``
path; Lewandowski, Kurowicka and Joe 2009): a law on the lower Cholesky factors L of
d x d correlation matrices, with density proportional to det(L L^T)^(eta - 1) on the
correlation matrix, the prior of a hierarchical model's correlations. Draws by the onion
method of the paper (not reparameterised); PyTorch's draws of dim >= 3 do not follow the
law (see ``__init__``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._random import as_generator
from ..errors import UsageError
from ..grad_mode import no_grad
from ..linalg import diagonal
from ..special import mvlgamma
from ..tensor import Tensor, as_tensor
from .constraints import Constraint, corr_cholesky, positive
from .distribution import Distribution, broadcast_all, sample_shape_of
from .gamma import Beta

__all__ = ["LKJCholesky"]


class LKJCholesky(Distribution):
    """L lower triangular with unit rows, of density
    p(L) = prod_{i=2..d} L_ii^(d - i + 2 (eta - 1)) / Z(eta, d) with respect to L's free
    entries, eta = ``concentration`` > 0 (1: uniform over correlation matrices, larger:
    nearer the identity); ``dim`` d >= 2."""

    arg_constraints: dict[str, Constraint] = {"concentration": positive}
    support = corr_cholesky

    def __init__(self, dim: int, concentration: Any = 1.0,
                 validate_args: bool | None = None) -> None:
        if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool) or dim < 2:
            raise UsageError(f"LKJCholesky: expected dim to be an integer of at least 2 "
                             f"(PyTorch's 'Expected dim to be an integer greater than or equal "
                             f"to 2.'); got {dim!r}")
        self.dim = int(dim)
        (self.concentration,) = broadcast_all(concentration, where="LKJCholesky")
        super().__init__(self.concentration.shape, (self.dim, self.dim),
                         validate_args=validate_args)
        # the onion method's Beta draws, y_i ~ Beta(i / 2, beta - (i - 1) / 2) for row i >= 1
        # with beta = eta + (d - 2) / 2 (row 0 takes none). PyTorch's first parameter is
        # i - 1/2, right for row 1 only: its rows below correlate more than the law says.
        rows = np.arange(self.dim, dtype=self.concentration.dtype)
        marginal = self.concentration.detach() + 0.5 * (self.dim - 2)
        self._beta = Beta(as_tensor(np.maximum(rows, 1) / 2),
                          marginal.unsqueeze(-1) - as_tensor(np.maximum(rows - 1, 0) / 2),
                          validate_args=False)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "LKJCholesky":
        """The same law with ``concentration`` broadcast to ``batch_shape``."""
        shape = sample_shape_of(batch_shape, "LKJCholesky.expand", "batch_shape",
                                "expand((64,))")
        return self._expanded(LKJCholesky, _instance, self.dim,
                              self.concentration.expand(shape))

    def sample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """The onion method: row i is sqrt(y_i) u_i on its first i entries (y_i a Beta
        draw, u_i a uniform direction) and sqrt(1 - y_i) on the diagonal."""
        rng = as_generator(generator, "LKJCholesky.sample")
        with no_grad():
            y = self._beta.sample(tuple(sample_shape), generator=rng).numpy()[..., None]
            shape = self._extended_shape(sample_shape)
            normal = np.tril(rng.standard_normal(shape), -1)
            norms = np.linalg.norm(normal, axis=-1, keepdims=True)
            directions = np.divide(normal, norms, out=np.zeros_like(normal),
                                   where=norms > 0)  # row 0 has no entries: zeros
            w = np.sqrt(y) * directions
            tiny = np.finfo(w.dtype).tiny
            diag = np.sqrt(np.clip(1 - (w ** 2).sum(-1), tiny, None))
            idx = np.arange(self.dim)
            w[..., idx, idx] = diag
            return as_tensor(w.astype(self.concentration.dtype, copy=False))

    def log_prob(self, value: Any) -> Tensor:
        """sum_{i=2..d} (d - i + 2 (eta - 1)) log L_ii - log Z, with
        log Z = (d - 1) log(pi) / 2 + mvlgamma(eta + (d - 2) / 2, d - 1)
        - (d - 1) lgamma(eta + (d - 1) / 2)."""
        value = self._value(value, self.concentration.dtype)
        d, eta = self.dim, self.concentration
        diag = diagonal(value)[..., 1:]
        order = as_tensor(d - np.arange(2, d + 1, dtype=value.dtype))
        unnormalised = ((2 * (eta - 1)).unsqueeze(-1) + order) * diag.log()
        alpha = eta + 0.5 * (d - 1)
        log_normaliser = (0.5 * (d - 1) * math.log(math.pi) + mvlgamma(alpha - 0.5, d - 1)
                          - (d - 1) * alpha.lgamma())
        return unnormalised.sum(-1) - log_normaliser

    def __repr__(self) -> str:
        return f"LKJCholesky(dim: {self.dim}, concentration: {self.concentration!r})"
