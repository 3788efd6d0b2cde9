"""``autograd.lobpcg`` against ``torch.lobpcg``: the k largest or smallest eigenpairs,
standard and generalized, their gradient in A, and PyTorch's size rule."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import UsageError


def spd(n, seed):
    a = np.random.default_rng(seed).standard_normal((n, n))
    return a @ a.T + n * np.eye(n) * (seed % 2)


@pytest.mark.parametrize("largest", [True, False, None])
def test_eigenpairs_and_gradient_as_torch(torch, largest):
    A = spd(12, 0)
    x, tx = ag.tensor(A, requires_grad=True), torch.tensor(A, requires_grad=True)
    E, X = ag.lobpcg(x, k=2, largest=largest)
    tE, tX = torch.lobpcg(tx, k=2, largest=largest, tol=1e-12, niter=200)
    np.testing.assert_allclose(E.data, tE.detach().numpy(), rtol=1e-8)
    np.testing.assert_allclose(np.abs(X.data), np.abs(tX.detach().numpy()), atol=1e-6)
    E.sum().backward()
    tE.sum().backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), atol=1e-8)


def test_generalized_problem_as_torch(torch):
    A, B = spd(12, 2), spd(12, 3)
    X0 = np.random.default_rng(4).standard_normal((12, 2))
    E, X = ag.lobpcg(A, B=B, X=X0)
    tE, tX = torch.lobpcg(torch.tensor(A), B=torch.tensor(B), X=torch.tensor(X0),
                          tol=1e-12, niter=200)
    np.testing.assert_allclose(E.data, tE.numpy(), rtol=1e-8)
    np.testing.assert_allclose(X.data.T @ B @ X.data, np.eye(2), atol=1e-10)
    np.testing.assert_allclose(A @ X.data, B @ X.data * E.data, atol=1e-8)


def test_pytorchs_size_rule_and_iteration_options():
    with pytest.raises(UsageError, match="at least 3 k rows"):
        ag.lobpcg(ag.eye(5), k=2)
    with pytest.raises(UsageError, match="tracker"):
        ag.lobpcg(ag.eye(6), k=1, tracker=print)
