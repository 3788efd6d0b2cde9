"""More of PyTorch's module-level functions for Tensor methods (as ``torch_functions``):
the logical ops (``logical_not(x)``, ``logical_and(a, b)``... any tensor, nonzero is True),
the tests ``isnan``, ``isinf``, ``isfinite`` (boolean tensors, no gradient),
``is_floating_point`` (a bool), ``ravel``, ``t``, ``renorm`` (``autograd/renorm.py``),
``baddbmm``, ``index_copy``, ``fmod`` and ``tensor_split`` (differentiable),
``bitwise_*``, ``positive``, the pieces ``hsplit vsplit dsplit select swapdims
select_scatter slice_scatter diagonal_scatter`` (the Tensor methods of
``split_methods``), ``fliplr flipud rot90``, ``inner vdot addbmm``, ``conj resolve_conj
resolve_neg adjoint narrow_copy``.
NumPy's functions of these names (``t`` and ``select`` aside) mean the same. The logical
ops take ``out=``, as PyTorch's.

``t`` (``torch.t(x)``, a matrix transposed) is not in ``__all__``: ``autograd.__getattr__``
hands it out, so that ``from autograd import *`` does not take a script's own ``t``.
"""

from __future__ import annotations

from typing import Any

from .functions import div, mul, sub
from .out_argument import accepts_out
from .tensor import Tensor, as_tensor

__all__ = ["logical_not", "logical_and", "logical_or", "logical_xor", "isnan", "isinf",
           "isfinite", "is_floating_point", "ravel", "renorm", "baddbmm", "index_copy",
           "fmod", "divide", "multiply", "subtract", "negative", "tensor_split", "bitwise_and",
           "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
           "bitwise_right_shift", "positive", "hsplit", "vsplit", "dsplit",
           "select", "swapdims", "select_scatter", "slice_scatter",
           "diagonal_scatter", "fliplr", "flipud", "rot90",
           "inner", "vdot", "addbmm", "conj", "real", "imag", "isreal", "resolve_conj",
           "resolve_neg", "adjoint", "narrow_copy"]


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
    return as_tensor(input).fmod(other)


