"""The Bessel functions of the first and second kind of orders 0 and 1, J0, J1, Y0, Y1, on
NumPy float arrays (PyTorch's ``torch.special.bessel_j0/j1/y0/y1``; NumPy has none).

Three regions of a = |x|, each accurate to a few units of 1e-16 in absolute terms:
- a < 4: the power series J_n(a) = sum_k (-1)^k (a/2)^(2k+n) / (k! (k+n)!) and the series
  of Y_n with harmonic numbers H_k (Abramowitz & Stegun 9.1.11; the largest term is ~5).
- 4 <= a < 25: Miller's backward recurrence J_(n-1) = (2n / a) J_n - J_(n+1) from order
  80 down, normalised by 1 = J0 + 2 sum_k J_2k; then Neumann's series
  Y0 = (2/pi) (ln(a/2) + gamma) J0 - (4/pi) sum_k (-1)^k J_2k / k and its derivative
  Y1 = -Y0' = (2/pi) ((ln(a/2) + gamma) J1 - J0 / a) + (2/pi) sum_k (-1)^k
  (J_(2k-1) - J_(2k+1)) / k (each term bounded: no cancellation).
- a >= 25: Hankel's expansion J = sqrt(2 / (pi a)) (P cos chi - Q sin chi),
  Y = sqrt(2 / (pi a)) (P sin chi + Q cos chi), chi = a - (2n + 1) pi / 4, whose terms
  shrink until k ~ 2a (cut at 24; the first dropped is below 1e-20). cos chi and sin chi
  are sums of cos a and sin a, so a large float x is not rounded by subtracting pi/4.
J0 is even, J1 odd; Y0 and Y1 are -inf at 0 and NaN below (and, as PyTorch's, every
function is NaN at +-inf).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["j0", "j1", "y0", "y1"]

_SERIES_BELOW = 4.0
_HANKEL_FROM = 25.0
_SERIES_TERMS = 40
_MILLER_START = 80
_HANKEL_TERMS = 24
_EULER_GAMMA = 0.5772156649015329
_TWO_OVER_PI = 2.0 / math.pi


def _series(a: np.ndarray) -> tuple[np.ndarray, ...]:
    """(J0, J1, Y0, Y1) at 0 < a < 4 by their power series."""
    q = (a / 2) ** 2
    log_half = np.log(a) - math.log(2)  # not log(a / 2): a / 2 underflows at 5e-324
    term0, term1 = np.ones_like(a), np.ones_like(a)  # q^k / (k!)^2, q^k / (k! (k+1)!)
    j0_sum, j1_sum = term0.copy(), term1.copy()
    y0_sum = np.zeros_like(a)
    y1_sum = (-2 * _EULER_GAMMA + 1.0) * term1  # psi(1) + psi(2) = -2 gamma + 1
    harmonic = 0.0
    for k in range(1, _SERIES_TERMS):
        harmonic_next = harmonic + 1.0 / k
        term0 = -term0 * q / (k * k)
        term1 = -term1 * q / (k * (k + 1))
        j0_sum += term0
        j1_sum += term1
        y0_sum -= harmonic_next * term0  # (-1)^(k+1) H_k q^k / (k!)^2
        y1_sum += (-2 * _EULER_GAMMA + harmonic_next + harmonic_next + 1.0 / (k + 1)) * term1
        harmonic = harmonic_next
    j0, j1 = j0_sum, a / 2 * j1_sum
    y0 = _TWO_OVER_PI * ((log_half + _EULER_GAMMA) * j0 + y0_sum)
    y1 = -_TWO_OVER_PI / a + _TWO_OVER_PI * log_half * j1 - a / (2 * math.pi) * y1_sum
    return j0, j1, y0, y1


def _miller(a: np.ndarray) -> tuple[np.ndarray, ...]:
    """(J0, J1, Y0, Y1) at 4 <= a < 25 by the backward recurrence and Neumann's series."""
    above, here = np.zeros_like(a), np.full_like(a, 1e-30)  # J_(n+1), J_n, unnormalised
    norm = np.zeros_like(a)
    y0_sum, y1_sum = np.zeros_like(a), np.zeros_like(a)
    for n in range(_MILLER_START, 0, -1):
        below = 2 * n / a * here - above  # J_(n-1)
        if n % 2 == 0:  # here is J_2k, k = n / 2; below is J_(2k-1), above J_(2k+1)
            k = n // 2
            sign = 1.0 if k % 2 == 0 else -1.0
            norm += 2 * here
            y0_sum += sign * here / k
            y1_sum += sign * (below - above) / k
        above, here = here, below
    j0_raw, j1_raw = here, above
    norm += j0_raw
    j0, j1 = j0_raw / norm, j1_raw / norm
    log_term = np.log(a) - math.log(2) + _EULER_GAMMA
    y0 = _TWO_OVER_PI * (log_term * j0 - 2 * y0_sum / norm)
    y1 = _TWO_OVER_PI * (log_term * j1 - j0 / a + y1_sum / norm)
    return j0, j1, y0, y1


