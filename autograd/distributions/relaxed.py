"""One-hot categorical draws and their continuous relaxations, as ``torch.distributions``'s:
``OneHotCategorical(probs=None, logits=None)`` (a Categorical whose values are one-hot
vectors), ``OneHotCategoricalStraightThrough`` (its ``rsample``: the one-hot draw with the
gradient of ``probs``), ``RelaxedOneHotCategorical(temperature, probs=None, logits=None)``
(the Gumbel-softmax / Concrete distribution on the simplex) and
``RelaxedBernoulli(temperature, probs=None, logits=None)`` (its two-category case on
(0, 1)). The relaxed ones have a reparameterised ``rsample``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._random import as_generator
from ..functions import sigmoid
from ..more_functions import log1p, softplus
from ..tensor import Tensor, as_tensor
from .constraints import Constraint, one_hot, real_vector, simplex, unit_interval
from .discrete import Bernoulli, Categorical, clamp_probs
from .distribution import Distribution

__all__ = ["OneHotCategorical", "OneHotCategoricalStraightThrough",
           "RelaxedOneHotCategorical", "RelaxedBernoulli"]


def _expanded(dist: Distribution, batch_shape: Any, inner: str) -> Distribution:
    """``dist`` with its inner distribution (attribute ``inner``) expanded to
    ``batch_shape``: the parameters live there (a temperature stays as it is)."""
    new = object.__new__(type(dist))
    new.__dict__.update(dist.__dict__)
    setattr(new, inner, getattr(dist, inner).expand(batch_shape))
    new._batch_shape = getattr(new, inner).batch_shape
    return new


def _uniforms(shape: tuple[int, ...], dtype: Any, generator: Any, where: str) -> np.ndarray:
    """Uniform draws in (0, 1), clamped to [eps, 1 - eps] as PyTorch's ``clamp_probs``."""
    eps = float(np.finfo(dtype).eps)
    u = as_generator(generator, where).random(shape)
    return np.clip(u, eps, 1 - eps).astype(dtype, copy=False)


class OneHotCategorical(Distribution):
    """Categorical draws written as one-hot vectors of the last axis (K entries)."""

    arg_constraints = {"probs": simplex, "logits": real_vector}
    support: Constraint = one_hot

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        self._categorical = Categorical(probs, logits, validate_args=validate_args)
        shape = self._categorical.param_shape
        super().__init__(shape[:-1], shape[-1:], validate_args=validate_args)

    def expand(self, batch_shape: Any) -> "OneHotCategorical":
        """The same distribution over ``batch_shape`` (the parameters broadcast)."""
        return _expanded(self, batch_shape, "_categorical")

    @property
    def probs(self) -> Tensor:
        """The probabilities of the K categories."""
        return self._categorical.probs

    @property
    def logits(self) -> Tensor:
        """Their normalised log-probabilities."""
        return self._categorical.logits

    @property
    def mean(self) -> Tensor:
        """probs."""
        return self.probs

    @property
    def mode(self) -> Tensor:
        """The one-hot vector of the most likely category."""
        k = self._event_shape[0]
        return as_tensor(np.eye(k, dtype=self.probs.dtype)[self.probs.data.argmax(-1)])

    @property
    def variance(self) -> Tensor:
        """probs (1 - probs)."""
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """One-hot vectors of Categorical draws, of ``sample_shape + batch_shape + (K,)``."""
        indices = self._categorical.sample(sample_shape, generator=generator).data
        k = self._event_shape[0]
        return as_tensor(np.eye(k, dtype=self.probs.dtype)[indices])

    def log_prob(self, value: Any) -> Tensor:
        """log probs[k] at the k where ``value`` is 1."""
        value = self._value(value, self.probs.dtype)
        return self._categorical.log_prob(as_tensor(value.data.argmax(-1)))

    def entropy(self) -> Tensor:
        """The Categorical's entropy."""
        return self._categorical.entropy()


class OneHotCategoricalStraightThrough(OneHotCategorical):
    """A ``OneHotCategorical`` whose ``rsample`` is the straight-through estimator: the
    one-hot draw's value, ``probs``'s gradient (draw + probs - probs.detach())."""

    has_rsample = True

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        samples = self.sample(sample_shape, generator=generator)
        return samples + (self.probs - self.probs.detach())


