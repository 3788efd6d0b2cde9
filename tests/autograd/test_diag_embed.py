"""``diag_embed`` (function and method) against ``torch.diag_embed`` (float64): values and
gradients for offsets and axes, and the errors. (A batched diagonal Gaussian's
``MultivariateNormal(mu, scale_tril=torch.diag_embed(sigma))`` had no counterpart.)"""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import ShapeError

RNG = np.random.default_rng(3)


@pytest.mark.parametrize("shape, kwargs", [
    ((3,), {}), ((2, 3), {}), ((2, 4, 3), {}), ((2, 3), {"offset": 1}),
    ((2, 3), {"offset": -2}), ((2, 3), {"dim1": 0, "dim2": 2}),
    ((2, 3), {"dim1": -1, "dim2": 0}), ((4, 2, 3), {"offset": 1, "dim1": 1, "dim2": 3})])
def test_diag_embed_as_pytorch(torch, shape, kwargs) -> None:
    x = RNG.standard_normal(shape)
    w = None
    results = []
    for T in (ag, torch):
        leaf = T.tensor(x, requires_grad=True)
        out = T.diag_embed(leaf, **kwargs) if T is torch else leaf.diag_embed(**kwargs)
        if w is None:
            w = RNG.standard_normal(tuple(out.shape))
        (out * T.tensor(w)).sum().backward()
        results.append((out.detach().numpy(), leaf.grad.numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(ag.diag_embed(ag.tensor(x), **kwargs).numpy(), results[0][0])


def test_batched_diagonal_gaussian(torch) -> None:
    mu, sigma = RNG.standard_normal((5, 2)), RNG.uniform(0.5, 2, (5, 2))
    y = RNG.standard_normal((5, 2))
    got = [T.distributions.MultivariateNormal(T.tensor(mu), scale_tril=T.diag_embed(
        T.tensor(sigma))).log_prob(T.tensor(y)).numpy() for T in (ag, torch)]
    np.testing.assert_allclose(*got, rtol=1e-12)


def test_errors() -> None:
    with pytest.raises(ShapeError, match="at least one axis"):
        ag.diag_embed(ag.tensor(1.0))
    with pytest.raises(ShapeError, match="different axes"):
        ag.diag_embed(ag.zeros(3), dim1=0, dim2=-2)
