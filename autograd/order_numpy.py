"""NumPy's order statistics on Tensors, with NumPy's arguments and results:
``np.median nanmedian`` (the rows of
``interop.FUNCTIONS``; ``interop`` matches their arguments by NumPy's own signature and
handles ``out=``).

Values are NumPy's (the mean of the two middle values for an even count; NaN in a
slice makes its median NaN); the gradient is that of ``order_methods``.
``overwrite_input`` is accepted and changes nothing (a Tensor is never overwritten).
"""

from __future__ import annotations

from typing import Any

from .order_methods import numpy_median

__all__ = ["median", "nanmedian"]

AnyTensor = Any


def median(a: AnyTensor, axis: Any = None, overwrite_input: bool = False,
           keepdims: bool = False) -> AnyTensor:
    """``np.median``."""
    return numpy_median(a, axis, keepdims, False, "median")


def nanmedian(a: AnyTensor, axis: Any = None, overwrite_input: bool = False,
              keepdims: bool = False) -> AnyTensor:
    """``np.nanmedian``."""
    return numpy_median(a, axis, keepdims, True, "nanmedian")
