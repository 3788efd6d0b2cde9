"""``Normal(loc, scale)`` and ``Uniform(low, high)``, as ``torch.distributions``'s: their
``rsample`` is reparameterised (loc + scale * eps, low + (high - low) * u with eps, u drawn
from ``generator``), so gradients flow from a draw to the parameters."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._random import as_generator, below
from ..functions import log
from ..more_functions import erf, erfinv
from ..tensor import Tensor, as_tensor
from .constraints import Constraint, greater_than, interval, less_than, positive, real
from .distribution import LOG_SQRT_2PI, Distribution, broadcast_all

__all__ = ["Normal", "Uniform"]


class Normal(Distribution):
    """The normal distribution N(loc, scale^2), with density
    p(x) = exp(-(x - loc)^2 / (2 scale^2)) / (scale sqrt(2 pi)); ``loc`` and ``scale``
    (> 0) are numbers or Tensors that broadcast together."""

    arg_constraints = {"loc": real, "scale": positive}
    support = real
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale, where="Normal")
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
        """scale."""
        return self.scale

    @property
    def variance(self) -> Tensor:
        """scale^2."""
        return self.stddev.pow(2)

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """loc + scale * eps with eps ~ N(0, 1) of shape ``sample_shape + batch_shape``."""
        shape = self._extended_shape(sample_shape)
        eps = as_generator(generator, "Normal.sample").standard_normal(shape)
        return self.loc + Tensor(eps.astype(self.loc.dtype, copy=False)) * self.scale

    def log_prob(self, value: Any) -> Tensor:
        """-(value - loc)^2 / (2 scale^2) - log(scale) - log(sqrt(2 pi))."""
        value = self._value(value, self.loc.dtype)
        var = self.scale ** 2
        return -((value - self.loc) ** 2) / (2 * var) - self.scale.log() - LOG_SQRT_2PI

    def cdf(self, value: Any) -> Tensor:
        """(1 + erf((value - loc) / (scale sqrt(2)))) / 2."""
        value = self._value(value, self.loc.dtype)
        return 0.5 * (1 + erf((value - self.loc) * self.scale.reciprocal() / math.sqrt(2)))

    def icdf(self, value: Any) -> Tensor:
        """loc + scale sqrt(2) erfinv(2 value - 1), the value-quantile (NaN outside [0, 1],
        unchecked, as PyTorch's)."""
        value = as_tensor(value)
        return self.loc + self.scale * erfinv(2 * value - 1) * math.sqrt(2)

    def entropy(self) -> Tensor:
        """1/2 + log(sqrt(2 pi)) + log(scale)."""
        return 0.5 + 0.5 * math.log(2 * math.pi) + log(self.scale)


class Uniform(Distribution):
    """The uniform distribution on [low, high) (low < high), density 1 / (high - low)
    inside; ``low`` and ``high`` are numbers or Tensors that broadcast together."""

    has_rsample = True

    def __init__(self, low: Any, high: Any, validate_args: bool | None = None) -> None:
        self.low, self.high = broadcast_all(low, high, where="Uniform")
        super().__init__(self.low.shape, validate_args=validate_args)

    @property
    def arg_constraints(self) -> dict[str, Constraint]:  # type: ignore[override]
        """low < high."""
        return {"low": less_than(self.high),
                "high": greater_than(self.low)}

    @property
    def support(self) -> Constraint:
        """[low, high] (``log_prob(high)`` is -inf)."""
        return interval(self.low, self.high)

    @property
    def mean(self) -> Tensor:
        """(low + high) / 2."""
        return (self.high + self.low) / 2

    @property
    def mode(self) -> Tensor:
        """NaN: every value inside is as likely."""
        return np.nan * self.high

    @property
    def stddev(self) -> Tensor:
        """(high - low) / sqrt(12)."""
        return (self.high - self.low) / 12 ** 0.5

    @property
    def variance(self) -> Tensor:
        """(high - low)^2 / 12."""
        return (self.high - self.low).pow(2) / 12

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """low + u * (high - low) with u uniform in [0, 1) of shape
        ``sample_shape + batch_shape``."""
        shape = self._extended_shape(sample_shape)
        u = as_generator(generator, "Uniform.sample").random(shape)
        return self.low + Tensor(below(u, 0.0, 1.0, self.low.dtype)) * (self.high - self.low)

    def log_prob(self, value: Any) -> Tensor:
        """-log(high - low) inside [low, high), -inf outside (``ShapeError`` for a value
        whose shape does not broadcast with the batch, with or without validate_args)."""
        value = self._value(value, self.low.dtype)
        self._check_shape(value)
        lb = Tensor((self.low.data <= value.data).astype(self.low.dtype))
        ub = Tensor((self.high.data > value.data).astype(self.low.dtype))
        return log(lb * ub) - log(self.high - self.low)

    def cdf(self, value: Any) -> Tensor:
        """(value - low) / (high - low), clamped to [0, 1]."""
        value = self._value(value, self.low.dtype)
        return ((value - self.low) / (self.high - self.low)).clamp(min=0, max=1)

    def icdf(self, value: Any) -> Tensor:
        """low + value * (high - low)."""
        return value * (self.high - self.low) + self.low

    def entropy(self) -> Tensor:
        """log(high - low)."""
        return log(self.high - self.low)
