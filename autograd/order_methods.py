"""``OrderMethods``: the order statistics, a mixin of ``Tensor``: ``median nanmedian
quantile nanquantile kthvalue topk mode cummax cummin logcumsumexp``.

NumPy's ndarray has none of these methods, so each is PyTorch's: ``x.median()`` is the
lower median of all elements (a 0-d tensor), ``x.median(1)`` and ``x.median(dim=1)``
the pair ``(values, indices)``, as ``max(dim=)``. NumPy's keywords ``axis=`` and
``keepdims=`` ask for NumPy's result instead, the values (``x.median(axis=1)`` is
``np.median(x, axis=1)``: the mean of the two middle values for an even count). Each
value is read from one element (``take_along_axis``), so its gradient goes back to
that element; NumPy's median of an even count sends 1/2 to each middle value, a
quantile splits the gradient between its two neighbours by the interpolation weight,
and ``x.median()`` spreads it over the tied elements, as torch's.

Of equal values, the index is the one a stable sort puts in place (``median`` and
``kthvalue``: torch documents its choice as unspecified; its ``median`` agrees in our
tests, its ``kthvalue`` not always), the latest for ``cummax``/``cummin`` (as torch's),
and the last occurrence for ``mode``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .errors import AxisError, DTypeError, ShapeError, UsageError
from .function import apply
from .ops.order import Lerp, LerpWeight, LogCumsumExp, MedianAll
from .ops.order_positions import (INTERPOLATIONS, lower_median, middle_pair, mode_positions,
                                  quantile_positions, quantile_weight_rate,
                                  running_extreme_indices, sorted_order)
from .ops.reductions import _check_not_empty, normalize_axis, single_axis
from .tensor_math import where
from .tensor_reductions import ValuesIndices, flag_by_position

__all__ = ["OrderMethods", "median_spelled", "quantile_spelled", "numpy_median", "quantile_of",
           "check_q", "select_along", "running_extreme", "as_count", "UNSET"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


class _Unset:
    """An argument not given (``axis=None`` is NumPy's "every axis", so None cannot be)."""

    def __repr__(self) -> str:
        return "<not given>"


UNSET: Any = _Unset()


class OrderMethods:
    """Order statistics (a mixin: ``Tensor`` is its only user)."""

    __slots__ = ()

    def median(self, *position: Any, axis: Any = UNSET, keepdims: bool | None = None,
               dim: Any = None, keepdim: bool | None = None) -> AnyTensor:
        """PyTorch's median: of all elements the lower one, sorted[(n - 1) // 2] (NaN if
        one is NaN); along ``dim``, the pair (values, indices). NumPy's spelling
        (``axis=``, ``keepdims=``) gives ``np.median``'s values."""
        return median_spelled(self, "median", position, axis, keepdims, dim, keepdim,
                              False, method=True)

    def nanmedian(self, *position: Any, axis: Any = UNSET, keepdims: bool | None = None,
                  dim: Any = None, keepdim: bool | None = None) -> AnyTensor:
        """``median`` of the values that are not NaN (NaN where all are)."""
        return median_spelled(self, "nanmedian", position, axis, keepdims, dim, keepdim,
                              True, method=True)

    def quantile(self, q: Any, dim: Any = None, keepdim: bool | None = None, *,
                 interpolation: str | None = None, axis: Any = None,
                 keepdims: bool | None = None, method: str | None = None) -> AnyTensor:
        """The ``q``-quantiles (q in [0, 1], a number or 1-d) over ``dim`` (every element
        when None); shape q.shape + the reduced shape. ``interpolation`` (or NumPy's
        ``method``) is linear (default), lower, higher, midpoint or nearest. NumPy's
        keywords give ``np.quantile``'s values, which differ from PyTorch's only where
        an interpolation weight of 0 meets an infinite value (NaN in NumPy). A q that
        requires grad gets d/dq = (count - 1)(above - below) (``linear``), as PyTorch's."""
        return quantile_spelled(self, "quantile", q, dim, keepdim, interpolation, axis,
                                keepdims, method, False)

    def nanquantile(self, q: Any, dim: Any = None, keepdim: bool | None = None, *,
                    interpolation: str | None = None, axis: Any = None,
                    keepdims: bool | None = None, method: str | None = None) -> AnyTensor:
        """``quantile`` of the values that are not NaN (NaN where all are)."""
        return quantile_spelled(self, "nanquantile", q, dim, keepdim, interpolation, axis,
                                keepdims, method, True)

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> ValuesIndices:
        """The ``k``-th smallest element along ``dim`` (k from 1; NaN is the largest), as
        PyTorch's pair (values, indices)."""
        axis = _one_dim(self, dim, "kthvalue")
        if self.ndim:
            _check_not_empty("kthvalue", self.data, (axis,))
        k = _count_in_range(self, k, 1, axis, dim, "kthvalue")
        return select_along(self, dim, keepdim, "kthvalue",
                            lambda data: sorted_order(data)[..., k - 1])

    def topk(self, k: int, dim: int = -1, largest: bool = True,
             sorted: bool = True) -> ValuesIndices:  # noqa: A002
        """The ``k`` largest elements along ``dim`` (the smallest with ``largest=False``),
        in order, as PyTorch's: the pair ``(values, indices)`` (NumPy has no topk, so
        PyTorch's form, as ``max(dim=)`` and ``sort(dim=)`` give it). The values' gradient
        goes back to the elements the indices name; ties give the first, as a stable sort.
        ``k`` may be a 0-d integer tensor; a 0-d ``self`` takes k 0 or 1, as PyTorch."""
        axis = _one_dim(self, dim, "topk")
        k = _count_in_range(self, k, 0, axis, dim, "topk")
        if self.ndim == 0:  # its one element, whatever k (PyTorch's)
            values, indices = self.reshape(1).topk(1, 0, largest, sorted)
            return ValuesIndices(values.reshape(()), indices.reshape(()))
        first_k = (slice(None),) * axis + (slice(0, k),)
        indices = self.argsort(axis, descending=largest)[first_k]
        return ValuesIndices(self.take_along_axis(indices, axis), indices)

    def mode(self, dim: int = -1, keepdim: bool = False) -> ValuesIndices:
        """The most frequent value along ``dim`` (the smallest of equally frequent ones)
        and its last index, as PyTorch's pair (values, indices)."""
        return select_along(self, dim, keepdim, "mode",
                            lambda data: mode_positions(data, sorted_order(data)))

    def cummax(self, dim: int) -> ValuesIndices:
        """The running maximum along ``dim`` and where it was reached (the latest of
        equal values; NaN, once met, stays), as PyTorch's pair (values, indices)."""
        return running_extreme(self, dim, True, "cummax")

    def cummin(self, dim: int) -> ValuesIndices:
        """The running minimum along ``dim``, as ``cummax``."""
        return running_extreme(self, dim, False, "cummin")

    def logcumsumexp(self, dim: int) -> AnyTensor:
        """log(cumsum(exp(self))) along ``dim``, without overflow (integers as float64)."""
        x = self if self.dtype.kind == "f" else self.astype(np.float64)
        if x.ndim == 0:
            _one_dim(x, dim, "logcumsumexp")
            return x.copy()
        return apply(LogCumsumExp(_one_dim(x, dim, "logcumsumexp")), x)


def median_spelled(x: AnyTensor, name: str, position: tuple, axis: Any, keepdims: Any,
                   dim: Any, keepdim: Any, skip_nan: bool, method: bool) -> AnyTensor:
    """``median``/``nanmedian`` (``name``) called one library's way: NumPy's keywords
    give NumPy's values, PyTorch's its result; a bare call or a positional axis means
    PyTorch's for the method (NumPy has none) and both for ``autograd.median``."""
    position, keepdim = flag_by_position(name, "keepdim", position, keepdim)
    numpy_way = axis is not UNSET or keepdims is not None
    torch_way = dim is not None or keepdim is not None
    if numpy_way and torch_way:
        raise UsageError(f"{name}: got NumPy's axis=/keepdims= and PyTorch's dim=/keepdim= "
                         f"together; use one library's names")
    if len(position) > 1:
        raise UsageError(f"{name}: takes one positional argument, the axis; got "
                         f"{len(position)}. Pass the others by keyword.")
    if position and (axis is not UNSET or dim is not None):
        raise UsageError(f"{name}: got the axis twice, by position and by keyword")
    if numpy_way:
        axis = position[0] if position else None if axis is UNSET else axis
        return numpy_median(x, axis, bool(keepdims), skip_nan, name)
    if not (torch_way or method):
        shown = f"{name}(x{', ' + repr(position[0]) if position else ''})"
        raise UsageError(
            f"autograd.{shown} means two things: NumPy's {name} takes the mean of the two "
            f"middle values of an even count, PyTorch's the lower one (and along an axis "
            f"gives the pair (values, indices)). Name the one you mean: np.{name}(x) or "
            f"autograd.{name}(x, axis=...) for NumPy's, x.{name}() or "
            f"autograd.{name}(x, dim=...) for PyTorch's.")
    dim = position[0] if position else dim
    if dim is None:
        if keepdim is not None:
            raise UsageError(f"{name}(keepdim=...) needs dim=, as PyTorch's")
        _orderable(x, name)
        return apply(MedianAll(skip_nan), x)
    _orderable(x, name)

    def lower_median_index(data: np.ndarray) -> np.ndarray:
        positions = lower_median(data, skip_nan)[..., None]
        return np.take_along_axis(sorted_order(data), positions, -1)[..., 0]
    return select_along(x, dim, bool(keepdim), name, lower_median_index)


def quantile_spelled(x: AnyTensor, name: str, q: Any, dim: Any, keepdim: Any,
                     interpolation: Any, axis: Any, keepdims: Any, method: Any,
                     skip_nan: bool) -> AnyTensor:
    """``quantile``/``nanquantile`` with either library's keywords (PyTorch's rule
    unless one of NumPy's, ``axis keepdims method``, is given)."""
    numpy_way = axis is not None or keepdims is not None or method is not None
    if dim is not None and axis is not None:
        raise AxisError(f"{name}: got both axis={axis!r} and dim={dim!r}; they are two names "
                        f"for one argument (NumPy's and PyTorch's). Pass only one.")
    if keepdim is not None and keepdims is not None:
        raise UsageError(f"{name}: got both keepdims= and keepdim=; pass only one")
    if interpolation is not None and method is not None:
        raise UsageError(f"{name}: got both interpolation= (PyTorch's) and method= "
                         f"(NumPy's); pass only one")
    if dim is not None and (isinstance(dim, (bool, np.bool_))
                            or not isinstance(dim, (int, np.integer))):
        raise AxisError(f"{name}: dim must be one int (an axis) or None, as PyTorch's; got "
                        f"dim={dim!r}. For several axes use NumPy's axis= (np.{name}'s rule)")
    return quantile_of(x, q, dim if axis is None else axis, bool(keepdim or keepdims),
                          interpolation or method or "linear", skip_nan, numpy_way, name)


def numpy_median(x: AnyTensor, axis: Any, keepdims: bool, skip_nan: bool,
                 name: str) -> AnyTensor:
    """NumPy's median over ``axis`` (None: all; int or tuple): the middle value, or the
    mean of the two middle values of an even count (NaN if one is NaN, unless
    ``skip_nan``; NaN over no element, as NumPy's with its warning)."""
    x = x if x.dtype.kind == "f" else x.astype(np.float64)
    rows, axes = _rows(x, axis, name)
    if rows.shape[-1] == 0:
        return _finish(rows.sum(axis=-1) * float("nan"), x, axes, keepdims, ())
    order = sorted_order(rows.data)
    low, high = (np.take_along_axis(order, p[..., None], -1)
                 for p in middle_pair(rows.data, skip_nan))
    a = rows.take_along_axis(low, -1)
    if not (low != high).any():
        return _finish(a[..., 0], x, axes, keepdims, ())
    b = rows.take_along_axis(high, -1)
    return _finish(where(low == high, a, (a + b) / 2)[..., 0], x, axes, keepdims, ())


def quantile_of(x: AnyTensor, q: Any, axis: Any, keepdims: bool, method: str,
                   skip_nan: bool, numpy_rule: bool, name: str, scale: float = 1.0
                   ) -> AnyTensor:
    """The quantiles ``q`` / ``scale`` of x over ``axis`` (see
    ``order_positions.quantile_positions`` for the two libraries' rules)."""
    fractions = check_q(q, name, scale, one_axis=not numpy_rule)
    if method not in INTERPOLATIONS:
        raise UsageError(
            f"{name}: interpolation {method!r} is not one of {', '.join(INTERPOLATIONS)} "
            f"(the methods both PyTorch and NumPy have; NumPy's others have no "
            f"differentiable version here: np.{name}(t.data, ...) computes them untracked)")
    _check_quantile_input(x, name)
    x = x if x.dtype.kind == "f" else x.astype(np.float64)
    rows, axes = _rows(x, axis, name, scalar=not numpy_rule)
    _check_not_empty(name, x.data, axes)
    data = rows.data
    if data.size == 0:
        shape = data.shape[:-1] + (fractions.size,)
        low = high = np.zeros(shape, np.intp)
        weight = None
    else:
        order = sorted_order(data)
        low, high, weight = quantile_positions(data, fractions.reshape(-1), method,
                                               skip_nan, numpy_rule)
        low, high = np.take_along_axis(order, low, -1), np.take_along_axis(order, high, -1)
    values = rows.take_along_axis(low, -1)
    if weight is not None:
        above = rows.take_along_axis(high, -1)
        if getattr(q, "requires_grad", False) and method == "linear":
            rate = quantile_weight_rate(data, method, skip_nan)
            values = _lerp_in_q(values, above, weight.astype(x.dtype), q, scale, rate)
        else:
            values = apply(Lerp(weight.astype(x.dtype)), values, above)
    last = values.ndim - 1
    values = values.transpose((last,) + tuple(range(last)))  # the quantiles first
    return _finish(values.reshape(fractions.shape + values.shape[1:]), x, axes, keepdims,
                   fractions.shape)


def _check_quantile_input(x: AnyTensor, name: str) -> None:
    """What both libraries refuse: a bool tensor (NumPy cannot subtract bools)."""
    if x.dtype == np.bool_:
        raise DTypeError(f"{name} of a bool tensor is not defined (NumPy and PyTorch refuse "
                         f"it too); convert first: x.double().{name}(...)")


def _lerp_in_q(below: AnyTensor, above: AnyTensor, weight: np.ndarray, q: AnyTensor,
               scale: float, rate: np.ndarray) -> AnyTensor:
    """lerp(below, above, w) with w a function of the Tensor q: w = weight + rate
    (q / scale - q0), q0 the value of q / scale, so w equals ``weight`` exactly and
    dw/dq = rate / scale (``quantile_weight_rate``); d out/dq = (above - below) dw/dq,
    as PyTorch's."""
    fraction = (q / scale).reshape(-1)
    shift = (fraction - fraction.detach()).astype(weight.dtype)  # 0, with slope 1
    moving = shift * rate.astype(weight.dtype) + weight
    # rows of rate 0 (NaN results) give q no gradient, not 0 * NaN (as PyTorch's)
    return apply(LerpWeight(), below, above, where(rate > 0, moving, weight))


def check_q(q: Any, name: str, scale: float = 1.0, one_axis: bool = False) -> np.ndarray:
    """``q`` / ``scale`` as a float64 array, every value in [0, 1] (UsageError);
    ``one_axis``: PyTorch's rule that q is a number or 1-d (ShapeError)."""
    given = np.asarray(getattr(q, "data", q))
    if given.dtype.kind not in "biuf":
        raise UsageError(f"{name}: q must be a number or an array of numbers; got "
                         f"{q!r}")
    if one_axis and given.ndim > 1:
        raise ShapeError(f"{name}: q must be a number or 1-d, as PyTorch's; got shape "
                         f"{given.shape}. Pass q.reshape(-1) and reshape the result, or "
                         f"use NumPy's keywords (axis=), which take any shape of q")
    fraction = np.true_divide(given, scale, dtype=np.float64)
    inside = (fraction >= 0) & (fraction <= 1)
    if not inside.all():
        wrong = given[~inside].reshape(-1)[0].item()
        what = "[0, 1] (a fraction)" if scale == 1 else \
            f"[0, {scale:g}] (a percentage; np.quantile takes fractions in [0, 1])"
        raise UsageError(f"{name}: q must be in {what}; got {wrong!r}")
    return fraction


def select_along(x: AnyTensor, dim: Any, keepdim: bool, name: str,
                 pick: Any) -> ValuesIndices:
    """PyTorch's pair (values, indices) of one element per row along ``dim``:
    ``pick(data)`` gives each row's index, with ``dim`` moved last in ``data``."""
    axis = _one_dim(x, dim, name)
    t = x.reshape(1) if x.ndim == 0 else x
    _check_not_empty(name, t.data, (axis,))
    data = np.moveaxis(t.data, axis, -1)
    index = pick(data) if data.size else np.zeros(data.shape[:-1], np.intp)
    indices = np.expand_dims(np.asarray(index, dtype=np.int64), axis)
    values = t.take_along_axis(indices, axis)
    if x.ndim == 0 or not keepdim:
        shape = () if x.ndim == 0 else values.shape[:axis] + values.shape[axis + 1:]
        values, indices = values.reshape(shape), indices.reshape(shape)
    return ValuesIndices(values, x._make(indices, None))


def running_extreme(x: AnyTensor, dim: Any, largest: bool, name: str) -> ValuesIndices:
    """``cummax``/``cummin``: the pair (running values, their indices) along ``dim``."""
    axis = _one_dim(x, dim, name)
    t = x.reshape(1) if x.ndim == 0 else x
    index = running_extreme_indices(np.moveaxis(t.data, axis, -1), largest)
    indices = np.moveaxis(index, -1, axis).astype(np.int64)
    values = t.take_along_axis(indices, axis)
    if x.ndim == 0:
        values, indices = values.reshape(()), indices.reshape(())
    return ValuesIndices(values, x._make(indices, None))


def as_count(k: Any) -> Any:
    """``k`` of ``kthvalue``/``topk``: a 0-d integer Tensor (or array) as its int, as
    PyTorch takes it; anything else unchanged, for the caller's check."""
    data = getattr(k, "data", k)
    if isinstance(data, np.ndarray) and data.ndim == 0 and data.dtype.kind in "iu":
        return int(data)
    return k


def _count_in_range(x: AnyTensor, k: Any, low: int, axis: int, dim: Any, name: str) -> int:
    """``k`` of ``topk`` (from 0) or ``kthvalue`` (from 1) as an int in [low, n], n the
    length of ``axis`` (1 for a 0-d tensor); a 0-d integer tensor is taken as its int."""
    k = as_count(k)
    n = x.shape[axis] if x.ndim else 1
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) \
            or not low <= k <= n:
        length = f"dim {dim} of shape {x.shape}" if x.ndim else "a 0-d tensor: one element"
        raise ShapeError(f"{name}: k must be an int in [{low}, {n}] (the length of "
                         f"{length}); got {k!r}")
    return int(k)


