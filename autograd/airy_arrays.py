"""The Airy function Ai, the solution of y'' = x y that decays as x -> +inf, on NumPy
float arrays (PyTorch's ``torch.special.airy_ai``).

- x >= 1: Ai(x) = sqrt(x / 3) / pi K_(1/3)(zeta), zeta = 2/3 x^(3/2), with e^zeta K_(1/3)
  from ``autograd.bessel_k_arrays.scaled_k`` (no cancellation: Ai is tiny there).
- -10 <= x < 1: Taylor steps of length <= 1 from Ai(0) = 3^(-2/3) / Gamma(2/3),
  Ai'(0) = -3^(-1/3) / Gamma(1/3), the coefficients of y'' = x y around a being
  c_(k+2) = (a c_k + c_(k-1)) / ((k+2) (k+1)); on this side Ai oscillates, so the steps
  keep their rounding errors small (a single Maclaurin series would lose e^zeta to
  cancellation).
- x < -10: the asymptotic expansion Ai(-z) = (cos(zeta - pi/4) sum_k (-1)^k u_2k
  zeta^-2k + sin(zeta - pi/4) sum_k (-1)^k u_(2k+1) zeta^-(2k+1)) / (sqrt(pi) z^(1/4)),
  u_k = u_(k-1) (6k-5)(6k-3)(6k-1) / ((2k-1) 216 k) (DLMF 9.7.9); with zeta > 21 its terms
  fall below 1e-17 before they grow.
As PyTorch's, Ai is NaN at +-inf and NaN (and 0 from x = 200 on).
"""

from __future__ import annotations

import math

import numpy as np

from .bessel_k_arrays import scaled_k

__all__ = ["airy_ai"]

_AI_0 = 3.0 ** (-2.0 / 3.0) / math.gamma(2.0 / 3.0)
_AI_PRIME_0 = -(3.0 ** (-1.0 / 3.0)) / math.gamma(1.0 / 3.0)
_TAYLOR_TERMS = 40
_ASYMPTOTIC_BELOW = -10.0
_ASYMPTOTIC_TERMS = 16
_UNDERFLOWS_FROM = 200.0  # Ai(x) < e^(-1800) there: 0 in every float


def _decaying(x: np.ndarray) -> np.ndarray:
    """Ai(x) for x >= 1."""
    zeta = 2.0 / 3.0 * x ** 1.5
    with np.errstate(under="ignore"):
        return np.sqrt(x / 3) / math.pi * np.exp(-zeta) * scaled_k(1.0 / 3.0, zeta)


def _taylor_step(a: np.ndarray, h: np.ndarray, y: np.ndarray,
                 dy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(y, y') at a + h from (y, y') at a, for y'' = x y."""
    coefficients = [y, dy, a * y / 2]  # c_0, c_1, c_2
    for k in range(1, _TAYLOR_TERMS):
        coefficients.append((a * coefficients[k] + coefficients[k - 1]) / ((k + 2) * (k + 1)))
    value, slope = np.zeros_like(y), np.zeros_like(y)
    for k in range(len(coefficients) - 1, 0, -1):  # Horner in h
        value = value * h + coefficients[k]
        slope = slope * h + k * coefficients[k]
    return value * h + coefficients[0], slope


def _stepped(x: np.ndarray) -> np.ndarray:
    """Ai(x) for -10 <= x < 1 by Taylor steps from 0."""
    steps = np.maximum(np.ceil(np.abs(x)), 1.0)
    h = x / steps
    y, dy = np.full_like(x, _AI_0), np.full_like(x, _AI_PRIME_0)
    for step in range(int(np.max(steps, initial=0.0))):
        going = step < steps
        new_y, new_dy = _taylor_step(step * h, h, y, dy)
        y, dy = np.where(going, new_y, y), np.where(going, new_dy, dy)
    return y


def _oscillating(x: np.ndarray) -> np.ndarray:
    """Ai(x) for x < -10 by the asymptotic expansion."""
    z = -x
    zeta = 2.0 / 3.0 * z ** 1.5
    u, power = 1.0, np.ones_like(z)
    even, odd = np.ones_like(z), np.zeros_like(z)
    for k in range(1, _ASYMPTOTIC_TERMS):
        u *= (6 * k - 5) * (6 * k - 3) * (6 * k - 1) / ((2 * k - 1) * 216 * k)
        power = power / zeta
        sign = 1.0 if (k // 2) % 2 == 0 else -1.0
        if k % 2 == 0:
            even += sign * u * power
        else:
            odd += sign * u * power
    cos_z, sin_z = np.cos(zeta), np.sin(zeta)
    cos_shift, sin_shift = (cos_z + sin_z) / math.sqrt(2), (sin_z - cos_z) / math.sqrt(2)
    return (cos_shift * even + sin_shift * odd) / (math.sqrt(math.pi) * z ** 0.25)


def airy_ai(x: np.ndarray) -> np.ndarray:
    """Ai(x) = (1/pi) int_0^inf cos(t^3 / 3 + x t) dt."""
    x = np.asarray(x)
    a = np.asarray(x, dtype=np.float64)
    out = np.where(np.isfinite(a) & (a >= _UNDERFLOWS_FROM), 0.0, np.nan)
    regions = ((a >= 1) & (a < _UNDERFLOWS_FROM), (a >= _ASYMPTOTIC_BELOW) & (a < 1),
               np.isfinite(a) & (a < _ASYMPTOTIC_BELOW))
    with np.errstate(all="ignore"):
        for where, method in zip(regions, (_decaying, _stepped, _oscillating)):
            out[where] = method(a[where])
    return out.astype(np.result_type(x, np.float16))
