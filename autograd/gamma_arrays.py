"""ln|Gamma(x)|, digamma, trigamma and tetragamma (psi, psi', psi'') on NumPy float arrays
(NumPy has none of them): what ``autograd.ops.gamma``'s ops compute, and their VJPs on
arrays.

``lgamma`` is Lanczos' approximation (g = 7, nine terms; relative error about 1e-15)
for x >= 1/2 and the reflection ln|Gamma(x)| = ln(pi) - ln|sin(pi x)| - ln|Gamma(1 - x)|
below (finite down to x = 5e-324, where it is -ln x); +inf at the poles 0, -1, -2...
The polygammas shift x up by ten (psi(x) = psi(x + 10) - sum_k 1/(x + k),
psi'(x) = psi'(x + 10) + sum_k 1/(x + k)^2) and sum their asymptotic series there (error
below 1e-16), reflecting negative x: psi(x) = psi(1 - x) - pi / tan(pi x),
psi'(x) = pi^2 / sin^2(pi x) - psi'(1 - x). At the poles digamma is -inf at +0 and +inf
at -0 (its limits from either side) and NaN below, trigamma +inf, as PyTorch's; sin and
tan of pi x are taken of x's distance to the nearest integer (exact), accurate near them.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["lgamma", "digamma", "trigamma", "tetragamma", "standard_gamma_grad",
           "regularized_gamma_p"]

_LANCZOS_G = 7.0
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028,
            771.32342877765313, -176.61502916214059, 12.507343278686905,
            -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7)
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
_SHIFT = 10
# the asymptotic series' coefficients, B_2k / 2k (digamma) and B_2k (trigamma)
_DIGAMMA = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12)
_TRIGAMMA = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6)
_TETRAGAMMA = (1 / 2, -1 / 6, 1 / 6, -3 / 10, 5 / 6, -691 / 210, 35 / 2)  # (2k+1) B_2k
_TINY = 1e-300  # Lentz's stand-in for a zero denominator
_EPS = np.finfo(np.float64).eps
_FRACTION_MAX_STEPS = 100_000  # near x = a + 1 it takes about a^(1/3) steps


def _sin_pi(x: np.ndarray) -> np.ndarray:
    """|sin(pi x)| from x's distance to the nearest integer (exact in floating point), so
    that it stays accurate near the poles: |sin(pi x)| = |sin(pi (x - round(x)))|."""
    return np.abs(np.sin(np.pi * (x - np.round(x))))


def _log_sin_pi(x: np.ndarray) -> np.ndarray:
    """ln|sin(pi x)| = ln(pi d) + ln(sin(pi d) / (pi d)) with d = |x - round(x)|, and ln(pi d)
    taken as ln(pi) + ln(d): at a subnormal d (x = 5e-324) pi d would lose its digits, and
    pi / sin(pi x) overflow. NaN at the integers (0 / 0), which are poles to the callers."""
    d = np.abs(x - np.round(x))
    return math.log(math.pi) + np.log(d) + np.log(np.sin(np.pi * d) / (np.pi * d))


def _tan_pi(x: np.ndarray) -> np.ndarray:
    """tan(pi x) = tan(pi (x - round(x))) (period 1), accurate near the integers."""
    return np.tan(np.pi * (x - np.round(x)))


def _poles(x: np.ndarray) -> np.ndarray:
    return (x <= 0) & (x == np.floor(x))


def _lanczos(x: np.ndarray) -> np.ndarray:
    """ln Gamma(x) for x >= 1/2."""
    z = x - 1.0
    series = np.full_like(z, _LANCZOS[0])
    for k in range(1, len(_LANCZOS)):
        series += _LANCZOS[k] / (z + k)
    t = z + _LANCZOS_G + 0.5
    return _HALF_LOG_2PI + (z + 0.5) * np.log(t) - t + np.log(series)


def lgamma(x: np.ndarray) -> np.ndarray:
    """ln|Gamma(x)| elementwise, in x's float dtype (computed in float64)."""
    x64 = np.asarray(x, dtype=np.float64)
    low = x64 < 0.5
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = _lanczos(np.where(low, 1.0 - x64, x64))
        reflected = math.log(math.pi) - _log_sin_pi(x64) - out
        out = np.where(low, reflected, out)
    out = np.where(_poles(x64), np.inf, out)
    out = np.where(np.isinf(x64), np.inf, out)
    return out.astype(np.result_type(x, np.float16))


