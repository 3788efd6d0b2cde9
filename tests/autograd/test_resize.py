"""``t.resize_(*sizes)``, as crnn.pytorch's ``loadData`` writes it
(``v.resize_(data.size()).copy_(data)`` to reuse a buffer): self takes the new size and
keeps its first elements in row-major order (new ones are zeros here, uninitialised in
PyTorch), returns self and counts as an in-place write; a tensor that requires grad
cannot be resized, as in PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import UsageError


@pytest.mark.parametrize("sizes", [((2, 2),), (2, 2), (6,), (1, 3)])
def test_shrinking_keeps_the_first_elements_as_pytorch(torch, sizes):
    ours = ag.arange(6.0).reshape(2, 3)
    theirs = torch.arange(6.0).reshape(2, 3)
    assert ours.resize_(*sizes) is ours
    theirs.resize_(*sizes)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_growing_keeps_the_old_values_and_load_data_works(torch):
    t = ag.arange(4.0)
    t.resize_(3, 3)
    assert t.shape == (3, 3)
    np.testing.assert_array_equal(t.numpy().reshape(-1)[:4], np.arange(4.0))
    v, data = ag.IntTensor(10), ag.IntTensor([1, 2, 3])
    v.resize_(data.size()).copy_(data)  # crnn.pytorch's utils.loadData
    expected = torch.IntTensor(10).resize_(torch.Size([3])).copy_(torch.IntTensor([1, 2, 3]))
    np.testing.assert_array_equal(v.numpy(), expected.numpy())
    assert v.dtype == np.int32


def test_requires_grad_refuses_and_a_saved_tensor_notices():
    with pytest.raises(UsageError, match="requires grad"):
        ag.zeros(2, requires_grad=True).resize_(3)
    x = ag.ones(3, requires_grad=True)
    w = ag.arange(3.0)
    y = (x * w).sum()
    w.resize_(3)
    with pytest.raises(ag.InplaceError):
        y.backward()
