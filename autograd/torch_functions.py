"""PyTorch's module-level functions for Tensor methods that exist here under PyTorch's
name (``autograd.flatten(x, 1)`` is ``torch.flatten(x, 1)``): each takes a Tensor (or
data, made a constant Tensor) and calls the method, so it has the method's rules,
values and gradient.

Only names NumPy does not use for something else: ``np.split`` and ``np.equal`` mean
other things (and ``autograd.max``, ``repeat``... keep NumPy's meaning), so
``x.split(...)`` and ``x.equal(y)`` stay methods. ``amax amin isclose allclose diag
nan_to_num`` are also NumPy's names, with the same meaning.

``all`` and ``any`` (torch.all, torch.any) are not in ``__all__``: ``autograd.__getattr__``
hands them out, as it does ``autograd.float``, so ``from autograd import *`` keeps Python's
own ``all`` and ``any`` (which this module does not use).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .combinations import meshgrid  # with cartesian_prod, which shares its rules
from .errors import DTypeError, UsageError
from .ops import lu as lu_ops
from .out_argument import accepts_out
from .tensor import Tensor, as_tensor
from .tensor_reductions import ValuesIndices

__all__ = ["flatten", "unflatten", "unsqueeze", "permute", "movedim", "moveaxis", "narrow",
           "index_select", "masked_fill", "masked_select", "dist", "std_mean", "var_mean",
           "gather", "scatter", "scatter_add", "unbind", "chunk", "topk", "repeat_interleave",
           "amax", "amin", "clamp_min", "clamp_max", "mm", "spmm", "mv", "bmm", "addmm", "lerp",
           "isclose", "allclose", "diag", "diag_embed", "inverse", "lu_unpack", "nan_to_num",
           "clone", "numel", "eq", "ne", "lt", "le", "gt", "ge", "meshgrid", "addcmul",
           "addcdiv", "rsqrt"]


# ------------------------------------------------------------ shape and pieces
def repeat_interleave(input: Any, repeats: Any = None, dim: int | None = None, *,  # noqa: A002
                      output_size: int | None = None) -> Tensor:
    """Each element of ``input`` ``repeats`` times (an int, or one count per element)
    along ``dim`` (the flattened tensor when None), the method's op; without ``repeats``,
    PyTorch's one-argument form: ``input`` holds integer counts c and the result is
    index i repeated c_i times (int64), e.g. [1, 0, 3] -> [0, 2, 2, 2]."""
    if repeats is None:
        counts = np.asarray(input.data if isinstance(input, Tensor) else input)
        if counts.dtype.kind not in "iu" or counts.ndim > 1:
            raise DTypeError(f"repeat_interleave(repeats) needs a 0-d or 1-d tensor of "
                             f"integer counts; got dtype {counts.dtype} with shape "
                             f"{counts.shape}. To repeat values, pass the counts too: "
                             f"repeat_interleave(input, repeats, dim).")
        counts = counts.reshape(-1)
        return Tensor(np.repeat(np.arange(counts.size, dtype=np.int64), counts))
    return as_tensor(input).repeat_interleave(repeats, dim, output_size=output_size)



def flatten(input: Any, start_dim: int = 0, end_dim: int = -1) -> Tensor:  # noqa: A002
    """Axes ``start_dim..end_dim`` merged into one (all by default: a 1-d tensor)."""
    return as_tensor(input).flatten(start_dim, end_dim)


def unflatten(input: Any, dim: int, sizes: Sequence[int]) -> Tensor:  # noqa: A002
    """Axis ``dim`` split into axes of ``sizes`` (one may be -1)."""
    return as_tensor(input).unflatten(dim, sizes)


def unsqueeze(input: Any, dim: int) -> Tensor:  # noqa: A002
    """A size-1 axis inserted at ``dim`` (``expand_dims``)."""
    return as_tensor(input).unsqueeze(dim)


def permute(input: Any, dims: Sequence[int]) -> Tensor:  # noqa: A002
    """The axes in the order ``dims`` (a tuple naming every axis)."""
    return as_tensor(input).permute(dims)


def movedim(input: Any, source: Any, destination: Any) -> Tensor:  # noqa: A002
    """Axes ``source`` moved to ``destination``, the others keeping their order."""
    return as_tensor(input).movedim(source, destination)


moveaxis = movedim


@accepts_out
def inverse(input: Any) -> Tensor:  # noqa: A002
    """The inverse of each square matrix, as ``torch.inverse`` (``linalg.inv``)."""
    return as_tensor(input).inv()


@accepts_out
def lu_unpack(LU_data: Any, LU_pivots: Any, unpack_data: bool = True,
              unpack_pivots: bool = True) -> Any:
    """(P, L, U) from ``linalg.lu_factor``'s (LU, pivots), as ``torch.lu_unpack``."""
    return lu_ops.lu_unpack(as_tensor(LU_data), LU_pivots, unpack_data, unpack_pivots)


