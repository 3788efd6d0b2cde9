"""The reference table that drives the op tests: one row per op.

A row has the engine function, a NumPy reference, a hypothesis strategy drawing the
differentiable inputs (float64 arrays, kept in the op's safe domain) and the op's
non-differentiable arguments (axis, shape, index, mask...), and whether the op is smooth
(then its second derivatives are checked too). Adding an op adds a row.
"""

from __future__ import annotations

import functools
import math
from typing import Any, Callable

import numpy as np
from hypothesis import settings, strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
from autograd.testing import (CLIP_BOUNDS, arrays, axes, domain,
                              index_expressions, shapes)

from op_case import Drawn, OpCase, small_broadcastable_shapes, small_shapes
from op_table_more import MORE_CASES  # the second half of the table
from op_table_sets import SET_CASES  # diff, cross, kron, cdist, trapezoid
from op_table_order import ORDER_CASES  # median, quantile, cummax...

__all__ = ["CASES", "SMOOTH_CASES", "OpCase"]


# ------------------------------------------------------------------ input strategies
@functools.lru_cache(maxsize=1024)  # one strategy object per arguments: validated once
def _array(op: str, shape: Any, arg: int = 0, unique: bool = False) -> st.SearchStrategy:
    return arrays(shape, elements=domain(op, arg), unique=unique)


def unary(op: str, shape: Any = None) -> st.SearchStrategy[Drawn]:
    """One input of any small shape in ``op``'s domain."""
    return st.tuples(st.tuples(_array(op, small_shapes() if shape is None else shape)),
                     st.just({}))


@st.composite
def binary(draw: Callable, op: str) -> Drawn:
    """Two inputs with mutually broadcastable shapes (0-d and size-1 axes included)."""
    a_shape, b_shape = draw(small_broadcastable_shapes(2))
    return (draw(_array(op, a_shape, 0)), draw(_array(op, b_shape, 1))), {}


@st.composite
def matmul_inputs(draw: Callable) -> Drawn:
    """1-d, 2-d and batched (broadcast) operands, following ``np.matmul``'s signature."""
    a_shape, b_shape = draw(hnp.mutually_broadcastable_shapes(
        signature=np.matmul.signature, max_dims=2, max_side=3)).input_shapes
    return (draw(_array("matmul", a_shape)), draw(_array("matmul", b_shape))), {}


@st.composite
def reduction(draw: Callable, op: str, min_count: int = 1, ddof: bool = False) -> Drawn:
    """One input, an ``axis`` and ``keepdims``; at least ``min_count`` reduced elements."""
    shape = draw(shapes(min_dims=1 if min_count > 1 else 0, min_side=min_count))
    axis = draw(axes(len(shape)))
    reduced = range(len(shape)) if axis is None else \
        [axis] if isinstance(axis, int) else list(axis)
    count = math.prod(shape[a] for a in reduced)
    params = {"axis": axis, "keepdims": draw(st.booleans())}
    if count < min_count:  # an empty axis tuple reduces nothing: reduce everything
        params["axis"] = None
    if ddof:
        params["ddof"] = draw(st.integers(0, 1)) if count >= 2 else 0
    return (draw(_array(op, shape, unique=op in ("max", "min", "std"))),), params


@st.composite
def along_axis(draw: Callable, op: str) -> Drawn:
    """One input of at least one axis and a single ``axis`` (softmax, log_softmax)."""
    shape = draw(small_shapes(min_dims=1))
    return (draw(_array(op, shape)),), {"axis": draw(axes(len(shape), False, False))}


@st.composite
def clip_inputs(draw: Callable) -> Drawn:
    lo, hi = CLIP_BOUNDS
    bounds = draw(st.sampled_from([(lo, hi), (None, hi), (lo, None)]))
    return (draw(_array("clip", small_shapes())),), {"lo": bounds[0], "hi": bounds[1]}


@st.composite
def where_inputs(draw: Callable) -> Drawn:
    cond_shape, a_shape, b_shape = draw(small_broadcastable_shapes(3))
    cond = draw(arrays(cond_shape, dtype=bool))
    return (draw(_array("where", a_shape)), draw(_array("where", b_shape))), {"cond": cond}


@st.composite
def reshape_inputs(draw: Callable) -> Drawn:
    shape = draw(small_shapes())
    size = math.prod(shape)
    target = draw(st.sampled_from([(-1,), (size,), shape[::-1], (1,) + shape,
                                   shape + (1,), (size, 1), (1, -1)]))
    return (draw(_array("reshape", shape)),), {"shape": target}


@st.composite
def transpose_inputs(draw: Callable) -> Drawn:
    shape = draw(small_shapes())
    perm = draw(st.none() | st.permutations(range(len(shape))).map(tuple))
    return (draw(_array("transpose", shape)),), {"axes": perm}


