"""What the relaxed distributions share (``relaxed.py``, ``relaxed_logit.py``): a
temperature t with a Bernoulli's or a Categorical's parameters, the reparameterised
draw before its squashing (PyTorch builds ``RelaxedBernoulli`` and
``RelaxedOneHotCategorical`` by pushing the log-space draws through a sigmoid and an exp)
and the log-space densities."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._random import as_generator
from ..more_functions import log1p, softplus
from ..tensor import Tensor, as_tensor
from .discrete import Bernoulli, Categorical, clamp_probs
from .distribution import Distribution

__all__ = ["CategoricalParameters", "TemperedBernoulli", "TemperedCategorical", "expanded",
           "uniforms"]


def expanded(dist: Distribution, batch_shape: Any, inner: str) -> Distribution:
    """``dist`` with its inner distribution (attribute ``inner``) expanded to
    ``batch_shape``: the parameters live there (a temperature stays as it is)."""
    new = object.__new__(type(dist))
    new.__dict__.update(dist.__dict__)
    setattr(new, inner, getattr(dist, inner).expand(batch_shape))
    new._batch_shape = getattr(new, inner).batch_shape
    new._validate_args = dist._validate_args
    return new


def uniforms(shape: tuple[int, ...], dtype: Any, generator: Any, where: str) -> np.ndarray:
    """Uniform draws in (0, 1), clamped to [eps, 1 - eps] as PyTorch's ``clamp_probs``."""
    eps = float(np.finfo(dtype).eps)
    u = as_generator(generator, where).random(shape)
    return np.clip(u, eps, 1 - eps).astype(dtype, copy=False)


class TemperedBernoulli(Distribution):
    """A temperature and a Bernoulli's ``probs``/``logits`` (one of them)."""

    has_rsample = True

    def __init__(self, temperature: Any, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        self._bernoulli = Bernoulli(probs, logits, validate_args=validate_args)
        self.temperature = as_tensor(temperature).astype(self._bernoulli.logits.dtype)
        super().__init__(self._bernoulli.batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any) -> Distribution:
        """The same distribution over ``batch_shape`` (the parameters broadcast)."""
        return expanded(self, batch_shape, "_bernoulli")

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

    def _logit_rsample(self, sample_shape: Any, generator: Any) -> Tensor:
        """(log p - log(1 - p) + log u - log(1 - u)) / t, p and u clamped to
        [eps, 1 - eps] as PyTorch's."""
        shape = self._extended_shape(sample_shape)
        u = uniforms(shape, self.logits.dtype, generator, f"{type(self).__name__}.sample")
        probs = clamp_probs(self.probs)
        noise = as_tensor(np.log(u) - np.log1p(-u))
        return (probs.log() - log1p(-probs) + noise) / self.temperature

    def _logit_log_density(self, x: Tensor) -> Tensor:
        """log t + d - 2 softplus(d), d = logits - t x: the density of the logit x."""
        diff = self.logits - x * self.temperature
        return self.temperature.log() + diff - 2 * softplus(diff)


class CategoricalParameters(Distribution):
    """A distribution over the last axis with a Categorical's ``probs``/``logits``."""

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        self._categorical = Categorical(probs, logits, validate_args=validate_args)
        shape = self._categorical.param_shape
        super().__init__(shape[:-1], shape[-1:], validate_args=validate_args)

    def expand(self, batch_shape: Any) -> Distribution:
        """The same distribution over ``batch_shape`` (the parameters broadcast)."""
        return expanded(self, batch_shape, "_categorical")

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


class TemperedCategorical(CategoricalParameters):
    """A temperature and a Categorical's ``probs``/``logits`` over the last axis."""

    has_rsample = True

    def __init__(self, temperature: Any, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        super().__init__(probs, logits, validate_args=validate_args)
        self.temperature = as_tensor(temperature).astype(self._categorical.logits.dtype)

    def _log_rsample(self, sample_shape: Any, generator: Any) -> Tensor:
        """(logits + g) / t - logsumexp((logits + g) / t), g = -log(-log u)."""
        shape = self._extended_shape(sample_shape)
        u = uniforms(shape, self.logits.dtype, generator, f"{type(self).__name__}.sample")
        scores = (self.logits + as_tensor(-np.log(-np.log(u)))) / self.temperature
        return scores - scores.logsumexp(dim=-1, keepdim=True)

    def _log_space_density(self, x: Tensor) -> Tensor:
        """lgamma(K) + (K - 1) log t + sum_k s_k, s = (l - t x) - logsumexp(l - t x): the
        density of x = log y."""
        k = self._event_shape[0]
        score = self.logits - x * self.temperature
        score = (score - score.logsumexp(dim=-1, keepdim=True)).sum(-1)
        return score + math.lgamma(k) + (k - 1) * self.temperature.log()
