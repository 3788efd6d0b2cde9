"""NumPy functions on Tensors that HIPS autograd programs use and the Tensor methods do
not cover with NumPy's arguments: ``np.logaddexp``/``np.logaddexp2`` (the log-density of
a Bernoulli, ``-np.logaddexp(0, -logits * targets)``), and ``np.reshape`` with NumPy's
``order``. ``autograd.interop`` dispatches to them (its ``UFUNCS`` and ``FUNCTIONS``
tables); they sit below the Tensor class.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import UsageError
from .ops.shape import memory_order
from .tensor_math import stack

__all__ = ["numpy_logaddexp", "numpy_logaddexp2", "numpy_reshape", "UFUNCS", "FUNCTIONS"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


def numpy_logaddexp(a: AnyTensor, b: AnyTensor) -> AnyTensor:
    """log(e^a + e^b), broadcast, without overflow: the fused logsumexp of the pair
    (d/da = e^(a - out), as PyTorch's ``logaddexp``)."""
    shape = np.broadcast_shapes(a.shape, b.shape)
    return stack([a.broadcast_to(shape), b.broadcast_to(shape)]).logsumexp(axis=0)


def numpy_logaddexp2(a: AnyTensor, b: AnyTensor) -> AnyTensor:
    """log2(2^a + 2^b) = logaddexp(a ln 2, b ln 2) / ln 2."""
    return numpy_logaddexp(a * np.log(2.0), b * np.log(2.0)) / np.log(2.0)


def numpy_reshape(a: AnyTensor, shape: Any, order: str = "C", *,
                  copy: bool | None = None) -> AnyTensor:
    """``np.reshape(t, shape, order)``: "C" reads and writes row by row; "F" column by
    column, which is the row-major reshape of the transposes:
    ``t.T.reshape(shape[::-1]).T``."""
    if copy is False:
        raise UsageError("np.reshape(t, ..., copy=False) promises a view; a Tensor's "
                         "reshape is an op in the graph: leave copy out")
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if memory_order(order, "np.reshape") == "C":
        return a.reshape(shape)
    return a.transpose().reshape(shape[::-1]).transpose()


UFUNCS = {np.logaddexp: numpy_logaddexp, np.logaddexp2: numpy_logaddexp2}
FUNCTIONS = {np.reshape: numpy_reshape}
