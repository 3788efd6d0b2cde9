"""PyTorch's dtype names, as the NumPy types they stand for: ``dtype=autograd.long`` is
``dtype=np.int64``, as ``dtype=torch.long`` is int64 in PyTorch.

``autograd.float``, ``autograd.int`` and ``autograd.bool`` are PyTorch's too (float32,
int32, bool), but they are not in ``__all__`` and not globals of any module here:
``autograd.__getattr__`` hands them out (``BUILTIN_NAMES``), so ``from autograd import *``
never replaces Python's ``float``, ``int`` and ``bool``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["BUILTIN_NAMES", "float16", "float32", "float64", "half", "double", "int8",
           "int16", "int32", "int64", "short", "long", "uint8", "finfo", "iinfo",
           "get_default_dtype", "promote_types", "result_type", "can_cast"]

float16 = half = np.float16
float32 = np.float32
float64 = double = np.float64
int8 = np.int8
int16 = short = np.int16
int32 = np.int32
int64 = long = np.int64
uint8 = np.uint8

# torch.finfo(dtype) / torch.iinfo(dtype): NumPy's, with the same fields (eps, max, min,
# tiny, smallest_normal, resolution, bits, dtype); the values have the dtype's type
finfo = np.finfo
iinfo = np.iinfo


def get_default_dtype() -> type:
    """float64: the dtype of Python floats, of the creation functions (zeros, randn...)
    and of nn's parameters, as PyTorch's after ``set_default_dtype(torch.float64)``.
    Fixed: ``set_default_dtype`` is refused (pass ``dtype=`` where it matters)."""
    return float64


# PyTorch's dtype names that are also Python's builtins (torch.float is float32)
BUILTIN_NAMES = {"float": np.float32, "int": np.int32, "bool": np.bool_}


def promote_types(type1: Any, type2: Any) -> np.dtype:
    """The dtype an op gives for inputs of these two dtypes: NumPy's promotion, which the
    ops here follow (so int64 with float32 is float64, where PyTorch gives float32)."""
    return np.promote_types(type1, type2)


def result_type(*operands: Any) -> np.dtype:
    """The dtype an op on these tensors, arrays or numbers gives (NumPy's promotion; a
    Python number does not raise a tensor's dtype: float32 with 2.0 stays float32)."""
    return np.result_type(*(getattr(x, "dtype", x) if hasattr(x, "_data") else x
                            for x in operands))


# PyTorch's order of kinds for a cast (c10::canCast): bool < integer < float < complex
_KIND_RANK = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def can_cast(from_: Any, to: Any) -> bool:
    """Whether ``from_`` converts to ``to`` by the rule of in-place ops and ``out=``, as
    PyTorch's ``can_cast``: not to a lower kind of bool < integer < float (float to int
    no, int to bool no); within a kind any cast (float64 to float32, int64 to uint8 yes,
    which NumPy's "same_kind" refuses)."""
    source, target = np.dtype(from_), np.dtype(to)
    if source.kind in _KIND_RANK and target.kind in _KIND_RANK:
        return _KIND_RANK[source.kind] <= _KIND_RANK[target.kind]
    return bool(np.can_cast(source, target, casting="same_kind"))
