"""``ElementwiseExtraMethods`` (a Tensor mixin): more of PyTorch's elementwise methods
that NumPy names otherwise: ``float_power`` (the power in float64, whatever the inputs'
dtypes), ``ldexp`` (x 2^e), ``heaviside`` (the step, with a given value at 0), the sign
tests ``signbit isposinf isneginf`` and the integer ``gcd lcm``; in-place forms of
``float_power ldexp gcd lcm``. The functions of the same names are in
``elementwise_extras.py``."""

from __future__ import annotations

from typing import Any

import math

import numpy as np

from .errors import DTypeError
from .function import Function, apply
from .ops.arithmetic import broadcasting
from .ops.generic import is_tensor

__all__ = ["ElementwiseExtraMethods", "Ldexp"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


def _ldexp_arrays(x: np.ndarray, e: np.ndarray) -> np.ndarray:
    """x 2^e without overflow in 2^e alone: NumPy's exact ``np.ldexp`` for integer
    exponents; for float ones x 2^h 2^(e - h) in float64, h = floor(e / 2), rounded once
    to the result's dtype (x = 1e-300 with e = 1100. is 1.36e31, not 1e-300 * inf)."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        if e.dtype.kind in "biu":
            return np.ldexp(x, e.astype(np.int64, copy=False))  # (no loop for uint64)
        e64 = e.astype(np.float64)
        half = np.floor(e64 / 2)
        return (x * 2.0 ** half * 2.0 ** (e64 - half)).astype(np.result_type(x, e))


def _step(x: np.ndarray, values: np.ndarray) -> np.ndarray:
    """PyTorch's heaviside: ``values`` where x == 0, else [x > 0] (0 at NaN, where
    NumPy's ``np.heaviside`` gives NaN)."""
    return np.where(x == 0, values, x > 0)


class Ldexp(Function):
    """out = x 2^e;  dx = g 2^e,  de = g out ln 2 (float exponents only)."""
    __slots__ = ()
    save_output = True

    def forward(self, x: np.ndarray, e: np.ndarray) -> np.ndarray:
        return _ldexp_arrays(x, e)

    def vjp(self, g: Any, out: Any, x: Any, e: Any) -> tuple:
        dx = de = None
        if self.needs_input_grad[0]:
            dx = g.ldexp(e) if is_tensor(g) else _ldexp_arrays(np.asarray(g), e)
        if self.needs_input_grad[1]:
            de = g * out * math.log(2.0)
        return dx, de


def _float64_exponent(exponent: Any) -> np.ndarray:
    """float_power's exponent that is not a Tensor or a Python number (an array, a NumPy
    number, a list of numbers) as a float64 array; a string, None, a complex number or
    other non-real values are a ``DTypeError`` (not np.asarray's ValueError, nor NaN
    for None, nor a complex number's real part)."""
    array = np.asarray(exponent)
    if array.dtype.kind not in "biuf":
        raise DTypeError(f"float_power: the exponent must be a number or a tensor (array) of "
                         f"real numbers; got {type(exponent).__name__} {exponent!r}")
    return array.astype(np.float64)


class ElementwiseExtraMethods:
    """``float_power ldexp heaviside signbit isposinf isneginf gcd lcm`` (+ some ``_``)."""

    __slots__ = ()

    def float_power(self, exponent: Any) -> AnyTensor:
        """self ** exponent computed in float64 (PyTorch's double-precision power);
        differentiable in both, the gradients cast back to each input's dtype."""
        base = self.astype(np.float64)
        if is_tensor(exponent):
            exponent = exponent.astype(np.float64)
        elif not isinstance(exponent, (int, float)):
            exponent = self._lift(_float64_exponent(exponent))
        return base ** exponent

    def float_power_(self, exponent: Any) -> AnyTensor:
        """self = self ** exponent in float64, in place: self must be float64 (PyTorch's
        rule too), as the result would not fit."""
        if self.dtype != np.float64:
            raise DTypeError(f"float_power_: the result is float64 and cannot be written "
                             f"into this {self.dtype} tensor (PyTorch's rule too); use "
                             f"x = x.float_power(e), or x.double() first")
        return self._math_("float_power", exponent)

    def ldexp(self, other: Any) -> AnyTensor:
        """self * 2 ** other (other often integer exponents, then exact, as NumPy's
        ``np.ldexp``; 2 ** other alone may overflow where the result does not); floating
        as self is (an integer self gives float64); d/dself = 2^other, d/dother = ln 2
        self 2^other (``Ldexp``)."""
        x = self if self.dtype.kind == "f" else self.astype(np.float64)
        return apply(Ldexp(), *x._pair(other))

    def ldexp_(self, other: Any) -> AnyTensor:
        """self = self * 2 ** other, in place."""
        return self._math_("ldexp", other)

    def heaviside(self, values: Any) -> AnyTensor:
        """0 where self < 0 or is NaN, ``values`` where self == 0, 1 where self > 0, in
        self's dtype (broadcast with ``values``), as PyTorch's. A constant: its gradient
        is not taken (PyTorch's raises on backward; the step's derivative is 0 almost
        everywhere)."""
        v = self._lift(values)
        if v.dtype != self.dtype:
            raise DTypeError(f"heaviside: values ({v.dtype}) must have the input's dtype "
                             f"({self.dtype}), as PyTorch's require; pass "
                             f"torch.tensor(v, dtype=x.dtype)")
        step = broadcasting("heaviside", _step, self.data, v.data)
        return self._make(step.astype(self.dtype), None)

    def signbit(self) -> AnyTensor:
        """A boolean tensor: where self's sign bit is set (x < 0, also -0.0)."""
        return self._make(np.signbit(self.data), None)

    def isposinf(self) -> AnyTensor:
        """A boolean tensor: where self is +inf."""
        return self._make(np.isposinf(self.data), None)

    def isneginf(self) -> AnyTensor:
        """A boolean tensor: where self is -inf."""
        return self._make(np.isneginf(self.data), None)

    def gcd(self, other: Any) -> AnyTensor:
        """The greatest common divisor of integer tensors, elementwise (gcd(0, 0) = 0)."""
        return self._make(broadcasting("gcd", np.gcd, *self._integers("gcd", other)), None)

    def gcd_(self, other: Any) -> AnyTensor:
        """self = gcd(self, other), in place."""
        return self._math_("gcd", other)

    def lcm(self, other: Any) -> AnyTensor:
        """The least common multiple of integer tensors, elementwise (0 with a 0)."""
        return self._make(broadcasting("lcm", np.lcm, *self._integers("lcm", other)), None)

    def lcm_(self, other: Any) -> AnyTensor:
        """self = lcm(self, other), in place."""
        return self._math_("lcm", other)

    def _integers(self, name: str, other: Any) -> tuple[np.ndarray, np.ndarray]:
        """The two arrays: integers, or one integer and one bool (True is 1), as PyTorch
        takes them (two bools, or a float, are refused)."""
        a, b = self._pair(other)
        kinds = a.dtype.kind + b.dtype.kind
        if any(kind not in "biu" for kind in kinds) or kinds == "bb":
            raise DTypeError(f"{name}: needs integer tensors (one may be bool), got "
                             f"{a.dtype} and {b.dtype} (as PyTorch's); cast with .long()")
        return a.data, b.data
