"""Session 38: PyTorch's dtype rule for ``out=`` of the functions that cast nothing
(argmax's int64, signbit's bool, all's bool or uint8, each result of a pair such as sort's)
and the refusal of a join (cat, stack, ...) into one of its inputs. Expected values come
from NumPy at test time."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(38)
X = RNG.standard_normal((3, 4))
X[0, 1], X[2, 3] = np.inf, -np.inf
ALL_DTYPES = [np.float32, np.float64, np.int32, np.int64, np.bool_, np.uint8]

# name -> (call with out, NumPy's expected result, the dtypes PyTorch takes for out)
SINGLE = {
    "argmax": (lambda x, out: ag.argmax(x, dim=1, out=out), lambda a: np.argmax(a, 1),
               [np.int64]),
    "argmin": (lambda x, out: ag.argmin(x, dim=1, out=out), lambda a: np.argmin(a, 1),
               [np.int64]),
    "argmax_flat": (lambda x, out: ag.argmax(x, out=out), np.argmax, [np.int64]),
    "all": (lambda x, out: ag.all(x > -1, dim=1, out=out), lambda a: np.all(a > -1, 1),
            [np.bool_, np.uint8]),
    "any": (lambda x, out: ag.any(x > 1, dim=1, out=out), lambda a: np.any(a > 1, 1),
            [np.bool_, np.uint8]),
    "signbit": (lambda x, out: ag.signbit(x, out=out), np.signbit, [np.bool_]),
    "isposinf": (lambda x, out: ag.isposinf(x, out=out), np.isposinf, [np.bool_]),
    "isneginf": (lambda x, out: ag.isneginf(x, out=out), np.isneginf, [np.bool_]),
    "isin": (lambda x, out: ag.isin(x, x[0], out=out), lambda a: np.isin(a, a[0]),
             [np.bool_]),
    "searchsorted": (lambda x, out: ag.searchsorted(ag.tensor([-1.0, 0.0, 1.0]), x, out=out),
                     lambda a: np.searchsorted([-1.0, 0.0, 1.0], a), [np.int64]),
    "bucketize": (lambda x, out: ag.bucketize(x, ag.tensor([-1.0, 0.0, 1.0]), out=out),
                  lambda a: np.searchsorted([-1.0, 0.0, 1.0], a), [np.int64]),
}
CASES = [(name, dtype) for name in SINGLE for dtype in ALL_DTYPES]


@pytest.mark.parametrize("name,dtype", CASES)
def test_single_result_out_dtype_as_torch(name, dtype) -> None:
    call, expected, allowed = SINGLE[name]
    out = ag.zeros(0, dtype=dtype)
    if dtype in allowed:
        assert call(ag.tensor(X), out) is out
        assert out.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(out.data, expected(X).astype(dtype))
    else:
        with pytest.raises(ag.DTypeError, match="out's dtype is"):
            call(ag.tensor(X), out)
        assert out.shape == (0,)  # neither resized nor written


@pytest.mark.parametrize("out_dtype", [np.bool_, np.uint8])
def test_all_any_of_uint8_input_into_bool_or_uint8_out(out_dtype) -> None:
    data = np.array([[1, 0, 2], [3, 4, 5]], np.uint8)
    for function, expected in ((ag.all, np.all(data, 1)), (ag.any, np.any(data, 1))):
        out = ag.zeros(0, dtype=out_dtype)
        function(ag.tensor(data), dim=1, out=out)
        np.testing.assert_array_equal(out.data, expected.astype(out_dtype))


def test_searchsorted_int32_out_only_with_out_int32() -> None:
    sequence, values = ag.tensor([-1.0, 0.0, 1.0]), ag.tensor(X)
    out = ag.zeros(0, dtype=np.int32)
    ag.searchsorted(sequence, values, out_int32=True, out=out)
    np.testing.assert_array_equal(out.data, np.searchsorted([-1.0, 0.0, 1.0], X))
    with pytest.raises(ag.DTypeError, match="int32"):
        ag.searchsorted(sequence, values, out_int32=True, out=ag.zeros(0, dtype=np.int64))
    with pytest.raises(ag.DTypeError, match="int64"):
        ag.searchsorted(sequence, values, out=ag.zeros(0, dtype=np.int32))


PAIRS = {
    "sort": (lambda x, out: ag.sort(x, dim=1, out=out),
             lambda a: (np.sort(a, 1), np.argsort(a, 1, kind="stable"))),
    "max": (lambda x, out: ag.max(x, dim=1, out=out),
            lambda a: (np.max(a, 1), np.argmax(a, 1))),
    "min": (lambda x, out: ag.min(x, dim=1, out=out),
            lambda a: (np.min(a, 1), np.argmin(a, 1))),
    "cummax": (lambda x, out: ag.cummax(x, 1, out=out),
               lambda a: (np.maximum.accumulate(a, 1), None)),
}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_pair_outs_take_exactly_their_dtypes(name) -> None:
    call, expected = PAIRS[name]
    values, indices = ag.zeros(0), ag.zeros(0, dtype=np.int64)
    result = call(ag.tensor(X), (values, indices))
    assert result[0] is values and result[1] is indices
    want_values, want_indices = expected(X)
    np.testing.assert_array_equal(values.data, want_values)
    if want_indices is not None:
        np.testing.assert_array_equal(indices.data, want_indices)
    for wrong in ((ag.zeros(0, dtype=np.float32), ag.zeros(0, dtype=np.int64)),
                  (ag.zeros(0), ag.zeros(0)), (ag.zeros(0), ag.zeros(0, dtype=np.int32))):
        with pytest.raises(ag.DTypeError, match="no cast"):
            call(ag.tensor(X), wrong)
        assert wrong[0].shape == (0,) and wrong[1].shape == (0,)


def test_single_result_functions_still_cast_as_before() -> None:
    out = ag.zeros(0, dtype=np.float32)
    ag.max(ag.tensor(X[:, :1]), out=out)  # one result: can_cast's rule, as PyTorch
    assert out.dtype == np.float32 and out.item() == np.float32(X[:, 0].max())
    out = ag.zeros(0)
    ag.eq(ag.tensor(X), ag.tensor(X), out=out)  # PyTorch casts comparisons into any out
    np.testing.assert_array_equal(out.data, np.ones((3, 4)))


JOINS = {
    "cat": lambda ts, out: ag.cat(ts, out=out),
    "concat": lambda ts, out: ag.concat(ts, out=out),
    "concatenate": lambda ts, out: ag.concatenate(ts, out=out),
    "stack": lambda ts, out: ag.stack(ts, out=out),
    "hstack": lambda ts, out: ag.hstack(ts, out=out),
    "vstack": lambda ts, out: ag.vstack(ts, out=out),
    "row_stack": lambda ts, out: ag.row_stack(ts, out=out),
    "dstack": lambda ts, out: ag.dstack(ts, out=out),
    "column_stack": lambda ts, out: ag.column_stack(ts, out=out),
}


@pytest.mark.parametrize("name", sorted(JOINS))
def test_join_into_one_of_its_inputs_is_refused(name) -> None:
    x = ag.tensor(X.copy())
    with pytest.raises(ag.UsageError, match="share memory"):
        JOINS[name]([x, x], x)
    assert x.shape == (3, 4)
    np.testing.assert_array_equal(x.data, X)  # neither resized nor written
    base = ag.tensor(np.arange(24.0).reshape(6, 4))
    with pytest.raises(ag.UsageError, match="input 1"):
        JOINS[name]([ag.tensor(X), base[1:4]], base[:3])  # overlapping rows of one base


@pytest.mark.parametrize("name", sorted(JOINS))
def test_join_into_a_disjoint_part_of_an_inputs_base(name) -> None:
    base = ag.tensor(np.arange(24.0).reshape(6, 4))
    first, second = base.data[:3].copy(), base.data[:3].copy()
    expected = JOINS[name]([ag.tensor(first), ag.tensor(second)], None).data
    out = ag.zeros(0)
    JOINS[name]([base[:3], base[:3]], out)  # an ordinary out is untouched by the check
    np.testing.assert_array_equal(out.data, expected)
    if name == "cat":
        got = ag.cat([base[:3]], out=base[3:])  # disjoint rows: accepted, as PyTorch
        np.testing.assert_array_equal(got.data, first)
        np.testing.assert_array_equal(base.data[3:], first)
