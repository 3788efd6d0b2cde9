"""``ContinuousBernoulli(probs= | logits=)``, the Bernoulli likelihood normalised on
[0, 1] (it was ``MissingNameError``), and PyTorch's KL pairs with it. Values and gradients
against PyTorch's, computed in the test, including probabilities inside the Taylor region
around 1/2; draws replayed through the inverse cdf; gradients by finite differences."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from test_distributions_torch import check

RNG = np.random.default_rng(41)
PROBS = np.array([[0.02, 0.3, 0.4995, 0.5], [0.5004, 0.51, 0.8, 0.97]])  # 2 x 4
# logits whose probabilities stay off 1/2 +- 0.01, where the closed forms cancel (their
# gradients there are good to ~1e-6 only, PyTorch's as ours)
PARAMS = dict(p=PROBS, z=np.array([-2.5, 0.6, -0.3, 1.0]), c=RNG.uniform(0.5, 3.0, 4),
              m=RNG.standard_normal(4), s=RNG.uniform(0.5, 2.0, 4))
VALUES = RNG.uniform(0.01, 0.99, (3, 2, 4))

CASES = {
    "log_prob": lambda T, D, p, z, c, m, s: D.ContinuousBernoulli(p).log_prob(
        T.tensor(VALUES)),
    "log_prob_logits": lambda T, D, p, z, c, m, s: D.ContinuousBernoulli(
        logits=z).log_prob(T.tensor(VALUES)),
    "cdf": lambda T, D, p, z, c, m, s: D.ContinuousBernoulli(p).cdf(T.tensor(VALUES)),
    "icdf": lambda T, D, p, z, c, m, s: D.ContinuousBernoulli(p).icdf(T.tensor(VALUES)),
    "entropy": lambda T, D, p, z, c, m, s: D.ContinuousBernoulli(p).entropy(),
    "mean": lambda T, D, p, z, c, m, s: D.ContinuousBernoulli(p).mean,
    "variance": lambda T, D, p, z, c, m, s: D.ContinuousBernoulli(p).variance,
    "stddev_logits": lambda T, D, p, z, c, m, s: D.ContinuousBernoulli(logits=z).stddev,
    "number": lambda T, D, p, z, c, m, s: D.ContinuousBernoulli(0.3).log_prob(
        T.tensor(VALUES)) * c,
    "expand": lambda T, D, p, z, c, m, s: D.ContinuousBernoulli(logits=z).expand(
        (2, 4)).log_prob(T.tensor(VALUES)),
    "kl_cb_cb": lambda T, D, p, z, c, m, s: D.kl_divergence(
        D.ContinuousBernoulli(p), D.ContinuousBernoulli(logits=z)),
    "kl_beta_cb": lambda T, D, p, z, c, m, s: D.kl_divergence(
        D.Beta(c, s), D.ContinuousBernoulli(p)),
    "kl_uniform_cb": lambda T, D, p, z, c, m, s: D.kl_divergence(
        D.Uniform(p * 0.4 + 0.01, p * 0.4 + 0.5), D.ContinuousBernoulli(logits=z)),
    "kl_cb_exponential": lambda T, D, p, z, c, m, s: D.kl_divergence(
        D.ContinuousBernoulli(p), D.Exponential(c)),
    "kl_cb_normal": lambda T, D, p, z, c, m, s: D.kl_divergence(
        D.ContinuousBernoulli(p), D.Normal(m, s)),
    "kl_cb_uniform": lambda T, D, p, z, c, m, s: D.kl_divergence(  # [0, 1] strictly inside
        D.ContinuousBernoulli(p), D.Uniform(-s, 1 + c)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_continuous_bernoulli_matches_pytorch(torch, case: str) -> None:
    check(torch, CASES[case], PARAMS, rtol=1e-9)


def test_shapes_support_and_infinite_kls_as_pytorch(torch) -> None:
    for lib in (ag, torch):
        D = lib.distributions
        cb = D.ContinuousBernoulli(lib.tensor(PROBS))
        assert tuple(cb.batch_shape) == (2, 4) and tuple(cb.event_shape) == ()
        assert tuple(cb.rsample((5,)).shape) == (5, 2, 4) and cb.has_rsample
        assert D.ContinuousBernoulli.support is D.constraints.unit_interval
        assert tuple(D.ContinuousBernoulli(0.3).batch_shape) == ()
        cb2 = D.ContinuousBernoulli(lib.tensor([0.2, 0.6]))
        for other in (D.Normal(lib.tensor([0.0, 1.0]), 1.0),
                      D.Exponential(lib.tensor([1.0, 2.0])),
                      D.Pareto(lib.tensor([1.0, 2.0]), 2.0)):  # real or unbounded to [0, 1]
            assert np.isinf(D.kl_divergence(other, cb2).numpy()).all()
        assert np.isinf(D.kl_divergence(cb2, D.Pareto(lib.tensor([0.5, 2.0]), 2.0)).numpy()).all()
    with pytest.raises(ag.UsageError, match="probs"):
        ag.distributions.ContinuousBernoulli(ag.tensor([0.5, 1.5]))  # checked before clamping
    with pytest.raises(ag.UsageError, match="either probs or logits"):
        ag.distributions.ContinuousBernoulli(0.3, logits=0.1)


def test_kl_to_a_uniform_on_the_unit_interval_is_finite() -> None:
    """KL(CB || Uniform(0, 1)) = -H(CB) and KL(Uniform(0.2, 0.9) || CB) is finite, the
    Monte Carlo mean of the log ratio; PyTorch's support tests (``ge``/``le``) say inf."""
    D = ag.distributions
    cb = D.ContinuousBernoulli(ag.tensor([0.1, 0.7]))
    np.testing.assert_allclose(D.kl_divergence(cb, D.Uniform(0.0, 1.0)).numpy(),
                               -cb.entropy().numpy(), rtol=1e-12)
    for p, q in ((cb, D.Uniform(0.0, 1.0)), (D.Uniform(0.2, ag.tensor([0.9, 1.0])), cb)):
        x = p.sample((20000,), generator=np.random.default_rng(1))
        ratio = (p.log_prob(x) - q.log_prob(x)).numpy()
        error = ratio.std(0) / np.sqrt(len(ratio))
        assert np.all(np.abs(D.kl_divergence(p, q).numpy() - ratio.mean(0)) < 5 * error)


def test_rsample_inverts_the_cdf_of_uniform_draws() -> None:
    """x = F^-1(u) with u the generator's uniform draws; F(x) = u; gradients of rsample,
    log_prob and a KL to probs by finite differences."""
    probs = ag.tensor([0.02, 0.3, 0.4995, 0.8, 0.97], requires_grad=True)
    cb = ag.distributions.ContinuousBernoulli(probs)
    x = cb.rsample((6,), generator=np.random.default_rng(3))
    u = np.random.default_rng(3).random((6, 5))
    np.testing.assert_allclose(cb.cdf(x).detach().numpy(), u, rtol=1e-9, atol=1e-12)
    leaf = ag.tensor([0.05, 0.3, 0.7, 0.93], requires_grad=True)

    def draws_log_prob_and_kl(probs):
        d = ag.distributions.ContinuousBernoulli(probs)
        q = ag.distributions.ContinuousBernoulli(logits=ag.tensor(0.4))
        return (d.rsample((6,), generator=np.random.default_rng(3)).sum(0)
                + d.log_prob(ag.tensor(VALUES[0, 0])) + ag.distributions.kl_divergence(d, q))
    assert ag.gradcheck(draws_log_prob_and_kl, [leaf])
