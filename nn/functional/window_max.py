"""Max pooling's core as one op (``WindowMax``) and the rules that pick each window's
winning entry: ``max_position`` (PyTorch's CPU max kernels' pick: the first largest
entry, or the last NaN) and ``first_largest`` (that pick over im2col's windows, where a
padding entry never wins).

Written with autograd ops, a max pool was four graph nodes (the padding, ``im2col``, the
windows read as (N, C, taps, *out), the gather of each window's winner) and the last
kept a zero-filled copy of all windows for its VJP. Fused, it is one node that keeps
each window's winning tap:

    y[n, c, *p] = x_padded[window p of (n, c)][tap[n, c, *p]],
    dx = the gradients added back at the winners (col2im of a one-hot), cropped.

The VJP is written with ``masked`` and ``col2im`` on arrays or (under ``create_graph``)
on Tensors, so gradients hold to every order.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.extend import Function, is_tensor, masked

from .windows import Col2im, _add_windows, _windows

__all__ = ["WindowMax", "first_largest", "max_position"]


def max_position(values: np.ndarray, axis: int) -> np.ndarray:
    """The position along ``axis`` of each slice's maximum as PyTorch's CPU max-pooling
    kernels pick it (they keep entry v when ``v > best or isnan(v)``, in row-major order):
    the first largest entry, or the LAST NaN when the slice holds one. Integers and bools
    are compared as they are (no float cast, which would merge int64s above 2^53)."""
    first = np.argmax(values, axis=axis)  # NumPy's: the first NaN, else the first largest
    if values.dtype.kind != "f":
        return first
    winner = np.take_along_axis(values, np.expand_dims(first, axis), axis=axis)
    holds_nan = np.isnan(np.squeeze(winner, axis))  # argmax stops at a slice's first NaN
    if not holds_nan.any():  # the common case costs one gather over the output
        return first
    last_nan = values.shape[axis] - 1 - np.argmax(np.flip(np.isnan(values), axis), axis)
    return np.where(holds_nan, last_nan, first)


def first_largest(cols: np.ndarray, starts: list[np.ndarray], sizes: tuple[int, ...],
                  kernel: tuple[int, ...], dilation: tuple[int, ...], want_indices: bool
                  ) -> tuple[np.ndarray, np.ndarray | None]:
    """Each window's winning tap of ``cols`` (N, C, prod(kernel), *out) by ``max_position``
    (the first largest, or the last NaN), flat over the kernel and shaped (N, C, *out),
    and, if wanted, the flat position in its input plane (PyTorch's indices) of the entry
    it reads. A padding tap (the fill, never NaN) never wins: a window
    whose entries are all the lowest value (-inf) picks its first tap inside the input,
    as PyTorch, or, if none of its taps is inside, keeps its first (padding) tap."""
    dims = len(kernel)
    taps = max_position(cols, axis=2)
    padded = any(first[0] < 0 or first[-1] + d * (k - 1) >= n
                 for first, n, k, d in zip(starts, sizes, kernel, dilation))
    if not (padded or want_indices):  # every tap is inside: nothing to correct, and the
        return taps, None  # positions cost twice the argmax (cnn benchmark: 7% of a step)
    firsts = [first.reshape((-1,) + (1,) * (dims - a - 1)) for a, first in enumerate(starts)]
    offsets = np.unravel_index(taps, kernel)
    positions = [first + i * d for first, i, d in zip(firsts, offsets, dilation)]
    outside = np.zeros(taps.shape, dtype=bool)
    for position, n in zip(positions, sizes):
        outside |= (position < 0) | (position >= n)
    if outside.any():  # the first tap inside: ceil(-start / dilation) on each axis
        offsets = [np.where(outside, -(np.minimum(first, 0) // d), i)
                   for first, i, d in zip(firsts, offsets, dilation)]
        positions = [first + i * d for first, i, d in zip(firsts, offsets, dilation)]
        # A window whose dilated taps all miss the input (padding 1, dilation 2 over one
        # element) has no tap inside: it keeps its padding tap (the value is the fill, -inf,
        # and no gradient reaches x), as PyTorch's does.
        empty = np.zeros(taps.shape, dtype=bool)
        for position, n in zip(positions, sizes):
            empty |= position >= n
        inside = np.ravel_multi_index(  # (an empty window's offsets may run past the kernel)
            [np.minimum(i, k - 1) for i, k in zip(np.broadcast_arrays(*offsets), kernel)],
            kernel)
        taps = np.where(empty, taps, inside)
    if not want_indices:
        return taps, None
    # The flat position in the input plane, row-major. An empty window's, as PyTorch's,
    # is where its first tap would be after stepping past the padding, beyond the plane
    # (max_unpool refuses it by name).
    flat = np.zeros(taps.shape, dtype=np.int64)
    for position, n in zip(np.broadcast_arrays(*positions), sizes):
        flat = flat * n + position
    return taps, flat


class WindowMax(Function):
    """The max over each window of x (N, C, *spatial) padded by ``widths`` with ``fill``
    (the lowest value), windows of ``kernel`` taps ``dilation`` apart and ``stride``
    apart starting at ``starts``; the output is (N, C, *out), the winner of a tie the
    first tap, of several NaNs the last (``first_largest``). After the forward,
    ``indices`` holds PyTorch's flat indices of the winners when ``want_indices``."""
    __slots__ = ("kernel", "stride", "dilation", "widths", "fill", "starts", "want_indices",
                 "taps", "indices", "padded_shape")
    save_inputs = False  # the VJP reads the winners (op state) and the shapes only

    def __init__(self, kernel: tuple[int, ...], stride: tuple[int, ...],
                 dilation: tuple[int, ...], widths: list[tuple[int, int]], fill: Any,
                 starts: list[np.ndarray], want_indices: bool) -> None:
        self.kernel, self.stride, self.dilation = kernel, stride, dilation
        self.widths, self.fill, self.starts = widths, fill, starts
        self.want_indices = want_indices

    def forward(self, x: np.ndarray) -> np.ndarray:
        padded = x
        if any(before or after for before, after in self.widths):
            padded = np.pad(x, [(0, 0), (0, 0)] + self.widths, constant_values=self.fill)
        self.padded_shape = padded.shape
        cols = _windows(padded, self.kernel, self.stride, self.dilation)
        cols = cols.reshape(cols.shape[:2] + (math.prod(self.kernel),)
                            + cols.shape[2 + len(self.kernel):])
        self.taps, self.indices = first_largest(cols, self.starts, x.shape[2:], self.kernel,
                                                self.dilation, self.want_indices)
        return np.take_along_axis(cols, self.taps[:, :, None], axis=2)[:, :, 0]

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        dims, taps = len(self.kernel), self.taps
        tap_axis = np.arange(math.prod(self.kernel)).reshape((1, 1, -1) + (1,) * dims)
        winners = masked(g[:, :, None], tap_axis == taps[:, :, None])
        windows = winners.reshape(taps.shape[:2] + self.kernel + taps.shape[2:])
        if is_tensor(windows):  # create_graph: col2im as a recorded op
            grad = Col2im.apply(windows, shape=self.padded_shape, stride=self.stride,
                                dilation=self.dilation)
        else:
            grad = _add_windows(windows, self.padded_shape, self.stride, self.dilation)
        sizes = tuple(n - before - after  # the input's, unpadded
                      for n, (before, after) in zip(self.padded_shape[2:], self.widths))
        inside = tuple(slice(before, before + n) for (before, _), n in zip(self.widths, sizes))
        return (grad[(slice(None), slice(None)) + inside],)
