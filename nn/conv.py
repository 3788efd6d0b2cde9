"""Convolution layers with PyTorch's constructor, parameters and repr: ``Conv1d``,
``Conv2d``, ``Conv3d`` (they call ``F.conv1d`` / ``2d`` / ``3d``, im2col + one matmul).
One class over any number of spatial axes; each name fixes it (``dims``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor

from . import init
from ._checks import bias_flag, integer
from ._random import RNGLike, as_generator, reset_from
from .errors import ConfigError
from .functional.conv import conv1d, conv2d, conv3d, conv_padding
from .functional.padding import pad
from .functional.windows import int_tuple
from .layers import factory_dtype, warn_wider_input
from .module import Module, Parameter

__all__ = ["Conv1d", "Conv2d", "Conv3d", "PADDING_MODES", "ConvBase"]

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
"""What a convolution pads with: zeros, or ``F.pad``'s other modes."""


class ConvBase(Module):
    """What convolutions and transposed convolutions share (PyTorch's ``_ConvNd``): the
    checks of channels, kernel, stride, dilation and groups, the weight (out_channels,
    in_channels / groups, *kernel), or with ``transposed`` (in_channels, out_channels /
    groups, *kernel), the bias, PyTorch's start and the repr."""

    dims = 0
    transposed = False

    def _check_sizes(self, in_channels: int, out_channels: int, kernel_size: Any,
                     stride: Any, dilation: Any, groups: int) -> None:
        name, dims = type(self).__name__, self.dims
        self.in_channels = integer(name, "in_channels", in_channels, minimum=1)
        self.out_channels = integer(name, "out_channels", out_channels, minimum=1)
        self.kernel_size = int_tuple(name, "kernel_size", kernel_size, dims, minimum=1)
        self.stride = int_tuple(name, "stride", stride, dims, minimum=1, expand_single=True)
        self.dilation = int_tuple(name, "dilation", dilation, dims, minimum=1,
                                  expand_single=True)
        self.groups = integer(name, "groups", groups, minimum=1)
        for what, channels in (("in_channels", self.in_channels),
                               ("out_channels", self.out_channels)):
            if channels % self.groups:
                raise ConfigError(f"{name}: {what} must be divisible by groups; got "
                                  f"{what}={channels} and groups={self.groups}")

    def _make_parameters(self, bias: bool, device: Any, dtype: Any, rng: RNGLike) -> None:
        name = type(self).__name__
        dtype = factory_dtype(name, device, dtype)
        first, second = ((self.in_channels, self.out_channels) if self.transposed
                         else (self.out_channels, self.in_channels))
        self.weight = Parameter(np.empty((first, second // self.groups) + self.kernel_size,
                                         dtype))
        has_bias = bias_flag(name, bias)
        self.bias = Parameter(np.empty(self.out_channels, dtype)) if has_bias else None
        self._dtype_warned = False  # DTypePromotionWarning: once per layer, as Linear
        reset_from(self, rng)

    def reset_parameters(self, rng: RNGLike = None) -> None:
        """PyTorch's start, drawn from ``rng``: weight Kaiming-uniform with a = sqrt(5),
        i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = the weight's axis 1 times
        prod(kernel_size) (in_channels / groups; transposed: out_channels / groups, as
        PyTorch); then bias from the same range."""
        generator = as_generator(rng)
        init.kaiming_uniform_(self.weight, a=math.sqrt(5.0), rng=generator)
        if self.bias is not None:
            fan_in = math.prod(self.weight.shape[1:])
            bound = 1.0 / math.sqrt(fan_in) if fan_in else 0.0
            init.uniform_(self.bias, -bound, bound, rng=generator)

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if isinstance(self.padding, str) or any(self.padding):
            text += f", padding={self.padding}"
        if any(d != 1 for d in self.dilation):
            text += f", dilation={self.dilation}"
        if self.transposed and any(self.output_padding):
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        dtype = self.weight.dtype
        return text if dtype == np.float64 else f"{text}, dtype={dtype}"


class _ConvNd(ConvBase):
    """A convolution over the last ``dims`` axes (see ``Conv2d``)."""

    _conv = staticmethod(conv2d)

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any,
                 stride: Any = 1, padding: Any = 0, dilation: Any = 1, groups: int = 1,
                 bias: bool = True, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = np.float64, *, rng: RNGLike = None) -> None:
        super().__init__()
        name = type(self).__name__
        self._check_sizes(in_channels, out_channels, kernel_size, stride, dilation, groups)
        self._widths = conv_padding(name, padding, self.kernel_size, self.stride,
                                    self.dilation)  # one (before, after) pair per axis
        self.padding = padding if isinstance(padding, str) else tuple(
            before for before, _ in self._widths)
        self.output_padding = (0,) * self.dims  # as PyTorch's _ConvNd, for every conv
        if padding_mode not in PADDING_MODES:
            raise ConfigError(f"{name}: padding_mode must be one of {PADDING_MODES}; got "
                              f"padding_mode={padding_mode!r}")
        self.padding_mode = padding_mode
        self._make_parameters(bias, device, dtype, rng)

    def forward(self, input: Any) -> Tensor:
        # read once: a parametrized weight is computed on each read
        return self._conv_forward(input, self.weight, self.bias)

    def _conv_forward(self, input: Any, weight: Any, bias: Any) -> Tensor:
        """This layer's convolution (its stride, padding, padding_mode, dilation, groups)
        with another ``weight`` and ``bias``, as PyTorch's: subclasses that transform the
        weight first (fake-quantized, standardized) call ``self._conv_forward(x, w, b)``."""
        if not self._dtype_warned:
            warn_wider_input(self, input, weight.dtype)
        if self.padding_mode == "zeros":
            return self._conv(input, weight, bias, self.stride, self.padding,
                              self.dilation, self.groups)
        flat = tuple(w for pair in reversed(self._widths) for w in pair)  # F.pad's order
        return self._conv(pad(input, flat, self.padding_mode), weight, bias,
                          self.stride, 0, self.dilation, self.groups)


