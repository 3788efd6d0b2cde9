"""PyTorch's functions ``float_power ldexp heaviside signbit isposinf isneginf gcd lcm``
(each the Tensor method of ``elementwise_extra_methods.py``, with PyTorch's ``out=``)."""

from __future__ import annotations

from typing import Any

from .out_argument import accepts_out
from .tensor import Tensor, as_tensor

__all__ = ["float_power", "ldexp", "heaviside", "signbit", "isposinf", "isneginf", "gcd",
           "lcm"]


@accepts_out
def float_power(input: Any, exponent: Any) -> Tensor:  # noqa: A002
    """input ** exponent in float64, differentiable in both."""
    if not hasattr(input, "float_power"):
        input = as_tensor(input)  # noqa: A001
    return input.float_power(exponent)


@accepts_out
def ldexp(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input * 2 ** other."""
    return as_tensor(input).ldexp(other)


@accepts_out
def heaviside(input: Any, values: Any) -> Tensor:  # noqa: A002
    """The step: 0 below 0, ``values`` at 0, 1 above (a constant, no gradient)."""
    return as_tensor(input).heaviside(values)


@accepts_out
def signbit(input: Any) -> Tensor:  # noqa: A002
    """Where the sign bit is set (x < 0 or -0.0)."""
    return as_tensor(input).signbit()


@accepts_out
def isposinf(input: Any) -> Tensor:  # noqa: A002
    """Where x is +inf."""
    return as_tensor(input).isposinf()


@accepts_out
def isneginf(input: Any) -> Tensor:  # noqa: A002
    """Where x is -inf."""
    return as_tensor(input).isneginf()


@accepts_out
def gcd(input: Any, other: Any) -> Tensor:  # noqa: A002
    """The elementwise greatest common divisor of integer tensors."""
    return as_tensor(input).gcd(other)


@accepts_out
def lcm(input: Any, other: Any) -> Tensor:  # noqa: A002
    """The elementwise least common multiple of integer tensors."""
    return as_tensor(input).lcm(other)
