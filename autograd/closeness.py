"""``close_arrays``: the elementwise test of ``isclose``/``allclose`` (``torch_methods``),
as PyTorch's: x and y are close where x == y, or where |x - y| is finite and at most
atol + rtol |y|. An infinity is thus close only to the same infinity, whatever the
tolerances (NumPy's ``np.isclose`` calls inf close to 0 with atol=inf, and warns)."""

from __future__ import annotations

import numpy as np

__all__ = ["close_arrays"]


def _error_dtype(x: np.ndarray, y: np.ndarray) -> np.dtype:
    """The dtype |x - y| is computed in: the floats' promotion, float64 for integers (no
    wrap-around of int8 differences)."""
    dtype = np.result_type(x, y)
    return dtype if dtype.kind == "f" else np.dtype(np.float64)


def close_arrays(x: np.ndarray, y: np.ndarray, rtol: float, atol: float,
                 equal_nan: bool) -> np.ndarray:
    """A boolean array, broadcast: x == y, or |x - y| finite and <= atol + rtol |y|;
    NaN is close to NaN only with ``equal_nan``. No NumPy warnings (inf - inf, or an
    overflowing rtol |y|, count as not close)."""
    close = np.asarray(x == y)
    if equal_nan:
        close = close | (np.isnan(x) & np.isnan(y))
    dtype = _error_dtype(x, y)
    x, y = x.astype(dtype, copy=False), y.astype(dtype, copy=False)
    with np.errstate(all="ignore"):
        error = np.abs(x - y)
        allowed = atol + np.abs(rtol * y)
        return close | (np.isfinite(error) & (error <= allowed))
