"""NumPy's functions of ``set_methods`` on Tensors, with NumPy's arguments and results:
``np.nonzero np.argwhere np.count_nonzero np.unique np.searchsorted np.bincount
np.histogram`` (constant int64 results; ``np.unique``'s values refuse a backward pass)
and ``np.diff np.cross np.kron np.trapezoid`` (differentiable). ``autograd.interop``
dispatches to them (its ``FUNCTIONS`` table); they sit below the Tensor class.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import ShapeError, UsageError
from .ops import geometry, sets
from .ops.generic import is_tensor
from .ops.reductions import single_axis
from .set_methods import numpy_bincount

__all__ = ["numpy_nonzero", "numpy_argwhere", "numpy_count_nonzero", "numpy_unique",
           "numpy_diff", "numpy_cross", "numpy_kron", "numpy_searchsorted",
           "numpy_bincount", "numpy_histogram", "numpy_trapezoid"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


def _tensors(*values: Any) -> list:
    """``values`` as Tensors (None stays None), made like the first Tensor among them."""
    like = next(v for v in values if is_tensor(v))
    return [v if v is None or is_tensor(v) else like._lift(v) for v in values]


def numpy_nonzero(a: Any) -> tuple:
    """``np.nonzero``: one int64 Tensor of positions per axis (as NumPy 2, a 0-d input
    is an error)."""
    if a.ndim == 0:
        raise ShapeError("np.nonzero of a 0-d tensor is not allowed (as in NumPy 2): use "
                         "np.nonzero(np.atleast_1d(t)) or t.reshape(1)")
    return sets.nonzero_tuple(a, "np.nonzero")


def numpy_argwhere(a: Any) -> AnyTensor:
    """``np.argwhere``: an (n, ndim) int64 Tensor of the nonzero positions."""
    return sets.argwhere(a)


def numpy_count_nonzero(a: Any, axis: Any = None, *, keepdims: bool = False) -> AnyTensor:
    """``np.count_nonzero``: an int64 Tensor (0-d for every axis), ``axis=()`` reducing
    none, as NumPy."""
    return sets.count_nonzero(a, axis, keepdims, "np.count_nonzero")


def numpy_unique(ar: Any, return_index: bool = False, return_inverse: bool = False,
                 return_counts: bool = False, axis: Any = None, *, equal_nan: bool = True,
                 sorted: bool = True) -> Any:  # noqa: A002
    """``np.unique``: the sorted distinct values (NaNs as one), then the first indices,
    the inverse (ar's shape for axis None, as NumPy 2) and the counts that are asked
    for, in NumPy's order."""
    return sets.unique(ar, return_index, return_inverse, return_counts, axis, equal_nan,
                       "np.unique")


def numpy_diff(a: Any, n: int = 1, axis: int = -1, prepend: Any = None,
               append: Any = None) -> AnyTensor:
    """``np.diff``: the n-th forward difference along ``axis``, differentiable."""
    return geometry.diff(a, n, axis, prepend, append, "np.diff")


def numpy_cross(a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1,
                axis: Any = None) -> AnyTensor:
    """``np.cross``: the vectors of a along ``axisa``, of b along ``axisb``, the result's
    along ``axisc`` (``axis`` sets all three); 3-vectors only (NumPy 2 deprecates 2)."""
    a, b = _tensors(a, b)
    if axis is not None:
        axisa = axisb = axisc = axis
    for name, t in (("a", a), ("b", b)):
        if t.ndim == 0:
            raise ShapeError(f"np.cross: {name} must hold vectors; got a 0-d tensor")
    a = geometry.move_axis(a, single_axis(axisa, a.ndim, "np.cross"), a.ndim - 1)
    b = geometry.move_axis(b, single_axis(axisb, b.ndim, "np.cross"), b.ndim - 1)
    out = geometry.cross(a, b, -1, "np.cross")
    return geometry.move_axis(out, out.ndim - 1, single_axis(axisc, out.ndim, "np.cross"))


def numpy_kron(a: Any, b: Any) -> AnyTensor:
    """``np.kron``: the Kronecker product, differentiable."""
    return geometry.kron(*_tensors(a, b))


def numpy_searchsorted(a: Any, v: Any, side: str = "left", sorter: Any = None) -> AnyTensor:
    """``np.searchsorted``: where each of v goes into the sorted 1-d a (int64)."""
    a, v = _tensors(a, v)
    if a.ndim != 1:
        raise ShapeError(f"np.searchsorted: a must be 1-d (as NumPy's); got shape {a.shape}. "
                         f"autograd.searchsorted searches the rows of an N-d sequence")
    return sets.searchsorted(a, v, _right(side, "np.searchsorted"), sorter, "np.searchsorted")


def _right(side: Any, op: str) -> bool:
    if side not in ("left", "right"):
        raise UsageError(f"{op}: side must be 'left' or 'right'; got {side!r}")
    return side == "right"


def numpy_histogram(a: Any, bins: Any = 10, range: Any = None,  # noqa: A002
                    density: Any = None, weights: Any = None) -> tuple:
    """``np.histogram``: (counts, bin edges) as constant Tensors of NumPy's dtypes; no
    gradient flows, so weights that require grad are refused."""
    if getattr(weights, "requires_grad", False):
        raise UsageError("np.histogram(t, weights=w): the weighted counts have no gradient "
                         "here; pass w.detach(), or use np.bincount(bin_index, w), which "
                         "is differentiable in w")
    plain = [getattr(v, "data", v) for v in (a, bins, weights)]
    counts, edges = np.histogram(plain[0], plain[1], range, density, plain[2])
    return a._make(counts, None), a._make(edges, None)


def numpy_trapezoid(y: Any, x: Any = None, dx: float = 1.0, axis: int = -1) -> AnyTensor:
    """``np.trapezoid``: the trapezoidal rule along ``axis``, differentiable in y and x."""
    y, x = _tensors(y, x)
    return geometry.trapezoid(y, x, None if x is not None else dx, axis, "np.trapezoid")
