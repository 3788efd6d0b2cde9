"""``InverseGamma(concentration, rate)`` and ``GeneralizedPareto(loc, scale,
concentration)`` (both were ``MissingNameError``): values and gradients against PyTorch's,
computed in the test (including the Generalized Pareto's exponential case xi = 0 and a
bounded xi < 0), draws through the inverse cdf, gradients by finite differences."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from test_distributions_torch import check

RNG = np.random.default_rng(47)
IG_PARAMS = dict(a=RNG.uniform(0.5, 4.0, (3, 1)), b=RNG.uniform(0.5, 2.0, 4))
IG_VALUES = RNG.uniform(0.1, 3.0, (2, 3, 4))
# xi: bounded (< 0), exponential (0) and heavy-tailed (> 0, one without a variance)
GPD_PARAMS = dict(mu=RNG.standard_normal(4), s=RNG.uniform(0.5, 2.0, 4),
                  xi=np.array([-0.3, 0.0, 0.2, 0.7]))
GPD_Z = RNG.uniform(0.05, 0.95, (3, 4))  # inside the support of each as a quantile
QUANTILES = RNG.uniform(0.05, 0.95, (3, 4))


def gpd_values() -> np.ndarray:
    """Points inside each law's support: the quantiles GPD_Z, computed in NumPy."""
    mu, s, xi = GPD_PARAMS["mu"], GPD_PARAMS["s"], GPD_PARAMS["xi"]
    safe = np.where(xi == 0, 1.0, xi)
    return np.where(xi == 0, mu - s * np.log1p(-GPD_Z),
                    mu + s / safe * np.expm1(-safe * np.log1p(-GPD_Z)))


IG_CASES = {
    "log_prob": lambda T, D, a, b: D.InverseGamma(a, b).log_prob(T.tensor(IG_VALUES)),
    # a number: gammainc has no derivative in a (PyTorch's neither)
    "cdf": lambda T, D, a, b: D.InverseGamma(2.0, b).cdf(T.tensor(IG_VALUES)),
    "entropy": lambda T, D, a, b: D.InverseGamma(a, b).entropy(),
    "mean": lambda T, D, a, b: D.InverseGamma(a + 1, b).mean,
    "mode": lambda T, D, a, b: D.InverseGamma(a, b).mode,
    "variance": lambda T, D, a, b: D.InverseGamma(a + 2, b).variance,
    "expand": lambda T, D, a, b: D.InverseGamma(a, b).expand((2, 3, 4)).log_prob(
        T.tensor(IG_VALUES)),
}
GPD_CASES = {
    "log_prob": lambda T, D, mu, s, xi: D.GeneralizedPareto(mu, s, xi).log_prob(
        T.tensor(gpd_values())),
    "cdf": lambda T, D, mu, s, xi: D.GeneralizedPareto(mu, s, xi).cdf(T.tensor(gpd_values())),
    "icdf": lambda T, D, mu, s, xi: D.GeneralizedPareto(mu, s, xi).icdf(T.tensor(QUANTILES)),
    "log_survival": lambda T, D, mu, s, xi: D.GeneralizedPareto(
        mu, s, xi).log_survival_function(T.tensor(gpd_values())),
    "entropy": lambda T, D, mu, s, xi: D.GeneralizedPareto(mu, s, xi).entropy(),
    "mean": lambda T, D, mu, s, xi: D.GeneralizedPareto(mu, s, xi).mean,
    "variance": lambda T, D, mu, s, xi: D.GeneralizedPareto(mu, s, xi).variance,
    "expand": lambda T, D, mu, s, xi: D.GeneralizedPareto(mu, s, xi).expand(
        (3, 4)).log_prob(T.tensor(gpd_values())),
}


@pytest.mark.parametrize("case", sorted(IG_CASES))
def test_inverse_gamma_matches_pytorch(torch, case: str) -> None:
    # the entropy's gradient holds trigamma, which PyTorch computes to about 1e-9 only
    check(torch, IG_CASES[case], IG_PARAMS, rtol=1e-8)


@pytest.mark.parametrize("case", sorted(GPD_CASES))
def test_generalized_pareto_matches_pytorch(torch, case: str) -> None:
    check(torch, GPD_CASES[case], GPD_PARAMS)


def test_shapes_supports_and_moments_where_they_do_not_exist(torch) -> None:
    for lib in (ag, torch):
        D = lib.distributions
        ig = D.InverseGamma(lib.tensor([0.5, 1.5, 2.5]), 1.0)
        assert tuple(ig.rsample((4,)).shape) == (4, 3) and ig.has_rsample
        assert D.InverseGamma.support is D.constraints.positive
        np.testing.assert_array_equal(np.isinf(ig.mean.numpy()), [True, False, False])
        np.testing.assert_array_equal(np.isinf(ig.variance.numpy()), [True, True, False])
        gpd = D.GeneralizedPareto(0.0, 1.0, lib.tensor([-0.5, 0.0, 0.6]))
        assert tuple(gpd.sample((5,)).shape) == (5, 3) and gpd.has_rsample
        np.testing.assert_array_equal(np.isnan(gpd.variance.numpy()), [False, False, True])
        inside = gpd.support.check(lib.tensor([[1.5, 1.5, 1.5], [2.5, 2.5, 2.5]])).numpy()
        np.testing.assert_array_equal(inside, [[True, True, True], [False, True, True]])
    draws = ag.distributions.GeneralizedPareto(0.0, 1.0, -0.5).sample((200,)).numpy()
    assert draws.min() >= 0 and draws.max() <= 2  # the upper end mu - sigma / xi


def test_draws_invert_the_cdf_and_carry_gradients() -> None:
    leaves = [ag.tensor(GPD_PARAMS[k], requires_grad=True) for k in ("mu", "s")]
    xi = ag.tensor(GPD_PARAMS["xi"] + 0.05, requires_grad=True)  # off 0: smooth there

    def draws(mu, s, xi):
        return ag.distributions.GeneralizedPareto(mu, s, xi).rsample(
            (3,), generator=np.random.default_rng(6))
    x = draws(*leaves, xi)
    u = np.random.default_rng(6).random((3, 4))
    gpd = ag.distributions.GeneralizedPareto(*leaves, xi)
    np.testing.assert_allclose(gpd.cdf(x).detach().numpy(), u, rtol=1e-9)
    assert ag.gradcheck(draws, [*leaves, xi])
    assert ag.gradcheck(lambda mu, s, xi: ag.distributions.GeneralizedPareto(mu, s, xi)
                        .log_prob(ag.tensor(gpd_values())), [*leaves, xi])
    a = ag.tensor(IG_PARAMS["a"], requires_grad=True)
    b = ag.tensor(IG_PARAMS["b"], requires_grad=True)
    assert ag.gradcheck(lambda a, b: ag.distributions.InverseGamma(a, b).log_prob(
        ag.tensor(IG_VALUES)) + ag.distributions.InverseGamma(a, b).entropy(), [a, b])
