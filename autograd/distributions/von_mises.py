"""``VonMises(loc, concentration)``, as ``torch.distributions.VonMises``: the circular
normal distribution of an angle, density exp(kappa cos(x - loc)) / (2 pi I0(kappa)), with
``log_prob`` (differentiable in loc, kappa and the value, through ``special.i0e``),
``sample`` (Best and Fisher's rejection sampler in float64, angles in [-pi, pi); not
reparameterised, as PyTorch's), the circular ``mean`` and ``mode`` (loc) and the circular
``variance`` 1 - I1(kappa) / I0(kappa)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._random import as_generator
from ..functions import log
from ..special import i0e, i1e
from ..tensor import Tensor, as_tensor
from .constraints import Constraint, positive, real
from .distribution import Distribution, broadcast_all

__all__ = ["VonMises"]


class VonMises(Distribution):
    """The von Mises distribution of an angle: ``loc`` any real (read modulo 2 pi),
    ``concentration`` kappa > 0."""

    arg_constraints = {"loc": real, "concentration": positive}
    support: Constraint = real
    has_rsample = False

    def __init__(self, loc: Any, concentration: Any,
                 validate_args: bool | None = None) -> None:
        self.loc, self.concentration = broadcast_all(loc, concentration, where="VonMises")
        super().__init__(self.loc.shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        """loc (the circular mean)."""
        return self.loc

    @property
    def mode(self) -> Tensor:
        """loc."""
        return self.loc

    @property
    def variance(self) -> Tensor:
        """1 - I1(kappa) / I0(kappa) (the circular variance)."""
        kappa = self.concentration
        return 1 - i1e(kappa) / i0e(kappa)

    def log_prob(self, value: Any) -> Tensor:
        """kappa cos(x - loc) - log(2 pi) - log I0(kappa), with log I0(kappa) =
        log i0e(kappa) + kappa (finite for large kappa)."""
        value = self._value(value, self.loc.dtype)
        kappa = self.concentration
        return (kappa * (value - self.loc).cos() - math.log(2 * math.pi)
                - (log(i0e(kappa)) + kappa))

    def sample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """Draws of ``sample_shape + batch_shape`` by Best and Fisher's (1979) rejection
        sampler, in float64, then loc added and the angle wrapped into [-pi, pi)."""
        shape = self._extended_shape(sample_shape)
        rng = as_generator(generator, "VonMises.sample")
        kappa = np.broadcast_to(np.asarray(self.concentration.data, np.float64), shape)
        loc = np.broadcast_to(np.asarray(self.loc.data, np.float64), shape)
        tau = 1 + np.sqrt(1 + 4 * kappa ** 2)
        rho = (tau - np.sqrt(2 * tau)) / (2 * kappa)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(kappa < 1e-5, 1 / kappa + kappa, (1 + rho ** 2) / (2 * rho))
        x, done = np.zeros(shape), np.zeros(shape, dtype=bool)
        while not done.all():
            u1, u2, u3 = rng.uniform(size=(3,) + shape)
            z = np.cos(np.pi * u1)
            f = (1 + r * z) / (r + z)
            c = kappa * (r - f)
            with np.errstate(divide="ignore", invalid="ignore"):
                accept = ~done & ((c * (2 - c) - u2 > 0) | (np.log(c / u2) + 1 - c >= 0))
            x = np.where(accept, np.sign(u3 - 0.5) * np.arccos(np.clip(f, -1, 1)), x)
            done |= accept
        angles = (x + np.pi + loc) % (2 * np.pi) - np.pi
        return as_tensor(angles.astype(self.loc.dtype))
