"""The kernels of the regularised incomplete gamma functions P(a, x) and Q(a, x) = 1 - P
on float64 NumPy arrays (``gamma_arrays.regularized_gamma_p``/``_q`` choose between them,
as Cephes' ``igam``/``igamc`` do, and PyTorch's copies of them):

* ``lower_series``: P = x^a e^-x / Gamma(a + 1) sum_n x^n / ((a+1) ... (a+n)), for x < a
  or a small x (each term is below the one before once n > x - a);
* ``upper_fraction``: Q = x^a e^-x / Gamma(a) h, with Legendre's continued fraction h
  (Lentz's method), for x > a;
* ``upper_series``: Q for x <= 1.1 and a small a, where 1 - P would lose Q's digits;
* ``temme``: Temme's uniform asymptotic expansion for a > 20 and x within 30% of a,
  where the two above would take about sqrt(a) steps:
  Q = erfc(eta sqrt(a/2)) / 2 + e^(-a eta^2 / 2) / sqrt(2 pi a) sum_k C_k(eta) a^-k,
  eta^2 / 2 = x/a - 1 - ln(x/a), with the Taylor coefficients d_kn of C_k(eta) (DLMF 8.12).

Each loop runs per element, on the entries not yet converged, so memory is a few arrays
of the input's size whatever a and x are; the series and the fraction also return their
derivatives in a, from which ``standard_gamma_grad`` builds dx/da of a Gamma(a) draw.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from math import comb
from typing import Callable

import numpy as np

from .erf_arrays import erfc

__all__ = ["log1pmx", "stirling_correction", "lower_series", "upper_fraction",
           "upper_series", "temme", "temme_draw_derivative", "TEMME_ORDERS"]

_EPS = np.finfo(np.float64).eps
_TINY = 1e-300  # Lentz's stand-in for a zero denominator
_MAX_STEPS = 2_000  # the branches above keep every loop far below this
TEMME_ORDERS = 25  # K = N = 25 terms in 1/a and in eta (Cephes' table size)
_LOG1PMX_SERIES_BELOW = 0.25
_TEMME_CHUNK = 16_384
# B_2j / (2j (2j - 1)), j = 1..6: ln Gamma(a) - Stirling's formula = sum_j c_j / a^(2j-1)
_STIRLING = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360)


def log1pmx(x: np.ndarray, a: np.ndarray) -> np.ndarray:
    """ln(1 + s) - s with s = (x - a) / a, to full relative accuracy: near s = 0 (where
    it is about -s^2 / 2) by 2 atanh(u) - s = -u s + 2 sum_k u^(2k+1) / (2k+1), u = s / (2 + s),
    elsewhere as ln(x / a) - s (ln(x / a) keeps its digits for x much below a)."""
    s = (x - a) / a
    near = np.abs(s) < _LOG1PMX_SERIES_BELOW
    u = np.where(near, s, 0.0) / (2.0 + np.where(near, s, 0.0))
    u2, series = u * u, np.zeros_like(u)
    for k in range(12, 0, -1):  # |u| < 1/7: u^24 / 25 is far below the rounding
        series = (series + 2.0 / (2 * k + 1)) * u2
    with np.errstate(divide="ignore", over="ignore"):
        far = np.log(x / a) - s
    return np.where(near, u * (series - s), far)


def stirling_correction(a: np.ndarray) -> np.ndarray:
    """ln Gamma(a) - ((a - 1/2) ln a - a + ln(2 pi) / 2) for a >= 10 (below 1e-16 left out)."""
    inverse = 1.0 / a
    inverse2, total = inverse * inverse, np.zeros_like(a)
    for c in reversed(_STIRLING):
        total = total * inverse2 + c
    return total * inverse


def _until_converged(state: list[np.ndarray], step: Callable[[int, list[np.ndarray]], np.ndarray],
                     results: tuple[int, ...]) -> list[np.ndarray]:
    """Runs ``step(i, state)`` for i = 1, 2, ... on the entries whose ``step`` has not yet
    returned True, dropping each as it converges (at most ``_MAX_STEPS`` steps); the
    state arrays at ``results`` positions, in the input's order."""
    size = state[0].size
    outs = [np.empty(size) for _ in results]
    index = np.arange(size)
    for i in range(1, _MAX_STEPS):
        if index.size == 0:
            break
        done = step(i, state)
        if done.any():
            for out, k in zip(outs, results):
                out[index[done]] = state[k][done]
            keep = ~done
            index, state[:] = index[keep], [s[keep] for s in state]
    for out, k in zip(outs, results):
        out[index] = state[k]
    return outs


