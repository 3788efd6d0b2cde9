"""NumPy functions on Tensors that HIPS autograd programs use and the Tensor methods do
not cover with NumPy's arguments: ``np.logaddexp``/``np.logaddexp2`` (the log-density of
a Bernoulli, ``-np.logaddexp(0, -logits * targets)``), ``np.reshape`` with NumPy's
``order``, and ``np.transpose``, ``np.trace``, ``np.broadcast_to``, ``np.where`` with
NumPy's keywords and results. ``autograd.interop`` dispatches to them (its ``UFUNCS``
and ``FUNCTIONS`` tables); they sit below the Tensor class.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import set_numpy
from .errors import UsageError
from .ops.shape import memory_order
from .tensor_math import stack, where

__all__ = ["numpy_logaddexp", "numpy_logaddexp2", "numpy_reshape", "numpy_transpose",
           "numpy_trace", "numpy_broadcast_to", "numpy_where", "UFUNCS", "FUNCTIONS"]

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


def numpy_transpose(a: AnyTensor, axes: Any = None) -> AnyTensor:
    """``np.transpose(t, axes)``: the axes permuted as ``axes`` (NumPy's keyword; one
    sequence, never PyTorch's pair of axes to swap), reversed when None."""
    if axes is None:
        return a.transpose(None)
    return a.transpose((axes,) if isinstance(axes, (int, np.integer)) else tuple(axes))


def numpy_trace(a: AnyTensor, offset: int = 0, axis1: int = 0, axis2: int = 1,
                dtype: Any = None) -> AnyTensor:
    """``np.trace``: the sum of a diagonal, summed in ``dtype`` when given (a cast of a
    first, differentiable between float dtypes)."""
    return (a if dtype is None else a.astype(dtype)).trace(offset, axis1, axis2)


def numpy_broadcast_to(array: AnyTensor, shape: Any, subok: bool = False) -> AnyTensor:
    """``np.broadcast_to``: repeated to ``shape`` by broadcasting (``subok``, which keeps
    an ndarray subclass, changes nothing for a Tensor)."""
    return array.broadcast_to(shape)


def numpy_where(condition: Any, x: Any = None, y: Any = None, /) -> Any:
    """``np.where``: x where the condition holds, else y (``tensor_math.where``); with
    the condition alone the positions where it holds, constant int64 Tensors as
    ``np.nonzero`` gives them."""
    if x is None and y is None:
        return set_numpy.numpy_nonzero(condition)
    return where(condition, x, y)


UFUNCS = {np.logaddexp: numpy_logaddexp, np.logaddexp2: numpy_logaddexp2}
FUNCTIONS = {np.reshape: numpy_reshape, np.transpose: numpy_transpose, np.trace: numpy_trace,
             np.broadcast_to: numpy_broadcast_to, np.where: numpy_where}
