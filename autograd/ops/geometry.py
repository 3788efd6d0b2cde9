"""Differences, products and distances of vectors: ``diff``, ``cross``, ``kron``,
``cdist``, ``pdist``, ``trapezoid`` and ``cumulative_trapezoid``.

``Cross`` is an op of its own (its VJP is two more cross products); the rest are
compositions of slicing, arithmetic, reshapes and ``norm``, so their gradients (and
higher derivatives) come from those ops. The functions take Tensors (this module sits
below the Tensor class); ``autograd.set_methods`` and ``autograd.set_functions`` hold
the methods and public functions, with either library's rules and keywords.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import DTypeError, ShapeError, UsageError
from ..function import Function, apply
from .arithmetic import number
from .generic import is_tensor, lift_like, where
from .reductions import single_axis
from .scans import cumsum, norm
from .shape import Concatenate

T = Any  # a Tensor (this module sits below the Tensor class)

__all__ = ["Cross", "cross", "move_axis", "diff", "kron", "cdist", "pdist", "trapezoid",
           "cumulative_trapezoid"]


class Cross(Function):
    """out = a x b along the last axis (3 entries; other axes broadcast);
    da = b x g, db = g x a (since g . (a x b) = a . (b x g) = b . (g x a))."""
    __slots__ = ()

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.cross(a, b)

    def vjp(self, g: Any, out: Any, a: Any, b: Any) -> tuple:
        wanted = self.needs_input_grad
        return (_cross(b, g) if wanted[0] else None, _cross(g, a) if wanted[1] else None)


def _cross(u: Any, v: Any) -> Any:
    """u x v of arrays, or (either a Tensor: under create_graph) recorded."""
    if not (is_tensor(u) or is_tensor(v)):
        return np.cross(u, v)
    like = u if is_tensor(u) else v
    return apply(Cross(), lift_like(like, u), lift_like(like, v))


def _along(axis: int, index: Any) -> tuple:
    """An index applying ``index`` to ``axis`` and keeping the other axes."""
    return (slice(None),) * axis + (index,)


def move_axis(x: T, source: int, destination: int) -> T:
    """x with axis ``source`` moved to ``destination`` (both non-negative)."""
    if source == destination:
        return x
    order = [k for k in range(x.ndim) if k != source]
    order.insert(destination, source)
    return x.transpose(tuple(order))


def cross(a: T, b: T, axis: Any, op: str) -> T:
    """The cross product of the 3-vectors along ``axis`` of a and b (an axis of their
    broadcast shape; the other axes broadcast)."""
    ndim = max(a.ndim, b.ndim)
    if ndim == 0:
        raise ShapeError(f"{op}: needs vectors of 3 entries; got two 0-d tensors")
    if a.dtype == np.bool_ or b.dtype == np.bool_:  # (a x b subtracts products)
        raise DTypeError(f"{op}: bool vectors have no cross product (PyTorch refuses them "
                         f"too); got dtypes {a.dtype} and {b.dtype}. Convert first: "
                         f"x.double()")
    a, b = (t.reshape((1,) * (ndim - t.ndim) + t.shape) for t in (a, b))
    axis = single_axis(axis, ndim, op)
    for name, t in (("input", a), ("other", b)):
        if t.shape[axis] != 3:
            raise ShapeError(f"{op}: the vectors run along axis {axis}, which must have 3 "
                             f"entries; {name} has shape {t.shape}. Pass the axis of size "
                             f"3 (dim= or axis=)")
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ShapeError(f"{op}: shapes {a.shape} and {b.shape} do not broadcast") from None
    last = ndim - 1
    out = apply(Cross(), move_axis(a, axis, last), move_axis(b, axis, last))
    return move_axis(out, last, axis)


def _lift_part(x: T, part: Any, axis: int, op: str) -> T:
    """``diff``'s prepend/append as a Tensor with x's axes: a number takes x's dtype
    (NumPy's promotion rules) and, like any 0-d value, fills one slice along ``axis``."""
    value = number(part)
    if value is not None:
        part = np.asarray(value, dtype=np.result_type(x.dtype, value))
    part = part if is_tensor(part) else x._make(np.asarray(part), None)
    if part.ndim == 0:
        shape = x.shape[:axis] + (1,) + x.shape[axis + 1:]
        return part.broadcast_to(shape)
    if part.ndim != x.ndim:
        raise ShapeError(f"{op}: prepend/append must have the input's {x.ndim} axes (or be "
                         f"a number); got shape {part.shape} for input {x.shape}")
    return part


def diff(x: T, n: Any, axis: Any, prepend: Any, append: Any, op: str) -> T:
    """The n-th forward difference along ``axis``: out_i = x_{i+1} - x_i, n times (for
    bool, x_{i+1} != x_i), after joining ``prepend`` and ``append`` to x along the axis
    (n = 0: x, unjoined)."""
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 0:
        raise UsageError(f"{op}: the order n must be an int >= 0; got {n!r}")
    if x.ndim == 0:
        raise ShapeError(f"{op}: needs at least one axis; got a 0-d tensor. Reshape it: "
                         f"x.reshape(1)")
    axis = single_axis(axis, x.ndim, op)
    if n == 0:  # x itself, without prepend/append (as NumPy's and PyTorch's)
        return x
    parts = [_lift_part(x, p, axis, op) if p is not None else None for p in (prepend, append)]
    if any(part is not None for part in parts):
        x = apply(Concatenate(axis), *[t for t in (parts[0], x, parts[1]) if t is not None])
    for _ in range(min(int(n), x.shape[axis])):  # (once the axis is empty, it stays so)
        later, earlier = x[_along(axis, slice(1, None))], x[_along(axis, slice(None, -1))]
        x = later != earlier if x.dtype == np.bool_ else later - earlier
    return x


def kron(a: T, b: T) -> T:
    """The Kronecker product: out[i_k * n_k + j_k] = a[i] b[j] on every axis k (the
    shorter shape padded with leading 1s), a product of reshapes."""
    ndim = max(a.ndim, b.ndim)
    a_shape = (1,) * (ndim - a.ndim) + a.shape
    b_shape = (1,) * (ndim - b.ndim) + b.shape
    a_spread = a.reshape(tuple(s for k in a_shape for s in (k, 1)))
    b_spread = b.reshape(tuple(s for k in b_shape for s in (1, k)))
    return (a_spread * b_spread).reshape(tuple(m * k for m, k in zip(a_shape, b_shape)))


def cdist(x1: T, x2: T, p: Any, op: str) -> T:
    """out[..., i, j] = || x1[..., i, :] - x2[..., j, :] ||_p (batch axes broadcast), the
    vector norm of ``norm``: gradient 0 where two rows coincide, as PyTorch's; p = inf
    ties share the gradient, as ``max``'s do. Rows with no features are all at distance 0."""
    for name, t in (("x1", x1), ("x2", x2)):
        if t.ndim < 2:
            raise ShapeError(f"{op}: {name} must be (..., rows, features), at least 2-d; "
                             f"got shape {t.shape}. One vector is x[None]")
        if t.dtype.kind != "f":
            raise DTypeError(f"{op}: needs float tensors (as PyTorch's); {name} is "
                             f"{t.dtype}. Convert it: x.double()")
    if x1.shape[-1] != x2.shape[-1]:
        raise ShapeError(f"{op}: x1 and x2 must have the same number of features (last "
                         f"axis); got {x1.shape} and {x2.shape}")
    try:
        np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2])
    except ValueError:
        raise ShapeError(f"{op}: batch axes {x1.shape[:-2]} and {x2.shape[:-2]} do not "
                         f"broadcast") from None
    value = number(p)
    if value is None or np.isnan(value) or value < 0:
        raise UsageError(f"{op}: p must be a number >= 0 (inf too); got {p!r}")
    gaps = x1.expand_dims(-2) - x2.expand_dims(-3)
    if gaps.shape[-1] == 0:  # no features: every distance is 0, an empty sum (no max for inf)
        return gaps.sum(axis=-1)
    return _differing(gaps) if value == 0 else norm(gaps, value, -1, False)


