"""Bit shifts ``>>`` and ``<<`` of integer tensors (``input_lengths >> 2``, as the
Conformer's subsampling writes an output length), PyTorch's ``bitwise_*_shift`` names and
NumPy's shift ufuncs on tensors; every result a constant, floats refused."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import DTypeError, Tensor

LENGTHS, AMOUNTS = np.array([40, 36, 33, -5]), np.array([1, 2, 3, 1])

SHIFTS = [
    ("right by number", lambda a, b: a >> 2), ("left by number", lambda a, b: a << 3),
    ("right by tensor", lambda a, b: a >> b), ("left by tensor", lambda a, b: a << b),
    ("number on the left", lambda a, b: 1 << b), ("broadcast", lambda a, b: a[:, None] >> b),
]


@pytest.mark.parametrize("name, op", SHIFTS, ids=[s[0] for s in SHIFTS])
def test_shift_operators_give_pytorchs_values_as_constants(name, op):
    torch = pytest.importorskip("torch")
    mine = op(Tensor(LENGTHS), Tensor(AMOUNTS))
    theirs = op(torch.from_numpy(LENGTHS), torch.from_numpy(AMOUNTS))
    assert isinstance(mine, Tensor) and not mine.requires_grad and mine.grad_fn is None
    assert mine.dtype == theirs.numpy().dtype
    np.testing.assert_array_equal(mine.data, theirs.numpy())


def test_shift_methods_functions_and_ufuncs_agree():
    torch = pytest.importorskip("torch")
    a, b = Tensor(LENGTHS), Tensor(AMOUNTS)
    ta, tb = torch.from_numpy(LENGTHS), torch.from_numpy(AMOUNTS)
    for name in ("bitwise_left_shift", "bitwise_right_shift"):
        want = getattr(torch, name)(ta, tb).numpy()
        np.testing.assert_array_equal(getattr(ag, name)(a, b).data, want)
        np.testing.assert_array_equal(getattr(a, name)(b).data, want)
    out = ag.empty(4, dtype=ag.int64)
    ag.bitwise_right_shift(a, 1, out=out)
    np.testing.assert_array_equal(out.data, LENGTHS >> 1)
    for ufunc, expected in ((np.right_shift, a >> b), (np.left_shift, a << b)):
        result = ufunc(a, AMOUNTS)
        assert isinstance(result, Tensor), ufunc
        np.testing.assert_array_equal(result.data, expected.data)


def test_in_place_shift_then_subtract_as_the_conformer_writes_it():
    """``output_lengths = input_lengths >> 2; output_lengths -= 1``."""
    input_lengths = Tensor(LENGTHS)
    output_lengths = input_lengths >> 2
    output_lengths -= 1
    np.testing.assert_array_equal(output_lengths.data, (LENGTHS >> 2) - 1)
    np.testing.assert_array_equal(input_lengths.data, LENGTHS)


def test_shifting_floats_is_refused_with_the_fix():
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):  # "rshift_cpu" not implemented for 'Float'
        torch.ones(2) >> 1
    with pytest.raises(DTypeError, match=r">> works on .*integer.*float64"):
        Tensor([4.0, 8.0], requires_grad=True) >> 1
    with pytest.raises(DTypeError, match="<<"):
        1 << Tensor([1.5])


@pytest.mark.parametrize("values, amount", [
    (np.array([True, False]), 1), (np.array([3, 200], dtype=np.uint8), 9),
    (np.array([5, -7], dtype=np.int32), 1), (np.array([5, -7], dtype=np.int32), np.array([1, 2]))],
    ids=["bool", "uint8 overflow", "int32 by a Python int", "int32 by int64"])
def test_shift_dtypes_follow_pytorch(values, amount):
    """A Python int keeps the tensor's dtype (int32 stays int32); tensors promote."""
    torch = pytest.importorskip("torch")
    for op in (lambda a, b: a >> b, lambda a, b: a << b):
        mine = op(Tensor(values), Tensor(amount) if isinstance(amount, np.ndarray) else amount)
        theirs = op(torch.from_numpy(values),
                    torch.from_numpy(amount) if isinstance(amount, np.ndarray) else amount)
        assert mine.dtype == theirs.numpy().dtype
        np.testing.assert_array_equal(mine.data, theirs.numpy())
