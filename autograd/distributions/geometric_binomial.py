"""``Geometric(probs=None, logits=None)`` and ``Binomial(total_count=1, probs=None,
logits=None)``, as ``torch.distributions``'s: ``log_prob`` (differentiable in the
parameters), ``entropy``, ``mean``, ``mode``, ``variance``, ``sample`` (constants: counts
have no reparameterisation), and Binomial's ``enumerate_support``.

PyTorch's parameterisation of the geometric distribution: the number of failures before
the first success, on {0, 1, ...}, P(k) = (1 - p)^k p (``Tensor.geometric_`` instead counts
the trials, on {1, 2, ...})."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._random import as_generator
from ..creation import arange
from ..errors import UnsupportedError, UsageError
from ..functions import where
from ..grad_mode import no_grad
from ..more_functions import lgamma, log1p, softplus
from ..tensor import Tensor
from .constraints import Constraint, integer_interval, nonnegative_integer, real
from .constraints import unit_interval
from .discrete import binary_cross_entropy_with_logits, clamp_probs
from .distribution import Distribution, broadcast_all, lazy_property

__all__ = ["Geometric", "Binomial"]


def _one_of(probs: Any, logits: Any, where_: str) -> None:
    if (probs is None) == (logits is None):
        raise UsageError(f"{where_}: give either probs or logits, not both (PyTorch's "
                         f"'Either `probs` or `logits` must be specified, but not both.')")


class _BinaryParameter(Distribution):
    """The probability of a success as ``probs`` (in [0, 1]) or ``logits`` (real), exactly
    one given; the other computed on first use."""

    _param: Tensor

    @lazy_property
    def logits(self) -> Tensor:
        """log(p) - log(1 - p), of p clamped to [eps, 1 - eps]."""
        p = clamp_probs(self.probs)
        return p.log() - log1p(-p)

    @lazy_property
    def probs(self) -> Tensor:
        """sigmoid(logits)."""
        return self.logits.sigmoid()

    @property
    def param_shape(self) -> tuple[int, ...]:
        """The shape of the parameter given."""
        return self._param.shape


class Geometric(_BinaryParameter):
    """Failures k = 0, 1, ... before the first success, each trial a success with
    probability p = ``probs`` (in (0, 1]) or sigmoid(``logits``): P(k) = (1 - p)^k p."""

    arg_constraints = {"probs": unit_interval, "logits": real}
    support: Constraint = nonnegative_integer

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        _one_of(probs, logits, "Geometric")
        if probs is not None:
            (self.probs,) = broadcast_all(probs, where="Geometric")
            self._param = self.probs
        else:
            (self.logits,) = broadcast_all(logits, where="Geometric")
            self._param = self.logits
        super().__init__(self._param.shape, validate_args=validate_args)
        if self._validate_args and probs is not None and not (self.probs.data > 0).all():
            raise UsageError(f"Geometric: expected parameter probs (Tensor of shape "
                             f"{self.probs.shape}) to be positive (a success must be "
                             f"possible), but found invalid values: "
                             f"{self.probs.data[~(self.probs.data > 0)].ravel()[:5]}")

    @property
    def mean(self) -> Tensor:
        """1 / p - 1."""
        return 1.0 / self.probs - 1.0

    @property
    def mode(self) -> Tensor:
        """0."""
        return self.probs * 0

    @property
    def variance(self) -> Tensor:
        """(1 / p - 1) / p."""
        return (1.0 / self.probs - 1.0) / self.probs

    def sample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """floor(log(u) / log(1 - p)) with u uniform in [tiny, 1), as PyTorch's, of shape
        ``sample_shape + batch_shape`` in the parameter's dtype."""
        shape = self._extended_shape(sample_shape)
        probs = self.probs.data
        tiny = float(np.finfo(probs.dtype).tiny)
        u = as_generator(generator, "Geometric.sample").uniform(tiny, 1.0, shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            drawn = np.floor(np.log(u.astype(probs.dtype)) / np.log1p(-probs))
        return Tensor(drawn.astype(probs.dtype, copy=False))

    def log_prob(self, value: Any) -> Tensor:
        """k log(1 - p) + log(p), with 0 log 0 = 0 (P(0) = 1 when p = 1)."""
        value = self._value(value, self._param.dtype)
        value, probs = broadcast_all(value, self.probs, where="Geometric.log_prob")
        certain = (probs.data == 1) & (value.data == 0)
        probs = where(Tensor(certain), np.zeros((), probs.dtype), probs)
        return value * log1p(-probs) + self.probs.log()

    def entropy(self) -> Tensor:
        """-(p log p + (1 - p) log(1 - p)) / p."""
        return binary_cross_entropy_with_logits(self.logits, self.probs) / self.probs


class Binomial(_BinaryParameter):
    """Successes k = 0, ..., n in n = ``total_count`` trials (a whole number >= 0), each
    a success with probability p = ``probs`` or sigmoid(``logits``), exactly one given:
    P(k) = n! / (k! (n - k)!) p^k (1 - p)^(n - k)."""

    arg_constraints = {"total_count": nonnegative_integer, "probs": unit_interval,
                       "logits": real}
    has_enumerate_support = True

    def __init__(self, total_count: Any = 1, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        _one_of(probs, logits, "Binomial")
        if probs is not None:
            self.total_count, self.probs = broadcast_all(total_count, probs, where="Binomial")
            self._param = self.probs
        else:
            self.total_count, self.logits = broadcast_all(total_count, logits,
                                                          where="Binomial")
            self._param = self.logits
        self.total_count = self.total_count.type_as(self._param)
        super().__init__(self._param.shape, validate_args=validate_args)

    @property
    def support(self) -> Constraint:
        """The integers 0, ..., total_count."""
        return integer_interval(0, self.total_count)

    @property
    def mean(self) -> Tensor:
        """n p."""
        return self.total_count * self.probs

    @property
    def mode(self) -> Tensor:
        """floor((n + 1) p), at most n, as PyTorch's clamp(max=n): n itself (n's gradient
        1) only where floor((n + 1) p) exceeds n (p = 1); a tie keeps the floor (gradient
        0), not min's half to each."""
        n = self.total_count
        mode = ((n + 1) * self.probs).floor()
        return where(mode > n, n, mode)

    @property
    def variance(self) -> Tensor:
        """n p (1 - p)."""
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """Binomial counts of shape ``sample_shape + batch_shape`` in the parameter's
        dtype."""
        shape = self._extended_shape(sample_shape)
        rng = as_generator(generator, "Binomial.sample")
        with no_grad():
            n = np.broadcast_to(self.total_count.data, shape).astype(np.int64)
            p = np.broadcast_to(self.probs.data, shape)
            counts = rng.binomial(n, p)  # a Python int for a 0-d batch
            return Tensor(np.asarray(counts, dtype=self._param.dtype))

    def log_prob(self, value: Any) -> Tensor:
        """k logits - n softplus(logits) + lgamma(n + 1) - lgamma(k + 1)
        - lgamma(n - k + 1): k log p + (n - k) log(1 - p) from the logits, stable for p
        near 0 or 1."""
        value = self._value(value, self._param.dtype)
        n, logits = self.total_count, self.logits
        normalisation = n * softplus(logits) - lgamma(n + 1)
        return value * logits - lgamma(value + 1) - lgamma(n - value + 1) - normalisation

    def _one_total_count(self, where_: str) -> int:
        counts = self.total_count.data
        if counts.size and counts.min() != counts.max():
            raise UnsupportedError(f"Binomial.{where_}: inhomogeneous total count not "
                                   f"supported (as PyTorch's); give one total_count, or "
                                   f"one Binomial per total_count")
        return int(counts.max()) if counts.size else 0

    def entropy(self) -> Tensor:
        """-sum_k P(k) log P(k) over k = 0, ..., n (one total_count for the batch)."""
        self._one_total_count("entropy")
        log_prob = self.log_prob(self.enumerate_support(False))
        return -(log_prob.exp() * log_prob).sum(0)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """0, ..., n along axis 0, then ``batch_shape`` (size-1 axes unless ``expand``)."""
        n = self._one_total_count("enumerate_support")
        values = arange(n + 1, dtype=self._param.dtype)
        values = values.reshape((-1,) + (1,) * len(self.batch_shape))
        return values.expand((-1,) + self.batch_shape) if expand else values
