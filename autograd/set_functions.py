"""``autograd.nonzero``, ``unique``, ``diff``, ``cross``, ``cdist``, ``pdist``,
``searchsorted``, ``bincount``, ``trapezoid``, ``unravel_index``...: the functions of
``set_methods`` (and a few with no method), each taking a Tensor or data (made a constant
Tensor).

PyTorch and NumPy share most of these names and agree on most calls; where one call
means different things in the two, the spelling decides (``dim=`` is PyTorch's,
``axis=`` NumPy's) and a call both accept with different results raises ``UsageError``
naming both: ``nonzero(x)`` without ``as_tuple``, ``cross(a, b)`` where PyTorch's first
axis of size 3 is not the last, ``unique(x)`` of data with NaNs (NumPy counts them as
one value, PyTorch each apart).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import ShapeError, TensorIndexError, UsageError
from .ops import geometry, sets
from .out_argument import accepts_out
from .ops.reductions import pick_axis, single_axis
from .set_methods import Histogram, ambiguous_nonzero, torch_cross_axis, torch_flags
from .set_numpy import numpy_histogram
from .tensor import Tensor, as_tensor

__all__ = ["nonzero", "argwhere", "count_nonzero", "unique", "unique_consecutive", "diff",
           "cross", "kron", "cdist", "pdist", "searchsorted", "bucketize", "bincount", "histc",
           "histogram", "trapezoid", "trapz", "cumulative_trapezoid", "unravel_index"]


@accepts_out
def nonzero(input: Any, *, as_tuple: bool | None = None) -> Any:  # noqa: A002
    """``x.nonzero(as_tuple=...)``: an (n, ndim) int64 tensor (``as_tuple=False``) or a
    tuple of 1-d ones (``as_tuple=True``); without as_tuple a ``UsageError`` (NumPy's
    ``nonzero`` is the tuple, PyTorch's the tensor)."""
    if as_tuple is None:
        raise ambiguous_nonzero("autograd.nonzero(x)")
    return as_tensor(input).nonzero(as_tuple=as_tuple)


def argwhere(input: Any) -> Tensor:  # noqa: A002
    """The (n, ndim) int64 positions of the nonzero entries (torch's and NumPy's)."""
    return as_tensor(input).argwhere()


def count_nonzero(input: Any, axis: Any = None, *, dim: Any = None,  # noqa: A002
                  keepdims: bool = False, keepdim: Any = None) -> Tensor:
    """The number of nonzero entries over ``axis`` (or ``dim``; None: all), int64.
    ``dim=()`` is every axis (PyTorch's), ``axis=()`` none (NumPy's); ``keepdim=`` (which
    PyTorch's has not) is a ``UsageError`` naming ``keepdims=``, as the method's."""
    return as_tensor(input).count_nonzero(axis=axis, dim=dim, keepdims=keepdims,
                                          keepdim=keepdim)


def unique(input: Any, sorted: bool | None = None,  # noqa: A002
           return_inverse: bool = False, return_counts: bool = False, dim: Any = None, *,
           return_index: bool = False, axis: Any = None, equal_nan: bool | None = None) -> Any:
    """The sorted distinct values, then the inverse and counts if asked (int64). NumPy's
    keywords (``return_index``, ``axis``, ``equal_nan``) give ``np.unique``'s results
    (NaNs as one value by default), PyTorch's ``dim`` ``torch.unique``'s (each NaN
    apart; slices emptied by another axis of size 0 a ``ShapeError``); neither is the same
    in both, except for data holding NaNs: ``UsageError``."""
    x = as_tensor(input)
    return_inverse, return_counts = torch_flags(
        "unique", return_inverse=return_inverse, return_counts=return_counts)
    if sorted is not None:  # None: not given (its results are sorted either way)
        torch_flags("unique", sorted=sorted)
    numpy_way = return_index or axis is not None or equal_nan is not None
    if numpy_way and dim is not None:
        raise UsageError("unique: got PyTorch's dim= with NumPy's return_index=/axis=/"
                         "equal_nan=; use one library's keywords")
    if not numpy_way and x.dtype.kind == "f" and np.isnan(x.data).sum() > 1:
        raise UsageError(
            "autograd.unique(x) of data with several NaNs means two things: NumPy's "
            "np.unique counts them as one value, PyTorch's unique each apart. Name it: "
            "equal_nan=True (NumPy's), equal_nan=False or x.unique() (PyTorch's)")
    if dim is not None and x.ndim:  # PyTorch's: slices that are all empty are refused
        sets.refuse_other_empty_axes(x.shape, single_axis(dim, x.ndim, "unique"), "unique")
    equal_nan = numpy_way if equal_nan is None else bool(equal_nan)  # NumPy's default
    return sets.unique(x, return_index, return_inverse, return_counts,
                       dim if axis is None else axis, equal_nan, "unique")


def unique_consecutive(input: Any, return_inverse: bool = False,  # noqa: A002
                       return_counts: bool = False, dim: Any = None) -> Any:
    """One of each run of equal values, with the inverse and run lengths if asked."""
    return as_tensor(input).unique_consecutive(return_inverse, return_counts, dim)


@accepts_out
def diff(input: Any, n: int = 1, axis: Any = -1, prepend: Any = None,  # noqa: A002
         append: Any = None, *, dim: Any = None) -> Tensor:
    """The n-th forward difference along ``axis`` (or ``dim``), as ``np.diff`` and
    ``torch.diff``: out_i = x_{i+1} - x_i, differentiable."""
    if dim is not None and isinstance(axis, int) and axis == -1:
        axis = None
    return geometry.diff(as_tensor(input), n, pick_axis(axis, dim, "diff"), prepend, append,
                         "diff")


@accepts_out
def cross(input: Any, other: Any, *position: Any, dim: Any = None,  # noqa: A002
          axis: Any = None) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (PyTorch's keyword) or ``axis``
    (NumPy's); without either, the last axis when PyTorch's default (the first axis of
    size 3) agrees with NumPy's (the last), else ``UsageError``. Spelled PyTorch's way
    (``dim=``), the inputs have one number of axes, as ``x.cross``; NumPy's ``axis=``
    broadcasts any. Differentiable."""
    if position:
        raise UsageError(f"autograd.cross(a, b, {position[0]!r}): the third argument is "
                         f"torch.cross's dim (both vectors' axis) but np.cross's axisa (a's "
                         f"alone); pass dim= or axis= by keyword")
    a = as_tensor(input)
    if dim is not None and axis is None:  # PyTorch's spelling: its rule on axis counts
        return a.cross(other, dim=dim)
    b = a._lift(other)
    axis = pick_axis(axis, dim, "cross")
    if axis is None:
        axis = torch_cross_axis(a, b, "autograd.cross(a, b)")
    return geometry.cross(a, b, axis, "cross")


@accepts_out
def kron(input: Any, other: Any) -> Tensor:  # noqa: A002
    """The Kronecker product (torch's and NumPy's), differentiable."""
    return as_tensor(input).kron(other)


def cdist(x1: Any, x2: Any, p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """The p-norm distances between the rows of x1 (..., P, M) and x2 (..., R, M):
    (..., P, R), batch axes broadcasting, as ``torch.cdist`` (p >= 0, inf too; the
    gradient is 0 where two rows coincide). ``compute_mode``, one of torch's three
    strings (not None, as there), is checked and then ignored: the distances are
    always computed directly."""
    modes = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
             "donot_use_mm_for_euclid_dist")
    if not (isinstance(compute_mode, str) and compute_mode in modes):
        raise UsageError(f"cdist: {compute_mode!r} is not a valid value for compute_mode; "
                         f"give one of {', '.join(map(repr, modes))}")
    a = as_tensor(x1)
    return geometry.cdist(a, a._lift(x2), p, "cdist")


def pdist(input: Any, p: float = 2.0) -> Tensor:  # noqa: A002
    """The p-norm distances ||x_i - x_j||_p between the rows of x (N, M), for each pair
    i < j in row-major order (N (N - 1) / 2 values), as ``torch.pdist`` (p >= 0, inf
    too; the gradient is 0 at a zero distance, as PyTorch's)."""
    return geometry.pdist(as_tensor(input), p, "pdist")


@accepts_out
def searchsorted(sorted_sequence: Any, input: Any, side: str | None = None,  # noqa: A002
                 sorter: Any = None, *, right: bool = False,
                 out_int32: bool = False) -> Tensor:
    """Where each value of ``input`` goes into the sorted last axis of
    ``sorted_sequence`` to keep it sorted: the first such place, or the last with
    ``side='right'`` (NumPy's) or ``right=True`` (PyTorch's). An N-d sequence searches
    row by row (PyTorch's); int64 (int32 with ``out_int32``), no gradient."""
    if side not in (None, "left", "right"):
        raise UsageError(f"searchsorted: side must be 'left' or 'right'; got {side!r}")
    if side is not None and (side == "right") != bool(right):
        if right:
            raise UsageError("searchsorted: side='left' and right=True contradict; pass one")
        right = True
    sequence = as_tensor(sorted_sequence)
    found = sets.searchsorted(sequence, sequence._lift(input), bool(right), sorter,
                              "searchsorted")
    return found.astype(np.int32) if out_int32 else found


@accepts_out
def bucketize(input: Any, boundaries: Any, *, out_int32: bool = False,  # noqa: A002
              right: bool = False) -> Tensor:
    """The bucket of each value among the sorted 1-d ``boundaries``: i with
    boundaries[i-1] < x <= boundaries[i] (``right=True``: boundaries[i-1] <= x <
    boundaries[i]), as ``torch.bucketize``; int64, no gradient."""
    edges = as_tensor(boundaries)
    if edges.ndim != 1:
        raise ShapeError(f"bucketize: boundaries must be 1-d; got shape {edges.shape}")
    return searchsorted(edges, input, right=right, out_int32=out_int32)


def bincount(input: Any, weights: Any = None, minlength: int = 0) -> Tensor:  # noqa: A002
    """How often each non-negative integer occurs (int64), or the sums of ``weights``
    (float32 and float64 weights keep their dtype, as PyTorch's; ``np.bincount`` gives
    float64), differentiable in the weights."""
    x = input if isinstance(input, Tensor) else Tensor(np.asarray(input))  # [0, 2]: ints
    return x.bincount(weights, minlength)


@accepts_out
def histc(input: Any, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
    """Counts in ``bins`` equal bins over [min, max] (the data's range when equal), in
    the input's float dtype, as ``torch.histc``."""
    return as_tensor(input).histc(bins, min, max)


@accepts_out
def histogram(input: Any, bins: Any = None, *numpy_position: Any, range: Any = None,  # noqa: A002
              weight: Any = None, density: Any = None, weights: Any = None) -> Histogram:
    """``torch.histogram``: ``(hist, bin_edges)`` in the input's float dtype (see
    ``Tensor.histogram``). NumPy's spellings (``range`` by position, ``weights=``) give
    ``np.histogram``'s (int64 counts); no ``bins`` is a ``UsageError`` (100 in PyTorch,
    10 in NumPy)."""
    x = as_tensor(input)
    if weight is not None and weights is not None:
        raise UsageError("histogram: got weight= (PyTorch's) and weights= (NumPy's); "
                         "pass one")
    if numpy_position or weights is not None:
        if weight is not None:
            raise UsageError("histogram: range by position and weights= are NumPy's "
                             "spelling, weight= PyTorch's (with range=); pick one")
        numpy = dict(zip(("range", "density", "weights"), numpy_position))
        for key, value in (("range", range), ("density", density), ("weights", weights)):
            if value is not None:
                numpy.setdefault(key, value)
        return Histogram(*numpy_histogram(x, 10 if bins is None else bins, **numpy))
    if bins is None:
        raise UsageError("histogram(x) means two things: PyTorch's has bins=100 and gives "
                         "float counts, NumPy's bins=10 and int64 counts. Name the bins: "
                         "autograd.histogram(x, 100) or x.histogram(100) for PyTorch's, "
                         "np.histogram(x) for NumPy's.")
    return x.histogram(bins, range=range, weight=weight, density=bool(density))


def trapezoid(y: Any, x: Any = None, dx: float | None = None, axis: Any = -1, *,
              dim: Any = None) -> Tensor:
    """The trapezoidal rule along ``axis`` (or ``dim``): sum (x_{i+1} - x_i)(y_{i+1} +
    y_i) / 2, with spacing ``dx`` (1) when x is not given; differentiable in y and x."""
    y = as_tensor(y)
    if dim is not None and isinstance(axis, int) and axis == -1:
        axis = None
    x = None if x is None else y._lift(x)
    return geometry.trapezoid(y, x, dx, pick_axis(axis, dim, "trapezoid"), "trapezoid")


def trapz(y: Any, x: Any = None, *, dx: float | None = None, dim: int = -1) -> Tensor:
    """``torch.trapz``: ``trapezoid`` (NumPy 2 removed ``np.trapz``)."""
    return trapezoid(y, x, dx, dim=dim)


def cumulative_trapezoid(y: Any, x: Any = None, *, dx: float | None = None,
                         dim: int = -1) -> Tensor:
    """The running trapezoidal rule along ``dim`` (one fewer entry than y), as
    ``torch.cumulative_trapezoid``; differentiable in y and x."""
    y = as_tensor(y)
    x = None if x is None else y._lift(x)
    return geometry.cumulative_trapezoid(y, x, dx, dim, "cumulative_trapezoid")


def unravel_index(indices: Any, shape: Any) -> tuple[Tensor, ...]:
    """The coordinates in a C-ordered tensor of ``shape`` of each flat index: one int64
    tensor per axis, each of ``indices``' shape (constants)."""
    flat = as_tensor(indices).data
    if flat.dtype.kind not in "iu":
        raise UsageError(f"unravel_index: expected integer indices; got dtype {flat.dtype}")
    dims = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    size = int(np.prod(dims))
    if flat.size and (flat.min() < -size or flat.max() >= size):
        raise TensorIndexError(f"unravel_index: the indices must lie in [-{size}, {size}) "
                               f"for shape {dims}; got {flat.min()}..{flat.max()}")
    coords = np.unravel_index(np.where(flat < 0, flat + size, flat), dims)
    return tuple(Tensor(c.astype(np.int64)) for c in coords)
