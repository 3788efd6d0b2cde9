"""More of NumPy's functions on Tensors, with NumPy's arguments and results, each a
composition of differentiable ops: ``np.split np.array_split np.append np.take
np.meshgrid np.inner np.average np.ptp np.fliplr np.flipud np.rot90 np.fabs np.exp2
np.linalg.multi_dot np.linalg.matrix_power np.cov np.corrcoef``, and the elementwise
``np.sinc np.fix np.trunc np.deg2rad np.rad2deg np.radians np.degrees np.hypot
np.copysign np.fmod`` (the Tensor methods of ``elementwise_methods``), ``np.fmax np.fmin
np.nextafter np.frexp`` (of ``elementwise_more_methods``), ``np.conj np.real np.imag
np.isreal``.
NumPy-style programs (HIPS autograd's users) reach for them; ``autograd.interop``
dispatches to them (its ``FUNCTIONS`` and ``UFUNCS`` tables); they sit below the Tensor
class.
"""

from __future__ import annotations

import functools
import operator
from typing import Any, Sequence

import numpy as np

from .decomposition_methods import covariance
from .elementwise_methods import ElementwiseMethods as Elementwise
from .elementwise_more_methods import ElementwiseMoreMethods as ElementwiseMore
from .errors import ShapeError, UsageError, ZeroWeightsError
from .ops import linalg_more
from .ops.generic import is_tensor
from .ops.reductions import single_axis
from .numpy_stacking import tensors_like
from .tensor_math import concatenate

