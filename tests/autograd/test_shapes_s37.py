"""Session 37, shape and layout functions (differential fuzz against PyTorch):

1. ``rot90`` with k % 4 == 0 returned its input itself; PyTorch returns a copy.
2. ``expand``/``broadcast_to``/``expand_as``/``broadcast_tensors``/``meshgrid`` to a shape
   that repeats nothing were read-only; PyTorch's are writable views of the input.
3. ``cat``/``stack`` took one Tensor as the sequence of its rows; PyTorch refuses it.
4. ``cat`` of 1-d empty tensors alone with dim != 0, ``Tensor.narrow_copy``,
   ``Tensor.split_with_sizes`` and ``atleast_*d()`` with no arguments.

Expected values are computed here by hand or with NumPy (PyTorch is not needed)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import AxisError, InplaceError, ShapeError, Tensor, UsageError

RNG = np.random.default_rng(37)


# ------------------------------------------------------------ 1. rot90 by whole turns
@pytest.mark.parametrize("k", [0, 4, -4, 8])
@pytest.mark.parametrize("form", ["method", "function", "numpy"])
def test_rot90_by_whole_turns_is_a_copy(k, form) -> None:
    x0 = np.arange(6.0).reshape(2, 3)
    x = Tensor(x0.copy())
    rotate = {"method": lambda t: t.rot90(k), "function": lambda t: ag.rot90(t, k),
              "numpy": lambda t: np.rot90(t, k)}[form]
    y = rotate(x)
    assert y is not x and not np.shares_memory(y.data, x.data)
    np.testing.assert_array_equal(y.data, x0)
    y.add_(100.0)
    np.testing.assert_array_equal(x.data, x0)  # the input is left as it was


def test_rot90_by_whole_turns_in_a_graph_leaves_its_input_and_passes_the_gradient() -> None:
    w = Tensor(np.ones((2, 2)), requires_grad=True)
    a = w * 1.0
    b = a.rot90(0)
    b.mul_(2.0)
    np.testing.assert_array_equal(a.data, np.ones((2, 2)))
    weights = RNG.standard_normal((2, 2))
    (b * Tensor(weights)).sum().backward()
    np.testing.assert_allclose(w.grad.data, 2.0 * weights)  # d(2 w)/dw weighted
    assert ag.gradcheck(lambda t: t.rot90(4), [Tensor(RNG.standard_normal((2, 3)),
                                                      requires_grad=True)])


# ------------------------------------------------------------ 2. expansions repeating nothing
EXPANSIONS = {
    "expand same": lambda t: t.expand(2, 3),
    "expand -1": lambda t: t.expand(-1, -1),
    "expand new size-1 axes": lambda t: t.expand(1, 1, 2, 3),
    "broadcast_to": lambda t: t.broadcast_to((2, 3)),
    "autograd.broadcast_to": lambda t: ag.broadcast_to(t, (1, 2, 3)),
    "expand_as": lambda t: t.expand_as(ag.zeros((2, 3))),
    "broadcast_tensors": lambda t: ag.broadcast_tensors(t, ag.zeros(3))[0],
}


@pytest.mark.parametrize("name", sorted(EXPANSIONS))
def test_expansion_repeating_nothing_is_a_writable_view(name) -> None:
    x = Tensor(np.zeros((2, 3)))
    view = EXPANSIONS[name](x)
    view.add_(1.0)
    np.testing.assert_array_equal(x.data, np.ones((2, 3)))  # the write reached x
    x.mul_(5.0)
    np.testing.assert_array_equal(view.data.reshape(2, 3), np.full((2, 3), 5.0))


@pytest.mark.parametrize("name", sorted(EXPANSIONS))
def test_expansion_repeating_nothing_takes_a_write_in_a_graph(name) -> None:
    w0, c = RNG.standard_normal((2, 3)), RNG.standard_normal((2, 3))
    w = Tensor(w0, requires_grad=True)
    a = w * 2.0
    EXPANSIONS[name](a).mul_(3.0)  # a = 6 w, through the view
    np.testing.assert_allclose(a.data, 6.0 * w0)
    (a * Tensor(c)).sum().backward()
    np.testing.assert_allclose(w.grad.data, 6.0 * c)


def test_meshgrid_outputs_that_repeat_nothing_are_writable_views() -> None:
    x, y = Tensor(np.zeros(3)), Tensor(np.zeros(1))
    (grid,) = ag.meshgrid(x, indexing="ij")
    grid.add_(1.0)
    np.testing.assert_array_equal(x.data, np.ones(3))
    gx, gy = ag.meshgrid(x, y, indexing="ij")  # (3, 1): x's grid repeats nothing
    gx.add_(1.0)
    np.testing.assert_array_equal(x.data, np.full(3, 2.0))
    assert gy.shape == (3, 1)
    with pytest.raises(UsageError):  # y's single element stands for three
        gy.add_(1.0)


def test_a_real_repeat_still_refuses_writes() -> None:
    x = Tensor(np.zeros((1, 3)))
    with pytest.raises(UsageError):
        x.expand(2, 3).add_(1.0)
    a, _ = ag.broadcast_tensors(Tensor(np.zeros(3)), ag.zeros((2, 3)))
    with pytest.raises(UsageError):
        a.mul_(2.0)
    w = Tensor(np.ones((1, 3)), requires_grad=True)
    with pytest.raises(InplaceError):
        (w * 1.0).expand(2, 3).mul_(2.0)
    np.testing.assert_array_equal(x.data, np.zeros((1, 3)))


def test_a_write_through_an_expansion_is_caught_where_the_value_was_saved() -> None:
    w = Tensor(RNG.standard_normal((2, 3)), requires_grad=True)
    y = (w * w).sum()  # Mul saved w
    with ag.no_grad():
        w.expand(2, 3).mul_(2.0)
    with pytest.raises(InplaceError):
        y.backward()


def test_expansion_repeating_nothing_keeps_its_gradient() -> None:
    x = Tensor(RNG.standard_normal((2, 3)), requires_grad=True)
    assert ag.gradcheck(lambda t: t.expand(1, 2, 3) * t.expand(2, 3), [x])
    assert ag.gradcheck(lambda t: t.expand(4, 2, 3), [x])  # a real repeat: summed back


# ------------------------------------------------------------ 3. a Tensor for the sequence
@pytest.mark.parametrize("join", [ag.cat, ag.stack, ag.concat])
def test_cat_and_stack_refuse_a_tensor_for_the_sequence(join) -> None:
    x = Tensor(np.arange(6.0).reshape(2, 3))
    with pytest.raises(UsageError) as error:
        join(x)
    assert isinstance(error.value, TypeError)
    assert "list or tuple" in str(error.value)
    np.testing.assert_array_equal(join([x]).data.reshape(-1), np.arange(6.0))


def test_numpy_named_concatenate_still_reads_a_tensor_as_its_rows() -> None:
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(ag.concatenate(Tensor(x)).data, np.concatenate(x))


# ------------------------------------------------------------ 4. small PyTorch forms
@pytest.mark.parametrize("dim", [1, -3, 5, 0])
def test_cat_of_only_empty_vectors_is_empty_whatever_the_dim(dim) -> None:
    parts = [Tensor(np.empty(0, dtype=np.float32)), Tensor(np.empty(0, dtype=np.int64))]
    for out in (ag.cat(parts, dim), ag.cat(parts, axis=dim)):
        assert out.shape == (0,)
        assert out.dtype == np.result_type(np.float32, np.int64)  # NumPy's promotion
    with pytest.raises(AxisError):
        ag.cat(parts, dim=dim, axis=dim)


def test_narrow_copy_method_is_a_copy_of_the_narrowed_piece() -> None:
    x0 = RNG.standard_normal((3, 5))
    x = Tensor(x0.copy(), requires_grad=True)
    out = x.narrow_copy(1, -4, 3)
    np.testing.assert_array_equal(out.data, x0[:, 1:4])
    assert not np.shares_memory(out.data, x.data)
    np.testing.assert_array_equal(ag.narrow_copy(x, 0, 1, 2).data, x0[1:3])
    assert ag.gradcheck(lambda t: t.narrow_copy(1, -4, 3), [x])


def test_split_with_sizes_method() -> None:
    x0 = RNG.standard_normal((2, 6))
    x = Tensor(x0, requires_grad=True)
    pieces = x.split_with_sizes([1, 0, 5], 1)
    expected = np.split(x0, [1, 1], axis=1)
    assert len(pieces) == 3
    for piece, want in zip(pieces, expected):
        np.testing.assert_array_equal(piece.data, want)
    (first,) = x.split_with_sizes(split_sizes=(2,), dim=0)
    np.testing.assert_array_equal(first.data, x0)
    with pytest.raises(UsageError):
        x.split_with_sizes(2, 1)  # an int: PyTorch's TypeError
    with pytest.raises(ShapeError):
        x.split_with_sizes([1, 1], 1)  # must add up to 6
    assert ag.gradcheck(lambda t: t.split_with_sizes([2, 4], 1)[1] * 2.0, [x])


@pytest.mark.parametrize("name", ["atleast_1d", "atleast_2d", "atleast_3d"])
def test_atleast_of_nothing_is_an_empty_tuple(name) -> None:
    function = getattr(ag, name)
    assert function() == ()
    assert function([]) == () and function(()) == ()
    (one,) = function([Tensor(np.ones(2))])
    assert one.ndim == int(name[-2])


def test_a_write_into_a_repeating_expand_in_a_graph_says_why():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    repeated = (w * 1).expand(3, 2)
    with pytest.raises(InplaceError, match="repeats elements"):
        repeated.add_(1)
