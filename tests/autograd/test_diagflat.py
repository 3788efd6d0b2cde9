"""``diagflat`` (function and method) against ``torch.diagflat`` (float64): the flattened
input on diagonal ``offset`` of a square matrix, values and gradients, as PyTorch's.
(A rotation's ``torch.diagflat(torch.stack([1, 1, det]))`` sign fix had no counterpart.)"""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag


@pytest.mark.parametrize("shape, offset", [((3,), 0), ((2, 3), 0), ((3,), 1), ((2, 2), -2),
                                           ((), 0), ((0,), 1)])
def test_diagflat_as_pytorch(torch, shape, offset) -> None:
    rng = np.random.default_rng(4)
    x = rng.standard_normal(shape)
    results, w = [], None
    for T in (ag, torch):
        leaf = T.tensor(x, requires_grad=True)
        out = T.diagflat(leaf, offset) if T is torch else leaf.diagflat(offset)
        if w is None:
            w = rng.standard_normal(tuple(out.shape))
        (out * T.tensor(w)).sum().backward()
        results.append((out.detach().numpy(), leaf.grad.numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=0)
    np.testing.assert_array_equal(ag.diagflat(x, offset=offset).data, results[1][0])
