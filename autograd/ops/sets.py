"""Where, which and how many: ``nonzero``, ``argwhere``, ``count_nonzero``, ``unique``,
``unique_consecutive``, ``searchsorted``, ``bincount``, ``histc`` and ``histogram``.

Their results are integers (positions, counts), or values picked from the input whose
choice is not differentiable (``unique``'s values: ``NotDifferentiable`` raises when a
backward pass reaches it, as PyTorch's ``unique``); ``bincount``'s weighted sums are
the exception: d out_k / d w_i = [x_i = k]. The functions take Tensors (this module
sits below the Tensor class); ``autograd.set_methods`` and ``autograd.set_functions``
hold the Tensor methods and public functions over them, with either library's rules.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import (BackwardError, DataError, DTypeError, ShapeError,
                      TensorIndexError, UsageError)
from ..function import Function, apply
from .reductions import normalize_axis, single_axis

T = Any  # a Tensor (this module sits below the Tensor class)

__all__ = ["NotDifferentiable", "WeightedCount", "nonzero_tuple", "argwhere",
           "count_nonzero", "unique", "unique_consecutive", "searchsorted", "bincount",
           "histc", "histogram", "integer_array", "refuse_other_empty_axes"]


class NotDifferentiable(Function):
    """out = a value computed from x whose gradient is not defined here (``unique``'s
    values): the forward hands back ``result``; a backward pass through it raises."""
    __slots__ = ("result", "what")
    save_inputs = False

    def __init__(self, result: np.ndarray, what: str) -> None:
        self.result, self.what = result, what

    def forward(self, x: np.ndarray) -> np.ndarray:
        return self.result

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        raise BackwardError(
            f"{self.what} has no gradient (neither has PyTorch's): its values are picked "
            f"from the input, and which are kept is not differentiable. Call it on "
            f"x.detach() to keep it out of the graph, or select with an index "
            f"(x[x.nonzero(as_tuple=True)]), which has a gradient.")


class WeightedCount(Function):
    """out_k = sum_{i: x_i = k} w_i (``bincount`` with weights);  dw_i = g[x_i]."""
    __slots__ = ("index", "length", "dtype")
    save_inputs = False

    def __init__(self, index: np.ndarray, length: int, dtype: np.dtype) -> None:
        self.index, self.length, self.dtype = index, length, dtype

    def forward(self, w: np.ndarray) -> np.ndarray:
        return np.bincount(self.index, w, self.length).astype(self.dtype, copy=False)

    def vjp(self, g: Any, out: Any, w: Any) -> tuple:
        return (g[self.index],)


def integer_array(x: Any) -> np.ndarray:
    """The array of a Tensor, an ndarray or data."""
    return np.asarray(getattr(x, "data", x))


def _ints(x: T, array: np.ndarray) -> T:
    """``array`` as a constant int64 Tensor."""
    return x._make(np.asarray(array, dtype=np.int64), None)


def nonzero_tuple(x: T, op: str) -> tuple:
    """The positions of the nonzero entries, one 1-d int64 Tensor per axis, in row-major
    order; a 0-d x counts as 1-d (PyTorch's ``as_tuple=True``)."""
    data = x.data if x.ndim else x.data.reshape(1)
    return tuple(_ints(x, positions) for positions in np.nonzero(data))


def argwhere(x: T) -> T:
    """The positions of the nonzero entries as rows of an (n, ndim) int64 Tensor (a 0-d
    x gives (1, 0) or (0, 0)), as ``torch.argwhere`` and ``np.argwhere``."""
    return _ints(x, np.argwhere(x.data))


def count_nonzero(x: T, axis: Any, keepdims: bool, op: str) -> T:
    """The number of nonzero entries over ``axis`` (every axis for None), int64."""
    axes = normalize_axis(axis, x.ndim, op, scalar=True)
    return _ints(x, np.count_nonzero(x.data, axis=axes, keepdims=keepdims))


def unique(x: T, return_index: bool, return_inverse: bool, return_counts: bool,
           axis: Any, equal_nan: bool, op: str) -> Any:
    """NumPy's ``np.unique`` of x's values: the sorted distinct values (distinct slices
    along ``axis``), then the first index of each, the inverse (which value each entry
    is: x's shape for axis None, as NumPy 2 and PyTorch) and the counts, those asked for
    (a tuple when any is). ``equal_nan=False`` keeps each NaN apart (PyTorch's way)."""
    if axis is not None:
        if x.ndim == 0:
            raise ShapeError(f"{op}: a 0-d tensor has no axis {axis}; leave the axis out")
        axis = single_axis(axis, x.ndim, op)
    found = np.unique(x.data, return_index=True, return_inverse=True, return_counts=True,
                      axis=axis, equal_nan=equal_nan)
    values, index, inverse, counts = found
    if axis is None:
        inverse = inverse.reshape(x.shape)
    values = _picked(x, values, op)
    asked = [values] + [_ints(x, a) for a, wanted in
                        ((index, return_index), (inverse, return_inverse),
                         (counts, return_counts)) if wanted]
    return asked[0] if len(asked) == 1 else tuple(asked)


def _picked(x: T, values: np.ndarray, op: str) -> T:
    """Values picked from x: a constant, or (x requiring grad) a node that refuses a
    backward pass."""
    values = values.astype(x.dtype, copy=False)
    return apply(NotDifferentiable(values, op), x) if x.requires_grad else \
        x._make(values, None)


def unique_consecutive(x: T, return_inverse: bool, return_counts: bool, axis: Any,
                       op: str) -> Any:
    """PyTorch's ``unique_consecutive``: one of each run of equal values (of equal slices
    along ``axis``; NaN equals nothing), with the inverse (x's shape, or one entry per
    slice) and the run lengths if asked."""
    if axis is None:
        data, shape = x.data.reshape(-1), x.shape
    else:
        if x.ndim == 0:
            raise ShapeError(f"{op}: a 0-d tensor has no axis {axis}; leave the axis out")
        axis = single_axis(axis, x.ndim, op)
        refuse_other_empty_axes(x.shape, axis, op)
        data = np.moveaxis(x.data, axis, 0)
        data, shape = data.reshape(len(data), math.prod(data.shape[1:])), (len(data),)
    starts = np.ones(len(data), dtype=bool)
    if len(data) > 1:
        changed = data[1:] != data[:-1]
        starts[1:] = changed if changed.ndim == 1 else changed.any(axis=1)
    values = data[starts]
    if axis is not None:
        rest = np.delete(np.array(x.shape), axis)
        values = np.moveaxis(values.reshape((len(values),) + tuple(rest)), 0, axis)
    asked = [_picked(x, values, op)]
    if return_inverse:
        asked.append(_ints(x, (np.cumsum(starts) - 1).reshape(shape)))
    if return_counts:
        asked.append(_ints(x, np.diff(np.append(np.flatnonzero(starts), len(data)))))
    return asked[0] if len(asked) == 1 else tuple(asked)


def refuse_other_empty_axes(shape: tuple[int, ...], axis: int, op: str) -> None:
    """PyTorch's rule for slices along ``axis``: an empty axis other than ``axis`` makes
    every slice empty, so their comparison means nothing and it is a ``ShapeError``."""
    empty = [a for a, n in enumerate(shape) if n == 0 and a != axis]
    if empty:
        raise ShapeError(f"{op}: the slices along dim {axis} of shape {shape} are empty "
                         f"(axis {empty[0]} has size 0), so there is nothing to compare "
                         f"(PyTorch refuses it too); leave dim out to use the flat values")


def searchsorted(sorted_sequence: T, values: T, right: bool, sorter: Any, op: str) -> T:
    """For each value, the position in the sorted last axis of ``sorted_sequence`` where
    inserting it keeps the order: the first such (``right=False``, NumPy's
    ``side='left'``) or the last. An N-d sequence searches each of its rows for the
    values of the matching row of ``values``, as PyTorch's; ``sorter`` (an argsort of the
    sequence) reads an unsorted sequence in sorted order. int64, no gradient."""
    sequence, wanted = sorted_sequence.data, values.data
    if sequence.ndim == 0:
        raise ShapeError(f"{op}: the sorted sequence must have at least one axis; got a "
                         f"0-d tensor")
    if sorter is not None:
        order = integer_array(sorter)
        if order.dtype.kind not in "iu" or order.shape != sequence.shape:
            raise ShapeError(f"{op}: sorter must be integer indices of the sequence's shape "
                             f"{sequence.shape}; got {order.dtype} of shape {order.shape}")
        _check_sorter_range(order, sequence.shape[-1], op)
        sequence = np.take_along_axis(sequence, order, axis=-1)
    side = "right" if right else "left"
    if sequence.ndim == 1:
        return _ints(sorted_sequence, np.searchsorted(sequence, wanted, side))
    if wanted.shape[:-1] != sequence.shape[:-1]:
        raise ShapeError(
            f"{op}: a {sequence.ndim}-d sorted sequence {sequence.shape} searches row by "
            f"row, so values must have the same leading axes {sequence.shape[:-1]}; got "
            f"{wanted.shape}. Use a 1-d sequence to search all values in one row.")
    count = int(np.prod(sequence.shape[:-1]))  # rows (no -1: a row may be empty)
    rows = sequence.reshape(count, sequence.shape[-1])
    found = [np.searchsorted(row, v, side) for row, v in
             zip(rows, wanted.reshape(count, wanted.shape[-1]))]
    return _ints(sorted_sequence, np.array(found, dtype=np.int64).reshape(wanted.shape))


def _check_sorter_range(order: np.ndarray, length: int, op: str) -> None:
    """Each sorter entry must be a position 0..length-1 of the sequence's last axis (a
    negative one is not read from the end, as PyTorch's)."""
    if order.size and (order.min() < 0 or order.max() >= length):
        bad = order[(order < 0) | (order >= length)].flat[0]
        raise TensorIndexError(f"{op}: sorter index out of range: each entry must be in "
                               f"[0, {length}) (an argsort of the sequence's last axis); "
                               f"got {bad}")


def bincount(x: T, weights: T | None, minlength: Any, dtype: Any, op: str,
             allow_bool: bool = False) -> T:
    """out_k = the number of entries of x equal to k (k < max(max(x) + 1, minlength)),
    int64; with ``weights`` the sum of their weights, in ``dtype``, differentiable in
    the weights. x is 1-d and non-negative integers (bool too if ``allow_bool``)."""
    data = x.data
    kinds = "iub" if allow_bool else "iu"
    if data.dtype.kind not in kinds:
        raise DTypeError(f"{op}: counts non-negative integers; got a {data.dtype} tensor. "
                         f"Convert labels first: x.long()")
    if data.ndim != 1:
        raise ShapeError(f"{op}: takes a 1-d tensor; got shape {data.shape}. Flatten it "
                         f"first: x.reshape(-1)")
    if data.size and data.min() < 0:
        raise DataError(f"{op}: counts non-negative integers; got {data.min()}")
    if isinstance(minlength, bool) or not isinstance(minlength, (int, np.integer)) \
            or minlength < 0:
        raise UsageError(f"{op}: minlength must be a non-negative int; got {minlength!r}")
    length = max(int(data.max()) + 1 if data.size else 0, int(minlength))
    index = data.astype(np.intp)
    if weights is None:
        return _ints(x, np.bincount(index, minlength=length))
    if weights.shape != data.shape:
        raise ShapeError(f"{op}: weights must have the input's shape {data.shape}; got "
                         f"{weights.shape}")
    return apply(WeightedCount(index, length, np.dtype(dtype)), weights)


def histc(x: T, bins: Any, low: float, high: float, op: str) -> T:
    """PyTorch's ``histc``: counts of x in ``bins`` equal bins over [low, high] (the
    data's min and max when low = high; one either side of a constant; a range that is
    not finite is a ``UsageError``), entries outside left out, the last bin closed; in
    x's (float) dtype, no gradient."""
    data = x.data
    if data.dtype.kind != "f":
        raise DTypeError(f"{op}: needs a float tensor (as PyTorch's); got {data.dtype}. "
                         f"Convert it: x.double()")
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins <= 0:
        raise UsageError(f"{op}: bins must be a positive int; got {bins!r}")
    if low > high:
        raise UsageError(f"{op}: min must not exceed max; got min={low}, max={high}")
    if low == high and data.size:
        low, high = float(data.min()), float(data.max())
    if not (math.isfinite(low) and math.isfinite(high)):  # bins of infinite width
        raise UsageError(f"{op}: the range [{low}, {high}] is not finite, so its bins "
                         f"have no finite width (PyTorch refuses it too); pass finite min= "
                         f"and max=, or leave out the inf and NaN entries: x[x.isfinite()]")
    if low == high:
        low, high = low - 1, high + 1
    counts = np.bincount(_histc_bins(data, bins, low, high), minlength=bins)
    return x._make(counts.astype(data.dtype), None)


def _histc_bins(data: np.ndarray, bins: int, low: float, high: float) -> np.ndarray:
    """The bin of each entry inside [low, high]: floor((x - low) * bins / (high - low)),
    the last bin closed, in the data's dtype and in PyTorch's order of operations (which
    decides the bin of an entry on an edge: (x - low) / (high - low) * bins rounds
    differently)."""
    low, high = data.dtype.type(low), data.dtype.type(high)
    inside = data[(data >= low) & (data <= high)]
    position = ((inside - low) * data.dtype.type(bins) / (high - low)).astype(np.int64)
    return np.minimum(position, bins - 1)


def _torch_linspace(low: float, high: float, steps: int, dtype: np.dtype) -> np.ndarray:
    """PyTorch's linspace in ``dtype`` (the first half counted from ``low``, the second
    from ``high``, as its scalar loop; its SIMD loop may differ by an ulp or two)."""
    low, high = dtype.type(low), dtype.type(high)
    step = (high - low) / dtype.type(steps - 1)
    i = np.arange(steps).astype(dtype)
    return np.where(i < steps // 2, low + step * i, high - step * (dtype.type(steps - 1) - i))


def _range_pair(value_range: Any, op: str) -> tuple[float, float]:
    """``range=(min, max)`` as two floats."""
    if np.ndim(value_range) != 1 or len(value_range) != 2:
        raise UsageError(f"{op}: range must be two numbers (min, max), as PyTorch's for a "
                         f"1-d histogram; got {value_range!r}")
    low, high = value_range
    return float(low), float(high)


def histogram(x: T, bins: Any, value_range: Any, weight: Any, density: bool,
              op: str) -> tuple[T, T]:
    """PyTorch's ``histogram``: (hist, bin_edges) in x's float dtype, no gradient. ``bins``
    equal bins over ``value_range`` (the data's min and max by default, which must be
    finite; [0, 1] for no data; +-0.5 around a constant) or the given increasing edges
    (then no ``value_range``); x_j falls in bin i when edges_i <= x_j <
    edges_{i+1} (the last bin closed), values outside left out; hist_i = the count (or
    the sum of ``weight``), over (sum(hist) * width_i) when ``density``."""
    data = x.data
    if data.dtype.kind != "f":
        raise DTypeError(f"{op}: needs a float tensor (as PyTorch's); got {data.dtype}. "
                         f"Convert it: x.double()")
    if np.ndim(getattr(bins, "data", bins)) == 1:
        edges = np.asarray(getattr(bins, "data", bins), dtype=data.dtype)
        if edges.size < 2 or np.any(np.diff(edges) < 0):
            raise UsageError(f"{op}: bin edges must be at least 2 increasing values; got "
                             f"{edges.tolist()}")
        if value_range is not None:
            raise UsageError(f"{op}: range= goes with a number of bins, not with bin edges "
                             f"(PyTorch has no such call); got range={value_range}. Drop "
                             f"range=, or pass the number of bins")
    else:
        if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins <= 0:
            raise UsageError(f"{op}: bins must be a positive int or a 1-d tensor of edges; "
                             f"got {bins!r}")
        if value_range is not None:
            low, high = _range_pair(value_range, op)
        else:  # no data: [0, 1], as PyTorch and NumPy
            low, high = (float(data.min()), float(data.max())) if data.size else (0.0, 1.0)
        if not (math.isfinite(low) and math.isfinite(high)):  # bins of infinite width
            raise UsageError(f"{op}: the range [{low}, {high}] is not finite, so its bins "
                             f"have no finite width (PyTorch refuses it too); pass a finite "
                             f"range=, or leave out the inf and NaN entries: x[x.isfinite()]")
        if low > high:
            raise UsageError(f"{op}: range must be (min, max) with min <= max; got "
                             f"{value_range}")
        if low == high:
            low, high = low - 0.5, high + 0.5
        edges = _torch_linspace(low, high, int(bins) + 1, data.dtype)
    values = data.reshape(-1)
    w = None if weight is None else np.asarray(getattr(weight, "data", weight), data.dtype)
    if w is not None and w.shape != data.shape:
        raise ShapeError(f"{op}: weight must have the input's shape {data.shape}; got "
                         f"{w.shape}")
    inside = (values >= edges[0]) & (values <= edges[-1])
    position = np.minimum(np.searchsorted(edges, values[inside], side="right") - 1,
                          edges.size - 2)
    hist = np.bincount(position, None if w is None else w.reshape(-1)[inside],
                       minlength=edges.size - 1).astype(data.dtype)
    if density:
        hist = hist / (hist.sum() * np.diff(edges))
    return x._make(hist, None), x._make(edges, None)
