"""A 0-d integer Tensor as a size, as PyTorch takes it: the CTCLoss documentation writes
``torch.randint(low=1, high=C, size=(sum(target_lengths),))`` and ``size=(target_lengths,)``
with target_lengths a tensor, and ``zeros(n)``/``x.view(n, -1)`` with a 0-d ``n`` are common
too. Float and bool tensors still raise ``ShapeError``; a 1-element integer tensor is a
size of the creation functions, as PyTorch's ``__index__`` makes it one."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import ShapeError

N = ag.tensor(3)


@pytest.mark.parametrize("make, shape", [
    (lambda: ag.zeros(N), (3,)), (lambda: ag.ones((N, 2)), (3, 2)),
    (lambda: ag.randint(low=1, high=5, size=(N,), dtype=ag.long), (3,)),
    (lambda: ag.randint(low=1, high=5, size=(ag.tensor([1, 2]).sum(),)), (3,)),
    (lambda: ag.randn(N, 2), (3, 2)), (lambda: ag.full((N,), 7.0), (3,)),
    (lambda: ag.arange(6.0).reshape(N, 2), (3, 2)), (lambda: ag.arange(6.0).view(N, -1), (3, 2)),
    (lambda: ag.arange(6.0).new_zeros((N,)), (3,)),
])
def test_zero_dim_integer_tensor_sizes_match_pytorch(torch, make, shape):
    assert make().shape == shape
    n = torch.tensor(3)
    assert tuple(torch.zeros(n).shape) == (3,) and tuple(torch.arange(6.0).view(n, -1).shape) \
        == (3, 2)


@pytest.mark.parametrize("size", [ag.tensor(3.0), ag.tensor(True)])
def test_other_tensors_are_not_sizes(size):
    with pytest.raises(ShapeError, match="ints"):
        ag.zeros((size, 2))
    with pytest.raises(ShapeError, match="ints"):
        ag.arange(6.0).reshape(size, 2)
    assert np.array_equal(ag.zeros(2).numpy(), np.zeros(2))
