"""PyTorch's fake quantization for quantization-aware training
(``torch.fake_quantize_per_tensor_affine``, ``torch.fake_quantize_per_channel_affine``)
and ``torch.aminmax``, which quantization observers use to track a tensor's range.

A fake quantizer rounds x to the grid ``s (q - z)``, q an integer in [quant_min,
quant_max], and passes the gradient straight through where x was inside the grid
(``autograd.ops.quantize.FakeQuantizeAffine``). Scales are float32, as PyTorch keeps
them; zero points are integers, on the grid (per channel they may also be floats, which
learnable fake quantization trains, and then anywhere).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import DTypeError, ShapeError, UsageError
from .function import apply
from .ops.quantize import FakeQuantizeAffine
from .out_argument import accepts_out
from .split_methods import MinMax
from .tensor import Tensor, as_tensor

__all__ = ["fake_quantize_per_tensor_affine", "fake_quantize_per_channel_affine",
           "aminmax", "MinMax"]


@accepts_out
def aminmax(input: Any, *, dim: int | None = None, keepdim: bool = False) -> MinMax:  # noqa: A002
    """(min, max) of input over ``dim`` (all elements when None), as ``amin`` and
    ``amax``: ties share the gradient (``Tensor.aminmax``)."""
    return as_tensor(input).aminmax(dim=dim, keepdim=keepdim)


def _grid(name: str, quant_min: Any, quant_max: Any, zero_point: np.ndarray) -> None:
    """PyTorch's checks of the integer grid and of the integer zero points on it (a float
    zero point, as learnable fake quantization trains, may lie off the grid)."""
    if int(quant_min) > int(quant_max):
        raise UsageError(f"{name}: `quant_min` ({quant_min}) should be less than or equal "
                         f"to `quant_max` ({quant_max}).")
    if zero_point.dtype.kind == "f":
        return
    if np.any(zero_point < int(quant_min)) or np.any(zero_point > int(quant_max)):
        raise UsageError(f"{name}: `zero_point` must be between `quant_min` ({quant_min}) "
                         f"and `quant_max` ({quant_max}); got {zero_point.tolist()}.")


def _values(name: str, what: str, value: Any, kinds: str) -> np.ndarray:
    """A scale or zero point (number, array or Tensor, never differentiated) as an array."""
    array = np.asarray(value.detach().numpy() if isinstance(value, Tensor) else value)
    if array.dtype.kind not in kinds:
        wanted = {"f": "a float", "iu": "an int"}.get(kinds, "a number")
        raise DTypeError(f"{name}: {what} must be {wanted} (or a tensor of them); got dtype "
                         f"{array.dtype}.")
    return array


def _floating(name: str, input: Any) -> Tensor:  # noqa: A002
    x = as_tensor(input)
    if x.dtype.kind != "f":
        raise DTypeError(f"{name}: the input must be a float tensor; got {x.dtype}. "
                         f"Convert it with x.float() or x.double().")
    return x


def fake_quantize_per_tensor_affine(input: Any, scale: Any, zero_point: Any,  # noqa: A002
                                    quant_min: int, quant_max: int) -> Tensor:
    """(clamp(round(x / s) + z, quant_min, quant_max) - z) s with one scale s (a float32;
    an int is taken, as PyTorch's) and integer zero point z; the gradient is g where
    round(x / s) + z is inside [quant_min, quant_max] and 0 where it was clamped (the
    straight-through estimator)."""
    name = "fake_quantize_per_tensor_affine"
    x = _floating(name, input)
    s = _values(name, "scale", scale, "iuf")  # an int too, as PyTorch's; made float32
    z = _values(name, "zero_point", zero_point, "iu")
    if s.size != 1 or z.size != 1:
        raise ShapeError(f"{name}: scale and zero_point are single numbers; got shapes "
                         f"{s.shape} and {z.shape}. Use fake_quantize_per_channel_affine for "
                         f"one scale per channel.")
    _grid(name, quant_min, quant_max, z)
    return apply(FakeQuantizeAffine(s.reshape(()), z.reshape(()), quant_min, quant_max), x)


def fake_quantize_per_channel_affine(input: Any, scale: Any, zero_point: Any,  # noqa: A002
                                     axis: int, quant_min: int, quant_max: int) -> Tensor:
    """``fake_quantize_per_tensor_affine`` with one scale (float32) and zero point per
    index of ``axis``: 1-d ``scale`` and ``zero_point`` of length ``input.shape[axis]``.
    A float zero point is added before rounding: round(x / s + z), as PyTorch's."""
    name = "fake_quantize_per_channel_affine"
    x = _floating(name, input)
    s = _values(name, "scale", scale, "f")
    z = _values(name, "zero_point", zero_point, "iuf")
    if not 0 <= int(axis) < x.ndim:  # PyTorch refuses a negative axis too
        raise UsageError(f"{name}: `axis` must be between 0 and number of dimensions of "
                         f"input ({x.ndim}); got {axis}.")
    axis = int(axis)
    channels = x.shape[axis]
    if s.shape != (channels,) or z.shape != (channels,):
        raise ShapeError(f"{name}: scale and zero_point must be 1-d of length "
                         f"input.shape[{axis}] = {channels}; got shapes {s.shape} and "
                         f"{z.shape}.")
    _grid(name, quant_min, quant_max, z)
    along = [1] * x.ndim
    along[axis] = channels
    return apply(FakeQuantizeAffine(s.reshape(along), z.reshape(along), quant_min, quant_max),
                 x)
