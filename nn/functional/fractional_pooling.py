"""Fractional max-pooling (Graham, 2014), PyTorch's ``F.fractional_max_pool2d``: the max
over windows of ``kernel_size`` whose starts advance by a non-integer step
alpha = (in - k) / (out - 1) along each axis, drawn per (sample, channel) plane from one
uniform u in [0, 1) per axis: start_i = floor((i + u) alpha) - floor(u alpha) for
i < out - 1, and the last window ends at the input's edge (start = in - k), as PyTorch
computes them (in the input's dtype, u[..., 0] for the width, u[..., 1] for the height).

The output gathers each window's maximum (the first one on ties, a NaN if the window holds
one), so its gradient goes to that element, as PyTorch's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, as_tensor

from .._random import RNGLike, as_generator
from ..errors import ConfigError
from .windows import int_tuple

__all__ = ["fractional_max_pool2d", "fractional_output_size"]

_OWNER = "fractional_max_pool2d"


def fractional_output_size(owner: str, spatial: tuple[int, int], output_size: Any,
                           output_ratio: Any) -> tuple[int, int]:
    """(out_h, out_w) from ``output_size`` or ``output_ratio`` (exactly one given)."""
    if output_size is None and output_ratio is None:
        raise ConfigError(f"{owner} requires specifying either an output size, or a pooling "
                          f"ratio")
    if output_size is not None and output_ratio is not None:
        raise ConfigError(f"{owner}: only one of output_size and output_ratio may be "
                          f"specified")
    if output_size is not None:  # 0 gives an empty result, as PyTorch's
        return int_tuple(owner, "output_size", output_size, 2, minimum=0)
    ratio = (output_ratio,) * 2 if np.ndim(output_ratio) == 0 else tuple(output_ratio)
    if len(ratio) != 2 or not all(0 < r < 1 for r in ratio):
        raise ConfigError(f"{owner}: output_ratio must be a number or a pair of numbers "
                          f"in (0, 1); got {output_ratio!r}")
    return int(spatial[0] * ratio[0]), int(spatial[1] * ratio[1])


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


def _window_argmax(windows: np.ndarray) -> np.ndarray:
    """Position of each window's maximum along the last axis: the first one, or the last
    NaN when there is one (PyTorch's ``val > maxVal || isnan(val)``)."""
    first_max = np.argmax(np.where(np.isnan(windows), -np.inf, windows), axis=-1)
    nan = np.isnan(windows)
    last_nan = windows.shape[-1] - 1 - np.argmax(nan[..., ::-1], axis=-1)
    return np.where(nan.any(axis=-1), last_nan, first_max)


def fractional_max_pool2d(input: Any, kernel_size: Any, output_size: Any = None,  # noqa: A002
                          output_ratio: Any = None, return_indices: bool = False,
                          _random_samples: Any = None, *, generator: RNGLike = None) -> Any:
    """Max over pseudo-random windows of ``kernel_size`` placing ``output_size`` (or
    ``output_ratio`` times the input's size) outputs on (N, C, H, W) or (C, H, W) input;
    ``_random_samples`` (N, C, 2) in [0, 1) fixes the windows, else they are drawn from
    ``generator`` (nn's default). ``return_indices`` adds each maximum's flat index
    h * W + w (for ``max_unpool2d``)."""
    x = as_tensor(input)
    if x.ndim not in (3, 4):
        raise ConfigError(f"{_OWNER}: expected 3-d (C, H, W) or 4-d (N, C, H, W) input; got "
                          f"shape {x.shape}")
    batched = x if x.ndim == 4 else x.unsqueeze(0)
    n, c, h, w = batched.shape
    kh, kw = int_tuple(_OWNER, "kernel_size", kernel_size, 2, minimum=1)
    oh, ow = fractional_output_size(_OWNER, (h, w), output_size, output_ratio)
    if oh + kh - 1 > h or ow + kw - 1 > w:
        raise ConfigError(f"{_OWNER}: output size {(oh, ow)} with kernel {(kh, kw)} needs an "
                          f"input of at least {(oh + kh - 1, ow + kw - 1)}; got {(h, w)}")
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    if _random_samples is None:
        samples = as_generator(generator, "generator").random((n, c, 2)).astype(dtype)
    else:
        samples = np.asarray(_random_samples.detach().numpy() if isinstance(
            _random_samples, Tensor) else _random_samples).astype(dtype)
        if samples.shape != (n, c, 2):
            raise ConfigError(f"{_OWNER}: _random_samples must have shape {(n, c, 2)} (one "
                              f"sample per plane and axis); got {samples.shape}")
    rows = _starts(samples[..., 1], h, oh, kh)[..., :, None] + np.arange(kh)  # (n,c,oh,kh)
    cols = _starts(samples[..., 0], w, ow, kw)[..., :, None] + np.arange(kw)  # (n,c,ow,kw)
    flat = (rows[:, :, :, None, :, None] * w + cols[:, :, None, :, None, :]).reshape(
        n, c, oh, ow, kh * kw)
    values = batched.detach().numpy().reshape(n, c, h * w)
    windows = np.take_along_axis(values, flat.reshape(n, c, -1), axis=-1).reshape(flat.shape)
    best = np.take_along_axis(flat, _window_argmax(windows)[..., None], axis=-1)[..., 0]
    out = batched.reshape(n, c, h * w).gather(2, Tensor(best.reshape(n, c, -1)))
    out = out.reshape(n, c, oh, ow)
    indices = Tensor(best)
    if x.ndim == 3:
        out, indices = out[0], indices[0]
    return (out, indices) if return_indices else out
