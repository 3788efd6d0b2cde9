"""``Poisson(rate)`` and ``NegativeBinomial(total_count, probs=None, logits=None)``, as
``torch.distributions``'s: ``log_prob`` (differentiable in the parameters), ``mean``,
``mode``, ``variance`` and ``sample`` (constants: counts have no reparameterisation).

PyTorch's parameterisation of the negative binomial: the number of successes before
``total_count`` failures, each trial a success with probability ``probs`` = sigmoid(logits),
so mean = r e^logits and variance = mean / sigmoid(-logits). A draw is Poisson(Gamma(r,
e^-logits)), as PyTorch's (DeepAR's count likelihood)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import UsageError
from ..functions import broadcast_to, sigmoid, where
from ..grad_mode import no_grad
from ..more_functions import lgamma, softplus
from ..sampling import poisson
from ..special import xlogy
from ..tensor import Tensor
from .constraints import Constraint, greater_than_eq, half_open_interval, nonnegative
from .constraints import nonnegative_integer, real
from .discrete import clamp_probs
from .distribution import Distribution, broadcast_all, lazy_property
from .gamma import standard_gamma

__all__ = ["Poisson", "NegativeBinomial"]


class Poisson(Distribution):
    """Counts k = 0, 1, ... with probability rate^k e^-rate / k!, for ``rate`` >= 0."""

    arg_constraints = {"rate": nonnegative}
    support: Constraint = nonnegative_integer

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate, where="Poisson")
        super().__init__(self.rate.shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        """rate."""
        return self.rate

    @property
    def mode(self) -> Tensor:
        """floor(rate)."""
        return self.rate.floor()

    @property
    def variance(self) -> Tensor:
        """rate."""
        return self.rate

    def sample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """Poisson draws of shape ``sample_shape + batch_shape``, in the rate's dtype."""
        shape = self._extended_shape(sample_shape)
        with no_grad():
            return poisson(broadcast_to(self.rate.detach(), shape), generator=generator)

    def log_prob(self, value: Any) -> Tensor:
        """k log(rate) - rate - lgamma(k + 1) (0 log 0 = 0)."""
        value = self._value(value, self.rate.dtype)
        rate, value = broadcast_all(self.rate, value, where="Poisson.log_prob")
        return xlogy(value, rate) - rate - lgamma(value + 1)


class NegativeBinomial(Distribution):
    """Successes before ``total_count`` r failures (r >= 0, real), each trial a success
    with probability p = ``probs`` (in [0, 1)) or sigmoid(``logits``): exactly one of the
    two. P(k) = Gamma(k + r) / (k! Gamma(r)) p^k (1 - p)^r."""

    arg_constraints = {"total_count": greater_than_eq(0), "probs": half_open_interval(0.0, 1.0),
                       "logits": real}
    support: Constraint = nonnegative_integer

    def __init__(self, total_count: Any, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        if (probs is None) == (logits is None):
            raise UsageError("NegativeBinomial: give either probs or logits, not both "
                             "(PyTorch's 'Either `probs` or `logits` must be specified, "
                             "but not both.')")
        if probs is not None:
            self.total_count, self.probs = broadcast_all(total_count, probs,
                                                         where="NegativeBinomial")
            self._param = self.probs
        else:
            self.total_count, self.logits = broadcast_all(total_count, logits,
                                                          where="NegativeBinomial")
            self._param = self.logits
        self.total_count = self.total_count.type_as(self._param)
        super().__init__(self._param.shape, validate_args=validate_args)

    @lazy_property
    def logits(self) -> Tensor:
        """log(p) - log(1 - p), of p clamped to [eps, 1 - eps]."""
        p = clamp_probs(self.probs)
        return p.log() - (-p).log1p()

    @lazy_property
    def probs(self) -> Tensor:
        """sigmoid(logits)."""
        return sigmoid(self.logits)

    @property
    def param_shape(self) -> tuple[int, ...]:
        """The shape of the parameter given."""
        return self._param.shape

    @property
    def mean(self) -> Tensor:
        """r e^logits = r p / (1 - p)."""
        return self.total_count * self.logits.exp()

    @property
    def mode(self) -> Tensor:
        """max(floor((r - 1) e^logits), 0)."""
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self) -> Tensor:
        """mean / sigmoid(-logits) = r p / (1 - p)^2."""
        return self.mean / sigmoid(-self.logits)

    def sample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """Poisson(g) with g ~ Gamma(r, rate e^-logits), of shape ``sample_shape +
        batch_shape`` (r = 0 draws 0)."""
        shape = self._extended_shape(sample_shape)
        with no_grad():
            r = broadcast_to(self.total_count.detach(), shape)
            scale = broadcast_to(self.logits.detach().exp(), shape)
            positive_r = where(r > 0, r, np.ones((), r.dtype))
            g = standard_gamma(positive_r, generator, "NegativeBinomial.sample") * scale
            g = where(r > 0, g, np.zeros((), r.dtype))
            return poisson(g, generator=generator)

    def log_prob(self, value: Any) -> Tensor:
        """r logsigmoid(-logits) + k logsigmoid(logits) + lgamma(k + r) - lgamma(k + 1)
        - lgamma(r), with the lgamma terms 0 where k + r = 0 (P(0) = 1 when r = 0)."""
        value = self._value(value, self._param.dtype)
        r, logits, value = broadcast_all(self.total_count, self.logits, value,
                                         where="NegativeBinomial.log_prob")
        # logsigmoid(x) = -softplus(-x)
        unnormalised = -r * softplus(logits) - value * softplus(-logits)
        both_zero = (r + value).detach() == 0
        safe_r = where(both_zero, np.ones((), r.dtype), r)
        normalisation = lgamma(value + 1) + lgamma(safe_r) - lgamma(safe_r + value)
        return unnormalised - where(both_zero, np.zeros((), r.dtype), normalisation)
