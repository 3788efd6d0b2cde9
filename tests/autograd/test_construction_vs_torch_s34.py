"""Tensor construction against PyTorch (session 34): a tensor that requires grad given to
``Tensor``/``tensor`` is refused rather than silently detached, lists of one-element
tensors, Python ints beyond int64, ``new_full``/``new_tensor`` with values their dtype
cannot hold, ``x in t``, in-place ops on unsigned tensors with int64 operands, named
errors around construction, and the repr of empty tensors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import Tensor


# ------------------------------------------------------------- H1: no silent detaching
@pytest.mark.parametrize("build", [lambda h: Tensor(h), lambda h: ag.tensor(h),
                                   lambda h: Tensor(h, dtype=np.float32),
                                   lambda h: ag.tensor(h, requires_grad=True),
                                   lambda h: ag.zeros(2).new_tensor(h)])
def test_a_tensor_that_requires_grad_is_refused_naming_detach_and_clone(build: Any) -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    for h in (x, x * 2):  # a leaf and a computed tensor
        with pytest.raises(ag.UsageError, match=r"h\.clone\(\).*h\.detach\(\)"):
            build(h)


def test_as_tensor_and_the_named_ways_keep_or_drop_the_graph_as_asked(torch: Any) -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    w = ag.tensor([3.0, 4.0])
    h = x * 2
    assert ag.as_tensor(h) is h  # PyTorch's as_tensor(h) is h too
    xt = torch.tensor([1.0, 2.0], requires_grad=True)
    assert torch.as_tensor(xt * 2).grad_fn is not None
    (ag.as_tensor(h) * w).sum().backward()
    (torch.Tensor(xt * 2) * torch.tensor([3.0, 4.0])).sum().backward()  # PyTorch's alias
    np.testing.assert_array_equal(x.grad.numpy(), xt.grad.numpy())
    constant = Tensor(h.detach())
    assert not constant.requires_grad and constant.tolist() == [2.0, 4.0]
    assert not ag.tensor(h.detach()).requires_grad


def test_a_parameter_or_buffer_of_a_tracked_tensor_is_a_new_leaf_as_pytorch(torch: Any) -> None:
    p = nn.Parameter(ag.ones(2))
    q = nn.Parameter(p * 2)
    assert q.is_leaf and q.requires_grad and q.tolist() == [2.0, 2.0]
    pt = torch.nn.Parameter(torch.ones(2))
    qt = torch.nn.Parameter(pt * 2)
    assert qt.is_leaf == q.is_leaf and qt.requires_grad == q.requires_grad
    b = nn.Buffer(p)
    assert b.is_leaf and np.shares_memory(b.data, p.data)


# ------------------------------------------------------------- M1: lists of tensors
@pytest.mark.parametrize("make", ["tensor", "as_tensor", "Tensor", "asarray"])
def test_a_list_of_one_element_tensors_is_a_list_of_numbers_as_pytorch(torch: Any,
                                                                        make: str) -> None:
    ours = getattr(ag, make)([ag.tensor([0.5]), ag.tensor([[0.7]]), ag.tensor(0.9)])
    theirs = getattr(torch, make)([torch.tensor([0.5]), torch.tensor([[0.7]]),
                                   torch.tensor(0.9)])
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    nested = ag.tensor([[ag.tensor([1.0]), 2.0], [3.0, ag.tensor(4.0)]])
    assert nested.shape == tuple(torch.tensor([[torch.tensor([1.0]), 2.0],
                                               [3.0, torch.tensor(4.0)]]).shape)


def test_a_list_of_one_element_tensors_keeps_their_dtype(torch: Any) -> None:
    ours = ag.tensor([ag.tensor([1], dtype=np.int32), ag.tensor([2], dtype=np.int32)])
    theirs = torch.tensor([torch.tensor([1], dtype=torch.int32),
                           torch.tensor([2], dtype=torch.int32)])
    assert ours.dtype == np.int32 and str(theirs.dtype) == "torch.int32"


@pytest.mark.parametrize("make", ["tensor", "as_tensor", "Tensor"])
def test_a_list_of_tensors_of_several_elements_is_refused_naming_stack(torch: Any,
                                                                       make: str) -> None:
    with pytest.raises(ValueError):
        getattr(torch, make)([torch.ones(2), torch.ones(2)])
    with pytest.raises(ag.UsageError, match="autograd.stack"):
        getattr(ag, make)([ag.ones(2), ag.ones(2)])


# ------------------------------------------------------------- M2: ints beyond int64
@pytest.mark.parametrize("data", [2 ** 63, [2 ** 63], [2 ** 63 + 1, 1], [1, 2 ** 63],
                                  [-1, 2 ** 63], [2 ** 70], [[2 ** 63], [1]], [-2 ** 63 - 1]])
@pytest.mark.parametrize("make", ["tensor", "as_tensor", "asarray"])
def test_a_python_int_beyond_int64_is_refused_as_pytorch(torch: Any, data: Any,
                                                         make: str) -> None:
    with pytest.raises(ValueError, match="Overflow"):
        getattr(torch, make)(data)
    with pytest.raises(ag.DataError, match="out of int64's range"):
        getattr(ag, make)(data)


@pytest.mark.parametrize("data", [[1.5, 2 ** 63], [2 ** 70, 1.5], [-2 ** 63, 2 ** 63 - 1]])
def test_ints_at_the_int64_limits_or_beside_floats_are_taken_as_pytorch(torch: Any,
                                                                        data: Any) -> None:
    ours, theirs = ag.tensor(data), torch.tensor(data)
    assert ours.dtype.kind == {True: "f", False: "i"}[theirs.dtype.is_floating_point]
    assert ours.tolist() == theirs.tolist()


def test_ints_beyond_int64_with_an_explicit_dtype_are_taken(torch: Any) -> None:
    ours = ag.tensor([2 ** 63], dtype=np.uint64)
    assert ours.tolist() == torch.tensor([2 ** 63], dtype=torch.uint64).tolist()
    assert ag.tensor([2 ** 63], dtype=np.float64).item() == float(2 ** 63)


# ------------------------------------------------------------- M3: new_full, new_tensor
@pytest.mark.parametrize("dtype, value", [("int64", float("nan")), ("uint8", 300),
                                          ("int64", float("inf"))])
def test_new_full_and_new_tensor_refuse_what_the_dtype_cannot_hold(torch: Any, dtype: str,
                                                                   value: Any) -> None:
    x, xt = ag.zeros(2, dtype=dtype), torch.zeros(2, dtype=getattr(torch, dtype))
    for ours, theirs in ((lambda: x.new_full((2,), value), lambda: xt.new_full((2,), value)),
                         (lambda: x.new_tensor([value]), lambda: xt.new_tensor([value]))):
        with pytest.raises(RuntimeError):
            theirs()
        with pytest.raises(ag.DTypeError, match="cannot be stored"):
            ours()
    assert x.new_full((2,), 7).tolist() == xt.new_full((2,), 7).tolist()
    assert x.new_tensor([7]).dtype == np.dtype(dtype)
    with pytest.raises(ag.DTypeError):  # PyTorch wraps -1 here; refused as full() refuses it
        ag.zeros(2, dtype=np.uint8).new_full((2,), -1)


# ------------------------------------------------------------- M4: x in t
@pytest.mark.parametrize("element", [2.0, 5.0, 3, True, np.float32(4.0)])
@pytest.mark.parametrize("values", [[[1.0, 2.0], [3.0, 4.0]], 3.0, [1.0, 0.0]])
def test_in_is_any_equal_as_pytorch(torch: Any, element: Any, values: Any) -> None:
    assert (element in ag.tensor(values)) == (element in torch.tensor(values))


def test_in_takes_a_tensor_and_refuses_other_types(torch: Any) -> None:
    m, mt = ag.tensor([[1.0, 2.0], [3.0, 4.0]]), torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    for row in ([1.0, 2.0], [2.0, 1.0]):
        assert (ag.tensor(row) in m) == (torch.tensor(row) in mt)
    with pytest.raises(RuntimeError):
        [1.0, 2.0] in mt
    with pytest.raises(ag.UsageError, match="a number or a Tensor"):
        [1.0, 2.0] in m


# ------------------------------------------------------------- L1: in-place on unsigned
@pytest.mark.parametrize("operand", [lambda m: np.int64(3), lambda m: m.tensor([3]),
                                     lambda m: m.tensor(300)])
@pytest.mark.parametrize("method", ["__iadd__", "__isub__", "__imul__", "add_", "sub_",
                                    "mul_"])
def test_in_place_on_uint8_takes_int64_operands_as_pytorch(torch: Any, operand: Any,
                                                           method: str) -> None:
    ours = ag.tensor([1, 2], dtype=np.uint8)
    theirs = torch.tensor([1, 2], dtype=torch.uint8)
    ours = getattr(ours, method)(operand(ag))
    theirs = getattr(theirs, method)(operand(torch))
    assert ours.dtype == np.uint8 and ours.tolist() == theirs.tolist()


def test_in_place_still_refuses_floats_into_integers(torch: Any) -> None:
    u = ag.tensor([3, 3], dtype=np.uint8)
    for write in (lambda t, m: t.div_(2), lambda t, m: t.__iadd__(m.tensor([1.5, 1.5]))):
        with pytest.raises(RuntimeError):
            write(torch.tensor([3, 3], dtype=torch.uint8), torch)
        with pytest.raises(ag.DTypeError):
            write(u, ag)
    assert u.tolist() == [3, 3]


# ------------------------------------------------------------- L3, L4: named errors
def test_asarray_of_ragged_lists_is_a_data_error() -> None:
    with pytest.raises(ag.DataError, match="ragged"):
        ag.asarray([[1, 2], [3]])


def test_requires_grad_with_an_integer_dtype_names_the_dtype_not_python_ints() -> None:
    with pytest.raises(ag.DTypeError) as caught:
        ag.tensor([1.0, 2.0], dtype=np.int64, requires_grad=True)
    assert "Python ints" not in str(caught.value) and "int64" in str(caught.value)


@pytest.mark.parametrize("call", [lambda m: m.linspace(0, 1, 2.5),
                                  lambda m: m.logspace(0, 1, 2.5), lambda m: m.eye(2.5),
                                  lambda m: m.eye(2, 2.5)])
def test_a_float_count_is_a_type_error_naming_the_argument(torch: Any, call: Any) -> None:
    with pytest.raises(TypeError):
        call(torch)
    with pytest.raises(ag.UsageError, match=r"(steps|n|m) must be an int"):
        call(ag)


def test_item_of_several_elements_is_also_a_runtime_error(torch: Any) -> None:
    with pytest.raises(RuntimeError):
        torch.tensor([1.0, 2.0]).item()
    with pytest.raises(RuntimeError):
        ag.tensor([1.0, 2.0]).item()


# ------------------------------------------------------------- L5: repr of empty tensors
@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (2, 0, 3)])
def test_the_repr_of_an_empty_tensor_shows_its_shape(torch: Any, shape: tuple) -> None:
    assert f"size={shape}" in repr(torch.zeros(shape))
    assert repr(ag.zeros(shape)) == f"Tensor([], shape={shape})"
    assert repr(ag.zeros(shape, dtype=np.float32)) == f"Tensor([], shape={shape}, dtype=float32)"
    assert repr(ag.zeros(0)) == "Tensor([])"


# ------------------------------------------------------------- L6
def test_asarray_copy_false_refuses_to_convert_the_byte_order() -> None:
    big_endian = np.array([1.0, 2.0], dtype=">f8")
    with pytest.raises(ag.UsageError, match="byte order"):
        ag.asarray(big_endian, copy=False)
    assert ag.asarray(big_endian).tolist() == [1.0, 2.0]


def test_logspace_refuses_values_an_integer_dtype_cannot_hold(torch: Any) -> None:
    with pytest.raises(RuntimeError):
        torch.logspace(-1, 300, 4, dtype=torch.uint8)
    with pytest.raises(ag.DTypeError, match="cannot be stored"):
        ag.logspace(-1, 300, 4, dtype=np.uint8)
    ours = ag.logspace(0, 2, 3, dtype=np.int64)
    assert ours.tolist() == torch.logspace(0, 2, 3, dtype=torch.int64).tolist()