def _one_dim(x: AnyTensor, dim: Any, name: str) -> int:
    """``dim`` as a non-negative axis; a 0-d tensor takes 0 and -1, as PyTorch."""
    if isinstance(dim, (bool, np.bool_)) or not isinstance(dim, (int, np.integer)):
        raise AxisError(f"{name}: dim must be one int (an axis); got {dim!r}")
    return single_axis(dim, max(x.ndim, 1), name)


def _orderable(x: AnyTensor, name: str) -> None:
    """PyTorch's median of a bool tensor is an error; say how to count instead."""
    if x.dtype == np.bool_:
        raise DTypeError(f"{name} of a bool tensor is not defined (PyTorch refuses it "
                         f"too); convert first: x.long().{name}(...)")


def _rows(x: AnyTensor, axis: Any, name: str, scalar: bool = False
          ) -> tuple[AnyTensor, tuple[int, ...]]:
    """x with the axes in ``axis`` (None: all) moved last and merged into one, and
    those axes: each row holds the elements one result combines. ``scalar``: PyTorch's
    rule that a 0-d tensor's dim 0 or -1 is its one element (one row of one)."""
    axes = normalize_axis(axis, x.ndim, name, scalar=scalar)
    kept = tuple(a for a in range(x.ndim) if a not in axes)
    if kept + axes != tuple(range(x.ndim)):
        x = x.transpose(kept + axes)
    shape = tuple(x.shape[:len(kept)]) + (math.prod(x.shape[len(kept):]),)
    return (x if x.shape == shape else x.reshape(shape)), axes


def _finish(result: AnyTensor, x: AnyTensor, axes: tuple[int, ...], keepdims: bool,
            leading: tuple[int, ...]) -> AnyTensor:
    """The reduced ``result`` (``leading`` quantile axes first) with the reduced axes
    kept as size 1 when ``keepdims``."""
    if not keepdims:
        return result
    kept = tuple(1 if a in axes else n for a, n in enumerate(x.shape))
    return result.reshape(leading + kept)
