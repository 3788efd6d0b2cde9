"""The relaxed distributions in log space, as ``torch.distributions``' (which builds
``RelaxedBernoulli`` and ``RelaxedOneHotCategorical`` by pushing these through a sigmoid
and an exp): ``LogitRelaxedBernoulli(temperature, probs=, logits=)`` on the reals and
``ExpRelaxedCategorical(temperature, probs=, logits=)`` on log-simplex vectors. Their
densities stay finite where the relaxed draws round to 0 or 1 (low temperatures), so
concrete-VAE code scores samples here."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from .constraints import Constraint, real, real_vector, simplex, unit_interval
from .relaxed_base import TemperedBernoulli, TemperedCategorical

__all__ = ["LogitRelaxedBernoulli", "ExpRelaxedCategorical"]


class LogitRelaxedBernoulli(TemperedBernoulli):
    """x = (logit(p) + log u - log(1 - u)) / t for u ~ Uniform(0, 1): the logit of a
    RelaxedBernoulli draw; density t e^d / (1 + e^d)^2 with d = logits - t x."""

    arg_constraints: dict[str, Constraint] = {"probs": unit_interval, "logits": real}
    support = real

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """(log p - log(1 - p) + log u - log(1 - u)) / t, p and u clamped to
        [eps, 1 - eps] as PyTorch's."""
        return self._logit_rsample(sample_shape, generator)

    def log_prob(self, value: Any) -> Tensor:
        """log t + d - 2 softplus(d), d = logits - t x."""
        return self._logit_log_density(self._value(value, self.logits.dtype))


class ExpRelaxedCategorical(TemperedCategorical):
    """log y for y ~ RelaxedOneHotCategorical: (logits + g) / t - logsumexp(same), g
    Gumbel noise; density (K - 1)! t^(K-1) exp(sum_k (l_k - t x_k) - K logsumexp(l - t x))
    with respect to the first K - 1 coordinates."""

    arg_constraints: dict[str, Constraint] = {"probs": simplex, "logits": real_vector}
    support = real_vector  # PyTorch's too (the exp lies on the simplex)

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """(logits + g) / t - logsumexp((logits + g) / t), g = -log(-log u)."""
        return self._log_rsample(sample_shape, generator)

    def log_prob(self, value: Any) -> Tensor:
        """lgamma(K) + (K - 1) log t + sum_k s_k, s = (l - t x) - logsumexp(l - t x)."""
        return self._log_space_density(self._value(value, self.logits.dtype))
