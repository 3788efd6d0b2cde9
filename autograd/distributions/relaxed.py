"""One-hot categorical draws and their continuous relaxations, as ``torch.distributions``'s:
``OneHotCategorical(probs=None, logits=None)`` (a Categorical whose values are one-hot
vectors), ``OneHotCategoricalStraightThrough`` (its ``rsample``: the one-hot draw with the
gradient of ``probs``), ``RelaxedOneHotCategorical(temperature, probs=None, logits=None)``
(the Gumbel-softmax / Concrete distribution on the simplex) and
``RelaxedBernoulli(temperature, probs=None, logits=None)`` (its two-category case on
(0, 1)). The relaxed ones have a reparameterised ``rsample``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..functions import sigmoid
from ..more_functions import log1p
from ..tensor import Tensor, as_tensor
from .constraints import Constraint, one_hot, real, real_vector, simplex, unit_interval
from .relaxed_base import CategoricalParameters, TemperedBernoulli, TemperedCategorical

__all__ = ["OneHotCategorical", "OneHotCategoricalStraightThrough",
           "RelaxedOneHotCategorical", "RelaxedBernoulli"]


class OneHotCategorical(CategoricalParameters):
    """Categorical draws written as one-hot vectors of the last axis (K entries)."""

    arg_constraints = {"probs": simplex, "logits": real_vector}
    support: Constraint = one_hot

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
        """log probs[k] at the k where ``value`` is 1 (``ShapeError`` for a value whose
        shape does not broadcast with batch_shape + event_shape)."""
        value = self._value(value, self.probs.dtype)
        self._check_shape(value)
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


class RelaxedOneHotCategorical(TemperedCategorical):
    """The Concrete (Gumbel-softmax) distribution on the simplex of the last axis:
    y = softmax((logits + g) / temperature) with Gumbel noise g; density
    (K-1)! t^(K-1) prod_k (p_k y_k^(-t-1)) / (sum_k p_k y_k^(-t))^K."""

    arg_constraints = {"probs": simplex, "logits": real_vector}
    support: Constraint = simplex

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """softmax((logits + g) / temperature), differentiable in logits and temperature."""
        return self._log_rsample(sample_shape, generator).exp()

    def log_prob(self, value: Any) -> Tensor:
        """The density of log y (``ExpRelaxedCategorical``'s) and log |dlog y / dy|."""
        log_y = self._value(value, self.logits.dtype).log()
        return self._log_space_density(log_y) - log_y.sum(-1)


class RelaxedBernoulli(TemperedBernoulli):
    """The binary Concrete distribution on (0, 1): y = sigmoid((logits + log u -
    log(1 - u)) / temperature); density t e^(-t x) p / (1 + e^(-t x) p)^2 / (y (1 - y))
    at x = logit(y), with p = e^logits."""

    arg_constraints = {"probs": unit_interval, "logits": real}
    support: Constraint = unit_interval

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """sigmoid((logit(p) + log u - log(1 - u)) / temperature), p clamped inside (0, 1)
        as PyTorch's, and so the draw."""
        y = sigmoid(self._logit_rsample(sample_shape, generator))
        finfo = np.finfo(self.logits.dtype)
        return y.clamp(float(finfo.tiny), 1 - float(finfo.eps))

    def log_prob(self, value: Any) -> Tensor:
        """The density of x = logit(y) (``LogitRelaxedBernoulli``'s), less log y and
        log(1 - y), with y clamped to [tiny, 1 - eps] first as PyTorch's sigmoid inverse
        clamps it: finite at the end points 0 and 1 of the support."""
        value = self._value(value, self.logits.dtype)
        finfo = np.finfo(value.dtype if value.dtype.kind == "f" else self.logits.dtype)
        y = value.clamp(float(finfo.tiny), 1 - float(finfo.eps))
        log_y, log_1my = y.log(), log1p(-y)
        return self._logit_log_density(log_y - log_1my) - log_y - log_1my
