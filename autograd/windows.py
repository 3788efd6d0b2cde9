"""PyTorch's window functions, for framing a signal before a Fourier transform:
``hann_window``, ``hamming_window``, ``blackman_window``, ``bartlett_window`` and
``kaiser_window``, with PyTorch's arguments.

Each is a window of N = ``window_length`` values. A symmetric window (``periodic=False``)
is the formula at n = 0..N-1 with M = N; a periodic one (the default, for spectral
analysis) is the symmetric window of N + 1 values without its last, so that N of them
tile a period. A length of 1 gives [1], a length of 0 an empty tensor. The dtype must be a
float one (float64 by default).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ._arrays import as_dtype, as_size
from .errors import DTypeError
from .tensor import Tensor
from .torch_shapes import check_device

__all__ = ["hann_window", "hamming_window", "blackman_window", "bartlett_window",
           "kaiser_window"]


def _window(op: str, window_length: Any, periodic: bool,
            formula: Callable[[np.ndarray, int], np.ndarray], dtype: Any,
            requires_grad: bool, device: Any) -> Tensor:
    """A leaf holding ``formula(n, M)`` for n = 0..M-1, made periodic as described in
    the module docstring."""
    check_device(device, f"{op}(device=...)")
    (length,) = as_size((window_length,), op)
    dtype = np.dtype(np.float64) if dtype is None else as_dtype(dtype, "dtype")
    if dtype.kind != "f":
        raise DTypeError(f"{op}: a window's values are fractions, so dtype must be a float "
                         f"dtype (as PyTorch's); got {dtype}. Pass dtype=float32 or float64")
    if length <= 1:
        values = np.ones(length)
    else:
        size = length + 1 if periodic else length
        values = formula(np.arange(size, dtype=np.float64), size)[:length]
    return Tensor(values.astype(dtype), requires_grad=requires_grad)


def hann_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                requires_grad: bool = False, device: Any = None) -> Tensor:
    """w[n] = 1/2 - 1/2 cos(2 pi n / (M - 1))."""
    return _window("hann_window", window_length, periodic,
                   lambda n, m: 0.5 - 0.5 * np.cos(2 * np.pi * n / (m - 1)),
                   dtype, requires_grad, device)


def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54,
                   beta: float = 0.46, *, dtype: Any = None, requires_grad: bool = False,
                   device: Any = None) -> Tensor:
    """w[n] = alpha - beta cos(2 pi n / (M - 1))."""
    return _window("hamming_window", window_length, periodic,
                   lambda n, m: alpha - beta * np.cos(2 * np.pi * n / (m - 1)),
                   dtype, requires_grad, device)


def blackman_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                    requires_grad: bool = False, device: Any = None) -> Tensor:
    """w[n] = 0.42 - 0.5 cos(2 pi n / (M - 1)) + 0.08 cos(4 pi n / (M - 1))."""
    return _window("blackman_window", window_length, periodic,
                   lambda n, m: (0.42 - 0.5 * np.cos(2 * np.pi * n / (m - 1))
                                 + 0.08 * np.cos(4 * np.pi * n / (m - 1))),
                   dtype, requires_grad, device)


def bartlett_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                    requires_grad: bool = False, device: Any = None) -> Tensor:
    """The triangle w[n] = 1 - |2 n / (M - 1) - 1|."""
    return _window("bartlett_window", window_length, periodic,
                   lambda n, m: 1 - np.abs(2 * n / (m - 1) - 1),
                   dtype, requires_grad, device)


def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *,
                  dtype: Any = None, requires_grad: bool = False,
                  device: Any = None) -> Tensor:
    """w[n] = I0(beta sqrt(1 - (2 n / (M - 1) - 1)^2)) / I0(beta), I0 the modified Bessel
    function of order 0."""
    return _window("kaiser_window", window_length, periodic,
                   lambda n, m: np.i0(beta * np.sqrt(1 - (2 * n / (m - 1) - 1) ** 2))
                   / np.i0(beta), dtype, requires_grad, device)
