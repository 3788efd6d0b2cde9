"""Creation functions and the scaled sums compared with PyTorch (session 32's dtype and
special-gradient fuzzing): ``add``/``sub``'s alpha and ``addcmul``/``addcdiv``'s value
scale the operands after promotion; ``full``, ``full_like`` and ``tensor(dtype=int)``
refuse what the dtype cannot hold; ``arange`` and ``linspace`` with integer dtypes give
PyTorch's values (named errors where it would wrap or fail); a one-element integer tensor
is a size; ``div(rounding_mode="trunc")`` and ``lerp`` with an infinite weight keep NaN out
of the gradients."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import DTypeError, ShapeError, UsageError


def _same(ours, theirs) -> None:
    """Equal values and dtype names (``ours`` a Tensor, ``theirs`` a torch tensor)."""
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=0)


def _pair(library, values, dtype):
    return library.tensor(values, dtype=getattr(library, dtype))


# ----------------------------------------------------------------- alpha and value
@pytest.mark.parametrize("name", ["add", "sub"])
@pytest.mark.parametrize("first", ["float32", "int16"])
def test_alpha_scales_in_the_promoted_dtype(torch, name, first):
    for library in (ag, torch):
        a, b = _pair(library, [1, 2], first), _pair(library, [100, 2], "int8")
        result = getattr(library, name)(a, b, alpha=2)
        if library is ag:
            ours = result
            assert np.array_equal(getattr(a, name)(b, alpha=2).numpy(), ours.numpy())
    _same(ours, result)


def test_alpha_with_a_bool_operand_keeps_the_integer_dtype(torch):
    ours = ag.add(_pair(ag, [1, 2], "int8"), ag.tensor([True, False]), alpha=2)
    _same(ours, torch.add(_pair(torch, [1, 2], "int8"), torch.tensor([True, False]), alpha=2))


def test_alpha_with_a_list_scales_it_instead_of_repeating_it():
    x = ag.tensor([1.0, 2.0])
    assert np.array_equal(x.add([1, 2], alpha=2).numpy(), [3.0, 6.0])
    assert np.array_equal(ag.sub(x, [1, 2], alpha=2).numpy(), [-1.0, -2.0])


@pytest.mark.parametrize("name", ["addcmul", "addcdiv"])
def test_value_scales_in_the_promoted_dtype(torch, name):
    results = []
    for library in (ag, torch):
        base, t1 = _pair(library, [1.5, 2], "float32"), _pair(library, [100, 2], "int8")
        t2 = _pair(library, [100, 2], "int8") if name == "addcmul" else _pair(
            library, [3, 2], "float16")
        results.append(getattr(library, name)(base, t1, t2, value=2))
    _same(*results)


def test_addcmul_dtype_follows_the_tensors_not_the_value(torch):
    ours = ag.addcmul(ag.tensor([True, False]), ag.tensor([True, True]),
                      _pair(ag, [1.5, 2], "float16"))
    theirs = torch.addcmul(torch.tensor([True, False]), torch.tensor([True, True]),
                           _pair(torch, [1.5, 2], "float16"))
    _same(ours, theirs)


def test_inplace_addcmul_scales_in_self_dtype(torch):
    ours, theirs = _pair(ag, [1.5, 2], "float32"), _pair(torch, [1.5, 2], "float32")
    ours.addcmul_(_pair(ag, [100, 2], "int8"), _pair(ag, [100, 2], "int8"))
    theirs.addcmul_(_pair(torch, [100, 2], "int8"), _pair(torch, [100, 2], "int8"))
    _same(ours, theirs)


@pytest.mark.parametrize("name", ["add_", "sub_"])
def test_inplace_alpha_scales_in_self_dtype(torch, name):
    ours, theirs = _pair(ag, [1.5, 2], "float32"), _pair(torch, [1.5, 2], "float32")
    getattr(ours, name)(_pair(ag, [100, 2], "int8"), alpha=2)
    getattr(theirs, name)(_pair(torch, [100, 2], "int8"), alpha=2)
    _same(ours, theirs)


@pytest.mark.parametrize("value, dtype", [(255.9, "uint8"), (-0.5, "uint8"),
                                          (2.0 ** 63, "int64")])
def test_fill_refuses_a_float_outside_the_range_before_truncation(torch, value, dtype):
    """PyTorch's fill_ compares the number itself with [min, max] (2.0**63 it wraps, its
    own overflow; ours refuses it too)."""
    with pytest.raises(DTypeError, match="cannot be stored"):
        ag.zeros(2, dtype=getattr(ag, dtype)).fill_(value)
    if dtype == "uint8":
        with pytest.raises(RuntimeError, match="overflow"):
            torch.zeros(2, dtype=getattr(torch, dtype)).fill_(value)


# ----------------------------------------------------------------- values a dtype holds
@pytest.mark.parametrize("fill, dtype", [
    (float("nan"), "int32"), (float("inf"), "int64"), (2 ** 63, None), (300, "uint8"),
    (-0.5, "uint8"), (127.5, "int8"), (1e6, "float16")])
def test_full_refuses_what_the_dtype_cannot_hold(torch, fill, dtype):
    with pytest.raises(RuntimeError, match="without overflow"):
        torch.full((2,), fill, **({} if dtype is None else {"dtype": getattr(torch, dtype)}))
    with pytest.raises(DTypeError, match="cannot be stored"):
        ag.full((2,), fill, **({} if dtype is None else {"dtype": getattr(ag, dtype)}))
    for keeps, kind in [(-0.9, "int8"), (3.7, "int8"), (255, "uint8"), (float("inf"), "float16")]:
        _same(ag.full((2,), keeps, dtype=getattr(ag, kind)),
              torch.full((2,), keeps, dtype=getattr(torch, kind)))


def test_full_refuses_two_to_the_63_in_int64():
    # PyTorch's own test rounds int64's largest up to 2.0 ** 63 and stores -2 ** 63
    with pytest.raises(DTypeError, match="cannot be stored in int64"):
        ag.full((2,), 2.0 ** 63, dtype=ag.int64)
    assert ag.full((1,), 2.0 ** 62, dtype=ag.int64).item() == 2 ** 62


def test_full_like_refuses_infinity_in_an_integer_tensor(torch):
    with pytest.raises(RuntimeError, match="without overflow"):
        torch.full_like(torch.tensor([1, 2]), float("inf"))
    with pytest.raises(DTypeError, match="cannot be stored in int64"):
        ag.full_like(ag.tensor([1, 2]), float("inf"))


@pytest.mark.parametrize("data, dtype", [([300], "uint8"), ([-1.8], "uint8"),
                                         ([[1, 300]], "int8"), ([float("nan")], "int32")])
def test_tensor_refuses_python_numbers_the_dtype_cannot_hold(torch, data, dtype):
    with pytest.raises(RuntimeError, match="without overflow"):
        torch.tensor(data, dtype=getattr(torch, dtype))
    with pytest.raises(DTypeError, match=f"cannot be stored in {dtype}"):
        ag.tensor(data, dtype=getattr(ag, dtype))
    # an array converts as astype does, in both
    _same(ag.tensor(np.array([300]), dtype=ag.uint8),
          torch.tensor(np.array([300]), dtype=torch.uint8))


# ----------------------------------------------------------------- arange
@pytest.mark.parametrize("args, dtype", [
    ((-0.5, 5), "int16"), ((-2, 5, 1.5), "int8"), ((2.5,), "int64"), ((-2.5, 2.7), "int64"),
    ((0, 5, float("inf")), None)])
def test_arange_matches_pytorch(torch, args, dtype):
    _same(ag.arange(*args, **({} if dtype is None else {"dtype": getattr(ag, dtype)})),
          torch.arange(*args, **({} if dtype is None else {"dtype": getattr(torch, dtype)})))


@pytest.mark.parametrize("args, dtype, error, match", [
    ((0, 3, 0.5), "int64", UsageError, "0 as an integer"),
    ((0, 5, 0), None, UsageError, "nonzero"),
    ((0, 5, float("nan")), None, UsageError, "nonzero"),
    ((0, 5, -1), None, UsageError, "disagree in sign"),
    ((0, float("inf")), None, UsageError, "finite"),
    ((float("nan"),), None, UsageError, "finite"),
    ((3,), "bool", DTypeError, "bools"),
    ((0, 1e300, 1e-300), None, ShapeError, "int64 can count"),
    ((0, 1e13), None, ShapeError, "bytes"),
])
def test_arange_names_its_errors(torch, args, dtype, error, match):
    with pytest.raises((RuntimeError, ValueError, NotImplementedError)):
        torch.arange(*args, **({} if dtype is None else {"dtype": getattr(torch, dtype)}))
    with pytest.raises(error, match=match):
        ag.arange(*args, **({} if dtype is None else {"dtype": getattr(ag, dtype)}))


@pytest.mark.parametrize("args", [(-2, 1.5), (250, 260)])
def test_arange_refuses_values_the_dtype_cannot_hold(args):
    with pytest.raises(DTypeError, match="cannot be stored in uint8"):
        ag.arange(*args, dtype=ag.uint8)


# ----------------------------------------------------------------- linspace
@pytest.mark.parametrize("start, end, steps, dtype", [
    (-2, 1, 5, "int64"), (-2.7, 5, 4, "int64"), (-1.5, 2, 5, "int32")])
def test_integer_linspace_truncates_toward_zero(torch, start, end, steps, dtype):
    _same(ag.linspace(start, end, steps, dtype=getattr(ag, dtype)),
          torch.linspace(start, end, steps, dtype=getattr(torch, dtype)))


@pytest.mark.parametrize("start, end, steps", [(5, -3, 7), (-2, 10, 10), (-300, 300, 10)])
def test_integer_linspace_is_exact_where_float64_lands_below_a_whole_number(start, end, steps):
    exact = [start + (end - start) * i / (steps - 1) for i in range(steps)]
    expected = [int(np.trunc(np.round(v, 9))) for v in exact]  # whole numbers stay whole
    assert ag.linspace(start, end, steps, dtype=ag.int64).tolist() == expected


def test_linspace_refuses_ends_the_dtype_cannot_hold(torch):
    with pytest.raises(RuntimeError, match="without overflow"):
        torch.linspace(-1.5, 300, 4, dtype=torch.uint8)
    with pytest.raises(DTypeError, match="cannot be stored in uint8"):
        ag.linspace(-1.5, 300, 4, dtype=ag.uint8)


# ----------------------------------------------------------------- sizes
@pytest.mark.parametrize("make", ["zeros", "ones", "empty", "rand", "randn"])
def test_a_one_element_integer_tensor_is_a_size(torch, make):
    ours = getattr(ag, make)(ag.tensor([2]), 3)
    assert ours.shape == tuple(getattr(torch, make)(torch.tensor([2]), 3).shape)
    assert getattr(ag, make)(size=(ag.tensor([[2]]),)).shape == (2,)
    with pytest.raises(TypeError):  # several elements are no size, in both
        getattr(torch, make)(torch.tensor([2, 3]))
    with pytest.raises(ShapeError, match="ints"):
        getattr(ag, make)(ag.tensor([2, 3]))


def test_a_size_beyond_numpy_is_a_shape_error():
    with pytest.raises(ShapeError, match="more than NumPy can index"):
        ag.ones(2 ** 40, 2 ** 40)


# ----------------------------------------------------------------- gradients
def test_trunc_division_has_zero_gradient_everywhere(torch):
    a_values, b_values = [1.0, 1.0, -3.0, 7.5, 0.0], [0.0, float("nan"), 2.0, -2.0, 0.0]
    a, b = ag.tensor(a_values, requires_grad=True), ag.tensor(b_values, requires_grad=True)
    out = a.div(b, rounding_mode="trunc")
    out.sum().backward()
    ta, tb = torch.tensor(a_values, requires_grad=True), torch.tensor(b_values, requires_grad=True)
    expected = ta.div(tb, rounding_mode="trunc")
    expected.sum().backward()
    np.testing.assert_array_equal(out.detach().numpy(), expected.detach().numpy())
    _same(a.grad, ta.grad)
    _same(b.grad, tb.grad)
    # trunc of the true quotient 1 / 0.1 = 10, where floor division's 1 // 0.1 is 9
    _same(ag.div(ag.tensor([1.0, -1.0]), 0.1, rounding_mode="trunc"),
          torch.div(torch.tensor([1.0, -1.0]), 0.1, rounding_mode="trunc"))


def test_lerp_with_an_infinite_weight_beside_small_ones(torch):
    grads = []
    for library in (ag, torch):
        start = library.tensor([1.0, -2.0], requires_grad=True)
        end = library.tensor([1.0, 3.0], requires_grad=True)
        weight = library.tensor([float("inf"), 0.2], requires_grad=True)
        result = start.lerp(end, weight)
        result.sum().backward()
        grads.append([result.detach()] + [t.grad for t in (start, end, weight)])
    for ours, theirs in zip(*grads):
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
