"""Bad arguments that gave a silent answer, a bare NumPy error or a hang, found by fuzzing
Tensor methods against PyTorch with invalid arguments: each now raises a named error where
PyTorch raises (or gives PyTorch's value where it returns one)."""
from __future__ import annotations

import re

import numpy as np
import pytest

import autograd as ag
from autograd.errors import (AutogradError, AxisError, EinsumError, IntegerDivisionError,
                             ShapeError, TensorIndexError, UsageError)

A = np.arange(12.0).reshape(3, 4)
INDEX = np.array([[0], [1], [2]])


def both(torch, call):
    """``call`` on our tensor of A and on PyTorch's: (ours, theirs); an exception in
    either comes back as the exception."""
    results = []
    for tensor in (ag.tensor(A), torch.tensor(A)):
        try:
            results.append(call(tensor))
        except Exception as exc:  # noqa: BLE001 - the test compares what was raised
            results.append(exc)
    return results


ONE_AXIS_CALLS = {
    "topk dim=None": lambda x: x.topk(1, dim=None),
    "index_select tuple": lambda x: x.index_select((1, 0), x.new_zeros(1).long()),
    "select tuple": lambda x: x.select((1, 0), 0),
    "gather None": lambda x: x.gather(None, x.new_zeros((3, 1)).long()),
    "sort tuple": lambda x: x.sort(dim=(1, 0)),
    "unbind tuple": lambda x: x.unbind((1, 0)),
    "narrow tuple": lambda x: x.narrow((1, 0), 0, 1),
    "split tuple": lambda x: x.split(1, dim=(1, 0)),
    "chunk None": lambda x: x.chunk(2, dim=None),
    "unfold None": lambda x: x.unfold(None, 2, 1),
    "swapaxes None": lambda x: x.swapaxes(None, 0),
    "cumsum tuple": lambda x: x.cumsum(dim=(0, 1)),
    "softmax None": lambda x: x.softmax(dim=(0, 1)),
}


@pytest.mark.parametrize("call", ONE_AXIS_CALLS.values(), ids=ONE_AXIS_CALLS)
def test_a_dim_of_one_axis_refuses_none_and_tuples(call, torch) -> None:
    """These ops work along one axis: None read as all axes and a tuple as its smallest
    axis gave an answer along the wrong axis; PyTorch raises TypeError."""
    ours, theirs = both(torch, call)
    assert isinstance(theirs, TypeError)
    assert isinstance(ours, AutogradError), ours  # (UsageError is a TypeError too)


@pytest.mark.parametrize("join", ["cat", "stack"])
def test_joins_refuse_a_tuple_dim(join, torch) -> None:
    with pytest.raises(TypeError):
        getattr(torch, join)([torch.tensor(A)] * 2, dim=(1, 0))
    with pytest.raises(UsageError, match="one int"):
        getattr(ag, join)([ag.tensor(A)] * 2, dim=(1, 0))


def test_gather_refuses_negative_and_out_of_range_indices(torch) -> None:
    for index in (INDEX - 1, INDEX + 2):
        with pytest.raises(RuntimeError):
            torch.tensor(A).gather(1, torch.tensor(index))
        with pytest.raises(TensorIndexError, match="gather: index holds"):
            ag.tensor(A).gather(1, ag.tensor(index))
    np.testing.assert_array_equal(ag.tensor(A).gather(1, ag.tensor(INDEX)).numpy(),
                                  torch.tensor(A).gather(1, torch.tensor(INDEX)).numpy())


@pytest.mark.parametrize("shape", [(-3, 4), (2, -5), (-2, -1)])
def test_reshape_infers_only_minus_one(shape, torch) -> None:
    with pytest.raises(RuntimeError):
        torch.tensor(A).reshape(shape)
    with pytest.raises(ShapeError, match="-1 for the one inferred"):
        ag.tensor(A).reshape(shape)
    with pytest.raises(ShapeError):
        ag.tensor(A).view(*shape)
    assert ag.tensor(A).reshape(-1, 6).shape == (2, 6)


DIVISIONS = {
    "//": lambda a, b: a // b, "%": lambda a, b: a % b,
    "fmod": lambda a, b: a.fmod(b), "remainder": lambda a, b: a.remainder(b),
    "floor_divide": lambda a, b: a.floor_divide(b),
    "div trunc": lambda a, b: a.div(b, rounding_mode="trunc"),
    "div floor": lambda a, b: a.div(b, rounding_mode="floor"),
}


