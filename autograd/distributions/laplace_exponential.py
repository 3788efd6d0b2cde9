"""``Exponential(rate)`` and ``Laplace(loc, scale)``, as ``torch.distributions``'s, with a
reparameterised ``rsample`` (a transformed standard exponential or uniform draw from
``generator``), ``log_prob``, ``cdf``, ``icdf``, ``entropy``, ``mean``, ``mode`` and
``variance``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._random import as_generator
from ..more_functions import expm1, log1p
from ..tensor import Tensor, as_tensor
from .constraints import Constraint, nonnegative, positive, real
from .distribution import Distribution, broadcast_all

__all__ = ["Exponential", "Laplace"]


class Exponential(Distribution):
    """The exponential distribution, density rate exp(-rate x) on x >= 0."""

    arg_constraints = {"rate": positive}
    support: Constraint = nonnegative
    has_rsample = True

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate, where="Exponential")
        super().__init__(self.rate.shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        """1 / rate."""
        return self.rate.reciprocal()

    @property
    def mode(self) -> Tensor:
        """0."""
        return self.rate * 0

    @property
    def variance(self) -> Tensor:
        """1 / rate^2."""
        return self.rate.pow(-2)

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """e / rate with e a standard exponential draw of ``sample_shape + batch_shape``."""
        shape = self._extended_shape(sample_shape)
        e = as_generator(generator, "Exponential.sample").standard_exponential(shape)
        return as_tensor(e.astype(self.rate.dtype, copy=False)) / self.rate

    def log_prob(self, value: Any) -> Tensor:
        """log(rate) - rate x."""
        value = self._value(value, self.rate.dtype)
        return self.rate.log() - self.rate * value

    def cdf(self, value: Any) -> Tensor:
        """1 - exp(-rate x)."""
        value = self._value(value, self.rate.dtype)
        return -expm1(-self.rate * value)

    def icdf(self, value: Any) -> Tensor:
        """-log(1 - p) / rate."""
        return -log1p(-as_tensor(value)) / self.rate

    def entropy(self) -> Tensor:
        """1 - log(rate)."""
        return 1.0 - self.rate.log()


class Laplace(Distribution):
    """The Laplace distribution, density exp(-|x - loc| / scale) / (2 scale)."""

    arg_constraints = {"loc": real, "scale": positive}
    support: Constraint = real
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale, where="Laplace")
        super().__init__(self.loc.shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        """loc."""
        return self.loc

    @property
    def mode(self) -> Tensor:
        """loc."""
        return self.loc

    @property
    def stddev(self) -> Tensor:
        """sqrt(2) scale."""
        return 2 ** 0.5 * self.scale

    @property
    def variance(self) -> Tensor:
        """2 scale^2."""
        return 2 * self.scale.pow(2)

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """loc - scale sign(u) log(1 - |u|) with u uniform in (-1, 1), as PyTorch's."""
        shape = self._extended_shape(sample_shape)
        low = float(np.nextafter(-1.0, 0.0, dtype=self.loc.dtype))
        u = as_generator(generator, "Laplace.sample").uniform(low, 1.0, shape)
        u = as_tensor(u.astype(self.loc.dtype, copy=False))
        return self.loc - self.scale * u.sign() * log1p(-u.abs())

    def log_prob(self, value: Any) -> Tensor:
        """-log(2 scale) - |x - loc| / scale."""
        value = self._value(value, self.loc.dtype)
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value: Any) -> Tensor:
        """1/2 - sign(x - loc) expm1(-|x - loc| / scale) / 2."""
        value = self._value(value, self.loc.dtype)
        z = value - self.loc
        return 0.5 - 0.5 * z.sign() * expm1(-z.abs() / self.scale)

    def icdf(self, value: Any) -> Tensor:
        """loc - scale sign(p - 1/2) log(1 - 2 |p - 1/2|)."""
        term = as_tensor(value) - 0.5
        return self.loc - self.scale * term.sign() * log1p(-2 * term.abs())

    def entropy(self) -> Tensor:
        """1 + log(2 scale)."""
        return 1 + (2 * self.scale).log()
