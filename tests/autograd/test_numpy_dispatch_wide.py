"""NumPy functions on Tensors that raised "has no differentiable version" although the
engine had the pieces (issue 9, section 3): the nan-reductions, ``np.linalg``'s NumPy 2
names and least squares, ``np.pad``'s copying modes, the array-manipulation and sequence
functions, and a few ufuncs. Values against NumPy's on the arrays, gradients against
finite differences (gradcheck); the rest are named errors saying what to write."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import DataError, ShapeError, UsageError

RNG = np.random.default_rng(11)
A, B = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))
S = RNG.standard_normal((3, 3)) + 3 * np.eye(3)
V, W3 = RNG.standard_normal(5), RNG.standard_normal((2, 3))
T4 = RNG.standard_normal((2, 3, 4))
NAN = A.copy()
NAN[0, 1] = NAN[2, 3] = np.nan
TALL = RNG.standard_normal((6, 3))
POS = np.abs(A) + 0.5

CASES = [  # (name, function of Tensors or arrays, inputs)
    # nan-reductions
    ("nanmax", lambda a: np.nanmax(a, axis=0), [NAN]),
    ("nanmin keepdims", lambda a: np.nanmin(a, axis=1, keepdims=True), [NAN]),
    ("nanmax all", np.nanmax, [NAN]),
    ("nanprod", lambda a: np.nanprod(a, axis=1), [NAN]),
    ("nancumsum", lambda a: np.nancumsum(a, axis=1), [NAN]),
    ("nancumsum flat", np.nancumsum, [NAN]),
    ("nancumprod", lambda a: np.nancumprod(a, axis=0), [NAN]),
    ("nanvar", lambda a: np.nanvar(a, axis=1), [NAN]),
    ("nanvar ddof keepdims", lambda a: np.nanvar(a, axis=0, ddof=1, keepdims=True), [NAN]),
    ("nanstd", lambda a: np.nanstd(a), [NAN]),
    ("nanstd axes", lambda a: np.nanstd(a[None], axis=(0, 2)), [NAN]),
    # np.linalg
    ("lstsq", lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0], [TALL, TALL[:, 0] + 1]),
    ("lstsq residuals", lambda a, b: np.linalg.lstsq(a, b)[1], [TALL, TALL[:, :2] ** 2]),
    ("lstsq wide", lambda a, b: np.linalg.lstsq(a, b)[0], [TALL.T, TALL[:3, 0]]),
    ("tensorinv", lambda a: np.linalg.tensorinv(a.reshape(3, 1, 3), ind=2), [S]),
    ("tensorsolve", lambda a, b: np.linalg.tensorsolve(a.reshape(3, 3, 1), b), [S, V[:3]]),
    ("vector_norm", lambda a: np.linalg.vector_norm(a, axis=1, ord=3), [A]),
    ("vector_norm axes", lambda a: np.linalg.vector_norm(a, axis=(0, 2), keepdims=True),
     [T4]),
    ("vector_norm all inf", lambda a: np.linalg.vector_norm(a, ord=np.inf), [A]),
    ("matrix_norm", lambda a: np.linalg.matrix_norm(a), [T4]),
    ("matrix_norm nuc", lambda a: np.linalg.matrix_norm(a, ord="nuc"), [A]),
    ("svdvals", np.linalg.svdvals, [T4]),
    ("linalg matmul", lambda a, b: np.linalg.matmul(a, b.T), [A, B]),
    ("linalg vecdot", lambda a, b: np.linalg.vecdot(a, b, axis=0), [A, B]),
    ("linalg outer", lambda a, b: np.linalg.outer(a, b), [V, V[:3]]),
    ("linalg trace", lambda a: np.linalg.trace(a, offset=1), [T4]),
    ("linalg diagonal", lambda a: np.linalg.diagonal(a), [T4]),
    ("linalg cross", lambda a, b: np.linalg.cross(a, b), [W3, W3[::-1].copy()]),
    ("linalg tensordot", lambda a, b: np.linalg.tensordot(a, b, axes=1), [A, T4[0].T]),
    ("matrix_transpose", np.matrix_transpose, [T4]),
    ("linalg matrix_transpose", np.linalg.matrix_transpose, [A]),
    # np.pad
    ("pad constant", lambda a: np.pad(a, ((1, 0), (2, 1)), constant_values=0.5), [A]),
    ("pad edge", lambda a: np.pad(a, 2, mode="edge"), [A]),
    ("pad reflect", lambda a: np.pad(a, ((2, 1), (3, 0)), mode="reflect"), [A]),
    ("pad symmetric", lambda a: np.pad(a, (1, 3), mode="symmetric"), [A]),
    ("pad wrap", lambda a: np.pad(a, 5, mode="wrap"), [V]),
    # array manipulation
    ("delete", lambda a: np.delete(a, [0, 2], axis=1), [A]),
    ("delete flat slice", lambda a: np.delete(a, slice(1, 7, 2)), [A]),
    ("insert flat", lambda a: np.insert(a, 3, 2.5), [A]),
    ("insert columns", lambda a, v: np.insert(a, [1, 3, 3], v, axis=1), [A, V[:3]]),
    ("insert broadcast row", lambda a, v: np.insert(a, slice(0, 2), v, axis=0), [A, V[:4]]),
    ("insert block", lambda a, b: np.insert(a, 2, b[:, :2].T, axis=1), [A, B]),
    ("compress", lambda a: np.compress([True, False, True], a, axis=0), [A]),
    ("extract", lambda a: np.extract(A > 0, a), [A]),
    ("choose", lambda a, b: np.choose(np.array([[0, 1, 1, 0]] * 3), [a, b]), [A, B]),
    ("select", lambda a, b: np.select([A > 0.5, A < -0.5], [a, b], 0.25), [A, B]),
    ("block", lambda a, b, s: np.block([[a, b[:, :1]], [s[:1], s[1:2, :2]]]), [A, B, S]),
    ("resize", lambda v: np.resize(v, (3, 4)), [V]),
    ("rollaxis", lambda a: np.rollaxis(a, 2, 1), [T4]),
    ("hsplit", lambda a: np.hsplit(a, 2), [A]),
    ("vsplit", lambda a: np.vsplit(a, [1]), [A]),
    ("dsplit", lambda a: np.dsplit(a, 2), [T4]),
    ("partition", lambda a: np.partition(a, 1, axis=1), [A]),
    ("ediff1d", lambda a: np.ediff1d(a, to_begin=[9.0], to_end=[1.0, 2.0]), [A]),
    # sequences, polynomials
    ("vander", lambda v: np.vander(v, 3), [V]),
    ("vander increasing", lambda v: np.vander(v, increasing=True), [V[:3]]),
    ("vdot", np.vdot, [A, B]),
    ("polyval", lambda p, x: np.polyval(p, x), [V[:3], A]),
    ("polyval list", lambda x: np.polyval([1.0, -2.0, 0.5], x), [A]),
    ("interp", lambda x, fp: np.interp(x, [-1.0, 0.0, 0.5, 2.0], fp),
     [np.array([-3.0, -0.7, 0.1, 0.3, 1.1, 5.0]), V[:4]]),
    ("interp left right", lambda x: np.interp(x, [-1.0, 1.0], [0.0, 2.0], left=-1, right=3),
     [np.array([-2.0, 0.3, 2.0])]),
    ("convolve", np.convolve, [V, V[:3]]),
    ("convolve same", lambda a, v: np.convolve(a, v, mode="same"), [V[:3], V]),
    ("convolve valid", lambda a, v: np.convolve(a, v, mode="valid"), [V, V[:2]]),
    ("correlate", np.correlate, [V, V[:3]]),
    ("correlate full longer v", lambda a, v: np.correlate(a, v, mode="full"), [V[:2], V]),
    ("correlate same", lambda a, v: np.correlate(a, v, mode="same"), [V, V[:2]]),
    ("linspace", lambda a, b: np.linspace(a, b, 7), [V[0], V[1]]),
    ("linspace arrays axis", lambda a, b: np.linspace(a, b, 4, endpoint=False, axis=1),
     [V[:3], V[2:]]),
    ("logspace", lambda a: np.logspace(a, 1.0, 5, base=2.0), [V[0]]),
    ("geomspace", lambda a, b: np.geomspace(a, b, 5), [POS[0, 0], POS[1, 1] + 3]),
    ("cumulative_sum", lambda a: np.cumulative_sum(a, axis=1, include_initial=True), [A]),
    ("cumulative_prod", lambda v: np.cumulative_prod(v), [V]),
    ("unstack", lambda a: np.unstack(a, axis=1), [A]),
    ("gradient", lambda a: np.gradient(a), [A]),
    ("gradient axis spacing", lambda a: np.gradient(a, 0.5, axis=1, edge_order=2), [A]),
    ("gradient coordinates", lambda v: np.gradient(v, np.cumsum(np.arange(1.0, 6.0))), [V]),
    # ufuncs
    ("cbrt", np.cbrt, [A]),
    ("heaviside", lambda a: np.heaviside(a, 0.5) * a, [A]),
    ("float_power", lambda a: np.float_power(a, 1.5), [POS]),
    ("ldexp", lambda a: np.ldexp(a, np.array([1, 2, -1, 0])), [A]),
    ("modf", np.modf, [A * 3]),
    ("rint", lambda a: np.rint(a) + a, [A * 3]),
    ("astype", lambda a: np.astype(a * 2, np.float64, copy=True), [A]),
    ("vecdot", np.vecdot, [A, B]),
    ("matvec", lambda a, v: np.matvec(a, v), [A, V[:4]]),
    ("vecmat", lambda v, a: np.vecmat(v, a), [V[:3], A]),
]
CONSTANTS = [  # integer or boolean results, as NumPy's
    ("nanargmax", lambda a: np.nanargmax(a, axis=1), [NAN]),
    ("nanargmin", np.nanargmin, [NAN]),
    ("isin", lambda a: np.isin(np.round(a), [0.0, 1.0]), [A]),
    ("argpartition", lambda a: np.argpartition(a, 2, axis=0), [A]),
    ("spacing", np.spacing, [A]),
]


def _flat(result) -> list:
    return list(result) if isinstance(result, (list, tuple)) else [result]


def _leaves(arrays) -> list:
    return [ag.tensor(np.asarray(a, dtype=np.float64), requires_grad=True) for a in arrays]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name,fn,arrays", CASES, ids=[c[0] for c in CASES])
def test_values_match_numpy_and_gradients_finite_differences(name, fn, arrays) -> None:
    leaves = _leaves(arrays)
    got, want = _flat(fn(*leaves)), _flat(fn(*arrays))
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert isinstance(g, ag.Tensor) and g.requires_grad, name
        assert g.shape == np.shape(w) and g.dtype == np.asarray(w).dtype, name
        np.testing.assert_allclose(g.data, w, rtol=1e-10, atol=1e-12)

    def joined(*ts):
        parts = [np.ravel(t) for t in _flat(fn(*ts))]
        return ag.concatenate([np.where(np.isnan(p.data), 0.0, p) for p in parts])

    assert ag.gradcheck(joined, leaves)


@pytest.mark.parametrize("name,fn,arrays", CONSTANTS, ids=[c[0] for c in CONSTANTS])
def test_constant_results_match_numpy(name, fn, arrays) -> None:
    got, want = fn(*_leaves(arrays)), fn(*arrays)
    assert isinstance(got, ag.Tensor) and not got.requires_grad
    assert got.dtype == np.asarray(want).dtype
    np.testing.assert_array_equal(got.data, want)


def test_trim_zeros_keeps_the_middle_and_its_gradient() -> None:
    """(Finite differences would move the zeros themselves, so no gradcheck here.)"""
    values = np.array([0.0, 0.0, 1.5, 0.0, -2.0, 0.0])
    v = ag.tensor(values, requires_grad=True)
    kept = np.trim_zeros(v, "f")
    np.testing.assert_array_equal(kept.data, np.trim_zeros(values, "f"))
    np.testing.assert_array_equal(np.trim_zeros(v).data, np.trim_zeros(values))
    kept.sum().backward()
    np.testing.assert_array_equal(v.grad.data, [0, 0, 1, 1, 1, 1])


def test_a_nan_entry_gets_gradient_zero_and_an_all_nan_slice_gives_nan() -> None:
    x = ag.tensor(np.array([[np.nan, np.nan], [1.0, np.nan]]), requires_grad=True)
    with pytest.warns(RuntimeWarning):
        expected = np.nanmax(x.data, axis=1)
    got = np.nanmax(x, axis=1)
    np.testing.assert_array_equal(got.data, expected)
    np.nansum(np.nanvar(x, axis=0, ddof=0)).backward()
    np.testing.assert_array_equal(x.grad.data, np.zeros((2, 2)))
    with pytest.raises(DataError, match="all-NaN slice"):
        np.nanargmax(x, axis=1)


def test_the_rest_are_named_errors_that_say_what_to_write() -> None:
    t = ag.tensor(S, requires_grad=True)
    with pytest.raises(UsageError, match="complex.*eigvalsh"):
        np.linalg.eigvals(t)
    with pytest.raises(UsageError, match="np.stack"):
        np.apply_along_axis(np.sum, 0, t)
    with pytest.raises(UsageError, match="modes that copy entries"):
        np.pad(t, 1, mode="mean")
    with pytest.raises(UsageError, match="reflect_type"):
        np.pad(t, 1, mode="reflect", reflect_type="odd")
    with pytest.raises(UsageError, match="one number"):
        np.pad(t, 1, constant_values=((1, 2), (3, 4)))
    with pytest.raises(ShapeError, match="1-d arrays"):
        np.linalg.outer(t, t)
    with pytest.raises(ShapeError, match="3-vectors"):
        np.linalg.cross(t[:, :2], t[:, :2])
    with pytest.raises(ShapeError, match="equal division|equal"):
        np.hsplit(t, 2)
    with pytest.raises(UsageError, match="period"):
        np.interp(t, [0.0, 1.0], [0.0, 1.0], period=2.0)
    with pytest.raises(UsageError, match="one sign"):
        np.geomspace(t[0, 0] * 0 + 1.0, -2.0)
    with pytest.raises(ShapeError, match="axis is needed"):
        np.cumulative_sum(t)


hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies


@hypothesis.given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3),
                  mode=st.sampled_from(["constant", "edge", "reflect", "symmetric", "wrap"]),
                  data=st.data())
def test_pad_of_drawn_shapes_and_widths_matches_numpy(shape, mode, data) -> None:
    """Widths up to twice the axis (reflect and symmetric repeat their pattern past it)."""
    widths = [tuple(data.draw(st.integers(0, 2 * n), label="width") for _ in range(2))
              for n in shape]
    if mode == "reflect":  # NumPy cannot reflect an axis of one entry with a width
        widths = [(0, 0) if n == 1 else w for n, w in zip(shape, widths)]
    x = np.random.default_rng(len(shape)).standard_normal(shape)
    leaf = ag.tensor(x, requires_grad=True)
    np.testing.assert_array_equal(np.pad(leaf, widths, mode=mode).data,
                                  np.pad(x, widths, mode=mode))
    assert ag.gradcheck(lambda t: np.pad(t, widths, mode=mode), [leaf])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy's, on all-NaN slices
@hypothesis.given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3),
                  name=st.sampled_from(["nanmax", "nanmin", "nanprod", "nanvar", "nanstd",
                                        "nancumsum"]),
                  data=st.data())
def test_nan_reductions_of_drawn_shapes_axes_and_holes_match_numpy(shape, name,
                                                                   data) -> None:
    """NaN holes anywhere (whole slices too); the gradient is checked on the finite
    results (finite differences at a NaN entry see nothing move, as the gradient says)."""
    x = np.random.default_rng(len(shape)).standard_normal(shape)
    holes = np.array(data.draw(st.lists(st.booleans(), min_size=x.size, max_size=x.size),
                               label="holes")).reshape(shape)
    x[holes] = np.nan
    axis = data.draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)),
                     label="axis")
    want = getattr(np, name)(x, axis=axis)
    leaf = ag.tensor(x, requires_grad=True)
    np.testing.assert_allclose(getattr(np, name)(leaf, axis=axis).data, want, rtol=1e-12,
                               atol=1e-12)
    finite = np.isfinite(want)
    if finite.any():
        assert ag.gradcheck(lambda t: np.ravel(getattr(np, name)(t, axis=axis))[
            np.flatnonzero(finite)], [leaf])