@pytest.mark.parametrize("divide", DIVISIONS.values(), ids=DIVISIONS)
def test_integer_division_by_zero_raises_as_pytorch(divide, torch) -> None:
    """NumPy's integer loops give 0 with a RuntimeWarning; PyTorch raises."""
    a, b = np.array([5, 7]), np.array([0, 2])
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        divide(torch.tensor(a), torch.tensor(b))
    with pytest.raises(IntegerDivisionError, match="integer division by zero") as caught:
        divide(ag.tensor(a), ag.tensor(b))
    assert isinstance(caught.value, RuntimeError) and isinstance(caught.value,
                                                                 ZeroDivisionError)
    with pytest.raises(IntegerDivisionError):
        divide(ag.tensor(a), 0)
    np.testing.assert_array_equal(divide(ag.tensor(a), ag.tensor(b + 1)).numpy(),
                                  divide(torch.tensor(a), torch.tensor(b + 1)).numpy())
    floats = divide(ag.tensor(a * 1.0), ag.tensor(b * 1.0))  # floats: inf and nan, no error
    assert not np.isfinite(floats.numpy()[0])


def test_inner_and_tensordot_do_not_broadcast_the_summed_axis(torch) -> None:
    for a, b in (((3,), (1,)), ((3, 2), (2, 1))):
        with pytest.raises(RuntimeError):
            torch.inner(torch.ones(a), torch.ones(b))
        with pytest.raises(ShapeError, match="lengths must be equal"):
            ag.ones(*a).inner(ag.ones(*b))
    with pytest.raises(ShapeError):
        ag.tensordot(ag.ones(3, 2), ag.ones(1, 2), axes=([0], [0]))
    assert float(ag.ones(3).inner(ag.ones(3))) == 3.0


@pytest.mark.parametrize("order", [(), [], None])
def test_permute_names_every_axis(order, torch) -> None:
    """permute() fell back to NumPy's transpose(), which reverses the axes."""
    call = (lambda x: x.permute()) if order is None else (lambda x: x.permute(order))
    ours, theirs = both(torch, call)
    assert isinstance(theirs, (RuntimeError, TypeError))
    assert isinstance(ours, AxisError) and "permutation" in str(ours)
    assert ag.tensor(2.0).permute(()).shape == ()
    assert ag.tensor(A).permute(1, 0).shape == (4, 3)


@pytest.mark.parametrize("index", [True, False, None, (0,), 1.0])
def test_select_takes_one_int_index(index, torch) -> None:
    """select(0, True) was the mask x[True], of shape (1, 3, 4)."""
    ours, theirs = both(torch, lambda x: x.select(0, index))
    assert isinstance(theirs, TypeError)
    assert isinstance(ours, UsageError) and "index must be an int" in str(ours)


INT_ARGUMENTS = {
    "chunk 2.5": lambda x: x.chunk(2.5), "chunk True": lambda x: x.chunk(True),
    "diag 1.5": lambda x: x.diag(1.5), "diagonal 1.0": lambda x: x.diagonal(1.0),
    "diagonal True": lambda x: x.diagonal(True), "tile floats": lambda x: x.tile((1.5, 2.5)),
    "roll dims 1.5": lambda x: x.roll(1, dims=1.5),
    "roll dims True": lambda x: x.roll(1, dims=True),
    "narrow start True": lambda x: x.narrow(0, True, 1),
    "narrow start None": lambda x: x.narrow(0, None, 1),
    "unfold size True": lambda x: x.unfold(0, True, 1),
    "unfold step None": lambda x: x.unfold(0, 2, None),
    "repeat True": lambda x: x.repeat(True, 2), "split True": lambda x: x.split(True),
    "split 2.5": lambda x: x.split(2.5), "diag_embed True": lambda x: x.diag_embed(True),
}


@pytest.mark.parametrize("call", INT_ARGUMENTS.values(), ids=INT_ARGUMENTS)
def test_counts_offsets_and_dims_must_be_ints(call, torch) -> None:
    """Floats were truncated and bools read as 0 and 1; PyTorch raises TypeError."""
    ours, theirs = both(torch, call)
    assert isinstance(theirs, (TypeError, RuntimeError))
    assert isinstance(ours, UsageError) and re.search("must be (an|one) int", str(ours)), ours


def test_a_0d_integer_tensor_counts_as_an_int(torch) -> None:
    """PyTorch takes one as a count: chunk(tensor(5)) of an empty axis gives 5 pieces."""
    empty = np.zeros((0, 2))
    assert len(ag.tensor(empty).chunk(ag.tensor(5))) == len(
        torch.tensor(empty).chunk(torch.tensor(5))) == 5
    assert [t.shape[0] for t in ag.tensor(A).split(ag.tensor(2))] == [2, 1]


@pytest.mark.parametrize("index", [5, (0, 7), (0, 0, 0), [5], [True, False]])
@pytest.mark.parametrize("recorded", [False, True])
def test_assigning_through_a_bad_index_is_a_tensor_index_error(index, recorded, torch) -> None:
    """Reading t[index] named it; t[index] = v gave NumPy's bare IndexError."""
    theirs = torch.tensor(A).clone()
    with pytest.raises(IndexError):
        theirs[torch.tensor(index) if isinstance(index, list) else index] = 1.0
    w = ag.tensor(A, requires_grad=True)
    t = w * 1.0 if recorded else ag.tensor(A)
    with pytest.raises(TensorIndexError):
        t[ag.tensor(index) if isinstance(index, list) else index] = 1.0


