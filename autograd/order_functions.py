"""The order statistics as functions, ``autograd.median(x, dim=1)``: each takes a Tensor
(or data, made a constant Tensor) and follows the methods of ``order_methods``.

``median``/``nanmedian`` are both NumPy's and PyTorch's functions, with different
results for an even count (NumPy's mean of the two middle values, PyTorch's lower one
and along an axis the pair (values, indices)): the spelling decides, NumPy's
``axis=``/``keepdims=`` or PyTorch's ``dim=``/``keepdim=``, and a call without either
(``autograd.median(x)``, ``autograd.median(x, 1)``) raises ``UsageError`` naming both.
``quantile`` means the same in both libraries (PyTorch's and NumPy's keywords are
taken).
"""

from __future__ import annotations

from typing import Any

from .order_methods import UNSET, median_spelled
from .tensor import Tensor, as_tensor

__all__ = ["median", "nanmedian", "quantile", "nanquantile"]


def median(input: Any, *position: Any, axis: Any = UNSET,  # noqa: A002
           keepdims: bool | None = None, dim: Any = None,
           keepdim: bool | None = None) -> Any:
    """NumPy's median (``axis=``, ``keepdims=``) or PyTorch's (``dim=``, ``keepdim=``):
    see the module docstring."""
    return median_spelled(as_tensor(input), "median", position, axis, keepdims, dim,
                          keepdim, False, method=False)


def nanmedian(input: Any, *position: Any, axis: Any = UNSET,  # noqa: A002
              keepdims: bool | None = None, dim: Any = None,
              keepdim: bool | None = None) -> Any:
    """``median`` of the values that are not NaN, either library's as spelled."""
    return median_spelled(as_tensor(input), "nanmedian", position, axis, keepdims, dim,
                          keepdim, True, method=False)


def quantile(input: Any, q: Any, dim: Any = None, keepdim: bool | None = None, *,  # noqa: A002
             interpolation: str | None = None, axis: Any = None,
             keepdims: bool | None = None, method: str | None = None) -> Tensor:
    """The ``q``-quantiles of input over ``dim`` (all elements when None)."""
    return as_tensor(input).quantile(q, dim, keepdim, interpolation=interpolation,
                                     axis=axis, keepdims=keepdims, method=method)


def nanquantile(input: Any, q: Any, dim: Any = None, keepdim: bool | None = None, *,  # noqa: A002
                interpolation: str | None = None, axis: Any = None,
                keepdims: bool | None = None, method: str | None = None) -> Tensor:
    """``quantile`` of the values that are not NaN."""
    return as_tensor(input).nanquantile(q, dim, keepdim, interpolation=interpolation,
                                        axis=axis, keepdims=keepdims, method=method)
