"""``autograd.linalg.solve(A, B, left=False)`` solves X A = B, as ``torch.linalg.solve``'s
keyword (it raised TypeError): values and gradients against PyTorch, batches that
broadcast, and B's shape checked as PyTorch checks it (n columns; no vectors)."""

import numpy as np
import pytest

import autograd as ag


@pytest.mark.parametrize("shapes", [((3, 3), (4, 3)), ((2, 3, 3), (2, 5, 3)),
                                    ((3, 3), (2, 4, 3))])
def test_solve_left_false_matches_torch(torch, shapes) -> None:
    rng = np.random.default_rng(0)
    a = rng.standard_normal(shapes[0]) + 3 * np.eye(3)
    b = rng.standard_normal(shapes[1])
    A, B = ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)
    At, Bt = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    got, want = ag.linalg.solve(A, B, left=False), torch.linalg.solve(At, Bt, left=False)
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-10,
                               atol=1e-12)
    upstream = rng.standard_normal(tuple(want.shape))
    (got * ag.tensor(upstream)).sum().backward()
    (want * torch.tensor(upstream)).sum().backward()
    for ours, theirs in ((A, At), (B, Bt)):
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-9,
                                   atol=1e-12)


def test_solve_left_false_needs_n_columns() -> None:
    with pytest.raises(ag.ShapeError, match=r"X A = B.*3 columns"):
        ag.linalg.solve(ag.eye(3), ag.ones(3), left=False)
    with pytest.raises(ag.ShapeError, match=r"X A = B.*3 columns"):
        ag.linalg.solve(ag.eye(3), ag.ones(3, 2), left=False)
