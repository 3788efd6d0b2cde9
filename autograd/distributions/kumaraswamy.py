"""The Kumaraswamy distribution (PyTorch's ``torch.distributions.kumaraswamy`` path): a
Beta-like law on (0, 1) whose cdf inverts in closed form, so its draws are
reparameterised: a bounded policy's actions, a stick-breaking weight."""

from __future__ import annotations

from typing import Any

from ..functions import exp, log, where
from ..more_functions import digamma, lgamma
from ..tensor import Tensor
from .constraints import Constraint, positive, unit_interval
from .continuous import Uniform
from .distribution import broadcast_all, sample_shape_of
from .gumbel_half_normal import EULER_GAMMA
from .transformed import TransformedDistribution
from .transforms import AffineTransform, PowerTransform

__all__ = ["Kumaraswamy"]


def _moment(a: Tensor, b: Tensor, n: int) -> Tensor:
    """E[X^n] = b B(1 + n / a, b) = b Gamma(1 + n/a) Gamma(b) / Gamma(1 + n/a + b)."""
    first = 1 + n / a
    return b * exp(lgamma(first) + lgamma(b) - lgamma(first + b))


class Kumaraswamy(TransformedDistribution):
    """Density p(x) = a b x^(a-1) (1 - x^a)^(b-1) on (0, 1), cdf 1 - (1 - x^a)^b, with
    a = ``concentration1`` and b = ``concentration0``; X = (1 - U^(1/b))^(1/a) for
    U ~ Uniform(0, 1) (PyTorch's transforms: U^(1/b), 1 - ., .^(1/a))."""

    arg_constraints: dict[str, Constraint] = {"concentration1": positive,
                                              "concentration0": positive}
    support = unit_interval
    has_rsample = True

    def __init__(self, concentration1: Any, concentration0: Any,
                 validate_args: bool | None = None) -> None:
        self.concentration1, self.concentration0 = broadcast_all(
            concentration1, concentration0, where="Kumaraswamy")
        zeros = self.concentration0.detach() * 0
        base = Uniform(zeros, zeros + 1, validate_args=validate_args)
        transforms = [PowerTransform(self.concentration0.reciprocal()),
                      AffineTransform(1.0, -1.0),
                      PowerTransform(self.concentration1.reciprocal())]
        super().__init__(base, transforms, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "Kumaraswamy":
        """The same law with both concentrations broadcast to ``batch_shape``."""
        shape = sample_shape_of(batch_shape, "Kumaraswamy.expand", "batch_shape",
                                "expand((64,))")
        return self._expanded(Kumaraswamy, _instance, self.concentration1.expand(shape),
                              self.concentration0.expand(shape))

    @property
    def mean(self) -> Tensor:
        """b B(1 + 1/a, b)."""
        return _moment(self.concentration1, self.concentration0, 1)

    @property
    def mode(self) -> Tensor:
        """((a - 1) / (a b - 1))^(1/a) for a, b >= 1 (not both 1); NaN otherwise (no
        interior maximum). PyTorch's formula gives NaN for every a, b."""
        a, b = self.concentration1, self.concentration0
        log_mode = (log(a - 1) - log(a * b - 1)) / a
        return where((a >= 1) & (b >= 1), exp(log_mode), float("nan"))

    @property
    def variance(self) -> Tensor:
        """E[X^2] - E[X]^2."""
        return _moment(self.concentration1, self.concentration0, 2) - self.mean ** 2

    def entropy(self) -> Tensor:
        """(1 - 1/b) + (1 - 1/a) H_b - log a - log b, H_b = digamma(b + 1) + gamma."""
        a, b = self.concentration1, self.concentration0
        harmonic = digamma(b + 1) + EULER_GAMMA
        return (1 - b.reciprocal()) + (1 - a.reciprocal()) * harmonic - log(a) - log(b)

    def __repr__(self) -> str:
        return (f"Kumaraswamy(concentration1: {self.concentration1!r}, "
                f"concentration0: {self.concentration0!r})")


