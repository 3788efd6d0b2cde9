"""``Weibull(scale, concentration)``, as ``torch.distributions.Weibull``: with
z = x / scale and k = concentration, density (k / scale) z^(k-1) e^(-z^k) on x >= 0,
survival function e^(-z^k) (survival analysis's Weibull time-to-event model). PyTorch
builds it as an Exponential(1) draw through x -> scale x^(1/k); here the formulas are
written out: ``rsample`` (reparameterised), ``log_prob``, ``cdf``, ``icdf``, ``entropy``,
``mean``, ``mode``, ``variance``, ``stddev``."""

from __future__ import annotations

from typing import Any

from .._random import as_generator
from ..functions import exp, log
from ..more_functions import expm1, lgamma, log1p
from ..tensor import Tensor, as_tensor
from .constraints import Constraint, nonnegative, positive
from .distribution import Distribution, broadcast_all

__all__ = ["Weibull"]

EULER_GAMMA = 0.57721566490153286061


class Weibull(Distribution):
    """The Weibull distribution of ``scale`` and ``concentration`` (both > 0)."""

    arg_constraints = {"scale": positive, "concentration": positive}
    support: Constraint = positive
    has_rsample = True

    def __init__(self, scale: Any, concentration: Any,
                 validate_args: bool | None = None) -> None:
        self.scale, self.concentration = broadcast_all(scale, concentration, where="Weibull")
        super().__init__(self.scale.shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        """scale Gamma(1 + 1/k)."""
        return self.scale * exp(lgamma(1 + self.concentration.reciprocal()))

    @property
    def mode(self) -> Tensor:
        """scale ((k - 1) / k)^(1/k), 0 for k <= 1."""
        k = self.concentration
        return self.scale * ((k - 1) / k).clamp(min=0) ** k.reciprocal()

    @property
    def variance(self) -> Tensor:
        """scale^2 (Gamma(1 + 2/k) - Gamma(1 + 1/k)^2)."""
        inverse = self.concentration.reciprocal()
        return self.scale.pow(2) * (exp(lgamma(1 + 2 * inverse))
                                    - exp(2 * lgamma(1 + inverse)))

    @property
    def stddev(self) -> Tensor:
        """sqrt(variance)."""
        return self.variance.sqrt()

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """scale e^(1/k) with e a standard exponential draw of ``sample_shape +
        batch_shape`` (differentiable in scale and k)."""
        shape = self._extended_shape(sample_shape)
        e = as_generator(generator, "Weibull.sample").standard_exponential(shape)
        e = as_tensor(e.astype(self.scale.dtype, copy=False))
        return self.scale * e ** self.concentration.reciprocal()

    def log_prob(self, value: Any) -> Tensor:
        """log(k / scale) + (k - 1) log z - z^k, z = x / scale."""
        value = self._value(value, self.scale.dtype)
        k = self.concentration
        z = value / self.scale
        return log(k / self.scale) + (k - 1) * log(z) - z ** k

    def cdf(self, value: Any) -> Tensor:
        """1 - e^(-z^k), z = x / scale; the value is checked against x >= 0 (F(0) = 0, as
        PyTorch's, whose check is that of its Exponential base)."""
        value = self._value(value, self.scale.dtype, nonnegative)
        return -expm1(-(value / self.scale) ** self.concentration)

    def icdf(self, value: Any) -> Tensor:
        """scale (-log(1 - p))^(1/k)."""
        return self.scale * (-log1p(-as_tensor(value))) ** self.concentration.reciprocal()

    def entropy(self) -> Tensor:
        """gamma (1 - 1/k) + log(scale / k) + 1 (gamma: Euler's constant)."""
        k = self.concentration
        return EULER_GAMMA * (1 - k.reciprocal()) + log(self.scale / k) + 1
