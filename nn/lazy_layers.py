"""PyTorch's lazy convolutions and norms, ``LazyConv1d/2d/3d(out_channels, ...)``,
``LazyConvTranspose1d/2d/3d(out_channels, ...)``, ``LazyBatchNorm1d/2d/3d()`` and
``LazyInstanceNorm1d/2d/3d()``: the channel count is read from the first input (or from
the first state dict loaded), as ``LazyLinear`` reads ``in_features``. d2l.ai's current
edition builds its convolutional networks this way (``nn.LazyConv2d(6, kernel_size=5,
padding=2)``, ``nn.LazyBatchNorm2d()``). Until then the channel count is 0 and the
parameters and statistics have a 0-long channel axis; afterwards the module draws its
start as the eager layer would and becomes one (its class changes, as PyTorch's does),
keeping its parameter objects, so an optimizer built before the first call trains them.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from autograd import Tensor
from autograd.errors import ShapeError

from ._random import RNGLike, reset_from
from .conv import Conv1d, Conv2d, Conv3d
from .conv_transpose import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .errors import ConfigError
from .lazy import LazyBase
from .normalization import (BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d,
                            InstanceNorm2d, InstanceNorm3d)

__all__ = ["LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d",
           "LazyConvTranspose2d", "LazyConvTranspose3d", "LazyBatchNorm1d", "LazyBatchNorm2d",
           "LazyBatchNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d", "LazyInstanceNorm3d"]


def _channels(owner: str, x: Any, dims: int) -> int:
    """The channel axis of a batched (N, C, *spatial) or unbatched (C, *spatial) input."""
    shape = np.shape(x.data if isinstance(x, Tensor) else x)
    if len(shape) not in (dims + 1, dims + 2):
        raise ShapeError(f"{owner} reads its channels from its first input: expected "
                         f"{dims + 1}-d (unbatched) or {dims + 2}-d (batched) input; got "
                         f"shape {shape}.")
    return shape[1] if len(shape) == dims + 2 else shape[0]


def _weight_shape(layer: Any, in_channels: int) -> tuple[int, ...]:
    """A convolution's weight shape for ``in_channels``: (out_channels, in_channels /
    groups, *kernel), or transposed (in_channels, out_channels / groups, *kernel)."""
    first, second = ((in_channels, layer.out_channels) if layer.transposed
                     else (layer.out_channels, in_channels))
    return (first, second // layer.groups) + layer.kernel_size


class _LazyConvBase(LazyBase):
    """What the lazy convolutions and transposed convolutions share; ``_becomes`` is the
    eager class (its ``transposed`` says where the weight keeps the input channels)."""

    _becomes: type = Conv2d

    def _become_lazy(self, rng: RNGLike) -> None:
        """No input channels yet: the weight's in_channels axis empty, ``rng`` kept."""
        self._lazy_rng = rng
        self.in_channels = 0
        self.weight.data = np.empty(_weight_shape(self, 0), self.weight.dtype)

    def initialize_parameters(self, in_channels: int) -> None:
        """Give ``weight`` its (out_channels, in_channels / groups, *kernel) shape (or
        transposed (in_channels, out_channels / groups, *kernel)) and draw the start
        (weight and bias) as the eager layer does."""
        if in_channels % self.groups:
            raise ConfigError(f"{type(self).__name__}: in_channels must be divisible by "
                              f"groups; got in_channels={in_channels} from the input and "
                              f"groups={self.groups}")
        self.in_channels = int(in_channels)
        self.weight.data = np.empty(_weight_shape(self, self.in_channels), self.weight.dtype)
        rng = self._lazy_rng
        del self._lazy_rng
        self.__class__ = self._becomes
        reset_from(self, rng)

    def materialize_from_state_dict(self, state_dict: Mapping[str, Any], prefix: str) -> None:
        """Called by ``Module.load_state_dict`` first: in_channels from the ``weight``.
        A weight with no input channels (the state dict of a lazy layer before its first
        call) leaves this one lazy, as PyTorch's."""
        shape = np.shape(state_dict.get(prefix + "weight"))
        if len(shape) != self.dims + 2:
            return
        in_channels = shape[0] if self.transposed else shape[1] * self.groups
        if in_channels > 0:
            self.initialize_parameters(in_channels)


class _LazyConv(_LazyConvBase):
    """The lazy part of ``LazyConv{1,2,3}d``."""

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = np.float64,
                 *, rng: RNGLike = None) -> None:
        super().__init__(groups, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype, rng=0)  # replaced below
        self._become_lazy(rng)

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        self.initialize_parameters(_channels(type(self).__name__, input, self.dims))
        return self.forward(input)  # the eager class's now


class LazyConv1d(_LazyConv, Conv1d):
    """``Conv1d`` with ``in_channels`` read from the first input."""
    _becomes = Conv1d


class LazyConv2d(_LazyConv, Conv2d):
    """``Conv2d`` with ``in_channels`` read from the first input."""
    _becomes = Conv2d


class LazyConv3d(_LazyConv, Conv3d):
    """``Conv3d`` with ``in_channels`` read from the first input."""
    _becomes = Conv3d


