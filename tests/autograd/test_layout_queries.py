"""PyTorch's small questions about a tensor's memory that were missing: ``is_set_to``,
``is_same_size``, ``const_data_ptr``, ``is_cpu``, ``is_pinned`` and ``resize_as_``,
against PyTorch."""

import numpy as np
import pytest

import autograd as ag


def _views(x) -> list:
    return [x, x.view(2, 3), x.t(), x[:], x.clone(), x[1], x.reshape(3, 2), x.detach()]


def test_is_set_to_and_is_same_size_as_pytorch(torch) -> None:
    ours, theirs = ag.arange(6.0).view(2, 3), torch.arange(6.0).view(2, 3)
    for a, b in zip(_views(ours), _views(theirs), strict=True):
        assert ours.is_set_to(a) == theirs.is_set_to(b)
        assert a.is_set_to(ours) == b.is_set_to(theirs)
        assert ours.is_same_size(a) == theirs.is_same_size(b)
    assert ours[1].is_set_to(ours[1]) and not ours[0].is_set_to(ours[1])


def test_memory_flags_as_pytorch(torch) -> None:
    ours, theirs = ag.ones(2, 3), torch.ones(2, 3)
    assert ours.is_cpu is theirs.is_cpu is True
    assert ours.is_pinned() is theirs.is_pinned() is False
    assert ours.const_data_ptr() == ours.data_ptr() == ours[0].const_data_ptr()
    assert theirs.const_data_ptr() == theirs.data_ptr()


def test_resize_as_(torch) -> None:
    target = np.zeros((2, 3))
    ours, theirs = ag.arange(3.0), torch.arange(3.0)
    assert ours.resize_as_(ag.tensor(target)) is ours
    theirs.resize_as_(torch.tensor(target))
    assert ours.shape == tuple(theirs.shape) and ours.stride() == theirs.stride()
    np.testing.assert_array_equal(ours.numpy()[0], theirs.numpy()[0])  # the kept values
    with pytest.raises(RuntimeError, match="require grad"):
        torch.zeros(2, requires_grad=True).resize_as_(theirs)
    with pytest.raises(ag.UsageError, match="requires grad"):
        ag.zeros(2, requires_grad=True).resize_as_(ours)