def lower_series(a: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(S, dS/da) for S = sum_n s_n, s_0 = 1, s_n = s_(n-1) x / (a + n):
    P(a, x) = x^a e^-x / Gamma(a + 1) S, and ds_n/da = -s_n sum_(j<=n) 1 / (a + j)."""
    ones = np.ones_like(x)
    state = [a.ravel(), x.ravel(), ones.ravel(), ones.ravel().copy(),
             np.zeros(x.size), np.zeros(x.size), np.zeros(x.size)]

    def step(n: int, s: list[np.ndarray]) -> np.ndarray:
        a_, x_, term, total, harmonic, d_total, d_term = s
        term *= x_ / (a_ + n)
        harmonic += 1.0 / (a_ + n)
        total += term
        d_term[:] = -term * harmonic
        d_total += d_term
        return (term <= _EPS * total) & (np.abs(d_term) <= _EPS * np.abs(d_total))
    total, d_total = _until_converged(state, step, (3, 5))
    return total.reshape(x.shape), d_total.reshape(x.shape)


def upper_fraction(a: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(h, dh/da) for Legendre's continued fraction h = 1 / (x + 1 - a - 1 (1 - a) /
    (x + 3 - a - 2 (2 - a) / (x + 5 - a - ...))), Q(a, x) = x^a e^-x / Gamma(a) h for
    x > a, by Lentz's method (b_i = x + 2i + 1 - a, a_i = -i (i - a)), carrying each
    quantity's derivative in a along (db_i/da = -1, da_i/da = i)."""
    b = (x + 1.0 - a).ravel()
    d = 1.0 / b
    state = [a.ravel(), b, np.full(x.size, 1.0 / _TINY), d, d.copy(),  # a b c d h
             np.zeros(x.size), d * d, d * d]  # dc, dd, dh (d(1/b)/da = 1/b^2)

    def step(i: int, s: list[np.ndarray]) -> np.ndarray:
        a_, b_, c, d_, h, dc, dd, dh = s
        a_i = -i * (i - a_)
        b_ += 2.0
        denominator = a_i * d_ + b_
        denominator = np.where(np.abs(denominator) < _TINY, _TINY, denominator)
        d_new = 1.0 / denominator
        dd[:] = -d_new * d_new * (i * d_ + a_i * dd - 1.0)
        dc[:] = -1.0 + i / c - a_i * dc / (c * c)
        c[:] = b_ + a_i / c
        c[:] = np.where(np.abs(c) < _TINY, _TINY, c)
        d_[:] = d_new
        factor, d_factor = d_ * c, dd * c + d_ * dc
        change = h * d_factor
        dh[:] = dh * factor + change
        h *= factor
        return (np.abs(factor - 1.0) <= _EPS) & (np.abs(change) <= _EPS * np.abs(dh))
    h, dh = _until_converged(state, step, (4, 7))
    return h.reshape(x.shape), dh.reshape(x.shape)


def upper_series(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """sum_(n>=1) (-x)^n / (n! (a + n)), for x <= 1.1 (Cephes' igamc_series):
    Q(a, x) = -expm1(a ln x - ln Gamma(1 + a)) - x^a / Gamma(a) times this sum."""
    state = [a.ravel(), x.ravel(), np.ones(x.size), np.zeros(x.size)]

    def step(n: int, s: list[np.ndarray]) -> np.ndarray:
        a_, x_, factor, total = s
        factor *= -x_ / n
        term = factor / (a_ + n)
        total += term
        return np.abs(term) <= _EPS * np.abs(total)
    return _until_converged(state, step, (3,))[0].reshape(x.shape)


@functools.cache
def _temme_table() -> np.ndarray:
    """d_kn (k, n < ``TEMME_ORDERS``), C_k(eta) = sum_n d_kn eta^n, exactly in fractions
    (DLMF 8.12.12 as SciPy's generator): the coefficients alpha_n of s = x/a - 1 in powers
    of eta, from s s' = eta (1 + s); d_0n = (n + 2) alpha_(n+2) (d_00 = -1/3);
    d_kn = (-1)^k g_k d_0n + (n + 2) d_(k-1)(n+2), g_k Stirling's series of Gamma."""
    orders = TEMME_ORDERS
    size = 3 * orders + 2
    alpha = [Fraction(0), Fraction(1)]
    for m in range(2, size + 1):
        cross = sum(alpha[i] * (m - i + 1) * alpha[m - i + 1] for i in range(2, m))
        alpha.append((alpha[m - 1] - cross) / (m + 1))
    bernoulli: list[Fraction] = []
    for m in range(2 * orders + 2):
        bernoulli.append(Fraction(1) if m == 0 else
                         -sum(comb(m + 1, j) * bernoulli[j] for j in range(m)) / (m + 1))
    log_terms = [Fraction(0)] * (orders + 1)  # ln of Stirling's series, in powers of 1/a
    for j in range(1, orders // 2 + 2):
        if 2 * j - 1 <= orders:
            log_terms[2 * j - 1] = bernoulli[2 * j] / (2 * j * (2 * j - 1))
    g = [Fraction(1)]
    for k in range(1, orders + 1):  # exp of a power series: k g_k = sum_m m b_m g_(k-m)
        g.append(sum(m * log_terms[m] * g[k - m] for m in range(1, k + 1)) / k)
    first = [Fraction(-1, 3)] + [(n + 2) * alpha[n + 2] for n in range(1, size - 2)]
    rows = [first]
    for k in range(1, orders):
        rows.append([(-1) ** k * g[k] * first[n] + (n + 2) * rows[-1][n + 2]
                     for n in range(len(rows[-1]) - 2)])
    return np.array([[float(v) for v in row[:orders]] for row in rows])


def _temme_eta(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """eta = sign(x - a) sqrt(-2 log1pmx), 0 at x = a."""
    return np.sign(x - a) * np.sqrt(np.maximum(-2.0 * log1pmx(x, a), 0.0))


def _temme_sums(a: np.ndarray, eta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(S, dS/deta, dS/da at fixed eta) for S = sum_k C_k(eta) a^-k, the k sum stopped
    per element before its terms start to grow (it is asymptotic); in chunks of
    ``_TEMME_CHUNK`` elements, whose (chunk, 25) tables stay small."""
    parts = [_temme_chunk(a[i:i + _TEMME_CHUNK], eta[i:i + _TEMME_CHUNK])
             for i in range(0, a.size, _TEMME_CHUNK)] or [_temme_chunk(a, eta)]
    return tuple(np.concatenate(values) for values in zip(*parts))


def _temme_chunk(a: np.ndarray, eta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``_temme_sums`` of one chunk (1-d arrays)."""
    table = _temme_table()
    powers = eta[..., None] ** np.arange(TEMME_ORDERS)
    c = powers @ table.T  # C_k(eta), k along the last axis
    dc = (powers[..., :-1] * np.arange(1, TEMME_ORDERS)) @ table[:, 1:].T
    k = np.arange(TEMME_ORDERS)
    with np.errstate(under="ignore"):
        a_power = a[..., None] ** -k.astype(np.float64)
    terms = np.abs(c * a_power)
    growing = np.cumsum(np.diff(terms, axis=-1, prepend=np.inf) > 0, axis=-1) > 0
    used = np.where(growing, 0.0, a_power)
    return ((c * used).sum(-1), (dc * used).sum(-1),
            (-k * c * used / a[..., None]).sum(-1))


def temme(a: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(P, Q) by Temme's expansion (above): each of the two to its own relative accuracy."""
    eta = _temme_eta(a, x)
    s = _temme_sums(a, eta)[0]
    scale = np.sqrt(a / 2.0)
    with np.errstate(under="ignore"):
        remainder = np.exp(a * log1pmx(x, a)) / np.sqrt(2.0 * math.pi * a) * s
    return erfc(-eta * scale) / 2.0 - remainder, erfc(eta * scale) / 2.0 + remainder


def temme_draw_derivative(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dx/da at fixed P(a, x) from Temme's expansion: -(dP/da) / (x^(a-1) e^-x / Gamma(a))
    = (x / a) e^mu(a) (s/eta - eta/2 + (s - eta^2/2 - 1/(2a)) S + dS/da), with s = x/a - 1,
    d eta/da = -s / (a eta) and mu Stirling's correction (the e^(-a eta^2/2) of P's
    derivative and of the density cancel, so nothing overflows)."""
    eta = _temme_eta(a, x)
    s = (x - a) / a
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(eta == 0, 1.0, s / eta)
    total, d_eta, d_a = _temme_sums(a, eta)
    d_total = d_eta * (-ratio / a) + d_a
    bracket = ratio - eta / 2.0 + (s - eta * eta / 2.0 - 0.5 / a) * total + d_total
    return x / a * np.exp(stirling_correction(a)) * bracket
