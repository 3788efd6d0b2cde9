"""The op table's rows for the order statistics (``op_table.CASES`` adds these):
``median quantile kthvalue mode cummax logcumsumexp`` in PyTorch's and NumPy's
spellings, against NumPy references (``nanmedian``, ``cummin``, ``percentile`` and
``np.maximum.accumulate`` share these rows' code; the test_order_*.py files check all
of them against torch and NumPy).

Inputs are distinct multiples of 0.1 (``domain("sort")``, drawn unique), so that no two
order statistics tie and a small step never changes which element is picked;
logcumsumexp is smooth and takes any values.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st

import autograd as ag
from autograd.testing import arrays, axes, domain, shapes
from op_case import Drawn, OpCase

__all__ = ["ORDER_CASES"]


def _distinct(shape: Any) -> st.SearchStrategy[np.ndarray]:
    return arrays(shape, elements=domain("sort"), unique=True)


@st.composite
def over_axes(draw: Callable, tuples: bool = True) -> Drawn:
    """One input, NumPy's ``axis`` (None, an int or a tuple) and ``keepdims``."""
    shape = draw(shapes(max_side=3))
    axis = draw(axes(len(shape), allow_tuple=tuples))
    if isinstance(axis, tuple) and not axis:
        axis = None  # an empty tuple reduces nothing: np.median refuses nothing, but moot
    return (draw(_distinct(shape)),), {"axis": axis, "keepdims": draw(st.booleans())}


@st.composite
def along_dim(draw: Callable, keepdim: bool = True) -> Drawn:
    """One input of at least one axis and PyTorch's ``dim`` (and ``keepdim``)."""
    shape = draw(shapes(min_dims=1, max_side=3))
    params = {"dim": draw(st.integers(-len(shape), len(shape) - 1))}
    if keepdim:
        params["keepdim"] = draw(st.booleans())
    return (draw(_distinct(shape)),), params


# q whose rank q (n - 1), n <= 27, is an integer or 0.01 away from one, in float32 too
# (a rank that rounds to an integer in float32 alone moves the midpoint's neighbours)
_Q = st.sampled_from([0.0, 0.13, 0.25, 0.37, 0.5, 0.71, 0.94, 1.0])
QS = _Q | st.lists(_Q, min_size=1, max_size=3)


@st.composite
def quantile_inputs(draw: Callable, tuples: bool = True) -> Drawn:
    (x,), params = draw(over_axes(tuples))
    return (x,), {"q": draw(QS), **params}


def _lower_median(x: np.ndarray) -> np.ndarray:
    flat = np.sort(x.reshape(-1))
    return np.asarray(flat[(flat.size - 1) // 2])


def _along(ref: Callable) -> Callable:
    """A NumPy reference for one row (the last axis) made to run along ``dim``."""
    def along(x: np.ndarray, dim: int, keepdim: bool = False) -> np.ndarray:
        result = ref(np.moveaxis(x, dim, -1))
        return np.expand_dims(result, dim) if keepdim else result
    return along


def _kth(x: np.ndarray, dim: int, keepdim: bool) -> np.ndarray:
    """The second smallest (the only one of a single element) along ``dim``."""
    return _along(lambda rows: np.sort(rows, axis=-1)[..., min(2, rows.shape[-1]) - 1])(
        x, dim, keepdim)


def _logcumsumexp_ref(x: np.ndarray, dim: int) -> np.ndarray:
    """log(cumsum(exp(x))) computed the plain way (the inputs are small)."""
    return np.log(np.cumsum(np.exp(x), axis=dim))


@st.composite
def smooth_along(draw: Callable) -> Drawn:
    shape = draw(shapes(min_dims=1, max_side=3))
    x = draw(arrays(shape, elements=domain("logsumexp")))
    return (x,), {"dim": draw(st.integers(-len(shape), len(shape) - 1))}


# Most rows only gather (take_along_axis, whose second derivatives its own row checks):
# they skip the second-derivative check; MedianAll, Lerp and LogCumsumExp keep it.
GATHERS = {"smooth": False}

ORDER_CASES = [
    OpCase("median_all", lambda x: x.median(), _lower_median,
           st.tuples(st.tuples(_distinct(shapes(max_side=3))), st.just({})), op="sort"),
    OpCase("median_dim", lambda x, dim, keepdim: x.median(dim, keepdim=keepdim).values,
           _along(lambda rows: np.sort(rows, -1)[..., (rows.shape[-1] - 1) // 2]),
           along_dim(), op="sort", **GATHERS),
    OpCase("np_median", lambda x, axis, keepdims: np.median(x, axis, keepdims=keepdims),
           np.median, over_axes(), op="sort", **GATHERS),
    OpCase("quantile", lambda x, q, axis, keepdims: ag.quantile(x, q, axis, keepdims),
           lambda x, q, axis, keepdims: np.quantile(x, q, axis, keepdims=keepdims),
           quantile_inputs(tuples=False), op="sort"),
    OpCase("quantile_midpoint",
           lambda x, q, axis, keepdims: x.quantile(q, axis, keepdims, interpolation="midpoint"),
           lambda x, q, axis, keepdims: np.quantile(x, q, axis, keepdims=keepdims,
                                                    method="midpoint"),
           quantile_inputs(tuples=False), op="sort", **GATHERS),
    OpCase("np_quantile", lambda x, q, axis, keepdims: np.quantile(x, q, axis,
                                                                   keepdims=keepdims),
           np.quantile, quantile_inputs(), op="sort"),
    OpCase("np_nanquantile_nearest",
           lambda x, q, axis, keepdims: np.nanquantile(x, q, axis, keepdims=keepdims,
                                                       method="nearest"),
           lambda x, q, axis, keepdims: np.nanquantile(x, q, axis, keepdims=keepdims,
                                                       method="nearest"),
           quantile_inputs(), op="sort", **GATHERS),
    OpCase("kthvalue", lambda x, dim, keepdim: x.kthvalue(min(2, x.shape[dim]), dim,
                                                          keepdim).values,
           _kth, along_dim(), op="sort", **GATHERS),
    OpCase("mode", lambda x, dim, keepdim: ag.mode(x, dim, keepdim).values,  # all distinct:
           _along(lambda rows: rows.min(axis=-1)), along_dim(), op="sort",  # the smallest
           **GATHERS),
    OpCase("cummax", lambda x, dim: x.cummax(dim).values,
           lambda x, dim: np.maximum.accumulate(x, axis=dim), along_dim(False), op="sort",
           **GATHERS),
    OpCase("logcumsumexp", lambda x, dim: x.logcumsumexp(dim), _logcumsumexp_ref,
           smooth_along(), op="logsumexp"),
]
