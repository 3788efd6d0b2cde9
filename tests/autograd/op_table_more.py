"""The second half of the op table (``op_table.CASES`` adds these rows): the ops of
``trig.py``, ``special.py``, ``scans.py``, ``linalg_more.py`` and ``indexing.py``."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st

import autograd as ag
from autograd.testing import arrays, axes, domain, shapes
from op_case import Drawn, OpCase, small_broadcastable_shapes, small_shapes


def _array(op: str, shape: Any, arg: int = 0, unique: bool = False) -> st.SearchStrategy:
    return arrays(shape, elements=domain(op, arg), unique=unique)


def unary(op: str, shape: Any = None) -> st.SearchStrategy[Drawn]:
    return st.tuples(st.tuples(_array(op, small_shapes() if shape is None else shape)),
                     st.just({}))


@st.composite
def binary(draw: Callable, op: str) -> Drawn:
    a_shape, b_shape = draw(small_broadcastable_shapes(2))
    return (draw(_array(op, a_shape, 0)), draw(_array(op, b_shape, 1))), {}


def divisors(op: str) -> st.SearchStrategy[Drawn]:
    """One input drawn as ``op``'s second operand (for ``1.25 % x``)."""
    return st.tuples(st.tuples(_array(op, small_shapes(), 1)), st.just({}))


def _erf(x: np.ndarray) -> np.ndarray:
    return np.vectorize(math.erf, otypes=[np.float64])(x).astype(x.dtype)


def _erfc(x: np.ndarray) -> np.ndarray:
    return np.vectorize(math.erfc, otypes=[np.float64])(x).astype(x.dtype)


def _lgamma(x: np.ndarray) -> np.ndarray:
    return np.vectorize(math.lgamma, otypes=[np.float64])(x).astype(x.dtype)


def _bessel(order: int, scaled: bool) -> Callable[[np.ndarray], np.ndarray]:
    """I_order(x) (times e^-|x| when ``scaled``) = (1/pi) int_0^pi e^(x cos t) cos(order t) dt,
    by the trapezoid rule (exact to rounding for this periodic integrand at 200 points)."""
    def reference(x: np.ndarray) -> np.ndarray:
        t = np.linspace(0.0, np.pi, 201)
        shift = np.abs(x)[..., None] if scaled else 0.0
        f = np.exp(x.astype(np.float64)[..., None] * np.cos(t) - shift) * np.cos(order * t)
        return np.trapezoid(f, t, axis=-1).astype(x.dtype) / np.pi
    return reference


def _zeta_at(x: float) -> Callable[[np.ndarray], np.ndarray]:
    """q -> zeta(x, q): 4000 terms and the midpoint-rule tail (q + 3999.5)^(1-x) / (x-1)."""
    def reference(q: np.ndarray) -> np.ndarray:
        q64 = q.astype(np.float64)[..., None]
        terms = (q64 + np.arange(4000)) ** -x
        return (terms.sum(-1) + (q64[..., 0] + 3999.5) ** (1 - x) / (x - 1)).astype(q.dtype)
    return reference


def _case(name: str, fn: Callable, ref: Callable, inputs: Any, **options: Any) -> OpCase:
    return OpCase(name, fn, ref, inputs, **options)


