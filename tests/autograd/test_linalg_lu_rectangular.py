"""The gradient of ``linalg.lu_factor`` / ``linalg.lu`` / ``lu_unpack`` for rectangular
(wide and tall) matrices, which PyTorch differentiates: against PyTorch for a random
upstream gradient, batched too, and against central finite differences."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(0)
SHAPES = [(3, 5), (5, 3), (2, 4, 6), (2, 6, 4), (1, 2), (2, 1)]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_lu_factor_gradient_of_rectangular_matrices_matches_torch(torch, shape) -> None:
    a = RNG.standard_normal(shape)
    A, A_t = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    LU, pivots = ag.linalg.lu_factor(A)
    LU_t, pivots_t = torch.linalg.lu_factor(A_t)
    np.testing.assert_allclose(LU.detach().numpy(), LU_t.detach().numpy(), atol=1e-12)
    np.testing.assert_array_equal(pivots.numpy(), pivots_t.numpy())
    g = RNG.standard_normal(LU.shape)
    LU.backward(ag.tensor(g))
    LU_t.backward(torch.tensor(g))
    np.testing.assert_allclose(A.grad.numpy(), A_t.grad.numpy(), rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_lu_gradient_of_rectangular_matrices_matches_torch(torch, shape) -> None:
    a = RNG.standard_normal(shape)
    A, A_t = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    _, L, U = ag.linalg.lu(A)
    _, L_t, U_t = torch.linalg.lu(A_t)
    gL, gU = RNG.standard_normal(L.shape), RNG.standard_normal(U.shape)
    ((L * ag.tensor(gL)).sum() + (U * ag.tensor(gU)).sum()).backward()
    ((L_t * torch.tensor(gL)).sum() + (U_t * torch.tensor(gU)).sum()).backward()
    np.testing.assert_allclose(A.grad.numpy(), A_t.grad.numpy(), rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("shape", [(3, 5), (5, 3)], ids=str)
def test_lu_rectangular_gradient_against_finite_differences(shape) -> None:
    a = ag.tensor(RNG.standard_normal(shape), requires_grad=True)
    assert ag.gradcheck(lambda x: ag.linalg.lu_factor(x).LU, (a,))
    assert ag.gradgradcheck(lambda x: ag.linalg.lu_factor(x).LU, (a,))
