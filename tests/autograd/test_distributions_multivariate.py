"""``MultivariateNormal`` against ``torch.distributions.MultivariateNormal`` (float64): its
three parametrisations, batches broadcast between ``loc`` and the matrix, values and
gradients of ``log_prob``, ``entropy``, the moments and matrices, ``rsample`` from the same
noise, ``expand``, and the errors of wrong arguments. (RealNVP's base
``MultivariateNormal(torch.zeros(2), torch.eye(2))`` had no counterpart here.)"""

from __future__ import annotations

import numpy as np
import pytest
from test_distributions_torch import check

import autograd as ag
from autograd.errors import ShapeError, UsageError

RNG = np.random.default_rng(5)
LOC = RNG.standard_normal((2, 3))
A = RNG.standard_normal((3, 3))
TRIL = np.tril(RNG.standard_normal((3, 3)), -1) + np.diag(RNG.uniform(0.5, 1.5, 3))
VALUES = RNG.standard_normal((4, 2, 3))


def mvn(T, D, loc, a, how: str):
    """MultivariateNormal from a parameter: a covariance A A^T + I, its inverse as the
    precision, or a lower triangle with a positive diagonal."""
    eye = T.eye(3)
    if how == "covariance_matrix":
        return D.MultivariateNormal(loc, covariance_matrix=a @ a.T + eye)
    if how == "precision_matrix":
        return D.MultivariateNormal(loc, precision_matrix=a @ a.T + eye)
    return D.MultivariateNormal(loc, scale_tril=a.tril(-1) + a.diagonal().exp().diag())


HOW = ["covariance_matrix", "precision_matrix", "scale_tril"]
CASES = {
    "log_prob": lambda T, D, d: d.log_prob(T.tensor(VALUES)),
    "entropy": lambda T, D, d: d.entropy(),
    "mean": lambda T, D, d: d.mean * 1,
    "variance": lambda T, D, d: d.variance,
    "stddev": lambda T, D, d: d.stddev,
    "covariance_matrix": lambda T, D, d: d.covariance_matrix * 1,
    "precision_matrix": lambda T, D, d: d.precision_matrix * 1,
    "scale_tril": lambda T, D, d: d.scale_tril * 1,
    "expand": lambda T, D, d: d.expand((4, 2)).log_prob(T.tensor(VALUES)),
}


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("name", CASES)
def test_multivariate_normal(torch, name: str, how: str) -> None:
    check(torch, lambda T, D, loc, a: CASES[name](T, D, mvn(T, D, loc, a, how)),
          dict(loc=LOC, a=A), rtol=1e-9)


def test_batched_matrix_with_one_loc(torch) -> None:
    """A batch of scale_tril and one loc: batch_shape is the matrices'."""
    def fn(T, D, loc, a):
        d = D.MultivariateNormal(loc, scale_tril=a.tril(-1) + T.eye(3) * a.exp())
        assert tuple(d.batch_shape) == (2,) and tuple(d.event_shape) == (3,)
        return d.log_prob(T.tensor(VALUES)) + d.entropy()
    check(torch, fn, dict(loc=LOC[0], a=RNG.standard_normal((2, 3, 3))))


def test_standard_base_of_a_flow(torch) -> None:
    """RealNVP's prior: zeros and the identity, log_prob of a (batch, 2) array and a draw
    of shape (n, 1, 2)."""
    z = RNG.standard_normal((5, 2))
    theirs = torch.distributions.MultivariateNormal(torch.zeros(2), torch.eye(2))
    ours = ag.distributions.MultivariateNormal(ag.zeros(2), ag.eye(2))
    np.testing.assert_allclose(ours.log_prob(ag.tensor(z)).data,
                               theirs.log_prob(torch.tensor(z)).numpy(), rtol=1e-12)
    assert ours.sample((7, 1)).shape == tuple(theirs.sample((7, 1)).shape) == (7, 1, 2)
    assert not ours.sample((3,)).requires_grad


def test_rsample_replays_pytorch_noise_with_its_gradients(torch) -> None:
    torch.manual_seed(0)
    tl, ta = torch.tensor(LOC, requires_grad=True), torch.tensor(A, requires_grad=True)
    d = mvn(torch, torch.distributions, tl, ta, "covariance_matrix")
    drawn = d.rsample((5,))
    eps = torch.linalg.solve_triangular(d.scale_tril, (drawn - tl).unsqueeze(-1),
                                        upper=False).squeeze(-1).detach().numpy()

    class Replay(ag.Generator):
        def standard_normal(self, shape):
            return eps.reshape(shape)
    al, aa = ag.tensor(LOC, requires_grad=True), ag.tensor(A, requires_grad=True)
    ours = mvn(ag, ag.distributions, al, aa, "covariance_matrix").rsample((5,),
                                                                         generator=Replay())
    np.testing.assert_allclose(ours.data, drawn.detach().numpy(), rtol=1e-10, atol=1e-12)
    w = np.random.default_rng(2).standard_normal(drawn.shape)
    (drawn * torch.tensor(w)).sum().backward()
    (ours * ag.tensor(w)).sum().backward()
    for a, t in ((al, tl), (aa, ta)):
        np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_errors() -> None:
    D = ag.distributions
    with pytest.raises(UsageError, match="exactly one of"):
        D.MultivariateNormal(ag.zeros(2))
    with pytest.raises(UsageError, match="exactly one of"):
        D.MultivariateNormal(ag.zeros(2), ag.eye(2), scale_tril=ag.eye(2))
    with pytest.raises(ShapeError, match="at least one-dimensional"):
        D.MultivariateNormal(ag.tensor(0.0), ag.eye(1))
    with pytest.raises(ShapeError, match="do not match"):
        D.MultivariateNormal(ag.zeros(3), ag.eye(2))
    with pytest.raises(UsageError, match="positive_definite|PositiveDefinite"):
        D.MultivariateNormal(ag.zeros(2), ag.tensor([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(UsageError, match="LowerCholesky"):
        D.MultivariateNormal(ag.zeros(2), scale_tril=ag.tensor([[1.0, 1.0], [0.0, 1.0]]))
    with pytest.raises(ShapeError, match="does not broadcast"):
        D.MultivariateNormal(ag.zeros(2), ag.eye(2)).log_prob(ag.zeros(3))


@pytest.mark.parametrize("how", HOW)
def test_kl_divergence(torch, how: str) -> None:
    """KL(p || q) of two MultivariateNormals (p batched, q one), and of the standard prior
    (the variational posterior's KL of Bayesian linear regression)."""
    def fn(T, D, loc, a):
        p = mvn(T, D, loc, a, how)
        q = D.MultivariateNormal(loc[0] * 0.5, scale_tril=(a * 0.3).tril(-1) + T.eye(3) * 2)
        prior = D.MultivariateNormal(T.zeros(3), T.eye(3))
        return D.kl_divergence(p, q) + D.kl_divergence(p, prior) * 2
    check(torch, fn, dict(loc=LOC, a=A), rtol=1e-9)
