"""NumPy's ufuncs that compute in floating point only, given integer or bool Tensors.

``np.fabs``, ``np.rint``, ``np.modf``, ``np.exp2``, ``np.copysign``, ``np.logaddexp``,
``np.nextafter``, ``np.heaviside``... have no integer loop in NumPy: an integer or bool
input is converted to the float dtype NumPy's promotion picks (float16 for int8, uint8 and
bool, float64 for int64, float64 for an integer with a Python float). The Tensor methods
of the same names keep the integer dtype (``np.fabs``) or compute in it and overflow
(``np.logaddexp`` of uint8). When no operand is a floating Tensor or array, nothing can
require grad, so ``autograd.interop`` asks NumPy itself (``numpy_constant``) and wraps
its answer, dtype and values, as constant Tensors.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .errors import DTypeError
from .ops.generic import constant

__all__ = ["float_only", "computed_by_numpy", "numpy_constant"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class

_FLOATING = "efdgFDG"  # NumPy's type characters of the floating and complex dtypes


@functools.cache
def float_only(ufunc: np.ufunc) -> bool:
    """Whether every numeric loop of ``ufunc`` ('ee->e', 'dd->d', 'ei->e'...; not the
    object and time ones) returns a floating first output, so that NumPy converts integer
    and bool inputs to floats first."""
    numeric = [loop for loop in ufunc.types if not set(loop) & set("OmM")]
    return all(loop.partition("->")[2][:1] in _FLOATING for loop in numeric)


def _floating(x: Any) -> bool:
    """Whether ``x`` is an array or Tensor of a floating (or complex) dtype (a NumPy
    number is not: it is weak, as a Python number)."""
    dtype = None if isinstance(x, np.generic) else getattr(constant(x), "dtype", None)
    return dtype is not None and dtype.kind in "fc"


def computed_by_numpy(ufunc: np.ufunc, inputs: tuple) -> bool:
    """Whether ``ufunc(*inputs)`` is NumPy's constant: a float-only ufunc none of whose
    operands is a floating array or Tensor (Python and NumPy numbers may be floats)."""
    return float_only(ufunc) and not any(_floating(x) for x in inputs)


def numpy_constant(ufunc: np.ufunc, inputs: tuple, like: AnyTensor) -> Any:
    """``ufunc`` on the raw values, NumPy's result as a constant Tensor (a tuple of them
    for ``np.modf``/``np.frexp``), made like the Tensor ``like``; NumPy's overflow and
    division warnings are not raised, as for the differentiable ops."""
    try:
        with np.errstate(all="ignore"):
            result = ufunc(*(constant(x) for x in inputs))
    except TypeError as exc:  # no loop for these dtypes (np.ldexp(int, 1.5))
        dtypes = ", ".join(str(np.result_type(constant(x))) for x in inputs)
        raise DTypeError(f"np.{ufunc.__name__} has no loop for the dtypes ({dtypes}), as "
                         f"in NumPy ({exc}). Convert the operands first "
                         f"(t.astype(np.float64))") from None
    if isinstance(result, tuple):
        return tuple(like._make(np.asarray(r), None) for r in result)
    return like._make(np.asarray(result), None)
