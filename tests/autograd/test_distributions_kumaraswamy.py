"""``Kumaraswamy(concentration1, concentration0)`` (a, b): density a b x^(a-1) (1-x^a)^(b-1)
on (0, 1), a Beta-like law with a closed-form inverse cdf (bounded continuous actions,
reparameterised). Values and gradients against PyTorch's, computed in the test; the mode
against the density's numeric argmax (PyTorch's ``mode`` gives NaN for every a, b)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from test_distributions_torch import check

RNG = np.random.default_rng(5)
PARAMS = dict(a=RNG.uniform(0.5, 3.0, (3, 1)), b=RNG.uniform(0.5, 3.0, 4))
VALUES = RNG.uniform(0.02, 0.98, (2, 3, 4))

CASES = {
    "log_prob": lambda T, D, a, b: D.Kumaraswamy(a, b).log_prob(T.tensor(VALUES)),
    "cdf": lambda T, D, a, b: D.Kumaraswamy(a, b).cdf(T.tensor(VALUES)),
    "entropy": lambda T, D, a, b: D.Kumaraswamy(a, b).entropy(),
    "mean": lambda T, D, a, b: D.Kumaraswamy(a, b).mean,
    "variance": lambda T, D, a, b: D.Kumaraswamy(a, b).variance,
    "numbers": lambda T, D, a, b: D.Kumaraswamy(2.0, b).log_prob(T.tensor(VALUES)),
    "expand": lambda T, D, a, b: D.Kumaraswamy(a, b).expand((2, 3, 4)).log_prob(
        T.tensor(VALUES)),
    "kl_same_family": lambda T, D, a, b: D.kl_divergence(  # both TransformedDistributions
        D.Kumaraswamy(a, b), D.Kumaraswamy(a, b)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_kumaraswamy_matches_pytorch(torch, case: str) -> None:
    # the entropy's gradient holds trigamma, which PyTorch computes to about 1e-9 only
    # (ours agrees with scipy.special.polygamma(1, x) to 1e-15)
    check(torch, CASES[case], PARAMS, rtol=1e-8 if case == "entropy" else 1e-10)


def test_kumaraswamy_rsample_is_the_inverse_cdf_of_a_uniform_draw() -> None:
    """x = (1 - (1 - u)^(1/b))^(1/a): its gradient is the cdf's implicit one."""
    a = ag.tensor([1.5, 2.5], requires_grad=True)
    b = ag.tensor([2.0, 0.8], requires_grad=True)
    u = np.random.default_rng(3).random((5, 2))
    x = ag.distributions.Kumaraswamy(a, b).rsample((5,), generator=np.random.default_rng(3))
    expected = (1 - u ** (1 / b.detach().numpy())) ** (1 / a.detach().numpy())
    np.testing.assert_allclose(x.detach().numpy(), expected, rtol=1e-12)
    x.sum().backward()
    cdf = ag.distributions.Kumaraswamy(a.detach(), b.detach()).cdf(x.detach()).detach().numpy()
    eps = 1e-6
    for leaf, name in ((a, "a"), (b, "b")):
        shifted = {"a": a.detach().numpy(), "b": b.detach().numpy()}
        shifted[name] = shifted[name] + eps
        moved = ag.distributions.Kumaraswamy(shifted["a"], shifted["b"]).cdf(
            x.detach()).detach().numpy()
        density = np.exp(ag.distributions.Kumaraswamy(a.detach(), b.detach()).log_prob(
            x.detach()).detach().numpy())
        implicit = -((moved - cdf) / eps / density).sum(0)  # dx/dtheta = -dF/dtheta / p
        np.testing.assert_allclose(leaf.grad.numpy(), implicit, rtol=1e-4)


def test_kumaraswamy_mode_is_the_density_argmax() -> None:
    grid = np.linspace(1e-4, 1 - 1e-4, 200001)
    for a, b in ((2.0, 3.0), (3.0, 1.5), (1.2, 5.0)):
        k = ag.distributions.Kumaraswamy(a, b)
        argmax = grid[np.argmax(k.log_prob(ag.tensor(grid)).numpy())]
        assert abs(k.mode.item() - argmax) < 1e-4
    assert np.isnan(ag.distributions.Kumaraswamy(0.5, 2.0).mode.item())
