"""``Gamma(concentration, rate)``, ``Beta(concentration1, concentration0)`` and
``Dirichlet(concentration)``, as ``torch.distributions``'s: ``log_prob``, ``entropy``,
``mean``, ``mode``, ``variance`` (differentiable in the parameters and the value),
``sample`` and ``rsample`` (NumPy's gamma draws, from ``generator``).

``rsample`` differentiates a gamma draw x with respect to its concentration at a fixed
quantile (implicit reparameterisation, dx/dalpha = -(dP(alpha, x)/dalpha) / p(x), as
PyTorch's, which approximates that derivative to about 1e-4 where ours is exact to about
1e-8). Dirichlet draws are normalised gamma draws, differentiated through the
normalisation (PyTorch differentiates each coordinate's Beta marginal instead: another
unbiased estimator, so single gradients differ and their expectations agree)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._random import as_generator
from ..errors import ShapeError
from ..function import apply
from ..functions import broadcast_to, stack, where
from ..more_functions import digamma, lgamma
from ..ops.gamma import GammaDraw
from ..special import gammainc, xlogy
from ..tensor import Tensor, as_tensor
from .constraints import Constraint, independent, nonnegative, positive, simplex, unit_interval
from .distribution import Distribution, broadcast_all, sample_shape_of

__all__ = ["Gamma", "Beta", "Dirichlet"]


def standard_gamma(alpha: Tensor, generator: Any, where: str) -> Tensor:
    """Gamma(alpha, 1) draws of alpha's shape, differentiable in alpha (``GammaDraw``); a
    draw that underflowed to 0 becomes the dtype's smallest normal number, as PyTorch's."""
    draws = as_generator(generator, where).standard_gamma(alpha.data)
    tiny = np.finfo(alpha.dtype).tiny
    draws = np.maximum(draws, tiny).astype(alpha.dtype, copy=False)
    return apply(GammaDraw(draws), alpha)


class Gamma(Distribution):
    """The gamma distribution, density p(x) = rate^a x^(a-1) exp(-rate x) / Gamma(a) on
    x >= 0, with ``concentration`` a > 0 and ``rate`` > 0 (numbers or Tensors that
    broadcast together)."""

    arg_constraints = {"concentration": positive, "rate": positive}
    support: Constraint = nonnegative
    has_rsample = True

    def __init__(self, concentration: Any, rate: Any, validate_args: bool | None = None) -> None:
        self.concentration, self.rate = broadcast_all(concentration, rate, where="Gamma")
        super().__init__(self.concentration.shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        """a / rate."""
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        """max((a - 1) / rate, 0)."""
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        """a / rate^2."""
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """Gamma(a, 1) draws divided by rate, of shape ``sample_shape + batch_shape``,
        differentiable in a (implicitly) and in rate."""
        shape = self._extended_shape(sample_shape)
        x = standard_gamma(broadcast_to(self.concentration, shape), generator, "Gamma.sample")
        return x / self.rate

    def log_prob(self, value: Any) -> Tensor:
        """a log(rate) + (a - 1) log(x) - rate x - lgamma(a) (0 log 0 = 0, as PyTorch's)."""
        value = self._value(value, self.rate.dtype)
        a = self.concentration
        return a * self.rate.log() + xlogy(a - 1, value) - self.rate * value - lgamma(a)

    def cdf(self, value: Any) -> Tensor:
        """P(a, rate x), the regularised lower incomplete gamma function."""
        value = self._value(value, self.rate.dtype)
        return gammainc(self.concentration, self.rate * value)

    def entropy(self) -> Tensor:
        """a - log(rate) + lgamma(a) + (1 - a) digamma(a)."""
        a = self.concentration
        return a - self.rate.log() + lgamma(a) + (1 - a) * digamma(a)


class Dirichlet(Distribution):
    """The Dirichlet distribution on the simplex of the last axis, density
    p(x) = Gamma(a_0) / prod_i Gamma(a_i) prod_i x_i^(a_i - 1) with a_0 = sum_i a_i, for
    ``concentration`` a > 0 of shape ``batch_shape + (K,)``."""

    arg_constraints = {"concentration": independent(positive, 1)}
    support: Constraint = simplex
    has_rsample = True

    def __init__(self, concentration: Any, validate_args: bool | None = None) -> None:
        concentration = as_tensor(concentration)
        if concentration.ndim < 1:
            raise ShapeError(f"Dirichlet: concentration must have at least one axis (the "
                             f"categories); got shape {concentration.shape}")
        if not np.issubdtype(concentration.dtype, np.floating):
            concentration = concentration.astype(np.float64)
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:],
                         validate_args=validate_args)

    def _total(self) -> Tensor:
        return self.concentration.sum(-1, keepdim=True)

    @property
    def mean(self) -> Tensor:
        """a / a_0."""
        return self.concentration / self._total()

    @property
    def mode(self) -> Tensor:
        """max(a - 1, 0) normalised to sum to 1, as PyTorch's; where every a_i < 1 (the
        density is unbounded at every corner), the corner of the largest a_i (PyTorch's
        takes the argmax of a row of NaNs: always the first corner)."""
        above = (self.concentration - 1).clamp(min=0)
        a = self.concentration.data
        corner = np.eye(a.shape[-1], dtype=a.dtype)[a.argmax(-1)]
        all_below = (a < 1).all(-1, keepdims=True)
        total = above.sum(-1, keepdim=True)
        safe = above / where(all_below, np.ones((), dtype=a.dtype), total)
        return where(all_below, corner, safe)

    @property
    def variance(self) -> Tensor:
        """a (a_0 - a) / (a_0^2 (a_0 + 1))."""
        total = self._total()
        return self.concentration * (total - self.concentration) / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """Independent Gamma(a_i, 1) draws divided by their sum, differentiable in a."""
        shape = self._extended_shape(sample_shape)
        gammas = standard_gamma(broadcast_to(self.concentration, shape), generator,
                                "Dirichlet.sample")
        return gammas / gammas.sum(-1, keepdim=True)

    def log_prob(self, value: Any) -> Tensor:
        """sum_i (a_i - 1) log x_i + lgamma(a_0) - sum_i lgamma(a_i)."""
        value = self._value(value, self.concentration.dtype)
        a = self.concentration
        return xlogy(a - 1, value).sum(-1) + lgamma(a.sum(-1)) - lgamma(a).sum(-1)

    def entropy(self) -> Tensor:
        """sum_i lgamma(a_i) - lgamma(a_0) - (K - a_0) digamma(a_0)
        - sum_i (a_i - 1) digamma(a_i)."""
        a = self.concentration
        k, total = a.shape[-1], a.sum(-1)
        return (lgamma(a).sum(-1) - lgamma(total) - (k - total) * digamma(total)
                - ((a - 1) * digamma(a)).sum(-1))


