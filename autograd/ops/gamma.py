"""The log-gamma function and its derivatives as ops: ``Lgamma`` (ln|Gamma(x)|, PyTorch's
``lgamma``, SciPy's ``gammaln``), ``Digamma`` (its derivative psi), ``Trigamma`` (psi',
the second) and ``Tetragamma`` (psi'', the third), computed by ``autograd.gamma_arrays``.
Each VJP applies the next one, so lgamma is differentiable three times. ``GammaDraw``
passes given Gamma(alpha, 1) draws on with their implicit-reparameterisation gradient
dx/dalpha (``Gamma.rsample``'s); ``RegularizedGammaP`` is P(a, x), the Gamma(a, 1) CDF.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import gamma_arrays
from ..errors import UnsupportedError
from ..function import Function
from .generic import constant
from .trig import either

__all__ = ["Lgamma", "Digamma", "Trigamma", "Tetragamma", "GammaDraw", "RegularizedGammaP"]


class Tetragamma(Function):
    """out = psi''(x) = d^3 ln Gamma(x) / dx^3 (its own derivative is not implemented)."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return gamma_arrays.tetragamma(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        raise UnsupportedError("the derivative of psi'' (a fourth derivative of lgamma, "
                               "the third of digamma) is not implemented; stop one order "
                               "earlier, or difference it numerically")


class Trigamma(Function):
    """out = psi'(x) = d^2 ln Gamma(x) / dx^2;  dx = g psi''(x)."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return gamma_arrays.trigamma(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g * _tetragamma(x),)


class Digamma(Function):
    """out = psi(x) = d ln Gamma(x) / dx;  dx = g psi'(x)."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return gamma_arrays.digamma(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g * _trigamma(x),)


class Lgamma(Function):
    """out = ln|Gamma(x)|;  dx = g psi(x)."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return gamma_arrays.lgamma(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g * _digamma(x),)


_tetragamma = either(Tetragamma, gamma_arrays.tetragamma)
_trigamma = either(Trigamma, gamma_arrays.trigamma)
_digamma = either(Digamma, gamma_arrays.digamma)


class GammaDraw(Function):
    """out = ``draws``, Gamma(alpha, 1) draws of alpha's shape and dtype, made outside;
    dalpha = g dx/dalpha, the draw's derivative at a fixed quantile
    (``gamma_arrays.standard_gamma_grad``). That derivative is a constant here: a second
    derivative through it is not taken."""
    __slots__ = ("draws",)

    def __init__(self, draws: np.ndarray) -> None:
        self.draws = draws

    def forward(self, alpha: np.ndarray) -> np.ndarray:
        return self.draws

    def vjp(self, g: Any, out: Any, alpha: Any) -> tuple:
        return (g * gamma_arrays.standard_gamma_grad(constant(alpha), self.draws),)


class RegularizedGammaP(Function):
    """out = P(a, x) = gamma(a, x) / Gamma(a);  dx = g x^(a-1) e^(-x) / Gamma(a) (a constant:
    no second derivative through it). The derivative in a is not implemented (nor is
    PyTorch's)."""
    __slots__ = ()

    def forward(self, a: np.ndarray, x: np.ndarray) -> np.ndarray:
        return gamma_arrays.regularized_gamma_p(a, x)

    def vjp(self, g: Any, out: Any, a: Any, x: Any) -> tuple:
        if self.needs_input_grad[0]:
            raise UnsupportedError("gammainc(a, x): the derivative in a is not implemented "
                                   "(PyTorch's neither); detach a, or differentiate in x")
        a, x = constant(a), constant(x)
        with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
            log_density = (a - 1) * np.log(np.where(x > 0, x, 1.0)) - x - gamma_arrays.lgamma(a)
            density = np.where(x > 0, np.exp(log_density), 0.0).astype(x.dtype, copy=False)
        return (None, g * density)