def diag_embed(input: Any, offset: int = 0, dim1: int = -2,  # noqa: A002
               dim2: int = -1) -> Tensor:
    """Matrices with the last axis of ``input`` on diagonal ``offset``, 0 elsewhere."""
    return as_tensor(input).diag_embed(offset, dim1, dim2)


def narrow(input: Any, dim: int, start: int, length: int) -> Tensor:  # noqa: A002
    """The ``length`` elements from ``start`` along ``dim``."""
    return as_tensor(input).narrow(dim, start, length)


@accepts_out
def index_select(input: Any, dim: int, index: Any) -> Tensor:  # noqa: A002
    """The slices at ``index`` (1-d, integer) along ``dim``."""
    return as_tensor(input).index_select(dim, index)


def masked_fill(input: Any, mask: Any, value: Any) -> Tensor:  # noqa: A002
    """``value`` where ``mask`` is True, input elsewhere."""
    return as_tensor(input).masked_fill(mask, value)


@accepts_out
def masked_select(input: Any, mask: Any) -> Tensor:  # noqa: A002
    """The elements of input where ``mask`` is True (broadcast together), as a 1-d tensor."""
    return as_tensor(input).masked_select(mask)


def dist(input: Any, other: Any, p: float = 2) -> Tensor:  # noqa: A002
    """||input - other||_p over all elements (broadcast together), as ``torch.dist``
    (``Tensor.dist``)."""
    return as_tensor(input).dist(other, p)


@accepts_out
def std_mean(input: Any, dim: Any = None, unbiased: bool | None = None,  # noqa: A002
             keepdim: bool = False, *, correction: int | None = None) -> tuple[Tensor, Tensor]:
    """``(std, mean)`` over ``dim`` (all axes if None), as ``torch.std_mean``: the standard
    deviation with Bessel's correction, sqrt(sum((x - mean)^2) / (n - 1)), unless
    ``correction`` (the ddof) or ``unbiased=False`` says otherwise. By position as
    PyTorch's overloads: ``(input, dim, unbiased, keepdim)`` and ``(input, unbiased)``."""
    return _spread_and_mean("std", input, dim, correction, unbiased, keepdim)


@accepts_out
def var_mean(input: Any, dim: Any = None, unbiased: bool | None = None,  # noqa: A002
             keepdim: bool = False, *, correction: int | None = None) -> tuple[Tensor, Tensor]:
    """``(var, mean)`` over ``dim``, as ``torch.var_mean`` (Bessel's correction, n - 1, by
    default; the arguments as :func:`std_mean`'s)."""
    return _spread_and_mean("var", input, dim, correction, unbiased, keepdim)


def _spread_and_mean(spread: str, input: Any, dim: Any, correction: int | None,  # noqa: A002
                     unbiased: bool | None, keepdim: bool) -> tuple[Tensor, Tensor]:
    x = as_tensor(input)
    if isinstance(dim, (bool, np.bool_)) and unbiased is None:  # PyTorch's (input, unbiased)
        dim, unbiased = None, bool(dim)
    if correction is None and unbiased is None:
        correction = 1  # PyTorch's default, also over all axes
    return (getattr(x, spread)(dim=dim, keepdim=keepdim, correction=correction,
                               unbiased=unbiased), x.mean(dim=dim, keepdim=keepdim))


@accepts_out
def gather(input: Any, dim: int, index: Any, *, sparse_grad: bool = False) -> Tensor:  # noqa: A002
    """out[..., i, ...] = input[..., index[..., i, ...], ...] along ``dim``. PyTorch's
    ``sparse_grad`` is taken: the gradient is the same numbers, held dense either way."""
    return as_tensor(input).gather(dim, index)


@accepts_out
def scatter(input: Any, dim: int, index: Any, src: Any = None, *,  # noqa: A002
            value: Any = None) -> Tensor:
    """A copy of input with ``src`` (or ``value``) written along ``dim`` at ``index``."""
    return as_tensor(input).scatter(dim, index, src, value=value)


