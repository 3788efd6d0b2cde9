"""More of PyTorch's module-level functions for Tensor methods (as ``torch_functions``):
the logical ops (``logical_not(x)``, ``logical_and(a, b)``... any tensor, nonzero is True),
the tests ``isnan``, ``isinf``, ``isfinite`` (boolean tensors, no gradient),
``is_floating_point`` (a bool), ``ravel`` and ``t`` (differentiable). NumPy's functions
of these names (``t`` aside) mean the same. The logical ops take ``out=``, as PyTorch's.

``t`` (``torch.t(x)``, a matrix transposed) is not in ``__all__``: ``autograd.__getattr__``
hands it out, so that ``from autograd import *`` does not take a script's own ``t``.
"""

from __future__ import annotations

from typing import Any

from .out_argument import accepts_out
from .tensor import Tensor, as_tensor

__all__ = ["logical_not", "logical_and", "logical_or", "logical_xor", "isnan", "isinf",
           "isfinite", "is_floating_point", "ravel"]


@accepts_out
def logical_not(input: Any) -> Tensor:  # noqa: A002
    """not x, elementwise (x != 0 for numbers): a boolean tensor."""
    return as_tensor(input).logical_not()


@accepts_out
def logical_and(input: Any, other: Any) -> Tensor:  # noqa: A002
    """a and b, elementwise and broadcasting (nonzero is True): a boolean tensor."""
    return as_tensor(input).logical_and(other)


@accepts_out
def logical_or(input: Any, other: Any) -> Tensor:  # noqa: A002
    """a or b, elementwise and broadcasting (nonzero is True): a boolean tensor."""
    return as_tensor(input).logical_or(other)


@accepts_out
def logical_xor(input: Any, other: Any) -> Tensor:  # noqa: A002
    """a xor b, elementwise and broadcasting (nonzero is True): a boolean tensor."""
    return as_tensor(input).logical_xor(other)


def isnan(input: Any) -> Tensor:  # noqa: A002
    """x is NaN, elementwise: a boolean tensor."""
    return as_tensor(input).isnan()


def isinf(input: Any) -> Tensor:  # noqa: A002
    """x is +-inf, elementwise: a boolean tensor."""
    return as_tensor(input).isinf()


def isfinite(input: Any) -> Tensor:  # noqa: A002
    """x is neither NaN nor +-inf, elementwise: a boolean tensor."""
    return as_tensor(input).isfinite()


def is_floating_point(input: Any) -> bool:  # noqa: A002
    """Whether the tensor's dtype is a floating one (float16/32/64)."""
    return as_tensor(input).is_floating_point()


def ravel(input: Any) -> Tensor:  # noqa: A002
    """The elements as a 1-d tensor in C order; differentiable."""
    return as_tensor(input).ravel()


def t(input: Any) -> Tensor:  # noqa: A002
    """A matrix transposed (a 0-d or 1-d tensor as it is); differentiable."""
    return as_tensor(input).t()