def _shifted(x: np.ndarray, power: int) -> tuple[np.ndarray, np.ndarray]:
    """(x + _SHIFT, sum_k 1/(x + k)^power for k < _SHIFT)."""
    total = np.zeros_like(x)
    for k in range(_SHIFT):
        total += 1.0 / (x + k) ** power
    return x + _SHIFT, total


def _series(coefficients: tuple[float, ...], first: np.ndarray, inv2: np.ndarray
            ) -> np.ndarray:
    """sum_k c_k first inv2^(k+1): a polygamma's asymptotic series in 1/y^2."""
    series, power = np.zeros_like(inv2), first
    for c in coefficients:
        power = power * inv2
        series += c * power
    return series


def digamma(x: np.ndarray) -> np.ndarray:
    """psi(x) = d ln Gamma(x) / dx elementwise."""
    x64 = np.asarray(x, dtype=np.float64)
    negative = x64 < 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        y = np.where(negative, 1.0 - x64, x64)
        big, total = _shifted(y, 1)
        inv2 = 1.0 / (big * big)
        series = _series(_DIGAMMA, np.ones_like(big), inv2)
        out = np.log(big) - 0.5 / big - series - total
        out = np.where(negative, out - np.pi / _tan_pi(x64), out)
    at_zero = np.where(np.signbit(x64), np.inf, -np.inf)  # -1/x's limits at +-0
    out = np.where(_poles(x64), np.where(x64 == 0, at_zero, np.nan), out)
    out = np.where(x64 == np.inf, np.inf, out)
    return out.astype(np.result_type(x, np.float16))


def trigamma(x: np.ndarray) -> np.ndarray:
    """psi'(x) = d^2 ln Gamma(x) / dx^2 elementwise."""
    x64 = np.asarray(x, dtype=np.float64)
    negative = x64 < 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        y = np.where(negative, 1.0 - x64, x64)
        big, total = _shifted(y, 2)
        inv = 1.0 / big
        inv2 = inv * inv
        series = _series(_TRIGAMMA, inv, inv2)
        out = inv + 0.5 * inv2 + series + total
        out = np.where(negative, (np.pi / _sin_pi(x64)) ** 2 - out, out)
    out = np.where(_poles(x64), np.inf, out)
    out = np.where(x64 == np.inf, 0.0, np.where(x64 == -np.inf, np.nan, out))
    return out.astype(np.result_type(x, np.float16))


def tetragamma(x: np.ndarray) -> np.ndarray:
    """psi''(x) = d^3 ln Gamma(x) / dx^3 elementwise: psi''(x + 10) - 2 sum_k 1/(x + k)^3,
    the series -1/y^2 - 1/y^3 - sum (2k+1) B_2k / y^(2k+2); reflected as
    psi''(x) = psi''(1 - x) - 2 pi^3 cot(pi x) / sin^2(pi x)."""
    x64 = np.asarray(x, dtype=np.float64)
    negative = x64 < 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        y = np.where(negative, 1.0 - x64, x64)
        big, total = _shifted(y, 3)
        inv2 = 1.0 / (big * big)
        series = _series(_TETRAGAMMA, inv2, inv2)
        out = -inv2 - inv2 / big - series - 2.0 * total
        reflection = 2.0 * np.pi ** 3 / (_tan_pi(x64) * _sin_pi(x64) ** 2)
        out = np.where(negative, out - reflection, out)
    out = np.where(_poles(x64), -np.inf, out)  # as SciPy's and PyTorch's
    out = np.where(x64 == np.inf, 0.0, np.where(x64 == -np.inf, np.nan, out))
    return out.astype(np.result_type(x, np.float16))


