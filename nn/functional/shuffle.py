"""Rearranging entries between the channel axis and the spatial axes, as PyTorch's
``F.pixel_shuffle``, ``F.pixel_unshuffle`` and ``F.channel_shuffle``.

Each is a reshape, a permutation of axes and a reshape: no value changes, so the gradient
is the same rearrangement run backwards (the VJPs of reshape and transpose), and every
derivative of any order holds. Integer and bool input keeps its dtype, as PyTorch's.
The permuted axes are copied before the last reshape, so the result owns its memory even
where the permutation moves nothing (r = 1, a 1x1 image, one group or one channel per
group): as PyTorch's, writing into the output never writes into the input.

- ``pixel_shuffle(x, r)``: (*, C r^2, H, W) -> (*, C, H r, W r), with
  ``out[..., c, h r + i, w r + j] = x[..., c r^2 + i r + j, h, w]`` (sub-pixel convolution);
- ``pixel_unshuffle(x, r)``: its inverse, (*, C, H r, W r) -> (*, C r^2, H, W);
- ``channel_shuffle(x, g)``: (N, C, *) with C = g k; channel ``a k + b`` goes to place
  ``b g + a`` (the groups' channels interleaved, as in ShuffleNet).
"""

from __future__ import annotations

from typing import Any

from autograd import Tensor, as_tensor
from autograd.errors import ShapeError

from .._checks import integer

__all__ = ["pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "check_factor"]


def check_factor(owner: str, name: str, value: Any) -> int:
    """``value`` as an int >= 1 (``upscale_factor``, ``downscale_factor``, ``groups``)."""
    return integer(owner, name, value, minimum=1)


def _at_least_3d(owner: str, x: Tensor) -> None:
    if x.ndim < 3:
        raise ShapeError(f"{owner}: input must have at least 3 axes (*, C, H, W); got shape "
                         f"{x.shape}")


def pixel_shuffle(input: Any, upscale_factor: int) -> Tensor:
    """(*, C r^2, H, W) -> (*, C, H r, W r) with r = ``upscale_factor``, as PyTorch's
    ``F.pixel_shuffle``: out[..., c, h r + i, w r + j] = x[..., c r^2 + i r + j, h, w].
    The channel axis (third from last) must be a multiple of r^2 (else ``ShapeError``)."""
    r = check_factor("pixel_shuffle", "upscale_factor", upscale_factor)
    x = as_tensor(input)
    _at_least_3d("pixel_shuffle", x)
    *batch, channels, height, width = x.shape
    if channels % (r * r):
        raise ShapeError(f"pixel_shuffle: the channel axis (size {channels}, third from "
                         f"last) must be divisible by upscale_factor**2 = {r * r}; got "
                         f"input of shape {x.shape}")
    b = len(batch)
    split = x.reshape((*batch, channels // (r * r), r, r, height, width))
    # (*, C, i, j, H, W) -> (*, C, H, i, W, j)
    moved = split.transpose(*range(b), b, b + 3, b + 1, b + 4, b + 2)
    return moved.copy().reshape((*batch, channels // (r * r), height * r, width * r))


def pixel_unshuffle(input: Any, downscale_factor: int) -> Tensor:
    """(*, C, H r, W r) -> (*, C r^2, H, W) with r = ``downscale_factor``, as PyTorch's
    ``F.pixel_unshuffle`` (the inverse of ``pixel_shuffle``): out[..., c r^2 + i r + j,
    h, w] = x[..., c, h r + i, w r + j]. H r and W r must be multiples of r."""
    r = check_factor("pixel_unshuffle", "downscale_factor", downscale_factor)
    x = as_tensor(input)
    _at_least_3d("pixel_unshuffle", x)
    *batch, channels, height, width = x.shape
    if height % r or width % r:
        raise ShapeError(f"pixel_unshuffle: height and width (the last two axes) must be "
                         f"divisible by downscale_factor = {r}; got input of shape {x.shape}")
    b = len(batch)
    split = x.reshape((*batch, channels, height // r, r, width // r, r))
    # (*, C, H, i, W, j) -> (*, C, i, j, H, W)
    moved = split.transpose(*range(b), b, b + 2, b + 4, b + 1, b + 3)
    return moved.copy().reshape((*batch, channels * r * r, height // r, width // r))


def channel_shuffle(input: Any, groups: int) -> Tensor:
    """x (N, C, *) with its C channels in ``groups`` groups of k = C / g, interleaved, as
    PyTorch's ``F.channel_shuffle``: out[:, b g + a] = x[:, a k + b]. The input needs at
    least 3 axes and C divisible by ``groups`` (else ``ShapeError``)."""
    g = check_factor("channel_shuffle", "groups", groups)
    x = as_tensor(input)
    if x.ndim < 3:
        raise ShapeError(f"channel_shuffle: input must have at least 3 axes (N, C, *); got "
                         f"shape {x.shape}")
    batch, channels, *rest = x.shape
    if channels % g:
        raise ShapeError(f"channel_shuffle: the number of channels (axis 1, size "
                         f"{channels}) must be divisible by groups = {g}; got input of "
                         f"shape {x.shape}")
    split = x.reshape((batch, g, channels // g, *rest))
    moved = split.transpose(0, 2, 1, *range(3, x.ndim + 1))
    return moved.copy().reshape(x.shape)
