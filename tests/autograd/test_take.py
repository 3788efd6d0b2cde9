"""``take(input, index)`` and ``t.take(index)``: PyTorch's flat indexing (the input read
as 1-d, the result shaped as ``index``), as NCF's hit-rate evaluation writes
``torch.take(item, indices)``; gradients of repeated indices add up."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import DTypeError, TensorIndexError, UsageError

DATA = np.arange(12.0).reshape(3, 4) / 7


@pytest.mark.parametrize("index", [[[0, 5], [11, 5]], [3], [-1, -12, 2], 4, []])
def test_take_matches_pytorch(index) -> None:
    torch = pytest.importorskip("torch")
    x = ag.tensor(DATA, requires_grad=True)
    tx = torch.tensor(DATA, requires_grad=True)
    i, ti = ag.tensor(index, dtype=ag.int64), torch.tensor(index, dtype=torch.int64)
    for got, want in [(ag.take(x, i), torch.take(tx, ti)), (x.take(i), tx.take(ti))]:
        assert got.shape == tuple(want.shape)
        np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())
        weights = np.random.default_rng(0).random(got.shape)
        (got * weights).sum().backward()
        (want * torch.tensor(weights)).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-15)


def test_take_refuses_what_pytorch_refuses() -> None:
    x = ag.tensor(DATA)
    with pytest.raises(TensorIndexError, match="take: index 12 is out of range"):
        ag.take(x, ag.tensor([12]))
    with pytest.raises(DTypeError, match="take: index must hold integers"):
        x.take(ag.tensor([1.0]))
    with pytest.raises(UsageError, match="take: index must be an integer tensor"):
        x.take([1, 2])