def _series_terms(a64: np.ndarray, x64: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The terms t_n = x^(a+n) e^(-x) / Gamma(a + n + 1) of P(a, x) = sum_n t_n, over the
    window where they matter (they peak near n = x - a with a spread of about sqrt(x);
    outside the window each is below e^-70 of the peak), and n itself: (terms, n) with
    the window along axis 0. x must be > 0."""
    spread = 12.0 * np.sqrt(x64) + 10.0
    start = np.floor(np.maximum(x64 - a64 - spread, 0.0))
    n = start + np.arange(int(2 * spread.max() + 40)).reshape((-1,) + (1,) * x64.ndim)
    with np.errstate(under="ignore"):
        terms = np.exp((a64 + n) * np.log(x64) - x64 - lgamma(a64 + n + 1))
    return terms, n


def _upper_fraction(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Q(a, x) = 1 - P(a, x) = x^a e^(-x) / Gamma(a) h for x > a + 1, with Legendre's
    continued fraction h = 1 / (x + 1 - a - 1 (1 - a) / (x + 3 - a - 2 (2 - a) / (x + 5 - a
    - ...))) evaluated forward by Lentz's method (b_i = x + 2i + 1 - a, a_i = -i (i - a);
    ``_TINY`` stands in for a vanishing denominator) until every factor is 1 to rounding:
    a few steps for x far above a, about a^(1/3) near x = a + 1."""
    b = x + 1.0 - a
    c, d = np.full_like(x, 1.0 / _TINY), 1.0 / b
    h = d.copy()
    for i in range(1, _FRACTION_MAX_STEPS):
        a_i, b = -i * (i - a), b + 2.0
        d = a_i * d + b
        c = b + a_i / c
        d = 1.0 / np.where(np.abs(d) < _TINY, _TINY, d)
        factor = d * np.where(np.abs(c) < _TINY, _TINY, c)
        h = h * factor
        if np.all(np.abs(factor - 1.0) <= _EPS):
            break
    with np.errstate(under="ignore"):
        return np.exp(a * np.log(x) - x - lgamma(a)) * h


def regularized_gamma_p(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """P(a, x) = gamma(a, x) / Gamma(a), the regularised lower incomplete gamma function
    (the Gamma(a, 1) CDF; PyTorch's ``special.gammainc``): the series above for x <= a + 1,
    1 - Q by ``_upper_fraction`` beyond (a few steps for a large x, not 24 sqrt(x) series
    terms, and P = 1 where Q underflows). At the edges PyTorch's (Cephes') values, in its
    order: NaN for x < 0 or a < 0; 1 for a = 0 < x (NaN at x = 0); 0 at x = 0; 0 for
    a = inf (NaN at x = inf); 1 at x = inf; NaN for a NaN input. Relative error below
    1e-12 against SciPy's gammainc for moderate a and x; near x = a, about x * 1e-16
    (the rounding of the exponent a ln x - x)."""
    a64, x64 = np.broadcast_arrays(np.asarray(a, dtype=np.float64),
                                   np.asarray(x, dtype=np.float64))
    with np.errstate(invalid="ignore"):
        out = np.select(
            [(x64 < 0) | (a64 < 0), (a64 == 0) & (x64 > 0), a64 == 0, x64 == 0,
             (a64 == np.inf) & (x64 == np.inf), a64 == np.inf, x64 == np.inf],
            [np.nan, 1.0, np.nan, 0.0, np.nan, 0.0, 1.0], np.nan)
    inside = (a64 > 0) & (x64 > 0) & np.isfinite(a64) & np.isfinite(x64)
    series, fraction = inside & (x64 <= a64 + 1.0), inside & (x64 > a64 + 1.0)
    if series.any():
        terms, _ = _series_terms(a64[series], x64[series])
        out[series] = np.minimum(terms.sum(axis=0), 1.0)
    if fraction.any():
        out[fraction] = 1.0 - _upper_fraction(a64[fraction], x64[fraction])
    return out.astype(np.result_type(a, x, np.float16))


def standard_gamma_grad(alpha: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dx/dalpha of a Gamma(alpha, 1) draw x held at its quantile u = P(alpha, x) (implicit
    reparameterisation): -(dP/dalpha) / p(x; alpha), with the regularised incomplete gamma
    P(alpha, x) = sum_n t_n, t_n = x^(alpha+n) e^(-x) / Gamma(alpha + n + 1), so
    dP/dalpha = sum_n t_n (ln x - psi(alpha + n + 1)), over ``_series_terms``' window.
    Relative error about 1e-8 against differences of SciPy's inverse
    incomplete gamma (PyTorch's approximation: about 1e-4)."""
    alpha64, x64 = np.broadcast_arrays(np.asarray(alpha, dtype=np.float64),
                                       np.asarray(x, dtype=np.float64))
    x64 = np.maximum(x64, np.finfo(np.float64).tiny)  # a draw that underflowed to 0
    if x64.size == 0:
        return np.zeros(x64.shape, dtype=np.result_type(x, np.float16))
    terms, n = _series_terms(alpha64, x64)
    log_x = np.log(x64)
    with np.errstate(under="ignore"):
        d_p = np.sum(terms * (log_x - digamma(alpha64 + n + 1)), axis=0)
        log_pdf = (alpha64 - 1.0) * log_x - x64 - lgamma(alpha64)
        out = -d_p * np.exp(-log_pdf)
    return out.astype(np.result_type(x, np.float16))
