"""``Independent`` and ``MixtureSameFamily`` against ``torch.distributions``' (float64):
shapes, values and gradients of ``log_prob``, ``entropy``, the moments, ``expand``,
``kl_divergence`` of Independent pairs, draws' shapes, and the errors of wrong arguments.
(A diagonal-Gaussian base ``Independent(Normal(mu, sigma), 1)`` and a mixture density
network's ``MixtureSameFamily(Categorical(logits=...), Normal(mu, sigma))`` had no
counterpart here.)"""

from __future__ import annotations

import numpy as np
import pytest
from test_distributions_torch import check

import autograd as ag
from autograd.errors import ShapeError, UnsupportedError, UsageError

RNG = np.random.default_rng(7)
MU, LOG_SIGMA = RNG.standard_normal((2, 4, 3)), RNG.standard_normal((4, 3)) * 0.3
LOGITS = RNG.standard_normal((2, 4))
X3 = RNG.standard_normal((5, 2, 4, 3))
Y = RNG.standard_normal((5, 2))
XV = RNG.standard_normal((5, 2, 3))


def diag(T, D, mu, s, n=1):
    return D.Independent(D.Normal(mu, s.exp()), n)


INDEPENDENT = {
    "log_prob": lambda T, D, mu, s, z: diag(T, D, mu, s).log_prob(T.tensor(X3)),
    "log_prob_2": lambda T, D, mu, s, z: diag(T, D, mu, s, 2).log_prob(T.tensor(X3)),
    "entropy": lambda T, D, mu, s, z: diag(T, D, mu, s, 2).entropy(),
    "mean": lambda T, D, mu, s, z: diag(T, D, mu, s).mean * 1,
    "variance": lambda T, D, mu, s, z: diag(T, D, mu, s).variance,
    "expand": lambda T, D, mu, s, z: diag(T, D, mu[0], s).expand((5, 2, 4)).log_prob(
        T.tensor(X3)),
    "kl": lambda T, D, mu, s, z: D.kl_divergence(diag(T, D, mu, s), diag(T, D, mu * 0, s * 2)),
    "zero": lambda T, D, mu, s, z: diag(T, D, mu, s, 0).log_prob(T.tensor(X3)),
}
# MDN: y of shape (5, 2) (sample, batch), K = 4 components per batch element
MIXTURE = {
    "log_prob": lambda T, D, mu, s, z: D.MixtureSameFamily(
        D.Categorical(logits=z), D.Normal(mu[..., 0], s[..., 0].exp())).log_prob(T.tensor(Y)),
    "log_prob_probs": lambda T, D, mu, s, z: D.MixtureSameFamily(
        D.Categorical(z.softmax(-1)), D.Normal(mu[..., 0], s[..., 0].exp())).log_prob(
        T.tensor(Y)),
    "log_prob_vectors": lambda T, D, mu, s, z: D.MixtureSameFamily(
        D.Categorical(logits=z), D.Independent(D.Normal(mu, s.exp()), 1)).log_prob(
        T.tensor(XV)),
    "mean": lambda T, D, mu, s, z: D.MixtureSameFamily(
        D.Categorical(logits=z), D.Independent(D.Normal(mu, s.exp()), 1)).mean,
    "variance": lambda T, D, mu, s, z: D.MixtureSameFamily(
        D.Categorical(logits=z), D.Normal(mu[..., 0], s[..., 0].exp())).variance,
    "expand": lambda T, D, mu, s, z: D.MixtureSameFamily(
        D.Categorical(logits=z[0]), D.Normal(mu[0, :, 0], s[..., 0].exp())).expand(
        (2,)).log_prob(T.tensor(Y)),
}


@pytest.mark.parametrize("name", INDEPENDENT)
def test_independent(torch, name: str) -> None:
    check(torch, INDEPENDENT[name], dict(mu=MU, s=LOG_SIGMA, z=LOGITS))


@pytest.mark.parametrize("name", MIXTURE)
def test_mixture_same_family(torch, name: str) -> None:
    check(torch, MIXTURE[name], dict(mu=MU, s=LOG_SIGMA, z=LOGITS))


def test_shapes_and_draws(torch) -> None:
    for T in (ag, torch):
        D = T.distributions
        d = D.Independent(D.Normal(T.tensor(MU), 1.0), 2)
        assert (tuple(d.batch_shape), tuple(d.event_shape)) == ((2,), (4, 3))
        assert tuple(d.sample((5,)).shape) == (5, 2, 4, 3)
        assert d.has_rsample and tuple(d.rsample().shape) == (2, 4, 3)
        m = D.MixtureSameFamily(D.Categorical(logits=T.tensor(LOGITS)),
                                D.Independent(D.Normal(T.tensor(MU), 1.0), 1))
        assert (tuple(m.batch_shape), tuple(m.event_shape)) == ((2,), (3,))
        assert tuple(m.sample((6,)).shape) == (6, 2, 3) and not m.has_rsample


def test_mixture_draws_come_from_the_chosen_component() -> None:
    """Components far apart with one weight 1: every draw is near that component."""
    D = ag.distributions
    mix = D.MixtureSameFamily(D.Categorical(ag.tensor([0.0, 1.0, 0.0])),
                              D.Normal(ag.tensor([-100.0, 0.0, 100.0]), 0.1))
    assert np.abs(mix.sample((200,)).data).max() < 1.0


def test_errors() -> None:
    D = ag.distributions
    normal = D.Normal(ag.zeros((2, 3)), 1.0)
    with pytest.raises(ShapeError, match="reinterpreted_batch_ndims"):
        D.Independent(normal, 3)
    with pytest.raises(UsageError, match="must be a Distribution"):
        D.Independent(ag.zeros(2), 1)
    with pytest.raises(UsageError, match="must be a Categorical"):
        D.MixtureSameFamily(normal, normal)
    with pytest.raises(ShapeError, match="has 4 components"):
        D.MixtureSameFamily(D.Categorical(logits=ag.zeros(4)), normal)
    with pytest.raises(ShapeError, match="not compatible"):
        D.MixtureSameFamily(D.Categorical(logits=ag.zeros((5, 3))), normal)
    with pytest.raises(UnsupportedError, match="rsample"):
        D.MixtureSameFamily(D.Categorical(logits=ag.zeros(3)), normal).rsample()
    with pytest.raises(UnsupportedError, match="reinterpreting"):
        D.kl_divergence(D.Independent(normal, 1), D.Independent(normal, 2))
