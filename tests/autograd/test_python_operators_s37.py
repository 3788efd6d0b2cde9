"""Python operators on tensors (session 37): a float16 tensor times or divided by a Python
number is computed in float32 with the number and rounded once to float16, as PyTorch's
half kernels (values and gradients, no overflow warnings); ``operator.index`` takes any
one-element integer or bool tensor, as PyTorch's; an operand that is no data (None, a
Decimal, a dict...) is a TypeError naming the operator, a ``Fraction`` is its float; an
integer int64 cannot hold (2**63) is refused as 2**64 is; three-argument ``pow`` is
refused. Expected values are computed here with NumPy (or by hand)."""

import decimal
import fractions
import operator
import re
import warnings

import numpy as np
import pytest

import autograd as ag
from autograd.errors import DataError, DTypeError, UsageError

F16 = np.array([1.0, 0.0, 300.0, -248.4, 420.5, 6e-5, 65504.0], np.float16)
NUMBERS = [65535, 1e5, 1e-8, 0.1, 1 / 3, 2.7, -0.7, 70000.0, 1e-3, 3]


def _in_float32(function, x: np.ndarray, c) -> np.ndarray:
    """PyTorch's half rule, by hand: float32 operands, one rounding to float16."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        return function(x.astype(np.float32), np.float32(c)).astype(np.float16)


def _quietly(call):
    """``call()`` with every warning an error (none may leak)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return call()


# ---------------------------------------------------------------- 1. float16 with numbers

@pytest.mark.parametrize("c", NUMBERS)
@pytest.mark.parametrize("name, ours, by_hand", [
    ("x * c", lambda x, c: x * c, lambda x, c: _in_float32(operator.mul, x, c)),
    ("c * x", lambda x, c: c * x, lambda x, c: _in_float32(operator.mul, x, c)),
    ("x / c", lambda x, c: x / c, lambda x, c: _in_float32(operator.truediv, x, c)),
    # PyTorch's c / x is reciprocal(x) * c: the reciprocal rounded to float16 first
    ("c / x", lambda x, c: c / x, lambda x, c: _in_float32(operator.mul, 1 / x, c)),
])
def test_float16_times_or_over_a_number_is_computed_in_float32(name, ours, by_hand, c):
    with np.errstate(divide="ignore"):
        expected = by_hand(F16, c)
    result = _quietly(lambda: ours(ag.tensor(F16), c))
    assert result.dtype == np.float16
    np.testing.assert_array_equal(result.numpy(), expected)


def test_float16_cases_of_the_report_by_hand():
    x = ag.tensor(np.array([1.0, 0.0, 300.0], np.float16))
    assert (x / 65535).tolist()[0] == float(np.float16(1 / 65535)) > 0  # not 0 (65535: inf)
    assert (x * 1e5).tolist() == [np.inf, 0.0, np.inf]                   # 0 * 1e5 is 0, no NaN
    assert (x * 1e-8).tolist()[2] == float(np.float16(300 * 1e-8)) > 0   # 1e-8 is no 0
    assert (1e5 / x).tolist()[2] == float(np.float16(np.float16(1 / 300.0) * np.float32(1e5)))


def test_float16_gradients_of_times_and_over_a_number_are_computed_in_float32():
    x = ag.tensor(np.array([1.0, 2.0], np.float16), requires_grad=True)
    _quietly(lambda: (x / 65535).sum().backward())
    np.testing.assert_array_equal(x.grad.numpy(), _in_float32(operator.truediv,
                                                              np.ones(2, np.float16), 65535))
    assert x.grad.numpy()[0] > 0
    x = ag.tensor(np.array([1.0, 2.0], np.float16), requires_grad=True)
    ((x * 0.1) * 3.0).sum().backward()  # the first vjp gets g = 3: 3 * 0.1 in float32
    np.testing.assert_array_equal(x.grad.numpy(),
                                  _in_float32(operator.mul, np.full(2, 3, np.float16), 0.1))


def test_float16_gradient_with_create_graph_is_the_same():
    x = ag.tensor(np.array([1.0, 2.0], np.float16), requires_grad=True)
    (g,) = ag.grad((x / 65535).sum(), x, create_graph=True)
    assert g.dtype == np.float16
    np.testing.assert_array_equal(g.detach().numpy(), _in_float32(
        operator.truediv, np.ones(2, np.float16), 65535))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float32_and_float64_keep_numpy_weak_number_rule(dtype):
    x = np.array([0.3, -2.5, 7.0], dtype)
    for c in (0.1, 3, 1 / 3):
        assert (ag.tensor(x) * c).dtype == dtype
        np.testing.assert_array_equal((ag.tensor(x) * c).numpy(), x * c)
        np.testing.assert_array_equal((ag.tensor(x) / c).numpy(), x / c)


# ---------------------------------------------------------------- 2. operator.index

@pytest.mark.parametrize("data, dtype, value", [
    ([2], np.int64, 2), ([[2]], np.int8, 2), ([[1]], np.uint8, 1), (True, np.bool_, 1),
    ([False], np.bool_, 0), ([[True]], np.bool_, 1), (2, np.int32, 2)])
def test_index_takes_one_element_integer_or_bool_tensors_of_any_shape(data, dtype, value):
    t = ag.tensor(np.array(data, dtype))
    assert operator.index(t) == value
    assert "abc"[t] == "abc"[value]
    assert list(range(t)) == list(range(value))
    assert bin(t) == bin(value)


def test_a_numpy_array_indexed_by_a_one_element_tensor_takes_it_as_an_int():
    a = np.arange(5)
    assert a[ag.tensor([2])] == a[2] and np.ndim(a[ag.tensor([2])]) == 0  # as torch's
    np.testing.assert_array_equal(a[ag.tensor([1, 3])], a[[1, 3]])


