"""``LowRankMultivariateNormal(loc, cov_factor, cov_diag)``, the Gaussian with covariance
W W^T + diag(D) (it was ``MissingNameError``), and its KL against itself and against
``MultivariateNormal`` both ways (PyTorch's registered pairs). Values and gradients
against PyTorch's, computed in the test; draws replayed from the generator; gradients of
log_prob, rsample and the KL by finite differences."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from test_distributions_torch import check

RNG = np.random.default_rng(31)
N, R = 4, 2
PARAMS = dict(loc=RNG.standard_normal((2, N)), W=RNG.standard_normal((3, 1, N, R)),
              diag=RNG.uniform(0.5, 2.0, N), loc2=RNG.standard_normal(N),
              W2=RNG.standard_normal((N, R + 1)), diag2=RNG.uniform(0.5, 2.0, (2, N)))
VALUES = RNG.standard_normal((5, 3, 2, N))


def lowrank(D, loc, W, diag, **_):
    return D.LowRankMultivariateNormal(loc, W, diag)


def other(D, loc2, W2, diag2, **_):
    return D.LowRankMultivariateNormal(loc2, W2, diag2)


def full(T, D, loc2, W2, **_):
    """A MultivariateNormal whose covariance W2 W2^T + I is positive definite."""
    return D.MultivariateNormal(loc2, covariance_matrix=W2 @ W2.transpose(-1, -2)
                                + T.eye(N, dtype=T.float64))


CASES = {
    "log_prob": lambda T, D, **p: lowrank(D, **p).log_prob(
        T.tensor(VALUES)),
    "entropy": lambda T, D, **p: lowrank(D, **p).entropy(),
    "mean": lambda T, D, **p: lowrank(D, **p).mean * 1,
    "variance": lambda T, D, **p: lowrank(D, **p).variance,
    "covariance_matrix": lambda T, D, **p: lowrank(D, **p).covariance_matrix,
    "scale_tril": lambda T, D, **p: lowrank(D, **p).scale_tril,
    "precision_matrix": lambda T, D, **p: lowrank(D, **p).precision_matrix,
    "expand": lambda T, D, **p: lowrank(D, **p).expand(
        (5, 3, 2)).log_prob(T.tensor(VALUES)),
    "kl_lowrank_lowrank": lambda T, D, **p: D.kl_divergence(
        lowrank(D, **p), other(D, **p)),
    "kl_lowrank_mvn": lambda T, D, **p: D.kl_divergence(
        lowrank(D, **p), full(T, D, **p)),
    "kl_mvn_lowrank": lambda T, D, **p: D.kl_divergence(
        full(T, D, **p), lowrank(D, **p)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_lowrank_mvn_matches_pytorch(torch, case: str) -> None:
    check(torch, CASES[case], PARAMS, rtol=1e-9)


def test_shapes_and_support_as_pytorch(torch) -> None:
    for lib in (ag, torch):
        d = lib.distributions.LowRankMultivariateNormal(
            lib.tensor(PARAMS["loc"]), lib.tensor(PARAMS["W"]), lib.tensor(PARAMS["diag"]))
        assert tuple(d.batch_shape) == (3, 2) and tuple(d.event_shape) == (N,)
        assert tuple(d.rsample((5,)).shape) == (5, 3, 2, N) and d.has_rsample
        assert tuple(d.cov_factor.shape) == (3, 2, N, R)
        assert tuple(d.cov_diag.shape) == (3, 2, N)
        assert d.support is lib.distributions.constraints.real_vector
    with pytest.raises(ag.ShapeError, match=r"cov_factor .*\(\.\.\., 4, rank\)"):
        ag.distributions.LowRankMultivariateNormal(ag.zeros(4), ag.ones((3, 2)), ag.ones(4))
    with pytest.raises(ag.UsageError, match="cov_diag"):
        ag.distributions.LowRankMultivariateNormal(ag.zeros(4), ag.ones((4, 2)), -ag.ones(4))


def test_rsample_is_loc_plus_factor_noise_plus_diagonal_noise() -> None:
    """loc + W eps_r + sqrt(D) eps_n, eps_r then eps_n drawn from the generator (as
    PyTorch orders them), and the draws' covariance is W W^T + diag(D)."""
    loc = ag.tensor(PARAMS["loc"], requires_grad=True)
    W = ag.tensor(PARAMS["W"][0, 0], requires_grad=True)
    D = ag.tensor(PARAMS["diag"], requires_grad=True)
    dist = ag.distributions.LowRankMultivariateNormal(loc, W, D)
    x = dist.rsample((3,), generator=np.random.default_rng(2))
    rng = np.random.default_rng(2)
    eps_r, eps_n = rng.standard_normal((3, 2, R)), rng.standard_normal((3, 2, N))
    expected = PARAMS["loc"] + eps_r @ PARAMS["W"][0, 0].T + np.sqrt(PARAMS["diag"]) * eps_n
    np.testing.assert_allclose(x.detach().numpy(), expected, rtol=1e-12)
    many = dist.sample((20000,), generator=np.random.default_rng(3)).numpy()[:, 0]
    np.testing.assert_allclose(np.cov(many.T), dist.covariance_matrix.detach().numpy()[0],
                               atol=0.15)

    def draw(loc, W, D):
        return ag.distributions.LowRankMultivariateNormal(loc, W, D).rsample(
            (3,), generator=np.random.default_rng(2))
    assert ag.gradcheck(draw, [loc, W, D])


def test_log_prob_and_kl_gradients_by_finite_differences() -> None:
    leaves = [ag.tensor(PARAMS[k], requires_grad=True) for k in ("loc", "W", "diag", "W2")]

    def log_prob_and_kl(loc, W, D, W2):
        p = ag.distributions.LowRankMultivariateNormal(loc, W, D)
        q = ag.distributions.LowRankMultivariateNormal(loc * 0.5, W2, D * 2)
        return p.log_prob(ag.tensor(VALUES)).sum() + ag.distributions.kl_divergence(p, q)
    assert ag.gradcheck(log_prob_and_kl, leaves)
