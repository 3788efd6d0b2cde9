"""PyTorch's legacy typed constructors, as older tutorials write them:
``torch.LongTensor([label_to_ix[label]])``, ``torch.FloatTensor(data)``.

``LongTensor(data)`` is ``tensor(data).astype(int64)`` (floats truncated toward zero, as
PyTorch's); ``LongTensor(2, 3)`` and ``LongTensor(x.size())`` are a size (zeros here: an
array is never left uninitialised); ``isinstance(t, LongTensor)`` is true for an int64
Tensor."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import DTypeError
from .size_tuple import Size
from .tensor import Tensor, tensor
from .torch_shapes import check_device

__all__ = ["LongTensor", "IntTensor", "FloatTensor", "DoubleTensor", "BoolTensor",
           "ByteTensor"]


class _TypedTensor(type):
    """The metaclass of ``LongTensor`` and co: calling one makes a ``Tensor`` of its dtype,
    ``isinstance`` checks a Tensor's dtype."""

    dtype: np.dtype

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype

    def __call__(cls, *args: Any, device: Any = None) -> Tensor:
        check_device(device, f"{cls.__name__}(device=...)")
        if len(args) == 1 and isinstance(args[0], Size):  # BoolTensor(x.size()): a size
            args = tuple(args[0])
        if all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in args):
            return Tensor(np.zeros(args if args else (0,), dtype=cls.dtype))
        (data,) = args
        if isinstance(data, Tensor):
            if data.dtype != cls.dtype:
                raise DTypeError(f"{cls.__name__}(t) of a {data.dtype} tensor: PyTorch "
                                 f"refuses another dtype; convert it with "
                                 f"t.to({cls.dtype.name}) (t.long(), t.float(), ...)")
            return data
        return Tensor(tensor(data).numpy().astype(cls.dtype, copy=False))


class LongTensor(metaclass=_TypedTensor):
    """``LongTensor(data)``: an int64 tensor of ``data``; ``LongTensor(*size)``: zeros."""
    dtype = np.dtype(np.int64)


class IntTensor(metaclass=_TypedTensor):
    """``IntTensor(data)``: an int32 tensor of ``data``; ``IntTensor(*size)``: zeros."""
    dtype = np.dtype(np.int32)


class FloatTensor(metaclass=_TypedTensor):
    """``FloatTensor(data)``: a float32 tensor of ``data``; ``FloatTensor(*size)``: zeros."""
    dtype = np.dtype(np.float32)


class DoubleTensor(metaclass=_TypedTensor):
    """``DoubleTensor(data)``: a float64 tensor of ``data``; ``DoubleTensor(*size)``: zeros."""
    dtype = np.dtype(np.float64)


class BoolTensor(metaclass=_TypedTensor):
    """``BoolTensor(data)``: a bool tensor of ``data``; ``BoolTensor(*size)``: False."""
    dtype = np.dtype(np.bool_)


class ByteTensor(metaclass=_TypedTensor):
    """``ByteTensor(data)``: a uint8 tensor of ``data``; ``ByteTensor(*size)``: zeros."""
    dtype = np.dtype(np.uint8)
