"""``interpolate`` with PyTorch's arguments and coordinate rules, for 3-d (N, C, L), 4-d
(N, C, H, W) and 5-d (N, C, D, H, W) input: modes "nearest", "nearest-exact", "linear"
(3-d), "bilinear", "bicubic" (4-d), "trilinear" (5-d: "linear" along each axis, as
PyTorch's) and "area" (adaptive average pooling to the output size, as PyTorch's).
PyTorch's deprecated spellings ``upsample``, ``upsample_bilinear`` (``align_corners=True``)
and ``upsample_nearest`` call it with PyTorch's warning.

Each resized axis is one pick of source entries (an integer index along the axis, whose
VJP adds g back where it was read) and, for the linear modes, one weighted sum of two such
picks (four for "bicubic"); a 2-d resize does the last axis, then the one before. Only
differentiable ops, so gradients hold to every order.

Where output entry i reads, on an axis of n entries resized to m (s = the user's
``scale_factor`` when given, else m / n; r = 1 / s):

- "nearest": floor(i r), in single precision as PyTorch (see ``_nearest_sources``);
  on 4-d input, m = n copies and m = 2n halves the index (PyTorch's 2-d kernel, also when
  ``scale_factor`` is not exactly 1 or 2);
- "nearest-exact": floor((i + 0.5) r), the pixel whose centre is nearest;
- "linear": x = (i + 0.5) r - 0.5 (at least 0), or with ``align_corners=True``
  x = i (n - 1) / (m - 1); the entries floor(x) and the next (the last repeats), weighted
  1 - t and t, t = x - floor(x). m = n copies.
- "bicubic": x as "linear" but not held at 0; the entries floor(x) - 1 .. floor(x) + 2
  (held inside the axis), weighted by Keys' cubic convolution kernel (a = -0.75) at their
  distance from x, as PyTorch's.
- "area": the mean of entries floor(i n / m) .. ceil((i + 1) n / m) - 1, i.e.
  ``adaptive_avg_pool1d`` / ``adaptive_avg_pool2d`` to the output size (both axes at once);
  the only mode with an empty output (a size of 0), as PyTorch's.

The nearest modes copy entries, so integer and bool input keeps its dtype (PyTorch: uint8
only); the linear modes and "area" need float input (PyTorch refuses integers there too, but for a
uint8 "bilinear" with its own fixed-point rounding, not reproduced here).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor
from autograd.errors import DTypeError, ShapeError

from .._checks import caller_outside_nn, flag, is_integer
from .antialias import antialiased_resize
from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d
from ..errors import ArgumentTypeError, ConfigError

__all__ = ["interpolate", "INTERPOLATION_MODES", "upsample", "upsample_bilinear",
           "upsample_nearest"]

INTERPOLATION_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "bicubic",
                       "trilinear", "area")
"""The modes ``interpolate`` offers: all of PyTorch's (others are a ConfigError)."""
LINEAR_MODES = {3: "linear", 4: "bilinear", 5: "trilinear"}  # the one for each input rank


def _nearest_sources(size: int, out: int, scale: float | None, exact: bool,
                     shortcuts: bool, double: bool) -> np.ndarray:
    """The entry each of ``out`` outputs copies (see the module's docstring); with
    ``shortcuts`` (PyTorch's 2-d "nearest" kernel) m = n copies and m = 2n halves the
    index whatever the scale factor. For float64 input of 3 or 5 axes (``double``) the
    position is computed in double precision and rounded to single once, else in single
    precision, as PyTorch's kernels do (measured against PyTorch 2.13: 2955 random sizes
    and scales of both modes, 3-d to 5-d, float32 and float64, all equal)."""
    if shortcuts and out == size:
        return np.arange(out)
    if shortcuts and out == 2 * size:
        return np.arange(out) // 2
    if double:  # the position in double precision, rounded to single once
        ratio = 1.0 / scale if scale else size / out
        where = ((np.arange(out) + (0.5 if exact else 0.0)) * ratio).astype(np.float32)
        return np.minimum(np.floor(where).astype(np.int64), size - 1)
    ratio = np.float32(1.0 / scale) if scale else np.float32(size) / np.float32(out)
    if exact:
        where = ((np.arange(out) + 0.5) * np.float64(ratio)).astype(np.float32)
    else:
        where = np.arange(out, dtype=np.float32) * ratio
    return np.minimum(np.floor(where).astype(np.int64), size - 1)


