"""NumPy's reductions that skip NaN, on Tensors, with NumPy's arguments and results:
``np.nanmax np.nanmin np.nanargmax np.nanargmin np.nanprod np.nancumsum np.nancumprod
np.nanvar np.nanstd`` (``np.nansum``, ``np.nanmean`` and the nan-quantiles are in
``numpy_more`` and ``order_numpy``). Each fills the NaN entries with the value that
changes nothing (-inf for a max, 1 for a product...) and reduces, so a NaN entry gets
gradient 0. A slice that is all NaN gives NaN, and for an argmax NumPy's ValueError.
``autograd.interop`` dispatches to these (``FUNCTIONS``); they sit below the Tensor class.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import DataError, UsageError
from .function import apply
from .ops.reductions import StdSqrt, normalize_axis

__all__ = ["numpy_nanmax", "numpy_nanmin", "numpy_nanargmax", "numpy_nanargmin",
           "numpy_nanprod", "numpy_nancumsum", "numpy_nancumprod", "numpy_nanvar",
           "numpy_nanstd", "FUNCTIONS"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


def _filled(a: AnyTensor, value: float) -> AnyTensor:
    """a with its NaN entries replaced by ``value`` (integer tensors hold no NaN)."""
    return a.masked_fill(a.isnan(), value) if a.is_floating_point() else a


def _refuse(name: str, **given: Any) -> None:
    """NumPy's ``out=``, ``initial=``, ``where=``... that have no differentiable version."""
    named = [k for k, v in given.items() if v is not None]
    if named:
        raise UsageError(f"np.{name}(t, {'=..., '.join(named)}=...) has no differentiable "
                         f"version: leave them out, or call np.{name}(t.data, ...) for an "
                         f"untracked NumPy result")


def _all_nan(a: AnyTensor, axis: Any, keepdims: bool) -> np.ndarray:
    """Where a slice holds nothing but NaN (a constant bool array)."""
    if not a.is_floating_point():
        return np.zeros((), dtype=bool)
    return np.isnan(a.data).all(axis=axis, keepdims=keepdims)


def _extreme(name: str, a: AnyTensor, axis: Any, keepdims: bool, fill: float) -> AnyTensor:
    result = getattr(_filled(a, fill), name[3:])(axis=axis, keepdims=keepdims)
    empty = _all_nan(a, axis, keepdims)
    if empty.any():  # NumPy: NaN there (and a RuntimeWarning)
        result = result.masked_fill(result._lift(empty), np.nan)
    return result


def numpy_nanmax(a: AnyTensor, axis: Any = None, out: Any = None, keepdims: bool = False,
                 initial: Any = None, where: Any = None) -> AnyTensor:
    """``np.nanmax``: the max of the entries that are not NaN (NaN for an all-NaN slice)."""
    _refuse("nanmax", out=out, initial=initial, where=where)
    return _extreme("nanmax", a, axis, keepdims, -np.inf)


def numpy_nanmin(a: AnyTensor, axis: Any = None, out: Any = None, keepdims: bool = False,
                 initial: Any = None, where: Any = None) -> AnyTensor:
    """``np.nanmin``: the min of the entries that are not NaN (NaN for an all-NaN slice)."""
    _refuse("nanmin", out=out, initial=initial, where=where)
    return _extreme("nanmin", a, axis, keepdims, np.inf)


def _arg_extreme(name: str, a: AnyTensor, axis: Any, keepdims: bool,
                 fill: float) -> AnyTensor:
    if _all_nan(a, axis, False).any():
        raise DataError(f"np.{name}: all-NaN slice encountered (as NumPy's ValueError): "
                        f"no entry to point at")
    return getattr(_filled(a, fill), name[3:])(axis=axis, keepdims=keepdims)


def numpy_nanargmax(a: AnyTensor, axis: Any = None, out: Any = None, *,
                    keepdims: bool = False) -> AnyTensor:
    """``np.nanargmax``: the position of the largest entry that is not NaN."""
    _refuse("nanargmax", out=out)
    return _arg_extreme("nanargmax", a, axis, keepdims, -np.inf)


