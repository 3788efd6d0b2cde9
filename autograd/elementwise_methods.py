"""PyTorch's elementwise methods that NumPy's ndarray lacks or names otherwise, composed of
the engine's differentiable ops: ``sinc hypot logaddexp logaddexp2 exp2 trunc fix frac
remainder fmod copysign deg2rad rad2deg sgn`` (``LogAddExp``, ``LogAddExp2`` and
``Copysign`` are ops of their own, twice differentiable as PyTorch's). SIREN variants
and sinc-activated networks write ``torch.sinc(w * x)``, soft-DTW's soft minimum
``torch.logaddexp``, particle codes ``torch.hypot(dx, dy)`` and ``torch.remainder(x,
box)``. The functions of the same names are in ``elementwise_functions.py``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .dtype_refusals import refuse_bool_input, require_float_result
from .float_only import require_float
from .function import Function, apply
from .ops.arithmetic import broadcasting
from .ops.elementwise import Sigmoid
from .ops.generic import constant, is_tensor, where
from .ops.special import Fmod, Trunc
from .ops.trig import Hypot
from .special_methods import float_operands

__all__ = ["ElementwiseMethods", "LogAddExp", "LogAddExp2", "Copysign"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class
_SINC_SERIES_BELOW = 0.5
_SINC_SERIES_TERMS = 7


def _sigmoid(z: Any) -> Any:
    """1 / (1 + e^-z) of an array, or of a Tensor (then differentiable)."""
    return z.sigmoid() if is_tensor(z) else Sigmoid().forward(z)


class LogAddExp(Function):
    """out = log(e^x + e^y) (NumPy's logaddexp: no overflow, exact for a tiny e^-|x - y|);
    dx = g sigmoid(x - y), dy = g sigmoid(y - x), smooth in x and y, so that the second
    derivative at x == y is sigmoid' (0) = 1/4. Two equal infinities (soft-DTW's table
    borders) share the gradient, 1/2 each, where x - y would be inf - inf."""
    __slots__ = ()
    ufunc = staticmethod(np.logaddexp)
    scale = 1.0  # d out / dx = sigmoid(scale (x - y))

    def forward(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):  # NumPy warns at two equal infinities
            return broadcasting(self.ufunc.__name__, self.ufunc, x, y)

    def vjp(self, g: Any, out: Any, x: Any, y: Any) -> tuple:
        x_values, y_values = constant(x), constant(y)
        equal_infinities = (x_values == y_values) & np.isinf(x_values)
        with np.errstate(invalid="ignore"):  # inf - inf, replaced by 0 below
            difference = where(equal_infinities, 0.0, (x - y) * self.scale)
        dx = g * _sigmoid(difference) if self.needs_input_grad[0] else None
        dy = g * _sigmoid(-difference) if self.needs_input_grad[1] else None
        return dx, dy


class LogAddExp2(LogAddExp):
    """out = log2(2^x + 2^y) (NumPy's logaddexp2);  dx = g sigmoid((x - y) ln 2), so the
    second derivative at x == y is ln 2 / 4."""
    __slots__ = ()
    ufunc = staticmethod(np.logaddexp2)
    scale = math.log(2.0)


class Copysign(Function):
    """out = |x| with y's sign (-0.0 counts as negative);  dx = g sign(x) s(y), s(y) = -1
    where y's sign bit is set, else 1 (0 at x = 0);  dy = 0, as PyTorch's (out depends on
    y, so it requires grad when y does). Under ``create_graph`` dx is recorded through
    sign(x), whose derivative is 0: a second derivative is 0, as PyTorch's."""
    __slots__ = ()

    def forward(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return broadcasting("copysign", np.copysign, x, y)

    def vjp(self, g: Any, out: Any, x: Any, y: Any) -> tuple:
        y_sign = np.where(np.signbit(constant(y)), -1.0, 1.0).astype(constant(y).dtype)
        x_sign = x.sign() if is_tensor(x) else np.sign(x)
        dx = g * (x_sign * y_sign) if self.needs_input_grad[0] else None
        dy = g * np.zeros_like(y_sign) if self.needs_input_grad[1] else None
        return dx, dy


class ElementwiseMethods:
    """PyTorch's elementwise methods missing from NumPy's names (a Tensor mixin)."""

    __slots__ = ()

    def sinc(self) -> AnyTensor:
        """The normalised sinc, sin(s) / s with s = pi x, 1 at x = 0. Below |s| = 1/2 it
        is the Taylor series 1 + sum_{k=1..7} (-1)^k s^2k / (2k+1)! (the first term left
        out is below 1e-19), so that its derivatives near 0 are exact: no 0 / 0, nor the
        cancellation of cos(s)/s - sin(s)/s^2; d/dx = 0 and d2/dx2 = -pi^2/3 at 0.
        float16 is computed in float32 (pi x rounded to float16 would be off by 1e-3 near
        the zeros), as PyTorch's."""
        if self.dtype == np.float16:
            return self.astype(np.float32).sinc().astype(np.float16)
        s = self * math.pi
        near = s.abs() < _SINC_SERIES_BELOW
        square = s.where(near, 0.0) ** 2
        series = 0.0
        for k in range(_SINC_SERIES_TERMS, 0, -1):  # Horner in s^2
            series = (series + (-1) ** k / math.factorial(2 * k + 1)) * square
        far = s.where(~near, 1.0)  # no 0 / 0 in the branch not taken
        return (1 + series).where(near, far.sin() / far)

    def hypot(self, other: Any) -> AnyTensor:
        """sqrt(x^2 + y^2), broadcast, in the float dtype x and y promote to, without
        overflow or underflow of the squares (``ops.trig.Hypot``); d/dx = x / out (NaN at
        x = y = 0, as PyTorch's). Two integer or bool operands are a DTypeError, as PyTorch's."""
        return apply(Hypot(), *float_operands(*_float_pair("hypot", self, other)))

    def logaddexp(self, other: Any) -> AnyTensor:
        """log(e^x + e^y) = max(x, y) + log1p(e^-|x - y|), broadcast, without overflow
        and exact for a tiny e^-|x - y|; two equal infinities give that infinity (soft-DTW's
        table borders); d/dx = sigmoid(x - y) = e^(x - out), twice differentiable also at
        x == y (``LogAddExp``). Computed in the float dtype x and y promote to; two
        integer or bool operands are a DTypeError, as PyTorch's."""
        return apply(LogAddExp(), *float_operands(*_float_pair("logaddexp", self, other)))

    def logaddexp2(self, other: Any) -> AnyTensor:
        """log2(2^x + 2^y) = logaddexp(x ln 2, y ln 2) / ln 2, in the float dtype x and y
        promote to, by NumPy's logaddexp2 (``LogAddExp2``); two integer or bool operands
        are a DTypeError, as PyTorch's."""
        return apply(LogAddExp2(), *float_operands(*_float_pair("logaddexp2", self, other)))

    def exp2(self) -> AnyTensor:
        """2^x; d/dx = 2^x ln 2."""
        return (self * math.log(2.0)).exp()

    def trunc(self) -> AnyTensor:
        """x rounded towards zero (gradient 0, as ``floor``'s, also at NaN); an integer
        tensor is already whole: a copy, of its dtype; a bool one is a DTypeError, as
        PyTorch's (``ops.special.Trunc``)."""
        return apply(Trunc(), self)

    def fix(self) -> AnyTensor:
        """``trunc``: x rounded towards zero."""
        refuse_bool_input("fix", self.dtype, "A mask is already whole: use x, or x.long().")
        return self.trunc()

    def frac(self) -> AnyTensor:
        """x - trunc(x), with x's sign; gradient 1. Of float tensors only, as PyTorch's
        (an integer's is 0 throughout): else a DTypeError."""
        require_float("frac", input=self)
        return self - self.trunc().detach()

    def remainder(self, other: Any) -> AnyTensor:
        """x - y floor(x / y), with y's sign (Python's ``%``; ``fmod`` takes x's)."""
        return self % other

    def fmod(self, other: Any) -> AnyTensor:
        """x - y trunc(x / y), with x's sign (C's fmod)."""
        return apply(Fmod(), *self._pair(other))

    def copysign(self, other: Any) -> AnyTensor:
        """|x| with y's sign (y = -0.0 counts as negative); gradient sign(x) sign-of-y for
        x (0 at x = 0) and 0 for y (``Copysign``). The result has the dtype the two
        promote to, a float one (for integer tensors the default float64), as PyTorch's."""
        return apply(Copysign(), *float_operands(*self._pair(other)))

    def deg2rad(self) -> AnyTensor:
        """Degrees to radians: x pi / 180."""
        return self * (math.pi / 180.0)

    def rad2deg(self) -> AnyTensor:
        """Radians to degrees: x 180 / pi."""
        return self * (180.0 / math.pi)

    def sgn(self) -> AnyTensor:
        """The sign, -1, 0 or 1 (``sign``; PyTorch's sgn differs only for complex tensors,
        which this library has not)."""
        return self.sign()


def _float_pair(op: str, x: AnyTensor, other: Any) -> tuple[AnyTensor, AnyTensor]:
    """x and other as two tensors (``x._pair``), refused unless one is a float (a Python
    float too): PyTorch's ``op`` has no integer kernel."""
    pair = x._pair(other)
    require_float_result(op, *pair)
    return pair
