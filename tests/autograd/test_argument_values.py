"""Values that are not numbers, counts that are not ints, shapes that do not fit: a named
error saying what was expected, never NaN and never NumPy's error from deep inside.

NumPy stores ``None`` as NaN in a float array (``a[1] = None``), parses ``"3"`` as 3.0
and drops the imaginary part of ``1j`` with a warning; PyTorch refuses all three. Each
case below raised a bare NumPy error or silently wrote NaN before it was fixed.
"""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import AutogradError, DataError, DTypeError, ShapeError, TensorIndexError


def _t() -> ag.Tensor:
    return ag.Tensor(np.zeros(3))


# ------------------------------------------------------------ values that are not numbers
NOT_NUMBERS = [None, "3", 1j, object()]

WRITES = {
    "t[i] = v": lambda t, v: t.__setitem__(1, v),
    "index_put": lambda t, v: t.index_put(1, v),
    "index_add": lambda t, v: t.index_add(1, v),
    "at[].set": lambda t, v: t.at[1].set(v),
    "fill_": lambda t, v: t.fill_(v),
    "masked_fill_": lambda t, v: t.masked_fill_(np.array([True, False, False]), v),
    "full": lambda t, v: ag.full((2,), v),
    "full_like": lambda t, v: ag.full_like(t, v),
    "new_full": lambda t, v: t.new_full((2,), v),
}


@pytest.mark.parametrize("value", NOT_NUMBERS, ids=["None", "str", "complex", "object"])
@pytest.mark.parametrize("write", list(WRITES), ids=list(WRITES))
def test_a_value_that_is_not_a_number_is_refused(write, value):
    t = _t()
    with pytest.raises(DTypeError) as info:
        WRITES[write](t, value)
    assert isinstance(info.value, TypeError)  # what PyTorch raises, and a user catches
    assert "number" in str(info.value)
    np.testing.assert_array_equal(t.data, np.zeros(3))  # nothing was written


def test_pytorch_refuses_none_too(torch):
    t = torch.zeros(3)
    for write in (lambda: t.__setitem__(1, None), lambda: torch.full((2,), None),
                  lambda: t.fill_(None), lambda: torch.full_like(t, None)):
        with pytest.raises(TypeError):
            write()


def test_numbers_nested_lists_and_tensors_are_still_written():
    t = _t()
    t[1] = 2
    t[np.array([0, 2])] = [5.0, 7.0]
    assert t.index_put(0, ag.Tensor(9.0)).tolist() == [9.0, 2.0, 7.0]
    assert ag.full((2,), True).tolist() == [1.0, 1.0]
    assert ag.full((2, 2), [1.0, 2.0]).tolist() == [[1.0, 2.0], [1.0, 2.0]]  # NumPy's habit
    assert t.tolist() == [5.0, 2.0, 7.0]


def test_a_fill_array_that_does_not_broadcast_is_a_shape_error():
    with pytest.raises(ShapeError, match="does not broadcast"):
        ag.full_like(ag.Tensor(np.zeros((2, 2))), np.ones(3))


# ------------------------------------------------------------ counts, shifts, diagonals
@pytest.mark.parametrize("call", [
    lambda t: t.roll("1"), lambda t: t.roll(1.5), lambda t: t.roll([0.5], 0),
    lambda t: t.tril("1"), lambda t: t.triu(0.5), lambda t: t.tril((1, 2)),
    lambda t: t.repeat(None, axis=0), lambda t: t.repeat_interleave(1.5),
    lambda t: t.repeat_interleave("2"), lambda t: ag.repeat_interleave(t, np.ones(2)),
], ids=["roll-str", "roll-float", "roll-float-list", "tril-str", "triu-float", "tril-tuple",
        "repeat-none", "interleave-float", "interleave-str", "interleave-float-array"])
def test_counts_shifts_and_diagonals_must_be_ints(call):
    with pytest.raises(AutogradError) as info:
        call(ag.Tensor(np.arange(4.0).reshape(2, 2)))
    assert isinstance(info.value, TypeError)
    assert "int" in str(info.value)


def test_pytorch_refuses_a_float_diagonal_and_shift(torch):
    x = torch.zeros(2, 2)
    for call in (lambda: x.tril(0.5), lambda: x.roll(1.5, 0)):
        with pytest.raises(TypeError):
            call()


def test_int_counts_still_work_as_numpy():
    x = ag.Tensor(np.arange(4.0).reshape(2, 2))
    np.testing.assert_array_equal(x.roll(1, 0).data, np.roll(x.data, 1, 0))
    np.testing.assert_array_equal(x.tril(np.int64(-1)).data, np.tril(x.data, -1))
    np.testing.assert_array_equal(x.repeat_interleave(np.array([1, 2]), 0).data,
                                  np.repeat(x.data, [1, 2], 0))


