"""More of PyTorch's module-level functions for Tensor methods (as ``torch_functions``):
the logical ops (``logical_not(x)``, ``logical_and(a, b)``... any tensor, nonzero is True),
the tests ``isnan``, ``isinf``, ``isfinite`` (boolean tensors, no gradient),
``is_floating_point`` (a bool), ``ravel``, ``t``, ``renorm`` (``autograd/renorm.py``),
``baddbmm``, ``index_copy``, ``fmod`` and ``tensor_split`` (differentiable). NumPy's
functions of these names (``t`` aside) mean the same. The logical ops take ``out=``, as PyTorch's.

``t`` (``torch.t(x)``, a matrix transposed) is not in ``__all__``: ``autograd.__getattr__``
hands it out, so that ``from autograd import *`` does not take a script's own ``t``.
"""

from __future__ import annotations

from typing import Any


from .function import apply
from .ops.special import Fmod
from .out_argument import accepts_out
from .tensor import Tensor, as_tensor

__all__ = ["logical_not", "logical_and", "logical_or", "logical_xor", "isnan", "isinf",
           "isfinite", "is_floating_point", "ravel", "renorm", "baddbmm", "index_copy",
           "fmod", "divide", "multiply", "subtract", "negative", "tensor_split"]


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


@accepts_out
def renorm(input: Any, p: float, dim: int, maxnorm: float) -> Tensor:  # noqa: A002
    """Each slice along ``dim`` whose p-norm exceeds ``maxnorm`` scaled to
    maxnorm / (norm + 1e-7) of itself (PyTorch's renorm; ``x.renorm``)."""
    return as_tensor(input).renorm(p, dim, maxnorm)


@accepts_out
def baddbmm(input: Any, batch1: Any, batch2: Any, *, beta: Any = 1,  # noqa: A002
            alpha: Any = 1) -> Tensor:
    """beta * input + alpha * (batch1 @ batch2), of batches of matrices (``Tensor.baddbmm``)."""
    return as_tensor(input).baddbmm(batch1, batch2, beta=beta, alpha=alpha)


@accepts_out
def index_copy(input: Any, dim: int, index: Any, source: Any) -> Tensor:  # noqa: A002
    """A copy of input with source's slices at ``index`` along ``dim`` (``Tensor.index_copy``)."""
    return as_tensor(input).index_copy(dim, index, source)


@accepts_out
def fmod(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input - other trunc(input / other): the remainder with input's sign (C's fmod;
    ``%`` takes other's); gradients 1 for input and -trunc(input / other) for other, as
    PyTorch's (``ops.special.Fmod``)."""
    return apply(Fmod(), *as_tensor(input)._pair(other))


@accepts_out
def divide(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:  # noqa: A002
    """input / other: PyTorch's long name of ``div``."""
    return as_tensor(input).div(other, rounding_mode=rounding_mode)


@accepts_out
def multiply(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input * other: PyTorch's long name of ``mul``."""
    return as_tensor(input).mul(other)


@accepts_out
def subtract(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    """input - alpha * other: PyTorch's long name of ``sub``."""
    return as_tensor(input).sub(other, alpha=alpha)


@accepts_out
def negative(input: Any) -> Tensor:  # noqa: A002
    """-input: PyTorch's long name of ``neg``."""
    return as_tensor(input).neg()


def tensor_split(input: Any, indices_or_sections: Any = None, dim: int = 0, *,  # noqa: A002
                 sections: int | None = None, indices: Any = None) -> tuple[Tensor, ...]:
    """The pieces of ``input`` along ``dim``: ``n`` as equal as can be, or those between
    the split indices (``Tensor.tensor_split``)."""
    return as_tensor(input).tensor_split(indices_or_sections, dim, sections=sections,
                                         indices=indices)
