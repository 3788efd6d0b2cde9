"""``pad`` with PyTorch's argument order, mapped onto autograd's differentiable ``pad``
(which takes NumPy's ``pad_width``: one (before, after) pair per axis, first axis first).
"""

from __future__ import annotations

from typing import Any

from autograd import Tensor, as_tensor
from autograd.errors import ShapeError

from .._checks import is_integer, real_number
from ..errors import ArgumentTypeError, ConfigError

__all__ = ["pad", "PAD_MODES"]

PAD_MODES = ("constant",)
"""The modes ``pad`` computes. PyTorch's "reflect", "replicate" and "circular" are not
available: autograd's ``pad`` is constant padding only."""

_TORCH_ONLY_MODES = ("reflect", "replicate", "circular")


def _pairs(pad: Any, ndim: int) -> list[tuple[int, int]]:
    """PyTorch's flat ``pad`` (last axis first) as NumPy's pad_width: one (before, after)
    pair per axis of an ``ndim``-d input, first axis first; unnamed axes get (0, 0)."""
    if not isinstance(pad, (tuple, list)) or not all(is_integer(p) for p in pad):
        raise ArgumentTypeError(
            f"pad: pad must be a tuple of ints, (left, right) for the last axis, then "
            f"(top, bottom) for the one before, and so on; got {pad!r}")
    if len(pad) % 2:
        raise ConfigError(f"pad: pad needs an even number of ints, a (before, after) pair "
                          f"per axis from the last one backwards; got {len(pad)}: {pad!r}")
    if len(pad) // 2 > ndim:
        raise ShapeError(f"pad: pad gives {len(pad) // 2} (before, after) pairs but the "
                         f"input has only {ndim} axes; give at most {ndim}")
    from_last = [(int(pad[k]), int(pad[k + 1])) for k in range(0, len(pad), 2)]
    return [(0, 0)] * (ndim - len(from_last)) + from_last[::-1]


def pad(input: Any, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """``input`` padded with ``value`` (0 by default), differentiable in ``input``.

    ``pad`` is PyTorch's: pairs from the LAST axis backwards, ``(left, right)`` pads the
    last axis, ``(left, right, top, bottom)`` the last two, and so on; a negative width
    removes that many entries (as PyTorch). Only ``mode="constant"`` is available: the
    other modes of PyTorch raise a ``ConfigError``. The result keeps the input's dtype."""
    x = as_tensor(input)
    if mode != "constant":
        if mode in _TORCH_ONLY_MODES:
            raise ConfigError(f"pad: mode={mode!r} is not available (autograd's pad is "
                              f"constant padding only); use mode='constant', or build the "
                              f"index yourself (np.pad(np.arange(n), widths, mode)) and "
                              f"index the tensor with it, which is differentiable")
        raise ConfigError(f"pad: mode must be 'constant' (PyTorch's 'reflect', 'replicate' "
                          f"and 'circular' are not available); got {mode!r}")
    value = 0.0 if value is None else real_number("pad", "value", value, finite=False)
    widths = _pairs(pad, x.ndim)
    if any(before < 0 or after < 0 for before, after in widths):
        x = x[_crop(x.shape, widths, pad)]
    return x.pad([(max(before, 0), max(after, 0)) for before, after in widths], value)


def _crop(shape: tuple[int, ...], widths: list[tuple[int, int]], pad: Any) -> tuple:
    """The slices that negative widths remove (PyTorch crops there); a ShapeError if an
    axis would get a negative size."""
    index = []
    for axis, (size, (before, after)) in enumerate(zip(shape, widths)):
        start, stop = max(-before, 0), size - max(-after, 0)
        if stop < start:
            raise ShapeError(f"pad: axis {axis} has size {size}; the negative padding "
                             f"({before}, {after}) in {pad!r} removes more than that")
        index.append(slice(start, stop))
    return tuple(index)
