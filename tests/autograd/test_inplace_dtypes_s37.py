"""In-place dtype rules and conversions (session 37): in-place clamps check their bounds
as ``clamp`` does; an integer operand a small integer dtype cannot hold is refused by the
in-place ops whose answer depends on PyTorch wrapping it first (``add_ sub_ mul_`` still
wrap); ``fill_`` refuses an integer its dtype cannot hold with a proper message; bool
``pow_``/``heaviside_`` as PyTorch's; PyTorch's positional ``to`` forms, contradictory
``to`` arguments refused; ``type(dtype, non_blocking)`` and the casts' ``memory_format=``.
Expected values are computed here with NumPy (or by hand)."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import DTypeError, UsageError

U8 = np.array([1, 2, 250], np.uint8)
I8 = np.array([0, -2, 100], np.int8)


def _u8() -> ag.Tensor:
    return ag.tensor(U8.copy())


def _i8() -> ag.Tensor:
    return ag.tensor(I8.copy())


# ---------------------------------------------------------------- 1. in-place clamps

@pytest.mark.parametrize("call, out_of_place", [
    (lambda x: x.clamp_max_(-1), lambda x: x.clamp(max=-1)),
    (lambda x: x.clamp_(max=-3), lambda x: x.clamp(max=-3)),
    (lambda x: x.clamp_(min=300), lambda x: x.clamp(min=300)),
    (lambda x: x.clamp_min_(300), lambda x: x.clamp_min(300)),
    (lambda x: x.clip_(None, -1), lambda x: x.clip(None, -1)),
])
def test_inplace_clamp_refuses_a_bound_the_dtype_cannot_hold_as_clamp(call, out_of_place):
    with pytest.raises(DTypeError):
        out_of_place(_u8())
    x = _u8()
    with pytest.raises(DTypeError, match="outside uint8's range"):
        call(x)
    np.testing.assert_array_equal(x.data, U8)  # nothing written


def test_inplace_clamp_with_a_0d_bound_beyond_int8_is_refused_as_clamp():
    bound = ag.tensor(np.array(157, np.uint8))
    with pytest.raises(DTypeError):
        _i8().clamp(min=bound)
    x = _i8()
    with pytest.raises(DTypeError):
        x.clamp_min_(bound)
    np.testing.assert_array_equal(x.data, I8)


@pytest.mark.parametrize("lo, hi", [(-1, None), (3, 200), (None, 2), (0, 255)])
def test_inplace_clamp_in_range_or_never_taken_gives_clamps_values(lo, hi):
    expected = np.clip(U8.astype(np.int64), lo, hi).astype(np.uint8)
    x = _u8()
    assert x.clamp_(lo, hi) is x
    assert x.dtype == np.uint8
    np.testing.assert_array_equal(x.data, expected)
    np.testing.assert_array_equal(_u8().clamp(lo, hi).data, expected)


def test_inplace_clamp_dimensioned_wider_bound_casts_back():
    bound = np.array([300, 1, 1])
    x = _i8()
    x.clamp_(min=ag.tensor(bound))
    expected = np.maximum(I8.astype(np.int64), bound).astype(np.int8)  # cast back wraps
    np.testing.assert_array_equal(x.data, expected)


# ------------------------------------ 2. integer operands the dtype cannot hold

WRAP_DEPENDENT = [
    ("floor_divide_", -1), ("remainder_", 300), ("fmod_", -1), ("lt_", -1), ("le_", -1),
    ("gt_", 256), ("ge_", 256), ("ne_", -6), ("eq_", 259), ("greater_", -1), ("less_", -1),
    ("not_equal_", -6), ("greater_equal_", 300), ("less_equal_", 300), ("pow_", 300),
    ("bitwise_left_shift_", 300), ("bitwise_right_shift_", -1),
]


@pytest.mark.parametrize("name, operand", WRAP_DEPENDENT)
@pytest.mark.parametrize("as_tensor", [False, True])
def test_wrap_dependent_inplace_ops_refuse_an_integer_uint8_cannot_hold(name, operand,
                                                                        as_tensor):
    x = _u8()
    value = ag.tensor(operand) if as_tensor else operand
    with pytest.raises(DTypeError, match="PyTorch wraps it into uint8 first"):
        getattr(x, name)(value)
    np.testing.assert_array_equal(x.data, U8)


@pytest.mark.parametrize("name, operand", [("floor_divide_", 200), ("remainder_", -129),
                                           ("gcd_", 175), ("lcm_", 200)])
def test_wrap_dependent_inplace_ops_refuse_an_integer_int8_cannot_hold(name, operand):
    for value in (operand, ag.tensor(operand), ag.tensor(np.array(operand, np.int16))):
        x = _i8()
        with pytest.raises(DTypeError, match="int8 cannot hold"):
            getattr(x, name)(value)
        np.testing.assert_array_equal(x.data, I8)


def test_gcd_with_a_0d_uint8_beyond_int8_gives_no_negative_gcd():
    x = _i8()
    with pytest.raises(DTypeError):
        x.gcd_(ag.tensor(np.array(175, np.uint8)))
    y = _i8().gcd_(ag.tensor(np.array(5, np.uint8)))
    np.testing.assert_array_equal(y.data, np.gcd(I8, np.int8(5)))
    assert (y.data >= 0).all()


@pytest.mark.parametrize("spelling", [
    lambda x: x.__ifloordiv__(-1), lambda x: x.__imod__(300),
    lambda x: x.div_(-1, rounding_mode="floor"), lambda x: x.div_(-1, rounding_mode="trunc"),
    lambda x: x.logical_and_(ag.tensor(256)),
])
def test_operator_and_div_spellings_refuse_alike(spelling):
    x = _u8()
    with pytest.raises(DTypeError, match="PyTorch wraps it"):
        spelling(x)
    np.testing.assert_array_equal(x.data, U8)


@pytest.mark.parametrize("name, operand, numpy_op", [
    ("floor_divide_", 3, np.floor_divide), ("remainder_", 7, np.remainder),
    ("fmod_", 7, np.fmod), ("lt_", 2, np.less), ("ne_", 250, np.not_equal),
    ("pow_", 2, np.power), ("bitwise_left_shift_", 1, np.left_shift),
])
def test_wrap_dependent_inplace_ops_in_range_compute_in_the_dtype(name, operand, numpy_op):
    for value in (operand, ag.tensor(operand)):
        x = _u8()
        assert getattr(x, name)(value) is x and x.dtype == np.uint8
        np.testing.assert_array_equal(x.data, numpy_op(U8, np.uint8(operand)).astype(np.uint8))


def test_additive_inplace_ops_still_wrap():
    wide = U8.astype(np.int64)
    for call, exact in [(lambda x: x.add_(-1), wide - 1), (lambda x: x.sub_(-1), wide + 1),
                        (lambda x: x.mul_(-1), -wide), (lambda x: x.bitwise_and_(-1), wide)]:
        x = _u8()
        call(x)
        np.testing.assert_array_equal(x.data, (exact % 256).astype(np.uint8))


def test_div_rounding_mode_casts_a_wider_integer_result_back():
    divisor = np.array([2, 3, 7])
    x = _u8()
    x.div_(ag.tensor(divisor), rounding_mode="floor")
    np.testing.assert_array_equal(x.data, (U8 // divisor).astype(np.uint8))


# ------------------------------------------------------------ 3. fill_ of integers

@pytest.mark.parametrize("dtype, value, low, high", [
    (np.uint8, -1, 0, 255), (np.uint8, 256, 0, 255), (np.int8, 200, -128, 127),
    (np.int8, -129, -128, 127), (np.int16, 2 ** 15, -2 ** 15, 2 ** 15 - 1)])
def test_fill_refuses_an_integer_the_dtype_cannot_hold_with_its_range(dtype, value, low,
                                                                      high):
    for given in (value, np.int64(value)):
        x = ag.tensor(np.zeros(3, dtype))
        with pytest.raises(DTypeError) as info:
            x.fill_(given)
        message = str(info.value)
        assert f"[{low}, {high}]" in message and "_assign" not in message
        assert "missing" not in message
        np.testing.assert_array_equal(x.data, np.zeros(3, dtype))


@pytest.mark.parametrize("value", [-1, 256])
def test_fill_and_masked_fill_agree_on_integers(value):
    """A Python int the dtype cannot hold is refused by both; a 0-d tensor is cast to the
    dtype by both (wrapped modulo 2**8), as PyTorch casts it."""
    mask = ag.tensor([True, False, True])
    with pytest.raises(DTypeError, match=r"\[0, 255\]"):
        _u8().fill_(value)
    with pytest.raises(DTypeError, match=r"\[0, 255\]"):
        _u8().masked_fill_(mask, value)
    wrapped = np.array(value).astype(np.uint8)
    np.testing.assert_array_equal(_u8().fill_(ag.tensor(value)).data, np.full(3, wrapped))
    np.testing.assert_array_equal(_u8().masked_fill_(mask, ag.tensor(value)).data,
                                  np.where(mask.data, wrapped, U8))
    x = _u8()
    x.fill_(255)
    np.testing.assert_array_equal(x.data, np.full(3, 255, np.uint8))


# ------------------------------------------------- 4 and 6. to()'s forms

def test_to_dtype_non_blocking_copy_positional():
    x = ag.tensor([1.5, 2.0])
    y = x.to(np.float32, False, True)
    assert y.dtype == np.float32 and y is not x
    z = x.to(np.float64, False, True)
    assert z is not x and z.dtype == np.float64
    np.testing.assert_array_equal(z.data, x.data)
    assert x.to(np.float64, True) is x  # non_blocking changes nothing


def test_to_device_dtype_non_blocking_copy_positional():
    x = ag.tensor([1.5, 2.0])
    y = x.to("cpu", np.float64, False, True)
    assert y is not x and y.dtype == np.float64
    assert x.to(None, np.float32).dtype == np.float32
    assert x.to("cpu", None, False) is x


def test_to_other_non_blocking_copy_positional():
    x = ag.tensor([1.5, 2.0])
    other = ag.tensor(np.array([1], np.int32))
    y = x.to(other, True, True)
    assert y.dtype == np.int32
    np.testing.assert_array_equal(y.data, x.data.astype(np.int32))
    same = ag.tensor(np.array([1.0]))
    assert x.to(same, False, True) is not x and x.to(same) is x


def test_to_copy_keeps_the_gradient_path():
    x = ag.tensor([1.5, 2.0], requires_grad=True)
    x.to(np.float64, False, True).sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.ones(2))


@pytest.mark.parametrize("call", [
    lambda x, o: x.to(np.float32, np.float64),
    lambda x, o: x.to(np.int32, dtype=np.float32),
    lambda x, o: x.to(o, dtype=np.float64),
    lambda x, o: x.to("cpu", device="cpu"),
    lambda x, o: x.to("cpu", np.float64, dtype=np.float64),
    lambda x, o: x.to(np.float64, 1),
    lambda x, o: x.to(np.float64, False, False, False),
    lambda x, o: x.to(np.float32, None),
])
def test_to_refuses_contradictory_or_malformed_arguments(call):
    x = ag.tensor([1.5, 2.0])
    with pytest.raises(UsageError):
        call(x, ag.tensor(np.array([1], np.int32)))


# ------------------------------------------------------------ 5. bool pow_, heaviside_

def test_bool_pow_with_a_bool_exponent():
    b = np.array([True, False, True, False])
    for exponent in (True, False, np.bool_(False)):
        x = ag.tensor(b.copy())
        assert x.pow_(exponent) is x and x.dtype == np.bool_
        np.testing.assert_array_equal(x.data, b | (not exponent))  # 0 ** 0 = 1
    x = ag.tensor(b.copy())
    x **= True
    np.testing.assert_array_equal(x.data, b)


@pytest.mark.parametrize("exponent", [2, 0.5, ag.tensor([True, True, False, False])])
def test_bool_pow_with_another_exponent_is_refused(exponent):
    with pytest.raises(DTypeError, match="bool"):
        ag.tensor([True, False, True, False]).pow_(exponent)


def test_bool_heaviside_as_pytorch():
    b = np.array([True, False, True, False])
    values = np.array([True, True, False, False])
    x = ag.tensor(b.copy())
    x.heaviside_(ag.tensor(values))
    np.testing.assert_array_equal(x.data, np.where(b, True, values))  # x > 0: 1, x = 0: v
    assert x.dtype == np.bool_


# --------------------------------------------------------- 8. type(), memory_format=

def test_type_takes_non_blocking():
    x = ag.tensor([1.5, 2.0])
    for y in (x.type(np.float32, non_blocking=True), x.type(np.float32, True),
              x.type(dtype="torch.FloatTensor", non_blocking=False)):
        assert y.dtype == np.float32
    assert x.type(np.float64, True) is x
    with pytest.raises(UsageError):
        x.type(np.float32, 1)


@pytest.mark.parametrize("method, dtype", [
    ("float", np.float32), ("double", np.float64), ("half", np.float16), ("long", np.int64),
    ("int", np.int32), ("bool", np.bool_), ("byte", np.uint8), ("char", np.int8),
    ("short", np.int16)])
def test_casts_take_memory_format(method, dtype):
    x = ag.tensor([1.5, 0.0])
    y = getattr(x, method)(memory_format=ag.preserve_format)
    assert y.dtype == dtype
    np.testing.assert_array_equal(y.data, x.data.astype(dtype))
    assert getattr(x, method)(memory_format=ag.contiguous_format).dtype == dtype
    with pytest.raises(UsageError):
        getattr(x, method)(memory_format=ag.channels_last)


def test_out_of_place_fills_refuse_an_integer_the_dtype_cannot_hold():
    x = ag.tensor(np.array([1, 2, 3], np.uint8))
    mask = ag.tensor([True, False, True])
    with pytest.raises(DTypeError, match="masked_fill: -1 cannot be stored in uint8"):
        x.masked_fill(mask, -1)
    with pytest.raises(DTypeError, match="index_fill: -1 cannot be stored in uint8"):
        x.index_fill(0, ag.tensor([0]), -1)
    assert x.masked_fill(mask, ag.tensor(-1)).tolist() == [255, 2, 255]  # 0-d: cast
