"""More of PyTorch's module-level functions for Tensor methods (as ``torch_functions``):
the logical ops (``logical_not(x)``, ``logical_and(a, b)``... any tensor, nonzero is True),
the tests ``isnan``, ``isinf``, ``isfinite`` (boolean tensors, no gradient),
``is_floating_point`` (a bool), ``ravel`` and ``t`` (differentiable). NumPy's functions
of these names (``t`` aside) mean the same. The logical ops take ``out=``, as PyTorch's.
``split`` means two things (PyTorch's pieces of a size, NumPy's N sections or split
indices): ``dim=`` picks PyTorch's, ``axis=`` NumPy's, neither is an error.

``t`` (``torch.t(x)``, a matrix transposed) is not in ``__all__``: ``autograd.__getattr__``
hands it out, so that ``from autograd import *`` does not take a script's own ``t``.
"""

from __future__ import annotations

from typing import Any

from .errors import UsageError
from .numpy_more import numpy_split
from .out_argument import accepts_out
from .tensor import Tensor, as_tensor

__all__ = ["logical_not", "logical_and", "logical_or", "logical_xor", "isnan", "isinf",
           "isfinite", "is_floating_point", "ravel", "split"]


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


def split(tensor: Any, split_size_or_sections: Any, *position: Any, dim: int | None = None,
          axis: int | None = None) -> Any:
    """``dim=``: PyTorch's ``torch.split``, pieces of ``split_size`` along ``dim`` (the last
    may be smaller) or of the sizes listed: a tuple of views. ``axis=``: NumPy's
    ``np.split``, N equal sections or the pieces between the indices listed: a list.
    Differentiable. Neither keyword raises ``UsageError``: ``split(x, 2)`` is two pieces of
    size 2 in PyTorch and two halves in NumPy."""
    if position or (dim is None) == (axis is None):
        call = f"split(x, {split_size_or_sections!r}{''.join(f', {p!r}' for p in position)})"
        raise UsageError(
            f"{call} means two things: PyTorch's split cuts pieces of the size(s) given, "
            f"NumPy's cuts N equal sections (or at the indices given). Name the one you "
            f"mean: split(x, size, dim=0) for PyTorch's, split(x, sections, axis=0) for "
            f"NumPy's (x.split(size, dim) is PyTorch's too).")
    if dim is not None:
        return as_tensor(tensor).split(split_size_or_sections, dim)
    return numpy_split(as_tensor(tensor), split_size_or_sections, axis)
