"""The public functions: ``autograd.exp(x)``, ``autograd.sum(x, axis)``, ...

Each accepts Tensors, arrays and numbers and calls the Tensor operator or method of the
same name (``tensor_math``), where the op is applied. A number next to a tensor stays a
number (op state): ``add(x, 2)`` records one input, as ``x + 2`` does.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import tensor_math
from .out_argument import accepts_out
from .ops.reductions import single_axis
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


@accepts_out
def add(a: Any, b: Any, *, alpha: Any = 1) -> Tensor:
    """a + alpha * b, broadcasting as NumPy (``alpha`` is PyTorch's keyword; b is scaled
    in the dtype of a + b, as ``Tensor.add``)."""
    return _operand(a, b).add(b, alpha=alpha)


@accepts_out
def sub(a: Any, b: Any, *, alpha: Any = 1) -> Tensor:
    """a - alpha * b (``alpha`` is PyTorch's keyword; as ``add``)."""
    return _operand(a, b).sub(b, alpha=alpha)


@accepts_out
def mul(a: Any, b: Any) -> Tensor:
    """a * b (elementwise)."""
    return _first(a, b) * b


@accepts_out
def div(a: Any, b: Any, *, rounding_mode: str | None = None) -> Tensor:
    """a / b (true division); PyTorch's ``rounding_mode`` "floor" or "trunc" rounds the
    quotient down or toward 0 (gradient 0), as ``Tensor.div``."""
    if rounding_mode is None:
        return _first(a, b) / b
    return _operand(a, b).div(b, rounding_mode=rounding_mode)


@accepts_out
def pow(a: Any, b: Any) -> Tensor:  # noqa: A001 (mirrors operator.pow)
    """a ** b; a number exponent (or base) is op state."""
    return _first(a, b) ** b


@accepts_out
def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product ``a @ b`` with NumPy's rules (batched, 1-d cases)."""
    return as_tensor(a) @ b


@accepts_out
def neg(x: Any) -> Tensor:
    """-x."""
    return -as_tensor(x)


@accepts_out
def exp(x: Any) -> Tensor:
    """e^x."""
    return as_tensor(x).exp()


@accepts_out
def log(x: Any) -> Tensor:
    """ln x (IEEE at 0: -inf)."""
    return as_tensor(x).log()


@accepts_out
def sqrt(x: Any) -> Tensor:
    """sqrt(x)."""
    return as_tensor(x).sqrt()


@accepts_out
def abs(x: Any) -> Tensor:  # noqa: A001 (mirrors numpy.abs)
    """|x|, with abs'(0) = 0."""
    return as_tensor(x).abs()


@accepts_out
def tanh(x: Any) -> Tensor:
    """tanh x."""
    return as_tensor(x).tanh()


@accepts_out
def sigmoid(x: Any) -> Tensor:
    """1 / (1 + e^-x), stable for any |x|."""
    return as_tensor(x).sigmoid()


def relu(x: Any) -> Tensor:
    """max(x, 0), with relu'(0) = 0."""
    return as_tensor(x).relu()


@accepts_out
def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise max(a, b); ties split the gradient evenly."""
    return as_tensor(b).maximum(a) if isinstance(b, Tensor) and not isinstance(a, Tensor) \
        else as_tensor(a).maximum(b)


@accepts_out
def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise min(a, b); ties split the gradient evenly."""
    return as_tensor(b).minimum(a) if isinstance(b, Tensor) and not isinstance(a, Tensor) \
        else as_tensor(a).minimum(b)


@accepts_out
def where(condition: Any, a: Any = None, b: Any = None) -> Any:
    """``a`` where ``condition`` holds, else ``b`` (condition is a constant mask);
    ``where(condition)`` alone gives the indices where it holds, one int64 tensor per
    axis, as PyTorch's (and as ``np.where(t)``, NumPy's ``np.nonzero``)."""
    if a is None and b is None:
        return tuple(as_tensor(i.astype(np.int64)) for i in tensor_math.where(condition))
    if isinstance(a, (bool, int, float)) and isinstance(b, (bool, int, float)):
        # two Python numbers: NumPy's (and PyTorch's) dtype, so where(c, 1, 0) is int64
        a = as_tensor(np.asarray(a, np.result_type(a, b)))
    elif a is not None and not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = as_tensor(a)
    return tensor_math.where(condition, a, b)


@accepts_out
def clip(x: Any, lo: Any = None, hi: Any = None, *, min: Any = None,  # noqa: A002
         max: Any = None) -> Tensor:  # noqa: A002
    """Limit values to [lo, hi] (either bound may be None; or ``min=``/``max=``)."""
    return as_tensor(x).clip(lo, hi, min=min, max=max)


@accepts_out
def clamp(x: Any, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """``clip`` with PyTorch's name and keywords."""
    return as_tensor(x).clip(min, max)


def astype(x: Any, dtype: Any) -> Tensor:
    """x converted to ``dtype`` (differentiable between float dtypes)."""
    return as_tensor(x).astype(dtype)


@accepts_out
def sum(x: Any, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
        keepdim: bool | None = None, dtype: Any = None) -> Tensor:  # noqa: A001
    """Sum over ``axis`` (NumPy semantics), computed in ``dtype`` when given."""
    return as_tensor(x).sum(axis, keepdims, dim=dim, keepdim=keepdim, dtype=dtype)


@accepts_out
def mean(x: Any, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
        keepdim: bool | None = None, dtype: Any = None) -> Tensor:
    """Arithmetic mean over ``axis``: sum / n, computed in ``dtype`` when given."""
    return as_tensor(x).mean(axis, keepdims, dim=dim, keepdim=keepdim, dtype=dtype)


@accepts_out
def var(x: Any, *position: Any, axis: Any = None, keepdims: bool | None = None,
        ddof: int | None = None, dim: Any = None, keepdim: bool | None = None,
        correction: int | None = None, unbiased: bool | None = None) -> Tensor:
    """Variance sum((x - mean)^2) / (n - ddof): ``Tensor.var``'s rules (NumPy's ``ddof=``
    or PyTorch's ``correction=``/``unbiased=``/``dim=``; a bare call raises)."""
    return as_tensor(x).var(*position, axis=axis, keepdims=keepdims, ddof=ddof, dim=dim,
                            keepdim=keepdim, correction=correction, unbiased=unbiased)


@accepts_out
def std(x: Any, *position: Any, axis: Any = None, keepdims: bool | None = None,
        ddof: int | None = None, dim: Any = None, keepdim: bool | None = None,
        correction: int | None = None, unbiased: bool | None = None) -> Tensor:
    """Standard deviation sqrt(var), with ``var``'s rules for the divisor."""
    return as_tensor(x).std(*position, axis=axis, keepdims=keepdims, ddof=ddof, dim=dim,
                            keepdim=keepdim, correction=correction, unbiased=unbiased)


@accepts_out
def max(x: Any, *position: Any, axis: Any = None, keepdims: bool | None = None,
        dim: Any = None, keepdim: bool | None = None) -> Any:  # noqa: A001
    """Maximum over ``axis``; ties share the gradient evenly. PyTorch's spelling
    (``dim=``, or an axis with ``keepdim=``) gives its pair ``(values, indices)``; a bare
    ``max(x, 1)`` is ambiguous and raises ``UsageError`` (see ``Tensor.max``)."""
    given = (axis, keepdims, dim, keepdim)
    refuse_bare_axis("max", position, any(k is not None for k in given))
    return as_tensor(x).max(*position, axis=axis, keepdims=keepdims, dim=dim, keepdim=keepdim)


@accepts_out
def min(x: Any, *position: Any, axis: Any = None, keepdims: bool | None = None,
        dim: Any = None, keepdim: bool | None = None) -> Any:  # noqa: A001
    """Minimum over ``axis``, as ``max``."""
    given = (axis, keepdims, dim, keepdim)
    refuse_bare_axis("min", position, any(k is not None for k in given))
    return as_tensor(x).min(*position, axis=axis, keepdims=keepdims, dim=dim, keepdim=keepdim)


@accepts_out
def logsumexp(x: Any, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
        keepdim: bool | None = None) -> Tensor:
    """log(sum(exp(x))) over ``axis`` without overflow (shifted by the max)."""
    return as_tensor(x).logsumexp(axis, keepdims, dim=dim, keepdim=keepdim)


@accepts_out
def softmax(x: Any, axis: int = -1, dtype: Any = None, *, dim: int | None = None) -> Tensor:
    """e^{x_i} / sum_j e^{x_j} along ``axis`` (stable: shifted by the max); a float
    ``dtype`` casts x first, as ``torch.softmax(x, dim, dtype)``."""
    return as_tensor(x).softmax(axis, dtype, dim=dim)


@accepts_out
def log_softmax(x: Any, axis: int = -1, dtype: Any = None, *,
                dim: int | None = None) -> Tensor:
    """x - logsumexp(x) along ``axis`` (stable); ``dtype`` as in ``softmax``."""
    return as_tensor(x).log_softmax(axis, dtype, dim=dim)


def reshape(x: Any, shape: Any) -> Tensor:
    """x with a new shape (same number of elements; one entry may be -1)."""
    return as_tensor(x).reshape(shape)


def transpose(x: Any, axes: Sequence[int] | int | None = None, *more: int,
              dim0: int | None = None, dim1: int | None = None) -> Tensor:
    """Permute axes (reverse them when ``axes`` is None), as ``np.transpose``; two ints,
    ``transpose(x, 0, 1)`` or ``transpose(x, dim0=0, dim1=1)``, swap two axes as
    ``torch.transpose``, a matrix's too (``np.transpose`` takes one ``axes``, so two ints
    can only be PyTorch's)."""
    if dim0 is not None or dim1 is not None:
        positional = () if axes is None else (axes, *more)
        return as_tensor(x).transpose(*positional, dim0=dim0, dim1=dim1)
    if len(more) == 1:
        return as_tensor(x).swapaxes(axes, more[0])
    return as_tensor(x).transpose(axes, *more) if more else as_tensor(x).transpose(axes)


def swapaxes(x: Any, axis1: int, axis2: int) -> Tensor:
    """Exchange two axes (a transpose)."""
    return as_tensor(x).swapaxes(axis1, axis2)


def expand_dims(x: Any, axis: Any = None, *, dim: Any = None) -> Tensor:
    """Insert size-1 axes at ``axis`` (positions in the result), a reshape."""
    return as_tensor(x).expand_dims(axis, dim=dim)


def squeeze(x: Any, *dims: Any, axis: Any = None, dim: Any = None) -> Tensor:
    """Remove size-1 axes (all of them, or those named), a reshape: ``Tensor.squeeze``'s
    rules (by position or ``dim=`` a longer axis stays, by ``axis=`` it is an error)."""
    return as_tensor(x).squeeze(*dims, axis=axis, dim=dim)


def broadcast_to(x: Any, shape: Any) -> Tensor:
    """x repeated to ``shape`` by NumPy broadcasting (a read-only view)."""
    return as_tensor(x).broadcast_to(shape)


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
    """Join same-shape tensors along a new axis."""
    return tensor_math.stack([as_tensor(t) for t in tensors], axis, dim=dim)


@accepts_out
def cat(tensors: Sequence[Any], dim: int | None = None, *, axis: int | None = None) -> Tensor:
    """``concatenate`` with PyTorch's name; ``axis=`` is its alias of ``dim`` (as in
    ``torch.cat``); both at once is an ``AxisError``. As ``torch.cat``, 1-d empty tensors
    (shape (0,): ``empty(0)``, ``tensor([])``, where a loop of ``cat((output, part))``
    starts) add nothing: each is reshaped to a piece of length 0 of the others' shape (its
    dtype still promotes the result's, its gradient is empty)."""
    if dim is None and axis is None:
        dim = 0
    tensors = [as_tensor(t) for t in tensors]
    shapes = [t.shape for t in tensors if t.shape != (0,)]
    if shapes and len(shapes) < len(tensors) and isinstance(dim if axis is None else axis,
                                                            (int, np.integer)):
        along = single_axis(dim if axis is None else axis, len(shapes[0]), "cat")
        nothing = shapes[0][:along] + (0,) + shapes[0][along + 1:]
        tensors = [t.reshape(nothing) if t.shape == (0,) else t for t in tensors]
    return concatenate(tensors, 0 if axis is None else axis, dim=dim)
