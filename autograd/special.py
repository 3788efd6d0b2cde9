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
entr(x < 0) = -inf, logit(x, eps) clamps x to [eps, 1 - eps] first."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .function import apply
from .functions import log, log_softmax, logsumexp, sigmoid, softmax, where
from .elementwise_functions import sinc
from .more_functions import digamma, erf, erfc, erfinv, expm1, lgamma, log1p
from .more_functions import round  # noqa: A004 (torch.special.round)
from .ops.bessel import I0, I0e, I1, I1e
from .ops.gamma import RegularizedGammaP
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


def _float(x: Any) -> Tensor:
    return as_float(as_tensor(x))


@accepts_out
def expit(input: Any) -> Tensor:  # noqa: A002
    """1 / (1 + e^-x), the logistic sigmoid."""
    return sigmoid(_float(input))


@accepts_out
def logit(input: Any, eps: float | None = None) -> Tensor:  # noqa: A002
    """log(x / (1 - x)), x first clamped to [eps, 1 - eps] when ``eps`` is given."""
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
    return x_times(x, log1p, y, -1.0)


@accepts_out
def entr(input: Any) -> Tensor:  # noqa: A002
    """-x log x for x > 0, 0 at 0, -inf for x < 0 (elementwise entropy)."""
    x = _float(input)
    negative = x.data < 0
    value = -xlogy(x, where(negative, np.ones((), dtype=x.dtype), x))
    return where(negative, np.full((), -np.inf, dtype=x.dtype), value)


@accepts_out
def gammaln(input: Any) -> Tensor:  # noqa: A002
    """ln|Gamma(x)|."""
    return lgamma(_float(input))


psi = digamma


@accepts_out
def polygamma(n: int, input: Any) -> Tensor:  # noqa: A002
    """The n-th derivative of digamma: psi (n = 0), psi' (1), psi'' (2), and
    (-1)^(n+1) n! zeta(n + 1, x) for n >= 3."""
    return _float(input).polygamma(n)


@accepts_out
def multigammaln(input: Any, p: int) -> Tensor:  # noqa: A002
    """The multivariate log-gamma ln Gamma_p(a) = p (p - 1) / 4 ln(pi)
    + sum_{j=1..p} ln Gamma(a + (1 - j) / 2)."""
    a = _float(input)
    total = sum(lgamma(a + (1 - j) / 2) for j in range(1, p + 1))
    return total + p * (p - 1) / 4 * math.log(math.pi)


mvlgamma = multigammaln


@accepts_out
def gammainc(input: Any, other: Any) -> Tensor:  # noqa: A002
    """P(a, x) = gamma(a, x) / Gamma(a), the regularised lower incomplete gamma function
    (the Gamma(a, 1) CDF at x); differentiable in x only, as PyTorch's."""
    return apply(RegularizedGammaP(), *float_pair(input, other))


igamma = gammainc  # torch.igamma(a, x)


@accepts_out
def gammaincc(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Q(a, x) = 1 - P(a, x) (accurate in absolute terms: a tiny Q loses its digits)."""
    return 1 - gammainc(input, other)


@accepts_out
def erfcx(input: Any) -> Tensor:  # noqa: A002
    """The scaled complementary error function e^{x^2} erfc(x), without overflow for large
    x (~ 1 / (x sqrt(pi))); d/dx = 2 x erfcx(x) - 2 / sqrt(pi)."""
    return apply(Erfcx(), _float(input))


@accepts_out
def ndtr(input: Any) -> Tensor:  # noqa: A002
    """The standard normal CDF, (1 + erf(x / sqrt 2)) / 2 = erfc(-x / sqrt 2) / 2."""
    return 0.5 * erfc(-_float(input) * _SQRT_HALF)


@accepts_out
def ndtri(input: Any) -> Tensor:  # noqa: A002
    """The standard normal quantile sqrt(2) erfinv(2 p - 1)."""
    return math.sqrt(2) * erfinv(2 * _float(input) - 1)


@accepts_out
def log_ndtr(input: Any) -> Tensor:  # noqa: A002
    """log of the standard normal CDF: log(erfc(-x / sqrt 2) / 2), and below x = -20 (where
    erfc underflows) the asymptotic -x^2/2 - log(-x) - log(sqrt(2 pi))
    + log(1 - 1/x^2 + 3/x^4 - 15/x^6 + 105/x^8)."""
    x = _float(input)
    far = x.data < -20
    direct = log(0.5 * erfc(-where(far, np.zeros((), dtype=x.dtype), x) * _SQRT_HALF))
    xf = where(far, x, np.full((), -30.0, dtype=x.dtype))
    inv2 = 1 / (xf * xf)
    series = 1 - inv2 * (1 - inv2 * (3 - inv2 * (15 - 105 * inv2)))
    tail = -0.5 * xf * xf - log(-xf) - _HALF_LOG_2PI + log(series)
    return where(far, tail, direct)


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
