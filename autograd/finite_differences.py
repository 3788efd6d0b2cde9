"""``torch.gradient``: derivatives of sampled values by finite differences, as NumPy's
``np.gradient`` (central differences inside, one-sided at the two ends), differentiable
with respect to the values and to coordinate tensors. Scientific programs take the
derivatives of data this way (the right-hand side of a learned PDE, the velocity of a
sampled trajectory)."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import interop
from .errors import ShapeError, UsageError
from .ops.reductions import normalize_axis
from .tensor import Tensor, as_tensor
from .tensor_math import concatenate

__all__ = ["gradient", "numpy_gradient"]


def _coordinates(spacing: Any, size: int, dtype: np.dtype) -> Any:
    """A uniform step (a number, or a 0-d Tensor in ``dtype``) or the 1-d coordinates of
    the samples along one axis (float64). A coordinate Tensor that requires grad stays a
    Tensor, so the differences are differentiable in it too (as PyTorch's)."""
    if isinstance(spacing, (int, float, np.number)):
        return float(spacing)
    tracked = isinstance(spacing, Tensor) and spacing.requires_grad
    if tracked:
        coordinates = spacing.astype(np.float64)
    else:
        coordinates = np.asarray(spacing.detach().numpy() if isinstance(spacing, Tensor)
                                 else spacing, dtype=np.float64)
    if coordinates.ndim == 0:
        return coordinates.astype(dtype) if tracked else float(coordinates)
    if coordinates.shape != (size,):
        raise ShapeError(f"gradient: coordinates of shape {coordinates.shape} for an axis "
                         f"of size {size}; give one coordinate per sample")
    return coordinates


def _along(values: Tensor, axis: int, start: int, stop: int | None) -> Tensor:
    index = [slice(None)] * values.ndim
    index[axis] = slice(start, stop)
    return values[tuple(index)]


def _weights(array: Any, axis: int, f: Tensor) -> Any:
    """Per-position weights (an array, or a Tensor from tracked coordinates) shaped to
    broadcast along ``axis``, in f's dtype (computed in float64, so a float32 f stays
    float32, as NumPy's and PyTorch's)."""
    return array.astype(f.dtype).reshape((-1,) + (1,) * (f.ndim - axis - 1))


def _three_point(f: Tensor, axis: int, start: int, weights: tuple) -> Tensor:
    """w0 f[i] + w1 f[i+1] + w2 f[i+2] for i = start, start + 1, ..., one i per entry of
    the weight arrays."""
    count = len(weights[0])
    terms = [_along(f, axis, start + k, start + k + count) * _weights(w, axis, f)
             for k, w in enumerate(weights)]
    return terms[0] + terms[1] + terms[2]


def _uniform_derivative(f: Tensor, axis: int, h: Any, edge_order: int) -> Tensor:
    """PyTorch's differences for a uniform step h: (f[i+1] - f[i-1]) / 2h inside (f[i]
    takes no part, so an inf there does not make NaN); at the first sample (f[1] - f[0]) / h
    or, second order, (-3/2 f[0] + 2 f[1] - 1/2 f[2]) / h, mirrored at the last. A step 0
    gives inf or NaN, as x / 0."""
    n = f.shape[axis]
    inner = (_along(f, axis, 2, None) - _along(f, axis, 0, -2)) / (2 * h)
    if edge_order == 1:
        first = (_along(f, axis, 1, 2) - _along(f, axis, 0, 1)) / h
        last = (_along(f, axis, n - 1, n) - _along(f, axis, n - 2, n - 1)) / h
    else:
        first = (-1.5 * _along(f, axis, 0, 1) + 2 * _along(f, axis, 1, 2)
                 - 0.5 * _along(f, axis, 2, 3)) / h
        last = (0.5 * _along(f, axis, n - 3, n - 2) - 2 * _along(f, axis, n - 2, n - 1)
                + 1.5 * _along(f, axis, n - 1, n)) / h
    return concatenate([first, inner, last], axis=axis)


def _coordinate_derivative(f: Tensor, axis: int, x: Any, edge_order: int) -> Tensor:
    """PyTorch's differences at coordinates x: inside, with the steps h1, h2 around a
    sample, -h2/(h1(h1+h2)) f[i-1] + (h2-h1)/(h1 h2) f[i] + h1/(h2(h1+h2)) f[i+1]; at the
    first sample (f[1] - f[0]) / h or, second order with the first two steps a, b,
    -(2a+b)/(a(a+b)) f[0] + (a+b)/(ab) f[1] - a/(b(a+b)) f[2], mirrored at the last. A
    repeated coordinate (a step 0) gives inf or NaN, as x / 0."""
    n, step = f.shape[axis], x[1:] - x[:-1]  # x: an array, or a Tensor (then tracked)
    h1, h2 = step[:-1], step[1:]  # the steps before and after each inner sample
    with np.errstate(divide="ignore", invalid="ignore"):
        inner = _three_point(f, axis, 0, (-h2 / (h1 * (h1 + h2)), (h2 - h1) / (h1 * h2),
                                          h1 / (h2 * (h1 + h2))))
        if edge_order == 1:
            first = (_along(f, axis, 1, 2) - _along(f, axis, 0, 1)) / _weights(
                step[:1], axis, f)
            last = (_along(f, axis, n - 1, n) - _along(f, axis, n - 2, n - 1)) / _weights(
                step[-1:], axis, f)
        else:
            a, b = step[:1], step[1:2]
            first = _three_point(f, axis, 0, (-(2 * a + b) / (a * (a + b)),
                                              (a + b) / (a * b), -a / (b * (a + b))))
            a, b = step[-2:-1], step[-1:]
            last = _three_point(f, axis, n - 3, (b / (a * (a + b)), -(a + b) / (a * b),
                                                 (2 * b + a) / (b * (a + b))))
    return concatenate([first, inner, last], axis=axis)


def _promoted(f: Tensor, spacing: Any) -> Tensor:
    """f in its dtype promoted with a coordinate tensor's, as PyTorch (an integer one
    counts as float64); NumPy's arrays, lists and numbers keep f's dtype, as np.gradient."""
    if not isinstance(spacing, Tensor) or spacing.ndim != 1:
        return f
    coordinate_dtype = spacing.dtype if spacing.dtype.kind == "f" else np.dtype(np.float64)
    return f.astype(np.result_type(f.dtype, coordinate_dtype))


def gradient(input: Any, *, spacing: Any = 1, dim: int | Sequence[int] | None = None,  # noqa: A002
             edge_order: int = 1) -> tuple[Tensor, ...]:
    """One derivative per axis in ``dim`` (all when None), as a tuple: at an inner sample
    the second-order central difference a f[i-1] + b f[i] + c f[i+1] for the steps h1,
    h2 around it ((f[i+1] - f[i-1]) / 2h when uniform); at the ends one-sided differences
    of order ``edge_order`` (1 or 2). ``spacing`` is a number, one number per axis, or one
    1-d tensor of coordinates per axis (PyTorch's and NumPy's forms). Integer and bool
    samples are differentiated as float64, as NumPy's; a coordinate tensor of a wider
    float dtype widens the result, as PyTorch's (float32 samples, float64 coordinates:
    float64). Differentiable in the samples and in coordinate tensors that require grad."""
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
        step = _coordinates(each, f.shape[axis], f.dtype)
        results.append(_uniform_derivative(f, axis, step, edge_order) if np.ndim(step) == 0
                       else _coordinate_derivative(_promoted(f, each), axis, step, edge_order))
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
