"""The log-gamma function and its derivatives as ops: ``Lgamma`` (ln|Gamma(x)|, PyTorch's
``lgamma``, SciPy's ``gammaln``), ``Digamma`` (its derivative psi) and ``Trigamma`` (psi',
the second derivative), computed by ``autograd.gamma_arrays``. Each VJP applies the
next one, so the second derivative of lgamma is differentiable too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import gamma_arrays
from ..errors import UnsupportedError
from ..function import Function
from .trig import either

__all__ = ["Lgamma", "Digamma", "Trigamma"]


class Trigamma(Function):
    """out = psi'(x) = d^2 ln Gamma(x) / dx^2 (its own derivative is not implemented)."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return gamma_arrays.trigamma(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        raise UnsupportedError("the derivative of trigamma (a third derivative of lgamma, "
                               "the second of digamma) is not implemented; stop one order "
                               "earlier, or difference trigamma numerically")


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


_trigamma = either(Trigamma, gamma_arrays.trigamma)
_digamma = either(Digamma, gamma_arrays.digamma)
