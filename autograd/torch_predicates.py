"""PyTorch's module-level tests of values, ``torch.isnan(x)`` and its kin, for the Tensor
methods of the same names (NumPy's functions of these names mean the same): each takes
a Tensor (or data, made a constant Tensor) and gives a bool tensor without gradient; the
``logical_*`` functions also take PyTorch's ``out=``."""

from __future__ import annotations

from typing import Any

from .out_argument import accepts_out
from .tensor import Tensor, as_tensor

__all__ = ["isnan", "isinf", "isfinite", "logical_not", "logical_and", "logical_or",
           "logical_xor"]


def isnan(input: Any) -> Tensor:  # noqa: A002  (PyTorch's argument name)
    """input != input: where it is NaN."""
    return as_tensor(input).isnan()


def isinf(input: Any) -> Tensor:  # noqa: A002
    """|input| == inf: where it is +inf or -inf."""
    return as_tensor(input).isinf()


def isfinite(input: Any) -> Tensor:  # noqa: A002
    """Where input is neither NaN nor +-inf."""
    return as_tensor(input).isfinite()


@accepts_out
def logical_not(input: Any) -> Tensor:  # noqa: A002
    """input == 0, elementwise."""
    return as_tensor(input).logical_not()


@accepts_out
def logical_and(input: Any, other: Any) -> Tensor:  # noqa: A002
    """(input != 0) and (other != 0), broadcasting."""
    return as_tensor(input).logical_and(other)


@accepts_out
def logical_or(input: Any, other: Any) -> Tensor:  # noqa: A002
    """(input != 0) or (other != 0), broadcasting."""
    return as_tensor(input).logical_or(other)


@accepts_out
def logical_xor(input: Any, other: Any) -> Tensor:  # noqa: A002
    """(input != 0) != (other != 0), broadcasting."""
    return as_tensor(input).logical_xor(other)
