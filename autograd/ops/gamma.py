"""The log-gamma function and its derivatives as ops: ``Lgamma`` (ln|Gamma(x)|, PyTorch's
``lgamma``, SciPy's ``gammaln``), ``Digamma`` (its derivative psi), ``Trigamma`` (psi',
the second) and ``Tetragamma`` (psi'', the third), computed by ``autograd.gamma_arrays``.
Each VJP applies the next one, so lgamma is differentiable three times.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import gamma_arrays
from ..errors import UnsupportedError
from ..function import Function
from .trig import either

__all__ = ["Lgamma", "Digamma", "Trigamma", "Tetragamma"]


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
