"""Session 38: inputs PyTorch refuses for their dtype (or flags of the wrong type) are
refused here too, with a named error, where the library used to compute something
plausible-looking. The cases PyTorch allows keep working, with values checked against
NumPy computed at test time."""

import math

import numpy as np
import pytest

import autograd as ag
from autograd.errors import DTypeError, UsageError

MASK = np.array([True, False, True])
INTS = np.array([3, -2, 0])
FLOATS = np.array([1.5, -2.5, 0.25])


def mask() -> ag.Tensor:
    return ag.tensor(MASK)


@pytest.mark.parametrize("call", [
    lambda t: t.relu(), lambda t: ag.relu(t),
    lambda t: t.abs(), lambda t: ag.abs(t), lambda t: abs(t),
    lambda t: t.ceil(), lambda t: t.floor(), lambda t: t.round(), lambda t: t.trunc(),
    lambda t: t.fix(), lambda t: ag.ceil(t), lambda t: ag.floor(t), lambda t: ag.round(t),
    lambda t: ag.trunc(t), lambda t: ag.fix(t),
    lambda t: t.argmax(), lambda t: t.argmin(), lambda t: ag.argmax(t, dim=0),
    lambda t: ag.argmin(t, dim=0),
], ids=["relu", "ag.relu", "abs", "ag.abs", "builtin abs", "ceil", "floor", "round",
        "trunc", "fix", "ag.ceil", "ag.floor", "ag.round", "ag.trunc", "ag.fix", "argmax",
        "argmin", "ag.argmax", "ag.argmin"])
def test_bool_input_refused(call):
    with pytest.raises(DTypeError, match="bool"):
        call(mask())


@pytest.mark.parametrize("name", ["relu", "abs", "ceil", "floor", "round", "trunc", "fix",
                                  "argmax", "argmin"])
def test_bool_refusal_names_op_and_advice(name):
    with pytest.raises(DTypeError) as info:
        getattr(mask(), name)()
    message = str(info.value)
    assert message.startswith(f"{name}:")
    assert "x.long()" in message


@pytest.mark.parametrize("name", ["relu", "abs", "ceil", "floor", "round", "trunc", "fix"])
def test_integer_input_still_computed(name):
    reference = {"relu": lambda a: np.maximum(a, 0), "abs": np.abs, "ceil": np.ceil,
                 "floor": np.floor, "round": np.round, "trunc": np.trunc, "fix": np.fix}
    out = getattr(ag.tensor(INTS), name)()
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.data, reference[name](INTS))


def test_argmax_of_integers_and_max_of_mask_still_work():
    assert int(ag.tensor(INTS).argmax()) == int(np.argmax(INTS))
    assert int(ag.tensor(INTS).argmin()) == int(np.argmin(INTS))
    values, indices = mask().max(dim=0)  # PyTorch allows max of bool
    assert bool(values) and int(indices) == int(np.argmax(MASK))


@pytest.mark.parametrize("tensor", [ag.tensor(INTS), ag.tensor(MASK)], ids=["int64", "bool"])
@pytest.mark.parametrize("call", [lambda t: t.frac(), lambda t: ag.frac(t),
                                  lambda t: t.frexp(), lambda t: ag.frexp(t)],
                         ids=["frac", "ag.frac", "frexp", "ag.frexp"])
def test_frac_and_frexp_need_floats(tensor, call):
    with pytest.raises(DTypeError, match="float"):
        call(tensor)


def test_frac_in_place_of_integers_refused_and_leaves_tensor():
    t = ag.tensor(INTS)
    with pytest.raises(DTypeError):
        t.frac_()
    np.testing.assert_array_equal(t.data, INTS)


def test_frac_and_frexp_of_floats_unchanged():
    np.testing.assert_allclose(ag.tensor(FLOATS).frac().data, FLOATS - np.trunc(FLOATS))
    mantissa, exponent = ag.tensor(FLOATS).frexp()
    expected_m, expected_e = np.frexp(FLOATS)
    np.testing.assert_allclose(mantissa.data, expected_m)
    np.testing.assert_array_equal(exponent.data, expected_e)


