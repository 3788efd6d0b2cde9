"""``Multinomial(total_count=1, probs=None, logits=None)``, as ``torch.distributions``'s:
the counts of each of K categories in ``total_count`` independent categorical draws, an
event of shape (K,). ``log_prob`` (differentiable in the parameters, and it takes any
total count, as PyTorch's), ``entropy``, ``mean``, ``variance`` and ``sample``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import UnsupportedError
from ..functions import where
from ..more_functions import lgamma
from ..tensor import Tensor, as_tensor
from .constraints import Constraint, multinomial, real_vector, simplex
from .discrete import Categorical
from .distribution import Distribution, broadcast_all
from .geometric_binomial import Binomial

__all__ = ["Multinomial"]


class Multinomial(Distribution):
    """Counts x_1, ..., x_K (summing to n = ``total_count``, one int for the batch) of K
    categories drawn with the probabilities of the last axis of ``probs`` (normalised) or
    ``logits`` (normalised by logsumexp): P(x) = n! / prod_k x_k! prod_k p_k^x_k."""

    arg_constraints = {"probs": simplex, "logits": real_vector}
    total_count: int

    def __init__(self, total_count: int = 1, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        if not isinstance(total_count, (int, np.integer)) or isinstance(total_count, bool):
            raise UnsupportedError(f"Multinomial: total_count is one int for the whole batch "
                                   f"(PyTorch's 'inhomogeneous total_count is not "
                                   f"supported'); got {type(total_count).__name__}. For "
                                   f"counts per row, one Multinomial per total_count")
        self.total_count = int(total_count)
        self._categorical = Categorical(probs=probs, logits=logits)
        self._binomial = Binomial(total_count=self.total_count, probs=self.probs)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "Multinomial":
        """The same distribution over ``batch_shape``: its Categorical expanded."""
        new = self._get_checked_instance(Multinomial, _instance)
        new.total_count = self.total_count
        new._categorical = self._categorical.expand(batch_shape)
        new._binomial = Binomial(total_count=self.total_count, probs=new.probs,
                                 validate_args=False)
        Distribution.__init__(new, new._categorical.batch_shape, self.event_shape,
                              validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def support(self) -> Constraint:
        """Non-negative count vectors summing to at most total_count (PyTorch's check)."""
        return multinomial(self.total_count)

    @property
    def logits(self) -> Tensor:
        """The normalised log-probabilities (the Categorical's)."""
        return self._categorical.logits

    @property
    def probs(self) -> Tensor:
        """The normalised probabilities (the Categorical's)."""
        return self._categorical.probs

    @property
    def param_shape(self) -> tuple[int, ...]:
        """``batch_shape + (K,)``."""
        return self._categorical.param_shape

    @property
    def mean(self) -> Tensor:
        """n p."""
        return self.probs * self.total_count

    @property
    def variance(self) -> Tensor:
        """n p (1 - p), per category."""
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """Counts of shape ``sample_shape + batch_shape + (K,)`` in the parameters' dtype:
        ``total_count`` categorical draws, counted per category."""
        shape = self._extended_shape(sample_shape)
        outer = shape[:len(shape) - len(self.batch_shape) - 1]  # sample_shape
        draws = self._categorical.sample((self.total_count,) + outer, generator=generator).data
        k, rows = shape[-1], int(np.prod(shape[:-1], dtype=np.int64))
        # category c of row r counted in bin r * k + c
        bins = draws.reshape(self.total_count, rows) + k * np.arange(rows)
        counts = np.bincount(bins.ravel(), minlength=rows * k)
        return Tensor(counts.reshape(shape).astype(self.probs.dtype))

    def log_prob(self, value: Any) -> Tensor:
        """lgamma(sum x + 1) - sum lgamma(x + 1) + sum x log p, with 0 log 0 = 0 (a
        category of probability 0 that was not drawn)."""
        value = self._value(value, self.probs.dtype)
        logits, value = broadcast_all(self.logits, value, where="Multinomial.log_prob")
        impossible_unseen = (value.data == 0) & (logits.data == -np.inf)
        logits = where(Tensor(impossible_unseen), np.zeros((), logits.dtype), logits)
        log_factorial_n = lgamma(value.sum(-1) + 1)
        log_factorial_xs = lgamma(value + 1).sum(-1)
        return log_factorial_n - log_factorial_xs + (logits * value).sum(-1)

    def entropy(self) -> Tensor:
        """n H(p) - lgamma(n + 1) + sum_k sum_{j=1..n} Binomial(n, p_k)(j) lgamma(j + 1)."""
        n = as_tensor(np.asarray(float(self.total_count), self.probs.dtype))
        term1 = n * self._categorical.entropy() - lgamma(n + 1)
        support = self._binomial.enumerate_support(expand=False)[1:]
        binomial_probs = self._binomial.log_prob(support).exp()
        weights = lgamma(support + 1)
        term2 = (binomial_probs * weights).sum((0, -1))
        return term1 + term2
