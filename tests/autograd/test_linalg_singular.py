"""``autograd.linalg`` on matrices PyTorch answers with inf or NaN rather than an error:
``cond`` of singular and empty matrices, for every order p, against torch.linalg.cond."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")
L = ag.linalg
ORDERS = [None, 2, -2, "fro", "nuc", 1, -1, np.inf, -np.inf]
SINGULAR = {
    "rank one": np.array([[1.0, 2.0], [2.0, 4.0]]),
    "zeros": np.zeros((2, 2)),
    "batch with one singular": np.stack([np.array([[1.0, 2.0], [2.0, 4.0]]), np.eye(2)]),
    "float32 batch": np.stack([np.zeros((2, 2)), np.diag([2.0, 0.5])]).astype(np.float32),
    "empty": np.zeros((0, 0)),
    "batch of empty": np.zeros((2, 0, 0)),
    "empty batch": np.zeros((0, 2, 2)),
}


@pytest.mark.parametrize("p", ORDERS, ids=str)
@pytest.mark.parametrize("name", list(SINGULAR))
def test_cond_of_singular_and_empty_matrices_is_torchs(name: str, p: object) -> None:
    a = SINGULAR[name]
    with np.errstate(all="ignore"):
        ours = L.cond(a, p)
    expected = torch.linalg.cond(torch.tensor(a), p).numpy()
    assert ours.shape == expected.shape and ours.dtype == expected.dtype
    np.testing.assert_allclose(ours.data, expected, rtol=1e-6, equal_nan=True)


@pytest.mark.parametrize("p", ["fro", 1, -1, np.inf, -np.inf], ids=str)
def test_cond_gradient_of_a_batch_with_a_singular_matrix(p: object) -> None:
    """The singular matrix's inf is a constant (no gradient); the invertible one's
    gradient is that of matrix_norm(A, p) * matrix_norm(inv(A), p), as in PyTorch."""
    invertible = np.array([[2.0, 1.0], [0.5, 3.0]])
    x = ag.Tensor(np.stack([np.zeros((2, 2)), invertible]), requires_grad=True)
    L.cond(x, p).sum().backward()
    t = torch.tensor(invertible, requires_grad=True)
    (torch.linalg.matrix_norm(t, p) * torch.linalg.matrix_norm(torch.linalg.inv(t), p)).backward()
    np.testing.assert_array_equal(x.grad[0], np.zeros((2, 2)))
    np.testing.assert_allclose(x.grad[1], t.grad.numpy(), rtol=1e-12)