def _linear_sources(size: int, out: int, scale: float | None, align_corners: bool,
                    dtype: np.dtype) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The two entries each of ``out`` outputs reads and the second one's weight, computed
    in ``dtype`` (single precision for float32 input, as PyTorch)."""
    if align_corners:
        ratio = dtype.type(size - 1) / dtype.type(out - 1) if out > 1 else dtype.type(0)
        where = ratio * np.arange(out, dtype=dtype)
    else:
        ratio = dtype.type(1.0 / scale) if scale else dtype.type(size) / dtype.type(out)
        where = np.maximum(ratio * (np.arange(out, dtype=dtype) + dtype.type(0.5))
                           - dtype.type(0.5), dtype.type(0))
    first = np.minimum(np.floor(where).astype(np.int64), size - 1)
    weight = np.clip(where - first, 0, 1)
    return first, first + (first < size - 1), weight


def _cubic_sources(size: int, out: int, scale: float | None, align_corners: bool,
                   dtype: np.dtype) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The four entries each of ``out`` outputs reads (floor(x) - 1 .. floor(x) + 2, held
    inside the axis) and their weights, Keys' cubic convolution with a = -0.75 at
    t = x - floor(x), in ``dtype`` (PyTorch's coefficients)."""
    if align_corners:
        ratio = dtype.type(size - 1) / dtype.type(out - 1) if out > 1 else dtype.type(0)
        where = ratio * np.arange(out, dtype=dtype)
    else:  # not clipped at 0, unlike "linear"
        ratio = dtype.type(1.0 / scale) if scale else dtype.type(size) / dtype.type(out)
        where = ratio * (np.arange(out, dtype=dtype) + dtype.type(0.5)) - dtype.type(0.5)
    first = np.minimum(np.floor(where).astype(np.int64), size - 1)
    t = np.clip(where - first, 0, 1).astype(dtype)
    a, one = dtype.type(-0.75), dtype.type(1)

    def near(d: np.ndarray) -> np.ndarray:  # |d| <= 1: (a + 2)|d|^3 - (a + 3)|d|^2 + 1
        return ((a + 2) * d - (a + 3)) * d * d + one

    def far(d: np.ndarray) -> np.ndarray:  # 1 < |d| < 2: a|d|^3 - 5a|d|^2 + 8a|d| - 4a
        return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a

    weights = [far(t + one), near(t), near(one - t), far(one - t + one)]
    return [np.clip(first + k, 0, size - 1) for k in (-1, 0, 1, 2)], weights


def _pick(x: Tensor, axis: int, index: np.ndarray) -> Tensor:
    """x[..., index, ...] along ``axis`` (negative): one differentiable gather."""
    return x[(Ellipsis, index) + (slice(None),) * (-axis - 1)]


def _resize_axis(x: Tensor, axis: int, out: int, scale: float | None, mode: str,
                 align_corners: bool) -> Tensor:
    """x resized to ``out`` entries along ``axis`` (negative) by ``mode``; x itself where
    the axis is copied as it is (``interpolate`` copies a result that is its input)."""
    size = x.shape[axis]
    if mode in ("nearest", "nearest-exact"):
        shortcuts = mode == "nearest" and (x.ndim == 4 or scale is None)
        if shortcuts and out == size:
            return x
        double = x.dtype == np.float64 and x.ndim != 4  # (PyTorch's 2-d kernel: single)
        return _pick(x, axis, _nearest_sources(size, out, scale, mode == "nearest-exact",
                                               shortcuts, double))
    dtype = np.dtype(np.float64 if x.dtype == np.float64 else np.float32)
    shape = (out,) + (1,) * (-axis - 1)
    if mode == "bicubic":
        sources, weights = _cubic_sources(size, out, scale, align_corners, dtype)
        picks = [_pick(x, axis, i) * w.astype(x.dtype).reshape(shape)
                 for i, w in zip(sources, weights)]
        return picks[0] + picks[1] + picks[2] + picks[3]
    if out == size:
        return x
    first, second, weight = _linear_sources(size, out, scale, align_corners, dtype)
    weight = weight.astype(x.dtype).reshape(shape)
    return _pick(x, axis, first) * (1 - weight) + _pick(x, axis, second) * weight