def _differing(gaps: T) -> T:
    """The p = 0 distance of cdist and pdist: the count of nonzero coordinates along the
    last axis (gradient 0), NaN where a coordinate is NaN, as PyTorch's."""
    return where(np.isnan(gaps.data).any(axis=-1), np.nan, norm(gaps, 0, -1, False))


def pdist(x: T, p: Any, op: str) -> T:
    """out = ||x_i - x_j||_p for the rows i < j of x (N, M), in row-major order (the upper
    triangle of cdist(x, x)). As PyTorch's: the gradient is 0 at a zero distance, and at a
    zero coordinate of a difference for p < 1; p = 0 counts the differing coordinates
    (gradient 0); p = inf ties share the gradient evenly (``max``'s rule). Rows with no
    features are all at distance 0."""
    if x.ndim != 2:
        raise ShapeError(f"{op} takes a matrix (N, M), the distances being between its N "
                         f"rows, as PyTorch; got shape {x.shape}. For distances between two "
                         f"sets of vectors use cdist or pairwise_distance.")
    if x.dtype.kind != "f":
        raise DTypeError(f"{op}: needs a float tensor (as PyTorch's); got {x.dtype}. "
                         f"Convert it: x.double()")
    value = number(p)
    if value is None or np.isnan(value) or value < 0:
        raise UsageError(f"{op}: p must be a number >= 0 (inf too); got {p!r}")
    first, second = np.triu_indices(x.shape[0], k=1)
    difference = x[first] - x[second]
    if x.shape[1] == 0:  # no features: every distance is 0, an empty sum (no max for inf)
        return difference.sum(axis=-1)
    if value in (1, 2, np.inf):
        return norm(difference, value, -1, False)
    if value == 0:
        return _differing(difference)
    # |d|^p and sum^(1/p) with a safe argument where the value is 0: gradient 0 there
    zero = difference.data == 0
    powers = where(zero, 0.0, where(zero, 1.0, difference).abs() ** value)
    total = powers.sum(axis=-1)
    equal = total.data == 0
    return where(equal, 0.0, where(equal, 1.0, total) ** (1.0 / value))


