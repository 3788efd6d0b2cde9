"""``Bernoulli`` and ``Categorical``, as ``torch.distributions``'s: each takes ``probs``
or ``logits`` (exactly one) and computes the other on first use; draws are constants
(``sample`` only: no reparameterisation for discrete values), and the score-function
gradient goes through ``log_prob``, as REINFORCE's ``-m.log_prob(action) * R``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._random import as_generator
from ..creation import arange, full
from ..errors import ShapeError, UsageError
from ..functions import broadcast_to, clamp, log, sigmoid, softmax
from ..grad_mode import no_grad
from ..more_functions import log1p, softplus, take_along_axis
from ..sampling import bernoulli, multinomial
from ..tensor import Tensor, as_tensor
from .constraints import (Constraint, boolean, integer_interval, real, real_vector, simplex,
                          unit_interval)
from .distribution import Distribution, broadcast_all, lazy_property

__all__ = ["Bernoulli", "Categorical", "binary_cross_entropy_with_logits",
           "clamp_probs"]


def _one_of(probs: Any, logits: Any, where: str) -> None:
    if (probs is None) == (logits is None):
        raise UsageError(f"{where}: give either probs or logits, not both (PyTorch's "
                         f"'Either `probs` or `logits` must be specified, but not both.')")


def clamp_probs(probs: Tensor) -> Tensor:
    """probs clamped to [eps, 1 - eps] (eps the dtype's machine epsilon), so their logs
    are finite."""
    eps = float(np.finfo(probs.dtype).eps)
    return clamp(probs, eps, 1 - eps)


def binary_cross_entropy_with_logits(logits: Tensor, target: Tensor) -> Tensor:
    """-(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))) = (1 - y) x + softplus(-x), per
    element: its gradient is sigmoid(x) - y for x and -x for y."""
    return (1 - target) * logits + softplus(-logits)


class Bernoulli(Distribution):
    """0/1 draws, 1 with probability ``probs`` = sigmoid(``logits``); ``probs`` (in
    [0, 1]) or ``logits`` (real), a number or a Tensor whose shape is the batch shape."""

    arg_constraints = {"probs": unit_interval, "logits": real}
    support = boolean
    has_enumerate_support = True

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        _one_of(probs, logits, "Bernoulli")
        if probs is not None:
            (self.probs,) = broadcast_all(probs, where="Bernoulli")
        else:
            (self.logits,) = broadcast_all(logits, where="Bernoulli")
        self._param = self.probs if probs is not None else self.logits
        super().__init__(self._param.shape, validate_args=validate_args)

    @lazy_property
    def logits(self) -> Tensor:
        """log(p) - log(1 - p), of p clamped to [eps, 1 - eps]."""
        p = clamp_probs(self.probs)
        return log(p) - log1p(-p)

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
        """p."""
        return self.probs

    @property
    def mode(self) -> Tensor:
        """1 where p > 1/2, 0 where p < 1/2, NaN where p = 1/2."""
        p = self.probs.data
        return Tensor(np.where(p == 0.5, np.nan, p >= 0.5).astype(p.dtype))

    @property
    def variance(self) -> Tensor:
        """p (1 - p)."""
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """0s and 1s of shape ``sample_shape + batch_shape`` in the parameter's dtype."""
        shape = self._extended_shape(sample_shape)
        with no_grad():
            return bernoulli(broadcast_to(self.probs.detach(), shape), generator=generator)

    def log_prob(self, value: Any) -> Tensor:
        """value log p + (1 - value) log(1 - p), from the logits (stable)."""
        value = self._value(value, self._param.dtype)
        logits, value = broadcast_all(self.logits, value, where="Bernoulli.log_prob")
        return -binary_cross_entropy_with_logits(logits, value)

    def entropy(self) -> Tensor:
        """-p log p - (1 - p) log(1 - p)."""
        return binary_cross_entropy_with_logits(self.logits, self.probs)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """[0, 1] along axis 0, then ``batch_shape`` (size-1 axes unless ``expand``)."""
        values = arange(2, dtype=self._param.dtype).reshape((-1,) + (1,) * len(self.batch_shape))
        return values.expand((-1,) + self.batch_shape) if expand else values


