"""The Hurwitz zeta function zeta(x, q) = sum_(k >= 0) (q + k)^-x on NumPy float arrays
(PyTorch's ``torch.special.zeta``; zeta(x, 1) is Riemann's).

The first N terms are summed directly, with N >= 9 and q + N > 9, and the rest by the
Euler-Maclaurin formula at w = q + N: w^(1-x) / (x - 1) + w^-x / 2
+ sum_(j=1..12) B_2j / (2j)! x (x+1) ... (x+2j-2) w^(-x-2j+1), whose terms fall like
(x / (2 pi w))^2j. The domain is PyTorch's (Cephes'): inf at x = 1 and at q = 0, -1,
-2, ...; NaN for x < 1, and for q < 0 with a non-integer x; NaN where x is NaN or q is
infinite or NaN (PyTorch's inf at x = 1 or at such a q comes first, whatever the other).
A huge or infinite x gives the limit, as PyTorch: 1 at q = 1, 0 above, inf below.
"""

from __future__ import annotations

from fractions import Fraction
from math import comb, factorial

import numpy as np

from .errors import ShapeError

__all__ = ["hurwitz_zeta", "scaled_hurwitz_zeta", "BERNOULLI_OVER_FACTORIAL"]

_DIRECT_TERMS = 9
_SHIFT_TO = 9.0
_CORRECTIONS = 12


def _bernoulli_numbers(count: int) -> list[Fraction]:
    """B_0 .. B_(count-1) by sum_(j<=m) C(m+1, j) B_j = 0 (B_1 = -1/2)."""
    numbers: list[Fraction] = []
    for m in range(count):
        numbers.append(Fraction(1) if m == 0 else
                       -sum(comb(m + 1, j) * numbers[j] for j in range(m)) / (m + 1))
    return numbers


BERNOULLI_OVER_FACTORIAL = tuple(float(b / factorial(2 * j)) for j, b in enumerate(
    _bernoulli_numbers(2 * _CORRECTIONS + 1)[::2]) if j > 0)  # B_2j / (2j)!, j = 1..12


def _finite_domain(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Entries where the sum is computed (the rest get inf or NaN)."""
    return (~np.isnan(x) & np.isfinite(q) & (x > 1)
            & ((q > 0) | ((q != np.floor(q)) & (x == np.floor(x)))))


def _euler_maclaurin(x: np.ndarray, q: np.ndarray, scaled: bool = False) -> np.ndarray:
    """zeta(x, q) where it is finite (float64 arrays of one shape); ``scaled`` (q > 0):
    q^x zeta(x, q), every power v^-x taken as (v / q)^-x, so that nothing underflows
    where zeta alone does (x = 201, q = 50: zeta ~ 1e-342, q^x zeta ~ 1)."""
    def power(v: np.ndarray) -> np.ndarray:
        return (v / q) ** -x if scaled else v ** -x

    terms = np.maximum(_DIRECT_TERMS, np.ceil(_SHIFT_TO - q) + 1)
    total = np.zeros_like(x)
    for k in range(int(np.max(terms, initial=0.0))):
        total += np.where(k < terms, power(q + k), 0.0)
    w = q + terms
    w_power = power(w)  # w^(-x - 2j + 1) / w^... built up below
    total += w * w_power / (x - 1) + w_power / 2
    rising = x.copy()  # x (x+1) ... (x+2j-2)
    w_power = w_power / w
    for j, coefficient in enumerate(BERNOULLI_OVER_FACTORIAL, start=1):
        total += np.where(w_power == 0, 0.0, coefficient * rising * w_power)  # x huge
        rising = rising * (x + 2 * j - 1) * (x + 2 * j)
        w_power = w_power / (w * w)
    return total


def hurwitz_zeta(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    """zeta(x, q) = sum_(k >= 0) (q + k)^-x, broadcast over x and q."""
    x, q = np.asarray(x), np.asarray(q)
    dtype = np.result_type(x, q, np.float16)
    try:
        x64, q64 = np.broadcast_arrays(x.astype(np.float64), q.astype(np.float64))
    except ValueError:  # NumPy's bare message
        raise ShapeError(f"zeta(x, q): shapes {x.shape} and {q.shape} cannot broadcast "
                         f"(trailing axes must be equal or 1); reshape or add an axis "
                         f"(x[:, None]) so they line up") from None
    out = np.full(x64.shape, np.nan)
    with np.errstate(invalid="ignore"):
        pole = (x64 == 1) | (~(x64 < 1) & (q64 <= 0) & (q64 == np.floor(q64)))
    out[pole] = np.inf  # Cephes' order of checks: x = 1, x < 1, then the poles in q
    finite = _finite_domain(x64, q64)
    with np.errstate(all="ignore"):
        out[finite] = _euler_maclaurin(x64[finite], q64[finite])
    return out.astype(dtype)


def scaled_hurwitz_zeta(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    """q^x zeta(x, q) = sum_(k >= 0) (1 + k / q)^-x >= 1 in float64, for x > 1 and
    0 < q < inf (NaN elsewhere): normal where zeta(x, q) itself underflows, so that
    ln zeta(x, q) = ln(this) - x ln q keeps its digits (polygamma of a large order)."""
    x64, q64 = np.broadcast_arrays(np.asarray(x, dtype=np.float64),
                                   np.asarray(q, dtype=np.float64))
    out = np.full(x64.shape, np.nan)
    inside = (x64 > 1) & (q64 > 0) & (q64 < np.inf)
    with np.errstate(all="ignore"):
        out[inside] = _euler_maclaurin(x64[inside], q64[inside], scaled=True)
    return out
