"""PPO with the adaptive KL penalty (Schulman et al. 2017, section 4) on a tanh-squashed
Gaussian policy, as its readers write it, step for step next to PyTorch (float64) from the
same initial weights and draws: ``TransformedDistribution(Normal(mu, std),
[TanhTransform(cache_size=1), AffineTransform(bias, scale)])`` per action dimension, the
surrogate ``ratio * adv - beta * KL(pi_old || pi)`` with ``kl_divergence`` of two such
distributions (their Gaussian bases' KL, since the transforms are equal), and beta halved
or doubled against the target KL. Losses, KLs, beta, gradients and parameters agree to 1e-10.

Written differently here: ``torch.optim`` is ``nn.optim``; PyTorch's run replays our
generator's normal draws (``Normal.sample``); returns use ``std(correction=1)``.
"""

import numpy as np

import autograd as ag
import nn
from point_mass_env import PointMass
from test_pytorch_ports_dqn import assert_same_runs, snapshot


def ppo_kl_penalty(torch, nn, F, optim, D, iterations, glue):
    """Adaptive-KL PPO on the point mass (sizes shrunk)."""
    record = glue['record']
    gamma, kl_target, beta, epochs, horizon = 0.95, 0.01, 1.0, 4, 12
    env = PointMass()
    low = torch.as_tensor(env.action_space.low, dtype=torch.float64)
    high = torch.as_tensor(env.action_space.high, dtype=torch.float64)

    class SquashedGaussianPolicy(nn.Module):
        def __init__(self):
            super().__init__()
            self.mu = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 2))
            self.log_std = nn.Parameter(-0.5 * torch.ones(2))

        def forward(self, obs):
            base = D.Normal(self.mu(obs), self.log_std.exp())
            return D.TransformedDistribution(base, [
                D.transforms.TanhTransform(cache_size=1),
                D.transforms.AffineTransform((high + low) / 2, (high - low) / 2)])

    pi = SquashedGaussianPolicy()
    if 'start' not in glue:
        glue['start'] = {k: v.detach().numpy().copy() for k, v in pi.state_dict().items()}
        glue['noise_state'] = ag.default_generator.get_state()
    else:
        pi.load_state_dict({k: torch.tensor(v) for k, v in glue['start'].items()})
        glue['noise'].bit_generator.state = glue['noise_state']
    optimizer = optim.Adam(pi.parameters(), lr=3e-3)

    for it in range(iterations):
        obs, _ = env.reset(seed=it)
        observations, actions, rewards = [], [], []
        for t in range(horizon):
            with torch.no_grad():
                a = pi(torch.as_tensor(obs, dtype=torch.float64)).sample()
            observations.append(obs)
            actions.append(a.numpy())
            obs, r, terminated, truncated, _ = env.step(a.numpy())
            rewards.append(r)
        returns, g = [], 0.0
        for r in reversed(rewards):
            g = r + gamma * g
            returns.insert(0, g)
        obs_t = torch.as_tensor(np.array(observations), dtype=torch.float64)
        act_t = torch.as_tensor(np.array(actions), dtype=torch.float64)
        adv = torch.as_tensor(returns)
        adv = (adv - adv.mean()) / (adv.std(correction=1) + 1e-8)
        with torch.no_grad():
            old_dist = pi(obs_t)
            old_logp = old_dist.log_prob(act_t).sum(-1)

        for epoch in range(epochs):
            dist = pi(obs_t)
            logp = dist.log_prob(act_t).sum(-1)
            ratio = torch.exp(logp - old_logp)
            kl = D.kl_divergence(old_dist, dist).sum(-1).mean()
            loss = -(ratio * adv).mean() + beta * kl
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            # the first epoch's loss is -mean(adv) + 0 = 0 up to rounding: not compared
            record.append((None if epoch == 0 else loss.item(), snapshot(pi)))
        with torch.no_grad():
            d = D.kl_divergence(old_dist, pi(obs_t)).sum(-1).mean().item()
        if d < kl_target / 1.5:
            beta /= 2
        elif d > kl_target * 1.5:
            beta *= 2
        record.append(([d, beta], []))
    return record


def libraries(torch=None, glue=None) -> tuple:
    """(torch, nn, F, optim, distributions) for autograd, or for PyTorch replaying our
    generator's normal draws."""
    if torch is None:
        return ag, nn, nn.functional, nn.optim, ag.distributions
    glue['noise'] = np.random.default_rng()

    class Normal(torch.distributions.Normal):
        def sample(self, sample_shape=torch.Size()):
            eps = glue['noise'].standard_normal(tuple(self._extended_shape(sample_shape)))
            return (self.loc + torch.as_tensor(eps) * self.scale).detach()

    class Distributions:
        TransformedDistribution = torch.distributions.TransformedDistribution
        transforms = torch.distributions.transforms
        kl_divergence = staticmethod(torch.distributions.kl_divergence)
    Distributions.Normal = Normal
    return torch, torch.nn, torch.nn.functional, torch.optim, Distributions


def test_ppo_kl_penalty_runs_step_for_step_with_pytorch(torch) -> None:
    glue = {'record': []}
    ours = ppo_kl_penalty(*libraries(), 3, glue)
    theirs_glue = {'record': [], 'start': glue['start'], 'noise_state': glue['noise_state']}
    theirs = ppo_kl_penalty(*libraries(torch, theirs_glue), 3, theirs_glue)
    assert_same_runs(ours, theirs)
    assert len(ours) == 3 * 5