@st.composite
def swapaxes_inputs(draw: Callable) -> Drawn:
    shape = draw(small_shapes(min_dims=1))
    pair = st.integers(-len(shape), len(shape) - 1)
    return (draw(_array("swapaxes", shape)),), {"axis1": draw(pair), "axis2": draw(pair)}


@st.composite
def expand_dims_inputs(draw: Callable) -> Drawn:
    shape = draw(small_shapes())
    axis = draw(st.integers(-len(shape) - 1, len(shape)))
    return (draw(_array("expand_dims", shape)),), {"axis": axis}


@st.composite
def squeeze_inputs(draw: Callable) -> Drawn:
    shape = draw(shapes(max_side=2))
    ones = [k for k, n in enumerate(shape) if n == 1]
    axis = draw(st.none() | (st.sampled_from(ones) if ones else st.none()))
    return (draw(_array("squeeze", shape)),), {"axis": axis}


@st.composite
def broadcast_to_inputs(draw: Callable) -> Drawn:
    drawn = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    return (draw(_array("broadcast_to", drawn.input_shapes[0])),), \
        {"shape": drawn.result_shape}


@st.composite
def join_inputs(draw: Callable, op: str) -> Drawn:
    """2-3 inputs: same shape (stack) or equal except along ``axis`` (concatenate)."""
    count = draw(st.integers(1, 3))
    if op == "stack":
        shape = draw(shapes(max_side=3))
        axis = draw(st.integers(-len(shape) - 1, len(shape)))
        return tuple(draw(_array(op, shape)) for _ in range(count)), {"axis": axis}
    shape = draw(shapes(min_dims=1, max_side=3))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    sizes = draw(st.lists(st.integers(1, 3), min_size=count, max_size=count))
    parts = tuple(draw(_array(op, shape[:axis % len(shape)] + (n,)
                              + shape[axis % len(shape) + 1:])) for n in sizes)
    return parts, {"axis": axis}


@st.composite
def getitem_inputs(draw: Callable, allow_arrays: bool) -> Drawn:
    shape = draw(small_shapes())
    index = draw(index_expressions(shape, allow_arrays=allow_arrays))
    return (draw(_array("getitem", shape)),), {"index": index}


# ------------------------------------------------------------------ NumPy references
def _np_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)


def _np_logsumexp(x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
    return np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))


def _np_clip(x: np.ndarray, lo: Any, hi: Any) -> np.ndarray:
    return np.clip(x, -np.inf if lo is None else lo, np.inf if hi is None else hi)


def _np_squeeze(x: np.ndarray, axis: Any) -> np.ndarray:
    return np.squeeze(x) if axis is None else np.squeeze(x, axis=axis)


def _scalar_row(name: str, fn: Callable, dom: str, smooth: bool = True) -> OpCase:
    """Scalar forms (x + 2, 2 / x...): the same lambda serves engine and NumPy."""
    return OpCase(name, fn, fn, unary(dom), smooth, op=dom)


