"""Distributions built from others, as ``torch.distributions``'s: ``Independent(base, n)``
reads the last ``n`` batch axes of ``base`` as event axes (a diagonal Gaussian on vectors:
``Independent(Normal(mu, sigma), 1)``), and ``MixtureSameFamily(Categorical, components)``
mixes the components along their last batch axis (a mixture density network's output)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ShapeError, UsageError
from ..functions import log_softmax
from ..more_functions import take_along_axis
from ..tensor import Tensor
from .constraints import Constraint, independent
from .discrete import Categorical
from .distribution import Distribution, draw_from, sample_shape_of

__all__ = ["Independent", "MixtureSameFamily", "sum_rightmost"]


def sum_rightmost(value: Tensor, dim: int) -> Tensor:
    """``value`` summed over its last ``dim`` axes (itself for dim 0)."""
    return value.sum(tuple(range(-dim, 0))) if dim > 0 else value


class Independent(Distribution):
    """``base_distribution`` with its last ``reinterpreted_batch_ndims`` batch axes read as
    event axes: log p(x) = sum of the base's log p over them, and the same for entropy."""

    arg_constraints: dict[str, Constraint] = {}

    def __init__(self, base_distribution: Distribution, reinterpreted_batch_ndims: int,
                 validate_args: bool | None = None) -> None:
        if not isinstance(base_distribution, Distribution):
            raise UsageError(f"Independent: base_distribution must be a Distribution, as "
                             f"Independent(Normal(mu, sigma), 1); got "
                             f"{type(base_distribution).__name__}")
        n = reinterpreted_batch_ndims
        shape = tuple(base_distribution.batch_shape) + tuple(base_distribution.event_shape)
        event_dim = n + len(base_distribution.event_shape)
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0 \
                or n > len(base_distribution.batch_shape):
            raise ShapeError(f"Independent: expected 0 <= reinterpreted_batch_ndims <= "
                             f"len(base_distribution.batch_shape) = "
                             f"{len(base_distribution.batch_shape)}, got {n!r}")
        self.base_dist = base_distribution
        self.reinterpreted_batch_ndims = int(n)
        cut = len(shape) - event_dim
        super().__init__(shape[:cut], shape[cut:], validate_args=validate_args)

    @property
    def has_rsample(self) -> bool:  # type: ignore[override]
        """The base's."""
        return self.base_dist.has_rsample

    @property
    def has_enumerate_support(self) -> bool:  # type: ignore[override]
        """False when axes are reinterpreted (their joint support is not enumerated)."""
        return self.reinterpreted_batch_ndims == 0 and self.base_dist.has_enumerate_support

    @property
    def support(self) -> Constraint:
        """The base's support on every element of an event."""
        support = self.base_dist.support
        n = self.reinterpreted_batch_ndims
        return independent(support, n) if n else support

    def expand(self, batch_shape: Any, _instance: Any = None) -> "Independent":
        """The base expanded to ``batch_shape`` + the reinterpreted axes; a subclass's
        ``expand`` passes ``_instance`` (its ``_get_checked_instance``) to be filled."""
        shape = sample_shape_of(batch_shape, "Independent.expand", "batch_shape",
                                "expand((64,))")
        moved = self._event_shape[:self.reinterpreted_batch_ndims]
        return self._expanded(Independent, _instance, self.base_dist.expand(shape + moved),
                              self.reinterpreted_batch_ndims)

    @property
    def mean(self) -> Tensor:
        """The base's."""
        return self.base_dist.mean

    @property
    def mode(self) -> Tensor:
        """The base's."""
        return self.base_dist.mode

    @property
    def variance(self) -> Tensor:
        """The base's (per element)."""
        return self.base_dist.variance

    def sample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """The base's draw."""
        return draw_from(self.base_dist.sample, sample_shape, generator)

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """The base's reparameterised draw."""
        return draw_from(self.base_dist.rsample, sample_shape, generator)

    def log_prob(self, value: Any) -> Tensor:
        """The base's log p summed over the reinterpreted axes."""
        return sum_rightmost(self.base_dist.log_prob(value), self.reinterpreted_batch_ndims)

    def entropy(self) -> Tensor:
        """The base's entropy summed over the reinterpreted axes."""
        return sum_rightmost(self.base_dist.entropy(), self.reinterpreted_batch_ndims)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """The base's, when no axis is reinterpreted."""
        if self.reinterpreted_batch_ndims > 0:
            raise self._missing("enumerate_support (of reinterpreted axes)")
        return self.base_dist.enumerate_support(expand)

    def __repr__(self) -> str:
        return f"Independent({self.base_dist!r}, {self.reinterpreted_batch_ndims})"


