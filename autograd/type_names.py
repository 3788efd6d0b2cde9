"""PyTorch's legacy tensor type names as strings (``x.type('torch.FloatTensor')``, as older
scripts cast), read as the NumPy dtype they stand for (and ``x.type()`` gives them, as
PyTorch's); anything else is passed on. And ``TypeMethods``, the Tensor methods
``type``, ``type_as`` and the casts named after the legacy types, ``byte``, ``char`` and
``short`` (a base of
``torch_spellings.TorchSpellings``, whose ``_cast`` they call)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._arrays import as_dtype
from .errors import UsageError
from .memory_formats import check_memory_format

__all__ = ["TYPE_NAMES", "dtype_of_type_name", "TypeMethods"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class

TYPE_NAMES = {"torch.FloatTensor": np.float32, "torch.DoubleTensor": np.float64,
              "torch.HalfTensor": np.float16, "torch.LongTensor": np.int64,
              "torch.IntTensor": np.int32, "torch.ShortTensor": np.int16,
              "torch.CharTensor": np.int8, "torch.ByteTensor": np.uint8,
              "torch.BoolTensor": np.bool_}
"""Each 'torch.XTensor' name and the dtype of its tensors."""
_NAME_OF_DTYPE = {np.dtype(dtype): name for name, dtype in TYPE_NAMES.items()}


def dtype_of_type_name(dtype: Any) -> Any:
    """The dtype a 'torch.XTensor' string names; a 'torch.cuda.' name is a ``UsageError``
    (no GPU here); any other value unchanged (a dtype, or a legacy type class)."""
    if isinstance(dtype, str) and dtype.startswith("torch.cuda."):
        raise UsageError(f"type({dtype!r}): there is no GPU here; this engine computes with "
                         f"NumPy on the CPU. Use {dtype.replace('.cuda', '')!r} or a dtype")
    return TYPE_NAMES.get(dtype, dtype) if isinstance(dtype, str) else dtype


class TypeMethods:
    """``type``, ``type_as``, ``byte``, ``char``, ``short`` (a mixin of the Tensor class)."""

    __slots__ = ()

    def type_as(self, other: AnyTensor) -> AnyTensor:
        """self as ``other``'s dtype (self if it has it already, as PyTorch); a constant
        when that dtype is not floating, as ``long()``. ``other`` may be a Tensor's
        ``.data`` (its NumPy array here), as in ``x.type_as(src.data)``."""
        if not isinstance(other, (TypeMethods, np.ndarray)):
            raise UsageError(f"type_as needs a Tensor whose dtype to take; got "
                             f"{type(other).__name__}. For a dtype, use x.astype(dtype).")
        if other.dtype == self.dtype:
            return self
        return (self if other.dtype.kind == "f" else self.detach()).astype(other.dtype)

    def type(self, dtype: Any = None, non_blocking: bool = False) -> Any:
        """PyTorch's type name ('torch.DoubleTensor' for float64; NumPy's dtype name for a
        dtype PyTorch has no such name for), or ``_cast(dtype)`` ('torch.LongTensor' too;
        not float: detached). ``non_blocking`` (a bool, as PyTorch's) changes nothing:
        every copy here is on the CPU, done on return."""
        if not isinstance(non_blocking, (bool, np.bool_)):
            raise UsageError(f"type(): non_blocking must be a bool, as PyTorch's; got "
                             f"{non_blocking!r}. Write x.type(dtype) or x.type(dtype, True)")
        if dtype is None:
            return _NAME_OF_DTYPE.get(self.dtype, self.dtype.name)
        dtype = as_dtype(dtype_of_type_name(dtype), "type")
        if dtype == self.dtype or dtype.kind == "f":
            return self._cast(dtype)  # self itself when it has the dtype, as PyTorch's
        return self.detach()._cast(dtype)

    def byte(self, *, memory_format: Any = None) -> AnyTensor:
        """self as uint8 (PyTorch's ByteTensor), a constant; self if it is uint8."""
        check_memory_format(memory_format, "byte")
        return self._cast(np.uint8)

    def char(self, *, memory_format: Any = None) -> AnyTensor:
        """self as int8 (PyTorch's CharTensor), a constant; self if it is int8."""
        check_memory_format(memory_format, "char")
        return self._cast(np.int8)

    def short(self, *, memory_format: Any = None) -> AnyTensor:
        """self as int16 (PyTorch's ShortTensor), a constant; self if it is int16."""
        check_memory_format(memory_format, "short")
        return self._cast(np.int16)