@accepts_out
def scatter_add(input: Any, dim: int, index: Any, src: Any) -> Tensor:  # noqa: A002
    """A copy of input with ``src`` added along ``dim`` at ``index`` (repeats add up)."""
    return as_tensor(input).scatter_add(dim, index, src)


def unbind(input: Any, dim: int = 0) -> tuple[Tensor, ...]:  # noqa: A002
    """The slices along ``dim``, each without that axis."""
    return as_tensor(input).unbind(dim)


def chunk(input: Any, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:  # noqa: A002
    """At most ``chunks`` pieces of equal size along ``dim`` (the last may be smaller)."""
    return as_tensor(input).chunk(chunks, dim)


# ------------------------------------------------------------ reductions and values
@accepts_out
def topk(input: Any, k: int, dim: int = -1, largest: bool = True,  # noqa: A002
         sorted: bool = True) -> ValuesIndices:  # noqa: A002
    """The ``k`` largest (or smallest) elements along ``dim``: ``(values, indices)``."""
    return as_tensor(input).topk(k, dim, largest, sorted)


@accepts_out
def amax(input: Any, dim: Any = (), keepdim: bool = False) -> Tensor:  # noqa: A002
    """The maximum over ``dim`` (all axes by default); ties share the gradient."""
    return as_tensor(input).amax(dim, keepdim)


@accepts_out
def amin(input: Any, dim: Any = (), keepdim: bool = False) -> Tensor:  # noqa: A002
    """The minimum over ``dim`` (all axes by default); ties share the gradient."""
    return as_tensor(input).amin(dim, keepdim)


@accepts_out
def clamp_min(input: Any, min: Any) -> Tensor:  # noqa: A002
    """input limited from below."""
    return as_tensor(input).clamp_min(min)


@accepts_out
def clamp_max(input: Any, max: Any) -> Tensor:  # noqa: A002
    """input limited from above."""
    return as_tensor(input).clamp_max(max)


@accepts_out
def lerp(input: Any, end: Any, weight: Any) -> Tensor:  # noqa: A002
    """input + weight * (end - input), as ``Tensor.lerp``."""
    return as_tensor(input).lerp(end, weight)


@accepts_out
def nan_to_num(input: Any, nan: float = 0.0, posinf: float | None = None,  # noqa: A002
               neginf: float | None = None) -> Tensor:
    """NaN, +inf, -inf replaced by ``nan``, ``posinf``, ``neginf`` (PyTorch's order: the
    second argument is ``nan``, where NumPy's is ``copy``, which is refused)."""
    if isinstance(nan, bool):
        raise UsageError(f"nan_to_num: the second argument is nan= (the number for NaN), "
                         f"as PyTorch's; got the bool {nan}, NumPy's copy=. Leave it out: "
                         f"the result is a new tensor.")
    return as_tensor(input).nan_to_num(nan, posinf, neginf)


@accepts_out
def all(input: Any, axis: Any = None, keepdims: bool = False, *, dim: Any = None,  # noqa: A001,A002
        keepdim: bool | None = None) -> Tensor:
    """Whether every element (along ``dim``/``axis``) is true: a boolean tensor
    (``torch.all(a == b).item()``); uint8 for a uint8 input, as PyTorch's."""
    return as_tensor(input).all(axis, keepdims, dim=dim, keepdim=keepdim)


@accepts_out
def any(input: Any, axis: Any = None, keepdims: bool = False, *, dim: Any = None,  # noqa: A001,A002
        keepdim: bool | None = None) -> Tensor:
    """Whether some element (along ``dim``/``axis``) is true: a boolean tensor; uint8 for
    a uint8 input, as PyTorch's."""
    return as_tensor(input).any(axis, keepdims, dim=dim, keepdim=keepdim)


def clone(input: Any, *, memory_format: Any = None) -> Tensor:  # noqa: A002
    """A copy with its own memory; the gradient passes through."""
    return as_tensor(input).clone(memory_format=memory_format)


def numel(input: Any) -> int:  # noqa: A002
    """The number of elements."""
    return as_tensor(input).numel()


# ------------------------------------------------------------ matrix products
@accepts_out
def mm(input: Any, mat2: Any) -> Tensor:  # noqa: A002
    """The product of two matrices (2-d only)."""
    return as_tensor(input).mm(mat2)


def spmm(input: Any, mat2: Any) -> Tensor:  # noqa: A002
    """PyTorch's sparse-times-dense product, which also takes two dense matrices, as
    every tensor is here: ``mm(input, mat2)`` (2-d only)."""
    return as_tensor(input).mm(mat2)


@accepts_out
def mv(input: Any, vec: Any) -> Tensor:  # noqa: A002
    """A matrix times a vector (2-d and 1-d only)."""
    return as_tensor(input).mv(vec)


@accepts_out
def bmm(input: Any, mat2: Any) -> Tensor:  # noqa: A002
    """The product of two batches of matrices (3-d only, the same batch size)."""
    return as_tensor(input).bmm(mat2)


@accepts_out
def addmm(input: Any, mat1: Any, mat2: Any, *, beta: Any = 1,  # noqa: A002
          alpha: Any = 1) -> Tensor:
    """beta * input + alpha * (mat1 @ mat2)."""
    return as_tensor(input).addmm(mat1, mat2, beta=beta, alpha=alpha)


# ------------------------------------------------------------ comparisons (constants)
@accepts_out
def rsqrt(input: Any) -> Tensor:  # noqa: A002
    """1 / sqrt(input) (``input.rsqrt()``)."""
    return as_tensor(input).rsqrt()


@accepts_out
def addcmul(input: Any, *tensors: Any, tensor1: Any = None, tensor2: Any = None,  # noqa: A002
            value: Any = None) -> Tensor:
    """input + value * tensor1 * tensor2 (``input.addcmul(tensor1, tensor2)``, value 1 by
    default); PyTorch's deprecated ``addcmul(input, value, tensor1, tensor2)`` warns."""
    factors = _factors("addcmul", tensors, tensor1, tensor2)
    return as_tensor(input).addcmul(*factors, value=value)


@accepts_out
def addcdiv(input: Any, *tensors: Any, tensor1: Any = None, tensor2: Any = None,  # noqa: A002
            value: Any = None) -> Tensor:
    """input + value * tensor1 / tensor2 (``input.addcdiv(tensor1, tensor2)``, value 1 by
    default); PyTorch's deprecated ``addcdiv(input, value, tensor1, tensor2)`` warns."""
    factors = _factors("addcdiv", tensors, tensor1, tensor2)
    return as_tensor(input).addcdiv(*factors, value=value)


def _factors(op: str, tensors: tuple, tensor1: Any, tensor2: Any) -> tuple:
    """The positional tensors, then PyTorch's keywords ``tensor1=``, ``tensor2=`` in the
    places they name (one given both ways is a ``UsageError``)."""
    if (tensor1 is not None and tensors) or (tensor2 is not None and len(tensors) > 1):
        raise UsageError(f"{op}: got {len(tensors)} tensors by position and tensor1= or "
                         f"tensor2= for one of them; pass each factor once, e.g. "
                         f"{op}(input, tensor1, tensor2, value=1)")
    return tensors + tuple(t for t in (tensor1, tensor2) if t is not None)


def isclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08,  # noqa: A002
            equal_nan: bool = False) -> Tensor:
    """Elementwise |input - other| <= atol + rtol * |other|: a boolean tensor."""
    return as_tensor(input).isclose(other, rtol, atol, equal_nan)


def allclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08,  # noqa: A002
             equal_nan: bool = False) -> bool:
    """Whether ``isclose`` holds everywhere: a Python bool."""
    return as_tensor(input).allclose(other, rtol, atol, equal_nan)


@accepts_out
def diag(input: Any, diagonal: int = 0) -> Tensor:  # noqa: A002
    """1-d: the square matrix with input on diagonal ``diagonal``; 2-d: that diagonal."""
    return as_tensor(input).diag(diagonal)


@accepts_out
def eq(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input == other, a boolean tensor."""
    return as_tensor(input).eq(other)


@accepts_out
def ne(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input != other, a boolean tensor."""
    return as_tensor(input).ne(other)


@accepts_out
def lt(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input < other, a boolean tensor."""
    return as_tensor(input).lt(other)


@accepts_out
def le(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input <= other, a boolean tensor."""
    return as_tensor(input).le(other)


@accepts_out
def gt(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input > other, a boolean tensor."""
    return as_tensor(input).gt(other)


@accepts_out
def ge(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input >= other, a boolean tensor."""
    return as_tensor(input).ge(other)
