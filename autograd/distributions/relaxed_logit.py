"""The relaxed distributions in log space, as ``torch.distributions``' (which builds
``RelaxedBernoulli`` and ``RelaxedOneHotCategorical`` by pushing these through a sigmoid
and an exp): ``LogitRelaxedBernoulli(temperature, probs=, logits=)`` on the reals and
``ExpRelaxedCategorical(temperature, probs=, logits=)`` on log-simplex vectors. Their
densities stay finite where the relaxed draws round to 0 or 1 (low temperatures), so
concrete-VAE code scores samples here."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..more_functions import softplus
from ..tensor import Tensor, as_tensor
from .constraints import Constraint, real, real_vector, simplex, unit_interval
from .discrete import Bernoulli, Categorical, clamp_probs
from .distribution import Distribution
from .relaxed import _expanded, _uniforms

__all__ = ["LogitRelaxedBernoulli", "ExpRelaxedCategorical"]


class LogitRelaxedBernoulli(Distribution):
    """x = (logit(p) + log u - log(1 - u)) / t for u ~ Uniform(0, 1): the logit of a
    RelaxedBernoulli draw; density t e^d / (1 + e^d)^2 with d = logits - t x."""

    arg_constraints: dict[str, Constraint] = {"probs": unit_interval, "logits": real}
    support = real
    has_rsample = True

    def __init__(self, temperature: Any, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        self._bernoulli = Bernoulli(probs, logits, validate_args=validate_args)
        self.temperature = as_tensor(temperature).astype(self._bernoulli.logits.dtype)
        super().__init__(self._bernoulli.batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any) -> "LogitRelaxedBernoulli":
        """The same distribution over ``batch_shape`` (the parameters broadcast)."""
        return _expanded(self, batch_shape, "_bernoulli")

    @property
    def probs(self) -> Tensor:
        """p."""
        return self._bernoulli.probs

    @property
    def logits(self) -> Tensor:
        """log p - log(1 - p)."""
        return self._bernoulli.logits

    @property
    def param_shape(self) -> tuple[int, ...]:
        """The shape of the parameter given."""
        return self._bernoulli.param_shape

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """(log p - log(1 - p) + log u - log(1 - u)) / t, p and u clamped to
        [eps, 1 - eps] as PyTorch's."""
        shape = self._extended_shape(sample_shape)
        u = _uniforms(shape, self.logits.dtype, generator, "LogitRelaxedBernoulli.sample")
        probs = clamp_probs(self.probs)
        noise = as_tensor(np.log(u) - np.log1p(-u))
        return (probs.log() - (-probs).log1p() + noise) / self.temperature

    def log_prob(self, value: Any) -> Tensor:
        """log t + d - 2 softplus(d), d = logits - t x."""
        value = self._value(value, self.logits.dtype)
        diff = self.logits - value * self.temperature
        return self.temperature.log() + diff - 2 * softplus(diff)


class ExpRelaxedCategorical(Distribution):
    """log y for y ~ RelaxedOneHotCategorical: (logits + g) / t - logsumexp(same), g
    Gumbel noise; density (K - 1)! t^(K-1) exp(sum_k (l_k - t x_k) - K logsumexp(l - t x))
    with respect to the first K - 1 coordinates."""

    arg_constraints: dict[str, Constraint] = {"probs": simplex, "logits": real_vector}
    support = real_vector  # PyTorch's too (the exp lies on the simplex)
    has_rsample = True

    def __init__(self, temperature: Any, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        self._categorical = Categorical(probs, logits, validate_args=validate_args)
        self.temperature = as_tensor(temperature).astype(self._categorical.logits.dtype)
        shape = self._categorical.param_shape
        super().__init__(shape[:-1], shape[-1:], validate_args=validate_args)

    def expand(self, batch_shape: Any) -> "ExpRelaxedCategorical":
        """The same distribution over ``batch_shape`` (the parameters broadcast)."""
        return _expanded(self, batch_shape, "_categorical")

    @property
    def probs(self) -> Tensor:
        """The normalised probabilities."""
        return self._categorical.probs

    @property
    def logits(self) -> Tensor:
        """The normalised log-probabilities."""
        return self._categorical.logits

    @property
    def param_shape(self) -> tuple[int, ...]:
        """The shape of the parameter given."""
        return self._categorical.param_shape

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """(logits + g) / t - logsumexp((logits + g) / t), g = -log(-log u)."""
        shape = self._extended_shape(sample_shape)
        u = _uniforms(shape, self.logits.dtype, generator, "ExpRelaxedCategorical.sample")
        scores = (self.logits + as_tensor(-np.log(-np.log(u)))) / self.temperature
        return scores - scores.logsumexp(dim=-1, keepdim=True)

    def log_prob(self, value: Any) -> Tensor:
        """lgamma(K) + (K - 1) log t + sum_k s_k, s = (l - t x) - logsumexp(l - t x)."""
        value = self._value(value, self.logits.dtype)
        k = self._event_shape[0]
        score = self.logits - value * self.temperature
        score = (score - score.logsumexp(dim=-1, keepdim=True)).sum(-1)
        return score + math.lgamma(k) + (k - 1) * self.temperature.log()