def numpy_nanargmin(a: AnyTensor, axis: Any = None, out: Any = None, *,
                    keepdims: bool = False) -> AnyTensor:
    """``np.nanargmin``: the position of the smallest entry that is not NaN."""
    _refuse("nanargmin", out=out)
    return _arg_extreme("nanargmin", a, axis, keepdims, np.inf)


def numpy_nanprod(a: AnyTensor, axis: Any = None, dtype: Any = None, out: Any = None,
                  keepdims: bool = False, initial: Any = None, where: Any = None) -> AnyTensor:
    """``np.nanprod``: the product of the entries that are not NaN (1 for none)."""
    _refuse("nanprod", out=out, initial=initial, where=where)
    return _filled(a, 1.0).prod(axis=axis, keepdims=keepdims, dtype=dtype)


def numpy_nancumsum(a: AnyTensor, axis: Any = None, dtype: Any = None,
                    out: Any = None) -> AnyTensor:
    """``np.nancumsum``: the running sum with NaN counted as 0 (flattened when axis is
    None)."""
    _refuse("nancumsum", out=out)
    return _filled(a, 0.0).cumsum(axis=axis, dtype=dtype)


def numpy_nancumprod(a: AnyTensor, axis: Any = None, dtype: Any = None,
                     out: Any = None) -> AnyTensor:
    """``np.nancumprod``: the running product with NaN counted as 1."""
    _refuse("nancumprod", out=out)
    return _filled(a, 1.0).cumprod(axis=axis, dtype=dtype)


def numpy_nanvar(a: AnyTensor, axis: Any = None, dtype: Any = None, out: Any = None,
                 ddof: float = 0, keepdims: bool = False, *, where: Any = None,
                 mean: Any = None, correction: Any = None) -> AnyTensor:
    """``np.nanvar``: sum((x - m)^2) / (n - ddof) over the n entries that are not NaN, m
    their mean; NaN where n - ddof <= 0 (NumPy warns there too)."""
    _refuse("nanvar", out=out, where=where, mean=mean)
    if correction is not None:
        ddof = correction
    x = a if dtype is None else a.astype(dtype)
    if not x.is_floating_point():
        x = x.astype(np.float64)
    axes = None if axis is None else normalize_axis(axis, x.ndim, "np.nanvar")
    kept = ~x.isnan()
    count = kept.astype(x.dtype).sum(axis=axes, keepdims=True)
    filled = _filled(x, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):  # 0 / 0 for an all-NaN slice
        centred = (filled - filled.sum(axis=axes, keepdims=True) / count).masked_fill(
            ~kept, 0.0)
        variance = (centred * centred).sum(axis=axes, keepdims=True) / (count - ddof)
        variance = variance.masked_fill(count <= ddof, np.nan)
    return variance if keepdims else variance.squeeze(
        axis=tuple(range(x.ndim)) if axes is None else axes)


def numpy_nanstd(a: AnyTensor, axis: Any = None, dtype: Any = None, out: Any = None,
                 ddof: float = 0, keepdims: bool = False, *, where: Any = None,
                 mean: Any = None, correction: Any = None) -> AnyTensor:
    """``np.nanstd``: the square root of ``np.nanvar`` (gradient 0 where it is 0, as
    ``t.std()``'s)."""
    return apply(StdSqrt(), numpy_nanvar(a, axis, dtype, out, ddof, keepdims, where=where,
                                         mean=mean, correction=correction))


FUNCTIONS = {np.nanmax: numpy_nanmax, np.nanmin: numpy_nanmin,
             np.nanargmax: numpy_nanargmax, np.nanargmin: numpy_nanargmin,
             np.nanprod: numpy_nanprod, np.nancumsum: numpy_nancumsum,
             np.nancumprod: numpy_nancumprod, np.nanvar: numpy_nanvar,
             np.nanstd: numpy_nanstd}
