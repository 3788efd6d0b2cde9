"""Fractional max-pooling (Graham, 2014), PyTorch's ``F.fractional_max_pool2d`` and
``F.fractional_max_pool3d``: the max over windows of ``kernel_size`` whose starts advance
by a non-integer step alpha = (in - k) / (out - 1) along each axis, drawn per (sample,
channel) plane from one uniform u in [0, 1) per axis: start_i = floor((i + u) alpha) -
floor(u alpha) for i < out - 1, and the last window ends at the input's edge
(start = in - k), as PyTorch computes them (in the input's dtype; which u goes to which
axis is PyTorch's: in 2-d u[..., 0] for the width, u[..., 1] for the height, in 3-d
u[..., 0], u[..., 1], u[..., 2] for the depth, height and width).

The output gathers each window's maximum (the first one on ties, the last NaN if the window
holds any: ``window_max.max_position``, the rule of the max pools here), so its gradient
goes to that element, as PyTorch's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, as_tensor

from .._random import RNGLike, as_generator
from ..errors import ConfigError
from .window_max import max_position
from .windows import int_tuple

__all__ = ["fractional_max_pool2d", "fractional_max_pool3d", "fractional_output_size"]


def fractional_output_size(owner: str, spatial: tuple[int, ...], output_size: Any,
                           output_ratio: Any) -> tuple[int, ...]:
    """The output's size on each of the ``len(spatial)`` axes, from ``output_size`` or
    ``output_ratio`` r (exactly one given): out = floor(in * r) per axis."""
    dims = len(spatial)
    if output_size is None and output_ratio is None:
        raise ConfigError(f"{owner} requires specifying either an output size, or a pooling "
                          f"ratio")
    if output_size is not None and output_ratio is not None:
        raise ConfigError(f"{owner}: only one of output_size and output_ratio may be "
                          f"specified")
    if output_size is not None:  # 0 gives an empty result, as PyTorch's
        return int_tuple(owner, "output_size", output_size, dims, minimum=0)
    ratio = (output_ratio,) * dims if np.ndim(output_ratio) == 0 else tuple(output_ratio)
    if len(ratio) != dims or not all(0 < r < 1 for r in ratio):
        raise ConfigError(f"{owner}: output_ratio must be a number or a tuple of {dims} "
                          f"numbers in (0, 1); got {output_ratio!r}")
    return tuple(int(size * r) for size, r in zip(spatial, ratio))


def _starts(samples: np.ndarray, size: int, out: int, kernel: int) -> np.ndarray:
    """Window starts along one axis for each plane's sample u: shape samples.shape + (out,)
    (none for out = 0)."""
    starts = np.empty(samples.shape + (out,), dtype=np.int64)
    if out == 0:
        return starts
    if out > 1:
        dtype = samples.dtype.type
        alpha = dtype(size - kernel) / dtype(out - 1)
        i = np.arange(out - 1, dtype=samples.dtype)
        starts[..., :-1] = (np.trunc((i + samples[..., None]) * alpha).astype(np.int64)
                            - np.trunc(samples * alpha).astype(np.int64)[..., None])
    starts[..., -1] = size - kernel
    return starts


def _window_elements(positions: list[np.ndarray], spatial: tuple[int, ...]) -> np.ndarray:
    """Flat index sum_a p_a * prod(spatial[a + 1:]) of every window's elements, from each
    axis's positions p_a (n, c, out_a, k_a): shape (n, c, *outs, prod(kernels))."""
    dims = len(positions)
    flat = np.zeros((), dtype=np.int64)
    for axis, (pos, size) in enumerate(zip(positions, spatial)):
        shape = [*pos.shape[:2]] + [1] * (2 * dims)
        shape[2 + axis], shape[2 + dims + axis] = pos.shape[2:]
        flat = flat * size + pos.reshape(shape)  # Horner's rule over the axes
    window = int(np.prod([pos.shape[3] for pos in positions]))
    return flat.reshape(flat.shape[:2 + dims] + (window,))


def _samples(owner: str, given: Any, shape: tuple[int, int, int], dtype: np.dtype,
             generator: RNGLike) -> np.ndarray:
    """``_random_samples`` as an array of ``shape`` (N, C, dims), or drawn from
    ``generator`` when not given."""
    if given is None:
        return as_generator(generator, "generator").random(shape).astype(dtype)
    samples = np.asarray(given.detach().numpy() if isinstance(given, Tensor)
                         else given).astype(dtype)
    if samples.shape != shape:
        raise ConfigError(f"{owner}: _random_samples must have shape {shape} (one sample per "
                          f"plane and axis); got {samples.shape}")
    return samples


