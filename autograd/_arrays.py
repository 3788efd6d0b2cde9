"""Turning user data into the array a Tensor holds, and the dtypes a gradient may have."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import DataError, DTypeError, UsageError

__all__ = ["FLOATS", "to_array", "check_dtype", "as_dtype", "check_requires_grad"]

FLOATS = (np.float16, np.float32, np.float64)


def check_dtype(dtype: np.dtype) -> None:
    """DataError/DTypeError unless ``dtype`` is bool, integer or float."""
    if dtype.kind == "O":
        raise DataError(
            "cannot make a Tensor from object data (mixed types, None, or arrays of "
            "arrays). Convert it to a numeric array first, e.g. np.asarray(x, dtype=float).")
    if dtype.kind not in "biuf":
        raise DTypeError(
            f"a Tensor holds bool, integer or float data; got dtype {dtype}. "
            f"Convert the data to numbers first (e.g. np.asarray(x, dtype=np.float64)).")


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_requires_grad(data: Any, requires_grad: Any, dtype: Any, what: str) -> None:
    """UsageError (a TypeError, as PyTorch's) unless ``requires_grad`` is a bool.
    ``Tensor(3, 4)`` is PyTorch's size constructor ``torch.Tensor(*size)``; read here as
    ``Tensor(data=3, requires_grad=4)`` it would be the number 3 requiring grad."""
    if isinstance(requires_grad, (bool, np.bool_)):
        return
    if _is_int(data) and _is_int(requires_grad):
        sizes = ", ".join(str(int(n)) for n in (data, requires_grad, dtype) if _is_int(n))
        raise UsageError(
            f"{what}({sizes}): PyTorch's torch.Tensor(*size) makes an uninitialised tensor of "
            f"that shape; here {what}(data, requires_grad) takes data ({what}(3) is the "
            f"number 3.0), and requires_grad must be a bool. Write autograd.empty({sizes}) "
            f"(or autograd.zeros({sizes})) and initialise it, e.g. with nn.init.")
    raise UsageError(f"{what}(): requires_grad must be a bool (True or False), as in "
                     f"PyTorch; got {requires_grad!r}")


def as_dtype(dtype: Any, what: str) -> np.dtype:
    """``dtype`` (np.float32, "float32", float, ...) as a NumPy dtype a Tensor may hold:
    DTypeError naming ``what`` for one NumPy does not know (a torch dtype, a typo) or one
    that is not bool, integer or float (object, str, complex), which NumPy would take."""
    try:
        result = np.dtype(dtype)
    except TypeError:
        hint = " (a torch dtype: write np.float32 or 'float32')" if (
            type(dtype).__module__ == "torch") else ""
        raise DTypeError(f"{what}: expected a NumPy dtype such as np.float32, 'float32' "
                         f"or float; got {dtype!r}{hint}") from None
    if result.kind not in "biuf":
        raise DTypeError(f"{what}: expected a bool, integer or float dtype (what a Tensor "
                         f"holds); got {result}. For NumPy data of another dtype, convert "
                         f"the array: t.numpy().astype(...).")
    return result


def to_array(data: Any, dtype: Any = None, python_ints: Any = np.float64) -> np.ndarray:
    """``data`` as an ndarray: arrays (and array-likes with ``__array__``, e.g. a torch
    or pandas object) keep their dtype, and so do lists of NumPy floating scalars
    (``[np.float32(1.0)]`` is float32, as in NumPy and PyTorch; ``[np.int32(1)]`` too
    unless ``python_ints`` is a float dtype); Python floats become
    float64 (bools stay bool:
    masks, as in NumPy and PyTorch; Python ints become ``python_ints``: int64 for
    ``autograd.tensor``), a Tensor gives its own array (shared, not copied).
    Data in a byte order other than the machine's (as read from a big-endian file) is
    converted to it: a copy."""
    if hasattr(data, "_data") and not isinstance(data, np.ndarray):  # a Tensor
        array = np.asarray(data._data)
    elif isinstance(data, (np.ndarray, np.generic)):
        array = np.asarray(data)
    elif hasattr(data, "__array__"):  # another library's array
        try:
            array = np.asarray(data)
        except RuntimeError as exc:  # e.g. a torch tensor that requires grad
            raise DataError(
                f"cannot read a {type(data).__module__}.{type(data).__name__} as an array "
                f"({exc}). Give its values "
                f"without their history, e.g. Tensor(t.detach().numpy()) for a torch "
                f"tensor.") from None
    else:
        try:
            array = np.asarray(data)
        except ValueError as exc:
            raise DataError(
                f"cannot make a Tensor from ragged nested sequences ({exc}). Every row "
                f"must have the same length; pad them or build one tensor per row.") from None
        # Python ints (NumPy's int64) become python_ints, and Tensor(...), which is float
        # as torch.Tensor, casts any integers; NumPy integer scalars keep their dtype in
        # autograd.tensor (as np.array and torch.tensor); bools stay masks
        if dtype is None and array.dtype.kind in "iu" and (
                array.dtype == np.int64 or np.dtype(python_ints).kind == "f"):
            dtype = python_ints
    check_dtype(array.dtype)
    if not array.dtype.isnative:  # '>f8' on this machine: every op returns native data
        array = array.astype(array.dtype.newbyteorder("="))
    if dtype is not None:
        array = array.astype(as_dtype(dtype, "Tensor"), copy=False)
    return array
