"""PyTorch's ``torch.pinverse(A, rcond=1e-15)`` and ``A.pinverse()`` (pykan's
``curve2coef`` fits spline coefficients with ``(XtX + lamb I).pinverse() @ Xty``): the
pseudo-inverse with singular values <= rcond * the largest dropped, ``linalg.pinv(A,
rtol=rcond)``; values and gradients against PyTorch, batches too."""

import numpy as np
import pytest

import autograd as ag


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5), (3, 3)])
@pytest.mark.parametrize("spelling", ["function", "method"])
def test_pinverse_matches_torch(torch, shape: tuple, spelling: str) -> None:
    a = np.random.default_rng(0).standard_normal(shape)
    A, At = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    got = ag.pinverse(A) if spelling == "function" else A.pinverse()
    want = torch.pinverse(At) if spelling == "function" else At.pinverse()
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-10,
                               atol=1e-12)
    upstream = np.random.default_rng(1).standard_normal(tuple(want.shape))
    (got * ag.tensor(upstream)).sum().backward()
    (want * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(A.grad.numpy(), At.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_rcond_drops_small_singular_values_as_torch(torch) -> None:
    a = np.diag([1.0, 1e-3, 1e-9])
    for rcond in (1e-15, 1e-6, 1e-2):
        np.testing.assert_allclose(ag.pinverse(a, rcond=rcond).numpy(),
                                   torch.pinverse(torch.tensor(a), rcond=rcond).numpy())
        np.testing.assert_allclose(ag.tensor(a).pinverse(rcond).numpy(),
                                   torch.tensor(a).pinverse(rcond).numpy())
