"""``SpecialMethods`` (a mixin of ``Tensor``): PyTorch's methods ``logit``, ``xlogy``, ``i0``
(the modified Bessel function ``ops.bessel.I0``), ``polygamma``, ``mvlgamma``, ``igamma``
and ``igammac`` (the regularised incomplete gamma functions ``ops.gamma``),
and the in-place forms of these and of ``remainder`` and ``fmod`` (whose methods are in
``elementwise_methods``). ``autograd.logit`` and ``autograd.xlogy`` (``special``) run
the methods, and ``x_times`` is xlogy's rule for them and for ``xlog1py``."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from . import zeta_arrays
from ._arrays import int_argument
from .errors import ShapeError, UsageError
from .function import Function, apply
from .ops.bessel import I0
from .ops.gamma import Digamma, RegularizedGammaP, Tetragamma, Trigamma
from .ops.gamma_upper import RegularizedGammaQ
from .ops.generic import is_tensor
from .ops.special_values import zeta
from .tensor_math import where

__all__ = ["SpecialMethods", "ZeroTimes", "LargeOrderPolygamma", "x_times", "as_float",
           "float_operands"]

_LARGEST_FLOAT_FACTORIAL = 170  # 171! overflows float64

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


def as_float(x: AnyTensor) -> AnyTensor:
    """``x`` itself if it is floating, else x as float64 (integer and bool inputs)."""
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def float_operands(x: AnyTensor, y: AnyTensor) -> tuple[AnyTensor, AnyTensor]:
    """x and y cast to the float dtype they promote to (NumPy's promotion, float64 for two
    integer or bool ones): the dtype of the result of a float op of the two, in which
    both are then computed (not int8 squared in int8, nor a log taken in float16 for a
    float32 result)."""
    dtype = np.promote_types(x.dtype, y.dtype)
    dtype = dtype if dtype.kind == "f" else np.dtype(np.float64)
    return x if x.dtype == dtype else x.astype(dtype), y if y.dtype == dtype else y.astype(dtype)


class ZeroTimes(Function):
    """out = x f, but 0 where x = 0 and f is not NaN (0 times an infinite f too: PyTorch's
    xlogy(0, y) = 0);  dx = g f (infinite where f is), df = g x."""
    __slots__ = ()

    def forward(self, x: np.ndarray, f: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):  # 0 * inf, replaced below
            product = np.multiply(x, f)
        return np.where((x == 0) & ~np.isnan(f), np.zeros((), product.dtype), product)

    def vjp(self, g: Any, out: Any, x: Any, f: Any) -> tuple:
        return g * f, g * x


def x_times(x: AnyTensor, f_of_y: Callable[[Any], Any], y: AnyTensor, pole: float,
            root: float) -> Any:
    """x f(y) as PyTorch's xlogy and xlog1py: 0 where x = 0 (y not NaN), also where f(y)
    is infinite. d/dx = f(y), but 0 at f's pole (x = 0 and y <= ``pole``, where f is -inf
    or NaN: y is replaced there by f's ``root``, where f = 0); d/dy = x f'(y)."""
    try:
        at_pole = (x.data == 0) & (y.data <= pole)
    except ValueError:  # NumPy's message for shapes that do not broadcast
        raise ShapeError(f"x * f(y): shapes {x.shape} and {y.shape} do not broadcast") \
            from None
    return apply(ZeroTimes(), x, f_of_y(where(at_pole, np.asarray(root, y.dtype), y)))


def _large_order_values(n: int, x: np.ndarray) -> np.ndarray:
    """psi^(n)(x) = (-1)^(n+1) n! zeta(n + 1, x) in float64, then in x's dtype: in logs
    for 0 < x < inf (``_positive_magnitudes``), else zeta times n! in finite factors."""
    x64 = np.array(x, dtype=np.float64, ndmin=1)
    out = np.empty_like(x64)
    positive = (x64 > 0) & (x64 < np.inf)
    out[positive] = _positive_magnitudes(n, x64[positive])
    out[~positive] = _factored_magnitudes(n, x64[~positive])
    out = ((-1.0) ** (n + 1) * out).reshape(np.shape(x))
    with np.errstate(over="ignore"):  # float32: inf where the value passes 3.4e38
        return out.astype(np.result_type(x, np.float16), copy=False)


def _positive_magnitudes(n: int, x: np.ndarray) -> np.ndarray:
    """n! zeta(n + 1, x) = exp(ln n! - (n + 1) ln x + ln(x^(n+1) zeta(n + 1, x))) for
    0 < x < inf: finite where it is, also where zeta(n + 1, x) alone underflows (n = 200,
    x = 50: zeta ~ 1e-342, the product ~ 2.6e33); inf where it overflows."""
    scaled = zeta_arrays.scaled_hurwitz_zeta(np.float64(n + 1.0), x)
    with np.errstate(over="ignore"):
        return np.exp(math.lgamma(n + 1.0) - (n + 1.0) * np.log(x) + np.log(scaled))


def _factored_magnitudes(n: int, x: np.ndarray) -> np.ndarray:
    """n! zeta(n + 1, x) for x <= 0, inf or NaN (inf, NaN or huge there), n! applied as
    factors e^(ln n! / k) that are finite (each product is finite where the result is)."""
    out = zeta_arrays.hurwitz_zeta(np.float64(n + 1.0), x)
    log_factorial = math.lgamma(n + 1.0)
    steps = math.ceil(log_factorial / 700.0)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            out = out * math.exp(log_factorial / steps)
    return out


class LargeOrderPolygamma(Function):
    """out = psi^(n)(x) = (-1)^(n+1) n! zeta(n + 1, x) for n > 170, where n! overflows
    (a product of zeta and n! built of ops would carry an infinite n! into the VJP);
    dx = g psi^(n+1)(x), itself this op when recorded."""
    __slots__ = ("n",)

    def __init__(self, n: int) -> None:
        self.n = n

    def forward(self, x: np.ndarray) -> np.ndarray:
        return _large_order_values(self.n, x)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        if is_tensor(x):
            return (g * apply(LargeOrderPolygamma(self.n + 1), x),)
        return (g * _large_order_values(self.n + 1, x),)


def _logit_eps(eps: Any) -> float | None:
    """logit's ``eps`` as a float: None, or a real number (a 0-d real tensor too, as
    PyTorch takes one) <= 0.5; a bool, NaN, a string or a list is a ``UsageError``, and so
    is eps > 0.5, whose clamp range [eps, 1 - eps] is empty (PyTorch's result there
    depends on the order of its two comparisons)."""
    if eps is None:
        return None
    array = np.asarray(eps)  # (a Tensor gives its array)
    if isinstance(eps, (bool, np.bool_)) or array.ndim or array.dtype.kind not in "iuf" \
            or getattr(eps, "requires_grad", False):
        raise UsageError(f"logit: eps must be a real number (a float, as PyTorch's; not a "
                         f"tensor that requires grad) or None; got {type(eps).__name__} "
                         f"{eps!r}")
    value = float(array)
    if not value <= 0.5:
        raise UsageError(f"logit: eps={value!r}; x is clamped to [eps, 1 - eps], which is "
                         f"empty for eps > 0.5 (and undefined for NaN): pass eps in "
                         f"[0, 0.5], or eps < 0 or None for no clamp")
    return value


class SpecialMethods:
    """``logit xlogy i0 polygamma mvlgamma igamma igammac`` and their in-place forms, and
    ``remainder_ fmod_``."""

    __slots__ = ()

    def remainder_(self, other: Any) -> AnyTensor:
        """self = self % other, in place."""
        return self._math_("remainder", other)

    def fmod_(self, other: Any) -> AnyTensor:
        """self = fmod(self, other), in place."""
        return self._math_("fmod", other)

    def logit(self, eps: float | None = None) -> AnyTensor:
        """log(x / (1 - x)), x first clamped to [eps, 1 - eps] when ``eps`` >= 0 is
        given; d/dx = 1 / (x (1 - x)) (0 where clamped). Without eps or with eps < 0
        (PyTorch's: no clamp), x outside [0, 1] gives NaN, and a NaN gradient, as
        PyTorch's (1 / x + 1 / (1 - x) would be finite there). eps > 0.5 (an empty
        range) is a UsageError."""
        x = as_float(self)
        eps = _logit_eps(eps)
        if eps is not None and eps >= 0:  # a NaN keeps a NaN gradient (clip's would be 0)
            nan = np.isnan(x.data)
            if nan.any():
                x = x * np.where(nan, np.nan, 1.0).astype(x.dtype)
            x = x.clip(eps, 1 - eps)
        else:
            outside = (x.data < 0) | (x.data > 1)
            x = x * np.where(outside, np.nan, 1.0).astype(x.dtype)
        return x.log() - (-x).log1p()

    def logit_(self, eps: float | None = None) -> AnyTensor:
        """self = logit(self, eps), in place."""
        return self._math_("logit", eps)

    def xlogy(self, other: Any) -> AnyTensor:
        """self log(other), 0 where self = 0 (PyTorch's and SciPy's convention), in the
        float dtype the two promote to."""
        x, y = float_operands(*self._pair(other))
        return x_times(x, lambda y: y.log(), y, 0.0, 1.0)

    def xlogy_(self, other: Any) -> AnyTensor:
        """self = xlogy(self, other), in place."""
        return self._math_("xlogy", other)

    def i0(self) -> AnyTensor:
        """I0(x), the modified Bessel function of the first kind of order 0."""
        return apply(I0(), as_float(self))

    def i0_(self) -> AnyTensor:
        """self = I0(self), in place."""
        return self._math_("i0")

    def polygamma(self, n: int) -> AnyTensor:
        """The n-th derivative of digamma, ``torch.polygamma(n, self)``: its own ops for
        n = 0, 1, 2, and psi^(n)(x) = (-1)^(n+1) n! zeta(n + 1, x) above (PyTorch's
        formula), differentiable through zeta's derivative in q (which gives psi^(n+1)).
        Past n = 170, where n! overflows, ``LargeOrderPolygamma``: finite where the
        product is, also where zeta(n + 1, x) alone underflows (PyTorch's is inf there,
        or NaN)."""
        n = int_argument("polygamma", "n", n)
        if n < 0:
            raise UsageError(f"polygamma: order n={n!r}; n must be >= 0 (PyTorch's "
                             f"\"does not support negative n\")")
        x = as_float(self)
        orders = (Digamma, Trigamma, Tetragamma)
        if n < len(orders):
            return apply(orders[n](), x)
        if n > _LARGEST_FLOAT_FACTORIAL:
            return apply(LargeOrderPolygamma(n), x)
        series = zeta(self._lift(np.asarray(n + 1.0, dtype=x.dtype)), x)
        return (-1.0) ** (n + 1) * math.factorial(n) * series

    def polygamma_(self, n: int) -> AnyTensor:
        """self = polygamma(n, self), in place."""
        return self._math_("polygamma", n)

    def mvlgamma(self, p: int) -> AnyTensor:
        """ln Gamma_p(a) = p (p - 1) / 4 ln(pi) + sum_{j=1..p} ln Gamma(a + (1 - j) / 2),
        for an integer p >= 1."""
        p = int_argument("mvlgamma", "p", p)
        if p < 1:
            raise UsageError(f"mvlgamma: p={p!r}; p must be >= 1 (PyTorch's \"p has to be "
                             f"greater than or equal to 1\"): the dimension of the "
                             f"multivariate gamma function")
        a = as_float(self)
        total = sum(((a + (1 - j) / 2).lgamma() for j in range(2, p + 1)), a.lgamma())
        return total + p * (p - 1) / 4 * math.log(math.pi)

    def mvlgamma_(self, p: int) -> AnyTensor:
        """self = mvlgamma(self, p), in place."""
        return self._math_("mvlgamma", p)

    def igamma(self, other: Any) -> AnyTensor:
        """P(a, x) = gamma(a, x) / Gamma(a) with a = self, x = other (differentiable in x)."""
        return apply(RegularizedGammaP(), as_float(self), as_float(self._pair(other)[1]))

    def igamma_(self, other: Any) -> AnyTensor:
        """self = igamma(self, other), in place."""
        return self._math_("igamma", other)

    def igammac(self, other: Any) -> AnyTensor:
        """Q(a, x) = 1 - P(a, x), the regularised upper incomplete gamma function, computed
        directly (a tiny Q keeps its digits)."""
        return apply(RegularizedGammaQ(), as_float(self), as_float(self._pair(other)[1]))

    def igammac_(self, other: Any) -> AnyTensor:
        """self = igammac(self, other), in place."""
        return self._math_("igammac", other)