# ------------------------------------------------------------ sizes and shapes
@pytest.mark.parametrize("make", ["new_zeros", "new_ones", "new_empty"])
@pytest.mark.parametrize("size", [(2.5,), ("a",), (-1,), ((2, None),)],
                         ids=["float", "str", "negative", "none-inside"])
def test_new_tensor_sizes_are_checked(make, size):
    with pytest.raises(ShapeError, match="sizes must be"):
        getattr(_t(), make)(*size)


def test_new_tensor_sizes_by_position_or_tuple():
    assert _t().new_zeros(2, 3).shape == (2, 3)
    assert _t().new_ones((2, 3)).shape == (2, 3)
    assert _t().new_full([2], 4.0).tolist() == [4.0, 4.0]


@pytest.mark.parametrize("shape", ["ab", ["a"], 2.5, None, (2, 1.5)])
def test_broadcast_to_needs_a_tuple_of_ints(shape):
    with pytest.raises(ShapeError, match="tuple of ints"):
        ag.broadcast_to(ag.Tensor(np.ones(2)), shape)


def test_broadcast_to_takes_ints_lists_and_shapes():
    x = ag.Tensor(np.ones(2))
    assert ag.broadcast_to(x, 2).shape == (2,)
    assert ag.broadcast_to(x, [3, 2]).shape == (3, 2)
    assert x.broadcast_to(ag.Tensor(np.ones((4, 2))).shape).shape == (4, 2)


@pytest.mark.parametrize("bound", ["min", "max"])
def test_clip_bounds_that_do_not_broadcast(bound, torch):
    x = np.ones((2, 2))
    with pytest.raises(ShapeError, match=r"bound of shape \(3,\)"):
        ag.Tensor(x).clip(**{bound: ag.Tensor(np.zeros(3))})
    with pytest.raises(RuntimeError):  # PyTorch refuses it too
        torch.tensor(x).clamp(**{bound: torch.zeros(3)})


def test_index_out_of_range_in_index_put_and_index_add():
    for call in (lambda t: t.index_put(7, 1.0), lambda t: t.index_add(-5, 1.0),
                 lambda t: t.at[3].set(0.0)):
        with pytest.raises(TensorIndexError, match="out of bounds"):
            call(_t())


# ------------------------------------------------------------ logic and comparisons
def test_logical_ops_refuse_none_and_strings(torch):
    t = ag.Tensor(np.array([1.0, 0.0]))
    for call in (lambda: t.logical_xor(None), lambda: t.logical_and("a"),
                 lambda: ag.where("a")):
        with pytest.raises(DTypeError):
            call()
    with pytest.raises(TypeError):
        torch.tensor([1.0, 0.0]).logical_xor(None)


def test_ragged_operands_of_comparisons_and_logic_are_data_errors():
    t = ag.Tensor(np.zeros((2, 2)))
    for call in (lambda: t < [[1], [1, 2]], lambda: t & [[1], [1, 2]]):
        with pytest.raises(DataError, match="ragged"):
            call()


def test_where_of_a_0d_condition_reads_it_as_1d(torch):
    for flag in (True, False):
        ours = ag.where(ag.Tensor(flag))
        theirs = torch.where(torch.tensor(flag))
        assert [a.tolist() for a in ours] == [t.tolist() for t in theirs]


# ------------------------------------------------------------ nan_to_num's numbers
@pytest.mark.parametrize("keyword", ["nan", "posinf", "neginf"])
def test_nan_to_num_replacements_are_numbers(keyword):
    x = ag.Tensor(np.array([np.nan, np.inf, -np.inf, 1.0]))
    with pytest.raises(DTypeError):
        x.nan_to_num(**{keyword: "0"})
    with pytest.raises(AutogradError, match="one number"):
        x.nan_to_num(**{keyword: np.zeros(4)})


def test_nan_to_num_with_nan_none_is_pytorchs_default(torch):
    values = [np.nan, np.inf, -np.inf, 1.0]
    ours = ag.Tensor(np.array(values)).nan_to_num(nan=None)
    np.testing.assert_array_equal(ours.data, torch.nan_to_num(torch.tensor(values),
                                                              nan=None).numpy())


