"""The order statistics as functions, ``autograd.median(x, dim=1)``: each takes a Tensor
(or data, made a constant Tensor) and follows the methods of ``order_methods``.

``median``/``nanmedian`` are both NumPy's and PyTorch's functions, with different
results for an even count (NumPy's mean of the two middle values, PyTorch's lower one
and along an axis the pair (values, indices)): the spelling decides, NumPy's
``axis=``/``keepdims=`` or PyTorch's ``dim=``/``keepdim=``, and a call without either
(``autograd.median(x)``, ``autograd.median(x, 1)``) raises ``UsageError`` naming both.
"""

from __future__ import annotations

from typing import Any

from .order_methods import UNSET, median_spelled
from .tensor import as_tensor

__all__ = ["median", "nanmedian"]


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
