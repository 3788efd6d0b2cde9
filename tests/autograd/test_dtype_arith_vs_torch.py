"""Integer and bool arithmetic next to PyTorch: a number an integer tensor's dtype cannot
hold (widened to int64, README *NumPy interop*), a number beside ``& | ^ << >>`` (weak, as
PyTorch's), the in-place operators ``%= //= **= &= |= ^= <<= >>=`` and the in-place
bitwise, logical and comparison methods (written in place, cast back as PyTorch casts),
``sign`` of bool, integer powers with negative tensor exponents, and ``-`` with a bool."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import autograd as ag
from autograd import DTypeError, UsageError

SMALL_INTS = ["uint8", "int8", "int16", "int32"]


def _pair(torch: Any, values: Any, dtype: str) -> tuple[Any, Any]:
    """The same data as our tensor and PyTorch's."""
    return ag.tensor(values, dtype=getattr(ag, dtype)), torch.tensor(values,
                                                                      dtype=getattr(torch, dtype))


def _same(ours: Any, theirs: Any) -> None:
    """Our tensor holds PyTorch's values in PyTorch's dtype."""
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def _refused_as_torch(ours: Callable[[], Any], theirs: Callable[[], Any],
                      error: type = DTypeError) -> None:
    """PyTorch refuses the call; ours raises the named ``error``."""
    with pytest.raises((RuntimeError, NotImplementedError)):
        theirs()
    with pytest.raises(error):
        ours()


# ------------------------------------------------- 1: a number the dtype cannot hold
OUT_OF_RANGE: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("x + c", lambda x, c: x + c), ("c + x", lambda x, c: c + x),
    ("x - c", lambda x, c: x - c), ("c - x", lambda x, c: c - x),
    ("x * c", lambda x, c: x * c), ("c * x", lambda x, c: c * x),
]
METHODS = {"x.add(c)": (lambda x, c: x.add(c), np.add),
           "x.sub(c)": (lambda x, c: x.sub(c), np.subtract),
           "x.mul(c)": (lambda x, c: x.mul(c), np.multiply)}
OUT_OF_RANGE += [(name, ours) for name, (ours, _) in METHODS.items()]


@pytest.mark.parametrize("dtype, c", [("uint8", -1), ("uint8", 300), ("int8", 300),
                                      ("int8", -200), ("int16", 40000)])
@pytest.mark.parametrize("name, op", OUT_OF_RANGE, ids=[n for n, _ in OUT_OF_RANGE])
def test_a_number_the_dtype_cannot_hold_widens_to_int64(torch, dtype, c, name, op) -> None:
    """As README's rule for // and %: NumPy's result with c as an int64, which is
    PyTorch's wrapped result once cast back to the tensor's dtype."""
    data = np.array([1, 2, 3], dtype=dtype)
    ours, theirs = _pair(torch, data, dtype)
    got = op(ours, c)
    expected = (METHODS[name][1] if name in METHODS else op)(data, np.int64(c))
    assert got.dtype == expected.dtype == np.int64
    np.testing.assert_array_equal(got.numpy(), expected)
    np.testing.assert_array_equal(got.numpy().astype(dtype), op(theirs, int(c)).numpy())


@pytest.mark.parametrize("dtype", ["uint8", "int8"])
def test_powers_and_shifts_by_a_number_the_dtype_cannot_hold(dtype) -> None:
    data = np.array([1, 2, 3], dtype=dtype)
    x = ag.tensor(data)
    for op in (lambda a, c: a ** c, lambda a, c: c ** a, lambda a, c: a << c,
               lambda a, c: a >> c):
        for c in (300, 2 ** 40):
            got = op(x, c)
            np.testing.assert_array_equal(got.numpy(), op(data, np.int64(c)))
            assert got.dtype == np.int64
    np.testing.assert_array_equal((ag.tensor(data, dtype=ag.uint8) << -2).numpy(),
                                  np.left_shift(data.astype(np.uint8), np.int64(-2)))


def test_a_negative_number_exponent_of_an_integer_tensor_is_refused_as_torch(torch) -> None:
    ours, theirs = _pair(torch, [1, 2, 3], "uint8")
    _refused_as_torch(lambda: ours ** np.int8(-4), lambda: theirs ** -4, UsageError)
    _refused_as_torch(lambda: ours.pow(-1), lambda: theirs.pow(-1), UsageError)