# ------------------------------------------------------------------ the table
CASES: list[OpCase] = [
    OpCase("add", lambda a, b: a + b, np.add, binary("add")),
    OpCase("sub", lambda a, b: a - b, np.subtract, binary("sub")),
    OpCase("mul", lambda a, b: a * b, np.multiply, binary("mul")),
    OpCase("div", lambda a, b: a / b, np.divide, binary("div")),
    OpCase("pow", lambda a, b: a ** b, np.power, binary("pow")),
    OpCase("matmul", lambda a, b: a @ b, np.matmul, matmul_inputs()),
    OpCase("neg", lambda x: -x, np.negative, unary("neg")),
    _scalar_row("x+2", lambda x: x + 2.0, "add"),
    _scalar_row("2+x", lambda x: 2.0 + x, "add"),
    _scalar_row("x-2", lambda x: x - 2.0, "sub"),
    _scalar_row("2-x", lambda x: 2.0 - x, "sub"),
    _scalar_row("x*3", lambda x: x * 3.0, "mul"),
    _scalar_row("3*x", lambda x: 3.0 * x, "mul"),
    _scalar_row("x/2", lambda x: x / 2.0, "mul"),
    _scalar_row("2/x", lambda x: 2.0 / x, "rdiv"),
    _scalar_row("x**2", lambda x: x ** 2, "mul"),
    _scalar_row("x**3", lambda x: x ** 3, "mul"),
    _scalar_row("x**0", lambda x: x ** 0, "mul"),
    _scalar_row("x**-2", lambda x: x ** -2, "rdiv"),
    _scalar_row("x**0.5", lambda x: x ** 0.5, "sqrt"),
    _scalar_row("2**x", lambda x: 2.0 ** x, "rpow"),
    OpCase("exp", ag.exp, np.exp, unary("exp")),
    OpCase("log", ag.log, np.log, unary("log")),
    OpCase("sqrt", ag.sqrt, np.sqrt, unary("sqrt")),
    OpCase("abs", ag.abs, np.abs, unary("abs"), smooth=False),
    OpCase("tanh", ag.tanh, np.tanh, unary("tanh")),
    OpCase("sigmoid", ag.sigmoid, lambda x: 1 / (1 + np.exp(-x)), unary("sigmoid")),
    OpCase("relu", ag.relu, lambda x: np.maximum(x, 0), unary("relu"), smooth=False),
    OpCase("maximum", ag.maximum, np.maximum, binary("maximum"), smooth=False),
    OpCase("minimum", ag.minimum, np.minimum, binary("minimum"), smooth=False),
    OpCase("clip", ag.clip, _np_clip, clip_inputs(), smooth=False),
    OpCase("where", lambda a, b, cond: ag.where(cond, a, b),
           lambda a, b, cond: np.where(cond, a, b), where_inputs()),
    OpCase("sum", ag.sum, np.sum, reduction("sum")),
    OpCase("mean", ag.mean, np.mean, reduction("mean")),
    OpCase("var", ag.var, np.var, reduction("var", ddof=True)),
    OpCase("std", ag.std, np.std, reduction("std", min_count=2, ddof=True)),
    OpCase("max", ag.max, np.max, reduction("max"), smooth=False),
    OpCase("min", ag.min, np.min, reduction("min"), smooth=False),
    OpCase("logsumexp", ag.logsumexp, _np_logsumexp, reduction("logsumexp")),
    OpCase("softmax", ag.softmax, _np_softmax, along_axis("softmax")),
    OpCase("log_softmax", ag.log_softmax, lambda x, axis: np.log(_np_softmax(x, axis)),
           along_axis("log_softmax")),
    OpCase("reshape", ag.reshape, lambda x, shape: np.reshape(x, shape), reshape_inputs()),
    OpCase("transpose", ag.transpose, np.transpose, transpose_inputs()),
    OpCase(".T", lambda x: x.T, lambda x: x.T, unary("transpose"), op="transpose"),
    OpCase("swapaxes", ag.swapaxes, np.swapaxes, swapaxes_inputs()),
    OpCase("expand_dims", ag.expand_dims, np.expand_dims, expand_dims_inputs()),
    OpCase("squeeze", ag.squeeze, _np_squeeze, squeeze_inputs()),
    OpCase("broadcast_to", ag.broadcast_to, np.broadcast_to, broadcast_to_inputs()),
    OpCase("concatenate", lambda *xs, axis: ag.concatenate(xs, axis),
           lambda *xs, axis: np.concatenate(xs, axis), join_inputs("concatenate")),
    OpCase("stack", lambda *xs, axis: ag.stack(xs, axis),
           lambda *xs, axis: np.stack(xs, axis), join_inputs("stack")),
    OpCase("getitem_basic", lambda x, index: x[index], lambda x, index: x[index],
           getitem_inputs(allow_arrays=False), op="getitem"),
    OpCase("getitem_array", lambda x, index: x[index], lambda x, index: x[index],
           getitem_inputs(allow_arrays=True), op="getitem"),
    OpCase("astype_f64", lambda x: x.astype(np.float64), lambda x: x.astype(np.float64),
           unary("astype"), keeps_dtype=False, op="astype"),
    # through float32 and back: finite differences need a step float32 can resolve
    OpCase("astype_f32", lambda x: x.astype(np.float32).astype(np.float64) * 3.0,
           lambda x: x.astype(np.float32).astype(np.float64) * 3.0, unary("astype"),
           smooth=False, check={"eps": 1e-2, "atol": 1e-4, "rtol": 1e-3},
           keeps_dtype=False, op="astype"),
]

CASES += MORE_CASES + SET_CASES + ORDER_CASES
SMOOTH_CASES = [case for case in CASES if case.smooth]

# The table's structural properties (forward against NumPy, float32 graphs, no aliased
# gradients) draw at most 50 examples under the ci profile; the derivative checks keep
# all of its examples (75; tests/conftest.py). The op table was 70% of the ci suite's CPU
# at 150 examples, spread evenly over its rows, and about 5 ms of each example is
# hypothesis drawing the arrays (ci pytest 420 s before, 2026-12-01, 8,396 tests). The
# default profile's 25 stay 25.
STRUCTURAL = settings(max_examples=min(50, settings().max_examples))
