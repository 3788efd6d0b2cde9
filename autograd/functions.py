"""The public functions: ``autograd.exp(x)``, ``autograd.sum(x, axis)``, ...

Each accepts Tensors, arrays and numbers and calls the Tensor operator or method of the
same name (``tensor_math``), where the op is applied. A number next to a tensor stays a
number (op state): ``add(x, 2)`` records one input, as ``x + 2`` does. Parameters have
PyTorch's names (``exp(input=t)``, ``add(t, other=u)``); the earlier ones (``x=``, ``a=``,
``b=``) still work (``keyword_aliases``).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import tensor_math
from .errors import UsageError
from .keyword_aliases import keyword_aliases
from .out_argument import accepts_out
from .ops.reductions import pick_axis, single_axis
from .tensor import Tensor, as_tensor
from .tensor_reductions import refuse_bare_axis

__all__ = ["add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sqrt", "abs", "tanh",
           "sigmoid", "relu", "maximum", "minimum", "where", "clip", "astype", "matmul",
           "sum", "mean", "var", "std", "max", "min", "logsumexp", "softmax", "log_softmax",
           "reshape", "transpose", "swapaxes", "expand_dims", "squeeze", "broadcast_to",
           "concatenate", "stack", "getitem", "cat", "clamp"]


def _first(a: Any, b: Any) -> Any:
    """``a`` as it is if either operand is a Tensor (Python picks the method), else a
    constant Tensor."""
    return a if isinstance(a, Tensor) or isinstance(b, Tensor) else as_tensor(a)


def _operand(a: Any, b: Any) -> Tensor:
    """``a`` as the Tensor whose method ``add``, ``sub`` or ``div`` is called: itself, a
    number beside a Tensor ``b`` in the dtype NumPy gives it there (``b._pair``), or
    else a constant."""
    if isinstance(b, Tensor) and not isinstance(a, Tensor):
        return b._pair(a)[1]
    return as_tensor(a)


@keyword_aliases(a="input", b="other")
@accepts_out
def add(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    """input + alpha * other, broadcasting as NumPy (other is scaled in the dtype of the
    sum, as ``Tensor.add``)."""
    return _operand(input, other).add(other, alpha=alpha)


@keyword_aliases(a="input", b="other")
@accepts_out
def sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    """input - alpha * other (as ``add``)."""
    return _operand(input, other).sub(other, alpha=alpha)


@keyword_aliases(a="input", b="other")
@accepts_out
def mul(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input * other (elementwise)."""
    return _first(input, other) * other


@keyword_aliases(a="input", b="other")
@accepts_out
def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:  # noqa: A002
    """input / other (true division); PyTorch's ``rounding_mode`` "floor" or "trunc" rounds
    the quotient down or toward 0 (gradient 0), as ``Tensor.div``."""
    if rounding_mode is None:
        return _first(input, other) / other
    return _operand(input, other).div(other, rounding_mode=rounding_mode)


@keyword_aliases(a="input", b="exponent")
@accepts_out
def pow(input: Any, exponent: Any) -> Tensor:  # noqa: A001, A002
    """input ** exponent; a number exponent (or base) is op state."""
    return _first(input, exponent) ** exponent


