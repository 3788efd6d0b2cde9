"""Advantage-weighted regression (Peng et al. 2019, the ``awr`` repo's ``awr_agent.py`` in the
PyTorch form its readers write) step for step next to PyTorch (float64) from the same
initial weights and the same draws: episodes from a Gaussian policy with fixed standard
deviation (``Independent(Normal(mean, std), 1)``), TD(lambda) returns from the critic's
normalized values, ``weights = exp(adv / temp)`` clipped at ``weight_clip``, the critic's
normalized squared error, the actor's ``-(weights * log_prob).mean()`` plus the
action-bound penalty, both trained by SGD with momentum on random minibatches. Losses,
gradients and parameters agree to 1e-10.

Written differently here: ``torch.optim`` is ``nn.optim``; PyTorch's run replays our
generator's draws (``Normal.sample``); minibatch indices come from NumPy in both runs.
"""

import numpy as np

import autograd as ag
import nn
from point_mass_env import PointMass
from test_pytorch_ports_dqn import assert_same_runs, snapshot


def awr(torch, nn, F, optim, distributions, iterations, glue):
    """AWRAgent.train on the point mass (sizes shrunk)."""
    record = glue['record']
    discount, td_lambda, temp, weight_clip = 0.99, 0.95, 1.0, 20.0
    action_std, action_bound_weight, batch_size = 0.2, 10.0, 8
    actor_steps, critic_steps, samples_per_iter = 3, 4, 24
    env = PointMass()
    a_low, a_high = env.action_space.low, env.action_space.high
    val_norm = 1.0 - discount  # values are learned in units of 1 / (1 - gamma)

    class Actor(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = nn.Linear(4, 16), nn.Linear(16, 16)
            self.mean = nn.Linear(16, 2)

        def forward(self, s):
            h = F.relu(self.fc2(F.relu(self.fc1(s))))
            mean = self.mean(h)
            std = action_std * torch.ones_like(mean)
            return distributions.Independent(distributions.Normal(mean, std), 1)

    class Critic(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))

        def forward(self, s):
            return self.net(s).squeeze(-1)

    actor, critic = Actor(), Critic()
    if 'start' not in glue:
        glue['start'] = [{k: v.detach().numpy().copy() for k, v in m.state_dict().items()}
                         for m in (actor, critic)]
        glue['noise_state'] = ag.default_generator.get_state()
    else:
        for m, state in zip((actor, critic), glue['start'], strict=True):
            m.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
        glue['noise'].bit_generator.state = glue['noise_state']
    actor_optimizer = optim.SGD(actor.parameters(), lr=5e-3, momentum=0.9)
    critic_optimizer = optim.SGD(critic.parameters(), lr=1e-2, momentum=0.9)

    def rollout_path():
        obs, _ = env.reset(seed=len(record))
        states, actions, rewards = [obs], [], []
        while True:
            with torch.no_grad():
                a = actor(torch.as_tensor(obs, dtype=torch.float64)).sample()
            obs, r, terminated, truncated, _ = env.step(a.numpy())
            states.append(obs)
            actions.append(a.numpy())
            rewards.append(r)
            if terminated or truncated:
                return np.array(states), np.array(actions), np.array(rewards)

    def compute_return(rewards, values):
        """TD(lambda): R_t = r_t + gamma ((1 - lambda) V(s_t+1) + lambda R_t+1)."""
        returns = np.zeros_like(rewards)
        last = values[-1]
        for t in reversed(range(len(rewards))):
            last = rewards[t] + discount * ((1 - td_lambda) * values[t + 1]
                                            + td_lambda * last)
            returns[t] = last
        return returns

    for it in range(iterations):
        states, actions, returns, advantages = [], [], [], []
        while sum(len(a) for a in actions) < samples_per_iter:
            s, a, r = rollout_path()
            with torch.no_grad():
                values = critic(torch.as_tensor(s, dtype=torch.float64)).numpy() / val_norm
            ret = compute_return(r, values)
            states.append(s[:-1])
            actions.append(a)
            returns.append(ret)
            advantages.append(ret - values[:-1])
        states = torch.as_tensor(np.concatenate(states), dtype=torch.float64)
        actions = torch.as_tensor(np.concatenate(actions), dtype=torch.float64)
        returns = torch.as_tensor(np.concatenate(returns), dtype=torch.float64)
        adv = torch.as_tensor(np.concatenate(advantages), dtype=torch.float64)
        record.append((float(returns.mean()), []))

        for _ in range(critic_steps):
            idx = torch.as_tensor(glue['rng'].integers(0, len(states), batch_size))
            norm_tar_val = returns[idx] * val_norm
            critic_loss = 0.5 * F.mse_loss(critic(states[idx]), norm_tar_val)
            critic_optimizer.zero_grad()
            critic_loss.backward()
            critic_optimizer.step()
            record.append((critic_loss.item(), snapshot(critic)))

        weights = torch.exp(adv / temp)
        weights = torch.clamp(weights, max=weight_clip)
        for _ in range(actor_steps):
            idx = torch.as_tensor(glue['rng'].integers(0, len(states), batch_size))
            dist = actor(states[idx])
            logp = dist.log_prob(actions[idx])
            actor_loss = -(weights[idx] * logp).mean()
            mean = dist.mean
            violation_min = torch.clamp(mean - torch.as_tensor(a_low, dtype=torch.float64),
                                        max=0)
            violation_max = torch.clamp(mean - torch.as_tensor(a_high, dtype=torch.float64),
                                        min=0)
            a_bound_loss = 0.5 * (violation_min.pow(2) + violation_max.pow(2)).sum(-1).mean()
            actor_loss = actor_loss + action_bound_weight * a_bound_loss
            actor_optimizer.zero_grad()
            actor_loss.backward()
            actor_optimizer.step()
            record.append((actor_loss.item(), snapshot(actor)))
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
        Independent = torch.distributions.Independent
    Distributions.Normal = Normal
    return torch, torch.nn, torch.nn.functional, torch.optim, Distributions


def test_awr_runs_step_for_step_with_pytorch(torch) -> None:
    glue = {'record': [], 'rng': np.random.default_rng(5)}
    ours = awr(*libraries(), 2, glue)
    theirs_glue = {'record': [], 'start': glue['start'], 'noise_state': glue['noise_state'],
                   'rng': np.random.default_rng(5)}
    theirs = awr(*libraries(torch, theirs_glue), 2, theirs_glue)
    assert_same_runs(ours, theirs)
    assert len(ours) == 2 * (1 + 4 + 3)
