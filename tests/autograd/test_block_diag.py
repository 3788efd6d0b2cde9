"""``torch.block_diag(*tensors)``: block-local attention masks are built as
``torch.block_diag(*[torch.ones(b, b)] * n).bool()`` (a MissingNameError here before).
Values and gradients against PyTorch; 0-d and 1-d blocks are 1x1 and a row, as there."""

import numpy as np
import pytest

import autograd as ag
from autograd import ShapeError


def test_block_diag_and_its_gradients_as_torch(torch) -> None:
    rng = np.random.default_rng(0)
    arrays = [np.array(2.0), rng.standard_normal(3), rng.standard_normal((2, 2)),
              rng.standard_normal((0, 2)), rng.standard_normal((2, 1))]
    ours = [ag.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    got, want = ag.block_diag(*ours), torch.block_diag(*theirs)
    np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())
    upstream = rng.standard_normal(want.shape)
    (got * ag.tensor(upstream)).sum().backward()
    (want * torch.tensor(upstream)).sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


def test_block_local_mask_as_torch(torch) -> None:
    ours = ag.block_diag(*[ag.ones(2, 2)] * 3).bool()
    theirs = torch.block_diag(*[torch.ones(2, 2)] * 3).bool()
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert ag.block_diag(ag.ones(1, 1, dtype=ag.int64)).dtype == np.int64
    assert ag.block_diag().shape == tuple(torch.block_diag().shape)


def test_block_diag_takes_matrices_at_most() -> None:
    with pytest.raises(ShapeError, match="block_diag: .*at most 2"):
        ag.block_diag(ag.ones(2, 2, 2))