# ------------------------------------------------- 2: a number beside & | ^ << >>
BITWISE: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("x & c", lambda x, c: x & c), ("x | c", lambda x, c: x | c),
    ("x ^ c", lambda x, c: x ^ c), ("x.bitwise_and(c)", lambda x, c: x.bitwise_and(c)),
    ("x.bitwise_or(c)", lambda x, c: x.bitwise_or(c)),
    ("x.bitwise_xor(c)", lambda x, c: x.bitwise_xor(c)),
]
REFLECTED: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("c & x", lambda x, c: c & x), ("c | x", lambda x, c: c | x), ("c ^ x", lambda x, c: c ^ x),
]
SHIFTS: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("x >> c", lambda x, c: x >> c), ("x << c", lambda x, c: x << c),
]


@pytest.mark.parametrize("dtype", SMALL_INTS)
@pytest.mark.parametrize("name, op", BITWISE + REFLECTED, ids=[n for n, _ in BITWISE + REFLECTED])
def test_an_int_beside_bitwise_keeps_the_tensor_dtype_as_torch(torch, dtype, name, op) -> None:
    ours, theirs = _pair(torch, [1, 6, 13], dtype)
    _same(op(ours, 3), op(theirs, 3))


@pytest.mark.parametrize("c", [np.int32(1), np.int64(2)], ids=["np.int32", "np.int64"])
@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16"])
@pytest.mark.parametrize("name, op", BITWISE + SHIFTS, ids=[n for n, _ in BITWISE + SHIFTS])
def test_a_numpy_int_beside_bitwise_keeps_the_tensor_dtype_as_torch(torch, c, dtype, name,
                                                                    op) -> None:
    """A NumPy scalar is weak here as in + and *, and as in PyTorch."""
    ours, theirs = _pair(torch, [1, 6, 13], dtype)
    _same(op(ours, c), op(theirs, c))


# ------------------------------------------------- 5: the in-place operators
AUGMENTED = ["%", "//", "**", "&", "|", "^", "<<", ">>"]


def _augment(x: Any, symbol: str, y: Any) -> Any:
    """x <symbol>= y, returning the name's new binding."""
    scope = {"x": x, "y": y}
    exec(f"x {symbol}= y", scope)
    return scope["x"]


@pytest.mark.parametrize("operand", ["number", "tensor"])
@pytest.mark.parametrize("dtype", ["int16", "uint8", "int64"])
@pytest.mark.parametrize("symbol", AUGMENTED)
def test_augmented_assignment_writes_in_place_as_torch(torch, symbol, dtype, operand) -> None:
    """x and every alias and view of it take the result, in x's dtype."""
    ours, theirs = _pair(torch, [[6, 7], [9, 12]], dtype)
    alias, row = ours, ours[1]
    if operand == "number":
        y_ours = y_theirs = 2
    else:
        y_ours, y_theirs = _pair(torch, [1, 2], "int64")
    result = _augment(ours, symbol, y_ours)
    _augment(theirs, symbol, y_theirs)
    assert result is alias
    _same(alias, theirs)
    _same(row, theirs[1])


@pytest.mark.parametrize("symbol", ["%", "//", "**"])
def test_a_float_result_is_not_written_into_an_integer_tensor(torch, symbol) -> None:
    ours, theirs = _pair(torch, [3, 4], "int64")
    _refused_as_torch(lambda: _augment(ours, symbol, 1.5), lambda: _augment(theirs, symbol, 1.5))
    np.testing.assert_array_equal(ours.numpy(), [3, 4])


@pytest.mark.parametrize("symbol", ["&", "|", "^", "<<"])
def test_an_integer_result_is_not_written_into_a_bool_tensor(torch, symbol) -> None:
    ours, theirs = _pair(torch, [True, False], "bool")
    _refused_as_torch(lambda: _augment(ours, symbol, 1), lambda: _augment(theirs, symbol, 1))