def _fractional_max_pool(input: Any, kernel_size: Any, output_size: Any,  # noqa: A002
                         output_ratio: Any, return_indices: bool, random_samples: Any,
                         generator: RNGLike, owner: str, sample_of_axis: tuple[int, ...],
                         spare: int) -> Any:
    """The body of ``fractional_max_pool2d`` / ``3d`` over len(sample_of_axis) spatial axes,
    axis a drawing its windows from ``_random_samples[..., sample_of_axis[a]]``; each axis
    must hold out + k - 1 + ``spare`` elements (PyTorch's 3-d form asks for one more than
    the windows need)."""
    dims = len(sample_of_axis)
    x = as_tensor(input)
    if x.ndim not in (dims + 1, dims + 2):
        raise ConfigError(f"{owner}: expected {dims + 1}-d (C, *spatial) or {dims + 2}-d "
                          f"(N, C, *spatial) input with {dims} spatial axes; got shape "
                          f"{x.shape}")
    batched = x if x.ndim == dims + 2 else x.unsqueeze(0)
    n, c = batched.shape[:2]
    spatial = tuple(batched.shape[2:])
    kernel = int_tuple(owner, "kernel_size", kernel_size, dims, minimum=1)
    outs = fractional_output_size(owner, spatial, output_size, output_ratio)
    needed = tuple(o + k - 1 + spare for o, k in zip(outs, kernel))
    if any(need > size for need, size in zip(needed, spatial)):
        raise ConfigError(f"{owner}: output size {outs} with kernel {kernel} needs an input "
                          f"of at least {needed}; got {spatial}")
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    samples = _samples(owner, random_samples, (n, c, dims), dtype, generator)
    positions = [_starts(samples[..., sample_of_axis[a]], spatial[a], outs[a], kernel[a])
                 [..., :, None] + np.arange(kernel[a]) for a in range(dims)]
    flat = _window_elements(positions, spatial)  # (n, c, *outs, window)
    values = batched.detach().numpy().reshape(n, c, -1)
    windows = np.take_along_axis(values, flat.reshape(n, c, -1), axis=-1).reshape(flat.shape)
    best = np.take_along_axis(flat, max_position(windows, -1)[..., None], axis=-1)[..., 0]
    out = batched.reshape(n, c, -1).gather(2, Tensor(best.reshape(n, c, -1)))
    out, indices = out.reshape(n, c, *outs), Tensor(best)
    if x.ndim == dims + 1:
        out, indices = out[0], indices[0]
    return (out, indices) if return_indices else out


def fractional_max_pool2d(input: Any, kernel_size: Any, output_size: Any = None,  # noqa: A002
                          output_ratio: Any = None, return_indices: bool = False,
                          _random_samples: Any = None, *, generator: RNGLike = None) -> Any:
    """Max over pseudo-random windows of ``kernel_size`` placing ``output_size`` (or
    ``output_ratio`` times the input's size) outputs on (N, C, H, W) or (C, H, W) input;
    ``_random_samples`` (N, C, 2) in [0, 1) fixes the windows (u[..., 1] the rows,
    u[..., 0] the columns, as PyTorch), else they are drawn from ``generator`` (nn's
    default). ``return_indices`` adds each maximum's flat index h * W + w (for
    ``max_unpool2d``)."""
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio, return_indices,
                                _random_samples, generator, "fractional_max_pool2d", (1, 0), 0)


def fractional_max_pool3d(input: Any, kernel_size: Any, output_size: Any = None,  # noqa: A002
                          output_ratio: Any = None, return_indices: bool = False,
                          _random_samples: Any = None, *, generator: RNGLike = None) -> Any:
    """``fractional_max_pool2d`` over (N, C, D, H, W) or (C, D, H, W) input:
    ``_random_samples`` (N, C, 3) gives u[..., 0] to the depth, u[..., 1] to the height and
    u[..., 2] to the width (as PyTorch); ``return_indices`` adds each maximum's flat index
    d * H * W + h * W + w (for ``max_unpool3d``). As PyTorch, each axis must hold at least
    output_size + kernel_size elements (one more than 2-d asks)."""
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio, return_indices,
                                _random_samples, generator, "fractional_max_pool3d", (0, 1, 2),
                                1)
