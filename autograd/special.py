"""PyTorch's ``torch.special`` (``autograd.special``), on the engine's differentiable ops:
``expit``/``logit``, ``xlogy``/``xlog1py``/``entr``, ``gammaln``/``digamma``/``psi``/
``polygamma`` (n <= 2)/``multigammaln``/``gammainc``/``gammaincc``, ``erf``/``erfc``/
``erfinv``/``erfcx``, ``ndtr``/``ndtri``/``log_ndtr``, ``log1p``/``expm1``/``exp2``,
``logsumexp``/``softmax``/``log_softmax``, the modified Bessel functions ``i0``/``i1`` and
their exponentially scaled ``i0e``/``i1e``; the Bessel, Airy and zeta functions of
``autograd.special_bessel`` and the orthogonal polynomials of ``special_polynomials``.
``autograd.xlogy``, ``logit``, ``mvlgamma``, ``i0``, ``polygamma``, ``igamma`` (gammainc),
``igammac`` (gammaincc) are PyTorch's top-level spellings of some, and ``special.sinc``
and ``special.round`` PyTorch's special spellings of ``autograd.sinc`` and ``round``.
The conventions are PyTorch's: xlogy(0, y) = 0 (y not NaN), entr(0) = 0 and
entr(x < 0) = -inf, logit(x, eps) clamps x to [eps, 1 - eps] first (eps < 0: no clamp;
eps > 0.5, an empty range, is refused)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .function import Function, apply
from .functions import log, log_softmax, logsumexp, sigmoid, softmax, where
from .elementwise_functions import sinc
from . import more_functions
from .more_functions import erf, erfc, erfinv, lgamma
from .more_functions import round  # noqa: A004 (torch.special.round)
from .ops import generic  # exp and log of an array or a Tensor (a VJP's)
from .ops.bessel import I0, I0e, I1, I1e
from .ops.gamma import RegularizedGammaP
from .ops.gamma_upper import RegularizedGammaQ
from .ops.special import Erfcx
from .out_argument import accepts_out
from .special_bessel import (float_pair, airy_ai, bessel_j0, bessel_j1, bessel_y0, bessel_y1,
                             modified_bessel_i0, modified_bessel_i1, modified_bessel_k0,
                             modified_bessel_k1, scaled_modified_bessel_k0,
                             scaled_modified_bessel_k1, spherical_bessel_j0, zeta)
from .special_methods import as_float, x_times
from .special_polynomials import (chebyshev_polynomial_t, chebyshev_polynomial_u,
                                  chebyshev_polynomial_v, chebyshev_polynomial_w,
                                  hermite_polynomial_h, hermite_polynomial_he,
                                  laguerre_polynomial_l, legendre_polynomial_p,
                                  shifted_chebyshev_polynomial_t,
                                  shifted_chebyshev_polynomial_u,
                                  shifted_chebyshev_polynomial_v,
                                  shifted_chebyshev_polynomial_w)
from .tensor import Tensor, as_tensor

__all__ = ["expit", "logit", "xlogy", "xlog1py", "entr", "gammaln", "digamma", "psi",
           "polygamma", "multigammaln", "gammainc", "gammaincc", "erf", "erfc", "erfinv", "erfcx",
           "ndtr", "ndtri", "log_ndtr",
           "log1p", "expm1", "exp2", "logsumexp", "softmax", "log_softmax", "mvlgamma",
           "i0", "i0e", "i1", "i1e", "sinc", "round", "igamma", "igammac",
           "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0",
           "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1",
           "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "spherical_bessel_j0",
           "airy_ai", "zeta", "chebyshev_polynomial_t", "chebyshev_polynomial_u",
           "chebyshev_polynomial_v", "chebyshev_polynomial_w",
           "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u",
           "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w",
           "hermite_polynomial_h", "hermite_polynomial_he", "laguerre_polynomial_l",
           "legendre_polynomial_p"]

_SQRT_HALF = math.sqrt(0.5)
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
_SQRT_2PI = math.sqrt(2 * math.pi)
_LOG_NDTR_ASYMPTOTIC_BELOW = -40.0  # its first term left out, 945 / x^10, is below 1e-13


def _float(x: Any) -> Tensor:
    return as_float(as_tensor(x))


@accepts_out
def expit(input: Any) -> Tensor:  # noqa: A002
    """1 / (1 + e^-x), the logistic sigmoid."""
    return sigmoid(_float(input))


@accepts_out
def logit(input: Any, eps: float | None = None) -> Tensor:  # noqa: A002
    """log(x / (1 - x)), x first clamped to [eps, 1 - eps] when ``eps`` >= 0 is given
    (eps < 0: no clamp, as PyTorch's; eps > 0.5 is a UsageError)."""
    return as_tensor(input).logit(eps)


@accepts_out
def xlogy(input: Any, other: Any) -> Tensor:  # noqa: A002
    """x log(y), 0 where x = 0 (PyTorch's and SciPy's convention, for y >= 0 too)."""
    x, y = float_pair(input, other)  # (a Python number takes the other's dtype)
    return x.xlogy(y)


@accepts_out
def xlog1py(input: Any, other: Any) -> Tensor:  # noqa: A002
    """x log(1 + y), 0 where x = 0."""
    x, y = float_pair(input, other)
    return x_times(x, log1p, y, -1.0, 0.0)


class Entr(Function):
    """out = -x ln x for x > 0, 0 at x = 0, -inf for x < 0 (NaN at NaN);
    dx = -g (1 + ln x): +inf at x = 0 (the limit), -inf at x = inf and NaN below 0, as
    PyTorch's."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            inside = -x * np.log(x)
        return np.select([x > 0, x == 0, x < 0], [inside, 0.0, -np.inf], np.nan
                         ).astype(x.dtype, copy=False)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        with np.errstate(divide="ignore", invalid="ignore"):
            return (-(g * (generic.log(x) + 1)),)


@accepts_out
def entr(input: Any) -> Tensor:  # noqa: A002
    """-x log x for x > 0, 0 at 0, -inf for x < 0 (elementwise entropy); d/dx = -(1 + ln x)."""
    return apply(Entr(), _float(input))


@accepts_out
def gammaln(input: Any) -> Tensor:  # noqa: A002
    """ln|Gamma(x)|."""
    return lgamma(_float(input))


@accepts_out
def digamma(input: Any) -> Tensor:  # noqa: A002
    """psi(x) = d ln Gamma(x) / dx (an integer or bool input as float64, as
    torch.special's; ``autograd.digamma`` keeps the README's integer rule)."""
    return more_functions.digamma(_float(input))


psi = digamma


@accepts_out
def log1p(input: Any) -> Tensor:  # noqa: A002
    """ln(1 + x), accurate for small x (an integer or bool input as float64)."""
    return more_functions.log1p(_float(input))


@accepts_out
def expm1(input: Any) -> Tensor:  # noqa: A002
    """e^x - 1, accurate for small x (an integer or bool input as float64)."""
    return more_functions.expm1(_float(input))


@accepts_out
def polygamma(n: int, input: Any) -> Tensor:  # noqa: A002
    """The n-th derivative of digamma: psi (n = 0), psi' (1), psi'' (2), and
    (-1)^(n+1) n! zeta(n + 1, x) for n >= 3."""
    return _float(input).polygamma(n)


@accepts_out
def multigammaln(input: Any, p: int) -> Tensor:  # noqa: A002
    """The multivariate log-gamma ln Gamma_p(a) = p (p - 1) / 4 ln(pi)
    + sum_{j=1..p} ln Gamma(a + (1 - j) / 2)."""
    return _float(input).mvlgamma(p)


mvlgamma = multigammaln


@accepts_out
def gammainc(input: Any, other: Any) -> Tensor:  # noqa: A002
    """P(a, x) = gamma(a, x) / Gamma(a), the regularised lower incomplete gamma function
    (the Gamma(a, 1) CDF at x); differentiable in x only, as PyTorch's."""
    return apply(RegularizedGammaP(), *float_pair(input, other))


igamma = gammainc  # torch.igamma(a, x)


@accepts_out
def gammaincc(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Q(a, x) = 1 - P(a, x), the regularised upper incomplete gamma function, computed
    directly (a tiny Q keeps its digits); differentiable in x only, as PyTorch's."""
    return apply(RegularizedGammaQ(), *float_pair(input, other))


@accepts_out
def erfcx(input: Any) -> Tensor:  # noqa: A002
    """The scaled complementary error function e^{x^2} erfc(x), without overflow for large
    x (~ 1 / (x sqrt(pi))); d/dx = 2 x erfcx(x) - 2 / sqrt(pi)."""
    return apply(Erfcx(), _float(input))


@accepts_out
def ndtr(input: Any) -> Tensor:  # noqa: A002
    """The standard normal CDF, (1 + erf(x / sqrt 2)) / 2 = erfc(-x / sqrt 2) / 2."""
    return 0.5 * erfc(-_float(input) * _SQRT_HALF)


# Wichura's AS 241 (PPND16): the normal quantile as ratios of degree-7 polynomials in
# r = 0.180625 - q^2 (q = p - 1/2, |q| <= 0.425) and in r = sqrt(-ln min(p, 1 - p)) - 1.6
# (r <= 5) or - 5 beyond; relative error about 1e-16. Coefficients from degree 0 up.
_AS241_CENTRAL = ((3.3871328727963666080, 133.14166789178437745, 1971.5909503065514427,
                   13731.693765509461125, 45921.953931549871457, 67265.770927008700853,
                   33430.575583588128105, 2509.0809287301226727),
                  (1.0, 42.313330701600911252, 687.18700749205790830, 5394.1960214247511077,
                   21213.794301586595867, 39307.895800092710610, 28729.085735721942674,
                   5226.4952788528545610))
_AS241_NEAR = ((1.42343711074968357734, 4.63033784615654529590, 5.76949722146069140550,
                3.64784832476320460504, 1.27045825245236838258, 0.241780725177450611770,
                0.0227238449892691845833, 7.74545014278341407640e-4),
               (1.0, 2.05319162663775882187, 1.67638483018380384940, 0.689767334985100004550,
                0.148103976427480074590, 0.0151986665636164571966, 5.47593808499534494600e-4,
                1.05075007164441684324e-9))
_AS241_FAR = ((6.65790464350110377720, 5.46378491116411436990, 1.78482653991729133580,
               0.296560571828504891230, 0.0265321895265761230930, 0.00124266094738807843860,
               2.71155556874348757815e-5, 2.01033439929228813265e-7),
              (1.0, 0.599832206555887937690, 0.136929880922735805310,
               0.0148753612908506148525, 7.86869131145613259100e-4, 1.84631831751005468180e-5,
               1.42151175831644588870e-7, 2.04426310338993978564e-15))


def _ratio(coefficients: tuple[tuple[float, ...], ...], r: np.ndarray) -> np.ndarray:
    """numerator(r) / denominator(r), both given from degree 0 up."""
    numerator, denominator = coefficients
    return np.polyval(numerator[::-1], r) / np.polyval(denominator[::-1], r)


def ndtri_values(p: np.ndarray) -> np.ndarray:
    """The x with Phi(x) = p (AS 241, in float64) in p's float dtype: -inf at 0, inf at 1,
    NaN outside [0, 1]. The tails take ln p (or ln(1 - p)) of p itself, so a tiny p keeps
    its digits (2 p - 1 would lose them)."""
    p64 = np.asarray(p, dtype=np.float64)
    q = p64 - 0.5
    with np.errstate(divide="ignore", invalid="ignore"):
        central = q * _ratio(_AS241_CENTRAL, 0.180625 - q * q)
        r = np.sqrt(-np.log(np.minimum(p64, 1.0 - p64)))
        tail = np.where(r <= 5.0, _ratio(_AS241_NEAR, r - 1.6), _ratio(_AS241_FAR, r - 5.0))
    out = np.select([np.abs(q) <= 0.425, (p64 > 0) & (p64 < 1), p64 == 0, p64 == 1],
                    [central, np.copysign(tail, q), -np.inf, np.inf], np.nan)
    return out.astype(np.result_type(p, np.float16), copy=False)


class Ndtri(Function):
    """out = Phi^-1(p), the standard normal quantile;  dp = g sqrt(2 pi) e^(out^2 / 2)
    (1 / Phi'(out); inf at p = 0 and 1, NaN outside [0, 1])."""
    __slots__ = ()
    save_inputs = False
    save_output = True

    def forward(self, p: np.ndarray) -> np.ndarray:
        return ndtri_values(p)

    def vjp(self, g: Any, out: Any, p: Any) -> tuple:
        with np.errstate(over="ignore"):
            return (g * _SQRT_2PI * generic.exp(out * out / 2),)


@accepts_out
def ndtri(input: Any) -> Tensor:  # noqa: A002
    """The standard normal quantile Phi^-1(p) (``Ndtri``; sqrt(2) erfinv(2 p - 1) in
    exact arithmetic)."""
    return apply(Ndtri(), _float(input))


@accepts_out
def log_ndtr(input: Any) -> Tensor:  # noqa: A002
    """log of the standard normal CDF Phi(x), with relative accuracy everywhere (as
    PyTorch's): log1p(-erfc(x / sqrt 2) / 2) for x >= 0 (tiny where Phi is near 1);
    log(erfcx(-x / sqrt 2) / 2) - x^2 / 2 for -40 <= x < 0 (erfc would underflow, in
    float32 from x = -14); below -40 the asymptotic -x^2/2 - log(-x) - log(sqrt(2 pi))
    + log(1 - 1/x^2 + 3/x^4 - 15/x^6 + 105/x^8). float16 is computed in float32."""
    given = _float(input)
    x = given.astype(np.float32) if given.dtype == np.float16 else given
    far, positive = x.data < _LOG_NDTR_ASYMPTOTIC_BELOW, x.data >= 0

    def inside(branch: np.ndarray, value: float) -> Tensor:
        return where(branch, x, np.full((), value, dtype=x.dtype))  # finite elsewhere
    near_one = log1p(-0.5 * erfc(inside(positive, 0.0) * _SQRT_HALF))
    xm = inside(~far & ~positive, -1.0)
    scaled = log(0.5 * apply(Erfcx(), -xm * _SQRT_HALF)) - 0.5 * xm * xm
    xf = inside(far, -30.0)
    inv2 = 1 / (xf * xf)
    series = 1 - inv2 * (1 - inv2 * (3 - inv2 * (15 - 105 * inv2)))
    tail = -0.5 * xf * xf - log(-xf) - _HALF_LOG_2PI + log(series)
    out = where(positive, near_one, where(far, tail, scaled))
    return out.astype(np.float16) if given.dtype == np.float16 else out


@accepts_out
def exp2(input: Any) -> Tensor:  # noqa: A002
    """2^x."""
    return 2.0 ** _float(input)


@accepts_out
def i0(input: Any) -> Tensor:  # noqa: A002
    """I0(x) = sum_k (x/2)^2k / (k!)^2, the modified Bessel function of order 0; d/dx = I1."""
    return apply(I0(), _float(input))


@accepts_out
def i0e(input: Any) -> Tensor:  # noqa: A002
    """e^-|x| I0(x), which does not overflow; d/dx = i1e(x) - sign(x) i0e(x)."""
    return apply(I0e(), _float(input))


@accepts_out
def i1(input: Any) -> Tensor:  # noqa: A002
    """I1(x) = sum_k (x/2)^(2k+1) / (k! (k+1)!); d/dx = I0(x) - I1(x) / x (1/2 at 0)."""
    return apply(I1(), _float(input))


@accepts_out
def i1e(input: Any) -> Tensor:  # noqa: A002
    """e^-|x| I1(x); d/dx = i0e(x) - i1e(x) (sign(x) + 1/x) (1/2 at 0)."""
    return apply(I1e(), _float(input))


igammac = gammaincc  # torch.igammac(a, x)
