"""A distribution subclass that overrides ``rsample`` (or ``sample``) with PyTorch's
signature, ``rsample(self, sample_shape=torch.Size())``, without this library's
``generator=`` keyword (shared-noise test glue, a custom squashed Gaussian...): the
distributions that draw through it (``Distribution.sample``, ``Independent``,
``TransformedDistribution``, ``MixtureSameFamily``) call it as PyTorch does, with the
sample shape alone, when no generator is given. Values and gradients against PyTorch's."""

from __future__ import annotations

import numpy as np

import autograd as ag

LOC = np.array([[0.2, -0.4], [1.0, 0.3]])
LOG_SCALE = np.array([[-0.5, 0.1], [0.2, -1.0]])
EPS = np.random.default_rng(3).standard_normal((3, 2, 2))


def fixed_noise_normal(T):
    """``Normal`` whose draws use the fixed ``EPS`` (PyTorch's rsample signature)."""

    class FixedNoiseNormal(T.distributions.Normal):
        def rsample(self, sample_shape=()):
            shape = tuple(sample_shape) + tuple(self.batch_shape)
            eps = EPS.reshape(-1)[:int(np.prod(shape))].reshape(shape)
            return self.loc + T.tensor(eps) * self.scale

    return FixedNoiseNormal


def fixed_noise_distribution(T):
    """A ``Distribution`` defining ``rsample`` only: ``sample`` draws through it."""

    class FixedNoise(T.distributions.Distribution):
        arg_constraints: dict = {}
        has_rsample = True

        def __init__(self, loc):
            self.loc = loc
            super().__init__(batch_shape=loc.shape, validate_args=False)

        def rsample(self, sample_shape=()):
            shape = tuple(sample_shape) + tuple(self.batch_shape)
            return self.loc + T.tensor(EPS.reshape(-1)[:int(np.prod(shape))].reshape(shape))

    return FixedNoise


def draws_and_gradients(T) -> list[np.ndarray]:
    D, Normal, FixedNoise = T.distributions, fixed_noise_normal(T), fixed_noise_distribution(T)
    loc = T.tensor(LOC, requires_grad=True)
    log_scale = T.tensor(LOG_SCALE, requires_grad=True)
    squashed = D.TransformedDistribution(Normal(loc, log_scale.exp()),
                                         [D.TanhTransform(cache_size=1)])
    action = squashed.rsample()
    log_prob = squashed.log_prob(action).sum(-1)
    independent = D.Independent(Normal(loc, log_scale.exp()), 1)
    draws = [action, log_prob, independent.rsample((3,)), FixedNoise(loc).sample((3,)),
             D.Independent(FixedNoise(loc), 1).sample((3,)),
             D.TransformedDistribution(FixedNoise(loc), [D.TanhTransform()]).sample()]
    (action.sum() + log_prob.sum() + draws[2].sum()).backward()
    mixture = D.MixtureSameFamily(D.Categorical(logits=T.zeros(2)),
                                  D.Independent(FixedNoise(loc), 1))
    assert tuple(mixture.sample((3,)).shape) == (3, 2)
    assert not draws[3].requires_grad
    return [d.detach().numpy() for d in draws] + [loc.grad.numpy(), log_scale.grad.numpy()]


def test_subclass_with_pytorch_rsample_signature_draws_as_in_pytorch(torch) -> None:
    for ours, theirs in zip(draws_and_gradients(ag), draws_and_gradients(torch), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
