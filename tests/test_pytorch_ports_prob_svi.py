"""Stochastic variational inference written with ``torch.distributions`` alone (the
Pyro-style model and guide as two functions, the ELBO by hand), as PyTorch users write
it, once for a library ``torch`` (``autograd`` here, PyTorch there).

- A Gaussian mixture fitted by MAP: ``MixtureSameFamily(Categorical(logits),
  Independent(Normal(locs, scales), 1))`` with the scales and the weights unconstrained
  through ``biject_to(constraints.positive)`` and ``biject_to(constraints.simplex)``
  (stick breaking), trained by Adam: step for step against PyTorch in float64.
- The fairness of a coin (Pyro's SVI tutorial, in plain torch): prior ``Beta(10, 10)``,
  ``Bernoulli(f)`` flips, guide ``Beta(alpha_q, beta_q)`` with positive parameters by
  ``transform_to(constraints.positive)``, the ELBO from ``q.rsample()`` (the implicit
  reparameterisation of gamma draws); its exact posterior is Beta(10 + heads,
  10 + tails), which the guide must reach. The ELBO's pieces given the same draw, and
  ``kl_divergence`` of two Betas, agree with PyTorch's.
- A Dirichlet guide for a die's face probabilities (exact posterior Dirichlet(1 + counts)),
  trained by ``q.rsample((n,))``, and the analytic ELBO with ``kl_divergence``.

Lines written differently here, and why:
- ``torch.optim.Adam`` is ``nn.optim.Adam``;
- PyTorch's gamma draws and ours differ (different generators), so the Beta and Dirichlet
  guides are trained here and checked against the exact posterior, and against PyTorch
  on what does not depend on the draw.
"""

import numpy as np
import pytest

import autograd as ag
import nn


def libraries(torch=None) -> tuple:
    if torch is None:
        return ag, nn.optim
    return torch, torch.optim


