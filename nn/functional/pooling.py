"""Pooling with PyTorch's arguments: ``max_pool1d/2d/3d``, ``avg_pool1d/2d/3d`` (a max or a
mean over the windows ``im2col`` gathers) and ``adaptive_avg_pool1d/2d/3d``,
``adaptive_max_pool1d/2d/3d`` (a fixed number of output cells: on each pooled axis, the
mean or the max of each cell's slice). Each family is one function over any number of
spatial axes; the 1-, 2- and 3-d names only fix that number.

Window geometry, per spatial axis of n entries (kernel k, stride s, padding p, dilation d):
out = floor((n + 2p - d(k - 1) - 1) / s) + 1, or the ceiling with ``ceil_mode=True``, in
which case a last window must start inside the input or the left padding (PyTorch's rule);
the part of it beyond the right padding is not counted.

Max pooling sends a window's gradient to its FIRST largest entry (in row-major order over
the window), as PyTorch's CPU kernel does at ties, rather than splitting it among equal
entries (the rule of ``Tensor.max`` here). A window holding a NaN gives NaN, and its
gradient and index go to its LAST NaN, as PyTorch's kernels keep v when ``v > best or
isnan(v)`` (``window_max.max_position``); a padding entry never wins. The adaptive
max pools pick alike. ``return_indices=True`` also gives where each maximum is, flat in
its input plane, as PyTorch's indices.

``max_pool_nd`` and ``avg_pool_nd`` are the bodies over any number of axes, with the name
their errors give (``lp_pool2d`` reports its own name through them).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor, cat
from autograd.errors import ShapeError

from .._checks import flag, integer, is_integer
from ..errors import ArgumentTypeError, ConfigError
from .conv import check_fits, check_not_empty
from .window_max import WindowMax, max_position
from .windows import im2col, int_tuple

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d",
           "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
           "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
           "pool_arguments", "adaptive_size", "max_pool_nd", "avg_pool_nd"]


def pool_arguments(owner: str, dims: int, kernel_size: Any, stride: Any, padding: Any,
                   dilation: Any = 1) -> tuple[tuple[int, ...], ...]:
    """(kernel, stride, padding, dilation) as tuples of ``dims`` ints, checked as PyTorch:
    stride None (or ``[]``) is the kernel size; padding at most half the kernel size; a
    one-element tuple stands for every axis, as PyTorch's max and average pooling read it."""
    def sizes(name: str, value: Any, minimum: int) -> tuple[int, ...]:
        return int_tuple(owner, name, value, dims, minimum=minimum, expand_single=True)
    kernel = sizes("kernel_size", kernel_size, 1)
    no_stride = stride is None or (isinstance(stride, (tuple, list)) and not stride)
    stride = kernel if no_stride else sizes("stride", stride, 1)
    padding, dilation = sizes("padding", padding, 0), sizes("dilation", dilation, 1)
    if any(p > k // 2 for p, k in zip(padding, kernel)):
        raise ConfigError(f"{owner}: padding should be at most half of the kernel size, as "
                          f"in PyTorch; got padding={padding} and kernel_size={kernel}")
    return kernel, stride, padding, dilation


def _batched(owner: str, dims: int, input: Any) -> tuple[Tensor, bool]:
    """input as a Tensor with a batch axis, and whether it came without one. Only the
    batch axis may be empty (the spatial axes are checked with the windows), as PyTorch."""
    x = as_tensor(input)
    if x.ndim not in (dims + 1, dims + 2):
        raise ShapeError(f"{owner}: input must have {dims + 2} axes (N, C, *spatial) or "
                         f"{dims + 1} unbatched (C, *spatial); got shape {x.shape}")
    if x.shape[x.ndim - dims - 1] == 0:
        raise ShapeError(f"{owner}: the channel axis must not be empty (only the batch axis "
                         f"may be, as in PyTorch); got shape {x.shape}")
    return (x.reshape((1,) + x.shape), True) if x.ndim == dims + 1 else (x, False)


def _window_starts(owner: str, size: int, kernel: int, stride: int, padding: int,
                   dilation: int, ceil_mode: bool) -> np.ndarray:
    """Where each window starts on an axis of ``size`` entries (-padding for the first)."""
    reach = dilation * (kernel - 1) + 1
    span = size + 2 * padding - reach
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1  # the last window would start in the right padding
    if out < 1:  # ceil_mode keeps a window that starts inside, even if the kernel overhangs
        raise ShapeError(f"{owner}: an axis of {size} entries, padded by {padding} on each "
                         f"side, holds no window of kernel size {kernel} (dilation "
                         f"{dilation}): the output would be empty. Use a smaller kernel "
                         f"or more padding.")
    return np.arange(out) * stride - padding


def _geometry(owner: str, x: Tensor, kernel: tuple[int, ...], stride: tuple[int, ...],
              padding: tuple[int, ...], dilation: tuple[int, ...], ceil_mode: bool
              ) -> tuple[list[np.ndarray], list[tuple[int, int]]]:
    """Each axis's window starts, and the (before, after) padding that holds every window
    (ceil_mode's last ones too); a named error if the kernel does not fit."""
    check_not_empty(owner, x.shape[2:])
    starts = [_window_starts(owner, n, k, s, p, d, ceil_mode)
              for n, k, s, p, d in zip(x.shape[2:], kernel, stride, padding, dilation)]
    widths = [(p, max(int(first[-1]) + d * (k - 1) + 1 - n, p))  # ceil_mode: maybe > p
              for first, n, k, p, d in zip(starts, x.shape[2:], kernel, padding, dilation)]
    padded = tuple(n + before + after for n, (before, after) in zip(x.shape[2:], widths))
    check_fits(owner, padded, kernel, dilation)
    return starts, widths


def _windows(owner: str, x: Tensor, kernel: tuple[int, ...], stride: tuple[int, ...],
             padding: tuple[int, ...], dilation: tuple[int, ...], ceil_mode: bool,
             fill: float) -> tuple[Tensor, list[np.ndarray]]:
    """The windows of x padded with ``fill`` (ceil_mode's last windows too), as
    (N, C, prod(kernel), *out), and each axis's window starts."""
    starts, widths = _geometry(owner, x, kernel, stride, padding, dilation, ceil_mode)
    if any(before or after for before, after in widths):
        x = x.pad([(0, 0), (0, 0)] + widths, fill)
    cols = im2col(x, kernel, stride, dilation)
    out = cols.shape[2 + len(kernel):]  # the window axes as one (no -1: N may be 0)
    return cols.reshape(x.shape[:2] + (math.prod(kernel),) + out), starts


def max_pool_nd(owner: str, dims: int, input: Any, kernel_size: Any, stride: Any,
                padding: Any, dilation: Any, ceil_mode: bool,
                return_indices: bool) -> Tensor | tuple[Tensor, Tensor]:
    """``max_pool2d`` over ``dims`` spatial axes, its errors naming ``owner``."""
    x, unbatched = _batched(owner, dims, input)
    return_indices = flag(owner, "return_indices", return_indices)
    kernel, stride, padding, dilation = pool_arguments(owner, dims, kernel_size, stride,
                                                       padding, dilation)
    kind = x.dtype.kind  # the padding must never win: -inf, the least integer, False
    lowest = -np.inf if kind == "f" else False if kind == "b" else np.iinfo(x.dtype).min
    starts, widths = _geometry(owner, x, kernel, stride, padding, dilation,
                               flag(owner, "ceil_mode", ceil_mode))
    op = WindowMax(kernel, stride, dilation, widths, lowest, starts, return_indices)
    y = op(x)  # one node (WindowMax)
    indices = op.indices
    if not return_indices:
        return y.reshape(y.shape[1:]) if unbatched else y
    if unbatched:
        y, indices = y.reshape(y.shape[1:]), indices.reshape(indices.shape[1:])
    return y, Tensor(indices)


def max_pool1d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """The largest entry of each window of input (N, C, L) or (C, L), as PyTorch's
    ``F.max_pool1d`` (see ``max_pool2d``)."""
    return max_pool_nd("max_pool1d", 1, input, kernel_size, stride, padding, dilation,
                       ceil_mode, return_indices)


def max_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """The largest entry of each kH x kW window of input (N, C, H, W) or (C, H, W), as
    PyTorch's ``F.max_pool2d``: windows ``stride`` apart (the kernel size by default),
    taps ``dilation`` apart, ``padding`` (at most half the kernel) counting as -inf.
    The gradient goes to each window's first largest entry (PyTorch's tie rule), or to
    its last NaN if it holds any (PyTorch's too).
    ``return_indices=True`` returns (output, indices): int64 indices of those entries,
    flat in each (H, W) plane (h * W + w), as PyTorch's, for ``max_unpool2d``."""
    return max_pool_nd("max_pool2d", 2, input, kernel_size, stride, padding, dilation,
                       ceil_mode, return_indices)


def max_pool3d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """The largest entry of each kD x kH x kW window of input (N, C, D, H, W) or
    (C, D, H, W), as PyTorch's ``F.max_pool3d`` (see ``max_pool2d``); the indices are flat
    in each (D, H, W) volume (d * H * W + h * W + w), for ``max_unpool3d``."""
    return max_pool_nd("max_pool3d", 3, input, kernel_size, stride, padding, dilation,
                       ceil_mode, return_indices)


def _divisor(starts: list[np.ndarray], sizes: tuple[int, ...], kernel: tuple[int, ...],
             padding: tuple[int, ...], count_include_pad: bool) -> np.ndarray:
    """How many entries each window averages, shaped as the output: per axis the window
    clipped to the padded input (to the input itself without ``count_include_pad``), as
    PyTorch; the axes multiply."""
    divisor = np.ones(())
    for first, n, k, p in zip(starts, sizes, kernel, padding):
        last = np.minimum(first + k, n + p)
        if not count_include_pad:
            first, last = np.maximum(first, 0), np.minimum(last, n)
        divisor = np.multiply.outer(divisor, last - first)
    return divisor


def avg_pool_nd(owner: str, dims: int, input: Any, kernel_size: Any, stride: Any,
                padding: Any, ceil_mode: bool, count_include_pad: bool,
                divisor_override: Any) -> Tensor:
    """``avg_pool2d`` over ``dims`` spatial axes, its errors naming ``owner``."""
    x, unbatched = _batched(owner, dims, input)
    kernel, stride, padding, dilation = pool_arguments(owner, dims, kernel_size, stride,
                                                       padding)
    count_include_pad = flag(owner, "count_include_pad", count_include_pad)
    cols, starts = _windows(owner, x, kernel, stride, padding, dilation,
                            flag(owner, "ceil_mode", ceil_mode), 0.0)
    if divisor_override is None:
        divisor = _divisor(starts, x.shape[2:], kernel, padding, count_include_pad)
    else:
        divisor = integer(owner, "divisor_override", divisor_override, minimum=1)
    dtype = cols.dtype if cols.dtype.kind == "f" else np.dtype(np.float64)  # bool: not True
    y = cols.sum(axis=2) / np.asarray(divisor, dtype=dtype)
    return y.reshape(y.shape[1:]) if unbatched else y


def avg_pool1d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """The mean of each window of input (N, C, L) or (C, L), as PyTorch's
    ``F.avg_pool1d`` (see ``avg_pool2d``)."""
    return avg_pool_nd("avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode,
                       count_include_pad, None)


def avg_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """The mean of each kH x kW window of input (N, C, H, W) or (C, H, W), as PyTorch's
    ``F.avg_pool2d``: zero ``padding`` (at most half the kernel) counts in the divisor
    with ``count_include_pad=True`` (the default), not without; ``ceil_mode``'s part of
    a window beyond the padding never counts. ``divisor_override`` replaces the divisor."""
    return avg_pool_nd("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode,
                       count_include_pad, divisor_override)


def avg_pool3d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """The mean of each kD x kH x kW window of input (N, C, D, H, W) or (C, D, H, W), as
    PyTorch's ``F.avg_pool3d`` (the arguments as ``avg_pool2d``'s, per axis a triple)."""
    return avg_pool_nd("avg_pool3d", 3, input, kernel_size, stride, padding, ceil_mode,
                       count_include_pad, divisor_override)


def adaptive_size(owner: str, output_size: Any, dims: int) -> tuple[int | None, ...]:
    """``output_size`` as a tuple of ``dims`` entries, each an int >= 0 or None (keep that
    axis's size), as PyTorch's ``AdaptiveAvgPool2d((5, None))``; 0 cells give an empty
    axis, as PyTorch. A bare None is refused, as PyTorch's functions refuse it."""
    sizes = (output_size,) * dims if is_integer(output_size) else output_size
    if not isinstance(sizes, (tuple, list)) or not all(
            s is None or is_integer(s) for s in sizes):
        raise ArgumentTypeError(f"{owner}: output_size must be an int or a tuple of {dims} "
                                f"entries, each an int or None (None keeps that axis's "
                                f"size, as PyTorch's (5, None)); got {output_size!r}")
    if len(sizes) != dims:
        raise ConfigError(f"{owner}: output_size needs {dims} entries; got {output_size!r}")
    return tuple(None if s is None else integer(owner, "output_size", s, minimum=0)
                 for s in sizes)


def _adaptive_axis(x: Tensor, axis: int, cells: int) -> Tensor:
    """x averaged into ``cells`` cells along ``axis`` (negative): cell i of an axis of n
    entries is the mean of entries floor(i n / cells) to ceil((i + 1) n / cells) - 1,
    PyTorch's adaptive windows. Each cell is a mean over its own slice, so an inf or NaN
    reaches only the cells that hold it (a product with an averaging matrix would spread
    0 * inf = NaN to every cell)."""
    size, after = x.shape[axis], (slice(None),) * (-axis - 1)
    if cells == 0:  # an empty axis, as PyTorch (its gradient: zeros)
        return x[(Ellipsis, slice(0, 0)) + after]
    parts = [x[(Ellipsis, slice((i * size) // cells, -(-(i + 1) * size // cells))) + after]
             .mean(axis=axis, keepdims=True) for i in range(cells)]
    return parts[0] if cells == 1 else cat(parts, dim=axis)


def _adaptive_cells(owner: str, dims: int, x: Tensor, output_size: Any) -> list[int]:
    """How many cells each pooled axis of x gets (None: its size), x's shape checked."""
    if x.ndim not in (dims + 1, dims + 2):
        raise ShapeError(f"{owner}: input must have {dims + 2} axes (N, C, *spatial) or "
                         f"{dims + 1} unbatched (C, *spatial); got shape {x.shape}")
    sizes = x.shape[x.ndim - dims:]
    if 0 in sizes:
        raise ShapeError(f"{owner}: the pooled axes must not be empty; got shape {x.shape}")
    return [n if c is None else c for n, c in zip(sizes, adaptive_size(owner, output_size,
                                                                       dims))]


def _adaptive_avg_pool(owner: str, dims: int, input: Any, output_size: Any) -> Tensor:
    x = as_tensor(input)
    cells = _adaptive_cells(owner, dims, x, output_size)
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    for axis, count in zip(range(-dims, 0), cells):
        x = _adaptive_axis(x, axis, count)
    return x


def adaptive_avg_pool1d(input: Any, output_size: Any) -> Tensor:
    """input (N, C, L) or (C, L) averaged into ``output_size`` cells, as PyTorch's
    ``F.adaptive_avg_pool1d`` (see ``adaptive_avg_pool2d``)."""
    return _adaptive_avg_pool("adaptive_avg_pool1d", 1, input, output_size)


def adaptive_avg_pool2d(input: Any, output_size: Any) -> Tensor:
    """input (N, C, H, W) or (C, H, W) averaged into an ``output_size`` grid (an int, or
    (oH, oW) where None keeps that axis), as PyTorch's ``F.adaptive_avg_pool2d``: cell i
    on an axis of n entries averages entries floor(i n / o) to ceil((i + 1) n / o) - 1,
    equal windows when o divides n (``adaptive_avg_pool2d(x, 1)``: the global mean)."""
    return _adaptive_avg_pool("adaptive_avg_pool2d", 2, input, output_size)


def adaptive_avg_pool3d(input: Any, output_size: Any) -> Tensor:
    """input (N, C, D, H, W) or (C, D, H, W) averaged into an ``output_size`` grid (an int,
    or (oD, oH, oW) where None keeps that axis), as PyTorch's ``F.adaptive_avg_pool3d``
    (the cells of ``adaptive_avg_pool2d`` on each of the three axes)."""
    return _adaptive_avg_pool("adaptive_avg_pool3d", 3, input, output_size)


def _adaptive_max_axis(x: Tensor, where: np.ndarray, axis: int,
                       cells: int) -> tuple[Tensor, np.ndarray]:
    """x reduced into ``cells`` cells along ``axis`` (negative; PyTorch's adaptive windows,
    as ``_adaptive_axis``), each to its first largest entry or its last NaN
    (``max_position``), and ``where`` (each entry's flat place in its input plane) picked
    alike."""
    size, after = x.shape[axis], (slice(None),) * (-axis - 1)
    if cells == 0:  # an empty axis, as PyTorch (its gradient: zeros)
        empty = (Ellipsis, slice(0, 0)) + after
        return x[empty], where[empty]
    values, places = [], []
    for i in range(cells):
        cell = (Ellipsis, slice((i * size) // cells, -(-(i + 1) * size // cells))) + after
        winner = np.expand_dims(max_position(x[cell].data, axis), axis)
        values.append(x[cell].take_along_axis(winner, axis=axis))
        places.append(np.take_along_axis(where[cell], winner, axis=axis))
    return (values[0] if cells == 1 else cat(values, dim=axis)), np.concatenate(places, axis)


def _adaptive_max_pool(owner: str, dims: int, input: Any, output_size: Any,
                       return_indices: bool) -> Tensor | tuple[Tensor, Tensor]:
    x = as_tensor(input)
    cells = _adaptive_cells(owner, dims, x, output_size)
    return_indices = flag(owner, "return_indices", return_indices)
    planes = x.shape[x.ndim - dims:]
    where = np.broadcast_to(np.arange(math.prod(planes)).reshape(planes), x.shape)
    for axis in range(-1, -dims - 1, -1):  # the last axis first: row-major first largest
        # (or last NaN: the last row holding a NaN, and in it the last NaN)
        x, where = _adaptive_max_axis(x, where, axis, cells[axis])
    return (x, Tensor(where.astype(np.int64))) if return_indices else x


def adaptive_max_pool1d(input: Any, output_size: Any,
                        return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """input (N, C, L) or (C, L) max-pooled into ``output_size`` cells, as PyTorch's
    ``F.adaptive_max_pool1d`` (see ``adaptive_max_pool2d``)."""
    return _adaptive_max_pool("adaptive_max_pool1d", 1, input, output_size, return_indices)


def adaptive_max_pool2d(input: Any, output_size: Any,
                        return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """input (N, C, H, W) or (C, H, W) max-pooled into an ``output_size`` grid (an int, or
    (oH, oW) where None keeps that axis), as PyTorch's ``F.adaptive_max_pool2d``: cell i on
    an axis of n entries spans entries floor(i n / o) to ceil((i + 1) n / o) - 1. The value
    and gradient come from each cell's first largest entry (row-major, PyTorch's tie rule),
    or its last NaN if it holds any; ``return_indices=True`` also returns its flat place in
    the (H, W) plane, as PyTorch."""
    return _adaptive_max_pool("adaptive_max_pool2d", 2, input, output_size, return_indices)


def adaptive_max_pool3d(input: Any, output_size: Any,
                        return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """input (N, C, D, H, W) or (C, D, H, W) max-pooled into an ``output_size`` grid (an
    int, or (oD, oH, oW) where None keeps that axis), as PyTorch's
    ``F.adaptive_max_pool3d`` (see ``adaptive_max_pool2d``); the indices are flat in each
    (D, H, W) volume."""
    return _adaptive_max_pool("adaptive_max_pool3d", 3, input, output_size, return_indices)