class _LazyConvTranspose(_LazyConvBase):
    """The lazy part of ``LazyConvTranspose{1,2,3}d``: PyTorch's arguments (``groups`` and
    ``bias`` before ``dilation``) and ``forward(input, output_size=None)``."""

    _becomes: type = ConvTranspose2d

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                 bias: bool = True, dilation: Any = 1, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = np.float64, *, rng: RNGLike = None) -> None:
        super().__init__(groups, out_channels, kernel_size, stride, padding, output_padding,
                         groups, bias, dilation, padding_mode, device, dtype,
                         rng=0)  # replaced below
        self._become_lazy(rng)

    def forward(self, input: Any, output_size: Any = None) -> Tensor:  # noqa: A002
        self.initialize_parameters(_channels(type(self).__name__, input, self.dims))
        return self.forward(input, output_size)  # the eager class's now


class LazyConvTranspose1d(_LazyConvTranspose, ConvTranspose1d):
    """``ConvTranspose1d`` with ``in_channels`` read from the first input."""
    _becomes = ConvTranspose1d


class LazyConvTranspose2d(_LazyConvTranspose, ConvTranspose2d):
    """``ConvTranspose2d`` with ``in_channels`` read from the first input."""
    _becomes = ConvTranspose2d


class LazyConvTranspose3d(_LazyConvTranspose, ConvTranspose3d):
    """``ConvTranspose3d`` with ``in_channels`` read from the first input."""
    _becomes = ConvTranspose3d


class _LazyNorm(LazyBase):
    """The lazy part of ``LazyBatchNorm{1,2,3}d`` and ``LazyInstanceNorm{1,2,3}d``;
    ``_becomes`` is the eager class. PyTorch's defaults for both, ``affine`` and
    ``track_running_stats`` on (the eager instance norms have them off)."""

    _becomes: type = BatchNorm2d

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None,
                 dtype: Any = np.float64, *, bias: bool = True) -> None:
        super().__init__(1, eps, momentum, affine, track_running_stats, device, dtype,
                         bias=bias)
        self.num_features = 0
        for tensor in (self.weight, self.bias, self.running_mean, self.running_var):
            if tensor is not None:
                tensor.data = np.empty(0, tensor.dtype)

    def initialize_parameters(self, num_features: int) -> None:
        """Give the parameters and statistics ``num_features`` channels and PyTorch's start
        (weight 1, bias 0, running mean 0, running variance 1)."""
        self.num_features = int(num_features)
        for tensor in (self.weight, self.bias, self.running_mean, self.running_var):
            if tensor is not None:
                tensor.data = np.empty(self.num_features, tensor.dtype)
        self.__class__ = self._becomes
        self.reset_parameters()

    def materialize_from_state_dict(self, state_dict: Mapping[str, Any], prefix: str) -> None:
        """Called by ``Module.load_state_dict`` first: the channels from a 1-d entry. An
        empty one (the state dict of a lazy layer before its first call) leaves this one
        lazy, as PyTorch's."""
        for name in ("weight", "running_mean"):
            shape = np.shape(state_dict.get(prefix + name))
            if len(shape) == 1 and shape[0] > 0:
                self.initialize_parameters(shape[0])
                return

    def _channels_of(self, input: Any) -> int:
        """The channel count of the first input: its axis 1 (batch norms)."""
        shape = np.shape(input.data if isinstance(input, Tensor) else input)
        if len(shape) < 2:
            raise ShapeError(f"{type(self).__name__} reads num_features from axis 1 of its "
                             f"first input; got shape {shape}.")
        return shape[1]

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        self.initialize_parameters(self._channels_of(input))
        return self.forward(input)  # the eager class's now


class _LazyInstanceNorm(_LazyNorm):
    """The lazy part of ``LazyInstanceNorm{1,2,3}d``: the channels of a batched
    (N, C, *spatial) or unbatched (C, *spatial) input (PyTorch reads axis 1 of both, the
    wrong one for unbatched input); ``spatial_axes`` is the eager class's."""

    def _channels_of(self, input: Any) -> int:
        return _channels(type(self).__name__, input, len(self.spatial_axes))


class LazyBatchNorm1d(_LazyNorm, BatchNorm1d):
    """``BatchNorm1d`` with ``num_features`` read from the first input."""
    _becomes = BatchNorm1d


class LazyBatchNorm2d(_LazyNorm, BatchNorm2d):
    """``BatchNorm2d`` with ``num_features`` read from the first input."""
    _becomes = BatchNorm2d


class LazyBatchNorm3d(_LazyNorm, BatchNorm3d):
    """``BatchNorm3d`` with ``num_features`` read from the first input."""
    _becomes = BatchNorm3d


class LazyInstanceNorm1d(_LazyInstanceNorm, InstanceNorm1d):
    """``InstanceNorm1d`` with ``num_features`` read from the first input."""
    _becomes = InstanceNorm1d


class LazyInstanceNorm2d(_LazyInstanceNorm, InstanceNorm2d):
    """``InstanceNorm2d`` with ``num_features`` read from the first input."""
    _becomes = InstanceNorm2d


class LazyInstanceNorm3d(_LazyInstanceNorm, InstanceNorm3d):
    """``InstanceNorm3d`` with ``num_features`` read from the first input."""
    _becomes = InstanceNorm3d
