"""Sliding windows (im2col), the one op behind convolution and pooling.

``im2col(x, kernel, stride, dilation)`` takes x of shape (N, C, *spatial), already padded,
and returns every window the kernel sees, shaped (N, C, *kernel, *out): entry
``[n, c, i, j, p, q]`` is ``x[n, c, p*stride_0 + i*dilation_0, q*stride_1 + j*dilation_1]``.
A convolution is then one matrix product of these columns with the weight, a pooling a
max or mean over the kernel axes.

Its VJP, ``col2im``, adds each window's gradient back where the window came from (an
input seen by several windows collects the sum). ``im2col`` and ``col2im`` are linear
and each is the other's adjoint, so each op's VJP is the other op: on Tensors (under
``create_graph=True``) they call each other, and every derivative of any order stays
one op per call.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from autograd.extend import Function, is_tensor
from autograd.errors import ShapeError

from .._checks import is_integer
from ..errors import ArgumentTypeError, ConfigError

__all__ = ["im2col", "col2im", "Im2col", "Col2im", "int_tuple", "output_length"]


def int_tuple(owner: str, name: str, value: Any, dims: int, minimum: int, *,
              expand_single: bool = False) -> tuple[int, ...]:
    """``value`` (an int, or a tuple or list of ``dims`` ints) as a tuple of ``dims`` ints,
    each at least ``minimum``; else ``ArgumentTypeError`` / ``ConfigError``, as PyTorch's
    ``kernel_size=3`` or ``stride=(2, 1)``. With ``expand_single``, a one-element tuple or
    list also stands for every axis, ``(v,)`` -> ``(v,) * dims``, as PyTorch's
    convolutions read ``stride``, ``padding``, ``dilation`` and ``output_padding`` (ATen's
    ``expand_param_if_needed``; its max and avg pooling too). Leave it off where PyTorch
    refuses one element (fold, unfold, LP and fractional pooling, max_unpool)."""
    values = (value,) * dims if is_integer(value) else value
    if not isinstance(values, (tuple, list)) or not all(is_integer(v) for v in values):
        raise ArgumentTypeError(f"{owner}: {name} must be an int or a tuple of {dims} ints; "
                                f"got {value!r}")
    if expand_single and len(values) == 1:
        values = tuple(values) * dims
    if len(values) != dims:
        raise ConfigError(f"{owner}: {name} needs one int per spatial axis ({dims}), or one "
                          f"int for all; got {len(values)}: {value!r}")
    if any(v < minimum for v in values):
        raise ConfigError(f"{owner}: {name} must be >= {minimum} on every axis; got "
                          f"{value!r}")
    return tuple(int(v) for v in values)


def output_length(size: int, kernel: int, stride: int, dilation: int) -> int:
    """How many windows of ``kernel`` taps ``dilation`` apart, ``stride`` apart, fit in
    ``size`` entries: floor((size - dilation*(kernel - 1) - 1) / stride) + 1."""
    return (size - dilation * (kernel - 1) - 1) // stride + 1


def _strided_slices(offset: tuple[int, ...], stride: tuple[int, ...],
                    dilation: tuple[int, ...], out: tuple[int, ...]) -> tuple:
    """The positions of x that kernel tap ``offset`` reads across all windows, as slices
    of the spatial axes: tap i of window p reads i*dilation + p*stride."""
    return tuple(slice(i * d, i * d + s * (o - 1) + 1, s)
                 for i, d, s, o in zip(offset, dilation, stride, out))


def _windows(x: np.ndarray, kernel: tuple[int, ...], stride: tuple[int, ...],
             dilation: tuple[int, ...]) -> np.ndarray:
    """im2col on arrays: a strided read-only view of x with the window axes, copied."""
    spatial = x.shape[2:]
    out = tuple(output_length(n, k, s, d)
                for n, k, s, d in zip(spatial, kernel, stride, dilation))
    steps = x.strides[2:]
    view = np.lib.stride_tricks.as_strided(
        x, x.shape[:2] + kernel + out,
        x.strides[:2] + tuple(t * d for t, d in zip(steps, dilation))
        + tuple(t * s for t, s in zip(steps, stride)), writeable=False)
    return np.ascontiguousarray(view)  # a new array: nothing shares x's memory


def _add_windows(g: np.ndarray, shape: tuple[int, ...], stride: tuple[int, ...],
                 dilation: tuple[int, ...]) -> np.ndarray:
    """col2im on arrays: for each kernel tap, its column of g added into the strided
    positions of an array of ``shape`` that the tap read (one slice per tap, no loop over
    windows)."""
    dims = len(shape) - 2
    kernel, out = g.shape[2:2 + dims], g.shape[2 + dims:]
    grad = np.zeros(shape, dtype=g.dtype)
    everything = (slice(None), slice(None))
    for offset in np.ndindex(*kernel):
        grad[everything + _strided_slices(offset, stride, dilation, out)] += \
            g[everything + offset]
    return grad


class Im2col(Function):
    """cols[n, c, *i, *p] = x[n, c, *(p*stride + i*dilation)];  dx = col2im(g)."""
    __slots__ = ("kernel", "stride", "dilation", "shape")
    save_inputs = False  # the VJP needs only x's shape, kept as op state

    def __init__(self, kernel: tuple[int, ...], stride: tuple[int, ...],
                 dilation: tuple[int, ...]) -> None:
        self.kernel, self.stride, self.dilation = kernel, stride, dilation

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.shape = x.shape
        return _windows(x, self.kernel, self.stride, self.dilation)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        if is_tensor(g):  # create_graph: the VJP as a recorded op
            return (Col2im.apply(g, shape=self.shape, stride=self.stride,
                                 dilation=self.dilation),)
        return (_add_windows(g, self.shape, self.stride, self.dilation),)


class Col2im(Function):
    """x[n, c, *(p*stride + i*dilation)] += cols[n, c, *i, *p] into zeros of ``shape``;
    dcols = im2col(g) (the adjoint of a sum of copies is the copies)."""
    __slots__ = ("shape", "stride", "dilation", "kernel")
    save_inputs = False
    fresh_grads = True

    def __init__(self, shape: tuple[int, ...], stride: tuple[int, ...],
                 dilation: tuple[int, ...]) -> None:
        self.shape, self.stride, self.dilation = shape, stride, dilation

    def forward(self, cols: np.ndarray) -> np.ndarray:
        self.kernel = cols.shape[2:len(self.shape)]
        return _add_windows(cols, self.shape, self.stride, self.dilation)

    def vjp(self, g: Any, out: Any, cols: Any) -> tuple:
        kernel = self.kernel
        if is_tensor(g):
            return (Im2col.apply(g, kernel=kernel, stride=self.stride,
                                 dilation=self.dilation),)
        return (_windows(g, kernel, self.stride, self.dilation),)


def im2col(x: Tensor, kernel: tuple[int, ...], stride: tuple[int, ...],
           dilation: tuple[int, ...]) -> Tensor:
    """The windows of x (N, C, *spatial) as a tensor (N, C, *kernel, *out), one
    differentiable op; x must hold at least one window on each axis (callers check)."""
    return Im2col.apply(x, kernel=kernel, stride=stride, dilation=dilation)


def col2im(cols: Tensor, shape: tuple[int, ...], stride: tuple[int, ...],
           dilation: tuple[int, ...]) -> Tensor:
    """The adjoint of ``im2col``: windows (N, C, *kernel, *out) added back into zeros of
    ``shape`` (N, C, *spatial); ``out`` must be the number of windows that fit."""
    dims = len(shape) - 2
    out = tuple(output_length(n, k, s, d) for n, k, s, d
                in zip(shape[2:], cols.shape[2:2 + dims], stride, dilation))
    if cols.shape != tuple(shape[:2]) + cols.shape[2:2 + dims] + out:
        raise ShapeError(f"col2im: windows of shape {cols.shape} do not fit an input of "
                         f"shape {shape} with stride {stride} and dilation {dilation}; "
                         f"expected (N, C, *kernel, *out) with out = {out}")
    return Col2im.apply(cols, shape=shape, stride=stride, dilation=dilation)
