"""The standard normal distribution on NumPy arrays (the exact GELU's Phi and phi), and
the error function ``erf`` / ``erfc``, which ``autograd.extend`` provides (their
numerics: ``autograd/erf_arrays.py``; NumPy has none and SciPy is not a dependency)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.extend import erf, erfc

__all__ = ["erf", "erfc", "normal_cdf", "normal_pdf"]

_ONE_OVER_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_HALF = math.sqrt(0.5)


def _floating(x: Any) -> np.ndarray:
    """``x`` as a floating array (integers become float64; float32 stays float32)."""
    array = np.asarray(x)
    return array if array.dtype.kind == "f" else array.astype(np.float64)


def normal_cdf(x: Any) -> np.ndarray:
    """Phi(x) = P(Z <= x), Z ~ N(0, 1): (1/2) erfc(-x / sqrt 2). Accurate in relative
    terms in the lower tail too (Phi(-30) ~ 5e-198 is not rounded to 0)."""
    cdf = erfc(_floating(x) * -_SQRT_HALF)
    cdf *= 0.5  # (in place: fewer fresh temporaries, see erfc)
    return cdf


def normal_pdf(x: Any) -> np.ndarray:
    """phi(x) = e^{-x^2/2} / sqrt(2 pi), the standard normal density."""
    array = _floating(x)
    return np.exp(-0.5 * array * array) * _ONE_OVER_SQRT_2PI
