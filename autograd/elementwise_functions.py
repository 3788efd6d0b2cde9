"""PyTorch's elementwise functions that NumPy names otherwise or lacks, as ``torch.<name>``
(each the Tensor method of ``elementwise_methods.py``, with PyTorch's ``out=``):
``sinc hypot logaddexp logaddexp2 exp2 trunc fix frac remainder copysign deg2rad rad2deg
sgn``."""

from __future__ import annotations

from typing import Any

from .out_argument import accepts_out
from .tensor import Tensor, as_tensor

__all__ = ["sinc", "hypot", "logaddexp", "logaddexp2", "exp2", "trunc", "fix", "frac",
           "remainder", "copysign", "deg2rad", "rad2deg", "sgn"]


@accepts_out
def sinc(input: Any) -> Tensor:  # noqa: A002
    """sin(pi x) / (pi x), 1 at x = 0."""
    return as_tensor(input).sinc()


@accepts_out
def hypot(input: Any, other: Any) -> Tensor:  # noqa: A002
    """sqrt(x^2 + y^2), broadcast."""
    return as_tensor(input).hypot(other)


@accepts_out
def logaddexp(input: Any, other: Any) -> Tensor:  # noqa: A002
    """log(e^x + e^y), broadcast, without overflow."""
    return as_tensor(input).logaddexp(other)


@accepts_out
def logaddexp2(input: Any, other: Any) -> Tensor:  # noqa: A002
    """log2(2^x + 2^y), broadcast, without overflow."""
    return as_tensor(input).logaddexp2(other)


@accepts_out
def exp2(input: Any) -> Tensor:  # noqa: A002
    """2^x."""
    return as_tensor(input).exp2()


@accepts_out
def trunc(input: Any) -> Tensor:  # noqa: A002
    """x rounded towards zero (gradient 0)."""
    return as_tensor(input).trunc()


@accepts_out
def fix(input: Any) -> Tensor:  # noqa: A002
    """``trunc``: x rounded towards zero."""
    return as_tensor(input).fix()


@accepts_out
def frac(input: Any) -> Tensor:  # noqa: A002
    """x - trunc(x) (gradient 1)."""
    return as_tensor(input).frac()


@accepts_out
def remainder(input: Any, other: Any) -> Tensor:  # noqa: A002
    """x - y floor(x / y), with y's sign (Python's ``%``; ``fmod`` keeps x's). A number
    as x takes y's dtype (PyTorch's wrapped number)."""
    if isinstance(other, Tensor) and not isinstance(input, Tensor):
        input = other._pair(input)[1]  # noqa: A001
    return as_tensor(input).remainder(other)


@accepts_out
def copysign(input: Any, other: Any) -> Tensor:  # noqa: A002
    """|x| with y's sign (-0.0 negative)."""
    return as_tensor(input).copysign(other)


@accepts_out
def deg2rad(input: Any) -> Tensor:  # noqa: A002
    """x pi / 180."""
    return as_tensor(input).deg2rad()


@accepts_out
def rad2deg(input: Any) -> Tensor:  # noqa: A002
    """x 180 / pi."""
    return as_tensor(input).rad2deg()


@accepts_out
def sgn(input: Any) -> Tensor:  # noqa: A002
    """The sign, -1, 0 or 1."""
    return as_tensor(input).sgn()
