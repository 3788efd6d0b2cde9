"""``autograd.linalg.householder_product`` (LAPACK's orgqr, PyTorch's orthogonal
parametrization's Householder map): values and gradients against PyTorch, errors."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import ShapeError


@pytest.mark.parametrize("shape,k", [((5, 3), 3), ((5, 3), 2), ((4, 4), 4), ((2, 4, 3), 1)])
def test_values_and_gradients_as_torch(torch, shape, k):
    rng = np.random.default_rng(0)
    a, t = rng.standard_normal(shape), rng.standard_normal(shape[:-2] + (k,))
    g = rng.standard_normal(shape)
    x, tau = ag.tensor(a, requires_grad=True), ag.tensor(t, requires_grad=True)
    tx, ttau = torch.tensor(a, requires_grad=True), torch.tensor(t, requires_grad=True)
    Q = ag.linalg.householder_product(x, tau)
    tQ = torch.linalg.householder_product(tx, ttau)
    np.testing.assert_allclose(Q.data, tQ.detach().numpy(), atol=1e-13)
    (Q * ag.tensor(g)).sum().backward()
    (tQ * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(tau.grad.data, ttau.grad.numpy(), atol=1e-12)


def test_of_numpys_raw_qr_is_q_and_differentiates_twice():
    a = np.random.default_rng(1).standard_normal((5, 3))
    h, tau = np.linalg.qr(a, mode="raw")  # geqrf's output, transposed
    Q = ag.linalg.householder_product(h.T, tau)
    np.testing.assert_allclose(np.abs(Q.data), np.abs(np.linalg.qr(a)[0]), atol=1e-13)
    ag.gradgradcheck(lambda x, t: ag.linalg.householder_product(x, t),
                     (ag.tensor(h.T, requires_grad=True), ag.tensor(tau, requires_grad=True)))


def test_shape_errors():
    with pytest.raises(ShapeError, match="m >= n"):
        ag.linalg.householder_product(ag.zeros(2, 3), ag.zeros(2))
    with pytest.raises(ShapeError, match="k <= n = 2"):
        ag.linalg.householder_product(ag.zeros(4, 2), ag.zeros(3))
