"""The spatial transformer's pair, as PyTorch's: ``affine_grid(theta, size)`` makes a grid
of sampling points, ``grid_sample(input, grid)`` reads the input there. Both work on 2-d
images (4-d input, theta (N, 2, 3)) and 3-d volumes (5-d input, theta (N, 3, 4)): one
code path, the number of spatial axes a parameter.

Coordinates are normalised: -1 and 1 are the input's edges, the centres of its corner
pixels with ``align_corners=True``, the outer edges of those pixels with False (PyTorch's
default). On an axis of n entries, a grid value g reads position
u = (g + 1)/2 (n - 1) (True) or u = ((g + 1) n - 1)/2 (False), in pixels. A grid's last
axis holds (x, y) or (x, y, z): x runs along the LAST input axis (the width).

``padding_mode`` says what a point outside reads: "zeros" (pixels outside are 0),
"border" (u clipped to [0, n - 1]) or "reflection" (u reflected at the edges, then
clipped). "bilinear" (trilinear on volumes) weights the 2^d pixels around u by
prod(1 - |u - i|); "nearest" reads the pixel at u rounded half to even, as PyTorch.

Everything is ordinary differentiable ops (a matmul; gathers, whose VJP adds back where
they read; products of weights), so ``grid_sample`` has gradients with respect to the
input and to the grid, to every order. Where u is clipped or reflected, its derivative
is PyTorch's: 0 at and beyond a clipped edge, -1 on a reflected stretch. "nearest" gives
the grid a zero gradient, as PyTorch (its output does not move with the grid).
"bicubic" (2-d input only, as PyTorch) weights the 4x4 pixels floor(u) - 1 .. floor(u) + 2
by Keys' cubic convolution kernel (a = -0.75) of their distance to the unpadded u; the
padding mode then says which pixel each of the 16 reads (clipped or reflected integer
positions, computed in floating point, so any finite u works; outside reads 0 with
"zeros"), so the grid's gradient flows through the weights only, as PyTorch's.

A pixel outside the input, or read from a NaN or infinite position, is skipped, as
PyTorch's: its value is a selected 0 (not a product with a 0 mask), so it gets no
gradient, not NaN, whatever the weight; the point's output is NaN when its weights are.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor, where
from autograd.errors import DTypeError, ShapeError
from autograd.extend import piecewise_linear

from .._checks import flag, is_integer
from ..errors import ArgumentTypeError, ConfigError

__all__ = ["affine_grid", "grid_sample", "GRID_SAMPLE_MODES", "GRID_PADDING_MODES"]

GRID_SAMPLE_MODES = ("bilinear", "nearest", "bicubic")
CUBIC_A = -0.75  # the cubic convolution kernel's parameter, PyTorch's (and OpenCV's)
GRID_PADDING_MODES = ("zeros", "border", "reflection")


def _align(owner: str, align_corners: Any) -> bool:
    """``align_corners``: None means False, PyTorch's default (it also warns)."""
    return False if align_corners is None else flag(owner, "align_corners", align_corners)


def _base_axis(n: int, align_corners: bool) -> np.ndarray:
    """The normalised coordinates of an axis's n pixel centres: n points from -1 to 1,
    scaled by (n - 1)/n without ``align_corners``; one pixel sits at 0, as PyTorch."""
    if n <= 1:
        return np.zeros(n)
    points = np.linspace(-1.0, 1.0, n)
    return points if align_corners else points * (n - 1) / n