__all__ = ["numpy_split", "numpy_array_split", "numpy_append", "numpy_take",
           "numpy_meshgrid", "numpy_inner", "numpy_average", "numpy_ptp", "numpy_fliplr",
           "numpy_flipud", "numpy_rot90", "numpy_exp2", "numpy_multi_dot",
           "numpy_matrix_power", "numpy_cov", "numpy_corrcoef", "numpy_nansum",
           "numpy_nanmean", "numpy_conjugate", "numpy_real", "numpy_imag", "numpy_isreal",
           "FUNCTIONS", "UFUNCS"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


def _along(axis: int, ndim: int, piece: Any) -> tuple:
    """An index that applies ``piece`` (a slice or an index array) to axis ``axis``."""
    return (slice(None),) * axis + (piece,) + (slice(None),) * (ndim - axis - 1)


def _pieces(ary: AnyTensor, bounds: Sequence[int], axis: int) -> list:
    axis = single_axis(axis, ary.ndim, "np.split")
    edges = [0, *bounds, ary.shape[axis]]
    return [ary[_along(axis, ary.ndim, slice(a, max(a, b)))]
            for a, b in zip(edges[:-1], edges[1:])]


def numpy_array_split(ary: AnyTensor, indices_or_sections: Any, axis: int = 0) -> list:
    """``np.array_split``: N near-equal parts (the first n % N one longer), or the parts
    between the given indices; a list of Tensors, each a differentiable slice."""
    if isinstance(indices_or_sections, (int, np.integer)):
        sections = int(indices_or_sections)
        if sections <= 0:
            raise UsageError(f"np.array_split: the number of sections must be at least 1; "
                             f"got {sections}")
        n = ary.shape[single_axis(axis, ary.ndim, "np.array_split")]
        sizes = [n // sections + (1 if i < n % sections else 0) for i in range(sections)]
        return _pieces(ary, list(np.cumsum(sizes[:-1])), axis)
    return _pieces(ary, [int(i) for i in indices_or_sections], axis)


def numpy_split(ary: AnyTensor, indices_or_sections: Any, axis: int = 0) -> list:
    """``np.split``: as ``array_split``, but N sections must divide the axis evenly."""
    if isinstance(indices_or_sections, (int, np.integer)):
        n = ary.shape[single_axis(axis, ary.ndim, "np.split")]
        if indices_or_sections <= 0 or n % indices_or_sections:
            raise ShapeError(f"np.split: an axis of length {n} does not split into "
                             f"{indices_or_sections} equal parts; use np.array_split")
    return numpy_array_split(ary, indices_or_sections, axis)


def numpy_append(arr: AnyTensor, values: Any, axis: Any = None) -> AnyTensor:
    """``np.append``: both flattened and joined (axis None), or joined along ``axis``."""
    arr, values = tensors_like([arr, values])
    if axis is None:
        return concatenate([arr.reshape(-1), values.reshape(-1)], 0)
    return concatenate([arr, values], axis)


def numpy_take(a: AnyTensor, indices: Any, axis: Any = None, out: Any = None,
               mode: str = "raise") -> AnyTensor:
    """``np.take``: elements of the flattened ``a`` (axis None) or slices along ``axis``
    at integer ``indices`` (a repeated index adds its gradients)."""
    if mode != "raise":
        raise UsageError(f"np.take(..., mode={mode!r}) has no differentiable version: "
                         f"wrap or clip the indices first (np.mod, np.clip)")
    indices = indices.data if is_tensor(indices) else np.asarray(indices)
    if axis is None:
        return a.reshape(-1)[indices]
    axis = single_axis(axis, a.ndim, "np.take")
    return a[_along(axis, a.ndim, indices)]


def numpy_meshgrid(*xi: Any, copy: bool = True, sparse: bool = False,
                   indexing: str = "xy") -> tuple:
    """``np.meshgrid``: coordinate grids from 1-d inputs; "xy" (NumPy's default) swaps the
    first two axes of the result, "ij" keeps them (``sparse`` gives the unbroadcast
    shapes)."""
    if indexing not in ("xy", "ij"):
        raise UsageError(f"np.meshgrid: indexing must be 'xy' or 'ij'; got {indexing!r}")
    tensors = tensors_like(xi)
    n = len(tensors)
    shapes = [[1] * n for _ in tensors]
    for i, t in enumerate(tensors):
        shapes[i][i] = t.size
    if indexing == "xy" and n > 1:
        for s in shapes:
            s[0], s[1] = s[1], s[0]
    grids = [t.reshape(tuple(s)) for t, s in zip(tensors, shapes)]
    if sparse:
        return tuple(grids)
    full = np.broadcast_shapes(*(g.shape for g in grids))
    return tuple(g.broadcast_to(full) for g in grids)


def numpy_inner(a: AnyTensor, b: AnyTensor) -> AnyTensor:
    """``np.inner``: the sum over the last axes, of shape a.shape[:-1] + b.shape[:-1]."""
    a, b = (a, a._lift(b)) if is_tensor(a) else (b._lift(a), b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    return linalg_more.tensordot(a, b, axes=([a.ndim - 1], [b.ndim - 1]))


def numpy_average(a: AnyTensor, axis: Any = None, weights: Any = None,
                  returned: bool = False, *, keepdims: bool = False) -> Any:
    """``np.average``: the mean, or sum(a w) / sum(w) along ``axis`` (1-d weights
    along one axis, as NumPy); with ``returned`` also the sum of the weights. Weights
    whose sum is 0 are a ``UsageError`` (NumPy's ZeroDivisionError), never NaN."""
    if weights is None:
        avg = a.mean(axis=axis, keepdims=keepdims)
        count = a._lift(np.full(avg.shape, a.size / max(avg.size, 1), dtype=avg.dtype))
        return (avg, count) if returned else avg
    w = weights if is_tensor(weights) else a._lift(np.asarray(weights, dtype=a.dtype))
    if w.shape != a.shape:
        if axis is None or w.ndim != 1 or isinstance(axis, tuple):
            raise ShapeError(f"np.average: weights of shape {w.shape} differ from a's "
                             f"{a.shape}; give 1-d weights with one axis, as NumPy")
        axis_ = single_axis(axis, a.ndim, "np.average")
        w = w.reshape(tuple(-1 if i == axis_ else 1 for i in range(a.ndim)))
    total = w.broadcast_to(a.shape).sum(axis=axis, keepdims=keepdims)
    if np.any(total.data == 0):
        raise ZeroWeightsError("np.average: the weights sum to zero (for at least one "
                               "average), so they cannot be normalized (a ZeroDivisionError, "
                               "as NumPy's); give weights with a non-zero sum")
    avg = (a * w).sum(axis=axis, keepdims=keepdims) / total
    return (avg, total) if returned else avg


def numpy_ptp(a: AnyTensor, axis: Any = None, out: Any = None,
              keepdims: bool = False) -> AnyTensor:
    """``np.ptp``: max - min (ties share the gradient, as max and min)."""
    return a.max(axis=axis, keepdims=keepdims) - a.min(axis=axis, keepdims=keepdims)


def numpy_fliplr(m: AnyTensor) -> AnyTensor:
    """``np.fliplr``: the columns (axis 1) reversed."""
    return m.flip(axis=1)


def numpy_flipud(m: AnyTensor) -> AnyTensor:
    """``np.flipud``: the rows (axis 0) reversed."""
    return m.flip(axis=0)


def numpy_rot90(m: AnyTensor, k: int = 1, axes: Sequence[int] = (0, 1)) -> AnyTensor:
    """``np.rot90``: rotated by 90 degrees k times, from the first axis towards the
    second (a flip and a swap of the two axes per quarter turn). Always a new tensor, as
    PyTorch's: for k % 4 == 0 a copy of m (``clone``, through which the gradient flows),
    never m itself, so a write into the result leaves m as it was."""
    if len(axes) != 2:
        raise UsageError(f"np.rot90: axes must name two axes; got {tuple(axes)}")
    first, second = (single_axis(a, m.ndim, "np.rot90") for a in axes)  # in order
    if first == second:
        raise UsageError("np.rot90: the two axes must differ")
    k %= 4
    if k == 2:
        return m.flip(axis=first).flip(axis=second)
    if k == 1:
        return m.flip(axis=second).swapaxes(first, second)
    if k == 3:
        return m.swapaxes(first, second).flip(axis=second)
    return m.clone()


def numpy_exp2(x: AnyTensor) -> AnyTensor:
    """``np.exp2``: 2^x = e^(x ln 2)."""
    return (x * np.log(2.0)).exp()


def numpy_multi_dot(arrays: Sequence[Any], *, out: Any = None) -> AnyTensor:
    """``np.linalg.multi_dot``: the product of the chain, left to right (NumPy picks the
    cheapest order; the value is the same)."""
    if len(arrays) < 2:
        raise UsageError("np.linalg.multi_dot needs at least two arrays")
    return functools.reduce(operator.matmul, tensors_like(arrays))


def numpy_matrix_power(a: AnyTensor, n: int) -> AnyTensor:
    """``np.linalg.matrix_power``: a @ a @ ... (n times; the inverse's for n < 0)."""
    return a.matrix_power(n)


def _variables(m: Any, y: Any, rowvar: bool, dtype: Any) -> AnyTensor:
    """np.cov's rows of variables, by NumPy 2's rules: m as 2-d (a 1-d m is one row),
    transposed when not ``rowvar`` unless m is 1-d (so a (1, n) m gives n variables); y
    as 2-d, transposed when not ``rowvar`` unless it is a single row; y's rows below m's."""
    parts = tensors_like([m] if y is None else [m, y])
    rows = [p.reshape(1, -1) if p.ndim < 2 else p for p in parts]
    if not rowvar:
        rows[0] = rows[0] if parts[0].ndim == 1 else rows[0].mT
        rows[1:] = [p if p.shape[0] == 1 else p.mT for p in rows[1:]]
    joined = concatenate(rows, axis=0) if len(rows) > 1 else rows[0]
    return joined.astype(dtype) if dtype is not None else joined


def numpy_cov(m: Any, y: Any = None, rowvar: bool = True, bias: bool = False,
              ddof: Any = None, fweights: Any = None, aweights: Any = None, *,
              dtype: Any = None) -> AnyTensor:
    """``np.cov``: the covariance of the rows (columns if not ``rowvar``), divided by
    N - ddof (ddof 0 with ``bias``, else 1), ``torch.cov``'s formula with weights."""
    rows = _variables(m, y, rowvar, dtype)
    ddof = (0 if bias else 1) if ddof is None else ddof
    c = covariance(rows, ddof, fweights, aweights)
    return c.reshape(()) if c.shape == (1, 1) else c


def numpy_corrcoef(x: Any, y: Any = None, rowvar: bool = True, *,
                   dtype: Any = None) -> AnyTensor:
    """``np.corrcoef``: the Pearson correlations of the rows (``Tensor.corrcoef``)."""
    rows = _variables(x, y, rowvar, dtype)
    c = rows.corrcoef()
    return c.reshape(()) if c.shape == (1, 1) else c


def numpy_nansum(a: Any, axis: Any = None, dtype: Any = None, out: None = None,
                 keepdims: bool = False) -> AnyTensor:
    """``np.nansum``: the sum of the entries that are not NaN (``Tensor.nansum``)."""
    return a.nansum(axis, keepdims, dtype=dtype)


def numpy_nanmean(a: Any, axis: Any = None, dtype: Any = None, out: None = None,
                  keepdims: bool = False) -> AnyTensor:
    """``np.nanmean``: the mean of the entries that are not NaN (``Tensor.nanmean``);
    integers are averaged as float64, as NumPy does (PyTorch's method refuses them)."""
    if dtype is None and not a.is_floating_point():
        dtype = np.float64
    return a.nanmean(axis, keepdims, dtype=dtype)


def numpy_conjugate(x: AnyTensor) -> AnyTensor:
    """``np.conj``: a real tensor itself, as ``Tensor.conj``."""
    return x.conj()


def numpy_real(x: AnyTensor) -> AnyTensor:
    """``np.real``: a real tensor itself (``Tensor.real``)."""
    return x.real


def numpy_imag(x: AnyTensor) -> AnyTensor:
    """``np.imag``: zeros of x's shape and dtype, as NumPy's of a real array (a constant:
    its derivative is 0). ``x.imag`` is refused instead, as PyTorch's."""
    return x._make(np.zeros_like(x.data), None)


def numpy_isreal(x: AnyTensor) -> AnyTensor:
    """``np.isreal``: True everywhere (``Tensor.isreal``)."""
    return x.isreal()


def numpy_diagflat(v: AnyTensor, k: int = 0) -> AnyTensor:
    """``np.diagflat``: v flattened onto diagonal k of a square matrix (``Tensor.diagflat``)."""
    return v.diagflat(k)


def numpy_isposinf(x: AnyTensor) -> AnyTensor:
    """``np.isposinf``: where x is +inf, a constant mask (``Tensor.isposinf``)."""
    return x.isposinf()


def numpy_isneginf(x: AnyTensor) -> AnyTensor:
    """``np.isneginf``: where x is -inf, a constant mask (``Tensor.isneginf``)."""
    return x.isneginf()


def numpy_signbit(x: AnyTensor) -> AnyTensor:
    """``np.signbit``: where x's sign bit is set (-0.0 too), a constant mask."""
    return x.signbit()


def numpy_i0(x: AnyTensor) -> AnyTensor:
    """``np.i0``: the modified Bessel function I0, differentiable (``Tensor.i0``)."""
    return x.i0()


FUNCTIONS = {np.split: numpy_split, np.array_split: numpy_array_split,
             np.append: numpy_append, np.take: numpy_take, np.meshgrid: numpy_meshgrid,
             np.inner: numpy_inner, np.average: numpy_average, np.ptp: numpy_ptp,
             np.fliplr: numpy_fliplr, np.flipud: numpy_flipud, np.rot90: numpy_rot90,
             np.linalg.multi_dot: numpy_multi_dot,
             np.linalg.matrix_power: numpy_matrix_power, np.cov: numpy_cov,
             np.corrcoef: numpy_corrcoef, np.nansum: numpy_nansum, np.nanmean: numpy_nanmean,
             np.sinc: Elementwise.sinc, np.fix: Elementwise.trunc, np.i0: numpy_i0,
             np.diagflat: numpy_diagflat, np.isposinf: numpy_isposinf,
             np.isneginf: numpy_isneginf, np.real: numpy_real, np.imag: numpy_imag,
             np.isreal: numpy_isreal}
UFUNCS = {np.fabs: operator.abs, np.exp2: numpy_exp2, np.trunc: Elementwise.trunc,
          np.deg2rad: Elementwise.deg2rad, np.rad2deg: Elementwise.rad2deg,
          np.radians: Elementwise.deg2rad, np.degrees: Elementwise.rad2deg,
          np.hypot: Elementwise.hypot, np.copysign: Elementwise.copysign,
          np.fmod: Elementwise.fmod, np.conjugate: numpy_conjugate,
          np.signbit: numpy_signbit, np.fmax: ElementwiseMore.fmax,
          np.fmin: ElementwiseMore.fmin, np.nextafter: ElementwiseMore.nextafter,
          np.frexp: ElementwiseMore.frexp}
