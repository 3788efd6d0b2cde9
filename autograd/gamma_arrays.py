"""ln|Gamma(x)|, digamma, trigamma and tetragamma (psi, psi', psi'') on NumPy float arrays
(NumPy has none of them): what ``autograd.ops.gamma``'s ops compute, and their VJPs on
arrays; and the regularised incomplete gamma functions P and Q and a Gamma draw's
derivative in its concentration, on ``incomplete_gamma_arrays``' kernels.

``lgamma`` is Lanczos' approximation (g = 7, nine terms; relative error about 1e-15)
for x >= 1/2, except on [1/2, 5/2], where the Taylor series of ln Gamma(1 + e) keeps the
relative accuracy near the roots 1 and 2 (exact 0 there); below 1/2 the reflection
ln|Gamma(x)| = ln(pi) - ln|sin(pi x)| - ln|Gamma(1 - x)| (finite down to x = 5e-324,
where it is -ln x); +inf at the poles 0, -1, -2...
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

from . import incomplete_gamma_arrays as incomplete
from .zeta_arrays import hurwitz_zeta

__all__ = ["lgamma", "digamma", "trigamma", "tetragamma", "standard_gamma_grad",
           "regularized_gamma_p", "regularized_gamma_q"]

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
_EULER_GAMMA = 0.57721566490153286
# ln Gamma(1 + e) = -gamma e + sum_(k>=2) (-1)^k zeta(k) / k e^k, |e| <= 1/2: 52 terms
_NEAR_ONE = (0.0, -_EULER_GAMMA) + tuple(
    (-1) ** k * float(z) / k for k, z in enumerate(hurwitz_zeta(np.arange(2.0, 53.0), 1.0), 2))


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


def _lgamma_near_one(e: np.ndarray) -> np.ndarray:
    """ln Gamma(1 + e) for |e| <= 1/2 by its Taylor series (exact 0 at e = 0)."""
    total = np.zeros_like(e)
    for c in reversed(_NEAR_ONE):
        total = total * e + c
    return total


def _lgamma_positive(y: np.ndarray) -> np.ndarray:
    """ln Gamma(y) for y >= 1/2: Lanczos, but on [1/2, 5/2] the series around the roots
    1 and 2 (ln Gamma(2 + e) = ln(1 + e) + ln Gamma(1 + e)), to keep relative accuracy
    near them (Lanczos' absolute error of 1e-15 would be all of a tiny value's digits)."""
    out = np.asarray(_lanczos(y))  # (a 0-d array, not a NumPy scalar)
    near = (y >= 0.5) & (y <= 2.5)
    if near.any():
        e = y[near] - 1.0
        shifted = e > 0.5
        e = np.where(shifted, e - 1.0, e)
        out[near] = _lgamma_near_one(e) + np.where(shifted, np.log1p(e), 0.0)
    return out


def lgamma(x: np.ndarray) -> np.ndarray:
    """ln|Gamma(x)| elementwise, in x's float dtype (computed in float64)."""
    x64 = np.asarray(x, dtype=np.float64)
    low = x64 < 0.5
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = _lgamma_positive(np.where(low, 1.0 - x64, x64))
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


