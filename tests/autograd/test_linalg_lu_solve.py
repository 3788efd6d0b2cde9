"""``autograd.linalg.lu_solve`` against ``torch.linalg.lu_solve``: an implicit layer's
Newton step factors J once (``lu_factor``) and solves with it forward, and with its
transpose in the backward hook (``adjoint=True``). Values and gradients (to LU and B) for
left/right and plain/adjoint systems, batches that broadcast; the errors; the gradient
also against central differences."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

CASES = [((3, 3), (3, 2)), ((2, 3, 3), (2, 3, 1)), ((3, 3), (4, 3, 2)), ((2, 1, 4, 4), (3, 4, 2))]


def system(shape_a: tuple, shape_b: tuple, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = shape_a[-1]
    return rng.standard_normal(shape_a) + 3 * np.eye(n), rng.standard_normal(shape_b)


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [False, True])
@pytest.mark.parametrize("shapes", CASES)
def test_lu_solve_matches_torch(torch, shapes, left: bool, adjoint: bool) -> None:
    a, b = system(*shapes)
    if not left:
        b = b.swapaxes(-1, -2)  # X A = B: B has A's size columns
    LU, pivots = ag.linalg.lu_factor(ag.tensor(a))
    LUt, pivots_t = torch.linalg.lu_factor(torch.tensor(a))
    LU, LUt = LU.detach().requires_grad_(), LUt.detach().requires_grad_()
    B, Bt = ag.tensor(b, requires_grad=True), torch.tensor(b, requires_grad=True)
    got = ag.linalg.lu_solve(LU, pivots, B, left=left, adjoint=adjoint)
    want = torch.linalg.lu_solve(LUt, pivots_t, Bt, left=left, adjoint=adjoint)
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-10,
                               atol=1e-12)
    upstream = np.random.default_rng(1).standard_normal(tuple(want.shape))
    (got * ag.tensor(upstream)).sum().backward()
    (want * torch.tensor(upstream)).sum().backward()
    for ours, theirs in ((LU, LUt), (B, Bt)):
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-9,
                                   atol=1e-12)


def test_newton_step_with_one_factorisation_against_solve() -> None:
    a, b = system((2, 3, 3), (2, 3, 1), seed=2)
    LU, pivots = ag.linalg.lu_factor(ag.tensor(a))
    np.testing.assert_allclose(ag.linalg.lu_solve(LU, pivots, ag.tensor(b)).numpy(),
                               np.linalg.solve(a, b), rtol=1e-12)
    np.testing.assert_allclose(
        ag.linalg.lu_solve(LU, pivots, ag.tensor(b), adjoint=True).numpy(),
        np.linalg.solve(a.swapaxes(-1, -2), b), rtol=1e-12)


def test_lu_solve_gradient_against_finite_differences() -> None:
    a, b = system((2, 3, 3), (2, 3, 2), seed=3)
    LU, pivots = ag.linalg.lu_factor(ag.tensor(a))
    for left, adjoint in ((True, False), (False, True)):
        rhs = b if left else b.swapaxes(-1, -2)
        ag.gradcheck(lambda lu, rh: ag.linalg.lu_solve(lu, pivots, rh, left=left,
                                                       adjoint=adjoint),
                     [ag.tensor(LU.numpy(), requires_grad=True),
                      ag.tensor(rhs, requires_grad=True)])


def test_lu_solve_errors_say_what_to_do() -> None:
    LU, pivots = ag.linalg.lu_factor(ag.tensor(np.eye(3) * 2))
    with pytest.raises(ag.ShapeError, match=r"lu_solve.*at least 2 axes.*b\[\.\.\., None\]"):
        ag.linalg.lu_solve(LU, pivots, ag.ones(3))
    with pytest.raises(ag.ShapeError, match="lu_solve.*rows"):
        ag.linalg.lu_solve(LU, pivots, ag.ones(4, 2))
    with pytest.raises(ag.ShapeError, match="lu_solve.*square"):
        ag.linalg.lu_solve(ag.ones(3, 2), pivots[:2], ag.ones(3, 2))
