"""``x.view(dtype)``: the same bytes read as another dtype, as PyTorch's (the untracked
bit-level view that ``view`` gives when handed a dtype instead of a shape)."""

import numpy as np
import pytest

import autograd as ag
import nn

X = np.random.default_rng(0).normal(size=(2, 4))


def _dtypes(torch) -> list:
    return [(ag.float64, torch.float64), (ag.int64, torch.int64), (ag.float32, torch.float32),
            (ag.int32, torch.int32), (ag.int16, torch.int16), (ag.uint8, torch.uint8)]


def test_view_dtype_reads_the_same_bytes(torch) -> None:
    ours, theirs = ag.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    for dtype, torch_dtype in _dtypes(torch):
        a, b = ours.view(dtype), theirs.view(torch_dtype)
        assert a.shape == tuple(b.shape) and a.stride() == b.stride()
        assert str(a.dtype) == str(b.dtype).removeprefix("torch.")
        assert a.requires_grad is b.requires_grad is False
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        assert a.data_ptr() == ours.data_ptr()
    small, small_t = ag.zeros(3, 4, dtype=ag.int16), torch.zeros(3, 4, dtype=torch.int16)
    assert small.view(dtype=ag.int64).shape == tuple(small_t.view(dtype=torch.int64).shape)


def test_view_dtype_of_a_parameter_is_a_plain_tensor(torch) -> None:
    ours, theirs = nn.Parameter(ag.tensor(X)), torch.nn.Parameter(torch.tensor(X))
    a, b = ours.view(ag.int64), theirs.view(torch.int64)
    assert type(a) is ag.Tensor and type(b) is torch.Tensor
    assert a.requires_grad is b.requires_grad is False
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_view_dtype_shares_memory_and_version(torch) -> None:
    w, w_t = ag.arange(4.0), torch.arange(4.0)
    one_bits = int(torch.tensor(1.0).view(torch.int64))
    for t, int64 in ((w, ag.int64), (w_t, torch.int64)):
        v = t.view(int64)
        v[0] = one_bits
    np.testing.assert_array_equal(w.numpy(), w_t.numpy())
    assert w[0].item() == 1.0
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = ag.tensor([3.0, 4.0])
    loss = (x * y).sum()  # saves y
    y.view(ag.int64)[0] = one_bits  # an in-place write of y's memory
    with pytest.raises(ag.InplaceError):
        loss.backward()


def test_view_dtype_needs_a_contiguous_last_axis(torch) -> None:
    ours, theirs = ag.tensor(X).t(), torch.tensor(X).t()
    with pytest.raises(RuntimeError):
        theirs.view(torch.int32)
    with pytest.raises(ag.ShapeError, match=r"contiguous\(\)\.view"):
        ours.view(ag.int32)
    with pytest.raises(RuntimeError):
        torch.zeros(3, dtype=torch.int16).view(torch.int32)
    with pytest.raises(ag.ShapeError, match="multiple of 4"):
        ag.zeros(3, dtype=ag.int16).view(ag.int32)
    assert ours.view(ag.int64).shape == tuple(theirs.view(torch.int64).shape)
    with pytest.raises(ag.UsageError, match="dtype alone"):
        ag.zeros(4).view(2, dtype=ag.int64)
    assert ag.zeros(2, 3).view(6).shape == (6,)  # a shape still reshapes
