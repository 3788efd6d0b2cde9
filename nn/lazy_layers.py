"""PyTorch's lazy convolutions and norms, ``LazyConv1d/2d/3d(out_channels, ...)``,
``LazyBatchNorm1d/2d/3d()`` and ``LazyInstanceNorm1d/2d/3d()``: the channel count is read
from the first input (or from the first state dict loaded), as ``LazyLinear`` reads
``in_features``. d2l.ai's current
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
from .errors import ConfigError
from .normalization import (BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d,
                            InstanceNorm2d, InstanceNorm3d)

__all__ = ["LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyBatchNorm1d", "LazyBatchNorm2d",
           "LazyBatchNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d", "LazyInstanceNorm3d"]


def _channels(owner: str, x: Any, dims: int) -> int:
    """The channel axis of a batched (N, C, *spatial) or unbatched (C, *spatial) input."""
    shape = np.shape(x.data if isinstance(x, Tensor) else x)
    if len(shape) not in (dims + 1, dims + 2):
        raise ShapeError(f"{owner} reads its channels from its first input: expected "
                         f"{dims + 1}-d (unbatched) or {dims + 2}-d (batched) input; got "
                         f"shape {shape}.")
    return shape[1] if len(shape) == dims + 2 else shape[0]


class _LazyConv:
    """The lazy part of ``LazyConv{1,2,3}d``; ``_becomes`` is the eager class."""

    _becomes: type = Conv2d

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = np.float64,
                 *, rng: RNGLike = None) -> None:
        super().__init__(groups, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype, rng=0)  # replaced below
        self._lazy_rng = rng
        self.in_channels = 0
        self.weight.data = np.empty((self.out_channels, 0) + self.kernel_size,
                                    self.weight.dtype)

    def initialize_parameters(self, in_channels: int) -> None:
        """Give ``weight`` its (out_channels, in_channels / groups, *kernel) shape and draw
        the start (weight and bias) as the eager layer does."""
        if in_channels % self.groups:
            raise ConfigError(f"{type(self).__name__}: in_channels must be divisible by "
                              f"groups; got in_channels={in_channels} from the input and "
                              f"groups={self.groups}")
        self.in_channels = int(in_channels)
        self.weight.data = np.empty((self.out_channels, in_channels // self.groups)
                                    + self.kernel_size, self.weight.dtype)
        rng = self._lazy_rng
        del self._lazy_rng
        self.__class__ = self._becomes
        reset_from(self, rng)

    def materialize_from_state_dict(self, state_dict: Mapping[str, Any], prefix: str) -> None:
        """Called by ``Module.load_state_dict`` first: in_channels from the ``weight``."""
        shape = np.shape(state_dict.get(prefix + "weight"))
        if len(shape) == self.dims + 2:
            self.initialize_parameters(shape[1] * self.groups)

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


class _LazyNorm:
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
        """Called by ``Module.load_state_dict`` first: the channels from a 1-d entry."""
        for name in ("weight", "running_mean"):
            shape = np.shape(state_dict.get(prefix + name))
            if len(shape) == 1:
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
