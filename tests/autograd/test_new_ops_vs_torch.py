"""The new ops against PyTorch where both define them (skipped without torch): values
and gradients, including the cases where conventions matter (zeros in prod and cumprod,
the 2-norm at 0, zero-gradient rounding)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")

X = np.array([[0.3, -1.2, 0.0], [2.0, 0.0, -0.7]])  # zeros on purpose
SMOOTH_X = np.array([[0.3, -0.8, 0.5], [0.9, 0.1, -0.7]])
CASES = [  # (ours, theirs, input)
    (lambda t: t.sin(), lambda t: t.sin(), SMOOTH_X),
    (lambda t: t.arctan2(t * 0.5 + 1.0), lambda t: torch.atan2(t, t * 0.5 + 1.0), SMOOTH_X),
    (lambda t: t.arcsin(), lambda t: t.asin(), SMOOTH_X),
    (lambda t: t.log1p(), lambda t: t.log1p(), SMOOTH_X),
    (lambda t: t.erf(), lambda t: t.erf(), SMOOTH_X),
    (lambda t: t.softplus(), lambda t: torch.nn.functional.softplus(t), SMOOTH_X),
    (lambda t: t.round(), lambda t: t.round(), SMOOTH_X),
    (lambda t: t.sign(), lambda t: t.sign(), SMOOTH_X),
    # remainder with both signs: d/da = 1, d/db = -floor(a / b); floor division: 0
    (lambda t: (t * 7.0) % (t[::-1] * 3.0 + 0.05), lambda t: (t * 7.0) % (t.flip(0) * 3.0 + 0.05),
     SMOOTH_X),
    (lambda t: (t * 7.0) // (t[::-1] * 3.0 + 0.05) + t,
     lambda t: torch.floor((t * 7.0) / (t.flip(0) * 3.0 + 0.05)) + t, SMOOTH_X),
    (lambda t: 2.5 % t + t % 0.4,  # PyTorch's 2.5 % t has no derivative: a 0-d tensor does
     lambda t: torch.remainder(torch.tensor(2.5, dtype=t.dtype), t) + t % 0.4, SMOOTH_X),
    (lambda t: t.prod(), lambda t: t.prod(), X),
    (lambda t: t.prod(dim=1), lambda t: t.prod(dim=1), X),
    (lambda t: t.cumprod(dim=1), lambda t: t.cumprod(dim=1), X),
    (lambda t: t.cumsum(dim=0), lambda t: t.cumsum(dim=0), X),
    (lambda t: (t * 0.0).norm(), lambda t: torch.linalg.vector_norm(t * 0.0), X),
    (lambda t: t.norm(1, dim=1), lambda t: torch.linalg.vector_norm(t, 1, dim=1), SMOOTH_X),
    (lambda t: t.norm(np.inf, dim=0),
     lambda t: torch.linalg.vector_norm(t, float("inf"), dim=0), SMOOTH_X),
    (lambda t: t.sort(dim=1).values, lambda t: t.sort(dim=1).values, SMOOTH_X),
    (lambda t: t.flip(dim=1), lambda t: t.flip(1), X),
    (lambda t: t.roll(1, dim=1), lambda t: t.roll(1, 1), X),
    (lambda t: t.tile((2, 1)), lambda t: t.repeat(2, 1), X),
    (lambda t: t.tril(), lambda t: t.tril(), X),
    (lambda t: t.diagonal(), lambda t: t.diagonal(), X),
    (lambda t: ag.einsum("ij,kj->ik", t, t), lambda t: torch.einsum("ij,kj->ik", t, t), X),
    (lambda t: ag.einsum("ii->i", t[:, :2]), lambda t: torch.einsum("ii->i", t[:, :2]), X),
    (lambda t: ag.einsum("...j,kj", t, t), lambda t: torch.einsum("...j,kj", t, t), X),
    (lambda t: (t @ t.T + ag.eye(2)).det(), lambda t: torch.linalg.det(t @ t.T + torch.eye(
        2, dtype=t.dtype)), X),
    (lambda t: ag.cholesky(t @ t.T + ag.eye(2)),
     lambda t: torch.linalg.cholesky(t @ t.T + torch.eye(2, dtype=t.dtype)), X),
]


@pytest.mark.parametrize("ours, theirs, x", CASES)
def test_values_and_gradients_match_torch(ours, theirs, x) -> None:
    a = ag.Tensor(x.copy(), requires_grad=True)
    t = torch.tensor(x, requires_grad=True)
    out_a, out_t = ours(a), theirs(t)
    np.testing.assert_allclose(out_a.data, out_t.detach().numpy(), rtol=1e-12, atol=1e-14)
    upstream = np.random.default_rng(0).standard_normal(out_a.shape)
    out_a.backward(upstream)
    out_t.backward(torch.tensor(upstream))
    np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=1e-10, atol=1e-12)