class RelaxedOneHotCategorical(Distribution):
    """The Concrete (Gumbel-softmax) distribution on the simplex of the last axis:
    y = softmax((logits + g) / temperature) with Gumbel noise g; density
    (K-1)! t^(K-1) prod_k (p_k y_k^(-t-1)) / (sum_k p_k y_k^(-t))^K."""

    arg_constraints = {"probs": simplex, "logits": real_vector}
    support: Constraint = simplex
    has_rsample = True

    def __init__(self, temperature: Any, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        self._categorical = Categorical(probs, logits, validate_args=validate_args)
        self.temperature = as_tensor(temperature).astype(self._categorical.logits.dtype)
        shape = self._categorical.param_shape
        super().__init__(shape[:-1], shape[-1:], validate_args=validate_args)

    def expand(self, batch_shape: Any) -> "RelaxedOneHotCategorical":
        """The same distribution over ``batch_shape`` (the parameters broadcast)."""
        return _expanded(self, batch_shape, "_categorical")

    @property
    def probs(self) -> Tensor:
        return self._categorical.probs

    @property
    def logits(self) -> Tensor:
        return self._categorical.logits

    def _log_rsample(self, sample_shape: Any, generator: Any) -> Tensor:
        """log y: (logits + g) / t - logsumexp((logits + g) / t), g = -log(-log u)."""
        shape = self._extended_shape(sample_shape)
        u = _uniforms(shape, self.logits.dtype, generator, "RelaxedOneHotCategorical.sample")
        gumbels = as_tensor(-np.log(-np.log(u)))
        scores = (self.logits + gumbels) / self.temperature
        return scores - scores.logsumexp(dim=-1, keepdim=True)

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """softmax((logits + g) / temperature), differentiable in logits and temperature."""
        return self._log_rsample(sample_shape, generator).exp()

    def log_prob(self, value: Any) -> Tensor:
        """The density above, at ``value`` on the simplex (with log |dy / dlog y|)."""
        value = self._value(value, self.logits.dtype)
        log_y = value.log()
        k = self._event_shape[0]
        t = self.temperature
        log_scale = math.lgamma(k) + (k - 1) * t.log()
        score = self.logits - log_y * t
        score = (score - score.logsumexp(dim=-1, keepdim=True)).sum(-1)
        return score + log_scale - log_y.sum(-1)


class RelaxedBernoulli(Distribution):
    """The binary Concrete distribution on (0, 1): y = sigmoid((logits + log u -
    log(1 - u)) / temperature); density t e^(-t x) p / (1 + e^(-t x) p)^2 / (y (1 - y))
    at x = logit(y), with p = e^logits."""

    arg_constraints = {"probs": unit_interval, "logits": real_vector}
    support: Constraint = unit_interval
    has_rsample = True

    def __init__(self, temperature: Any, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        self._bernoulli = Bernoulli(probs, logits, validate_args=validate_args)
        self.temperature = as_tensor(temperature).astype(self._bernoulli.logits.dtype)
        super().__init__(self._bernoulli.batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any) -> "RelaxedBernoulli":
        """The same distribution over ``batch_shape`` (the parameters broadcast)."""
        return _expanded(self, batch_shape, "_bernoulli")

    @property
    def probs(self) -> Tensor:
        return self._bernoulli.probs

    @property
    def logits(self) -> Tensor:
        return self._bernoulli.logits

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """sigmoid((logit(p) + log u - log(1 - u)) / temperature), p clamped inside (0, 1)
        as PyTorch's, and so the draw."""
        shape = self._extended_shape(sample_shape)
        u = _uniforms(shape, self.logits.dtype, generator, "RelaxedBernoulli.sample")
        noise = as_tensor(np.log(u) - np.log1p(-u))
        probs = clamp_probs(self.probs)
        y = sigmoid((probs.log() - log1p(-probs) + noise) / self.temperature)
        finfo = np.finfo(self.logits.dtype)
        return y.clamp(float(finfo.tiny), 1 - float(finfo.eps))

    def log_prob(self, value: Any) -> Tensor:
        """log t + d - 2 softplus(d) - log y - log(1 - y), d = logits - t logit(y)."""
        value = self._value(value, self.logits.dtype)
        logit = value.log() - (1 - value).log()
        diff = self.logits - logit * self.temperature
        return (self.temperature.log() + diff - 2 * softplus(diff)
                - value.log() - (1 - value).log())

