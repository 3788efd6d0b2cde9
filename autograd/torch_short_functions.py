"""PyTorch's short names of the functions NumPy names differently, as functions of
``autograd``: ``acos asin atan atan2 acosh asinh atanh`` (NumPy's ``arccos``...),
``absolute`` (``abs``), ``true_divide`` (``div``), ``take_along_dim``
(``take_along_axis``) and ``concat`` (``cat``). PyTorch has both spellings of each, so
both work here; each calls the op under its NumPy name (the methods are in
``torch_short_names``)."""

from __future__ import annotations

from typing import Any, Sequence

from .functions import cat, div
from .keyword_aliases import keyword_aliases
from .more_functions import arctan2
from .out_argument import accepts_out
from .tensor import Tensor, as_tensor

__all__ = ["acos", "asin", "atan", "atan2", "acosh", "asinh", "atanh", "absolute",
           "true_divide", "take_along_dim", "concat"]


@accepts_out
def acos(input: Any) -> Tensor:  # noqa: A002 (PyTorch's argument name)
    """arccos(input) (``autograd.arccos``)."""
    return as_tensor(input).arccos()


@accepts_out
def asin(input: Any) -> Tensor:  # noqa: A002
    """arcsin(input) (``autograd.arcsin``)."""
    return as_tensor(input).arcsin()


@accepts_out
def atan(input: Any) -> Tensor:  # noqa: A002
    """arctan(input) (``autograd.arctan``)."""
    return as_tensor(input).arctan()


@accepts_out
def atan2(input: Any, other: Any) -> Tensor:  # noqa: A002
    """arctan2(input, other), the angle of the point (other, input) (``autograd.arctan2``)."""
    return arctan2(input, other)


@accepts_out
def acosh(input: Any) -> Tensor:  # noqa: A002
    """arccosh(input) (``autograd.arccosh``)."""
    return as_tensor(input).arccosh()


@accepts_out
def asinh(input: Any) -> Tensor:  # noqa: A002
    """arcsinh(input) (``autograd.arcsinh``)."""
    return as_tensor(input).arcsinh()


@accepts_out
def atanh(input: Any) -> Tensor:  # noqa: A002
    """arctanh(input) (``autograd.arctanh``)."""
    return as_tensor(input).arctanh()


@accepts_out
def absolute(input: Any) -> Tensor:  # noqa: A002
    """|input| (``autograd.abs``)."""
    return as_tensor(input).abs()


@keyword_aliases(dividend="input", divisor="other")
@accepts_out
def true_divide(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input / other, always true division (``autograd.div``)."""
    return div(input, other)


@accepts_out
def take_along_dim(input: Any, indices: Any, dim: int | None = None) -> Tensor:  # noqa: A002
    """The values at ``indices`` along ``dim``, the flattened input when None
    (``autograd.take_along_axis``)."""
    return as_tensor(input).take_along_dim(indices, dim)


@accepts_out
def concat(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """The tensors joined along ``dim`` (``autograd.cat``)."""
    return cat(tensors, dim)
