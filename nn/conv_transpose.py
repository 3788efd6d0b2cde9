"""Transposed convolution layers with PyTorch's constructor, parameters and repr:
``ConvTranspose1d``, ``ConvTranspose2d``, ``ConvTranspose3d`` (they call
``F.conv_transpose1d`` / ``2d`` / ``3d``). One class over any number of spatial axes."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from ._checks import is_integer
from ._random import RNGLike
from .conv import ConvBase
from .errors import ArgumentTypeError, ConfigError
from .functional.conv_transpose import (conv_transpose1d, conv_transpose2d,
                                        conv_transpose3d, transposed_length)
from .functional.windows import int_tuple
from .layers import warn_wider_input

__all__ = ["ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]


class _ConvTransposeNd(ConvBase):
    """A transposed convolution over the last ``dims`` axes (see ``ConvTranspose2d``)."""

    transposed = True
    _conv = staticmethod(conv_transpose2d)

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any,
                 stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                 groups: int = 1, bias: bool = True, dilation: Any = 1,
                 padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = np.float64, *, rng: RNGLike = None) -> None:
        super().__init__()
        name, dims = type(self).__name__, self.dims
        self._check_sizes(in_channels, out_channels, kernel_size, stride, dilation, groups)
        if isinstance(padding, str):
            raise ArgumentTypeError(f"{name}: padding must be an int or a tuple of {dims} "
                                    f"ints (PyTorch's transposed convolutions take no "
                                    f"padding string); got {padding!r}")
        self.padding = int_tuple(name, "padding", padding, dims, minimum=0,
                                 expand_single=True)
        self.output_padding = int_tuple(name, "output_padding", output_padding, dims,
                                        minimum=0, expand_single=True)
        if padding_mode != "zeros":
            raise ConfigError(f'{name}: only "zeros" padding mode is supported, as in '
                              f"PyTorch; got padding_mode={padding_mode!r}")
        self.padding_mode = padding_mode
        self._make_parameters(bias, device, dtype, rng)

    def forward(self, input: Any, output_size: Any = None) -> Tensor:
        """The transposed convolution of input; ``output_size`` (the spatial sizes, or
        with the batch and channel axes too) picks the output padding, as PyTorch's."""
        weight = self.weight  # read once: a parametrized weight is computed on each read
        if not self._dtype_warned:
            warn_wider_input(self, input, weight.dtype)
        output_padding = self.output_padding if output_size is None else \
            self._output_padding(np.ndim(input), np.shape(input), output_size)
        return self._conv(input, weight, self.bias, self.stride, self.padding,
                          output_padding, self.groups, self.dilation)

    def _output_padding(self, ndim: int, shape: tuple[int, ...],
                        output_size: Any) -> tuple[int, ...]:
        """The output padding that makes the output ``output_size`` (PyTorch's rule: it
        must lie between the smallest output and that plus stride - 1)."""
        name, dims = type(self).__name__, self.dims
        leading = 2 if ndim == dims + 2 else 1
        sizes = _int_sequence(output_size)
        if sizes is None:
            raise ArgumentTypeError(f"{name}: output_size must be a tuple or list of ints "
                                    f"(or a 1-d integer array); got {output_size!r}")
        if len(sizes) == leading + dims:
            sizes = sizes[leading:]
        if len(sizes) != dims:
            raise ConfigError(f"{name}: for {ndim}-d input, output_size must have {dims} or "
                              f"{leading + dims} entries; got {output_size!r}")
        smallest = [transposed_length(n, k, s, p, d) for n, k, s, p, d in zip(
            shape[-dims:], self.kernel_size, self.stride, self.padding, self.dilation)]
        largest = [n + s - 1 for n, s in zip(smallest, self.stride)]
        if any(not lo <= n <= hi for n, lo, hi in zip(sizes, smallest, largest)):
            raise ConfigError(f"{name}: requested an output size of {list(sizes)}, but "
                              f"valid sizes range from {smallest} to {largest} (for an "
                              f"input of {tuple(shape[-dims:])}), as in PyTorch")
        return tuple(int(n) - lo for n, lo in zip(sizes, smallest))


def _int_sequence(value: Any) -> tuple[int, ...] | None:
    """``value`` (a tuple or list of ints, or a 1-d NumPy integer array, as
    ``np.array([14, 13])``) as a tuple of ints; None for anything else."""
    if isinstance(value, np.ndarray) and value.ndim == 1 and value.dtype.kind in "iu":
        return tuple(int(n) for n in value)
    if isinstance(value, (tuple, list)) and all(is_integer(n) for n in value):
        return tuple(int(n) for n in value)
    return None


class ConvTranspose1d(_ConvTransposeNd):
    """1-d transposed convolution over input (N, C_in, L) or (C_in, L) (see
    ``ConvTranspose2d``); weight (in_channels, out_channels / groups, k)."""

    dims = 1
    _conv = staticmethod(conv_transpose1d)


class ConvTranspose2d(_ConvTransposeNd):
    """2-d transposed convolution (PyTorch's ``nn.ConvTranspose2d``, the upsampling layer
    of decoders and GAN generators): (N, C_in, H, W) or (C_in, H, W) to (N, C_out, H', W'),
    H' = (H - 1) sH - 2 pH + dH (kH - 1) + opH + 1, ``F.conv_transpose2d`` with this
    layer's weight (in_channels, out_channels / groups, kH, kW) and bias (out_channels,),
    so PyTorch state dicts load.

    Arguments as PyTorch's (note ``groups`` and ``bias`` before ``dilation``):
    ``output_padding`` must be smaller than the stride or the dilation (checked when
    called); only ``padding_mode="zeros"``. ``layer(x, output_size=(H', W'))`` picks the
    output padding that gives that size. ``rng=``, ``device=`` and ``dtype=`` as
    ``Conv2d``'s."""

    dims = 2
    _conv = staticmethod(conv_transpose2d)


class ConvTranspose3d(_ConvTransposeNd):
    """3-d transposed convolution (PyTorch's ``nn.ConvTranspose3d``): (N, C_in, D, H, W) or
    (C_in, D, H, W) to (N, C_out, D', H', W'), ``F.conv_transpose3d`` with this layer's
    weight (in_channels, out_channels / groups, kD, kH, kW) and bias (out_channels,); the
    arguments (and ``output_size=``) as ``ConvTranspose2d``'s, triples for pairs."""

    dims = 3
    _conv = staticmethod(conv_transpose3d)