def _log_prefactor(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """ln(x^a e^-x / Gamma(a)): for a >= 10 as a log1pmx((x - a) / a) + ln(a / (2 pi)) / 2
    - mu(a) (Stirling's correction mu), which keeps its digits near x = a where
    a ln x - x - ln Gamma(a) is a difference of numbers of size x; below, that plain sum."""
    big = a >= 10.0
    a_big, a_small = np.where(big, a, 10.0), np.where(big, 1.0, a)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        stirling = (a_big * incomplete.log1pmx(x, a_big) + 0.5 * np.log(a_big / (2 * np.pi))
                    - incomplete.stirling_correction(a_big))
        plain = a_small * np.log(x) - x - lgamma(a_small)
    return np.where(big, stirling, plain)


def _lgamma1p(a: np.ndarray) -> np.ndarray:
    """ln Gamma(1 + a), keeping the digits of a tiny a (1 + a would round them away)."""
    near = np.abs(a) <= 0.5
    return np.where(near, _lgamma_near_one(np.where(near, a, 0.0)),
                    lgamma(np.where(near, 1.0, 1.0 + a)))


def _branches(a: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cephes' choice for finite a, x > 0: (Temme's expansion: a > 20 and x within 30%
    of a, or a > 200 and within 4.5 sqrt(a); the continued fraction for Q: x > 1.1 and
    x >= a; Q by ``upper_series``: x <= 1.1 where P is not small); the rest take P's
    series."""
    spread = np.abs(x - a) / a
    temme = ((a > 20) & (spread < 0.3)) | ((a > 200) & (spread < 4.5 / np.sqrt(a)))
    fraction = ~temme & (x > 1.1) & (x >= a)
    with np.errstate(divide="ignore"):
        p_small = np.where(x <= 0.5, -0.4 / np.log(x) < a, 1.1 * x < a)
    return temme, fraction, ~temme & (x <= 1.1) & ~p_small


def _inside(a: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(P, Q) for finite a, x > 0 (1-d float64 arrays), each computed directly where it is
    the smaller one, so that it keeps its relative accuracy (1 - the other where not)."""
    temme, fraction, upper = _branches(a, x)
    p, q = np.empty_like(x), np.empty_like(x)
    with np.errstate(under="ignore", over="ignore"):
        if temme.any():
            p[temme], q[temme] = incomplete.temme(a[temme], x[temme])
        if fraction.any():
            af, xf = a[fraction], x[fraction]
            q[fraction] = np.exp(_log_prefactor(af, xf)) * incomplete.upper_fraction(af, xf)[0]
            p[fraction] = 1.0 - q[fraction]
        series = ~temme & ~fraction
        if series.any():
            a_s, x_s = a[series], x[series]
            total = incomplete.lower_series(a_s, x_s)[0]
            p[series] = np.exp(_log_prefactor(a_s, x_s)) / a_s * total
            q[series] = 1.0 - p[series]
        if upper.any():
            au, xu = a[upper], x[upper]
            power = au * np.log(xu)
            q[upper] = (-np.expm1(power - _lgamma1p(au))
                        - np.exp(power - lgamma(au)) * incomplete.upper_series(au, xu))
    return np.clip(p, 0.0, 1.0), np.clip(q, 0.0, 1.0)


def _regularized_gamma(a: np.ndarray, x: np.ndarray, upper: bool) -> np.ndarray:
    """P(a, x) (or Q with ``upper``), broadcast, with PyTorch's (Cephes') values at the
    edges, in its order: NaN for x < 0 or a < 0; P = 1 for a = 0 < x (NaN at x = 0);
    P = 0 at x = 0; P = 0 for a = inf (NaN at x = inf); P = 1 at x = inf; NaN for a NaN
    input; Q = 1 - P at each."""
    a64, x64 = np.broadcast_arrays(np.asarray(a, dtype=np.float64),
                                   np.asarray(x, dtype=np.float64))
    p_edge = [np.nan, 1.0, np.nan, 0.0, np.nan, 0.0, 1.0]
    with np.errstate(invalid="ignore"):
        out = np.select(
            [(x64 < 0) | (a64 < 0), (a64 == 0) & (x64 > 0), a64 == 0, x64 == 0,
             (a64 == np.inf) & (x64 == np.inf), a64 == np.inf, x64 == np.inf],
            [1.0 - v for v in p_edge] if upper else p_edge, np.nan)
    inside = (a64 > 0) & (x64 > 0) & np.isfinite(a64) & np.isfinite(x64)
    if inside.any():
        out[inside] = _inside(a64[inside], x64[inside])[1 if upper else 0]
    return out.astype(np.result_type(a, x, np.float16))


def regularized_gamma_p(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """P(a, x) = gamma(a, x) / Gamma(a), the regularised lower incomplete gamma function
    (the Gamma(a, 1) CDF; PyTorch's ``special.gammainc``), by the kernels of
    ``incomplete_gamma_arrays`` (Cephes' choice between them): relative error about 1e-15
    against mpmath, constant memory per element, for any a and x."""
    return _regularized_gamma(a, x, upper=False)


def regularized_gamma_q(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Q(a, x) = 1 - P(a, x), computed directly where it is small (a tail of 1e-300 keeps
    its digits; PyTorch's ``special.gammaincc``)."""
    return _regularized_gamma(a, x, upper=True)


def standard_gamma_grad(alpha: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dx/dalpha of a Gamma(alpha, 1) draw x held at its quantile u = P(alpha, x) (implicit
    reparameterisation): -(dP/dalpha) / p(x; alpha), p = x^(alpha-1) e^-x / Gamma(alpha),
    from the derivative in a of the branch that computes P there: Temme's expansion
    (``temme_draw_derivative``); the fraction, x (h (ln x - psi(a)) + dh/da); the series,
    -x / a (S (ln x - psi(a + 1)) + dS/da). The factors e^-x x^a cancel, so nothing
    overflows. Relative error about 1e-12 (PyTorch's approximation: about 1e-4)."""
    alpha64, x64 = np.broadcast_arrays(np.asarray(alpha, dtype=np.float64),
                                       np.asarray(x, dtype=np.float64))
    x64 = np.maximum(x64, np.finfo(np.float64).tiny)  # a draw that underflowed to 0
    out = np.full(x64.shape, np.nan)
    inside = (alpha64 > 0) & np.isfinite(alpha64) & np.isfinite(x64)
    a, x_in = alpha64[inside], x64[inside]
    temme, fraction, _ = _branches(a, x_in)
    series = ~temme & ~fraction
    grad = np.empty_like(x_in)
    with np.errstate(under="ignore", over="ignore"):
        grad[temme] = incomplete.temme_draw_derivative(a[temme], x_in[temme])
        af, xf = a[fraction], x_in[fraction]
        h, dh = incomplete.upper_fraction(af, xf)
        grad[fraction] = xf * (h * (np.log(xf) - digamma(af)) + dh)
        a_s, x_s = a[series], x_in[series]
        total, d_total = incomplete.lower_series(a_s, x_s)
        grad[series] = -x_s / a_s * (total * (np.log(x_s) - digamma(a_s + 1.0)) + d_total)
    out[inside] = grad
    return out.astype(np.result_type(x, np.float16))
