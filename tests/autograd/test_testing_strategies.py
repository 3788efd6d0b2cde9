"""``autograd.testing``: the strategies draw what their docstrings promise."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import find, given, settings, strategies as st
from hypothesis.errors import NoSuchExample

import autograd as ag
from autograd.errors import UsageError
from autograd import testing
from autograd.testing import (CLIP_BOUNDS, DOMAINS, GRID_SPACING, arrays, axes,
                              broadcastable_shapes, domain, index_expressions, shapes,
                              tensors)
from op_table import CASES, OpCase


@given(shapes(min_dims=1, max_dims=2, min_side=2, max_side=3))
def test_shapes_respect_their_bounds(shape: tuple[int, ...]) -> None:
    assert 1 <= len(shape) <= 2 and all(2 <= n <= 3 for n in shape)


def test_default_shapes_include_0d_and_size_1_axes() -> None:
    assert find(shapes(), lambda s: s == ()) == ()
    assert 1 in find(shapes(min_dims=2), lambda s: 1 in s and max(s) > 1)


@given(broadcastable_shapes(3))
def test_broadcastable_shapes_broadcast(drawn: tuple[tuple[int, ...], ...]) -> None:
    assert len(drawn) == 3
    np.broadcast_shapes(*drawn)


def test_broadcastable_shapes_differ_in_rank_and_stretch_size_1_axes() -> None:
    find(broadcastable_shapes(2), lambda s: len(s[0]) != len(s[1]))
    find(broadcastable_shapes(2), lambda s: len(s[0]) == len(s[1]) > 0 and any(
        m == 1 < n for m, n in zip(*s)))


@given(arrays(shapes(), dtype=np.float32, elements=(-2, 3)))
def test_arrays_have_dtype_and_bounds(a: np.ndarray) -> None:
    assert a.dtype == np.float32 and np.all((a >= -2) & (a <= 3))


@pytest.mark.parametrize("dtype", [np.int64, np.uint8, bool, np.float16])
@given(data=st.data())
def test_arrays_of_other_dtypes(dtype, data: st.DataObject) -> None:
    a = data.draw(arrays((3,), dtype=dtype, elements=(0, 5)))
    assert a.dtype == np.dtype(dtype) and a.shape == (3,)


@pytest.mark.parametrize("dtype, low, high", [
    (np.float16, -1e6, 1e6),      # beyond float16's range: was inf
    (np.float16, 1e-9, 1.0),      # below float16's smallest step: was 0.0, log(0) = -inf
    (np.float32, 0.1, 0.3),       # bounds not representable in float32
    (np.float16, 0.1, 0.2)])
@given(data=st.data())
def test_float_bounds_hold_in_the_arrays_dtype(dtype, low, high,
                                               data: st.DataObject) -> None:
    a = data.draw(arrays((8,), dtype=dtype, elements=(low, high)))
    assert a.dtype == dtype and np.all(np.isfinite(a))
    assert np.all((a.astype(np.float64) >= low) & (a.astype(np.float64) <= high))


@pytest.mark.parametrize("elements, dtype", [((1.0, -1.0), np.float64),
                                             ((7e4, 1e6), np.float16), ((0.1, 0.1), np.float32),
                                             (5.0, np.float64)])
def test_elements_with_no_value_in_the_dtype_are_refused(elements, dtype) -> None:
    with pytest.raises(UsageError, match="elements|no finite"):
        find(arrays((2,), dtype=dtype, elements=elements), lambda a: True)


@given(arrays(3), tensors(2))
def test_an_int_shape_is_one_axis_as_in_numpy(a: np.ndarray, t: ag.Tensor) -> None:
    assert a.shape == np.zeros(3).shape and t.shape == (2,)


@given(arrays(shapes(min_dims=1), noncontiguous=True))
def test_noncontiguous_arrays_are_views(a: np.ndarray) -> None:
    assert a.base is not None
    if a.size > 1 and max(a.shape) > 1:
        assert not a.flags.c_contiguous


@given(arrays((3, 4), elements=domain("max"), unique=True))
def test_unique_arrays_have_distinct_values(a: np.ndarray) -> None:
    assert len(np.unique(a)) == a.size


@given(tensors((2, 3), elements=(0, 1), requires_grad=True, noncontiguous=True))
def test_tensors_wrap_the_drawn_array(t: ag.Tensor) -> None:
    assert isinstance(t, ag.Tensor) and t.requires_grad and t.is_leaf
    assert t.shape == (2, 3) and t.dtype == np.float64 and t.data.base is not None


@given(data=st.data())
def test_axes_are_valid_and_distinct(data: st.DataObject) -> None:
    shape = data.draw(shapes())
    axis = data.draw(axes(len(shape)))
    np.sum(np.zeros(shape), axis=axis)  # NumPy accepts it
    if isinstance(axis, tuple):
        assert len({a % len(shape) for a in axis}) == len(axis)
    single = data.draw(axes(max(len(shape), 1), allow_none=False, allow_tuple=False))
    assert isinstance(single, int)


def test_axes_include_negative_ints_and_tuples() -> None:
    find(axes(3), lambda a: isinstance(a, int) and a < 0)
    find(axes(3), lambda a: isinstance(a, tuple) and len(a) == 2 and min(a) < 0)
    with pytest.raises(ValueError, match="no int axis"):
        find(axes(0, allow_none=False, allow_tuple=False), lambda a: True)


@given(data=st.data())
def test_index_expressions_are_valid_numpy_indices(data: st.DataObject) -> None:
    shape = data.draw(shapes())
    index = data.draw(index_expressions(shape))
    np.zeros(shape)[index]


def test_index_expressions_include_repeated_integer_arrays() -> None:
    def repeats(index) -> bool:
        parts = index if isinstance(index, tuple) else (index,)
        return any(isinstance(p, np.ndarray) and len(set(p % 4)) < len(p) for p in parts)
    find(index_expressions((4, 3)), repeats)
    find(index_expressions((4, 3), allow_arrays=False),
         lambda i: isinstance(i, tuple) and any(isinstance(p, slice) and p.step == -2
                                                for p in i))


# ------------------------------------------------------------------ domains
@given(st.data())
def test_domains_avoid_kinks_poles_and_ties(data: st.DataObject) -> None:
    x = lambda op, arg=0: data.draw(domain(op, arg))  # noqa: E731
    assert x("log") >= 0.1 and x("sqrt") >= 0.1 and x("pow", 0) > 0
    assert abs(x("relu")) >= 0.1 and abs(x("abs")) >= 0.1 and abs(x("div", 1)) >= 0.5
    assert abs(x("rdiv")) >= 0.5
    assert all(abs(x("clip") - bound) >= 0.1 - 1e-12 for bound in CLIP_BOUNDS)
    for op in ("max", "min", "std", "maximum", "minimum"):
        value = x(op) / GRID_SPACING
        assert abs(value - round(value)) < 1e-9
    a, b = x("maximum", 0), x("maximum", 1)
    assert abs(a - b) >= GRID_SPACING - 1e-12


def test_every_engine_op_has_a_domain() -> None:
    for name in ("add", "sub", "mul", "div", "pow", "exp", "log", "sqrt", "abs", "tanh",
                 "sigmoid", "relu", "maximum", "minimum", "clip", "where", "matmul", "sum",
                 "mean", "var", "std", "max", "min", "logsumexp", "softmax",
                 "log_softmax", "reshape", "getitem", "astype"):
        assert name in DOMAINS and domain(name) is DOMAINS[name][0]
    assert domain("div", 5) is DOMAINS["div"][-1]
    with pytest.raises(KeyError, match="no domain for op 'lgo'.*known ops: abs"):
        domain("lgo")


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_every_op_table_row_has_a_public_domain(case: OpCase) -> None:
    """The op table draws its inputs from ``autograd.testing.domain``: one place for all
    ops, so users property-testing arcsin or sort get the same safe values."""
    assert case.op in DOMAINS
    assert domain(case.op) is DOMAINS[case.op][0]


def test_domains_of_later_ops_avoid_their_poles_and_jumps() -> None:
    for op, bad in (("arcsin", lambda v: abs(v) > 0.95), ("tan", lambda v: abs(v) > 1.3),
                    ("floor", lambda v: abs(v - round(v)) < 0.2),
                    ("round", lambda v: abs(2 * v - round(2 * v)) < 0.4),
                    ("reciprocal", lambda v: abs(v) < 0.5), ("sign", lambda v: v == 0)):
        with pytest.raises(NoSuchExample):
            find(domain(op), bad)


def test_public_api() -> None:
    assert set(testing.__all__) <= set(dir(testing))
    for name in ("shapes", "broadcastable_shapes", "arrays", "tensors", "axes",
                 "index_expressions", "domain"):
        assert getattr(testing, name).__doc__


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, cwd=str(__import__("pathlib").Path(ag.__file__).parents[1]))


def test_import_autograd_does_not_import_hypothesis() -> None:
    result = _run("""
        import sys, autograd
        assert "hypothesis" not in sys.modules, "hypothesis imported by autograd"
    """)
    assert result.returncode == 0, result.stderr


def test_missing_hypothesis_says_what_to_install() -> None:
    """Without hypothesis, ``assert_close`` works and a strategy names what to install."""
    result = _run("""
        import sys
        sys.modules["hypothesis"] = None  # as if it were not installed
        import autograd.testing
        autograd.testing.assert_close(1.0, 1.0)
        from autograd.testing import tensors
    """)
    assert result.returncode != 0
    assert 'pip install -e ".[test]"' in result.stderr
    assert "autograd.errors.MissingDependencyError" in result.stderr  # an ImportError too


@pytest.mark.parametrize("dtype, elements", [(np.float32, domain("log")),
                                             (np.float16, st.floats(0, 1e-3))])
@given(data=st.data())
def test_unique_holds_in_the_arrays_dtype_for_an_elements_strategy(dtype, elements,
                                                                  data: st.DataObject) -> None:
    a = data.draw(arrays((20,), dtype=dtype, elements=elements, unique=True))
    assert a.dtype == dtype and len(np.unique(a)) == a.size  # 2.0000001 and 2 were both 2


def test_an_elements_strategy_beyond_the_dtype_is_refused_not_drawn_as_inf() -> None:
    with pytest.raises(UsageError, match=r"beyond what float16 holds.*bound the strategy"):
        find(arrays((3,), dtype=np.float16, elements=st.floats(1e5, 1e6)), lambda a: True)


@pytest.mark.parametrize("dtype, elements, advice", [
    (np.int8, (0.2, 0.8), "widen"), (np.uint8, (300, 400), "widen"),
    (np.float64, (1.0, -1.0), "swap them"), (np.float64, (np.nan, 1.0), "widen")])
def test_bounds_with_no_value_of_the_dtype_say_what_to_do(dtype, elements, advice) -> None:
    with pytest.raises(UsageError, match=rf"no .*{np.dtype(dtype)} value lies in .*{advice}"):
        find(arrays((2,), dtype=dtype, elements=elements), lambda a: True)  # int: InvalidArgument


@pytest.mark.parametrize("alias, op", [("clamp", "clip"), ("cat", "concatenate"),
                                       ("index_add", "index_put")])
def test_the_other_exported_names_of_an_op_have_its_domain(alias, op) -> None:
    assert domain(alias) is domain(op)  # ag.clamp, ag.cat: was UnknownOpError


def test_strategies_keep_drawing_their_edge_cases() -> None:
    """0-d strided views, reversed views, x[None], negative slice bounds:
    strategies that stopped drawing each of them passed the other tests."""
    assert find(arrays((), noncontiguous=True), lambda a: True).base is not None
    find(arrays((3,), noncontiguous=True), lambda a: a.strides[0] < 0)

    def parts(index) -> tuple:
        return index if isinstance(index, tuple) else (index,)
    find(index_expressions((4, 3)), lambda i: any(p is None for p in parts(i)))
    find(index_expressions((4, 3), allow_arrays=False), lambda i: any(
        isinstance(p, slice) and any(b is not None and b < 0 for b in (p.start, p.stop))
        for p in parts(i)))


@pytest.mark.parametrize("call, message", [
    (lambda: arrays(np.float32, (2, 3)), r"shape comes first here.*arrays\(\(2, 3\), dtype"),
    (lambda: arrays("float32", 3), r"shape comes first here"),
    (lambda: tensors(np.dtype(np.float32), (2, 3)), r"tensors: shape comes first"),
    (lambda: arrays((2, -1)), r"shape must be an int, a tuple of ints >= 0"),
    (lambda: arrays(2.5), r"shape must be an int, a tuple of ints >= 0"),
    (lambda: arrays(st.just((2, "a"))), r"shape must be an int"),
    (lambda: arrays(3, dtype="flaot32"), r"dtype must be a NumPy dtype")])
def test_hypothesis_argument_order_and_bad_shapes_are_named(call, message) -> None:
    """hypothesis.extra.numpy.arrays takes dtype first: that habit was NumPy's bare
    "TypeError: Cannot interpret '2' as a data type"."""
    with pytest.raises(UsageError, match=message):
        find(call(), lambda a: True)


@settings(max_examples=10)
@given(data=st.data())
@pytest.mark.parametrize("shape, op", [((60,), "sort"), ((3, 4), "max"), ((), "sort")])
def test_unique_noncontiguous_views_need_only_their_own_values_distinct(
        shape, op, data: st.DataObject) -> None:
    """A step-2 view was drawn from a base of unique values: twice as many as the view
    holds, more than domain("sort")'s 101 for 60 (Unsatisfiable)."""
    a = data.draw(arrays(shape, elements=domain(op), unique=True, noncontiguous=True))
    assert a.shape == shape and len(np.unique(a)) == a.size
