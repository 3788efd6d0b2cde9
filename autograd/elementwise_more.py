"""PyTorch's functions ``floor_divide fmax fmin nextafter frexp`` (each the Tensor method
of ``elementwise_more_methods.py``, with PyTorch's ``out=``)."""

from __future__ import annotations

from typing import Any

from .elementwise_more_methods import Frexp
from .out_argument import accepts_out
from .tensor import Tensor, as_tensor

__all__ = ["floor_divide", "fmax", "fmin", "nextafter", "frexp"]


def _first(input: Any, other: Any) -> Tensor:  # noqa: A002
    """The tensor whose method runs: input, or other's lift of a number input."""
    return input if isinstance(input, Tensor) or not isinstance(other, Tensor) \
        else other._pair(input)[1]


@accepts_out
def floor_divide(input: Any, other: Any) -> Tensor:  # noqa: A002
    """floor(input / other), as ``input // other`` (gradient 0)."""
    return as_tensor(_first(input, other)).floor_divide(other)


@accepts_out
def fmax(input: Any, other: Any) -> Tensor:  # noqa: A002
    """max(input, other) where both are numbers, the number where one is NaN."""
    return as_tensor(_first(input, other)).fmax(other)


@accepts_out
def fmin(input: Any, other: Any) -> Tensor:  # noqa: A002
    """min(input, other) where both are numbers, the number where one is NaN."""
    return as_tensor(_first(input, other)).fmin(other)


@accepts_out
def nextafter(input: Any, other: Any) -> Tensor:  # noqa: A002
    """The next float after input towards other."""
    return as_tensor(_first(input, other)).nextafter(other)


@accepts_out
def frexp(input: Any) -> Frexp:  # noqa: A002
    """(mantissa, exponent): input = mantissa 2^exponent, 0.5 <= |mantissa| < 1."""
    return as_tensor(input).frexp()