def _sizes_and_scales(x: Tensor, size: Any, scale_factor: Any, recompute: bool
                      ) -> tuple[tuple[int, ...], tuple[float | None, ...]]:
    """The output sizes, and the scale each axis's coordinates use (None: m / n)."""
    dims, spatial = x.ndim - 2, x.shape[2:]
    if (size is None) == (scale_factor is None):
        raise ConfigError("interpolate: give exactly one of size and scale_factor; got "
                          + ("both" if size is not None else "neither"))
    if size is not None:
        if recompute:
            raise ConfigError("interpolate: recompute_scale_factor is not meaningful with an "
                              "explicit size; leave it None")
        sizes = (size,) * dims if is_integer(size) else size
        if not isinstance(sizes, (tuple, list)) or not all(is_integer(n) for n in sizes):
            raise ArgumentTypeError(f"interpolate: size must be an int or a tuple of {dims} "
                                    f"ints; got {size!r}")
        if len(sizes) != dims:
            raise ConfigError(f"interpolate: size needs one entry per spatial axis of the "
                              f"input {spatial}; got {size!r}")
        scales: tuple[float | None, ...] = (None,) * dims
    else:
        factors = scale_factor if isinstance(scale_factor, (tuple, list)) else \
            (scale_factor,) * dims
        if not all(isinstance(s, (int, float, np.integer, np.floating))
                   and not isinstance(s, bool) for s in factors):
            raise ArgumentTypeError(f"interpolate: scale_factor must be a number or a tuple "
                                    f"of {dims} numbers; got {scale_factor!r}")
        if len(factors) != dims:
            raise ConfigError(f"interpolate: scale_factor needs one entry per spatial axis "
                              f"of the input {spatial}; got {scale_factor!r}")
        if not all(math.isfinite(s) for s in factors):
            raise ConfigError(f"interpolate: scale_factor must be finite (the output has "
                              f"floor(n * scale_factor) entries); got {scale_factor!r}")
        sizes = tuple(math.floor(n * float(s)) for n, s in zip(spatial, factors))
        scales = (None,) * dims if recompute else tuple(float(s) for s in factors)
    return tuple(int(n) for n in sizes), scales


def _check_sizes(x: Tensor, sizes: tuple[int, ...], mode: str) -> None:
    """Every input axis non-empty (nothing to resize otherwise) and every output size >= 1,
    or >= 0 for "area", whose adaptive pooling makes an empty output, as PyTorch's."""
    if 0 in x.shape[2:]:
        raise ShapeError(f"interpolate: the input's spatial axes must not be empty (there is "
                         f"nothing to resize); got input of shape {x.shape}. Skip the call for an "
                         f"empty input")
    least, rule = (0, "at least 0") if mode == "area" else (1, "greater than 0")
    if any(n < least for n in sizes):
        raise ConfigError(f"interpolate: output sizes should be {rule} for mode={mode!r}; got "
                          f"output {sizes} for input {x.shape[2:]}. Give a larger size or "
                          f"scale_factor (the output has floor(n * scale_factor) entries)")


