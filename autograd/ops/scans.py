"""Products, running sums and products, norms, argmax/argmin and sort.

prod handles zeros exactly (the gradient at x_i is the product of the others, computed
without division when there are zeros); cumsum and cumprod run along one axis (the
flattened tensor when ``axis=None``, as NumPy); norm gives the vector norms of any real
order p (2 is also the Frobenius norm of a matrix), 0 and +-inf; sort is
``take_along_axis`` with the sorting permutation, so its gradient routes g back to where
each value came from.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dtype_refusals import refuse_bool_input
from ..errors import AxisError, NormOrderError
from ..function import Function, apply
from .elementwise import Abs
from .generic import constant, is_tensor, lift_like, where
from .indexing import take_along_axis
from .matrix_functions import matrix_norm
from .order_positions import stable_argsort
from .reductions import (Max, Min, Sum, _check_not_empty, _Reduction, accumulator,
                         normalize_axis, single_axis)
from .shape import Concatenate

T = Any  # a Tensor (this module sits below the Tensor class)

__all__ = ["InOrder", "in_order", "cumsum", "cumprod", "norm", "argfunction", "sort",
           "sort_with_indices", "argsort", "Prod", "Cumsum", "Cumprod", "Norm2", "NormP",
           "CountNonzero", "NormOrderError"]


class Prod(_Reduction):
    """out = product of x over axes (bool and integers in int64, see ``accumulator``);
    dx_i = g prod_{j != i} x_j: g out / x_i without zeros; with zeros (or an underflow
    to 0), the product of the elements before x_i times that of those after it (running
    products, no division), so higher derivatives stay exact too."""
    __slots__ = ()
    save_output = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._start(x)
        return np.prod(x, axis=self.axis, keepdims=self.keepdims, dtype=accumulator(x.dtype))

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        g, out = self._expand(g), self._expand(out)
        product = constant(out)
        if np.isfinite(product).all() and (product != 0).all():  # no zero (no underflow)
            return (g * out / x,)
        kept = [k for k in range(len(self.shape)) if k not in self.axis]
        order = tuple(kept) + self.axis  # the reduced axes last, then one axis
        rows = x.transpose(order).reshape(tuple(self.shape[k] for k in kept) + (-1,))
        last = rows.ndim - 1
        others = _exclusive_cumprod(rows, last) * _exclusive_cumprod(rows[..., ::-1],
                                                                     last)[..., ::-1]
        moved = others.reshape(tuple(self.shape[k] for k in order))
        return (g * moved.transpose(tuple(int(k) for k in np.argsort(order))),)


def _exclusive_cumprod(x: Any, axis: int) -> Any:
    """out_i = prod_{j < i} x_j along the last axis (1 for the first element)."""
    ones = np.ones(np.shape(constant(x))[:-1] + (1,), dtype=constant(x).dtype)
    if is_tensor(x):
        shifted = apply(Concatenate(axis), x._make(ones, None), x[..., :-1])
    else:
        shifted = np.concatenate([ones, x[..., :-1]], axis=axis)
    return _cumprod(shifted, axis)


def _accumulated(scan: Any, x: np.ndarray, axis: int) -> np.ndarray:
    """``scan`` (np.cumsum or np.cumprod) of float16/float32 accumulated in float64, each
    output rounded once, as PyTorch's CPU kernels (a float32 running product drifts an
    ulp per step otherwise); bool and integers in int64 (see ``accumulator``)."""
    if x.dtype in (np.float16, np.float32):
        return scan(x, axis=axis, dtype=np.float64).astype(x.dtype)
    return scan(x, axis=axis, dtype=accumulator(x.dtype))


class Cumsum(Function):
    """out_i = sum_{j <= i} x_j along ``axis``;  dx_j = sum_{i >= j} g_i (a reversed
    running sum, written as total - running + g)."""
    __slots__ = ("axis",)
    save_inputs = False

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x: np.ndarray) -> np.ndarray:
        return _accumulated(np.cumsum, x, self.axis)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g.sum(axis=self.axis, keepdims=True) - _cumsum(g, self.axis) + g,)


def _cumsum(x: Any, axis: int) -> Any:
    return apply(Cumsum(axis), x) if is_tensor(x) else np.cumsum(x, axis=axis)


class Cumprod(Function):
    """out_i = prod_{j <= i} x_j along ``axis``;  dx_j = sum_{i >= j} g_i out_i / x_j
    without zeros; with zeros, or a product that overflows (inf / inf), sum_{i >= j} g_i
    prod_{k <= i, k != j} x_k (O(n^2))."""
    __slots__ = ("axis",)
    save_output = True

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x: np.ndarray) -> np.ndarray:
        return _accumulated(np.cumprod, x, self.axis)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        axis, x_const = self.axis, constant(x)
        if (x_const != 0).all() and np.isfinite(constant(out)).all():
            gout = g * out
            after = gout.sum(axis=axis, keepdims=True) - _cumsum(gout, axis) + gout
            return (after / x,)
        n = x_const.shape[axis]
        position = np.arange(n).reshape((n,) + (1,) * (x_const.ndim - axis - 1))
        grad = None
        for j in range(n):  # the product without x_j, from j on
            partial = _cumprod(where(position == j, 1.0, x), axis)
            term = where(position >= j, g * partial, 0.0).sum(axis=axis, keepdims=True)
            term = where(position == j, term, 0.0)
            grad = term if grad is None else grad + term
        return (grad,)


def _cumprod(x: Any, axis: int) -> Any:
    return apply(Cumprod(axis), x) if is_tensor(x) else np.cumprod(x, axis=axis)


class Norm2(_Reduction):
    """out = sqrt(sum of x^2 over axes), computed as m sqrt(sum (x / m)^2) with m the
    largest |x|, so that x^2 neither overflows (|x| > 256 in float16, 1.8e19 in float32)
    nor underflows to 0;  dx = g x / out, and 0 where out = 0 (as PyTorch; NaN where
    out is NaN, not 0)."""
    __slots__ = ()
    save_output = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._start(x)
        largest = np.max(np.abs(x), axis=self.axis, keepdims=True, initial=0)
        scale = np.where(np.isfinite(largest) & (largest > 0), largest, 1).astype(x.dtype)
        scaled = x / scale
        out = np.sqrt(np.sum(scaled * scaled, axis=self.axis, keepdims=True)) * scale
        return out if self.keepdims else np.squeeze(out, axis=self.axis)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        g, out = self._expand(g), self._expand(out)
        nonzero = constant(out) != 0  # also where out is NaN: a NaN x gets a NaN gradient
        with np.errstate(invalid="ignore"):  # inf / inf where x holds inf: NaN
            return (where(nonzero, x / where(nonzero, out, 1.0) * g, 0.0),)  # x/out <= 1


def _axis_or_flat(x: T, axis: Any, op: str) -> tuple[T, int]:
    """x and one axis; the flattened x and axis 0 for None (as NumPy's scans)."""
    if axis is None:
        return x.reshape(-1), 0
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise AxisError(f"{op}: axis must be a single int or None; got {axis!r}")
    if x.ndim == 0:
        return x.reshape(1), single_axis(axis, 1, op)
    return x, single_axis(axis, x.ndim, op)


def cumsum(x: T, axis: Any) -> T:
    """Running sum along ``axis`` (of the flattened tensor when None), as ``np.cumsum``;
    float16/float32 accumulate in float64, as PyTorch's (see ``_accumulated``)."""
    x, axis = _axis_or_flat(x, axis, "cumsum")
    return apply(Cumsum(axis), x)


def cumprod(x: T, axis: Any) -> T:
    """Running product along ``axis`` (flattened when None), as ``np.cumprod``;
    float16/float32 accumulate in float64, as PyTorch's."""
    x, axis = _axis_or_flat(x, axis, "cumprod")
    return apply(Cumprod(axis), x)


def norm(x: T, ord: Any, axis: Any, keepdims: bool) -> T:  # noqa: A002
    """The vector norm over ``axis`` (all elements when None), as
    ``torch.linalg.vector_norm``: ord 2 (or None, or "fro": the Frobenius norm of a
    matrix) sqrt(sum x^2), any other real p != 0 (sum |x|^p)^(1/p) (1: sum |x|; p < 0
    is 0 where an entry is 0), 0 the count of nonzeros (gradient 0), inf max |x|, -inf
    min |x| (NaN with a NaN entry; the other entries then get gradient 0, as PyTorch's).
    At x_i = 0 the gradient is 0, as PyTorch (a subgradient for p <= 1). Integer and bool
    tensors give float64, as NumPy's. "nuc" is ``torch.norm``'s nuclear norm (the sum of
    the singular values) of a matrix, or of each over the pair ``axis``."""
    if isinstance(ord, str) and ord == "nuc":  # torch.norm(A, p="nuc"): over all axes,
        dims = tuple(range(x.ndim)) if axis is None else axis  # or dim, a pair of them
        return matrix_norm(x, "nuc", dims, keepdims, name="norm (p='nuc')")
    if ord is None or ord == "fro":
        ord = 2
    if isinstance(ord, str) or not isinstance(ord, (int, float, np.integer, np.floating)) \
            or np.isnan(ord):
        raise NormOrderError(
            f"norm: ord must be a real number p (0, inf and -inf too), 'fro' or None; got "
            f"{ord!r}. norm(x, p, axis) is the vector norm of the entries over the axes (and "
            f"'nuc' the nuclear norm); for other matrix norms (the spectral norm 2, ...) use "
            f"autograd.linalg.matrix_norm(x, ord, dim=(-2, -1)).")
    if x.dtype.kind != "f":  # as NumPy's: |x| of int8's -128 and a count in bool or
        x = x._make(x.data.astype(np.float64), None)  # int8 would wrap
    if ord == 2:
        return apply(Norm2(axis, keepdims), x)
    if ord == 1:
        return apply(Sum(axis, keepdims), apply(Abs(), x))
    if ord == np.inf:
        return apply(Max(axis, keepdims, nan_takes_gradient=True), apply(Abs(), x))
    if ord == -np.inf:
        return apply(Min(axis, keepdims, nan_takes_gradient=True), apply(Abs(), x))
    if ord == 0:
        return apply(CountNonzero(axis, keepdims), x)
    return apply(NormP(float(ord), axis, keepdims), x)


class NormP(_Reduction):
    """out = (sum |x|^p)^(1/p) over axes (p real, not 0), computed as
    m (sum (|x| / m)^p)^(1/p) with m the largest |x| (p > 0) or the smallest (p < 0),
    so that no term overflows or underflows to 0;  dx = g sign(x) (|x| / out)^(p-1),
    and 0 where x = 0 or out = 0 (as PyTorch; for p < 0, out is 0 if some x is 0), NaN
    where out is NaN."""
    __slots__ = ("p",)
    save_output = True

    def __init__(self, p: float, axis: Any, keepdims: bool) -> None:
        super().__init__(axis, keepdims)
        self.p = p

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._start(x)
        size = np.abs(x)
        if self.p > 0:
            m = np.max(size, axis=self.axis, keepdims=True, initial=0)
        else:  # an empty min has no value, as PyTorch's
            _check_not_empty("norm", x, self.axis)
            m = np.min(size, axis=self.axis, keepdims=True, initial=np.inf)
        scale = np.where(np.isfinite(m) & (m > 0), m, 1).astype(size.dtype)
        with np.errstate(divide="ignore"):  # 0 ** p for p < 0 is inf: out is 0
            terms = np.sum((size / scale) ** self.p, axis=self.axis, keepdims=True)
            out = terms ** (1 / self.p) * scale
        return out if self.keepdims else np.squeeze(out, axis=self.axis)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        g, out = self._expand(g), self._expand(out)
        nan_out = np.isnan(constant(out))  # a NaN norm gives NaN everywhere, as PyTorch
        used = ((constant(x) != 0) | nan_out) & (constant(out) != 0)
        safe_x, safe_out = where(used, x, 1.0), where(used, out, 1.0)
        with np.errstate(invalid="ignore", divide="ignore"):  # x holds inf: inf / inf is
            ratio = abs(safe_x) / safe_out  # NaN there, and 0 ** (p - 1) inf elsewhere
            return (where(used, g * np.sign(safe_x) * ratio ** (self.p - 1), 0.0),)


class CountNonzero(_Reduction):
    """out = the number of nonzero x over axes (the "0-norm", in x's dtype);  dx = 0."""
    __slots__ = ()
    save_inputs = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._start(x)
        count = np.count_nonzero(x, axis=self.axis, keepdims=self.keepdims)
        return np.asarray(count).astype(x.dtype)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        zeros = np.zeros(self.shape, dtype=constant(g).dtype)
        return (lift_like(g, zeros) if is_tensor(g) else zeros,)


def argfunction(numpy_function: Any, x: T, axis: Any, keepdims: bool, op: str) -> T:
    """``np.argmax``/``np.argmin`` of x as an integer tensor without gradient; over an
    empty axis a ``ShapeError`` (a ValueError, as NumPy's), as ``max``; of a bool tensor a
    ``DTypeError``, as PyTorch's (``max(dim=)`` gives a mask's indices)."""
    refuse_bool_input(op, x.dtype, f"Convert first: x.long().{op}(), or x.nonzero() for "
                                   f"the positions of True.")
    axes = normalize_axis(axis, x.ndim, op, scalar=True)
    if axis is not None and x.ndim == 0:  # its one element (PyTorch's dim 0 or -1): index 0
        axis = None
    elif axis is not None:
        if len(axes) != 1:
            raise AxisError(f"{op}: axis must be a single int or None; got {axis!r}")
        axis = axes[0]
    _check_not_empty(op, x.data, axes)
    return x._make(np.asarray(numpy_function(x.data, axis=axis, keepdims=keepdims)), None)


def argsort(x: T, axis: Any, descending: bool) -> T:
    """The indices that sort x along ``axis`` (flattened when None), stable; an integer
    tensor without gradient. ``descending`` is the ascending order of the reversed axis,
    reversed (not the order of -x, which wraps unsigned and bool has not): equal values
    keep their order and NaN comes first, as PyTorch's."""
    if x.ndim == 0 and axis in (0, -1):  # its one element, as PyTorch's dim 0 or -1
        return x._make(np.zeros((), np.intp), None)
    data = x.data.reshape(-1) if axis is None else x.data
    axis = single_axis(0 if axis is None else axis, data.ndim, "argsort")
    if not descending:
        return x._make(stable_argsort(data, axis), None)
    flipped = stable_argsort(np.flip(data, axis), axis)
    return x._make(data.shape[axis] - 1 - np.flip(flipped, axis), None)


def sort(x: T, axis: Any, descending: bool) -> T:
    """The values of x sorted along ``axis`` (flattened when None), as ``np.sort``."""
    return sort_with_indices(x, axis, descending)[0]


def sort_with_indices(x: T, axis: Any, descending: bool) -> tuple[T, T]:
    """(values, indices): x sorted along ``axis`` (flattened when None) and ``argsort``'s
    indices; each sorted value's gradient goes back to the element it came from."""
    indices = argsort(x, axis, descending)
    if x.ndim == 0 and axis in (0, -1):  # its one element, as PyTorch's dim 0 or -1
        return x.reshape(()), indices
    if axis is None:
        return in_order(x.reshape(-1), indices.data, 0), indices
    return in_order(x, indices.data, single_axis(axis, x.ndim, "sort")), indices


class InOrder(Function):
    """out = x with each row along ``axis`` put in ``order`` (a permutation of it, as
    argsort gives);  dx = g put back, which for a permutation is a gather by the inverse
    order (a general ``take_along_axis`` scatter-adds instead: 3x slower on (128, 256))."""
    __slots__ = ("order", "inverse", "axis")
    save_inputs = False

    def __init__(self, order: np.ndarray, axis: int) -> None:
        self.order, self.axis = order, axis
        positions = np.arange(order.shape[axis]).reshape(
            (-1,) + (1,) * (order.ndim - axis - 1))
        self.inverse = np.empty_like(order)
        np.put_along_axis(self.inverse, order, np.broadcast_to(positions, order.shape), axis)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.take_along_axis(x, self.order, self.axis)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        if is_tensor(g):  # create_graph: the gather as a recorded op
            return (take_along_axis(g, self.inverse, self.axis),)
        return (np.take_along_axis(g, self.inverse, self.axis),)


def in_order(x: T, order: np.ndarray, axis: int) -> T:
    """x's rows along ``axis`` in ``order``, a permutation of each (``InOrder``)."""
    return apply(InOrder(np.asarray(order), axis), x)
