"""``FisherSnedecor(df1, df2)``, the F distribution (PyTorch's
``torch.distributions.fishersnedecor`` path): the ratio of two scaled chi-squares, so its
draws are reparameterised through the Gamma draws (implicitly in the degrees of freedom)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..functions import log, where
from ..more_functions import lgamma, log1p
from ..tensor import Tensor
from .constraints import Constraint, positive
from .distribution import Distribution, broadcast_all, sample_shape_of
from .gamma import Gamma

__all__ = ["FisherSnedecor"]


def _nan_unless(condition: np.ndarray, value: Tensor) -> Tensor:
    """``value`` where ``condition`` holds, NaN elsewhere (no gradient there)."""
    return where(condition, value, np.array(np.nan, value.dtype))


class FisherSnedecor(Distribution):
    """X = (U1 / d1) / (U2 / d2) for U_i ~ chi^2(d_i), density
    p(x) = (d1 / d2)^(d1/2) x^(d1/2 - 1) (1 + d1 x / d2)^(-(d1 + d2)/2) / B(d1/2, d2/2)
    on x > 0."""

    arg_constraints: dict[str, Constraint] = {"df1": positive, "df2": positive}
    support = positive
    has_rsample = True

    def __init__(self, df1: Any, df2: Any, validate_args: bool | None = None) -> None:
        self.df1, self.df2 = broadcast_all(df1, df2, where="FisherSnedecor")
        self._gamma1 = Gamma(self.df1 * 0.5, self.df1, validate_args=False)  # chi^2(d1) / d1
        self._gamma2 = Gamma(self.df2 * 0.5, self.df2, validate_args=False)
        super().__init__(self.df1.shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "FisherSnedecor":
        """The same law with both degrees of freedom broadcast to ``batch_shape``."""
        shape = sample_shape_of(batch_shape, "FisherSnedecor.expand", "batch_shape",
                                "expand((64,))")
        return self._expanded(FisherSnedecor, _instance, self.df1.expand(shape),
                              self.df2.expand(shape))

    @property
    def mean(self) -> Tensor:
        """d2 / (d2 - 2) for d2 > 2, NaN otherwise (as PyTorch's)."""
        d2 = self.df2
        return _nan_unless(d2.data > 2, d2 / (d2 - 2))

    @property
    def mode(self) -> Tensor:
        """(d1 - 2) / d1 * d2 / (d2 + 2) for d1 > 2, NaN otherwise."""
        d1, d2 = self.df1, self.df2
        return _nan_unless(d1.data > 2, (d1 - 2) / d1 * d2 / (d2 + 2))

    @property
    def variance(self) -> Tensor:
        """2 d2^2 (d1 + d2 - 2) / (d1 (d2 - 2)^2 (d2 - 4)) for d2 > 4, NaN otherwise."""
        d1, d2 = self.df1, self.df2
        value = 2 * d2.pow(2) * (d1 + d2 - 2) / (d1 * (d2 - 2).pow(2) * (d2 - 4))
        return _nan_unless(d2.data > 4, value)

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """Gamma(d1/2, d1) / Gamma(d2/2, d2) draws, both kept at least the smallest
        positive float (as PyTorch's), of shape ``sample_shape + batch_shape``."""
        tiny = float(np.finfo(self.df1.dtype).tiny)
        x1 = self._gamma1.rsample(sample_shape, generator=generator)
        x2 = self._gamma2.rsample(sample_shape, generator=generator).clamp(min=tiny)
        return (x1 / x2).clamp(min=tiny)

    def log_prob(self, value: Any) -> Tensor:
        """lgamma((d1 + d2)/2) - lgamma(d1/2) - lgamma(d2/2) + (d1/2) log(d1/d2)
        + (d1/2 - 1) log x - ((d1 + d2)/2) log(1 + d1 x / d2)."""
        value = self._value(value, self.df1.dtype)
        half1, half2, ratio = self.df1 * 0.5, self.df2 * 0.5, self.df1 / self.df2
        log_beta = lgamma(half1) + lgamma(half2) - lgamma(half1 + half2)
        return (half1 * log(ratio) + (half1 - 1) * log(value)
                - (half1 + half2) * log1p(ratio * value) - log_beta)

    def __repr__(self) -> str:
        return f"FisherSnedecor(df1: {self.df1!r}, df2: {self.df2!r})"
