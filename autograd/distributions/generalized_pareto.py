"""``GeneralizedPareto(loc, scale, concentration)`` (PyTorch's
``torch.distributions.generalized_pareto`` path): the law of exceedances over a high
threshold (peaks-over-threshold extreme value models, Pareto-smoothed importance sampling).
Draws invert the cdf, so they are reparameterised."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._random import as_generator
from ..functions import exp, log, where
from ..more_functions import expm1, log1p
from ..tensor import Tensor, as_tensor
from .constraints import Constraint, interval, positive, real
from .distribution import Distribution, broadcast_all, sample_shape_of

__all__ = ["GeneralizedPareto"]


class GeneralizedPareto(Distribution):
    """With z = (x - mu) / sigma and xi = ``concentration``: survival
    (1 + xi z)^(-1/xi) (exp(-z) at xi = 0), density (1 + xi z)^(-1/xi - 1) / sigma, on
    z >= 0 (and z <= -1/xi for xi < 0). xi within 1e-8 of 0 is taken as 0, as PyTorch's
    ``isclose``."""

    arg_constraints: dict[str, Constraint] = {"loc": real, "scale": positive,
                                              "concentration": real}
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, concentration: Any,
                 validate_args: bool | None = None) -> None:
        self.loc, self.scale, self.concentration = broadcast_all(
            loc, scale, concentration, where="GeneralizedPareto")
        super().__init__(self.loc.shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "GeneralizedPareto":
        """The same law with its parameters broadcast to ``batch_shape``."""
        shape = sample_shape_of(batch_shape, "GeneralizedPareto.expand", "batch_shape",
                                "expand((64,))")
        return self._expanded(GeneralizedPareto, _instance, self.loc.expand(shape),
                              self.scale.expand(shape), self.concentration.expand(shape))

    def _zero_and_safe(self) -> tuple[np.ndarray, Tensor]:
        """Where xi is 0 (within 1e-8), and xi with 1 there (no division by 0)."""
        zero = np.abs(self.concentration.data) <= 1e-8
        return zero, where(zero, 1.0, self.concentration)

    @property
    def support(self) -> Constraint:  # type: ignore[override]
        """[mu, mu - sigma / xi] for xi < 0, [mu, inf) otherwise."""
        xi = self.concentration.data
        safe = np.where(xi < 0, xi, -1.0)
        upper = np.where(xi < 0, self.loc.data - self.scale.data / safe, np.inf)
        return interval(self.loc.data, upper)

    def log_prob(self, value: Any) -> Tensor:
        """-log sigma - (1 / xi + 1) log(1 + xi z); -log sigma - z at xi = 0."""
        value = self._value(value, self.loc.dtype)
        z = (value - self.loc) / self.scale
        zero, xi = self._zero_and_safe()
        power = 1 / xi + 1
        # at xi = -1 the density is flat: 0 * log(0) at the upper end is 0, as PyTorch's
        tail = where(power.data == 0, power, power * log1p(xi * z))
        return -log(self.scale) - where(zero, z, tail)

    def log_survival_function(self, value: Any) -> Tensor:
        """log P(X > x) = -log(1 + xi z) / xi; -z at xi = 0."""
        value = self._value(value, self.loc.dtype)
        z = (value - self.loc) / self.scale
        zero, xi = self._zero_and_safe()
        return where(zero, -z, -log1p(xi * z) / xi)

    def log_cdf(self, value: Any) -> Tensor:
        """log(1 - P(X > x))."""
        return log1p(-exp(self.log_survival_function(value)))

    def cdf(self, value: Any) -> Tensor:
        """1 - P(X > x)."""
        return exp(self.log_cdf(value))

    def icdf(self, value: Any) -> Tensor:
        """mu + sigma ((1 - q)^(-xi) - 1) / xi; mu - sigma log(1 - q) at xi = 0."""
        log_rest = log1p(-as_tensor(value))
        zero, xi = self._zero_and_safe()
        return where(zero, self.loc - self.scale * log_rest,
                     self.loc + self.scale / xi * expm1(-xi * log_rest))

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """icdf(u) of uniform draws u in [0, 1) of shape ``sample_shape + batch_shape``."""
        shape = self._extended_shape(sample_shape)
        u = as_generator(generator, "GeneralizedPareto.sample").random(shape)
        return self.icdf(as_tensor(u.astype(self.loc.dtype, copy=False)))

    @property
    def mean(self) -> Tensor:
        """mu + sigma / (1 - xi) for xi < 1, NaN otherwise."""
        valid = self.concentration.data < 1
        xi = where(valid, self.concentration, 0.5)
        return where(valid, self.loc + self.scale / (1 - xi), np.array(np.nan, xi.dtype))

    @property
    def mode(self) -> Tensor:
        """mu."""
        return self.loc

    @property
    def variance(self) -> Tensor:
        """sigma^2 / ((1 - xi)^2 (1 - 2 xi)) for xi < 1/2, NaN otherwise."""
        valid = self.concentration.data < 0.5
        xi = where(valid, self.concentration, 0.25)
        value = self.scale.pow(2) / ((1 - xi).pow(2) * (1 - 2 * xi))
        return where(valid, value, np.array(np.nan, xi.dtype))

    def entropy(self) -> Tensor:
        """log sigma + xi + 1."""
        return log(self.scale) + self.concentration + 1

    def __repr__(self) -> str:
        return (f"GeneralizedPareto(loc: {self.loc!r}, scale: {self.scale!r}, "
                f"concentration: {self.concentration!r})")