def interpolate(input: Any, size: Any = None, scale_factor: Any = None,
                mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """input (N, C, L), (N, C, H, W) or (N, C, D, H, W) resized to ``size`` (an int or one
    per axis) or by ``scale_factor`` (a number or one per axis; the output is
    floor(n * scale)), as PyTorch's ``F.interpolate``. ``mode``: "nearest" (the default),
    "nearest-exact", "linear" (3-d input), "bilinear" or "bicubic" (4-d), "trilinear"
    (5-d), "area" (adaptive average pooling to the output size); ``align_corners`` (the
    linear modes; False by default) maps the corner entries onto each other. Given a
    ``scale_factor``, the coordinates use it (PyTorch's default) unless
    ``recompute_scale_factor=True``, which uses the sizes' ratio. ``antialias=True``
    ("bilinear" and "bicubic") filters as PIL's resize (see ``antialias.py``). Gradients
    flow to every order. The nearest modes keep an integer or bool input's dtype; the
    linear ones need floats (``DTypeError``)."""
    x = as_tensor(input)
    if mode not in INTERPOLATION_MODES:
        raise ConfigError(f"interpolate: mode must be one of {INTERPOLATION_MODES}, as "
                          f"PyTorch's; got mode={mode!r}")
    if x.ndim not in (3, 4, 5):
        raise ShapeError(f"interpolate: input must be 3-d (N, C, L), 4-d (N, C, H, W) or "
                         f"5-d (N, C, D, H, W), as PyTorch's (batched); got shape "
                         f"{x.shape}. Add a batch axis to one sample: x[None]")
    needs = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}.get(mode)
    if needs is not None and x.ndim != needs:
        raise ShapeError(f"interpolate: mode={mode!r} needs {needs}-d input; got "
                         f"{x.ndim}-d input of shape {x.shape}. Use "
                         f"mode={LINEAR_MODES[x.ndim]!r}")
    if (needs is not None or mode == "area") and x.dtype.kind != "f":
        raise DTypeError(f"interpolate: mode={mode!r} weighs neighbouring entries, so it needs "
                         f"float input; got dtype {x.dtype}. Cast it first, e.g. "
                         f"x.astype(np.float32), or use mode='nearest', which keeps the dtype")
    if needs is None and align_corners is not None:
        raise ConfigError("interpolate: align_corners can only be set with the "
                          "interpolating modes 'linear', 'bilinear', 'bicubic' and "
                          "'trilinear'; leave it "
                          f"None for mode={mode!r}")
    align_corners = False if align_corners is None else flag("interpolate", "align_corners",
                                                             align_corners)
    antialias = flag("interpolate", "antialias", antialias)
    if antialias and mode not in ("bilinear", "bicubic"):
        raise ConfigError(f"interpolate: antialias=True is offered for the modes 'bilinear' "
                          f"and 'bicubic' (4-d input), as PyTorch's; got mode={mode!r}. "
                          f"Leave antialias False, or use mode='area' to average")
    recompute = recompute_scale_factor is not None and flag(
        "interpolate", "recompute_scale_factor", recompute_scale_factor)
    sizes, scales = _sizes_and_scales(x, size, scale_factor, recompute)
    _check_sizes(x, sizes, mode)
    if mode == "area":  # PyTorch's: adaptive average pooling to the output size
        pool = {3: adaptive_avg_pool1d, 4: adaptive_avg_pool2d, 5: adaptive_avg_pool3d}
        return pool[x.ndim](x, sizes)
    if antialias:
        return antialiased_resize(x, sizes, scales, mode, align_corners)
    y = x
    for axis in range(-1, -len(sizes) - 1, -1):
        y = _resize_axis(y, axis, sizes[axis], scales[axis], mode, align_corners)
    # every axis kept its size: a copy, never the input itself, as PyTorch (an in-place
    # op on the output must not change the input)
    return x.copy() if y is x else y


def _deprecated(name: str) -> None:
    warnings.warn(f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` "
                  f"instead.", UserWarning, stacklevel=caller_outside_nn())


def upsample(input: Any, size: Any = None, scale_factor: Any = None,
             mode: str = "nearest", align_corners: bool | None = None) -> Tensor:
    """PyTorch's deprecated name of ``interpolate`` (it warns, as PyTorch's)."""
    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_bilinear(input: Any, size: Any = None, scale_factor: Any = None) -> Tensor:
    """``interpolate(..., mode="bilinear", align_corners=True)``, under PyTorch's deprecated
    name (it warns, as PyTorch's)."""
    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def upsample_nearest(input: Any, size: Any = None, scale_factor: Any = None) -> Tensor:
    """``interpolate(..., mode="nearest")``, under PyTorch's deprecated name (it warns, as
    PyTorch's)."""
    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")