# ------------------------------------------------------------------ mixture MAP
def mixture_data(n: int = 120, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = np.array([[-2.0, 0.0], [2.0, 1.0], [0.0, -2.5]])
    labels = rng.choice(3, n, p=[0.5, 0.3, 0.2])
    return centres[labels] + 0.5 * rng.standard_normal((n, 2))


def fit_mixture(libs, data, start, n_steps: int = 30) -> list:
    torch, optim = libs
    D = torch.distributions
    constraints = D.constraints
    locs = torch.tensor(start["locs"], requires_grad=True)
    raw_scales = torch.tensor(start["raw_scales"], requires_grad=True)
    raw_weights = torch.tensor(start["raw_weights"], requires_grad=True)
    to_positive = D.biject_to(constraints.positive)
    to_simplex = D.biject_to(constraints.simplex)
    x = torch.tensor(data)

    def model():
        weights = to_simplex(raw_weights)
        mix = D.Categorical(probs=weights)
        comp = D.Independent(D.Normal(locs, to_positive(raw_scales)), 1)
        gmm = D.MixtureSameFamily(mix, comp)
        log_prior = D.Dirichlet(torch.full((3,), 2.0)).log_prob(weights)
        return -(gmm.log_prob(x).sum() + log_prior) / len(x)

    optimizer = optim.Adam([locs, raw_scales, raw_weights], lr=0.05)
    record = []
    for _ in range(n_steps):
        optimizer.zero_grad()
        loss = model()
        loss.backward()
        record.append([loss.item(), locs.grad.numpy().copy(), raw_scales.grad.numpy().copy(),
                       raw_weights.grad.numpy().copy()])
        optimizer.step()
    record.append([to_simplex(raw_weights).detach().numpy(), locs.detach().numpy()])
    return record


def test_gaussian_mixture_map_with_biject_to(torch):
    data = mixture_data()
    rng = np.random.default_rng(1)
    start = {"locs": rng.standard_normal((3, 2)), "raw_scales": np.full((3, 2), -0.5),
             "raw_weights": np.zeros(2)}
    got = fit_mixture(libraries(), data, start)
    want = fit_mixture(libraries(torch), data, start)
    assert len(got) == len(want)
    for step, (a, b) in enumerate(zip(got, want)):
        for u, v in zip(a, b, strict=True):
            np.testing.assert_allclose(u, v, rtol=1e-10, atol=1e-12, err_msg=f"step {step}")
    assert got[-2][0] < got[0][0]
    np.testing.assert_allclose(got[-1][0].sum(), 1.0)


# ------------------------------------------------------------------ the coin's fairness
def coin_elbo_terms(torch, data, alpha_q, beta_q, f):
    """The ELBO's single-draw terms at a given draw f of the guide."""
    D = torch.distributions
    q = D.Beta(alpha_q, beta_q)
    log_prior = D.Beta(torch.tensor(10.0), torch.tensor(10.0)).log_prob(f)
    log_lik = D.Bernoulli(f).log_prob(data).sum(-1)
    return log_lik + log_prior - q.log_prob(f)


def test_coin_elbo_pieces_match_pytorch(torch):
    data = np.array([1.0] * 6 + [0.0] * 4)
    grads = []
    for T in (ag, torch):
        a = T.tensor(12.0, requires_grad=True)
        b = T.tensor(9.0, requires_grad=True)
        f = T.tensor(0.58, requires_grad=True)
        elbo = coin_elbo_terms(T, T.tensor(data), a, b, f)
        kl = T.distributions.kl_divergence(T.distributions.Beta(a, b),
                                           T.distributions.Beta(T.tensor(10.0), T.tensor(10.0)))
        (elbo + kl).backward()
        grads.append([elbo.item(), kl.item(), a.grad.item(), b.grad.item(), f.grad.item()])
    np.testing.assert_allclose(*grads, rtol=1e-8)  # PyTorch's trigamma: ~1e-9


def test_coin_fairness_svi_reaches_the_exact_posterior():
    torch, optim = libraries()
    D = torch.distributions
    data = torch.tensor(np.array([1.0] * 6 + [0.0] * 4))
    to_positive = D.transform_to(D.constraints.positive)
    raw_alpha = torch.tensor(np.log(15.0), requires_grad=True)
    raw_beta = torch.tensor(np.log(15.0), requires_grad=True)
    optimizer = optim.Adam([raw_alpha, raw_beta], lr=0.1)
    generator = np.random.default_rng(0)
    n_draws, iterates = 32, []
    for _ in range(150):
        optimizer.zero_grad()
        alpha_q, beta_q = to_positive(raw_alpha), to_positive(raw_beta)
        f = D.Beta(alpha_q, beta_q).rsample((n_draws,), generator=generator)
        flips = data.unsqueeze(-1).expand(10, n_draws).t()  # (draws, flips)
        loss = -coin_elbo_terms(torch, flips, alpha_q, beta_q, f.unsqueeze(-1)).mean()
        loss.backward()
        optimizer.step()
        iterates.append([to_positive(raw_alpha).item(), to_positive(raw_beta).item()])
    alpha_q, beta_q = np.array(iterates[-60:]).T  # the noisy iterates, averaged
    # the exact posterior is Beta(10 + heads, 10 + tails) = Beta(16, 14)
    np.testing.assert_allclose(np.mean(alpha_q / (alpha_q + beta_q)), 16.0 / 30.0, atol=0.01)
    np.testing.assert_allclose(np.mean(alpha_q + beta_q), 30.0, rtol=0.15)


# ------------------------------------------------------------------ a die's faces
def test_dirichlet_guide_for_a_die(torch):
    counts = np.array([3.0, 7.0, 2.0, 8.0])
    rolls = np.repeat(np.arange(4), counts.astype(int))
    T, optim = libraries()
    D = T.distributions
    raw = T.zeros(4, requires_grad=True)
    optimizer = optim.Adam([raw], lr=0.1)
    prior = D.Dirichlet(T.ones(4))
    generator = np.random.default_rng(0)
    x = T.tensor(rolls)
    iterates = []
    for _ in range(120):
        optimizer.zero_grad()
        q = D.Dirichlet(raw.exp())
        probs = q.rsample((16,), generator=generator)  # (16, 4)
        log_lik = D.Categorical(probs=probs.unsqueeze(1)).log_prob(x).sum(-1)
        loss = -(log_lik.mean() - D.kl_divergence(q, prior))
        loss.backward()
        optimizer.step()
        iterates.append(raw.exp().detach().numpy())
    concentration = np.mean(iterates[-50:], axis=0)  # the noisy iterates, averaged
    # the exact posterior is Dirichlet(1 + counts)
    np.testing.assert_allclose(concentration / concentration.sum(), (1 + counts) / 24.0,
                               atol=0.03)
    np.testing.assert_allclose(concentration.sum(), 24.0, rtol=0.25)
    # the KL and the Categorical log-likelihood at a given draw, against PyTorch's
    values = []
    for lib in (ag, torch):
        q = lib.distributions.Dirichlet(lib.tensor(concentration))
        p = lib.distributions.Dirichlet(lib.ones(4))
        c = lib.distributions.Categorical(probs=lib.tensor(concentration / concentration.sum()))
        values.append([lib.distributions.kl_divergence(q, p).item(),
                       c.log_prob(lib.tensor(rolls)).sum().item(), q.entropy().item()])
    np.testing.assert_allclose(*values, rtol=1e-12)


@pytest.mark.parametrize("name", ["Gamma", "Beta", "Dirichlet"])
def test_guides_have_rsample_as_in_pytorch(torch, name):
    args = {"Gamma": (2.0, 3.0), "Beta": (2.0, 3.0), "Dirichlet": ([2.0, 3.0],)}[name]
    ours = getattr(ag.distributions, name)(*[ag.tensor(a) for a in args])
    theirs = getattr(torch.distributions, name)(*[torch.tensor(a) for a in args])
    assert ours.has_rsample == theirs.has_rsample is True
    assert ours.rsample((5,)).shape == tuple(theirs.rsample((5,)).shape)