@pytest.mark.parametrize("symbol", ["<<", ">>"])
def test_shift_of_two_bools_refused(symbol):
    shift = {"<<": lambda a, b: a << b, ">>": lambda a, b: a >> b}[symbol]
    with pytest.raises(DTypeError, match="bool"):
        shift(mask(), mask())
    with pytest.raises(DTypeError, match="bool"):
        shift(mask(), True)
    name = "bitwise_left_shift" if symbol == "<<" else "bitwise_right_shift"
    with pytest.raises(DTypeError):
        getattr(ag, name)(mask(), mask())
    with pytest.raises(DTypeError):
        getattr(mask(), name)(mask())


def test_shift_of_bool_with_integer_and_bitwise_of_bools_allowed():
    np.testing.assert_array_equal((mask() << 1).data, MASK.astype(np.int64) << 1)
    np.testing.assert_array_equal((ag.tensor(INTS) << mask()).data,
                                  INTS << MASK.astype(np.int64))
    for op in (np.bitwise_and, np.bitwise_or, np.bitwise_xor):
        name = op.__name__
        out = getattr(ag, name)(mask(), ag.tensor(~MASK))
        assert out.dtype == np.bool_
        np.testing.assert_array_equal(out.data, op(MASK, ~MASK))


@pytest.mark.parametrize("name", ["hypot", "logaddexp", "logaddexp2"])
@pytest.mark.parametrize("first,second", [(INTS, INTS), (MASK, MASK), (INTS, MASK)],
                         ids=["int-int", "bool-bool", "int-bool"])
def test_float_binary_of_two_integer_operands_refused(name, first, second):
    with pytest.raises(DTypeError, match=name):
        getattr(ag, name)(ag.tensor(first), ag.tensor(second))
    with pytest.raises(DTypeError, match=name):
        getattr(ag.tensor(first), name)(ag.tensor(second))


@pytest.mark.parametrize("name", ["hypot", "logaddexp", "logaddexp2"])
def test_float_binary_with_one_float_operand_computed(name):
    reference = getattr(np, name)
    out = getattr(ag, name)(ag.tensor(INTS), ag.tensor(FLOATS))
    np.testing.assert_allclose(out.data, reference(INTS.astype(float), FLOATS))
    out = getattr(ag.tensor(INTS), name)(2.0)  # a Python float makes the result float
    np.testing.assert_allclose(out.data, reference(INTS.astype(float), 2.0))
    with pytest.raises(DTypeError):
        getattr(ag.tensor(INTS), name)(2)  # a Python int does not


def test_numpy_spellings_of_float_binaries_keep_numpy_answers():
    np.testing.assert_allclose(np.hypot(ag.tensor(INTS), ag.tensor(INTS)).data,
                               np.hypot(INTS, INTS))
    np.testing.assert_allclose(np.logaddexp(ag.tensor(INTS), ag.tensor(INTS)).data,
                               np.logaddexp(INTS, INTS))


def test_igamma_of_integers_still_documented_float64():
    a, x = np.array([1, 2, 3]), np.array([1, 1, 2])
    out = ag.igamma(ag.tensor(a), ag.tensor(x))
    assert out.dtype == np.float64
    # P(1, x) = 1 - e^-x;  P(2, x) = 1 - (1 + x) e^-x;  P(3, x) = 1 - (1 + x + x^2/2) e^-x
    expected = [1 - math.exp(-1), 1 - 2 * math.exp(-1), 1 - 5 * math.exp(-2)]
    np.testing.assert_allclose(out.data, expected)


@pytest.mark.parametrize("other", ["abc", None, {"a": 1}], ids=["str", "None", "dict"])
@pytest.mark.parametrize("call", [lambda t, o: ag.eq(t, o), lambda t, o: ag.ne(t, o),
                                  lambda t, o: t.eq(o), lambda t, o: t.ne(o)],
                         ids=["ag.eq", "ag.ne", "eq", "ne"])
def test_eq_ne_with_non_number_refused(call, other):
    with pytest.raises(DTypeError, match="other"):
        call(ag.tensor(FLOATS), other)


