"""``pad`` with PyTorch's argument order and modes. "constant" maps onto autograd's
differentiable ``pad`` (which takes NumPy's ``pad_width``: one (before, after) pair per
axis, first axis first); "reflect", "replicate" and "circular" index the input with the
positions ``np.pad`` gives for them, so their gradient is the indexing's scatter-add.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor
from autograd.errors import DTypeError, ShapeError

from .._checks import is_integer, is_real, real_number
from ..errors import ArgumentTypeError, ConfigError

__all__ = ["pad", "PAD_MODES"]

PAD_MODES = ("constant", "reflect", "replicate", "circular")
"""The modes ``pad`` computes, PyTorch's four."""

_NUMPY_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


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
    """``input`` padded as PyTorch's ``F.pad``, differentiable in ``input``.

    ``pad`` is PyTorch's: pairs from the LAST axis backwards, ``(left, right)`` pads the
    last axis, ``(left, right, top, bottom)`` the last two, and so on; a negative width
    removes that many entries (as PyTorch). ``mode="constant"`` fills with ``value`` (0 by
    default) and takes any number of pairs. "reflect" (mirror, edge not repeated),
    "replicate" (edge repeated) and "circular" (wrap around) take 1, 2 or 3 pairs for an
    input with 1 or 2 more axes (batch and channel) and no ``value``, as PyTorch; reflect
    widths must be smaller than their axis, circular ones at most its (cropped) size.
    Negative widths may crop an axis to nothing (an empty result), as PyTorch, except one
    "reflect" or "replicate" pair (PyTorch's 1-d kernels). The result keeps the input's
    dtype."""
    x = as_tensor(input)
    if mode not in PAD_MODES:
        raise ConfigError(f"pad: mode must be one of {', '.join(map(repr, PAD_MODES))}; "
                          f"got {mode!r}")
    if mode != "constant":
        return _pad_by_index(x, pad, mode, value)
    value = 0.0 if value is None else _fill_value(value, x.dtype)
    widths = _pairs(pad, x.ndim)
    if not widths:  # a 0-d input and pad=(): a copy, as PyTorch
        return x.copy()
    if any(before < 0 or after < 0 for before, after in widths):
        x = x[_crop(x.shape, widths, pad)]
    return x.pad([(max(before, 0), max(after, 0)) for before, after in widths], value)


def _fill_value(value: Any, dtype: np.dtype) -> float | int:
    """``value`` as a number that ``dtype`` can hold, as PyTorch checks it: for integers a
    number in the dtype's range (a fraction is then truncated, 1.5 -> 1; an int is kept
    exact), for floats one within the largest finite value (inf and NaN too); any number
    for bools (nonzero: True). A bool value is the number 1 or 0, as PyTorch's. Else a
    ``DTypeError``, never a value wrapped around or overflowed to inf."""
    if isinstance(value, (bool, np.bool_)):  # True pads with 1, as PyTorch's
        value = int(value)
    number = real_number("pad", "value", value, finite=False)
    if dtype.kind in "iu":
        low, high = int(np.iinfo(dtype).min), int(np.iinfo(dtype).max)
        if is_integer(value):
            number = int(value)
        fits = low <= number <= high  # False for NaN
    elif dtype.kind == "f":
        low, high = -float(np.finfo(dtype).max), float(np.finfo(dtype).max)
        fits = not math.isfinite(number) or low <= number <= high
    else:
        return number
    if not fits:
        raise DTypeError(f"pad: value={value!r} does not fit the input's dtype {dtype} "
                         f"(from {low} to {high}); give a value in that range, or convert "
                         f"the input first (e.g. input.double())")
    return number


def _pad_by_index(x: Tensor, pad: Any, mode: str, value: Any) -> Tensor:
    """``pad`` in a non-constant mode: each padded axis indexed with ``_sources``."""
    if value is not None and not (is_real(value) and value == 0):  # PyTorch accepts 0
        raise ConfigError(f"pad: mode={mode!r} takes no value (it copies the input's own "
                          f"entries); got value={value!r}. Leave value out, or use "
                          f"mode='constant'.")
    widths = _pairs(pad, x.ndim)
    padded = len(pad) // 2
    if padded not in (1, 2, 3) or x.ndim not in (padded + 1, padded + 2):
        raise ShapeError(
            f"pad: mode={mode!r} pads the last 1, 2 or 3 axes of an input with 1 or 2 more "
            f"(channels, or batch and channels), as PyTorch: 2 ints for a 2-d or 3-d input, "
            f"4 for 3-d or 4-d, 6 for 4-d or 5-d; got {len(pad)} ints for a {x.ndim}-d "
            f"input. Add leading axes (x[None]) or use mode='constant'.")
    for axis in range(x.ndim - padded, x.ndim):  # an index per axis: a copy even of (0, 0)
        before, after = widths[axis]
        sources = _sources(x.shape[axis], before, after, mode, axis, pad)
        x = x[(slice(None),) * axis + (sources,)]
    return x


def _sources(size: int, before: int, after: int, mode: str, axis: int,
             pad: Any) -> np.ndarray:
    """For one axis of ``size`` entries padded by (before, after): the input position each
    output entry copies. "circular" crops first and wraps what is left (PyTorch's order);
    "reflect" and "replicate" pad the whole axis, then crop."""
    crop_before, crop_after = max(-before, 0), max(-after, 0)
    grow = (max(before, 0), max(after, 0))
    kept = size - crop_before - crop_after
    context = f"axis {axis} (size {size}) padded by ({before}, {after}) in {pad!r}"
    if mode == "reflect" and max(grow) >= size:
        raise ShapeError(f"pad: mode='reflect' needs widths smaller than the axis they "
                         f"pad; {context}. Use mode='replicate' or 'constant' for more.")
    if mode == "replicate" and size == 0:
        raise ShapeError(f"pad: mode='replicate' has no edge to repeat on an empty axis; "
                         f"{context}")
    if mode == "circular" and max(grow) > max(kept, 0):
        raise ShapeError(f"pad: mode='circular' wraps around at most once: widths must be "
                         f"at most the size left after cropping ({kept}); {context}")
    # PyTorch's minimum output size: an empty axis, except from its 1-d "reflect" and
    # "replicate" kernels (one pair), which call the input too small
    least = 1 if mode != "circular" and len(pad) == 2 else 0
    if kept + sum(grow) < least:
        raise ShapeError(f"pad: the negative widths leave {kept + sum(grow)} entries; "
                         f"mode={mode!r} needs at least {least} here; {context}. Crop less")
    positions = np.arange(size)
    if mode == "circular":
        positions = positions[crop_before:size - crop_after]
        return np.pad(positions, grow, mode="wrap")
    positions = np.pad(positions, grow, mode=_NUMPY_MODES[mode])
    return positions[crop_before:len(positions) - crop_after]


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
