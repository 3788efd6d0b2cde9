"""``kl_divergence`` between distributions of different families (PyTorch's registered
pairs: Normal-Gumbel, Gamma-Normal, Uniform-Beta, Pareto-Exponential, Bernoulli-Poisson,
...) and of two Paretos: they raised ``UnsupportedError``. Values and gradients against
PyTorch's, computed in the test, and a Monte Carlo check of the formulas themselves; inf
where p has mass outside q's support, as PyTorch's."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from test_distributions_torch import check

RNG = np.random.default_rng(23)
SHAPE = (3, 2)
PARAMS = dict(
    m=RNG.standard_normal(SHAPE), s=RNG.uniform(0.5, 2.0, SHAPE),  # p's loc and scale
    m2=RNG.standard_normal(2), s2=RNG.uniform(0.5, 2.0, 2),  # q's loc and scale
    c1=RNG.uniform(0.5, 3.0, SHAPE), c0=RNG.uniform(0.5, 3.0, 2),  # concentrations, rates
    lo=RNG.uniform(0.05, 0.4, SHAPE), hi=RNG.uniform(0.6, 0.95, 2),  # inside (0, 1)
    a=RNG.uniform(2.5, 4.0, SHAPE))  # a Pareto's alpha, with a mean and a variance

PAIRS = {
    "normal_gumbel": lambda D, m, s, m2, s2, c1, c0, lo, hi, a: (
        D.Normal(m, s), D.Gumbel(m2, s2)),
    "normal_laplace": lambda D, m, s, m2, s2, c1, c0, lo, hi, a: (
        D.Normal(m, s), D.Laplace(m2, s2)),
    "laplace_normal": lambda D, m, s, m2, s2, c1, c0, lo, hi, a: (
        D.Laplace(m, s), D.Normal(m2, s2)),
    "gumbel_normal": lambda D, m, s, m2, s2, c1, c0, lo, hi, a: (
        D.Gumbel(m, s), D.Normal(m2, s2)),
    "exponential_normal": lambda D, m, s, m2, s2, c1, c0, lo, hi, a: (
        D.Exponential(s), D.Normal(m2, s2)),
    "gamma_normal": lambda D, m, s, m2, s2, c1, c0, lo, hi, a: (
        D.Gamma(c1, s), D.Normal(m2, s2)),
    "beta_normal": lambda D, m, s, m2, s2, c1, c0, lo, hi, a: (
        D.Beta(c1, c0), D.Normal(m2, s2)),
    "uniform_normal": lambda D, m, s, m2, s2, c1, c0, lo, hi, a: (
        D.Uniform(lo, hi), D.Normal(m2, s2)),
    "pareto_normal": lambda D, m, s, m2, s2, c1, c0, lo, hi, a: (
        D.Pareto(s, a), D.Normal(m2, s2)),
    "beta_exponential": lambda D, m, s, m2, s2, c1, c0, lo, hi, a: (
        D.Beta(c1, s), D.Exponential(c0)),
    "gamma_exponential": lambda D, m, s, m2, s2, c1, c0, lo, hi, a: (
        D.Gamma(c1, s), D.Exponential(c0)),
    "uniform_exponential": lambda D, m, s, m2, s2, c1, c0, lo, hi, a: (
        D.Uniform(lo, hi), D.Exponential(c0)),
    "pareto_exponential": lambda D, m, s, m2, s2, c1, c0, lo, hi, a: (
        D.Pareto(s, a), D.Exponential(c0)),
    "beta_gamma": lambda D, m, s, m2, s2, c1, c0, lo, hi, a: (
        D.Beta(c1, s), D.Gamma(c0, s2)),
    "exponential_gamma": lambda D, m, s, m2, s2, c1, c0, lo, hi, a: (
        D.Exponential(s), D.Gamma(c0, s2)),
    "uniform_gamma": lambda D, m, s, m2, s2, c1, c0, lo, hi, a: (
        D.Uniform(lo, hi), D.Gamma(c0, s2)),
    "pareto_gamma": lambda D, m, s, m2, s2, c1, c0, lo, hi, a: (
        D.Pareto(s, a), D.Gamma(c0, s2)),
    "exponential_gumbel": lambda D, m, s, m2, s2, c1, c0, lo, hi, a: (
        D.Exponential(s), D.Gumbel(m2, s2)),
    "gamma_gumbel": lambda D, m, s, m2, s2, c1, c0, lo, hi, a: (
        D.Gamma(c1, s), D.Gumbel(m2, s2)),
    "uniform_gumbel": lambda D, m, s, m2, s2, c1, c0, lo, hi, a: (
        D.Uniform(lo, hi), D.Gumbel(m2, s2)),
    "uniform_beta": lambda D, m, s, m2, s2, c1, c0, lo, hi, a: (
        D.Uniform(lo, hi), D.Beta(c0, s2)),
    "beta_uniform": lambda D, m, s, m2, s2, c1, c0, lo, hi, a: (
        D.Beta(c1, s), D.Uniform(-lo, 1 + s2)),
    "uniform_pareto": lambda D, m, s, m2, s2, c1, c0, lo, hi, a: (
        D.Uniform(lo + 1, hi + 1.5), D.Pareto(hi, c0)),
    "pareto_pareto": lambda D, m, s, m2, s2, c1, c0, lo, hi, a: (
        D.Pareto(s + 1, a), D.Pareto(c0 * 0.5, s2)),
    "bernoulli_poisson": lambda D, m, s, m2, s2, c1, c0, lo, hi, a: (
        D.Bernoulli(lo), D.Poisson(c0)),
}


@pytest.mark.parametrize("pair", sorted(PAIRS))
def test_cross_family_kl_matches_pytorch(torch, pair: str) -> None:
    # trigamma in the gradient of lgamma/digamma: PyTorch's is good to about 1e-9
    check(torch, lambda T, D, **p: D.kl_divergence(*PAIRS[pair](D, **p)), PARAMS, rtol=1e-7)


@pytest.mark.parametrize("pair", sorted(PAIRS))
def test_cross_family_kl_is_the_monte_carlo_mean_of_the_log_ratio(pair: str) -> None:
    """E_p[log p(X) - log q(X)] over 20000 draws of p, within 5 standard errors."""
    D = ag.distributions
    p, q = PAIRS[pair](D, **{k: ag.tensor(v) for k, v in PARAMS.items()})
    x = p.sample((20000,), generator=np.random.default_rng(0))
    ratio = (p.log_prob(x) - q.log_prob(x)).numpy()
    mean, error = ratio.mean(0), ratio.std(0) / np.sqrt(len(ratio))
    kl = np.broadcast_to(D.kl_divergence(p, q).numpy(), mean.shape)
    assert np.all(np.abs(kl - mean) <= 5 * error + 1e-12), (kl, mean, error)


def test_pareto_kl_is_inf_without_the_moments_it_needs(torch) -> None:
    """KL(Pareto || Normal) needs the variance (alpha > 2), || Exponential and || Gamma the
    mean (alpha > 1); where they are infinite so is the KL, and the rest keeps its value and
    gradient."""
    alpha = np.array([0.8, 1.5, 2.5, 3.0])
    for family in ("Normal", "Exponential", "Gamma"):
        def kl(T, D, alpha, family=family):
            q = {"Normal": D.Normal(0.5, 2.0), "Exponential": D.Exponential(0.7),
                 "Gamma": D.Gamma(1.5, 0.7)}[family]
            return D.kl_divergence(D.Pareto(1.2, alpha), q)
        check(torch, kl, dict(alpha=alpha), rtol=1e-8)


INFINITE = [("Normal", "Beta"), ("Normal", "Exponential"), ("Normal", "Gamma"),
            ("Normal", "Pareto"), ("Normal", "Uniform"), ("Laplace", "Gamma"),
            ("Gumbel", "Exponential"), ("Exponential", "Uniform"), ("Gamma", "Beta"),
            ("Pareto", "Uniform"), ("Beta", "Pareto"), ("Poisson", "Bernoulli"),
            ("Poisson", "Binomial")]
MAKE = {"Normal": lambda D: D.Normal(ag_or(D, [0.0, 1.0]), 1.0),
        "Laplace": lambda D: D.Laplace(ag_or(D, [0.0, 1.0]), 1.0),
        "Gumbel": lambda D: D.Gumbel(ag_or(D, [0.0, 1.0]), 1.0),
        "Exponential": lambda D: D.Exponential(ag_or(D, [1.0, 2.0])),
        "Gamma": lambda D: D.Gamma(ag_or(D, [1.0, 2.0]), 1.0),
        "Beta": lambda D: D.Beta(ag_or(D, [1.0, 2.0]), 1.5),
        "Pareto": lambda D: D.Pareto(ag_or(D, [1.0, 2.0]), 3.0),
        "Uniform": lambda D: D.Uniform(ag_or(D, [0.1, 0.2]), 0.9),
        "Poisson": lambda D: D.Poisson(ag_or(D, [1.0, 2.0])),
        "Bernoulli": lambda D: D.Bernoulli(ag_or(D, [0.2, 0.7])),
        "Binomial": lambda D: D.Binomial(3, ag_or(D, [0.2, 0.7]))}


def ag_or(D, values):
    """The values as a float64 tensor of the library D belongs to."""
    module = ag if D is ag.distributions else __import__("torch")
    return module.tensor(values, dtype=module.float64)


@pytest.mark.parametrize("p_name, q_name", INFINITE)
def test_kl_is_inf_where_p_has_mass_outside_q(torch, p_name: str, q_name: str) -> None:
    ours = ag.distributions.kl_divergence(MAKE[p_name](ag.distributions),
                                          MAKE[q_name](ag.distributions))
    theirs = torch.distributions.kl_divergence(MAKE[p_name](torch.distributions),
                                               MAKE[q_name](torch.distributions))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert np.all(np.isinf(ours.numpy()))


def test_cross_family_kl_gradients_by_finite_differences() -> None:
    D = ag.distributions

    def kl(loc, scale, conc, rate):
        return (D.kl_divergence(D.Normal(loc, scale), D.Laplace(0.3, conc))
                + D.kl_divergence(D.Gamma(conc, rate), D.Gumbel(loc, scale))
                + D.kl_divergence(D.Uniform(0.2, 0.2 + rate), D.Beta(conc, scale)))
    leaves = [ag.tensor(PARAMS["m"][0], requires_grad=True),
              ag.tensor(PARAMS["s"][0], requires_grad=True),
              ag.tensor(PARAMS["c1"][0], requires_grad=True),
              ag.tensor(PARAMS["hi"] - 0.3, requires_grad=True)]
    assert ag.gradcheck(kl, leaves)


def test_infinite_kl_keeps_p_dtype(torch) -> None:
    for lib in (ag, torch):
        D = lib.distributions
        kl = D.kl_divergence(D.Normal(lib.zeros(2, dtype=lib.float32), 1.0), D.Gamma(1.0, 1.0))
        assert str(kl.dtype).endswith("float32") and tuple(kl.shape) == (2,)
