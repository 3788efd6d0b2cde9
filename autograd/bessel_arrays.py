"""The modified Bessel functions of the first kind of orders 0 and 1, I0 and I1, and their
exponentially scaled forms i0e(x) = e^-|x| I0(x), i1e(x) = e^-|x| I1(x), on NumPy float
arrays (NumPy has only an unscaled ``i0``, no ``i1``): what ``autograd.ops.bessel``'s ops
compute (PyTorch's ``torch.special.i0/i0e/i1/i1e``, SciPy's ``scipy.special`` names).

Below |x| = 30 each is its power series I_n(x) = sum_k (x/2)^(2k+n) / (k! (k+n)!), whose
terms are all positive (no cancellation; 70 terms leave a relative error near 1e-15 at
|x| = 30). From 30 on it is Hankel's asymptotic series e^x / sqrt(2 pi x)
sum_k (-1)^k a_k(n) / x^k, a_k(n) = prod_{j <= k} (4 n^2 - (2 j - 1)^2) / (k! 8^k), cut
after 30 terms (the first dropped term is below 1e-19 there). I0 is even, I1 odd.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["i0", "i0e", "i1", "i1e"]

_SERIES_BELOW = 30.0
_SERIES_TERMS = 70
_ASYMPTOTIC_TERMS = 30


def _power_series(x: np.ndarray, order: int) -> np.ndarray:
    """sum_k (x/2)^(2k+order) / (k! (k+order)!), for x >= 0."""
    quarter_square = (x / 2) ** 2
    term = (x / 2) ** order / math.factorial(order)
    total = term.copy()
    for k in range(1, _SERIES_TERMS):
        term = term * quarter_square / (k * (k + order))
        total += term
    return total


def _hankel_scaled(x: np.ndarray, order: int) -> np.ndarray:
    """e^-x I_order(x) by Hankel's series, for large x > 0."""
    four_n2 = 4.0 * order * order
    term = np.ones_like(x)
    total = term.copy()
    for k in range(1, _ASYMPTOTIC_TERMS):
        term = -term * (four_n2 - (2 * k - 1) ** 2) / (k * 8 * x)
        total += term
    return total / np.sqrt(2 * np.pi * x)


def _scaled(x: np.ndarray, order: int) -> np.ndarray:
    """e^-|x| I_order(|x|) in float64."""
    a = np.abs(np.asarray(x, dtype=np.float64))
    near = a < _SERIES_BELOW
    out = np.empty_like(a)
    out[near] = np.exp(-a[near]) * _power_series(a[near], order)
    out[~near] = _hankel_scaled(a[~near], order)
    out[np.isnan(a)] = np.nan
    return out


def _float_dtype(x: np.ndarray) -> np.dtype:
    return np.result_type(x, np.float16)


def i0e(x: np.ndarray) -> np.ndarray:
    """e^-|x| I0(x), even."""
    return _scaled(x, 0).astype(_float_dtype(x))


def i1e(x: np.ndarray) -> np.ndarray:
    """e^-|x| I1(x), odd."""
    return (np.sign(x) * _scaled(x, 1)).astype(_float_dtype(x))


def _unscaled(x: np.ndarray, order: int) -> np.ndarray:
    """I_order(|x|) in float64: the power series below ``_SERIES_BELOW``, e^|x| times the
    scaled function above (+inf where e^|x| overflows)."""
    a = np.abs(np.asarray(x, dtype=np.float64))
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.where(a < _SERIES_BELOW, _power_series(np.minimum(a, _SERIES_BELOW), order),
                       np.exp(a) * _scaled(a, order))
        return np.where(np.isinf(a), np.inf, out)


def i0(x: np.ndarray) -> np.ndarray:
    """I0(x) = sum_k (x/2)^2k / (k!)^2 (+inf where e^|x| overflows)."""
    return _unscaled(x, 0).astype(_float_dtype(x))


def i1(x: np.ndarray) -> np.ndarray:
    """I1(x) = sum_k (x/2)^(2k+1) / (k! (k+1)!) (+-inf where e^|x| overflows)."""
    return (np.sign(x) * _unscaled(x, 1)).astype(_float_dtype(x))