def test_eq_ne_operators_and_numbers_unchanged():
    x = ag.tensor(FLOATS)
    np.testing.assert_array_equal((x == "abc").data, np.zeros(3, bool))  # README: NumPy's
    np.testing.assert_array_equal((x != None).data, np.ones(3, bool))  # noqa: E711
    np.testing.assert_array_equal(x.eq(1.5).data, FLOATS == 1.5)
    np.testing.assert_array_equal(ag.ne(x, ag.tensor(FLOATS[::-1].copy())).data,
                                  FLOATS != FLOATS[::-1])


def test_isin_with_a_str_refused():
    with pytest.raises(DTypeError, match="isin"):
        ag.isin(ag.tensor(FLOATS), "abc")
    with pytest.raises(DTypeError, match="isin"):
        ag.isin("abc", ag.tensor(FLOATS))
    np.testing.assert_array_equal(ag.isin(ag.tensor(INTS), [0, 3]).data,
                                  np.isin(INTS, [0, 3]))


def test_vdot_of_two_dtypes_refused():
    with pytest.raises(DTypeError, match="same dtype"):
        ag.vdot(ag.tensor(INTS), ag.tensor(FLOATS))
    with pytest.raises(DTypeError, match="same dtype"):
        ag.tensor(INTS).vdot(ag.tensor(FLOATS))
    assert float(ag.vdot(ag.tensor(FLOATS), ag.tensor(FLOATS))) == pytest.approx(
        float(FLOATS @ FLOATS))


MATRIX = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])


@pytest.mark.parametrize("call", [
    lambda A: ag.svd(A, None), lambda A: ag.svd(A, "abc"), lambda A: A.svd(1),
    lambda A: ag.svd(A, compute_uv="yes"), lambda A: ag.qr(A, "abc"), lambda A: A.qr(None),
    lambda A: ag.lu(A, "abc"), lambda A: A.lu(True, "abc"), lambda A: ag.linalg.lu(A, pivot=1),
    lambda A: ag.linalg.svd(A, full_matrices="no"),
    lambda A: ag.linalg.cholesky(A, upper="yes"),
], ids=["svd None", "svd str", "x.svd 1", "svd compute_uv", "qr str", "x.qr None", "lu str",
        "x.lu get_infos", "linalg.lu pivot", "linalg.svd", "linalg.cholesky"])
def test_decomposition_flags_must_be_bools(call):
    with pytest.raises(UsageError, match="must be a bool"):
        call(ag.tensor(MATRIX))


@pytest.mark.parametrize("call", [
    lambda t: ag.unique(t, "abc"), lambda t: t.unique("abc"),
    lambda t: ag.unique(t, return_counts="abc"), lambda t: t.unique(return_inverse=1),
    lambda t: ag.unique_consecutive(t, "abc"), lambda t: t.unique_consecutive(1),
    lambda t: t.unique_consecutive(return_counts=None),
], ids=["unique sorted", "x.unique sorted", "unique counts", "x.unique inverse",
        "unique_consecutive", "x.unique_consecutive 1", "x.unique_consecutive counts"])
def test_set_flags_must_be_bools(call):
    with pytest.raises(UsageError, match="must be a bool"):
        call(ag.tensor(np.array([3, 3, 1, 2, 2])))


def test_flags_given_as_bools_still_work():
    values = np.array([3, 3, 1, 2, 2])
    out, counts = ag.unique_consecutive(ag.tensor(values), False, True)
    np.testing.assert_array_equal(out.data, [3, 1, 2])
    np.testing.assert_array_equal(counts.data, [2, 1, 2])
    uniq, inverse = ag.tensor(values).unique(True, True)
    np.testing.assert_array_equal(uniq.data[inverse.data], values)
    U, S, V = ag.svd(ag.tensor(MATRIX), np.bool_(True))
    np.testing.assert_allclose((U.data * S.data) @ V.data.T, MATRIX, atol=1e-12)
    Q, R = ag.qr(ag.tensor(MATRIX), False)
    np.testing.assert_allclose(Q.data @ R.data, MATRIX, atol=1e-12)