class Categorical(Distribution):
    """Draws of 0, ..., K-1 with the probabilities of the last axis of ``probs``
    (non-negative, normalised to sum to 1) or ``logits`` (log-probabilities up to a
    constant, normalised by logsumexp); the other axes are the batch."""

    arg_constraints = {"probs": simplex, "logits": real_vector}
    has_enumerate_support = True

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        _one_of(probs, logits, "Categorical")
        name = "probs" if probs is not None else "logits"
        param = as_tensor(probs if probs is not None else logits)
        if param.dtype.kind != "f":
            param = param.astype(np.float64)
        if param.ndim < 1:
            raise ShapeError(f"Categorical: `{name}` must be at least one-dimensional (the "
                             f"last axis holds the K categories); got shape {param.shape}")
        if probs is not None:
            self.probs = param / param.sum(-1, keepdim=True)
        else:
            self.logits = param - param.logsumexp(dim=-1, keepdim=True)
        self._param = self.probs if probs is not None else self.logits
        self._num_events = param.shape[-1]
        super().__init__(param.shape[:-1], validate_args=validate_args)

    @property
    def support(self) -> Constraint:
        """The integers 0, ..., K-1."""
        return integer_interval(0, self._num_events - 1)

    @lazy_property
    def logits(self) -> Tensor:
        """log(probs), of probs clamped to [eps, 1 - eps]."""
        return log(clamp_probs(self.probs))

    @lazy_property
    def probs(self) -> Tensor:
        """softmax(logits) over the last axis."""
        return softmax(self.logits, -1)

    @property
    def param_shape(self) -> tuple[int, ...]:
        """``batch_shape + (K,)``."""
        return self._param.shape

    @property
    def mean(self) -> Tensor:
        """NaN: categories have no order here."""
        return full(self._extended_shape(), np.nan, dtype=self.probs.dtype)

    @property
    def mode(self) -> Tensor:
        """The most likely category (int64)."""
        return self.probs.argmax(-1)

    @property
    def variance(self) -> Tensor:
        """NaN, as ``mean``."""
        return full(self._extended_shape(), np.nan, dtype=self.probs.dtype)

    def sample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """int64 categories of shape ``sample_shape + batch_shape``, drawn with
        ``multinomial`` from each row of probabilities."""
        shape = self._extended_shape(sample_shape)
        count = int(np.prod(shape[:len(shape) - len(self.batch_shape)], dtype=np.int64))
        rows = Tensor(self.probs.data.reshape(-1, self._num_events))
        if count == 0 or rows.shape[0] == 0:
            as_generator(generator, "Categorical.sample")  # still refuses a bad generator
            return Tensor(np.zeros(shape, dtype=np.int64))
        drawn = multinomial(rows, count, True, generator=generator)
        return Tensor(drawn.data.T.reshape(shape))

    def _categories(self, value: Tensor) -> np.ndarray:
        """``value`` as int64 categories, each in 0, ..., K-1 (else ``UsageError``, as
        PyTorch's index check, with or without ``validate_args``: no wrapping around)."""
        data, k = np.asarray(value.data), self._num_events
        with np.errstate(invalid="ignore"):
            whole = np.trunc(data) if data.dtype.kind == "f" else data  # as PyTorch's long()
            outside = ~((whole >= 0) & (whole < k))  # NaN too
        if outside.any():
            raise UsageError(f"{type(self).__name__}.log_prob: a category is one of 0, ..., "
                             f"{k - 1}; got {data[outside].ravel()[:5]}. Give indices in "
                             f"that range (negative ones do not count from the end)")
        return whole.astype(np.int64)

    def log_prob(self, value: Any) -> Tensor:
        """log probs[value], by ``gather`` on the last axis of the logits (``ShapeError``
        for a value whose shape does not broadcast with the batch)."""
        value = self._value(value, None)
        self._check_shape(value)
        value = self._categories(value)[..., None]
        shape = np.broadcast_shapes(value.shape, self.logits.shape)
        index = Tensor(np.broadcast_to(value, shape)[..., :1])
        log_pmf = broadcast_to(self.logits, shape)
        return take_along_axis(log_pmf, index, -1).squeeze(-1)

    def entropy(self) -> Tensor:
        """-sum_k p_k log p_k (log p_k kept above the dtype's most negative value)."""
        min_real = float(np.finfo(self.logits.dtype).min)
        p_log_p = clamp(self.logits, min_real, None) * self.probs
        return -p_log_p.sum(-1)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """0, ..., K-1 (int64) along axis 0, then ``batch_shape`` (size-1 axes unless
        ``expand``)."""
        values = arange(self._num_events).reshape((-1,) + (1,) * len(self.batch_shape))
        return values.expand((-1,) + self.batch_shape) if expand else values

