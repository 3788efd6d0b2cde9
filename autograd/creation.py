"""Making tensors: ``zeros``, ``ones``, ``full``, their ``*_like`` forms, ``eye``,
``arange``, ``linspace``, ``rand`` and ``randn``, with PyTorch's signatures.

Sizes are given as ``zeros(2, 3)`` or ``zeros((2, 3))``. The dtype is float64 unless
``dtype=`` says otherwise (``arange`` of integers stays integer, as in NumPy and
PyTorch); ``requires_grad=True`` makes a leaf to differentiate. Random tensors draw from
the ``numpy.random.Generator`` passed as ``generator=`` (a fresh unseeded one if None),
so a seeded generator reproduces them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._arrays import as_dtype
from ._random import as_generator, below
from .errors import GeneratorError, ShapeError
from .tensor import Tensor, as_tensor

__all__ = ["zeros", "ones", "full", "zeros_like", "ones_like", "full_like", "eye", "arange",
           "linspace", "rand", "randn", "GeneratorError"]


def _size(size: tuple[Any, ...], op: str) -> tuple[int, ...]:
    """``(2, 3)`` from ``zeros(2, 3)`` or ``zeros((2, 3))``."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in size):
        raise ShapeError(f"{op}: sizes must be ints, as {op}(2, 3) or {op}((2, 3)); "
                         f"got {size!r}")
    if any(n < 0 for n in size):
        raise ShapeError(f"{op}: sizes must be >= 0; got {size!r}")
    return tuple(int(n) for n in size)


def _leaf(array: np.ndarray, requires_grad: bool) -> Tensor:
    return Tensor(array, requires_grad=requires_grad)


def _dtype(dtype: Any) -> np.dtype:
    return np.dtype(np.float64) if dtype is None else as_dtype(dtype, "dtype")


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros of the given size."""
    return _leaf(np.zeros(_size(size, "zeros"), dtype=_dtype(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones of the given size."""
    return _leaf(np.ones(_size(size, "ones"), dtype=_dtype(dtype)), requires_grad)


def full(size: Any, fill_value: float, dtype: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of the given size filled with ``fill_value``."""
    shape = _size((size,) if not isinstance(size, (tuple, list)) else (tuple(size),), "full")
    return _leaf(np.full(shape, fill_value, dtype=_dtype(dtype)), requires_grad)


def _like(t: Any, dtype: Any) -> tuple[tuple[int, ...], np.dtype]:
    t = as_tensor(t)
    return t.shape, (t.dtype if dtype is None else as_dtype(dtype, "dtype"))


def zeros_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros with the shape (and dtype, unless given) of ``t``."""
    shape, dtype = _like(t, dtype)
    return _leaf(np.zeros(shape, dtype=dtype), requires_grad)


def ones_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones with the shape (and dtype, unless given) of ``t``."""
    shape, dtype = _like(t, dtype)
    return _leaf(np.ones(shape, dtype=dtype), requires_grad)


def full_like(t: Any, fill_value: float, dtype: Any = None,
              requires_grad: bool = False) -> Tensor:
    """``fill_value`` everywhere, with the shape (and dtype, unless given) of ``t``."""
    shape, dtype = _like(t, dtype)
    return _leaf(np.full(shape, fill_value, dtype=dtype), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None,
        requires_grad: bool = False) -> Tensor:
    """The n x m identity matrix (square when m is None)."""
    n, m = _size((n, n if m is None else m), "eye")
    return _leaf(np.eye(n, m, dtype=_dtype(dtype)), requires_grad)


def arange(start: float, end: float | None = None, step: float = 1, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Values from ``start`` (0 when only one number is given) up to, not including,
    ``end``, spaced by ``step``. Integers give an integer tensor unless ``dtype`` says."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ShapeError("arange: step must not be 0")
    dtype = None if dtype is None else as_dtype(dtype, "dtype")
    return _leaf(np.arange(start, end, step, dtype=dtype), requires_grad)


def linspace(start: float, end: float, steps: int, dtype: Any = None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    (steps,) = _size((steps,), "linspace")
    return _leaf(np.linspace(start, end, steps, dtype=_dtype(dtype)), requires_grad)


def rand(*size: Any, generator: Any = None, dtype: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1) drawn from ``generator``."""
    shape = _size(size, "rand")
    sample = as_generator(generator, "rand").random(shape)
    return _leaf(below(sample, 0.0, 1.0, _dtype(dtype)), requires_grad)


def randn(*size: Any, generator: Any = None, dtype: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal samples drawn from ``generator``."""
    shape = _size(size, "randn")
    sample = as_generator(generator, "randn").standard_normal(shape)
    return _leaf(sample.astype(_dtype(dtype), copy=False), requires_grad)
