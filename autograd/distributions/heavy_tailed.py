"""``Cauchy``, ``HalfCauchy``, ``Pareto`` and ``Chi2``, as
``torch.distributions``'s: a reparameterised ``rsample`` (a uniform or exponential draw
from ``generator`` through the inverse cdf or PyTorch's transform), ``log_prob``,
``cdf``, ``icdf``, ``entropy`` and the moments PyTorch gives (``nan`` or ``inf`` where
they do not exist). PyTorch builds HalfCauchy, Pareto and Weibull as a
``TransformedDistribution`` (|Cauchy|; exp then scale of an exponential draw); here
each is a plain ``Distribution`` with those formulas written out (``Weibull``, so built
there too, is in ``weibull.py``).
``Chi2(df)`` is ``Gamma(df / 2, 1 / 2)``, as there."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._random import as_generator
from ..creation import full_like
from ..functions import exp, log, where
from ..more_functions import log1p
from ..tensor import Tensor, as_tensor
from .constraints import Constraint, greater_than_eq, nonnegative, positive, real
from .distribution import Distribution, broadcast_all
from .gamma import Gamma

__all__ = ["Cauchy", "HalfCauchy", "Pareto", "Chi2"]


def _uniform(generator: Any, shape: tuple, dtype: Any, where_: str) -> Tensor:
    """Uniform draws in (0, 1) of ``shape`` (0 is excluded: the inverse cdfs take logs)."""
    u = as_generator(generator, where_).uniform(0.0, 1.0, shape)
    u = np.where(u == 0.0, np.finfo(np.float64).tiny, u)
    return as_tensor(u.astype(dtype, copy=False))


class Cauchy(Distribution):
    """The Cauchy (Lorentz) distribution: density 1 / (pi scale (1 + z^2)) with
    z = (x - loc) / scale, cdf atan(z) / pi + 1/2; no mean nor variance."""

    arg_constraints = {"loc": real, "scale": positive}
    support: Constraint = real
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale, where="Cauchy")
        super().__init__(self.loc.shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        """nan: the Cauchy distribution has no mean (PyTorch's value)."""
        return full_like(self.loc, math.nan)

    @property
    def mode(self) -> Tensor:
        """loc."""
        return self.loc

    @property
    def variance(self) -> Tensor:
        """inf (PyTorch's value: the second moment diverges)."""
        return full_like(self.loc, math.inf)

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """loc + scale tan(pi (u - 1/2)), u uniform: the inverse cdf."""
        u = _uniform(generator, self._extended_shape(sample_shape), self.loc.dtype,
                     "Cauchy.sample")
        return self.loc + self.scale * (math.pi * (u - 0.5)).tan()

    def log_prob(self, value: Any) -> Tensor:
        """-log(pi) - log(scale) - log1p(z^2)."""
        value = self._value(value, self.loc.dtype)
        z = (value - self.loc) / self.scale
        return -math.log(math.pi) - self.scale.log() - log1p(z * z)

    def cdf(self, value: Any) -> Tensor:
        """atan(z) / pi + 1/2."""
        value = self._value(value, self.loc.dtype)
        return ((value - self.loc) / self.scale).arctan() / math.pi + 0.5

    def icdf(self, value: Any) -> Tensor:
        """loc + scale tan(pi (p - 1/2))."""
        return self.loc + self.scale * (math.pi * (as_tensor(value) - 0.5)).tan()

    def entropy(self) -> Tensor:
        """log(4 pi) + log(scale)."""
        return math.log(4 * math.pi) + self.scale.log()


class HalfCauchy(Distribution):
    """|X| for X ~ Cauchy(0, scale): density 2 / (pi scale (1 + (x / scale)^2)) on
    x >= 0 (-inf below 0, as PyTorch's)."""

    arg_constraints = {"scale": positive}
    support: Constraint = nonnegative
    has_rsample = True

    def __init__(self, scale: Any, validate_args: bool | None = None) -> None:
        (self.scale,) = broadcast_all(scale, where="HalfCauchy")
        super().__init__(self.scale.shape, validate_args=validate_args)

    def _base(self) -> Cauchy:
        return Cauchy(full_like(self.scale, 0.0), self.scale, validate_args=False)

    @property
    def mean(self) -> Tensor:
        """inf (the mean diverges)."""
        return full_like(self.scale, math.inf)

    @property
    def mode(self) -> Tensor:
        """0."""
        return full_like(self.scale, 0.0)

    @property
    def variance(self) -> Tensor:
        """inf."""
        return full_like(self.scale, math.inf)

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """|Cauchy(0, scale)| draws."""
        return self._base().rsample(sample_shape, generator=generator).abs()

    def log_prob(self, value: Any) -> Tensor:
        """log 2 + the Cauchy(0, scale) log density for x >= 0, -inf below."""
        value = self._value(value, self.scale.dtype)
        inside = self._base().log_prob(value) + math.log(2)
        return where(value >= 0, inside, full_like(inside, -math.inf))

    def cdf(self, value: Any) -> Tensor:
        """2 Cauchy(0, scale).cdf(x) - 1."""
        value = self._value(value, self.scale.dtype)
        return 2 * self._base().cdf(value) - 1

    def icdf(self, value: Any) -> Tensor:
        """Cauchy(0, scale).icdf((p + 1) / 2)."""
        return self._base().icdf((as_tensor(value) + 1) / 2)

    def entropy(self) -> Tensor:
        """log(4 pi) + log(scale) - log 2."""
        return self._base().entropy() - math.log(2)


class Pareto(Distribution):
    """The Pareto (type I) distribution: density alpha scale^alpha / x^(alpha + 1) on
    x >= scale, cdf 1 - (scale / x)^alpha."""

    arg_constraints = {"scale": positive, "alpha": positive}
    has_rsample = True

    def __init__(self, scale: Any, alpha: Any, validate_args: bool | None = None) -> None:
        self.scale, self.alpha = broadcast_all(scale, alpha, where="Pareto")
        super().__init__(self.scale.shape, validate_args=validate_args)

    @property
    def support(self) -> Constraint:  # type: ignore[override]
        """x >= scale."""
        return greater_than_eq(self.scale)

    @property
    def mean(self) -> Tensor:
        """alpha scale / (alpha - 1), inf for alpha <= 1."""
        a = self.alpha.clamp(min=1)
        return a * self.scale / (a - 1)

    @property
    def mode(self) -> Tensor:
        """scale."""
        return self.scale

    @property
    def variance(self) -> Tensor:
        """scale^2 alpha / ((alpha - 1)^2 (alpha - 2)), inf for alpha <= 2."""
        a = self.alpha.clamp(min=2)
        return self.scale.pow(2) * a / ((a - 1).pow(2) * (a - 2))

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """scale exp(e / alpha), e a standard exponential draw."""
        shape = self._extended_shape(sample_shape)
        e = as_generator(generator, "Pareto.sample").standard_exponential(shape)
        return self.scale * exp(as_tensor(e.astype(self.alpha.dtype, copy=False)) / self.alpha)

    def log_prob(self, value: Any) -> Tensor:
        """log(alpha) + alpha log(scale) - (alpha + 1) log(x)."""
        value = self._value(value, self.scale.dtype)
        return self.alpha.log() + self.alpha * self.scale.log() - (self.alpha + 1) * log(value)

    def cdf(self, value: Any) -> Tensor:
        """1 - (scale / x)^alpha."""
        value = self._value(value, self.scale.dtype)
        return 1 - exp(self.alpha * log(self.scale / value))

    def icdf(self, value: Any) -> Tensor:
        """scale (1 - p)^(-1 / alpha)."""
        return self.scale * exp(-log1p(-as_tensor(value)) / self.alpha)

    def entropy(self) -> Tensor:
        """log(scale / alpha) + 1 / alpha + 1."""
        return (self.scale / self.alpha).log() + 1 / self.alpha + 1


class Chi2(Gamma):
    """The chi-squared distribution with ``df`` degrees of freedom: Gamma(df / 2, 1 / 2)."""

    arg_constraints = {"df": positive}

    def __init__(self, df: Any, validate_args: bool | None = None) -> None:
        (df,) = broadcast_all(df, where="Chi2")
        super().__init__(0.5 * df, full_like(df, 0.5), validate_args=validate_args)

    @property
    def df(self) -> Tensor:
        """The degrees of freedom, 2 concentration."""
        return self.concentration * 2
