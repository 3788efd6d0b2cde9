"""The log-gamma function and its derivatives as ops: ``Lgamma`` (ln|Gamma(x)|, PyTorch's
``lgamma``, SciPy's ``gammaln``), ``Digamma`` (its derivative psi), ``Trigamma`` (psi',
the second) and ``Tetragamma`` (psi'', the third), computed by ``autograd.gamma_arrays``.
Each VJP applies the next one, and psi''' is 6 zeta(4, x) (the Hurwitz zeta op of
``special_values``, differentiable in x), so lgamma is differentiable any number of
times. ``GammaDraw`` passes given Gamma(alpha, 1) draws on with their
implicit-reparameterisation gradient dx/dalpha (``Gamma.rsample``'s);
``RegularizedGammaP`` is P(a, x), the Gamma(a, 1) CDF (``EdgeDensity`` gives its
recorded density a NaN slope at x <= 0, where P has no second derivative in x).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import gamma_arrays
from ..errors import UnsupportedError
from ..function import Function, apply
from .arithmetic import broadcasting
from .generic import constant, exp, is_tensor, log, where
from .special_values import zeta
from .trig import either

__all__ = ["Lgamma", "Digamma", "Trigamma", "Tetragamma", "GammaDraw", "RegularizedGammaP",
           "EdgeDensity"]


class Tetragamma(Function):
    """out = psi''(x) = d^3 ln Gamma(x) / dx^3;  dx = g psi'''(x) = g 6 zeta(4, x) (the
    Hurwitz zeta op, itself differentiable in x: psi^(n) = (-1)^(n+1) n! zeta(n + 1, x))."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return gamma_arrays.tetragamma(x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g * 6.0 * zeta(np.asarray(4.0, dtype=constant(x).dtype), x),)


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
    """out = P(a, x) = gamma(a, x) / Gamma(a);  dx = g x^(a-1) e^(-x) / Gamma(a),
    PyTorch's formula: NaN for x < 0 (as P), inf at x = 0 for a < 1; but 1 at x = 0 for
    a = 1 and 0 at x = inf (the limits, where the formula gives 0 * -inf and inf - inf).
    Recorded (create_graph), the density is built from recorded ops for 0 < x < inf, so
    P differentiates again in x, as PyTorch's: d/dx density = density ((a - 1) / x - 1),
    NaN at x <= 0 (PyTorch's too) and 0 at x = inf.
    The derivative in a is not implemented (nor is PyTorch's)."""
    __slots__ = ()

    def forward(self, a: np.ndarray, x: np.ndarray) -> np.ndarray:
        return broadcasting("igamma", gamma_arrays.regularized_gamma_p, a, x)

    def vjp(self, g: Any, out: Any, a: Any, x: Any) -> tuple:
        if self.needs_input_grad[0]:
            raise UnsupportedError("gammainc(a, x): the derivative in a is not implemented "
                                   "(PyTorch's neither); detach a, or differentiate in x")
        a, given_x, x = constant(a), x, constant(x)  # given_x: a Tensor when recorded
        with np.errstate(divide="ignore", invalid="ignore", under="ignore", over="ignore"):
            power = np.where(a == 1, 0.0, (a - 1) * np.log(x))  # ln x^(a-1), 0 for a = 1
            density = np.exp(power - x - gamma_arrays.lgamma(a))
        density = np.select([x == np.inf, x < 0], [0.0, np.nan],  # (a = 1: e^-x at x < 0)
                            density).astype(x.dtype, copy=False)
        if is_tensor(given_x):  # recorded: a density that differentiates in x
            density = _recorded_density(a, given_x, density)
        return (None, g * density)


def _recorded_density(a: np.ndarray, x: Any, density: np.ndarray) -> Any:
    """x^(a-1) e^(-x) / Gamma(a) = exp((a - 1) ln x - x - ln Gamma(a)) from recorded ops
    of the Tensor x where 0 < x < inf; elsewhere the constant ``density`` with the slope
    ``EdgeDensity`` gives it: NaN at x <= 0 (and NaN), where P has no second derivative
    in x (one-sided -1, inf, 1 or 0 at x = 0 by a; PyTorch's NaN), 0 at x = inf."""
    values = constant(x)
    inside = (values > 0) & (values < np.inf)
    safe = where(inside, x, 1.0)  # outside: a point where every part is finite
    recorded = exp((a - 1) * log(safe) - safe - gamma_arrays.lgamma(a))
    slope = np.where(values > 0, 0.0, np.nan).astype(values.dtype)  # (NaN x too)
    return where(inside, recorded, apply(EdgeDensity(density, slope), x))


class EdgeDensity(Function):
    """out = ``values`` (the density at the edges x = 0, inf, below 0, NaN, given), its
    derivative ``slope`` given too:  dx = g slope (NaN where the derivative is undefined,
    not a constant's silent 0); recorded, the slope is this op again (values = slope), so
    every higher derivative is NaN there too."""
    __slots__ = ("values", "slope")
    save_inputs = False

    def __init__(self, values: np.ndarray, slope: np.ndarray) -> None:
        self.values, self.slope = values, slope

    def forward(self, x: np.ndarray) -> np.ndarray:
        return self.values

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        if is_tensor(x):
            return (g * apply(EdgeDensity(self.slope, self.slope), x),)
        return (g * self.slope,)