class Conv1d(_ConvNd):
    """1-d convolution over input (N, C_in, L) or (C_in, L) (see ``Conv2d``); weight
    (out_channels, in_channels / groups, k), bias (out_channels,)."""

    dims = 1
    _conv = staticmethod(conv1d)


class Conv2d(_ConvNd):
    """2-d convolution (PyTorch's ``nn.Conv2d``): (N, C_in, H, W) or (C_in, H, W) to
    (N, C_out, H', W'), ``F.conv2d`` with this layer's weight (out_channels,
    in_channels / groups, kH, kW) and bias (out_channels,), so PyTorch state dicts load.

    Arguments as PyTorch's: ``kernel_size`` an int or a pair; ``stride``, ``dilation`` an
    int or a pair (a 1-tuple counts as an int, as PyTorch); ``padding`` an int, a pair (or
    a 1-tuple), "valid" or "same" (stride 1 only); ``groups`` must
    divide both channel counts; ``padding_mode`` "zeros" or ``F.pad``'s "reflect",
    "replicate", "circular". ``rng=``, ``device=`` (the CPU) and ``dtype=`` (float64 by
    default) as ``Linear``'s; ``reset_parameters`` gives PyTorch's start."""

    dims = 2
    _conv = staticmethod(conv2d)


class Conv3d(_ConvNd):
    """3-d convolution (PyTorch's ``nn.Conv3d``): (N, C_in, D, H, W) or (C_in, D, H, W) to
    (N, C_out, D', H', W'), ``F.conv3d`` with this layer's weight (out_channels,
    in_channels / groups, kD, kH, kW) and bias (out_channels,); the arguments as
    ``Conv2d``'s, an int or a triple where that takes a pair."""

    dims = 3
    _conv = staticmethod(conv3d)
