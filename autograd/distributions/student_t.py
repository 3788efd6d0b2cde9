"""``StudentT(df, loc=0., scale=1.)``, as ``torch.distributions``'s (DeepAR's and GluonTS'
default likelihood for real-valued series): ``log_prob``, ``entropy``, ``mean``, ``mode``,
``variance`` and a reparameterised ``rsample`` (loc + scale x / sqrt(g / df) with x
standard normal and g a chi-squared draw, differentiable in df implicitly through the
gamma draw, as PyTorch's)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._random import as_generator
from ..functions import broadcast_to, where
from ..more_functions import digamma, lgamma, log1p
from ..tensor import Tensor
from .constraints import Constraint, positive, real
from .distribution import Distribution, broadcast_all
from .gamma import standard_gamma

__all__ = ["StudentT"]


class StudentT(Distribution):
    """Student's t with ``df`` degrees of freedom (> 0), location ``loc`` and ``scale`` > 0:
    p(x) = Gamma((df + 1) / 2) / (Gamma(df / 2) sqrt(df pi) scale)
    (1 + y^2 / df)^(-(df + 1) / 2), with y = (x - loc) / scale."""

    arg_constraints = {"df": positive, "loc": real, "scale": positive}
    support: Constraint = real
    has_rsample = True

    def __init__(self, df: Any, loc: Any = 0.0, scale: Any = 1.0,
                 validate_args: bool | None = None) -> None:
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale, where="StudentT")
        super().__init__(self.df.shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        """loc where df > 1, NaN elsewhere."""
        return where(self.df.detach() > 1, self.loc, np.array(np.nan, self.loc.dtype))

    @property
    def mode(self) -> Tensor:
        """loc."""
        return self.loc

    @property
    def variance(self) -> Tensor:
        """scale^2 df / (df - 2) where df > 2; inf where 1 < df <= 2; NaN where df <= 1."""
        df = self.df.detach()
        safe_df = where(df > 2, self.df, np.array(3.0, df.dtype))
        finite = self.scale.pow(2) * safe_df / (safe_df - 2)
        other = where(df > 1, np.array(np.inf, df.dtype), np.array(np.nan, df.dtype))
        return where(df > 2, finite, other)

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """loc + scale x / sqrt(g / df), x ~ N(0, 1), g ~ chi^2(df) = 2 Gamma(df / 2, 1),
        of shape ``sample_shape + batch_shape``."""
        shape = self._extended_shape(sample_shape)
        rng = as_generator(generator, "StudentT.sample")
        x = Tensor(rng.standard_normal(shape).astype(self.df.dtype, copy=False))
        g = 2 * standard_gamma(broadcast_to(0.5 * self.df, shape), rng, "StudentT.sample")
        return self.loc + self.scale * x * (g / self.df).pow(-0.5)

    def log_prob(self, value: Any) -> Tensor:
        """-(df + 1) / 2 log(1 + y^2 / df) - log(scale) - log(df) / 2 - log(pi) / 2
        - lgamma(df / 2) + lgamma((df + 1) / 2)."""
        value = self._value(value, self.df.dtype)
        y = (value - self.loc) / self.scale
        z = (self.scale.log() + 0.5 * self.df.log() + 0.5 * math.log(math.pi)
             + lgamma(0.5 * self.df) - lgamma(0.5 * (self.df + 1.0)))
        return -0.5 * (self.df + 1.0) * log1p(y ** 2 / self.df) - z

    def entropy(self) -> Tensor:
        """log(scale) + (df + 1) / 2 (digamma((df + 1) / 2) - digamma(df / 2))
        + log(df) / 2 + log B(df / 2, 1 / 2)."""
        lbeta = (lgamma(0.5 * self.df) + math.lgamma(0.5) - lgamma(0.5 * (self.df + 1)))
        return (self.scale.log() + 0.5 * (self.df + 1)
                * (digamma(0.5 * (self.df + 1)) - digamma(0.5 * self.df))
                + 0.5 * self.df.log() + lbeta)
