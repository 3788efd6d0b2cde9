"""The order statistics as functions, ``autograd.median(x, dim=1)``: each takes a Tensor
(or data, made a constant Tensor) and follows the methods of ``order_methods``.

``median``/``nanmedian`` are both NumPy's and PyTorch's functions, with different
results for an even count (NumPy's mean of the two middle values, PyTorch's lower one
and along an axis the pair (values, indices)): the spelling decides, NumPy's
``axis=``/``keepdims=`` or PyTorch's ``dim=``/``keepdim=``, and a call without either
(``autograd.median(x)``, ``autograd.median(x, 1)``) raises ``UsageError`` naming both.
``quantile`` means the same in both libraries (PyTorch's and NumPy's keywords are
taken); ``kthvalue mode cummax cummin logcumsumexp msort`` are PyTorch's alone. Each takes
PyTorch's ``out=`` (a Tensor, or a pair of them for the pairs; see ``out_argument``).
"""

from __future__ import annotations

from typing import Any

from .order_methods import UNSET, median_spelled
from .out_argument import accepts_out
from .tensor import Tensor, as_tensor
from .tensor_reductions import ValuesIndices

__all__ = ["median", "nanmedian", "quantile", "nanquantile", "kthvalue", "mode", "cummax",
           "cummin", "logcumsumexp", "msort"]


@accepts_out
def median(input: Any, *position: Any, axis: Any = UNSET,  # noqa: A002
           keepdims: bool | None = None, dim: Any = None,
           keepdim: bool | None = None) -> Any:
    """NumPy's median (``axis=``, ``keepdims=``) or PyTorch's (``dim=``, ``keepdim=``):
    see the module docstring."""
    return median_spelled(as_tensor(input), "median", position, axis, keepdims, dim,
                          keepdim, False, method=False)


@accepts_out
def nanmedian(input: Any, *position: Any, axis: Any = UNSET,  # noqa: A002
              keepdims: bool | None = None, dim: Any = None,
              keepdim: bool | None = None) -> Any:
    """``median`` of the values that are not NaN, either library's as spelled."""
    return median_spelled(as_tensor(input), "nanmedian", position, axis, keepdims, dim,
                          keepdim, True, method=False)


@accepts_out
def quantile(input: Any, q: Any, dim: Any = None, keepdim: bool | None = None, *,  # noqa: A002
             interpolation: str | None = None, axis: Any = None,
             keepdims: bool | None = None, method: str | None = None) -> Tensor:
    """The ``q``-quantiles of input over ``dim`` (all elements when None)."""
    return as_tensor(input).quantile(q, dim, keepdim, interpolation=interpolation,
                                     axis=axis, keepdims=keepdims, method=method)


@accepts_out
def nanquantile(input: Any, q: Any, dim: Any = None, keepdim: bool | None = None, *,  # noqa: A002
                interpolation: str | None = None, axis: Any = None,
                keepdims: bool | None = None, method: str | None = None) -> Tensor:
    """``quantile`` of the values that are not NaN."""
    return as_tensor(input).nanquantile(q, dim, keepdim, interpolation=interpolation,
                                        axis=axis, keepdims=keepdims, method=method)


@accepts_out
def kthvalue(input: Any, k: int, dim: int = -1, keepdim: bool = False  # noqa: A002
             ) -> ValuesIndices:
    """The k-th smallest along ``dim``: the pair (values, indices)."""
    return as_tensor(input).kthvalue(k, dim, keepdim)


@accepts_out
def mode(input: Any, dim: int = -1, keepdim: bool = False) -> ValuesIndices:  # noqa: A002
    """The most frequent value along ``dim`` (the smallest of a tie) and its last index."""
    return as_tensor(input).mode(dim, keepdim)


@accepts_out
def cummax(input: Any, dim: int) -> ValuesIndices:  # noqa: A002
    """The running maximum along ``dim`` and where it was reached."""
    return as_tensor(input).cummax(dim)


@accepts_out
def cummin(input: Any, dim: int) -> ValuesIndices:  # noqa: A002
    """The running minimum along ``dim`` and where it was reached."""
    return as_tensor(input).cummin(dim)


@accepts_out
def logcumsumexp(input: Any, dim: int) -> Tensor:  # noqa: A002
    """log(cumsum(exp(input))) along ``dim``, without overflow."""
    return as_tensor(input).logcumsumexp(dim)


@accepts_out
def msort(input: Any) -> Tensor:  # noqa: A002
    """The values sorted along the first axis, ascending: ``sort(input, dim=0).values``
    (the gradient goes back to each value's place)."""
    return as_tensor(input).sort(dim=0).values
