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

from .errors import ShapeError, UsageError
from .function import apply
from .ops.bessel import I0
from .ops.gamma import Digamma, RegularizedGammaP, Tetragamma, Trigamma
from .ops.special_values import zeta
from .tensor_math import where

__all__ = ["SpecialMethods", "x_times", "as_float"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


def as_float(x: AnyTensor) -> AnyTensor:
    """``x`` itself if it is floating, else x as float64 (integer and bool inputs)."""
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def x_times(x: AnyTensor, f_of_y: Callable[[Any], Any], y: AnyTensor, pole: float) -> Any:
    """x f(y), 0 where x = 0 and y <= ``pole`` (where f is -inf or NaN), as PyTorch's:
    there the gradient in x is 0 too, elsewhere f(y)."""
    try:
        at_pole = (x.data == 0) & (y.data <= pole)
    except ValueError:  # NumPy's message for shapes that do not broadcast
        raise ShapeError(f"x * f(y): shapes {x.shape} and {y.shape} do not broadcast") \
            from None
    return x * f_of_y(where(at_pole, np.ones((), dtype=y.dtype), y))


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
        """log(x / (1 - x)), x first clamped to [eps, 1 - eps] when ``eps`` is given."""
        x = as_float(self)
        if eps is not None:
            x = x.clip(eps, 1 - eps)
        return x.log() - (-x).log1p()

    def logit_(self, eps: float | None = None) -> AnyTensor:
        """self = logit(self, eps), in place."""
        return self._math_("logit", eps)

    def xlogy(self, other: Any) -> AnyTensor:
        """self log(other), 0 where self = 0 (PyTorch's and SciPy's convention)."""
        return x_times(as_float(self), lambda y: y.log(), as_float(self._pair(other)[1]), 0.0)

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
        formula), differentiable through zeta's derivative in q (which gives psi^(n+1))."""
        if n < 0:
            raise UsageError(f"polygamma: order n={n!r}; n must be >= 0 (PyTorch's "
                             f"\"does not support negative n\")")
        x = as_float(self)
        orders = (Digamma, Trigamma, Tetragamma)
        if n < len(orders):
            return apply(orders[n](), x)
        order = self._lift(np.asarray(n + 1.0, dtype=x.dtype))
        return (-1.0) ** (n + 1) * math.factorial(n) * zeta(order, x)

    def polygamma_(self, n: int) -> AnyTensor:
        """self = polygamma(n, self), in place."""
        return self._math_("polygamma", n)

    def mvlgamma(self, p: int) -> AnyTensor:
        """ln Gamma_p(a) = p (p - 1) / 4 ln(pi) + sum_{j=1..p} ln Gamma(a + (1 - j) / 2)."""
        a = as_float(self)
        total = sum(((a + (1 - j) / 2).lgamma() for j in range(1, p + 1)))
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
        """Q(a, x) = 1 - P(a, x), the regularised upper incomplete gamma function."""
        return 1 - self.igamma(other)

    def igammac_(self, other: Any) -> AnyTensor:
        """self = igammac(self, other), in place."""
        return self._math_("igammac", other)