def test_bool_masks_combine_in_place(torch) -> None:
    for symbol in ("&", "|", "^"):
        ours, theirs = _pair(torch, [True, False, True], "bool")
        alias = ours
        _augment(ours, symbol, ag.tensor([True, True, False]))
        _augment(theirs, symbol, torch.tensor([True, True, False]))
        _same(alias, theirs)


# ------------------------------------------------- 6: sign of bool, round of bool
def test_sign_of_bool_is_the_identity_as_torch(torch) -> None:
    ours, theirs = _pair(torch, [True, False], "bool")
    _same(ours.sign(), theirs.sign())
    _same(ours.sgn(), theirs.sgn())
    _same(ag.sign(ours), torch.sign(theirs))
    alias = ours
    ours.sign_()
    _same(alias, theirs.sign_())
    _same(ours.sgn_(), theirs.sgn_())


def test_round_of_bool_with_decimals_is_a_named_error(torch) -> None:
    ours, theirs = _pair(torch, [True, False], "bool")
    _refused_as_torch(lambda: ours.round(decimals=1), lambda: theirs.round(decimals=1))


# ------------------------------------------------- 12: the in-place methods torch has
METHODS_WITH_OTHER = ["bitwise_and_", "bitwise_or_", "bitwise_xor_", "bitwise_left_shift_",
                      "bitwise_right_shift_", "logical_and_", "logical_or_", "logical_xor_",
                      "greater_", "greater_equal_", "less_", "less_equal_", "not_equal_"]
TENSORS = {"int16": [0, 3, 5], "bool": [True, False, True], "float64": [0.0, 2.5, -1.0]}


@pytest.mark.parametrize("dtype", list(TENSORS))
@pytest.mark.parametrize("name", METHODS_WITH_OTHER + ["bitwise_not_", "logical_not_"])
def test_in_place_methods_as_torch(torch, name, dtype) -> None:
    """Written in place where PyTorch writes; a named error where it refuses."""
    ours, theirs = _pair(torch, TENSORS[dtype], dtype)
    other = {} if name.endswith("not_") else {"other": [1, 0, 2]}
    ours_args = [ag.tensor(v) for v in other.values()]
    try:
        expected = getattr(theirs, name)(*[torch.tensor(v) for v in other.values()])
    except RuntimeError:
        with pytest.raises(DTypeError):
            getattr(ours, name)(*ours_args)
        return
    alias = ours
    assert getattr(ours, name)(*ours_args) is alias
    _same(alias, expected)


# ------------------------------------------------- 13: integer ** negative integer tensor
@pytest.mark.parametrize("base_dtype, exponent_dtype", [("int64", "int64"), ("int8", "int16"),
                                                         ("uint8", "int64"), ("bool", "int64"),
                                                         ("int32", "int8")])
def test_integer_to_negative_integer_tensor_powers_as_torch(torch, base_dtype,
                                                            exponent_dtype) -> None:
    rng = np.random.default_rng(13)
    low = 0 if base_dtype in ("uint8", "bool") else -3
    base = rng.integers(low, 4, 40)
    exponent = rng.integers(-4, 4, 40)
    if base_dtype == "bool":
        base = base > 1
    a, ta = _pair(torch, base, base_dtype)
    b, tb = _pair(torch, exponent, exponent_dtype)
    _same(a ** b, ta ** tb)
    _same(a.pow(b), ta.pow(tb))
    _same(2 ** b, 2 ** tb)


# ------------------------------------------------- - with a bool tensor
# PyTorch refuses a bool on either side of -, NumPy only bool - bool: NumPy's rule here
# (checking both dtypes on every subtraction cost about 0.2 us, a tenth of the op).
SUBTRACTIONS: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("bool - bool", lambda m, b: b - b),
    ("bool - True", lambda m, b: b - True),
    ("x -= bool of a bool", lambda m, b: _augment(m.tensor([True, True]), "-", b)),
]


@pytest.mark.parametrize("name, subtract", SUBTRACTIONS, ids=[n for n, _ in SUBTRACTIONS])
def test_subtraction_of_two_bools_is_refused_as_torch(torch, name, subtract) -> None:
    _refused_as_torch(lambda: subtract(ag, ag.tensor([True, False])),
                      lambda: subtract(torch, torch.tensor([True, False])))
