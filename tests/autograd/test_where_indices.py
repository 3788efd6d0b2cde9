"""``autograd.where(condition)`` alone gives PyTorch's tuple of int64 tensors (it gave
NumPy arrays, so the mask-to-index habit ``idx = torch.where(train_mask)[0]`` then
``idx[torch.randperm(idx.size(0))]`` failed: an array's ``size`` is an int). NumPy's
``np.where(t)`` gives constant Tensors too, as ``np.nonzero(t)``."""

import numpy as np

import autograd as ag


def test_where_of_a_condition_alone_gives_tensors_as_torch(torch):
    mask = np.array([[True, False, True], [False, False, True]])
    ours, theirs = ag.where(ag.tensor(mask)), torch.where(torch.tensor(mask))
    assert len(ours) == len(theirs) == 2
    for a, b in zip(ours, theirs):
        assert isinstance(a, ag.Tensor) and a.dtype == np.int64
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    idx = ag.where(ag.tensor(mask[0]))[0]
    assert idx.size(0) == 2 and sorted(idx[ag.randperm(idx.size(0))].tolist()) == [0, 2]
    assert all(isinstance(a, ag.Tensor) and not a.requires_grad
               for a in np.where(ag.tensor(mask)))
