"""Op table rows (``op_table.CASES`` adds these) for the differentiable ops of
``ops/geometry.py``: diff, cross, kron, cdist, trapezoid, cumulative_trapezoid."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st

import autograd as ag
from autograd.testing import arrays, domain
from op_case import Drawn, OpCase, small_shapes


def _array(op: str, shape: Any, arg: int = 0) -> st.SearchStrategy:
    return arrays(shape, elements=domain(op, arg))


@st.composite
def diff_inputs(draw: Callable, joined: bool = False) -> Drawn:
    """x (at least 1-d), an axis and the order n; with ``joined`` a prepended block."""
    shape = draw(small_shapes(min_dims=1))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    params = {"n": draw(st.integers(1 if joined else 0, 2)), "axis": axis}  # n=0 drops p
    if not joined:
        return (draw(_array("sub", shape)),), params
    before = list(shape)
    before[axis] = draw(st.integers(1, 2))
    return (draw(_array("sub", shape)), draw(_array("sub", tuple(before)))), params


BATCHES = [((), ()), ((2,), ()), ((2,), (1,)), ((1, 2), (2,)), ((2, 1), (1, 3))]
SAME_NDIM = [((), ()), ((2,), (2,)), ((2,), (1,)), ((2, 1), (1, 3))]


@st.composite
def cross_inputs(draw: Callable, batches: list = BATCHES) -> Drawn:
    """3-vectors along the last axis; the other axes broadcast."""
    a_batch, b_batch = draw(st.sampled_from(batches))
    return (draw(_array("mul", a_batch + (3,))), draw(_array("mul", b_batch + (3,)))), {}


@st.composite
def kron_inputs(draw: Callable) -> Drawn:
    a_shape = draw(small_shapes(max_dims=2, max_side=2))
    b_shape = draw(small_shapes(max_dims=3, max_side=2))
    return (draw(_array("mul", a_shape)), draw(_array("mul", b_shape))), {}


@st.composite
def cdist_inputs(draw: Callable, p: float) -> Drawn:
    """x1 (batch, P, M) and x2 (batch, R, M) with broadcasting batch axes; the two draw
    from interleaved grids, so no coordinate gap is 0 (no kink of |.|)."""
    batches = draw(st.sampled_from([((), ()), ((2,), ()), ((2,), (1,)), ((1,), (2,))]))
    rows = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    features = draw(st.integers(1, 3))
    x1 = draw(_array("maximum", batches[0] + (rows[0], features), 0))
    x2 = draw(_array("maximum", batches[1] + (rows[1], features), 1))
    return (x1, x2), {"p": p}


def _np_cdist(x1: np.ndarray, x2: np.ndarray, p: float) -> np.ndarray:
    gaps = np.abs(x1[..., :, None, :] - x2[..., None, :, :])
    return (gaps ** p).sum(-1) ** (1 / p)


@st.composite
def trapezoid_inputs(draw: Callable, with_x: bool) -> Drawn:
    """y (at least 1-d) and an axis; the sample points x (1-d) or a spacing dx."""
    shape = draw(small_shapes(min_dims=1))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    y = draw(_array("sum", shape))
    if with_x:
        return (y, draw(_array("sum", (shape[axis],)))), {"axis": axis}
    return (y,), {"axis": axis, "dx": draw(st.sampled_from([1.0, 0.5, 2.0]))}


def _np_cumulative_trapezoid(y: np.ndarray, x: Any = None, dx: float = 1.0,
                             axis: int = -1) -> np.ndarray:
    y = np.moveaxis(y, axis, -1)
    widths = dx if x is None else np.diff(x)
    return np.moveaxis(np.cumsum(widths * (y[..., 1:] + y[..., :-1]) / 2, -1), -1, axis)


SET_CASES: list = [
    OpCase("diff", ag.diff, np.diff, diff_inputs(), op="sub"),
    OpCase("diff_prepend", lambda x, p, n, axis: ag.diff(x, n, axis, prepend=p),
           lambda x, p, n, axis: np.diff(x, n, axis, prepend=p), diff_inputs(True), op="sub"),
    OpCase("cross", lambda a, b: ag.cross(a, b, axis=-1), np.cross, cross_inputs(), op="mul"),
    OpCase("cross_dim0", lambda a, b: ag.cross(a.T, b.T, dim=0),
           lambda a, b: np.cross(a.T, b.T, axis=0), cross_inputs(SAME_NDIM), op="mul"),
    OpCase("kron", ag.kron, np.kron, kron_inputs(), op="mul"),
    OpCase("cdist", ag.cdist, _np_cdist, cdist_inputs(2.0), op="maximum"),
    OpCase("cdist_p1", ag.cdist, _np_cdist, cdist_inputs(1.0), op="maximum"),
    OpCase("cdist_p3", ag.cdist, _np_cdist, cdist_inputs(3.0), op="maximum"),
    OpCase("trapezoid", ag.trapezoid, np.trapezoid, trapezoid_inputs(False), op="sum"),
    OpCase("trapezoid_x", ag.trapezoid, np.trapezoid, trapezoid_inputs(True), op="sum"),
    OpCase("cumulative_trapezoid",
           lambda y, axis, dx: ag.cumulative_trapezoid(y, dx=dx, dim=axis),
           lambda y, axis, dx: _np_cumulative_trapezoid(y, dx=dx, axis=axis),
           trapezoid_inputs(False), op="sum"),
    OpCase("cumulative_trapezoid_x",
           lambda y, x, axis: ag.cumulative_trapezoid(y, x, dim=axis),
           lambda y, x, axis: _np_cumulative_trapezoid(y, x, axis=axis),
           trapezoid_inputs(True), op="sum"),
]
