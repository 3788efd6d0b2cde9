"""``max_unpool1d``, ``max_unpool2d`` and ``max_unpool3d`` with PyTorch's arguments (one
function over any number of spatial axes): the partial inverse of max pooling. Each
entry of the pooled input goes back to the place its maximum came from (the ``indices``
of ``max_pool2d(..., return_indices=True)``: flat positions in each plane or volume),
every other entry is 0. One differentiable write into zeros (``index_put``):
the gradient in the input reads g at the indices, as PyTorch's, to every order. A
repeated index (overlapping windows) keeps the last write, and only that write's entry
gets the gradient (the true derivative, as ``index_put``); PyTorch's reverse mode gives
every copy g at that place.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor
from autograd.errors import DTypeError, ShapeError, TensorIndexError

from ..errors import ArgumentTypeError, ConfigError
from .windows import int_tuple

__all__ = ["max_unpool1d", "max_unpool2d", "max_unpool3d", "unpool_arguments"]


def unpool_arguments(owner: str, dims: int, kernel_size: Any, stride: Any,
                     padding: Any) -> tuple[tuple[int, ...], ...]:
    """(kernel, stride, padding) as tuples of ``dims`` ints; stride None is the kernel."""
    kernel = int_tuple(owner, "kernel_size", kernel_size, dims, minimum=1)
    stride = kernel if stride is None else int_tuple(owner, "stride", stride, dims, minimum=1)
    return kernel, stride, int_tuple(owner, "padding", padding, dims, minimum=0)


def _output_sizes(owner: str, spatial: tuple[int, ...], kernel: tuple[int, ...],
                  stride: tuple[int, ...], padding: tuple[int, ...],
                  output_size: Any) -> tuple[int, ...]:
    """The unpooled sizes: (n - 1) * stride - 2 * padding + kernel on each axis, or
    ``output_size`` (the spatial sizes, or with N and C first) strictly within ``stride``
    of that, PyTorch's rule."""
    dims = len(kernel)
    default = tuple((n - 1) * s - 2 * p + k for n, k, s, p in zip(spatial, kernel, stride,
                                                                  padding))
    if output_size is None:
        return default
    sizes = tuple(output_size) if isinstance(output_size, (tuple, list)) else None
    if sizes is None or not all(isinstance(n, (int, np.integer)) for n in sizes):
        raise ArgumentTypeError(f"{owner}: output_size must be a tuple or list of ints; got "
                                f"{output_size!r}")
    if len(sizes) == dims + 2:
        sizes = sizes[2:]
    if len(sizes) != dims:
        raise ConfigError(f"{owner}: output_size should hold {dims} or {dims + 2} sizes; got "
                          f"{output_size!r}")
    for axis, (n, d, s) in enumerate(zip(sizes, default, stride)):
        if not d - s < n < d + s:
            raise ConfigError(f"{owner}: invalid output_size {list(sizes)}: axis {axis} must "
                              f"be between {d - s} and {d + s} (exclusive), as in PyTorch")
    return tuple(int(n) for n in sizes)


def _max_unpool(owner: str, dims: int, input: Any, indices: Any, kernel_size: Any,
                stride: Any, padding: Any, output_size: Any) -> Tensor:
    x = as_tensor(input)
    if x.ndim not in (dims + 1, dims + 2):
        raise ShapeError(f"{owner}: input must have {dims + 2} axes (N, C, *spatial) or "
                         f"{dims + 1} unbatched (C, *spatial); got shape {x.shape}")
    index = np.asarray(indices.data if isinstance(indices, Tensor) else indices)
    if index.dtype.kind not in "iu":
        raise DTypeError(f"{owner}: indices must be integers (the second result of "
                         f"max_pool{dims}d(..., return_indices=True)); got {index.dtype}")
    if index.shape != x.shape:
        raise ShapeError(f"{owner}: indices must have the input's shape {x.shape}; got "
                         f"{index.shape}")
    kernel, stride, padding = unpool_arguments(owner, dims, kernel_size, stride, padding)
    unbatched = x.ndim == dims + 1
    if unbatched:
        x, index = x.reshape((1,) + x.shape), index.reshape((1,) + index.shape)
    out = _output_sizes(owner, x.shape[2:], kernel, stride, padding, output_size)
    plane = math.prod(out)
    if index.size and (index.min() < 0 or index.max() >= plane):
        bad = index.min() if index.min() < 0 else index.max()
        raise TensorIndexError(f"{owner}: found an invalid max index {bad}: the output "
                               f"planes are {out}, so indices lie in [0, {plane}). Give the "
                               f"output_size of the pooled input (and the same kernel_size, "
                               f"stride and padding).")
    batch, channels = x.shape[:2]
    where = (np.arange(batch)[:, None, None], np.arange(channels)[None, :, None],
             index.reshape(batch, channels, -1))
    zeros = Tensor(np.zeros((batch, channels, plane), dtype=x.dtype))
    y = zeros.index_put(where, x.reshape(batch, channels, -1))
    y = y.reshape((batch, channels) + out)
    return y.reshape(y.shape[1:]) if unbatched else y


def max_unpool1d(input: Any, indices: Any, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """Input (N, C, L) or (C, L) put back at ``indices`` into zeros, as PyTorch's
    ``F.max_unpool1d`` (see ``max_unpool2d``)."""
    return _max_unpool("max_unpool1d", 1, input, indices, kernel_size, stride, padding,
                       output_size)


def max_unpool2d(input: Any, indices: Any, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """The partial inverse of ``max_pool2d``, as PyTorch's ``F.max_unpool2d``: zeros of
    (N, C, H', W') with input[n, c, i, j] written at the flat position
    ``indices[n, c, i, j]`` of its plane. H' = (H - 1) sH - 2 pH + kH (the pooled input's
    size when the pooling dropped nothing), or ``output_size`` to undo a pooling that
    dropped a last row. A repeated index (overlapping windows) keeps the last write, and
    only that write's entry gets the gradient there (the other copies get 0), where
    PyTorch's reverse mode gives every copy the gradient at that place."""
    return _max_unpool("max_unpool2d", 2, input, indices, kernel_size, stride, padding,
                       output_size)


def max_unpool3d(input: Any, indices: Any, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """Input (N, C, D, H, W) or (C, D, H, W) put back at ``indices`` (flat in each
    (D', H', W') volume, as ``max_pool3d`` gives them) into zeros, as PyTorch's
    ``F.max_unpool3d`` (see ``max_unpool2d``)."""
    return _max_unpool("max_unpool3d", 3, input, indices, kernel_size, stride, padding,
                       output_size)