def affine_grid(theta: Any, size: Any, align_corners: bool | None = None) -> Tensor:
    """The sampling grid of a batch of affine maps, as PyTorch's ``F.affine_grid``:
    for ``size`` = (N, C, H, W) and theta (N, 2, 3), grid[n, h, w] = theta[n] @ (x_w, y_h,
    1) with x, y the normalised pixel centres (see the module docstring), shaped
    (N, H, W, 2); for (N, C, D, H, W) and theta (N, 3, 4), (N, D, H, W, 3). One matmul,
    differentiable in theta."""
    owner = "affine_grid"
    align_corners = _align(owner, align_corners)
    theta = as_tensor(theta)
    if (not isinstance(size, (tuple, list)) or not all(is_integer(s) for s in size)):
        raise ArgumentTypeError(f"{owner}: size must be a tuple of ints (N, C, H, W) or "
                                f"(N, C, D, H, W); got {size!r}")
    size = tuple(int(s) for s in size)
    if len(size) not in (4, 5):
        raise ShapeError(f"{owner}: size must have 4 entries (N, C, H, W: a 2-d transform) "
                         f"or 5 (N, C, D, H, W: 3-d), as PyTorch; got {size}")
    dims = len(size) - 2
    if theta.dtype.kind != "f":
        raise DTypeError(f"{owner}: theta must be floating (float16/32/64); got dtype "
                         f"{theta.dtype}")
    if theta.shape != (size[0], dims, dims + 1):
        raise ShapeError(f"{owner}: for size {size}, theta must be a batch of {dims}-d "
                         f"affine matrices of shape ({size[0]}, {dims}, {dims + 1}); got "
                         f"shape {theta.shape}")
    if min(size) < 1:
        raise ConfigError(f"{owner}: every entry of size must be positive; got {size}")
    spatial = size[2:]
    axes = np.meshgrid(*[_base_axis(n, align_corners) for n in spatial], indexing="ij")
    base = np.stack(list(axes[::-1]) + [np.ones(spatial)], axis=-1)  # (*spatial, x, y, .., 1)
    base = base.reshape(-1, dims + 1).astype(theta.dtype)
    grid = base @ theta.swapaxes(-1, -2)  # (N, prod(spatial), dims)
    return grid.reshape((size[0],) + spatial + (dims,))


def _clip(u: Tensor, n: int) -> Tensor:
    """u limited to [0, n - 1]; its derivative 1 strictly inside, 0 at and beyond the
    edges (PyTorch's ``clip_coordinates_set_grad``). Selected, not multiplied by a mask,
    so an infinite u lands on the edge (u * 0 would be NaN)."""
    inside = (u.data > 0) & (u.data < n - 1)
    return where(inside, u, np.clip(u.data, 0, n - 1))


