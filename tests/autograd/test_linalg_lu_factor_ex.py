"""``linalg.lu_factor_ex(A, pivot=True, check_errors=False)``: ``lu_factor``'s factors and
an int32 ``info`` per matrix (0, or the 1-based position of the first zero pivot), as
``torch.linalg.lu_factor_ex``; the LU differentiable as ``lu_factor``'s."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import SingularMatrixError

MATRICES = [
    ("invertible", np.random.default_rng(0).standard_normal((4, 4))),
    ("a batch with a zero matrix", np.stack([np.eye(3) * 2, np.zeros((3, 3))])),
    ("rank one", np.array([[1.0, 2.0], [2.0, 4.0]])),
]


@pytest.mark.parametrize("name, a", MATRICES, ids=[m[0] for m in MATRICES])
def test_lu_factor_ex_matches_torch(torch, name, a) -> None:
    ours, theirs = ag.linalg.lu_factor_ex(ag.tensor(a)), torch.linalg.lu_factor_ex(
        torch.tensor(a))
    assert ours._fields == ("LU", "pivots", "info")
    for got, want in zip(ours, theirs):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12, atol=1e-14)
        assert got.dtype == want.numpy().dtype and got.shape == tuple(want.shape)


def test_lu_factor_ex_gradient_as_lu_factor(torch) -> None:
    a = np.random.default_rng(1).standard_normal((3, 3))
    weights = np.random.default_rng(2).standard_normal((3, 3))
    grads = []
    for lib in (ag, torch):
        x = lib.tensor(a, requires_grad=True)
        (lib.linalg.lu_factor_ex(x).LU * lib.tensor(weights)).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(*grads, rtol=1e-10)


def test_check_errors_raises_for_a_singular_matrix() -> None:
    with pytest.raises(SingularMatrixError, match="lu_factor_ex"):
        ag.linalg.lu_factor_ex(ag.zeros(2, 2), check_errors=True)