@keyword_aliases(a="input", b="other")
@accepts_out
def matmul(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Matrix product ``input @ other`` with NumPy's rules (batched, 1-d cases)."""
    return as_tensor(input) @ other


@keyword_aliases(x="input")
@accepts_out
def neg(input: Any) -> Tensor:  # noqa: A002
    """-x."""
    return -as_tensor(input)


@keyword_aliases(x="input")
@accepts_out
def exp(input: Any) -> Tensor:  # noqa: A002
    """e^x."""
    return as_tensor(input).exp()


@keyword_aliases(x="input")
@accepts_out
def log(input: Any) -> Tensor:  # noqa: A002
    """ln x (IEEE at 0: -inf)."""
    return as_tensor(input).log()


@keyword_aliases(x="input")
@accepts_out
def sqrt(input: Any) -> Tensor:  # noqa: A002
    """sqrt(x)."""
    return as_tensor(input).sqrt()


@keyword_aliases(x="input")
@accepts_out
def abs(input: Any) -> Tensor:  # noqa: A001, A002
    """|x|, with abs'(0) = 0."""
    return as_tensor(input).abs()


@keyword_aliases(x="input")
@accepts_out
def tanh(input: Any) -> Tensor:  # noqa: A002
    """tanh x."""
    return as_tensor(input).tanh()


@keyword_aliases(x="input")
@accepts_out
def sigmoid(input: Any) -> Tensor:  # noqa: A002
    """1 / (1 + e^-x), stable for any |x|."""
    return as_tensor(input).sigmoid()


@keyword_aliases(x="input")
def relu(input: Any) -> Tensor:  # noqa: A002
    """max(input, 0), with relu'(0) = 0."""
    return as_tensor(input).relu()


@keyword_aliases(a="input", b="other")
@accepts_out
def maximum(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise max(input, other); ties split the gradient evenly."""
    if isinstance(other, Tensor) and not isinstance(input, Tensor):
        return other.maximum(input)
    return as_tensor(input).maximum(other)


@keyword_aliases(a="input", b="other")
@accepts_out
def minimum(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise min(input, other); ties split the gradient evenly."""
    if isinstance(other, Tensor) and not isinstance(input, Tensor):
        return other.minimum(input)
    return as_tensor(input).minimum(other)


@keyword_aliases(a="input", b="other")
@accepts_out
def where(condition: Any, input: Any = None, other: Any = None) -> Any:  # noqa: A002
    """``input`` where ``condition`` holds, else ``other`` (condition is a constant mask);
    ``where(condition)`` alone gives the indices where it holds, one int64 tensor per
    axis, as PyTorch's (and as ``np.where(t)``, NumPy's ``np.nonzero``)."""
    if input is None and other is None:
        return tuple(as_tensor(i.astype(np.int64)) for i in tensor_math.where(condition))
    if isinstance(input, (bool, int, float)) and isinstance(other, (bool, int, float)):
        # two Python numbers: NumPy's (and PyTorch's) dtype, so where(c, 1, 0) is int64
        input = as_tensor(np.asarray(input, np.result_type(input, other)))
    elif input is not None and not isinstance(input, Tensor) \
            and not isinstance(other, Tensor):
        input = as_tensor(input)
    return tensor_math.where(condition, input, other)


@keyword_aliases(x="input")
@accepts_out
def clip(input: Any, lo: Any = None, hi: Any = None, *, min: Any = None,  # noqa: A002
         max: Any = None) -> Tensor:  # noqa: A002
    """Limit values to [lo, hi] (either bound may be None; or ``min=``/``max=``)."""
    return as_tensor(input).clip(lo, hi, min=min, max=max)


@keyword_aliases(x="input")
@accepts_out
def clamp(input: Any, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """``clip`` with PyTorch's name and keywords."""
    return as_tensor(input).clip(min, max)


def astype(x: Any, dtype: Any) -> Tensor:
    """x converted to ``dtype`` (differentiable between float dtypes)."""
    return as_tensor(x).astype(dtype)


@keyword_aliases(x="input")
@accepts_out
def sum(input: Any, axis: Any = None, keepdims: bool = False, *, dim: Any = None,  # noqa: A002
        keepdim: bool | None = None, dtype: Any = None) -> Tensor:  # noqa: A001
    """Sum over ``axis`` (NumPy semantics), computed in ``dtype`` when given."""
    return as_tensor(input).sum(axis, keepdims, dim=dim, keepdim=keepdim, dtype=dtype)


@keyword_aliases(x="input")
@accepts_out
def mean(input: Any, axis: Any = None, keepdims: bool = False, *, dim: Any = None,  # noqa: A002
        keepdim: bool | None = None, dtype: Any = None) -> Tensor:
    """Arithmetic mean over ``axis``: sum / n, computed in ``dtype`` when given."""
    return as_tensor(input).mean(axis, keepdims, dim=dim, keepdim=keepdim, dtype=dtype)


@keyword_aliases(x="input")
@accepts_out
def var(input: Any, *position: Any, axis: Any = None, keepdims: bool | None = None,  # noqa: A002
        ddof: int | None = None, dim: Any = None, keepdim: bool | None = None,
        correction: int | None = None, unbiased: bool | None = None) -> Tensor:
    """Variance sum((x - mean)^2) / (n - ddof): ``Tensor.var``'s rules (NumPy's ``ddof=``
    or PyTorch's ``correction=``/``unbiased=``/``dim=``; a bare call raises)."""
    return as_tensor(input).var(*position, axis=axis, keepdims=keepdims, ddof=ddof, dim=dim,
                                keepdim=keepdim, correction=correction, unbiased=unbiased)


@keyword_aliases(x="input")
@accepts_out
def std(input: Any, *position: Any, axis: Any = None, keepdims: bool | None = None,  # noqa: A002
        ddof: int | None = None, dim: Any = None, keepdim: bool | None = None,
        correction: int | None = None, unbiased: bool | None = None) -> Tensor:
    """Standard deviation sqrt(var), with ``var``'s rules for the divisor."""
    return as_tensor(input).std(*position, axis=axis, keepdims=keepdims, ddof=ddof, dim=dim,
                                keepdim=keepdim, correction=correction, unbiased=unbiased)


@keyword_aliases(x="input")
@accepts_out
def max(input: Any, *position: Any, axis: Any = None, keepdims: bool | None = None,  # noqa: A002
        dim: Any = None, keepdim: bool | None = None) -> Any:  # noqa: A001
    """Maximum over ``axis``; ties share the gradient evenly. PyTorch's spelling
    (``dim=``, or an axis with ``keepdim=``) gives its pair ``(values, indices)``; a bare
    ``max(x, 1)`` is ambiguous and raises ``UsageError`` (see ``Tensor.max``)."""
    given = (axis, keepdims, dim, keepdim)
    refuse_bare_axis("max", position, any(k is not None for k in given))
    return as_tensor(input).max(*position, axis=axis, keepdims=keepdims, dim=dim,
                                keepdim=keepdim)


@keyword_aliases(x="input")
@accepts_out
def min(input: Any, *position: Any, axis: Any = None, keepdims: bool | None = None,  # noqa: A002
        dim: Any = None, keepdim: bool | None = None) -> Any:  # noqa: A001
    """Minimum over ``axis``, as ``max``."""
    given = (axis, keepdims, dim, keepdim)
    refuse_bare_axis("min", position, any(k is not None for k in given))
    return as_tensor(input).min(*position, axis=axis, keepdims=keepdims, dim=dim,
                                keepdim=keepdim)


@keyword_aliases(x="input")
@accepts_out
def logsumexp(input: Any, axis: Any = None, keepdims: bool = False, *,  # noqa: A002
              dim: Any = None, keepdim: bool | None = None) -> Tensor:
    """log(sum(exp(x))) over ``axis`` without overflow (shifted by the max)."""
    return as_tensor(input).logsumexp(axis, keepdims, dim=dim, keepdim=keepdim)


@keyword_aliases(x="input")
@accepts_out
def softmax(input: Any, axis: int = -1, dtype: Any = None, *,  # noqa: A002
            dim: int | None = None) -> Tensor:
    """e^{x_i} / sum_j e^{x_j} along ``axis`` (stable: shifted by the max); a float
    ``dtype`` casts x first, as ``torch.softmax(x, dim, dtype)``."""
    return as_tensor(input).softmax(axis, dtype, dim=dim)


@keyword_aliases(x="input")
@accepts_out
def log_softmax(input: Any, axis: int = -1, dtype: Any = None, *,  # noqa: A002
                dim: int | None = None) -> Tensor:
    """x - logsumexp(x) along ``axis`` (stable); ``dtype`` as in ``softmax``."""
    return as_tensor(input).log_softmax(axis, dtype, dim=dim)


@keyword_aliases(x="input")
def reshape(input: Any, shape: Any) -> Tensor:  # noqa: A002
    """x with a new shape (same number of elements; one entry may be -1)."""
    return as_tensor(input).reshape(shape)


@keyword_aliases(x="input")
def transpose(input: Any, axes: Sequence[int] | int | None = None, *more: int,  # noqa: A002
              dim0: int | None = None, dim1: int | None = None) -> Tensor:
    """Permute axes (reverse them when ``axes`` is None), as ``np.transpose``; two ints,
    ``transpose(x, 0, 1)`` or ``transpose(x, dim0=0, dim1=1)``, swap two axes as
    ``torch.transpose``, a matrix's too (``np.transpose`` takes one ``axes``, so two ints
    can only be PyTorch's)."""
    if dim0 is not None or dim1 is not None:
        positional = () if axes is None else (axes, *more)
        return as_tensor(input).transpose(*positional, dim0=dim0, dim1=dim1)
    if len(more) == 1:
        return as_tensor(input).swapaxes(axes, more[0])
    return as_tensor(input).transpose(axes, *more) if more else as_tensor(input).transpose(axes)


@keyword_aliases(x="input")
def swapaxes(input: Any, axis0: int | None = None, axis1: int | None = None, *,  # noqa: A002
             axis2: int | None = None) -> Tensor:
    """Exchange two axes (a transpose): PyTorch's ``axis0``, ``axis1``, or NumPy's
    ``axis1``, ``axis2`` (with ``axis2=`` given, ``axis1`` names the first axis)."""
    return as_tensor(input).swapaxes(axis0, axis1, axis2=axis2)


def expand_dims(x: Any, axis: Any = None, *, dim: Any = None) -> Tensor:
    """Insert size-1 axes at ``axis`` (positions in the result), a reshape."""
    return as_tensor(x).expand_dims(axis, dim=dim)


@keyword_aliases(x="input")
def squeeze(input: Any, *dims: Any, axis: Any = None, dim: Any = None) -> Tensor:  # noqa: A002
    """Remove size-1 axes (all of them, or those named), a reshape: ``Tensor.squeeze``'s
    rules (by position or ``dim=`` a longer axis stays, by ``axis=`` it is an error)."""
    return as_tensor(input).squeeze(*dims, axis=axis, dim=dim)


@keyword_aliases(x="input", shape="size")
def broadcast_to(input: Any, size: Any) -> Tensor:  # noqa: A002
    """input repeated to the shape ``size`` by NumPy broadcasting (NumPy's keyword
    ``shape=`` too): a read-only view, or a writable one where nothing repeats
    (``Tensor.broadcast_to``)."""
    return as_tensor(input).broadcast_to(size)


def getitem(x: Any, index: Any) -> Tensor:
    """x[index]: basic slicing and integer/boolean array indexing, as NumPy."""
    return as_tensor(x)[index]


@accepts_out
def concatenate(tensors: Sequence[Any], axis: int | None = 0, *,
                dim: int | None = None) -> Tensor:
    """Join tensors along an existing axis (``axis=None``: flattened first, as NumPy)."""
    return tensor_math.concatenate([as_tensor(t) for t in tensors], axis, dim=dim)


@accepts_out
def stack(tensors: Sequence[Any], axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join same-shape tensors along a new axis. ``tensors`` is a list or tuple: a Tensor
    is refused, as ``torch.stack`` refuses it (``np.stack`` reads its rows)."""
    _refuse_single_tensor(tensors, "stack", "stack([x, y])")
    return tensor_math.stack([as_tensor(t) for t in tensors], axis, dim=dim)


@accepts_out
def cat(tensors: Sequence[Any], dim: int | None = None, *, axis: int | None = None) -> Tensor:
    """``concatenate`` with PyTorch's name; ``axis=`` is its alias of ``dim`` (as in
    ``torch.cat``); both at once is an ``AxisError``. As ``torch.cat``, 1-d empty tensors
    (shape (0,): ``empty(0)``, ``tensor([])``, where a loop of ``cat((output, part))``
    starts) add nothing: each is reshaped to a piece of length 0 of the others' shape (its
    dtype still promotes the result's, its gradient is empty); when every tensor is one,
    the result is one too, whatever ``dim`` (PyTorch's legacy rule). ``tensors`` is a list
    or tuple: a Tensor is refused, as ``torch.cat`` refuses it."""
    _refuse_single_tensor(tensors, "cat", "cat([x, y])")
    along = pick_axis(axis, dim, "cat")  # (both given: AxisError)
    along = 0 if along is None else along
    tensors = [as_tensor(t) for t in tensors]
    if isinstance(along, (int, np.integer)) and any(t.shape == (0,) for t in tensors):
        tensors, along = _empty_1d_skipped(tensors, along)
    return concatenate(tensors, along)


def _empty_1d_skipped(tensors: list[Tensor], along: int) -> tuple[list[Tensor], int]:
    """``torch.cat``'s rule for 1-d empty tensors (shape (0,)) among ``tensors``: each
    becomes a piece of length 0 of the others' shape along ``along``; when all are such,
    they stay and the axis is 0, whatever ``along`` (the result has shape (0,))."""
    shapes = [t.shape for t in tensors if t.shape != (0,)]
    if not shapes:
        return tensors, 0
    along = single_axis(along, len(shapes[0]), "cat")
    nothing = shapes[0][:along] + (0,) + shapes[0][along + 1:]
    return [t.reshape(nothing) if t.shape == (0,) else t for t in tensors], along


def _refuse_single_tensor(tensors: Any, name: str, example: str) -> None:
    """A ``UsageError`` (a TypeError) for one Tensor passed where ``name`` takes a list or
    tuple of them, as PyTorch's: iterated, it would be read as the list of its rows."""
    if isinstance(tensors, Tensor):
        raise UsageError(
            f"{name}: tensors must be a list or tuple of tensors, not a Tensor (of shape "
            f"{tuple(tensors.shape)}; PyTorch refuses it too, and reading it as the list of "
            f"its rows would hide a missing bracket). Write {example}; for the rows of one "
            f"tensor x, {name}(list(x)) or {name}(x.unbind(0)).")
