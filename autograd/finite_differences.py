"""``torch.gradient``: derivatives of sampled values by finite differences, as NumPy's
``np.gradient`` (central differences inside, one-sided at the two ends), differentiable
with respect to the values. Scientific programs take the derivatives of data this way
(the right-hand side of a learned PDE, the velocity of a sampled trajectory)."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import interop
from .errors import ShapeError, UsageError
from .ops.reductions import normalize_axis
from .tensor import Tensor, as_tensor
from .tensor_math import concatenate

__all__ = ["gradient", "numpy_gradient"]


def _coordinates(spacing: Any, size: int) -> np.ndarray | float:
    """A number (uniform steps) or the 1-d coordinates of the samples along one axis."""
    if isinstance(spacing, (int, float, np.number)):
        return float(spacing)
    coordinates = np.asarray(spacing.detach().numpy() if isinstance(spacing, Tensor)
                             else spacing, dtype=np.float64)
    if coordinates.ndim == 0:
        return float(coordinates)
    if coordinates.shape != (size,):
        raise ShapeError(f"gradient: coordinates of shape {coordinates.shape} for an axis "
                         f"of size {size}; give one coordinate per sample")
    return coordinates


def _along(values: Tensor, axis: int, start: int, stop: int | None) -> Tensor:
    index = [slice(None)] * values.ndim
    index[axis] = slice(start, stop)
    return values[tuple(index)]


def _weights(array: np.ndarray, axis: int, f: Tensor) -> np.ndarray:
    """Per-position weights shaped to broadcast along ``axis``, in f's dtype (computed in
    float64, so a float32 f stays float32, as NumPy's and PyTorch's)."""
    return array.astype(f.dtype).reshape((-1,) + (1,) * (f.ndim - axis - 1))


def _derivative(f: Tensor, axis: int, step: np.ndarray | float, edge_order: int) -> Tensor:
    n = f.shape[axis]
    if isinstance(step, float):
        step = np.full(n - 1, step)
    else:
        step = np.diff(step)
    h1, h2 = step[:-1], step[1:]  # the steps before and after each inner sample
    inner = (_along(f, axis, 0, -2) * _weights(-h2 / (h1 * (h1 + h2)), axis, f)
             + _along(f, axis, 1, -1) * _weights((h2 - h1) / (h1 * h2), axis, f)
             + _along(f, axis, 2, None) * _weights(h1 / (h2 * (h1 + h2)), axis, f))
    if edge_order == 1:  # (Python floats, which keep f's dtype)
        first = (_along(f, axis, 1, 2) - _along(f, axis, 0, 1)) / float(step[0])
        last = (_along(f, axis, n - 1, n) - _along(f, axis, n - 2, n - 1)) / float(step[-1])
    else:
        a, b = float(step[0]), float(step[1])  # one-sided, second order, at the first sample
        first = (_along(f, axis, 0, 1) * (-(2 * a + b) / (a * (a + b)))
                 + _along(f, axis, 1, 2) * ((a + b) / (a * b))
                 + _along(f, axis, 2, 3) * (-a / (b * (a + b))))
        a, b = float(step[-2]), float(step[-1])  # and at the last one
        last = (_along(f, axis, n - 3, n - 2) * (b / (a * (a + b)))
                + _along(f, axis, n - 2, n - 1) * (-(a + b) / (a * b))
                + _along(f, axis, n - 1, n) * ((2 * b + a) / (b * (a + b))))
    return concatenate([first, inner, last], axis=axis)


def gradient(input: Any, *, spacing: Any = 1, dim: int | Sequence[int] | None = None,  # noqa: A002
             edge_order: int = 1) -> tuple[Tensor, ...]:
    """One derivative per axis in ``dim`` (all when None), as a tuple: at an inner sample
    the second-order central difference a f[i-1] + b f[i] + c f[i+1] for the steps h1,
    h2 around it ((f[i+1] - f[i-1]) / 2h when uniform); at the ends one-sided differences
    of order ``edge_order`` (1 or 2). ``spacing`` is a number, one number per axis, or one
    1-d tensor of coordinates per axis (PyTorch's and NumPy's forms). Integer and bool
    samples are differentiated as float64, as NumPy's."""
    f = as_tensor(input)
    f = f if f.dtype.kind == "f" else f.astype(np.float64)
    if edge_order not in (1, 2):
        raise UsageError(f"gradient: edge_order must be 1 or 2, got {edge_order}")
    axes = (tuple(range(f.ndim)) if dim is None
            else normalize_axis(dim, f.ndim, "gradient"))
    if isinstance(spacing, (list, tuple)):
        if len(spacing) != len(axes):
            raise UsageError(f"gradient: {len(spacing)} spacings for {len(axes)} axes; give "
                             f"one per axis in dim, or a single number")
        spacings = list(spacing)
    else:
        spacings = [spacing] * len(axes)
    results = []
    for axis, each in zip(axes, spacings):
        if f.shape[axis] < edge_order + 1:
            raise ShapeError(f"gradient: axis {axis} has {f.shape[axis]} samples; "
                             f"edge_order={edge_order} needs at least {edge_order + 1}")
        results.append(_derivative(f, axis, _coordinates(each, f.shape[axis]), edge_order))
    return tuple(results)


def numpy_gradient(f: Any, *varargs: Any, axis: Any = None,
                   edge_order: int = 1) -> Tensor | list[Tensor]:
    """``np.gradient`` on a Tensor: ``gradient`` with NumPy's arguments (the spacings by
    position: none, one for all axes, or one per axis) and NumPy's result (a list, or
    the one array when there is one axis)."""
    axes = tuple(range(np.ndim(f))) if axis is None else normalize_axis(
        axis, np.ndim(f), "np.gradient")
    if len(varargs) > 1 and len(varargs) != len(axes):
        raise UsageError(f"np.gradient: {len(varargs)} spacings for {len(axes)} axes; give "
                         f"none, one, or one per axis")
    spacing = list(varargs) if len(varargs) > 1 else varargs[0] if varargs else 1
    results = gradient(f, spacing=spacing, dim=axes, edge_order=edge_order)
    return results[0] if len(results) == 1 else list(results)


# np.gradient(t) reaches interop's table, which sits below the Tensor class; this module
# is above it, so it adds its row there
interop.FUNCTIONS[np.gradient] = numpy_gradient