def _hankel(a: np.ndarray, order: int) -> tuple[np.ndarray, np.ndarray]:
    """(J_order, Y_order) at a >= 25 by Hankel's asymptotic expansion."""
    mu = 4.0 * order * order
    term = np.ones_like(a)
    p, q = term.copy(), np.zeros_like(a)
    for k in range(1, _HANKEL_TERMS):
        term = term * (mu - (2 * k - 1) ** 2) / (8 * k * a)
        if k % 4 == 0:
            p += term
        elif k % 4 == 1:
            q += term
        elif k % 4 == 2:
            p -= term
        else:
            q -= term
    cos_a, sin_a = np.cos(a), np.sin(a)
    if order == 0:  # chi = a - pi/4
        cos_chi, sin_chi = (cos_a + sin_a) / math.sqrt(2), (sin_a - cos_a) / math.sqrt(2)
    else:  # chi = a - 3 pi/4
        cos_chi, sin_chi = (sin_a - cos_a) / math.sqrt(2), -(sin_a + cos_a) / math.sqrt(2)
    scale = np.sqrt(_TWO_OVER_PI / a)
    return scale * (p * cos_chi - q * sin_chi), scale * (p * sin_chi + q * cos_chi)


def _all(x: np.ndarray) -> tuple[np.ndarray, ...]:
    """(J0, J1, Y0, Y1) of |x| in float64; entries at 0, inf and NaN are fixed by callers."""
    a = np.abs(np.asarray(x, dtype=np.float64))
    out = tuple(np.full_like(a, np.nan) for _ in range(4))
    regions = ((a > 0) & (a < _SERIES_BELOW), (a >= _SERIES_BELOW) & (a < _HANKEL_FROM),
               (a >= _HANKEL_FROM) & np.isfinite(a))
    with np.errstate(all="ignore"):
        for values, where in zip((_series(a[regions[0]]), _miller(a[regions[1]])), regions):
            for array, value in zip(out, values):
                array[where] = value
        far = a[regions[2]]
        for order in (0, 1):
            j, y = _hankel(far, order)
            out[order][regions[2]], out[2 + order][regions[2]] = j, y
    return out


def _float_dtype(x: np.ndarray) -> np.dtype:
    return np.result_type(x, np.float16)


def j0(x: np.ndarray) -> np.ndarray:
    """J0(x) = sum_k (-1)^k (x/2)^2k / (k!)^2, even; J0(0) = 1."""
    x = np.asarray(x)
    out = _all(x)[0]
    out[x == 0] = 1.0
    return out.astype(_float_dtype(x))


def j1(x: np.ndarray) -> np.ndarray:
    """J1(x) = sum_k (-1)^k (x/2)^(2k+1) / (k! (k+1)!), odd; J1(0) = 0 (keeping its sign)."""
    x = np.asarray(x)
    x64 = np.asarray(x, dtype=np.float64)
    # J1(+-0) = +-0; np.where, not an assignment: of a 0-d x the product is a NumPy scalar
    out = np.where(x64 == 0, x64, np.sign(x64) * _all(x64)[1])
    return out.astype(_float_dtype(x))


def _second_kind(x: np.ndarray, index: int) -> np.ndarray:
    """Y0 (index 2) or Y1 (index 3): -inf at 0, NaN below 0."""
    x = np.asarray(x)
    out = _all(x)[index]
    out[x == 0] = -np.inf
    out[x < 0] = np.nan
    return out.astype(_float_dtype(x))


def y0(x: np.ndarray) -> np.ndarray:
    """Y0(x), the Bessel function of the second kind of order 0, for x > 0."""
    return _second_kind(x, 2)


def y1(x: np.ndarray) -> np.ndarray:
    """Y1(x), the Bessel function of the second kind of order 1, for x > 0."""
    return _second_kind(x, 3)
