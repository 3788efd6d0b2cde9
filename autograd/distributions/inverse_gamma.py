"""``InverseGamma(concentration, rate)`` (PyTorch's ``torch.distributions.inverse_gamma``
path): the law of 1 / X for X ~ Gamma(concentration, rate), PyTorch's construction (a
TransformedDistribution through x^-1), the conjugate prior of a Normal's variance. Draws
are reparameterised as the Gamma's (implicitly in the concentration)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..functions import where
from ..more_functions import digamma, lgamma
from ..tensor import Tensor
from .constraints import Constraint, positive
from .distribution import sample_shape_of
from .gamma import Gamma
from .transformed import TransformedDistribution
from .transforms import PowerTransform

__all__ = ["InverseGamma"]


class InverseGamma(TransformedDistribution):
    """Density b^a x^(-a-1) exp(-b / x) / Gamma(a) on x > 0, a = ``concentration``,
    b = ``rate`` (the Gamma's rate: the inverse-gamma's scale)."""

    arg_constraints: dict[str, Constraint] = {"concentration": positive, "rate": positive}
    support = positive
    has_rsample = True

    def __init__(self, concentration: Any, rate: Any, validate_args: bool | None = None) -> None:
        base = Gamma(concentration, rate, validate_args=validate_args)
        super().__init__(base, PowerTransform(-1.0), validate_args=validate_args)

    @property
    def concentration(self) -> Tensor:
        """a, the base Gamma's."""
        return self.base_dist.concentration

    @property
    def rate(self) -> Tensor:
        """b, the base Gamma's."""
        return self.base_dist.rate

    def expand(self, batch_shape: Any, _instance: Any = None) -> "InverseGamma":
        """The same law with both parameters broadcast to ``batch_shape``."""
        shape = sample_shape_of(batch_shape, "InverseGamma.expand", "batch_shape",
                                "expand((64,))")
        return self._expanded(InverseGamma, _instance, self.concentration.expand(shape),
                              self.rate.expand(shape))

    @property
    def mean(self) -> Tensor:
        """b / (a - 1) for a > 1, inf otherwise."""
        a = self.concentration
        return where(a.data > 1, self.rate / (a - 1), np.array(np.inf, a.dtype))

    @property
    def mode(self) -> Tensor:
        """b / (a + 1)."""
        return self.rate / (self.concentration + 1)

    @property
    def variance(self) -> Tensor:
        """b^2 / ((a - 1)^2 (a - 2)) for a > 2, inf otherwise."""
        a = self.concentration
        value = self.rate.pow(2) / ((a - 1).pow(2) * (a - 2))
        return where(a.data > 2, value, np.array(np.inf, a.dtype))

    def entropy(self) -> Tensor:
        """a + log b + lgamma(a) - (1 + a) digamma(a)."""
        a = self.concentration
        return a + self.rate.log() + lgamma(a) - (1 + a) * digamma(a)

    def __repr__(self) -> str:
        return f"InverseGamma(concentration: {self.concentration!r}, rate: {self.rate!r})"