@pytest.mark.parametrize("t", [ag.tensor([2.0]), ag.tensor(2.0), ag.tensor([1, 2]),
                               ag.tensor(np.zeros((0,), np.int64))])
def test_index_refuses_float_and_several_element_tensors(t):
    with pytest.raises(UsageError, match="one element") as info:
        operator.index(t)
    assert isinstance(info.value, TypeError)


# ---------------------------------------------------------------- 5. operands that are no data

OPERATORS = [("+", operator.add), ("-", operator.sub), ("*", operator.mul),
             ("/", operator.truediv), ("**", operator.pow), ("@", operator.matmul)]
NOT_DATA = [None, decimal.Decimal("1.5"), object(), {"a": 1}, {1, 2}, "abc"]


@pytest.mark.parametrize("symbol, function", OPERATORS)
@pytest.mark.parametrize("other", NOT_DATA, ids=lambda o: type(o).__name__)
def test_an_operand_that_is_no_data_is_a_type_error_naming_the_operator(symbol, function,
                                                                         other):
    x = ag.tensor([1.5, -2.0])
    name = type(other).__name__
    with pytest.raises(DTypeError, match=re.escape(f"for {symbol}: 'Tensor' and '{name}'")) \
            as info:
        function(x, other)
    assert isinstance(info.value, TypeError) and not isinstance(info.value, ValueError)
    with pytest.raises(DTypeError, match=f"'{name}' and 'Tensor'"):
        function(other, x)


def test_a_list_that_cannot_become_an_array_keeps_its_data_error():
    with pytest.raises(DataError):
        ag.tensor([1.0, 2.0]) + [1, None]
    with pytest.raises(DataError):
        ag.tensor([1.0, 2.0]) + [[1.0], [1.0, 2.0]]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_fraction_is_its_float(dtype):
    x = np.array([1.5, 4.0], dtype)
    half = fractions.Fraction(1, 2)
    for ours, expected in [(ag.tensor(x) + half, x + 0.5), (half - ag.tensor(x), 0.5 - x),
                           (ag.tensor(x) * half, x * 0.5), (ag.tensor(x) ** half, x ** 0.5),
                           (half / ag.tensor(x), 0.5 / x), (ag.tensor(x) // half, x // 0.5)]:
        assert ours.dtype == dtype
        np.testing.assert_allclose(ours.numpy(), expected, rtol=1e-6)


# ---------------------------------------------------------------- 6. integers beyond int64

@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int8, np.uint8])
@pytest.mark.parametrize("value", [2 ** 63, 2 ** 64 - 1, 2 ** 64])
@pytest.mark.parametrize("function", [operator.add, operator.mul, operator.sub,
                                      lambda x, c: c - x])
def test_an_integer_int64_cannot_hold_is_refused(dtype, value, function):
    with pytest.raises(DTypeError, match="does not fit"):
        function(ag.tensor(np.array([1, 2], dtype)), value)


def test_integers_int64_holds_still_widen_and_uint64_keeps_its_range():
    np.testing.assert_array_equal((ag.tensor(np.array([1, 2], np.uint8)) + -1).numpy(),
                                  np.array([0, 1], np.int64))
    big = ag.tensor(np.array([1, 2], np.uint64)) + 2 ** 63
    assert big.dtype == np.uint64
    assert big.tolist() == [2 ** 63 + 1, 2 ** 63 + 2]
    with pytest.raises(DTypeError, match="uint64"):  # NumPy: uint64 with int64 is float64
        ag.tensor(np.array([1, 2], np.uint64)) + -1


# ---------------------------------------------------------------- 7. three-argument pow

def test_three_argument_pow_is_refused_with_what_to_write():
    x = ag.tensor([1, 2, 3])
    with pytest.raises(UsageError, match=r"\(x \*\* p\) % m") as info:
        pow(x, 2, 5)
    assert isinstance(info.value, TypeError)
    assert pow(x, 2).tolist() == [1, 4, 9]
    assert ((x ** 2) % 5).tolist() == [1, 4, 4]


@pytest.mark.parametrize("method, number", [("mul_", 1e5), ("div_", 65535.0), ("mul_", 0.1),
                                            ("div_", 3)])
def test_float16_in_place_times_a_number_is_the_out_of_place_result(method, number):
    data = np.array([1.0, 0.0, 300.0, -2.5], dtype=np.float16)
    x = ag.tensor(data)
    getattr(x, method)(number)
    op = np.multiply if method == "mul_" else np.true_divide
    with np.errstate(over="ignore"):
        expected = op(data.astype(np.float32), number).astype(np.float16)
    np.testing.assert_array_equal(x.numpy(), expected)


def test_float16_scalar_ops_have_their_own_class_and_float64_ones_do_not_change():
    from autograd.ops.arithmetic import HalfDivScalar, HalfMulScalar, MulScalar
    x16 = ag.tensor(np.array([1.0, 300.0], np.float16), requires_grad=True)
    assert type((x16 * 2.0).grad_fn) is HalfMulScalar
    assert type((x16 / 2.0).grad_fn) is HalfDivScalar
    assert type((ag.tensor([1.0], requires_grad=True) * 2.0).grad_fn) is MulScalar
    (g,) = ag.grad(((x16 / 65535.0) * 1e-3).sum(), x16)
    inner = np.float16(np.float32(1.0) * 1e-3)  # each op: in float32, rounded once
    expected = np.float16(np.float32(inner) / 65535.0)
    assert g.dtype == np.float16 and np.all(g.numpy() == expected)