def _elementwise() -> list:
    rows = [(name, getattr(ag, name), getattr(np, name)) for name in (
        "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "arcsinh",
        "arccosh", "arctanh", "log1p",
        "expm1", "log2", "log10", "square", "reciprocal")]
    cases = [_case(name, fn, ref, unary(name)) for name, fn, ref in rows]
    cases += [
        _case("arctan2", ag.arctan2, np.arctan2, binary("arctan2")),
        _case("erf", ag.erf, _erf, unary("erf")),
        _case("erfc", ag.erfc, _erfc, unary("erfc")),
        _case("erfcx", ag.special.erfcx, lambda x: (np.exp(x.astype(np.float64) ** 2)
              * _erfc(x.astype(np.float64))).astype(x.dtype), unary("erfcx")),
        _case("lgamma", ag.lgamma, _lgamma, unary("lgamma")),
        *[_case(f"i{n}{e}", getattr(ag.special, f"i{n}{e}"), _bessel(n, e == "e"),
                unary(f"i{n}{e}")) for n in (0, 1) for e in ("", "e")],
        _case("zeta", lambda q: ag.special.zeta(2.5, q), _zeta_at(2.5),
              st.tuples(st.tuples(_array("zeta", small_shapes(), 1)), st.just({}))),
        _case("nextafter", ag.nextafter, np.nextafter, binary("nextafter")),
        _case("softplus", ag.softplus, lambda x: np.log1p(np.exp(x)), unary("softplus")),
        _case("sign", ag.sign, np.sign, unary("sign")),
        _case("floor", ag.floor, np.floor, unary("floor")),
        _case("ceil", ag.ceil, np.ceil, unary("ceil")),
        _case("round", ag.round, np.round, unary("round")),
        _case("round_1", lambda x: ag.round(x * 0.1, 1), lambda x: np.round(x * 0.1, 1),
              unary("round"), op="round"),  # x / 10 stays 0.025 away from the steps of 0.1
        _case("floor_divide", lambda a, b: a // b, np.floor_divide, binary("floor_divide")),
        _case("remainder", lambda a, b: a % b, np.remainder, binary("remainder")),
        _case("fmod", ag.fmod, np.fmod, binary("fmod")),
        _case("x//2", lambda x: x // 2.0, lambda x: x // 2.0, unary("floor_divide"),
              op="floor_divide"),
        _case("x%2", lambda x: x % 2.0, lambda x: x % 2.0, unary("remainder"), op="remainder"),
        _case("1.25//x", lambda x: 1.25 // x, lambda x: 1.25 // x, divisors("floor_divide"),
              op="floor_divide"),
        _case("1.25%x", lambda x: 1.25 % x, lambda x: 1.25 % x, divisors("remainder"),
              op="remainder"),
    ]
    return cases


MORE_CASES: list = _elementwise()


# ------------------------------------------------------------------ scans and norms
@st.composite
def reduction(draw: Callable, op: str, unique: bool = False) -> Drawn:
    """One input, an ``axis`` (None, int or tuple) and ``keepdims``."""
    shape = draw(shapes())
    return (draw(_array(op, shape, unique=unique)),), {
        "axis": draw(axes(len(shape))), "keepdims": draw(st.booleans())}


@st.composite
def scan(draw: Callable, op: str, unique: bool = False, max_dims: int = 3) -> Drawn:
    """One input and a single axis, or None (the flattened tensor)."""
    shape = draw(shapes(max_dims=max_dims))
    axis = draw(st.none() | (st.integers(-len(shape), len(shape) - 1) if shape
                             else st.none()))
    return (draw(_array(op, shape, unique=unique)),), {"axis": axis}


@st.composite
def norm_inputs(draw: Callable, op: str, order: Any) -> Drawn:
    arrays_, params = draw(reduction(op, unique=op == "norm_inf"))
    return arrays_, {"ord": order, **params}


def _np_norm(x: np.ndarray, ord: Any, axis: Any, keepdims: bool) -> np.ndarray:
    axes_ = tuple(range(x.ndim)) if axis is None else axis if isinstance(axis, tuple) \
        else (axis,)
    moved = np.moveaxis(x, [a % x.ndim for a in axes_] if x.ndim else [],
                        list(range(-len(axes_), 0)) if x.ndim else [])
    flat = moved.reshape(moved.shape[:moved.ndim - len(axes_)] + (-1,))
    result = np.linalg.norm(flat, ord=ord, axis=-1)
    if keepdims:
        result = np.expand_dims(result, tuple(a % x.ndim for a in axes_)) if x.ndim \
            else result
    return result


def _scans() -> list:
    return [
        _case("prod", ag.prod, np.prod, reduction("prod")),
        _case("cumsum", ag.cumsum, np.cumsum, scan("cumsum")),
        _case("cumprod", ag.cumprod, np.cumprod, scan("cumprod", max_dims=2)),  # <= 16 factors
        _case("norm2", ag.norm, _np_norm, norm_inputs("norm2", 2)),
        _case("norm1", ag.norm, _np_norm, norm_inputs("norm1", 1), smooth=False),
        _case("norm_inf", ag.norm, _np_norm, norm_inputs("norm_inf", np.inf),
              smooth=False),
        _case("sort", lambda x, axis: ag.sort(x, axis=axis), np.sort, scan("sort", unique=True)),
        _case("sort_descending", lambda x, axis: ag.sort(x, axis=axis, descending=True),
              lambda x, axis: -np.sort(-x, axis), scan("sort", unique=True), op="sort"),
    ]


# ------------------------------------------------------------------ shape and indexing
@st.composite
def flip_inputs(draw: Callable) -> Drawn:
    shape = draw(small_shapes())
    return (draw(_array("flip", shape)),), {"axis": draw(axes(len(shape)))}


@st.composite
def roll_inputs(draw: Callable) -> Drawn:
    (x,), params = draw(scan("roll"))
    return (x,), {"shift": draw(st.integers(-5, 5)), **params}


@st.composite
def tile_inputs(draw: Callable) -> Drawn:
    shape = draw(shapes(max_side=3))
    reps = draw(st.lists(st.integers(0, 3), min_size=0, max_size=4).map(tuple) |
                st.integers(1, 3))
    return (draw(_array("tile", shape)),), {"reps": reps}


@st.composite
def repeat_inputs(draw: Callable) -> Drawn:
    (x,), params = draw(scan("repeat"))
    n = x.size if params["axis"] is None else x.shape[params["axis"]]
    counts = draw(st.integers(0, 3) | st.lists(st.integers(0, 3), min_size=n, max_size=n))
    return (x,), {"repeats": counts, **params}


@st.composite
def pad_inputs(draw: Callable) -> Drawn:
    shape = draw(shapes(min_dims=1, max_side=3))
    widths = draw(st.integers(0, 2) | st.tuples(st.integers(0, 2), st.integers(0, 2)) |
                  st.tuples(*[st.tuples(st.integers(0, 2), st.integers(0, 2))
                              for _ in shape]))
    return (draw(_array("pad", shape)),), {"pad_width": widths,
                                           "constant_values": draw(st.sampled_from([0.0,
                                                                                    1.5]))}


@st.composite
def triangle_inputs(draw: Callable, op: str) -> Drawn:
    shape = draw(small_shapes(min_dims=2))
    return (draw(_array(op, shape)),), {"k": draw(st.integers(-2, 2))}


@st.composite
def take_inputs(draw: Callable) -> Drawn:
    shape = draw(small_shapes(min_dims=1))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[axis]
    picked = shape[:axis % len(shape)] + (draw(st.integers(1, 4)),) + \
        shape[axis % len(shape) + 1:]
    indices = draw(arrays(picked, dtype=np.intp, elements=(0, n - 1), noncontiguous=False))
    return (draw(_array("take_along_axis", shape)),), {"indices": indices, "axis": axis}


@st.composite
def index_put_inputs(draw: Callable) -> Drawn:
    """x, a value for x[index] (broadcastable), and an index without repeated elements."""
    shape = draw(small_shapes(min_dims=1))
    axis = draw(st.integers(0, len(shape) - 1))
    picks = draw(st.lists(st.integers(0, shape[axis] - 1), min_size=1, max_size=3,
                          unique=True))
    index = (slice(None),) * axis + (np.array(picks),)
    target = np.empty(shape)[index].shape
    v_shape = draw(st.sampled_from([target, target[1:], ()]))
    return (draw(_array("index_put", shape)), draw(_array("index_put", v_shape))), \
        {"index": index}


def _np_index_put(x: np.ndarray, v: np.ndarray, index: Any) -> np.ndarray:
    out = x.copy()
    out[index] = v
    return out


def _np_index_add(x: np.ndarray, v: np.ndarray, index: Any) -> np.ndarray:
    out = x.copy()
    np.add.at(out, index, np.broadcast_to(v, x[index].shape))
    return out


def _shape_ops() -> list:
    return [
        _case("flip", ag.flip, np.flip, flip_inputs()),
        _case("roll", ag.roll, np.roll, roll_inputs()),
        _case("tile", ag.tile, np.tile, tile_inputs()),
        _case("repeat", ag.repeat, np.repeat, repeat_inputs()),
        _case("pad", ag.pad, lambda x, pad_width, constant_values: np.pad(
            x, pad_width, constant_values=constant_values), pad_inputs()),
        _case("tril", ag.tril, np.tril, triangle_inputs("tril")),
        _case("triu", ag.triu, np.triu, triangle_inputs("triu")),
        _case("take_along_axis", ag.take_along_axis, np.take_along_axis, take_inputs()),
        _case("index_put", lambda x, v, index: ag.index_put(x, index, v), _np_index_put,
              index_put_inputs()),
        _case("at_set", lambda x, v, index: x.at[index].set(v), _np_index_put,
              index_put_inputs(), op="index_put"),
        _case("index_add", lambda x, v, index: ag.index_add(x, index, v), _np_index_add,
              index_put_inputs(), op="index_put"),
    ]


# ------------------------------------------------------------------ linear algebra
@st.composite
def dot_inputs(draw: Callable) -> Drawn:
    n = draw(st.integers(1, 3))
    a_shape = draw(st.sampled_from([(), (n,), (2, n), (2, 2, n)]))
    b_shape = draw(st.sampled_from([(), (n,), (n, 2), (2, n, 3)]))
    return (draw(_array("dot", a_shape)), draw(_array("dot", b_shape))), {}


@st.composite
def outer_inputs(draw: Callable) -> Drawn:
    return (draw(_array("outer", small_shapes(max_dims=2))),
            draw(_array("outer", small_shapes(max_dims=2)))), {}


EINSUMS = ["ij,jk->ik", "ij,ij->", "i,j->ij", "ijk,ik->ij", "ij->ji", "ij,kl->i", "ij",
           "ij,j", "ab,bc,cd->ad", "ii", "ii->i", "iji->j", "ij,jj->i", "...ij,...jk->...ik",
           "i...->...", "...ii->...i", "...j,j"]


@st.composite
def einsum_inputs(draw: Callable) -> Drawn:
    """Operands for subscripts with letters (one size each), repeated letters (a diagonal)
    and '...' (the same drawn batch shape for every operand that has it)."""
    subscripts = draw(st.sampled_from(EINSUMS))
    sizes = {c: draw(st.integers(1, 3)) for c in "abcdijkl"}
    batch = draw(shapes(max_dims=2, max_side=3))
    terms = subscripts.split("->")[0].split(",")

    def shape(term: str) -> tuple[int, ...]:
        left, dots, right = term.partition("...")
        return tuple(sizes[c] for c in left) + (batch if dots else ()) + \
            tuple(sizes[c] for c in right)
    return tuple(draw(_array("einsum", shape(t))) for t in terms), {"subscripts": subscripts}


@st.composite
def tensordot_inputs(draw: Callable) -> Drawn:
    a = draw(_array("tensordot", shapes(min_dims=1, max_side=3)))
    count = draw(st.integers(0, min(a.ndim, 2)))
    contracted = a.shape[a.ndim - count:]
    extra = draw(shapes(max_dims=2, max_side=3))
    b = draw(_array("tensordot", contracted + extra))
    return (a, b), {"axes": count}


@st.composite
def diagonal_inputs(draw: Callable, op: str) -> Drawn:
    shape = draw(small_shapes(min_dims=2))
    axis1, axis2 = draw(st.permutations(range(len(shape))))[:2]
    return (draw(_array(op, shape)),), {"offset": draw(st.integers(-2, 2)),
                                        "axis1": axis1, "axis2": axis2}


@st.composite
def matrices(draw: Callable, square: bool = True) -> Drawn:
    """A (batch of) m x n matrices, m, n <= 3 (the rows make them well-conditioned)."""
    n = draw(st.integers(1, 3))
    m = n if square else draw(st.integers(1, 3))
    return (draw(_array("matmul", draw(st.sampled_from([(), (2,)])) + (m, n))),), {}


def _apart(x: Any) -> Any:
    """x + x^T plus a diagonal 0, 30, 60: symmetric, eigenvalues at least 6 apart."""
    n = x.shape[-1]
    return x + x.swapaxes(-1, -2) + np.diag(30.0 * np.arange(n)).astype(x.dtype)


def _spaced(x: Any) -> Any:
    """x / 4 plus 4, 8, 12 on the diagonal: singular values at least 1 apart, >= 2.5."""
    m, n = x.shape[-2:]
    return x * 0.25 + (np.eye(m, n) * 4.0 * np.arange(1, n + 1)).astype(x.dtype)


# qr_R adds 0.6 to every entry: LAPACK's Householder QR changes the sign of a row of R
# when the entries below a diagonal entry are exactly 0 (hypothesis draws zeros), so R
# jumps there; 0.6 + x / 4 is never 0.


def _linalg() -> list:
    return [
        _case("dot", ag.dot, np.dot, dot_inputs()),
        _case("outer", ag.outer, np.outer, outer_inputs()),
        _case("einsum", lambda *xs, subscripts: ag.einsum(subscripts, *xs),
              lambda *xs, subscripts: np.einsum(subscripts, *xs), einsum_inputs()),
        _case("tensordot", ag.tensordot, np.tensordot, tensordot_inputs()),
        _case("trace", ag.trace, np.trace, diagonal_inputs("trace")),
        _case("diagonal", ag.diagonal, np.diagonal, diagonal_inputs("diagonal")),
        _case("eigvalsh", lambda x: ag.linalg.eigvalsh(_apart(x)),
              lambda x: np.linalg.eigvalsh(_apart(x)), matrices(), op="matmul"),
        _case("eigh_vectors", lambda x: ag.linalg.eigh(_apart(x)).eigenvectors ** 2,
              lambda x: np.linalg.eigh(_apart(x))[1] ** 2, matrices(), op="matmul"),
        _case("svdvals", lambda x: ag.linalg.svdvals(_spaced(x)),
              lambda x: np.linalg.svd(_spaced(x), compute_uv=False), matrices(False),
              op="matmul"),
        _case("svd_U_squared", lambda x: ag.linalg.svd(_spaced(x), False).U ** 2,
              lambda x: np.linalg.svd(_spaced(x), False)[0] ** 2, matrices(False),
              op="matmul"),
        _case("qr_R", lambda x: ag.linalg.qr(_spaced(x) + 0.6).R,
              lambda x: np.linalg.qr(_spaced(x) + 0.6)[1], matrices(False), op="matmul"),
        _case("pinv", lambda x: ag.linalg.pinv(_spaced(x)),
              lambda x: np.linalg.pinv(_spaced(x)), matrices(False), op="matmul"),
        _case("matrix_exp", lambda x: ag.matrix_exp(x + x.swapaxes(-1, -2)),
              lambda x: _exp_symmetric(x + x.swapaxes(-1, -2)), matrices(), op="matmul"),
    ]


def _exp_symmetric(s: np.ndarray) -> np.ndarray:
    """exp of symmetric matrices by their eigendecomposition: V diag(e^w) V^T."""
    w, v = np.linalg.eigh(s)
    return (v * np.exp(w)[..., None, :]) @ v.swapaxes(-1, -2)


MORE_CASES += _scans() + _shape_ops() + _linalg()
