"""NumPy's order statistics on Tensors, with NumPy's arguments and results:
``np.median nanmedian quantile nanquantile percentile nanpercentile`` (the rows of
``interop.FUNCTIONS``; ``interop`` matches their arguments by NumPy's own signature and
handles ``out=``) and ``np.maximum.accumulate`` / ``np.minimum.accumulate`` (the running
extremes of ``cummax``/``cummin``, along axis 0 by default, as NumPy's).

Values are NumPy's (the mean of the two middle values for an even count; NaN in a
slice makes its median or quantile NaN); the gradient is that of ``order_methods``.
``overwrite_input`` is accepted and changes nothing (a Tensor is never overwritten).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import AxisError, UsageError
from .order_methods import numpy_median, quantile_of, running_extreme

__all__ = ["median", "nanmedian", "quantile", "nanquantile", "percentile", "nanpercentile",
           "ACCUMULATE"]

AnyTensor = Any


def median(a: AnyTensor, axis: Any = None, overwrite_input: bool = False,
           keepdims: bool = False) -> AnyTensor:
    """``np.median``."""
    return numpy_median(a, axis, keepdims, False, "median")


def nanmedian(a: AnyTensor, axis: Any = None, overwrite_input: bool = False,
              keepdims: bool = False) -> AnyTensor:
    """``np.nanmedian``."""
    return numpy_median(a, axis, keepdims, True, "nanmedian")


def _method(method: str, interpolation: str | None, weights: Any, name: str) -> str:
    """NumPy's ``method`` (its deprecated ``interpolation`` too); ``weights`` refused."""
    if weights is not None:
        raise UsageError(f"np.{name}(t, q, weights=...) has no differentiable version; "
                         f"np.{name}(t.data, q, weights=...) computes it untracked")
    if interpolation is not None and method != "linear":
        raise UsageError(f"np.{name}: got both method= and interpolation=; pass method=")
    return interpolation if interpolation is not None else method


def quantile(a: AnyTensor, q: Any, axis: Any = None, overwrite_input: bool = False,
             method: str = "linear", keepdims: bool = False, *, weights: Any = None,
             interpolation: str | None = None) -> AnyTensor:
    """``np.quantile``: q in [0, 1]."""
    return quantile_of(a, q, axis, keepdims, _method(method, interpolation, weights,
                                                        "quantile"),
                          False, True, "quantile")


def nanquantile(a: AnyTensor, q: Any, axis: Any = None, overwrite_input: bool = False,
                method: str = "linear", keepdims: bool = False, *, weights: Any = None,
                interpolation: str | None = None) -> AnyTensor:
    """``np.nanquantile``: q in [0, 1], NaN skipped."""
    return quantile_of(a, q, axis, keepdims, _method(method, interpolation, weights,
                                                        "nanquantile"),
                          True, True, "nanquantile")


def percentile(a: AnyTensor, q: Any, axis: Any = None, overwrite_input: bool = False,
               method: str = "linear", keepdims: bool = False, *, weights: Any = None,
               interpolation: str | None = None) -> AnyTensor:
    """``np.percentile``: q in [0, 100]."""
    return quantile_of(a, q, axis, keepdims, _method(method, interpolation, weights,
                                                        "percentile"),
                          False, True, "percentile", scale=100.0)


def nanpercentile(a: AnyTensor, q: Any, axis: Any = None, overwrite_input: bool = False,
                  method: str = "linear", keepdims: bool = False, *, weights: Any = None,
                  interpolation: str | None = None) -> AnyTensor:
    """``np.nanpercentile``: q in [0, 100], NaN skipped."""
    return quantile_of(a, q, axis, keepdims, _method(method, interpolation, weights,
                                                        "nanpercentile"),
                          True, True, "nanpercentile", scale=100.0)


def _accumulate(largest: bool) -> Any:
    name = f"np.{'maximum' if largest else 'minimum'}.accumulate"

    def accumulate(array: AnyTensor, axis: Any = 0, dtype: Any = None) -> AnyTensor:
        """The running extreme along ``axis`` (``cummax``'s values)."""
        if dtype is not None:
            raise UsageError(f"{name}(t, dtype=...) has no differentiable version; convert "
                             f"first: {name}(t.astype(dtype))")
        if array.ndim == 0:
            raise UsageError(f"{name}: cannot accumulate on a 0-d tensor (NumPy refuses a "
                             f"scalar too); reshape it: t.reshape(1)")
        if axis is None or isinstance(axis, (tuple, list)):
            raise AxisError(f"{name}: axis must be one int, as NumPy's accumulate; got "
                            f"{axis!r}")
        return running_extreme(array, axis, largest, name).values
    return accumulate


#: ``np.maximum.accumulate`` and ``np.minimum.accumulate`` by their ufunc
ACCUMULATE = {np.maximum: _accumulate(True), np.minimum: _accumulate(False)}
