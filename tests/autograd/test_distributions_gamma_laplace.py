"""``Gamma``, ``Beta``, ``Dirichlet``, ``Exponential`` and ``Laplace`` against PyTorch's:
log_prob, entropy, mean, variance, mode, cdf/icdf, their KL pairs, and the gradients of
all of them with respect to the parameters (and the value); reparameterised draws of
Exponential and Laplace given the same noise; the named error of rsample where it is
missing."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import UnsupportedError

RNG = np.random.default_rng(0)
A, B = RNG.uniform(0.6, 3.0, (2, 3, 4))
X01 = RNG.uniform(0.05, 0.95, (3, 4))
SIMPLEX = RNG.dirichlet(np.ones(4), 3)
REAL = RNG.normal(size=(3, 4))

CASES = {  # name -> (make(D, a, b), value, the statistics to compare)
    "Gamma": (lambda D, a, b: D.Gamma(a, b), X01 * 3, ["mean", "variance", "mode"]),
    "Beta": (lambda D, a, b: D.Beta(a, b), X01, ["mean", "variance"]),
    "Dirichlet": (lambda D, a, b: D.Dirichlet(a + b), SIMPLEX, ["mean", "variance"]),
    "Exponential": (lambda D, a, b: D.Exponential(a * b), X01 * 3,
                    ["mean", "variance", "mode", "stddev"]),
    "Laplace": (lambda D, a, b: D.Laplace(a - 1, b), REAL, ["mean", "variance", "stddev"]),
}


def _stats(T, D, name: str) -> list:
    make, value, stats = CASES[name]
    a, b = (T.tensor(v, requires_grad=True) for v in (A, B))
    x = T.tensor(value, requires_grad=True)
    d = make(D, a, b)
    q = make(D, b, a)
    outs = [d.log_prob(x), d.entropy(), D.kl_divergence(d, q)] + [getattr(d, s) for s in stats]
    if name in ("Exponential", "Laplace"):
        outs += [d.cdf(x), d.icdf(T.tensor(X01))]
    w = T.tensor(np.linspace(0.5, 1.5, 12))
    total = sum((o * w.reshape(o.shape) if o.numel() == 12 else o * w[:3]).sum()
                for o in outs)
    total.backward()
    return [o.detach().numpy() for o in outs] + [a.grad.numpy(), b.grad.numpy(),
                                                  x.grad.numpy()]


@pytest.mark.parametrize("name", list(CASES))
def test_statistics_and_gradients_match_pytorch(torch, name) -> None:
    got = _stats(ag, ag.distributions, name)
    want = _stats(torch, torch.distributions, name)
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want)):
        # the parameters' gradients go through trigamma: PyTorch's is off by up to 1e-9
        # (scipy.special.polygamma(1, x) agrees with ours to 2e-16)
        rtol = 1e-11 if i < len(got) - 3 else 1e-8
        np.testing.assert_allclose(g, w, rtol=rtol, atol=1e-12, err_msg=f"output {i}")


@pytest.mark.parametrize("name", ["Exponential", "Laplace"])
def test_reparameterised_draws_match_pytorch_given_the_same_noise(torch, name) -> None:
    """PyTorch's Laplace draws u in (-1, 1) and Exponential a standard exponential: with
    torch's sampler replaced by ours (same generator), the draws and their gradients agree."""
    make = CASES[name][0]
    draws, grads = [], []
    for T, D in [(ag, ag.distributions), (torch, torch.distributions)]:
        a, b = (T.tensor(v, requires_grad=True) for v in (A, B))
        d = make(D, a, b)
        gen = np.random.default_rng(5)
        if T is ag:
            y = d.rsample((2,), generator=gen)
        else:  # the same noise, through PyTorch's formulas
            shape = (2, 3, 4)
            if name == "Laplace":
                u = gen.uniform(np.nextafter(-1.0, 0.0), 1.0, shape)
                y = d.loc - d.scale * torch.tensor(u).sign() * torch.log1p(-torch.tensor(u).abs())
            else:
                y = torch.tensor(gen.standard_exponential(shape)) / d.rate
        (y * y).sum().backward()
        draws.append(y.detach().numpy())
        grads.append(np.concatenate([a.grad.numpy().ravel(), b.grad.numpy().ravel()]))
    np.testing.assert_allclose(*draws, rtol=1e-13)
    np.testing.assert_allclose(*grads, rtol=1e-12)
    assert ag.distributions.Laplace(0.0, 1.0).has_rsample


@pytest.mark.parametrize("name", ["Gamma", "Beta", "Dirichlet"])
def test_gamma_family_samples_but_names_the_missing_rsample(name) -> None:
    d = CASES[name][0](ag.distributions, ag.tensor(A), ag.tensor(B))
    draws = d.sample((4000,), generator=np.random.default_rng(0))
    assert draws.shape == (4000,) + d.batch_shape + d.event_shape
    np.testing.assert_allclose(draws.numpy().mean(0), d.mean.numpy(), rtol=0.1)
    assert not d.has_rsample
    with pytest.raises(UnsupportedError, match="score-function"):
        d.rsample()