# ------------------------------------------------------------ switches and entry points
@pytest.mark.parametrize("flag", ["a", 2, None])
def test_requires_grad_takes_a_bool(flag, torch):
    x = ag.Tensor(np.ones(2))
    with pytest.raises(AutogradError, match="must be a bool") as info:
        x.requires_grad_(flag)
    assert isinstance(info.value, TypeError)
    assert not x.requires_grad
    with pytest.raises(TypeError):
        torch.ones(2).requires_grad_(flag)


def test_requires_grad_takes_numpy_bools():
    x = ag.Tensor(np.ones(2))
    assert x.requires_grad_(np.bool_(True)).requires_grad


def test_set_grad_enabled_takes_a_bool(torch):
    with pytest.raises(TypeError):
        torch.set_grad_enabled("a")
    with pytest.raises(AutogradError, match="must be a bool"):
        ag.set_grad_enabled("a")
    assert ag.is_grad_enabled()  # the refused call switched nothing
    with ag.set_grad_enabled(np.bool_(False)):
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()


@pytest.mark.parametrize("switch", ["no_grad", "enable_grad"])
def test_grad_switches_take_no_argument_but_a_function(switch):
    with pytest.raises(AutogradError, match="takes no arguments"):
        getattr(ag, switch)(3)
    assert getattr(ag, switch)(lambda: 5)() == 5  # @no_grad without parentheses


@pytest.mark.parametrize("shape", ["a", 2.5, (2, "a"), None])
def test_reshape_needs_ints(shape):
    with pytest.raises(ShapeError, match="reshape: the shape must be a tuple of ints"):
        ag.Tensor(np.ones(4)).reshape(shape)


def test_reshape_still_takes_ints_tuples_and_minus_one():
    x = ag.Tensor(np.arange(6.0))
    assert x.reshape(2, 3).shape == x.reshape((2, -1)).shape == x.reshape([2, 3]).shape
    assert x.reshape(np.int64(6)).shape == (6,)


@pytest.mark.parametrize("check", ["gradcheck", "gradgradcheck"])
def test_gradcheck_needs_a_function(check):
    x = ag.Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(AutogradError, match="fn must be the function to check"):
        getattr(ag, check)(3, (x,))


# ------------------------------------------------------------ Tensor(16): a number or a size
def test_one_python_int_is_the_number_with_a_warning_naming_both_meanings(torch):
    with pytest.warns(ag.SizeOrDataWarning, match=r"autograd.empty\(16\)"):
        t = ag.Tensor(16)
    assert t.shape == () and t.item() == 16.0
    assert tuple(torch.Tensor(16).shape) == (16,)  # PyTorch's reading: a size


def test_a_parameter_made_the_old_pytorch_way_warns():
    import nn
    with pytest.warns(ag.SizeOrDataWarning):
        nn.Parameter(ag.Tensor(8))  # nn.Parameter(torch.Tensor(out_features))


@pytest.mark.parametrize("data", [16.0, True, np.int64(16), [16], np.array(16)],
                         ids=["float", "bool", "numpy-int", "list", "array"])
def test_other_data_does_not_warn(data, recwarn):
    ag.Tensor(data)
    ag.tensor(16)  # torch.tensor(16): the number in both libraries
    ag.Tensor(3, requires_grad=False, dtype=np.int64)  # a dtype given: data, plainly
    assert not [w for w in recwarn if issubclass(w.category, ag.SizeOrDataWarning)]


@pytest.mark.parametrize("transform", ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"])
def test_functional_transforms_need_a_function(transform):
    with pytest.raises(AutogradError, match="func must be the function to differentiate"):
        getattr(ag.functional, transform)(3, ag.Tensor(np.ones(2)))


def test_isclose_tolerances_masks_and_pad_values_are_checked(torch):
    x = ag.Tensor(np.ones((3, 4)))
    for call in (lambda: x.isclose(x, rtol="a"), lambda: x.allclose(x, atol=None),
                 lambda: x.pad(1, "a"), lambda: x.new_full((2,), np.ones(3))):
        with pytest.raises(AutogradError):
            call()
    with pytest.raises(ShapeError, match="does not broadcast"):
        x.masked_select(np.array([True, False]))
    with pytest.raises(RuntimeError):  # PyTorch refuses the mask too
        torch.ones(3, 4).masked_select(torch.tensor([True, False]))


def test_the_engine_reads_create_graph_by_its_truth_as_before():
    # set_grad_enabled now refuses non-bools; the backward pass, which switches grad mode
    # to create_graph internally, must not pass that check on to grad(..., create_graph=1)
    x = ag.Tensor(np.ones(2), requires_grad=True)
    (g,) = ag.grad((x * x).sum(), x, create_graph=1)
    assert g.requires_grad
    (x * x).sum().backward(create_graph=0)
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])