class MixtureSameFamily(Distribution):
    """p(x) = sum_k pi_k p_k(x): ``mixture_distribution`` a ``Categorical`` of K weights
    pi (batch shape B), ``component_distribution`` K distributions of one family along its
    last batch axis (batch shape B + (K,)). No ``rsample`` (the choice of a component is
    discrete), as PyTorch."""

    arg_constraints: dict[str, Constraint] = {}
    has_rsample = False

    def __init__(self, mixture_distribution: Categorical,
                 component_distribution: Distribution,
                 validate_args: bool | None = None) -> None:
        if not isinstance(mixture_distribution, Categorical):
            raise UsageError(f"MixtureSameFamily: the mixture distribution must be a "
                             f"Categorical (of the mixture weights); got "
                             f"{type(mixture_distribution).__name__}")
        if not isinstance(component_distribution, Distribution):
            raise UsageError(f"MixtureSameFamily: the component distribution must be a "
                             f"Distribution, as Normal(mu, sigma) or "
                             f"Independent(Normal(mu, sigma), 1); got "
                             f"{type(component_distribution).__name__}")
        mix_batch = tuple(mixture_distribution.batch_shape)
        comp_batch = tuple(component_distribution.batch_shape)
        if len(comp_batch) < 1:
            raise ShapeError("MixtureSameFamily: the component distribution needs a batch "
                             "axis (its last) holding the K components; its batch_shape is ()")
        K = mixture_distribution.probs.shape[-1]
        if comp_batch[-1] != K:
            raise ShapeError(f"MixtureSameFamily: the mixture has {K} components but the "
                             f"component distribution's last batch axis has "
                             f"{comp_batch[-1]} (batch_shape {comp_batch})")
        for m, c in zip(reversed(mix_batch), reversed(comp_batch[:-1])):
            if m != 1 and c != 1 and m != c:
                raise ShapeError(f"MixtureSameFamily: the mixture's batch_shape {mix_batch} "
                                 f"is not compatible with the components' batch_shape "
                                 f"{comp_batch[:-1]} (+ the K axis)")
        self._mixture_distribution = mixture_distribution
        self._component_distribution = component_distribution
        self._num_component = K
        self._event_ndims = len(component_distribution.event_shape)
        super().__init__(comp_batch[:-1], tuple(component_distribution.event_shape),
                         validate_args=validate_args)

    @property
    def mixture_distribution(self) -> Categorical:
        """The Categorical of the weights."""
        return self._mixture_distribution

    @property
    def component_distribution(self) -> Distribution:
        """The K components along the last batch axis."""
        return self._component_distribution

    @property
    def support(self) -> Constraint:
        """The components' support."""
        return self._component_distribution.support

    def expand(self, batch_shape: Any, _instance: Any = None) -> "MixtureSameFamily":
        """Mixture and components expanded to ``batch_shape`` (+ K)."""
        shape = sample_shape_of(batch_shape, "MixtureSameFamily.expand", "batch_shape",
                                "expand((64,))")
        components = self._component_distribution.expand(shape + (self._num_component,))
        return self._expanded(MixtureSameFamily, _instance,
                              self._mixture_distribution.expand(shape), components)

    def _weights(self) -> Tensor:
        """pi with an axis of 1 per event axis, to multiply the components' moments."""
        probs = self._mixture_distribution.probs
        return probs.reshape(probs.shape + (1,) * self._event_ndims)

    @property
    def mean(self) -> Tensor:
        """sum_k pi_k mean_k."""
        axis = -1 - self._event_ndims
        return (self._weights() * self._component_distribution.mean).sum(axis)

    @property
    def variance(self) -> Tensor:
        """sum_k pi_k var_k + sum_k pi_k (mean_k - mean)^2 (the law of total variance)."""
        axis = -1 - self._event_ndims
        pi, comp = self._weights(), self._component_distribution
        mean = self.mean.unsqueeze(axis)
        return (pi * comp.variance).sum(axis) + (pi * (comp.mean - mean).pow(2)).sum(axis)

    def log_prob(self, value: Any) -> Tensor:
        """logsumexp_k (log pi_k + log p_k(value))."""
        if self._validate_args:
            value = self._value(value, None)
        value = value if isinstance(value, Tensor) else Tensor(np.asarray(value))
        value = value.unsqueeze(-1 - self._event_ndims)
        log_prob_x = self._component_distribution.log_prob(value)
        log_mix_prob = log_softmax(self._mixture_distribution.logits, -1)
        return (log_prob_x + log_mix_prob).logsumexp(-1)

    def cdf(self, value: Any) -> Tensor:
        """F(x) = sum_k pi_k F_k(x), of components that have a ``cdf``."""
        if self._validate_args:
            value = self._value(value, None)
        value = value if isinstance(value, Tensor) else Tensor(np.asarray(value))
        cdf_x = self._component_distribution.cdf(value.unsqueeze(-1 - self._event_ndims))
        return (cdf_x * self._mixture_distribution.probs).sum(-1)

    def sample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """A component drawn from pi, then a value from it (no gradient)."""
        shape = sample_shape_of(sample_shape, "MixtureSameFamily.sample")
        which = draw_from(self._mixture_distribution.sample, shape, generator)
        drawn = draw_from(self._component_distribution.sample, shape, generator)
        index = which.data.reshape(which.shape + (1,) * (self._event_ndims + 1))
        index = np.broadcast_to(index, which.shape + (1,) + self._event_shape)
        axis = -1 - self._event_ndims
        return take_along_axis(drawn, Tensor(index), axis).squeeze(axis)

    def __repr__(self) -> str:
        return (f"MixtureSameFamily(\n  {self._mixture_distribution!r},\n  "
                f"{self._component_distribution!r})")