def test_a_slice_step_of_zero_is_a_tensor_index_error(torch) -> None:
    with pytest.raises(ValueError):
        torch.tensor(A)[::0]
    with pytest.raises(TensorIndexError, match="step cannot be 0"):
        ag.tensor(A)[::0]
    t = ag.tensor(A, requires_grad=True) * 1.0
    with pytest.raises(TensorIndexError):
        t[::0] = 1.0


def test_diff_of_a_huge_order_returns_at_once(torch) -> None:
    """diff(n=10**9) looped n times after the axis was empty."""
    assert ag.zeros(3, 3).diff(n=10 ** 9).shape == tuple(
        torch.zeros(3, 3).diff(n=10 ** 9).shape) == (3, 0)
    x = ag.tensor(np.arange(5.0) ** 3, requires_grad=True)
    np.testing.assert_array_equal(x.diff(n=3).detach().numpy(), np.diff(x.detach().numpy(), n=3))


def test_max_over_an_empty_axis_is_refused_even_with_an_empty_result(torch) -> None:
    """NumPy's bare ValueError came through where the result was empty; PyTorch raises
    too. Over a non-empty axis an empty result is fine."""
    for reduce in ("amax", "amin"):
        with pytest.raises(IndexError):
            getattr(torch.zeros(3, 0, 0), reduce)(dim=(0, 1))
        with pytest.raises(ShapeError, match="empty axis"):
            getattr(ag.zeros(3, 0, 0), reduce)(dim=(0, 1))
        assert getattr(ag.zeros(0, 3), reduce)(dim=1).shape == tuple(
            getattr(torch.zeros(0, 3), reduce)(dim=1).shape) == (0,)
    with pytest.raises(ShapeError, match="empty axis"):
        ag.zeros(3, 0).amax(dim=1)


def test_bare_numpy_errors_are_named() -> None:
    with pytest.raises(EinsumError, match="collapsing index"):
        ag.einsum("ii", ag.ones(2, 1))
    with pytest.raises(ShapeError, match="do not broadcast"):
        ag.ones(3).xlogy(ag.ones(2))


def test_a_diagonal_offset_beyond_the_matrix_is_empty(torch) -> None:
    for offset in (10 ** 12, -10 ** 12, 4, -3):
        ours, theirs = both(torch, lambda x: x.diagonal(offset))
        assert ours.shape == tuple(theirs.shape) == (0,)
    np.testing.assert_array_equal(ag.tensor(A).diagonal(1).numpy(), np.diagonal(A, 1))


REDUCTIONS = ["sum", "mean", "nansum", "std", "var", "norm", "amax", "amin"]


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("empty", [(), []])
def test_pytorchs_empty_dim_reduces_every_axis_numpys_empty_axis_none(name, empty,
                                                                      torch) -> None:
    """PyTorch's dim=() of these reductions reduces every axis (ours reduced none, and
    std/var gave NaN); NumPy's axis=() reduces none, and stays so."""
    ours, theirs = both(torch, lambda x: getattr(x, name)(dim=empty))
    assert ours.shape == tuple(theirs.shape) == ()
    np.testing.assert_allclose(ours.numpy(), theirs.numpy())
    if name in ("sum", "mean"):
        assert getattr(ag.tensor(A), name)(axis=empty).shape == A.shape
        assert getattr(np, name)(ag.tensor(A), axis=empty).shape == A.shape


def test_roll_with_empty_dims_rolls_the_flat_tensor_as_pytorch(torch) -> None:
    ours, theirs = both(torch, lambda x: x.roll(shifts=1, dims=()))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    ours, theirs = both(torch, lambda x: x.flip(dims=()))  # flip: none, in both
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("values, fill", [([1, 2, 3], 1.5), ([True, False, True], 2)])
def test_masked_and_index_fill_keep_an_integer_or_bool_dtype_as_pytorch(values, fill,
                                                                        torch) -> None:
    """The out-of-place forms promoted (int64 filled with 1.5 became float64), where
    PyTorch's, and masked_fill_ here, keep self's dtype."""
    mask = np.array([True, False, True])
    ours = ag.tensor(values).masked_fill(mask, fill)
    theirs = torch.tensor(values).masked_fill(torch.tensor(mask), fill)
    assert ours.dtype == theirs.numpy().dtype
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    ours = ag.tensor(values).index_fill(0, ag.tensor([0]), fill)
    theirs = torch.tensor(values).index_fill(0, torch.tensor([0]), fill)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    in_place = ag.tensor(values)
    in_place.masked_fill_(ag.tensor(mask), fill)
    np.testing.assert_array_equal(in_place.numpy(), ag.tensor(values).masked_fill(mask,
                                                                                   fill).numpy())