@accepts_out
def divide(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:  # noqa: A002
    """input / other: PyTorch's long name of ``div``."""
    return div(input, other, rounding_mode=rounding_mode)


@accepts_out
def multiply(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input * other: PyTorch's long name of ``mul`` (a number either side takes the
    tensor's dtype)."""
    return mul(input, other)


@accepts_out
def subtract(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    """input - alpha * other: PyTorch's long name of ``sub``."""
    return sub(input, other, alpha=alpha)


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


@accepts_out
def bitwise_and(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input & other, of bool masks or integers (a constant)."""
    return as_tensor(input) & other


@accepts_out
def bitwise_or(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input | other, of bool masks or integers (a constant)."""
    return as_tensor(input) | other


@accepts_out
def bitwise_xor(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input ^ other, of bool masks or integers (a constant)."""
    return as_tensor(input) ^ other


@accepts_out
def bitwise_not(input: Any) -> Tensor:  # noqa: A002
    """~input, of a bool mask or integers (a constant)."""
    return ~as_tensor(input)


@accepts_out
def bitwise_left_shift(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input << other, of integers: input * 2**other (a constant)."""
    return as_tensor(input) << other


@accepts_out
def bitwise_right_shift(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input >> other, of integers: floor(input / 2**other) (a constant)."""
    return as_tensor(input) >> other


def positive(input: Any) -> Tensor:  # noqa: A002
    """The tensor itself (``+x``)."""
    return as_tensor(input).positive()


def hsplit(input: Any, indices_or_sections: Any) -> tuple:  # noqa: A002
    """``tensor_split`` along axis 1 (0 of a 1-d tensor), in equal parts."""
    return as_tensor(input).hsplit(indices_or_sections)


def vsplit(input: Any, indices_or_sections: Any) -> tuple:  # noqa: A002
    """``tensor_split`` along axis 0, in equal parts."""
    return as_tensor(input).vsplit(indices_or_sections)


def dsplit(input: Any, indices_or_sections: Any) -> tuple:  # noqa: A002
    """``tensor_split`` along axis 2, in equal parts."""
    return as_tensor(input).dsplit(indices_or_sections)


def select(input: Any, dim: int, index: int) -> Tensor:  # noqa: A002
    """The slice at ``index`` along ``dim``, which it removes (a view)."""
    return as_tensor(input).select(dim, index)


def swapdims(input: Any, dim0: int, dim1: int) -> Tensor:  # noqa: A002
    """The two axes exchanged (``swapaxes``)."""
    return as_tensor(input).swapaxes(dim0, dim1)


def select_scatter(input: Any, src: Any, dim: int, index: int) -> Tensor:  # noqa: A002
    """A copy of input with ``src`` in place of ``input.select(dim, index)``."""
    return as_tensor(input).select_scatter(src, dim, index)


def slice_scatter(input: Any, src: Any, dim: int = 0, start: int | None = None,  # noqa: A002
                  end: int | None = None, step: int = 1) -> Tensor:
    """A copy of input with ``src`` in place of the slice ``start:end:step`` along dim."""
    return as_tensor(input).slice_scatter(src, dim, start, end, step)


def diagonal_scatter(input: Any, src: Any, offset: int = 0, dim1: int = 0,  # noqa: A002
                     dim2: int = 1) -> Tensor:
    """A copy of input with ``src`` in place of ``input.diagonal(offset, dim1, dim2)``."""
    return as_tensor(input).diagonal_scatter(src, offset, dim1, dim2)


def fliplr(input: Any) -> Tensor:  # noqa: A002
    """The columns (axis 1) reversed."""
    return as_tensor(input).fliplr()


def flipud(input: Any) -> Tensor:  # noqa: A002
    """The rows (axis 0) reversed."""
    return as_tensor(input).flipud()


def rot90(input: Any, k: int = 1, dims: Any = (0, 1)) -> Tensor:  # noqa: A002
    """Rotated by 90 degrees k times, from the first of ``dims`` towards the second."""
    return as_tensor(input).rot90(k, dims)


@accepts_out
def inner(input: Any, other: Any) -> Tensor:  # noqa: A002
    """The sum of products over the last axes (NumPy's ``inner``)."""
    return as_tensor(input).inner(other)


@accepts_out
def vdot(input: Any, other: Any) -> Tensor:  # noqa: A002
    """sum_i input_i other_i of two 1-d tensors of one length."""
    return as_tensor(input).vdot(other)


@accepts_out
def addbmm(input: Any, batch1: Any, batch2: Any, *, beta: Any = 1,  # noqa: A002
           alpha: Any = 1) -> Tensor:
    """beta * input + alpha * sum_b batch1[b] @ batch2[b]."""
    return as_tensor(input).addbmm(batch1, batch2, beta=beta, alpha=alpha)


def conj(input: Any) -> Tensor:  # noqa: A002
    """The complex conjugate: a real tensor itself."""
    return as_tensor(input).conj()


def real(input: Any) -> Tensor:  # noqa: A002
    """The real part: a real tensor itself (``torch.real``)."""
    return as_tensor(input).real


def imag(input: Any) -> Tensor:  # noqa: A002
    """Refused for a real tensor, as ``torch.imag`` (every tensor here is real)."""
    return as_tensor(input).imag


def isreal(input: Any) -> Tensor:  # noqa: A002
    """True everywhere: every tensor here is real (``torch.isreal``)."""
    return as_tensor(input).isreal()


def resolve_conj(input: Any) -> Tensor:  # noqa: A002
    """A real tensor itself (never a lazy conjugate)."""
    return as_tensor(input).resolve_conj()


def resolve_neg(input: Any) -> Tensor:  # noqa: A002
    """A real tensor itself (never a lazy negation)."""
    return as_tensor(input).resolve_neg()


def adjoint(input: Any) -> Tensor:  # noqa: A002
    """The last two axes swapped (the conjugate transpose of a real tensor)."""
    return as_tensor(input).adjoint()


@accepts_out
def narrow_copy(input: Any, dim: int, start: int, length: int) -> Tensor:  # noqa: A002
    """A copy of ``input.narrow(dim, start, length)`` (``Tensor.narrow_copy``)."""
    return as_tensor(input).narrow_copy(dim, start, length)
