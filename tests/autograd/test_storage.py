"""``t.storage()`` and ``t.untyped_storage()``: the memory a tensor and its views share,
read and written as "Deep Learning with PyTorch" (chapter 3) does, against PyTorch."""

import numpy as np
import pytest

import autograd as ag

# PyTorch 2 warns that TypedStorage is deprecated; the book's t.storage() still works
pytestmark = pytest.mark.filterwarnings("ignore:TypedStorage is deprecated")

POINTS = [[1.0, 4.0], [2.0, 1.0], [3.0, 5.0]]


def _views(T, points):
    return [points, points.t(), points[1], points[1:, 0], points.transpose(0, 1)[1]]


def test_storage_is_the_shared_memory_in_order(torch) -> None:
    ours, theirs = ag.tensor(POINTS), torch.tensor(POINTS)
    for a, b in zip(_views(ag, ours), _views(torch, theirs)):
        assert a.storage().tolist() == b.storage().tolist()
        assert len(a.storage()) == len(b.storage()) == b.storage().size()
        assert a.storage().size() == b.storage().size()
        assert a.storage().nbytes() == b.storage().nbytes()
        assert a.storage().element_size() == b.storage().element_size()
        assert a.storage().data_ptr() == ours.storage().data_ptr()
        assert a.untyped_storage().nbytes() == b.untyped_storage().nbytes()
        assert a.untyped_storage().tolist() == b.untyped_storage().tolist()
        assert a.untyped_storage().data_ptr() == ours.data_ptr()
        # element storage_offset() + sum(i_k * stride_k) of the storage is a[i]
        index = (0,) * a.ndim
        assert a.storage()[a.storage_offset()] == b.storage()[b.storage_offset()]
        assert a.storage()[a.storage_offset()] == a[index].item()
    transposed = ours.t().contiguous()
    want = theirs.t().contiguous()
    assert transposed.storage().tolist() == want.storage().tolist()
    assert transposed.storage().data_ptr() != ours.storage().data_ptr()


def test_storage_writes_reach_the_tensor_and_its_views(torch) -> None:
    ours, theirs = ag.tensor(POINTS), torch.tensor(POINTS)
    for points in (ours, theirs):
        second_point = points[1]
        points_storage = points.storage()
        points_storage[0] = 2.0
        second_point.storage()[3] = 7.0
        points.storage()[4:6] = -1.0
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert ours.storage()[-1] == theirs.storage()[-1]
    assert ours.untyped_storage()[8:16].tolist() == theirs.untyped_storage()[8:16].tolist()
    with pytest.raises(RuntimeError, match="slices"):
        theirs.storage()[4:6]
    with pytest.raises(ag.UsageError, match="slices"):
        ours.storage()[4:6]


def test_storage_write_counts_as_an_inplace_write() -> None:
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    x = ag.tensor([3.0, 4.0])
    loss = (w * x).sum()  # saves x for w's gradient
    x.storage()[0] = 5.0
    with pytest.raises(ag.InplaceError):
        loss.backward()


def test_storage_of_an_array_that_is_not_one_block() -> None:
    every_other = np.lib.stride_tricks.as_strided(np.arange(4.0), shape=(2,), strides=(16,))
    with pytest.raises(ag.UnsupportedError, match="contiguous"):
        ag.from_numpy(every_other).storage()
    # a broadcast is a view of its array's memory, as PyTorch's expand
    assert ag.from_numpy(np.broadcast_to(np.arange(2.0), (3, 2))).storage().tolist() == [0, 1]
