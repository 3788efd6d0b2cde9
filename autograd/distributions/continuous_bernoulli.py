"""``ContinuousBernoulli(probs= | logits=)`` (PyTorch's
``torch.distributions.continuous_bernoulli`` path; Loaiza-Ganem and Cunningham 2019): the
Bernoulli likelihood made a density on [0, 1], p(x) = C(p) p^x (1 - p)^(1 - x), the
likelihood a VAE of [0, 1] pixels should use. Draws invert the cdf, so they are
reparameterised. Near p = 1/2 the closed forms divide 0 by 0, so there (inside PyTorch's
``lims``, (0.499, 0.501) by default) the normaliser and moments are Taylor series in
p - 1/2, as PyTorch's; the closed forms are evaluated at a safe p there, so no NaN reaches
the gradients."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._random import as_generator
from ..errors import UsageError
from ..functions import exp, log, where
from ..grad_mode import no_grad
from ..more_functions import log1p
from ..tensor import Tensor, as_tensor
from .constraints import Constraint, real, unit_interval
from .discrete import binary_cross_entropy_with_logits, clamp_probs
from .distribution import Distribution, broadcast_all, lazy_property
from .utils import logits_to_probs, probs_to_logits

__all__ = ["ContinuousBernoulli"]


class ContinuousBernoulli(Distribution):
    """Density C(p) p^x (1 - p)^(1 - x) on [0, 1], C(p) = 2 artanh(1 - 2p) / (1 - 2p)
    (= 2 at p = 1/2), with ``probs`` p in [0, 1] (clamped to [eps, 1 - eps], as PyTorch's)
    or ``logits`` log(p / (1 - p))."""

    arg_constraints: dict[str, Constraint] = {"probs": unit_interval, "logits": real}
    support = unit_interval
    has_rsample = True

    def __init__(self, probs: Any = None, logits: Any = None,
                 lims: tuple[float, float] = (0.499, 0.501),
                 validate_args: bool | None = None) -> None:
        if (probs is None) == (logits is None):
            raise UsageError("ContinuousBernoulli: give either probs or logits, not both "
                             "(PyTorch's 'Either `probs` or `logits` must be specified, "
                             "but not both.')")
        if probs is not None:
            (self.probs,) = broadcast_all(probs, where="ContinuousBernoulli")
        else:
            (self.logits,) = broadcast_all(logits, where="ContinuousBernoulli")
        self._param = self.probs if probs is not None else self.logits
        self._lims = tuple(lims)
        super().__init__(self._param.shape, validate_args=validate_args)  # checks probs
        if probs is not None:  # then clamped, so that log p and log(1 - p) are finite
            self.probs = self._param = clamp_probs(self.probs)

    @lazy_property
    def logits(self) -> Tensor:
        """log(p) - log(1 - p)."""
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self) -> Tensor:
        """sigmoid(logits), clamped to [eps, 1 - eps]."""
        return clamp_probs(logits_to_probs(self.logits, is_binary=True))

    @property
    def param_shape(self) -> tuple[int, ...]:
        """The shape of the parameter given."""
        return self._param.shape

    def _outside_unstable_region(self) -> np.ndarray:
        """Where p is outside ``lims``, so the closed forms are accurate."""
        p = self.probs.data
        return (p <= self._lims[0]) | (p > self._lims[1])

    def _cut_probs(self) -> Tensor:
        """p outside ``lims``; the lower limit inside (a value the closed forms take)."""
        return where(self._outside_unstable_region(), self.probs, self._lims[0])

    def _cont_bern_log_norm(self) -> Tensor:
        """log C(p) = log|log(1 - p) - log p| - log|1 - 2p|; near 1/2,
        log 2 + (4/3 + 104/45 t) t with t = (p - 1/2)^2."""
        cut = self._cut_probs()
        exact = log((log1p(-cut) - log(cut)).abs()) - log((1 - 2 * cut).abs())
        t = (self.probs - 0.5).pow(2)
        taylor = math.log(2.0) + (4.0 / 3.0 + 104.0 / 45.0 * t) * t
        return where(self._outside_unstable_region(), exact, taylor)

    @property
    def mean(self) -> Tensor:
        """p / (2p - 1) + 1 / (log(1 - p) - log p); near 1/2, 1/2 + (1/3 + 16/45 d^2) d
        with d = p - 1/2."""
        cut = self._cut_probs()
        exact = cut / (2 * cut - 1) + 1 / (log1p(-cut) - log(cut))
        d = self.probs - 0.5
        taylor = 0.5 + (1.0 / 3.0 + 16.0 / 45.0 * d.pow(2)) * d
        return where(self._outside_unstable_region(), exact, taylor)

    @property
    def variance(self) -> Tensor:
        """p (p - 1) / (1 - 2p)^2 + 1 / (log(1 - p) - log p)^2; near 1/2,
        1/12 - (1/15 - 128/945 t) t with t = (p - 1/2)^2."""
        cut = self._cut_probs()
        exact = cut * (cut - 1) / (1 - 2 * cut).pow(2) + 1 / (log1p(-cut) - log(cut)).pow(2)
        t = (self.probs - 0.5).pow(2)
        taylor = 1.0 / 12.0 - (1.0 / 15.0 - 128.0 / 945.0 * t) * t
        return where(self._outside_unstable_region(), exact, taylor)

    @property
    def stddev(self) -> Tensor:
        """sqrt(variance)."""
        return self.variance.sqrt()

    def log_prob(self, value: Any) -> Tensor:
        """x log p + (1 - x) log(1 - p) + log C(p), from the logits (stable)."""
        value = self._value(value, self._param.dtype)
        logits, value = broadcast_all(self.logits, value, where="ContinuousBernoulli.log_prob")
        return -binary_cross_entropy_with_logits(logits, value) + self._cont_bern_log_norm()

    def cdf(self, value: Any) -> Tensor:
        """(p^x (1 - p)^(1 - x) + p - 1) / (2p - 1) on [0, 1] (x near p = 1/2), 0 below,
        1 above."""
        value = self._value(value, self._param.dtype)
        cut = self._cut_probs()
        inside = (exp(value * log(cut) + (1 - value) * log1p(-cut)) + cut - 1) / (2 * cut - 1)
        unbounded = where(self._outside_unstable_region(), inside, value)
        return where(value.data <= 0, 0.0, where(value.data >= 1, 1.0, unbounded))

    def icdf(self, value: Any) -> Tensor:
        """(log(1 - p + u (2p - 1)) - log(1 - p)) / (log p - log(1 - p)) (u near p = 1/2)."""
        value = as_tensor(value)
        cut = self._cut_probs()
        exact = (log1p(-cut + value * (2 * cut - 1)) - log1p(-cut)) / (log(cut) - log1p(-cut))
        return where(self._outside_unstable_region(), exact, value)

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """icdf(u) of uniform draws u in [0, 1) of shape ``sample_shape + batch_shape``."""
        shape = self._extended_shape(sample_shape)
        u = as_generator(generator, "ContinuousBernoulli.sample").random(shape)
        return self.icdf(as_tensor(u.astype(self.probs.dtype, copy=False)))

    def sample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """``rsample`` without gradient."""
        with no_grad():
            return self.rsample(sample_shape, generator=generator)

    def entropy(self) -> Tensor:
        """E[X] (log(1 - p) - log p) - log C(p) - log(1 - p)."""
        log_p0, log_p1 = log1p(-self.probs), log(self.probs)
        return self.mean * (log_p0 - log_p1) - self._cont_bern_log_norm() - log_p0
