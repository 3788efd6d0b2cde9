"""``autograd.where(condition, 1, 0)`` of two Python numbers has NumPy's and PyTorch's
dtype: int64 for ints (pytorch/examples' siamese network writes ``pred =
torch.where(outputs > 0.5, 1, 0)``), float64 when either is a float, bool for bools; it
was float64 for ints."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag


@pytest.mark.parametrize("a, b, dtype", [(1, 0, np.int64), (1, 0.5, np.float64),
                                         (2.0, 0, np.float64), (True, False, np.bool_)])
def test_where_of_two_numbers_has_numpys_dtype(torch, a, b, dtype) -> None:
    outputs = ag.tensor([0.2, 0.7, 0.9])
    pred = ag.where(outputs > 0.5, a, b)
    want = np.where(outputs.numpy() > 0.5, a, b)
    assert pred.dtype == want.dtype == dtype
    np.testing.assert_array_equal(pred.numpy(), want)
    theirs = torch.where(torch.tensor([0.2, 0.7, 0.9]) > 0.5, a, b)
    np.testing.assert_array_equal(pred.numpy(), theirs.numpy())
    if dtype is np.int64:
        assert theirs.dtype == torch.int64


def test_a_tensor_operand_still_sets_the_dtype() -> None:
    x = ag.tensor([1.0, -2.0], dtype=np.float32, requires_grad=True)
    y = ag.where(x > 0, x, 0)
    assert y.dtype == np.float32 and y.requires_grad
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 0.0])
