"""``ElementwiseMoreMethods`` (a Tensor mixin): PyTorch's ``floor_divide``, ``fmax`` /
``fmin`` (maximum and minimum that skip NaN), ``nextafter`` and ``frexp``, and the
in-place forms PyTorch programs call of elementwise methods that exist here
(``x.erf_()``, ``x.log1p_()``, ``x.nan_to_num_()``...), each written into self as
``InplaceOps._math_`` writes (recorded, so gradients flow through them). The functions
of the same names are in ``elementwise_more.py``."""

from __future__ import annotations

from functools import partial
from typing import Any, NamedTuple

import numpy as np

from .errors import DTypeError
from .float_only import require_float
from .function import apply
from .ops.arithmetic import broadcasting
from .ops.next_after import NextAfter
from .tensor_math import where

__all__ = ["ElementwiseMoreMethods", "Frexp"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


class Frexp(NamedTuple):
    """``frexp``'s pair, as ``torch.return_types.frexp``."""
    mantissa: Any
    exponent: Any


class ElementwiseMoreMethods:
    """``floor_divide fmax fmin nextafter frexp`` and in-place forms of elementwise math."""

    __slots__ = ()

    def floor_divide(self, other: Any) -> AnyTensor:
        """floor(self / other), as ``self // other`` (its gradient is 0, as ``//``'s here;
        PyTorch's floor_divide raises on backward instead)."""
        return self // other

    def floor_divide_(self, other: Any) -> AnyTensor:
        """self = floor(self / other), in place."""
        return self._math_("floor_divide", other)

    def _nan_skipping(self, name: str, other: Any, keep_self: Any) -> AnyTensor:
        a, b = self._pair(other)
        a_values, b_values = broadcasting(name, np.broadcast_arrays, a.data, b.data)
        with np.errstate(invalid="ignore"):
            mask = keep_self(a_values, b_values) | np.isnan(b_values)
        return where(mask, a, b)

    def fmax(self, other: Any) -> AnyTensor:
        """The larger of self and other where both are numbers, the number where one is
        NaN (NaN where both are). The gradient goes to the value taken, to self on ties
        (PyTorch's rule: self where self >= other or other is NaN)."""
        return self._nan_skipping("fmax", other, np.greater_equal)

    def fmin(self, other: Any) -> AnyTensor:
        """The smaller of self and other, skipping NaN as ``fmax``; ties go to self."""
        return self._nan_skipping("fmin", other, np.less_equal)

    def nextafter(self, other: Any) -> AnyTensor:
        """The next float after self towards other; gradient 1 in self, 0 in other. Two
        integer or bool operands are refused, as PyTorch's (a step of an integer is 1)."""
        self._no_two_integers("nextafter", other)
        return broadcasting("nextafter", partial(apply, NextAfter()), *self._pair(other))

    def _no_two_integers(self, name: str, other: Any) -> None:
        """DTypeError unless self or other is floating."""
        other_dtype = np.asarray(getattr(other, "data", other)).dtype
        if "f" not in self.dtype.kind + other_dtype.kind:
            raise DTypeError(f"{name}: needs a floating tensor, got {self.dtype} and "
                             f"{other_dtype} (PyTorch refuses them too); convert first "
                             f"(x.double())")

    def nextafter_(self, other: Any) -> AnyTensor:
        """self = nextafter(self, other), in place. An integer ``other`` is taken in self's
        float dtype, as PyTorch's (NumPy's float32 with int64 is float64, whose step
        would round back to self)."""
        values = np.asarray(getattr(other, "data", other))
        if values.dtype.kind in "biu" and self.dtype.kind == "f":
            other = values.astype(self.dtype)
        return self._math_("nextafter", other)

    def frexp(self) -> Frexp:
        """(mantissa, exponent) with self = mantissa 2^exponent, 0.5 <= |mantissa| < 1
        (0, inf and NaN keep themselves with exponent 0); the exponent is int32 and the
        mantissa self 2^-exponent, whose gradient is 2^-exponent (PyTorch's). Of float
        tensors only, as PyTorch's: else a DTypeError."""
        require_float("frexp", input=self)
        _, exponent = np.frexp(self.data)
        half = -(exponent // 2)  # two exact power-of-two factors: 2^1074 overflows
        scale_a = np.ldexp(np.ones((), self.dtype), half)
        scale_b = np.ldexp(np.ones((), self.dtype), -exponent - half)
        mantissa = self * self._lift(scale_a) * self._lift(scale_b)
        return Frexp(mantissa, self._lift(exponent.astype(np.int32)))

    # PyTorch's in-place forms of elementwise methods defined elsewhere on Tensor
    def cosh_(self) -> AnyTensor:
        """self = cosh(self), in place."""
        return self._math_("cosh")

    def sinh_(self) -> AnyTensor:
        """self = sinh(self), in place."""
        return self._math_("sinh")

    def tan_(self) -> AnyTensor:
        """self = tan(self), in place."""
        return self._math_("tan")

    def erf_(self) -> AnyTensor:
        """self = erf(self), in place."""
        return self._math_("erf")

    def erfc_(self) -> AnyTensor:
        """self = erfc(self), in place."""
        return self._math_("erfc")

    def erfinv_(self) -> AnyTensor:
        """self = erfinv(self), in place."""
        return self._math_("erfinv")

    def exp2_(self) -> AnyTensor:
        """self = 2^self, in place."""
        return self._math_("exp2")

    def expm1_(self) -> AnyTensor:
        """self = e^self - 1, in place."""
        return self._math_("expm1")

    def lgamma_(self) -> AnyTensor:
        """self = ln|Gamma(self)|, in place."""
        return self._math_("lgamma")

    def digamma_(self) -> AnyTensor:
        """self = psi(self), in place."""
        return self._math_("digamma")

    def log10_(self) -> AnyTensor:
        """self = log10(self), in place."""
        return self._math_("log10")

    def log1p_(self) -> AnyTensor:
        """self = ln(1 + self), in place."""
        return self._math_("log1p")

    def log2_(self) -> AnyTensor:
        """self = log2(self), in place."""
        return self._math_("log2")

    def sinc_(self) -> AnyTensor:
        """self = sin(pi self) / (pi self), in place."""
        return self._math_("sinc")

    def trunc_(self) -> AnyTensor:
        """self = trunc(self), in place."""
        return self._math_("trunc")

    def fix_(self) -> AnyTensor:
        """self = trunc(self), in place (PyTorch's other name)."""
        return self._math_("fix")

    def frac_(self) -> AnyTensor:
        """self = self - trunc(self), in place."""
        return self._math_("frac")

    def sgn_(self) -> AnyTensor:
        """self = sign(self), in place."""
        return self._math_("sgn")

    def deg2rad_(self) -> AnyTensor:
        """self = self pi / 180, in place."""
        return self._math_("deg2rad")

    def rad2deg_(self) -> AnyTensor:
        """self = self 180 / pi, in place."""
        return self._math_("rad2deg")

    def hypot_(self, other: Any) -> AnyTensor:
        """self = sqrt(self^2 + other^2), in place."""
        return self._math_("hypot", other)

    def copysign_(self, other: Any) -> AnyTensor:
        """self = |self| with other's sign, in place."""
        return self._math_("copysign", other)

    def heaviside_(self, values: Any) -> AnyTensor:
        """self = heaviside(self, values), in place."""
        return self._math_("heaviside", values)

    def nan_to_num_(self, nan: float = 0.0, posinf: Any = None,
                    neginf: Any = None) -> AnyTensor:
        """self with NaN, +inf, -inf replaced, in place."""
        return self._math_("nan_to_num", nan=nan, posinf=posinf, neginf=neginf)
