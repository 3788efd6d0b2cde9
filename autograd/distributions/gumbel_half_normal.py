"""``Gumbel(loc, scale)`` and ``HalfNormal(scale)``, as ``torch.distributions``'s, with a
reparameterised ``rsample`` (a transformed uniform or standard normal draw from
``generator``), ``log_prob``, ``cdf``, ``icdf``, ``entropy``, ``mean``, ``mode``,
``stddev`` and ``variance``.

PyTorch builds both as a ``TransformedDistribution`` (Gumbel: a uniform draw through
-log, negation, -log and an affine map; HalfNormal: |Normal(0, scale)|); here each is a
plain ``Distribution`` with the same formulas written out."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._random import as_generator, below
from ..functions import abs as absolute
from ..functions import exp, log, where
from ..more_functions import erf, erfinv
from ..tensor import Tensor, as_tensor
from .constraints import Constraint, nonnegative, positive, real
from .distribution import LOG_SQRT_2PI, Distribution, broadcast_all

__all__ = ["Gumbel", "HalfNormal"]

EULER_GAMMA = 0.57721566490153286061
"""The Euler-Mascheroni constant: the mean of the standard Gumbel distribution."""


class Gumbel(Distribution):
    """The Gumbel (type-I extreme value) distribution: with z = (x - loc) / scale
    (scale > 0), density exp(-z - exp(-z)) / scale and cdf exp(-exp(-z))."""

    arg_constraints = {"loc": real, "scale": positive}
    support: Constraint = real
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale, where="Gumbel")
        super().__init__(self.loc.shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        """loc + scale * gamma (Euler's constant)."""
        return self.loc + self.scale * EULER_GAMMA

    @property
    def mode(self) -> Tensor:
        """loc."""
        return self.loc

    @property
    def stddev(self) -> Tensor:
        """pi scale / sqrt(6)."""
        return (math.pi / math.sqrt(6)) * self.scale

    @property
    def variance(self) -> Tensor:
        """pi^2 scale^2 / 6."""
        return self.stddev.pow(2)

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """loc - scale log(-log u) with u uniform in [tiny, 1 - eps) (PyTorch's range, so
        both logs stay finite), of shape ``sample_shape + batch_shape``."""
        shape = self._extended_shape(sample_shape)
        finfo = np.finfo(self.loc.dtype)
        low, high = float(finfo.tiny), 1.0 - float(finfo.eps)
        u = as_generator(generator, "Gumbel.sample").uniform(low, high, shape)
        u = Tensor(below(u, low, high, self.loc.dtype))
        return self.loc - self.scale * log(-log(u))

    def log_prob(self, value: Any) -> Tensor:
        """y - exp(y) - log(scale) with y = (loc - x) / scale."""
        value = self._value(value, self.loc.dtype)
        y = (self.loc - value) / self.scale
        return (y - exp(y)) - self.scale.log()

    def cdf(self, value: Any) -> Tensor:
        """exp(-exp(-(x - loc) / scale))."""
        value = self._value(value, self.loc.dtype)
        return exp(-exp((self.loc - value) / self.scale))

    def icdf(self, value: Any) -> Tensor:
        """loc - scale log(-log p)."""
        return self.loc - self.scale * log(-log(as_tensor(value)))

    def entropy(self) -> Tensor:
        """log(scale) + 1 + gamma."""
        return self.scale.log() + (1 + EULER_GAMMA)


class HalfNormal(Distribution):
    """|X| for X ~ Normal(0, scale): density 2 exp(-x^2 / (2 scale^2)) / (scale
    sqrt(2 pi)) on x >= 0."""

    arg_constraints = {"scale": positive}
    support: Constraint = nonnegative
    has_rsample = True

    def __init__(self, scale: Any, validate_args: bool | None = None) -> None:
        (self.scale,) = broadcast_all(scale, where="HalfNormal")
        super().__init__(self.scale.shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        """scale sqrt(2 / pi)."""
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def mode(self) -> Tensor:
        """0."""
        return self.scale * 0

    @property
    def variance(self) -> Tensor:
        """scale^2 (1 - 2 / pi)."""
        return self.scale.pow(2) * (1 - 2 / math.pi)

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """|scale * eps| with eps ~ N(0, 1) of shape ``sample_shape + batch_shape``."""
        shape = self._extended_shape(sample_shape)
        eps = as_generator(generator, "HalfNormal.sample").standard_normal(shape)
        return absolute(Tensor(eps.astype(self.scale.dtype, copy=False)) * self.scale)

    def log_prob(self, value: Any) -> Tensor:
        """log(2) - x^2 / (2 scale^2) - log(scale) - log(sqrt(2 pi)) for x >= 0, -inf
        below (reached with ``validate_args=False``)."""
        value = self._value(value, self.scale.dtype)
        inside = -(value ** 2) / (2 * self.scale ** 2) - self.scale.log() - LOG_SQRT_2PI
        inside = inside + math.log(2)
        return where(value.detach() >= 0, inside, np.asarray(-np.inf, inside.dtype))

    def cdf(self, value: Any) -> Tensor:
        """erf(x / (scale sqrt(2)))."""
        value = self._value(value, self.scale.dtype)
        return 2 * (0.5 * (1 + erf(value * self.scale.reciprocal() / math.sqrt(2)))) - 1

    def icdf(self, value: Any) -> Tensor:
        """scale sqrt(2) erfinv(p), the p-quantile."""
        p = as_tensor(value)
        return self.scale * erfinv(2 * ((p + 1) / 2) - 1) * math.sqrt(2)

    def entropy(self) -> Tensor:
        """1/2 log(pi e scale^2 / 2) = Normal's entropy - log(2)."""
        return 0.5 + 0.5 * math.log(2 * math.pi) + log(self.scale) - math.log(2)