def _reflected(u: np.ndarray, twice_low: int, twice_high: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """u reflected into [twice_low/2, twice_high/2] (mirror at each end, repeatedly, as
    PyTorch's ``reflect_coordinates``), and the slope (+-1) of that map at u; an empty
    span gives 0 and slope 0."""
    if twice_low == twice_high:
        return np.zeros_like(u), np.zeros_like(u)
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    distance = np.abs(u - low)
    flips = np.floor(distance / span)
    extra = np.fmod(distance, span)
    mirrored = flips % 2 == 1
    value = np.where(mirrored, span - extra, extra) + low
    return value, np.where(u < low, -1, 1) * np.where(mirrored, -1, 1)


def _reflect(u: Tensor, twice_low: int, twice_high: int) -> Tensor:
    """u reflected (``_reflected``): u itself or its mirror image, derivative +-1."""
    value, sign = _reflected(u.data, twice_low, twice_high)
    sign = sign.astype(u.dtype)
    return u * sign + (value - u.data * sign)  # u's value moved, its slope +-1


def _unnormalize(g: Tensor, n: int, align_corners: bool) -> Tensor:
    """Normalised grid coordinates g as pixel positions on an axis of n (no padding)."""
    return (g + 1) / 2 * (n - 1) if align_corners else ((g + 1) * n - 1) / 2


def _to_index(position: np.ndarray, n: int) -> np.ndarray:
    """Integral float positions as int64 pixel indices on an axis of n, held to [-1, n]
    first, so that a position outside stays outside and no cast overflows (|position| >=
    2^63); a NaN or infinite one becomes -1 (outside; callers mask its point anyway)."""
    return np.clip(np.where(np.isfinite(position), position, -1), -1, n).astype(np.int64)


def _padded_index(position: np.ndarray, n: int, align_corners: bool, padding_mode: str
                  ) -> np.ndarray:
    """The pixel an integral float position reads on an axis of n under ``padding_mode``
    ("zeros": the position itself, outside positions read 0 later)."""
    if padding_mode == "reflection":
        twice = (0, 2 * (n - 1)) if align_corners else (-1, 2 * n - 1)
        position = np.rint(_reflected(position, *twice)[0])
    if padding_mode != "zeros":
        position = np.clip(position, 0, n - 1)
    return _to_index(position, n)


def _source(g: Tensor, n: int, align_corners: bool, padding_mode: str) -> Tensor:
    """The pixel position u that normalised grid coordinates g read on an axis of n."""
    u = _unnormalize(g, n, align_corners)
    if padding_mode == "reflection":
        u = _reflect(u, 0, 2 * (n - 1)) if align_corners else _reflect(u, -1, 2 * n - 1)
    if padding_mode in ("border", "reflection"):
        u = _clip(u, n)
    return u


def _gather(flat: Tensor, index: list[np.ndarray], sizes: tuple[int, ...]
            ) -> tuple[Tensor, np.ndarray]:
    """The pixels of flat input (N, C, P) at integer positions ``index`` (one (N, Q)
    array per spatial axis), as (N, C, Q), and whether each position is inside."""
    inside = np.ones(index[0].shape, dtype=bool)
    for i, n in zip(index, sizes):
        inside &= (i >= 0) & (i < n)
    places = np.ravel_multi_index([np.where(inside, i, 0) for i in index], sizes)
    places = np.broadcast_to(places[:, None, :], flat.shape[:2] + places.shape[1:])
    return flat.take_along_axis(places, axis=2), inside


def _floor(v: Tensor) -> np.ndarray:
    """floor(v) as floats, not ints: v may pass 2^63 (unclipped, with "zeros" or
    "bicubic"). 0 where v is NaN or infinite: such points are masked (``_finite``)."""
    return np.floor(np.where(np.isfinite(v.data), v.data, 0))


def _finite(u: list[Tensor]) -> np.ndarray:
    """Where every coordinate of a point is finite: the points that read pixels."""
    return np.logical_and.reduce([np.isfinite(v.data) for v in u])


def _weighted(values: Tensor, inside: np.ndarray, weight: Tensor) -> Tensor:
    """values (N, C, Q) times weight (N, Q), the values outside selected to 0 first: an
    outside (or NaN-position) read then adds 0, not weight * 0 (NaN for a NaN weight), to
    the gradient of pixel 0, where ``_gather`` sent it; its output is still NaN * 0."""
    return where(inside[:, None, :], values, 0) * weight[:, None, :]


def _check_sample_inputs(owner: str, x: Tensor, grid: Tensor) -> None:
    if x.ndim not in (4, 5):
        raise ShapeError(f"{owner}: input must be (N, C, H, W) or (N, C, D, H, W) (2-d or "
                         f"3-d sampling, as PyTorch); got shape {x.shape}")
    dims = x.ndim - 2
    if grid.ndim != x.ndim or grid.shape[-1] != dims or grid.shape[0] != x.shape[0]:
        raise ShapeError(f"{owner}: for input of shape {x.shape}, grid must be "
                         f"({x.shape[0]}, *out, {dims}) with {dims} output axes; got shape "
                         f"{grid.shape}")
    if 0 in x.shape[2:]:
        raise ShapeError(f"{owner}: the input's spatial axes must not be empty; got shape "
                         f"{x.shape}")
    if x.dtype.kind != "f" or x.dtype != grid.dtype:
        raise DTypeError(f"{owner}: input and grid must be floating, of one dtype; got "
                         f"{x.dtype} and {grid.dtype}. Cast one, e.g. grid.astype(x.dtype)")


def grid_sample(input: Any, grid: Any, mode: str = "bilinear", padding_mode: str = "zeros",
                align_corners: bool | None = None) -> Tensor:
    """input (N, C, H_in, W_in) read at the points of grid (N, H, W, 2), as PyTorch's
    ``F.grid_sample``: out[n, c, h, w] is input[n, c] interpolated at (x, y) =
    grid[n, h, w] (normalised: -1 and 1 the edges; x along W). 5-d input (N, C, D, H, W)
    with grid (N, D', H', W', 3) samples volumes (trilinear for ``mode="bilinear"``).
    ``mode`` "bilinear" or "nearest"; ``padding_mode`` "zeros", "border" or
    "reflection"; ``align_corners`` as ``affine_grid``'s (None: False). Differentiable
    in input and grid (see the module docstring)."""
    owner = "grid_sample"
    if mode not in GRID_SAMPLE_MODES:
        raise ConfigError(f"{owner}: mode must be one of {GRID_SAMPLE_MODES}; got {mode!r}")
    if padding_mode not in GRID_PADDING_MODES:
        raise ConfigError(f"{owner}: padding_mode must be one of {GRID_PADDING_MODES}; got "
                          f"{padding_mode!r}")
    align_corners = _align(owner, align_corners)
    x, grid = as_tensor(input), as_tensor(grid)
    _check_sample_inputs(owner, x, grid)
    if mode == "bicubic" and x.ndim != 4:
        raise ConfigError(f"{owner}: mode='bicubic' needs 4-d input (N, C, H, W), as "
                          f"PyTorch's; got shape {x.shape}. Use 'bilinear' (trilinear) for "
                          f"volumes")
    batch, channels, *sizes = x.shape
    dims, out = len(sizes), grid.shape[1:-1]
    points = grid.reshape((batch, -1, dims)) if batch else grid.reshape((0, 0, dims))
    flat = x.reshape((batch, channels, math.prod(sizes)))
    # grid's coordinate j runs along spatial axis dims - 1 - j (x is the width)
    if mode == "bicubic":
        u = [_unnormalize(points[..., dims - 1 - a], n, align_corners)
             for a, n in enumerate(sizes)]
        result = _bicubic(flat, u, sizes, align_corners, padding_mode)
        return result.reshape((batch, channels) + out)
    u = [_source(points[..., dims - 1 - a], n, align_corners, padding_mode)
         for a, n in enumerate(sizes)]
    if mode == "nearest":
        index = [_to_index(np.rint(v.data), n) for v, n in zip(u, sizes)]
        values, inside = _gather(flat, index, sizes)
        # the grid's gradient is 0 here, not none, as PyTorch's: add zeros computed from it
        zeros = piecewise_linear(u[0], np.zeros(u[0].shape, u[0].dtype), False)
        result = values * inside[:, None, :] + zeros[:, None, :]
    else:
        result = _interpolate(flat, u, sizes)
    return result.reshape((batch, channels) + out)


def _interpolate(flat: Tensor, u: list[Tensor], sizes: list[int]) -> Tensor:
    """The (multi)linear interpolation of flat (N, C, P) at positions u (one (N, Q)
    Tensor per axis): sum over the 2^d corners i of prod_a w_a(i_a) input[i], with
    w = 1 - (u - floor u) for the lower neighbour and u - floor u for the upper one;
    corners outside the input count as 0."""
    lower = [_floor(v) for v in u]
    upper_weight = [v - i for v, i in zip(u, lower)]
    finite = _finite(u)
    total = None
    for corner in np.ndindex(*(2,) * len(sizes)):
        weight = None
        for up, t in zip(corner, upper_weight):
            w = t if up else 1 - t
            weight = w if weight is None else weight * w
        index = [_to_index(i + up, n) for i, up, n in zip(lower, corner, sizes)]
        values, inside = _gather(flat, index, sizes)
        term = _weighted(values, inside & finite, weight)
        total = term if total is None else total + term
    return total


def _cubic_weights(t: Tensor) -> list[Tensor]:
    """Keys' cubic convolution weights of the pixels at distances 1 + t, t, 1 - t, 2 - t
    from u (t = u - floor u): near(d) = (a + 2)d^3 - (a + 3)d^2 + 1 for d <= 1,
    far(d) = a d^3 - 5a d^2 + 8a d - 4a for 1 < d < 2, a = ``CUBIC_A``."""
    a = CUBIC_A

    def near(d: Tensor) -> Tensor:
        return ((a + 2) * d - (a + 3)) * d * d + 1

    def far(d: Tensor) -> Tensor:
        return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _bicubic(flat: Tensor, u: list[Tensor], sizes: list[int], align_corners: bool,
             padding_mode: str) -> Tensor:
    """The bicubic interpolation of flat (N, C, P) at unpadded positions u (one (N, Q)
    Tensor per axis): sum over the 4x4 pixels i around u of prod_a w_a(i_a) input[pad(i)]
    (weights ``_cubic_weights``, pad ``_padded_index``)."""
    lower = [_floor(v) for v in u]
    weights = [_cubic_weights(v - i) for v, i in zip(u, lower)]
    finite = _finite(u)  # a NaN or infinite point reads nothing, whatever the padding
    total = None
    for corner in np.ndindex(*(4,) * len(sizes)):
        index = [_padded_index(i.astype(np.float64) + (k - 1), n, align_corners,
                               padding_mode) for i, k, n in zip(lower, corner, sizes)]
        values, inside = _gather(flat, index, sizes)
        weight = weights[0][corner[0]]
        for axis_weights, k in zip(weights[1:], corner[1:]):
            weight = weight * axis_weights[k]
        term = _weighted(values, inside & finite, weight)
        total = term if total is None else total + term
    return total