class Beta(Distribution):
    """The beta distribution on (0, 1), density
    x^(c1 - 1) (1 - x)^(c0 - 1) Gamma(c1 + c0) / (Gamma(c1) Gamma(c0)): a Dirichlet of
    (c1, c0) read at (x, 1 - x)."""

    arg_constraints = {"concentration1": positive, "concentration0": positive}
    support: Constraint = unit_interval
    has_rsample = True

    def __init__(self, concentration1: Any, concentration0: Any,
                 validate_args: bool | None = None) -> None:
        self.concentration1, self.concentration0 = broadcast_all(
            concentration1, concentration0, where="Beta")
        self._dirichlet = Dirichlet(stack([self.concentration1, self.concentration0], -1),
                                    validate_args=False)
        super().__init__(self.concentration1.shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "Beta":
        """The same distribution over ``batch_shape`` (the concentrations broadcast)."""
        shape = sample_shape_of(batch_shape, "Beta.expand", "batch_shape", "expand((64, 2))")
        return self._expanded(Beta, _instance, broadcast_to(self.concentration1, shape),
                              broadcast_to(self.concentration0, shape))

    @property
    def mean(self) -> Tensor:
        """c1 / (c1 + c0)."""
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self) -> Tensor:
        """(c1 - 1) / (c1 + c0 - 2)."""
        return self._dirichlet.mode[..., 0]

    @property
    def variance(self) -> Tensor:
        """c1 c0 / ((c1 + c0)^2 (c1 + c0 + 1))."""
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """The first coordinate of a Dirichlet(c1, c0) draw."""
        return self._dirichlet.rsample(sample_shape, generator=generator)[..., 0]

    def log_prob(self, value: Any) -> Tensor:
        """The Dirichlet's log density at (x, 1 - x)."""
        value = self._value(value, self.concentration1.dtype)
        return self._dirichlet.log_prob(stack([value, 1 - value], -1))

    def entropy(self) -> Tensor:
        """The Dirichlet's entropy at (c1, c0)."""
        return self._dirichlet.entropy()
