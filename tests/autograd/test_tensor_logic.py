"""Masks combined: & | ^ ~ on bool and integer tensors, PyTorch's logical_* on any, and
NumPy's ufuncs of the same names on tensors; every result a constant."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import DTypeError, Tensor

X = np.array([[0.5, -1.0, 2.0], [0.0, 3.0, -0.2]])
A, B = X > 0, X < 2.5
BITS, OTHER = np.array([3, 5, 12]), np.array([6, 1, 10])

OPERATORS = [
    ("and", lambda a, b: a & b), ("or", lambda a, b: a | b), ("xor", lambda a, b: a ^ b),
    ("not", lambda a, b: ~a), ("and number", lambda a, b: a & True),
    ("array first", lambda a, b: np.asarray(B) & a), ("broadcast", lambda a, b: a | b[0]),
]


@pytest.mark.parametrize("name, op", OPERATORS, ids=[o[0] for o in OPERATORS])
@pytest.mark.parametrize("left, right", [(A, B), (BITS, OTHER)], ids=["masks", "bits"])
def test_operators_give_numpys_and_pytorchs_values_as_constants(name, op, left, right):
    torch = pytest.importorskip("torch")
    x = Tensor(X, requires_grad=True)  # a mask from a graph is still a constant
    mine = op(Tensor(left) if left is not A else x > 0, Tensor(right))
    assert isinstance(mine, Tensor) and not mine.requires_grad and mine.grad_fn is None
    np.testing.assert_array_equal(mine.data, op(left, right))
    if name != "array first":  # torch refuses an ndarray on the left
        theirs = op(torch.from_numpy(np.asarray(left)), torch.from_numpy(np.asarray(right)))
        np.testing.assert_array_equal(mine.data, theirs.numpy())


@pytest.mark.parametrize("method", ["logical_and", "logical_or", "logical_xor"])
def test_logical_methods_take_any_dtype_as_pytorch(method):
    torch = pytest.importorskip("torch")
    other = np.array([0.0, 1.0, -2.0])
    mine = getattr(Tensor(X), method)(Tensor(other))
    theirs = getattr(torch.from_numpy(X), method)(torch.from_numpy(other))
    assert mine.dtype == np.bool_
    np.testing.assert_array_equal(mine.data, theirs.numpy())
    np.testing.assert_array_equal(Tensor(X).logical_not().data,
                                  torch.from_numpy(X).logical_not().numpy())


def test_numpy_functions_run_the_methods():
    """The interop rule: np.f(t) gives what t.f() gives (a constant Tensor)."""
    a, b = Tensor(A), Tensor(B)
    for ufunc, expected in ((np.logical_and, a.logical_and(b)), (np.logical_or, a | b),
                            (np.logical_xor, a ^ b), (np.bitwise_and, a & b),
                            (np.bitwise_or, a | b), (np.bitwise_xor, a ^ b)):
        result = ufunc(a, B)
        assert isinstance(result, Tensor), ufunc
        np.testing.assert_array_equal(result.data, expected.data)
    for ufunc in (np.logical_not, np.invert):
        assert isinstance(ufunc(a), Tensor)
        np.testing.assert_array_equal(ufunc(a).data, ~A)


def test_floats_are_a_named_error_saying_what_to_do():
    x = ag.tensor([1.0, 2.0])
    for op in (lambda: x & (x > 1), lambda: (x > 1) | x, lambda: ~x, lambda: x ^ 1):
        with pytest.raises(DTypeError, match="bool masks .*Compare first, e.g. "
                                             r"\(x > 0\) & \(x < 1\)"):
            op()
