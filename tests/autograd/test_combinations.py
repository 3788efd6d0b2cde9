"""``combinations``, ``cartesian_prod`` and ``isin``: PyTorch's, as recommender code writes
them (the field pairs of a factorisation machine or PNN: ``torch.combinations(
torch.arange(num_fields), r=2)``; a hit of a top-k list: ``torch.isin(top, truth)``),
values and gradients compared with PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import ShapeError

RNG = np.random.default_rng(5)


@pytest.mark.parametrize("n", [0, 1, 3, 4])
@pytest.mark.parametrize("r", [0, 1, 2, 3, 5])
@pytest.mark.parametrize("with_replacement", [False, True])
def test_combinations_match_pytorch(torch, n, r, with_replacement) -> None:
    data, g = RNG.normal(size=n), RNG.normal
    x, tx = ag.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    got = ag.combinations(x, r=r, with_replacement=with_replacement)
    want = torch.combinations(tx, r=r, with_replacement=with_replacement)
    assert got.shape == tuple(want.shape)
    np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())
    if want.numel() and want.requires_grad:
        weights = g(size=tuple(want.shape))
        (got * weights).sum().backward()
        (want * torch.tensor(weights)).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-15)
    ints = ag.combinations(ag.arange(n), r)  # integer fields stay int64
    assert ints.dtype == torch.combinations(torch.arange(n), r).numpy().dtype


def test_cartesian_prod_matches_pytorch(torch) -> None:
    a, b, c = RNG.normal(size=3), RNG.normal(size=2), RNG.normal(size=2)
    ours = [ag.tensor(v, requires_grad=True) for v in (a, b, c)]
    theirs = [torch.tensor(v, requires_grad=True) for v in (a, b, c)]
    for k in (1, 2, 3):
        got, want = ag.cartesian_prod(*ours[:k]), torch.cartesian_prod(*theirs[:k])
        np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())
        weights = RNG.normal(size=tuple(want.shape))
        (got * weights).sum().backward()
        (want * torch.tensor(weights)).sum().backward()
    for x, tx in zip(ours, theirs):
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_isin_matches_pytorch(torch) -> None:
    elements, tests = [[1, 2], [3, 4]], [2, 4, 9]
    for invert in (False, True):
        got = ag.isin(ag.tensor(elements), ag.tensor(tests), invert=invert)
        want = torch.isin(torch.tensor(elements), torch.tensor(tests), invert=invert)
        assert got.dtype == np.bool_
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    np.testing.assert_array_equal(ag.isin(ag.tensor(elements), 2).numpy(),
                                  torch.isin(torch.tensor(elements), 2).numpy())
    assert ag.isin(2, ag.tensor(tests)).item() is torch.isin(2, torch.tensor(tests)).item()


def test_combinations_and_cartesian_prod_take_1d_tensors() -> None:
    with pytest.raises(ShapeError, match="combinations: input must be 1-d"):
        ag.combinations(ag.ones(2, 2))
    with pytest.raises(ShapeError, match="cartesian_prod: every input must be 1-d"):
        ag.cartesian_prod(ag.ones(2), ag.ones(2, 2))