def _trapezoids(y: T, x: T | None, dx: Any, axis: Any, op: str) -> tuple[T, int]:
    """The areas of the trapezoids between neighbours of y along ``axis``, and the
    axis: widths from x (1-d along the axis, or broadcasting with y) or ``dx``."""
    if y.ndim == 0:
        raise ShapeError(f"{op}: needs at least one axis; got a 0-d tensor")
    axis = single_axis(axis, y.ndim, op)
    if y.dtype.kind not in "f":
        y = y.astype(np.float64)
    heights = (y[_along(axis, slice(1, None))] + y[_along(axis, slice(None, -1))]) * 0.5
    if x is None:
        step = 1.0 if dx is None else number(dx)
        if step is None:
            raise UsageError(f"{op}: dx must be a number; got {dx!r}")
        return heights * step, axis
    if dx is not None:
        raise UsageError(f"{op}: give the sample points x or the spacing dx, not both")
    if x.ndim == 1:
        if x.shape[0] != y.shape[axis]:
            raise ShapeError(f"{op}: x has {x.shape[0]} points, y has {y.shape[axis]} along "
                             f"axis {axis}; they must match")
        widths = (x[1:] - x[:-1]).reshape((-1,) + (1,) * (y.ndim - axis - 1))
    else:
        width_axis = axis - y.ndim + x.ndim
        if width_axis < 0:
            raise ShapeError(f"{op}: x of shape {x.shape} has no axis along y's axis "
                             f"{axis} ({y.shape})")
        widths = diff(x, 1, width_axis, None, None, op)
    try:
        return widths * heights, axis
    except ValueError:
        raise ShapeError(f"{op}: x of shape {x.shape} does not broadcast with y of shape "
                         f"{y.shape}") from None


def trapezoid(y: T, x: T | None, dx: Any, axis: Any, op: str) -> T:
    """The trapezoidal rule along ``axis``: sum_i (x_{i+1} - x_i) (y_{i+1} + y_i) / 2
    (x_{i+1} - x_i = dx, 1 by default, without x); integer y becomes float64."""
    areas, axis = _trapezoids(y, x, dx, axis, op)
    return areas.sum(axis)


def cumulative_trapezoid(y: T, x: T | None, dx: Any, axis: Any, op: str) -> T:
    """The running sums of ``trapezoid``'s terms along ``axis`` (one fewer than y has)."""
    areas, axis = _trapezoids(y, x, dx, axis, op)
    return cumsum(areas, axis)
