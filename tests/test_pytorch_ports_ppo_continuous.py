"""CleanRL's ``ppo_continuous_action.py`` as its readers write it, on the gym-free point
mass (one environment behind a small auto-resetting vector wrapper), step for step next
to PyTorch (float64) from the same initial weights and the same drawn actions: a
Gaussian policy whose state-independent ``actor_logstd = nn.Parameter(torch.zeros(1,
n))`` is ``expand_as``-ed to the mean, ``Normal(mean, std)``'s ``sample``,
``log_prob(action).sum(1)`` and ``entropy().sum(1)``, rollout buffers of shape
``(num_steps, num_envs) + shape``, GAE, and minibatch epochs of the clipped surrogate and
clipped value loss (the discrete program's update, ``test_pytorch_ports_dqn_ppo.py``).
Losses, approximate KLs, gradients and parameters agree to 1e-10.

Lines written differently here (see the discrete PPO port): ``adv.std()`` is
``adv.std(correction=1)``; ``torch.nn.init``/``torch.nn.utils`` are ``nn.init``/
``nn.utils``; ``float32`` is float64; gym's observation/reward normalisation wrappers are
left out. The actions: our ``probs.sample()`` draws from autograd's default generator (a
NumPy PCG64); the PyTorch run's ``Normal`` is a subclass whose ``sample()`` draws the same
numbers from a NumPy generator started in the state ours had after building the agent.
"""

import random

import numpy as np

import autograd as ag
import nn
import nn.optim
from point_mass_env import PointMass
from test_pytorch_ports_dqn import assert_same_runs, snapshot
from test_pytorch_ports_sac import share_start


def libraries(torch=None, glue=None) -> tuple:
    """(torch, nn, optim, Normal) for autograd, or for PyTorch replaying our draws."""
    if torch is None:
        return ag, nn, nn.optim, ag.distributions.Normal

    class Normal(torch.distributions.Normal):
        def sample(self, sample_shape=torch.Size()):
            eps = glue['noise'].standard_normal(tuple(self._extended_shape(sample_shape)))
            with torch.no_grad():
                return self.loc + torch.as_tensor(eps) * self.scale
    return torch, torch.nn, torch.optim, Normal


class OneEnvVector:
    """gym's ``SyncVectorEnv`` of one environment: batched observations, auto-reset."""

    def __init__(self, env):
        self.env, self.num_envs = env, 1
        self.single_observation_space, self.single_action_space = \
            env.observation_space, env.action_space

    def reset(self, seed=None):
        obs, info = self.env.reset(seed=seed)
        return obs[None], info

    def step(self, actions):
        obs, reward, terminated, truncated, info = self.env.step(actions[0])
        if terminated or truncated:
            obs, _ = self.env.reset()
        return obs[None], np.array([reward]), np.array([terminated]), np.array([truncated]), info


def ppo_continuous(torch, nn, optim, Normal, num_iterations, glue):
    """CleanRL's ppo_continuous_action.py on one point mass (sizes shrunk)."""
    record = glue['record']
    num_envs, num_steps, update_epochs, num_minibatches = 1, 16, 2, 4
    gamma, gae_lambda, clip_coef, ent_coef, vf_coef, max_grad_norm = \
        0.99, 0.95, 0.2, 0.0, 0.5, 0.5
    learning_rate, batch_size = 3e-4, num_envs * num_steps
    minibatch_size = batch_size // num_minibatches
    seed = 1
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    device = torch.device("cpu")
    envs = OneEnvVector(PointMass())

    def layer_init(layer, std=np.sqrt(2), bias_const=0.0):
        nn.init.orthogonal_(layer.weight, std)  # torch.nn.init
        nn.init.constant_(layer.bias, bias_const)
        return layer

    class Agent(nn.Module):
        def __init__(self, envs):
            super().__init__()
            self.critic = nn.Sequential(
                layer_init(nn.Linear(np.array(envs.single_observation_space.shape).prod(), 32)),
                nn.Tanh(),
                layer_init(nn.Linear(32, 32)),
                nn.Tanh(),
                layer_init(nn.Linear(32, 1), std=1.0))
            self.actor_mean = nn.Sequential(
                layer_init(nn.Linear(np.array(envs.single_observation_space.shape).prod(), 32)),
                nn.Tanh(),
                layer_init(nn.Linear(32, 32)),
                nn.Tanh(),
                layer_init(nn.Linear(32, np.prod(envs.single_action_space.shape)), std=0.01))
            self.actor_logstd = nn.Parameter(
                torch.zeros(1, np.prod(envs.single_action_space.shape)))

        def get_value(self, x):
            return self.critic(x)

        def get_action_and_value(self, x, action=None):
            action_mean = self.actor_mean(x)
            action_logstd = self.actor_logstd.expand_as(action_mean)
            action_std = torch.exp(action_logstd)
            probs = Normal(action_mean, action_std)
            if action is None:
                action = probs.sample()
            return action, probs.log_prob(action).sum(1), probs.entropy().sum(1), \
                self.critic(x)

    agent = Agent(envs).to(device)
    share_start(torch, [agent], glue)
    optimizer = optim.Adam(agent.parameters(), lr=learning_rate, eps=1e-5)

    obs_shape, action_shape = envs.single_observation_space.shape, \
        envs.single_action_space.shape
    obs = torch.zeros((num_steps, num_envs) + obs_shape).to(device)
    actions = torch.zeros((num_steps, num_envs) + action_shape).to(device)
    logprobs = torch.zeros((num_steps, num_envs)).to(device)
    rewards = torch.zeros((num_steps, num_envs)).to(device)
    dones = torch.zeros((num_steps, num_envs)).to(device)
    values = torch.zeros((num_steps, num_envs)).to(device)

    next_obs, _ = envs.reset(seed=seed)
    next_obs = torch.Tensor(next_obs).to(device)
    next_done = torch.zeros(num_envs).to(device)
    for iteration in range(1, num_iterations + 1):
        frac = 1.0 - (iteration - 1.0) / num_iterations
        optimizer.param_groups[0]["lr"] = frac * learning_rate
        for step in range(0, num_steps):
            obs[step] = next_obs
            dones[step] = next_done
            with torch.no_grad():
                action, logprob, _, value = agent.get_action_and_value(next_obs)
                values[step] = value.flatten()
            actions[step] = action
            logprobs[step] = logprob
            next_obs, reward, terminations, truncations, infos = envs.step(action.cpu().numpy())
            next_done = np.logical_or(terminations, truncations)
            rewards[step] = torch.tensor(reward).to(device).view(-1)
            next_obs, next_done = torch.Tensor(next_obs).to(device), \
                torch.Tensor(next_done).to(device)

        with torch.no_grad():  # bootstrap value if not done
            next_value = agent.get_value(next_obs).reshape(1, -1)
            advantages = torch.zeros_like(rewards).to(device)
            lastgaelam = 0
            for t in reversed(range(num_steps)):
                if t == num_steps - 1:
                    nextnonterminal, nextvalues = 1.0 - next_done, next_value
                else:
                    nextnonterminal, nextvalues = 1.0 - dones[t + 1], values[t + 1]
                delta = rewards[t] + gamma * nextvalues * nextnonterminal - values[t]
                advantages[t] = lastgaelam = \
                    delta + gamma * gae_lambda * nextnonterminal * lastgaelam
            returns = advantages + values

        b_obs = obs.reshape((-1,) + obs_shape)
        b_logprobs = logprobs.reshape(-1)
        b_actions = actions.reshape((-1,) + action_shape)
        b_advantages, b_returns, b_values = advantages.reshape(-1), returns.reshape(-1), \
            values.reshape(-1)

        b_inds = np.arange(batch_size)
        for epoch in range(update_epochs):
            np.random.shuffle(b_inds)
            for start in range(0, batch_size, minibatch_size):
                mb_inds = b_inds[start:start + minibatch_size]
                _, newlogprob, entropy, newvalue = agent.get_action_and_value(
                    b_obs[mb_inds], b_actions[mb_inds])
                logratio = newlogprob - b_logprobs[mb_inds]
                ratio = logratio.exp()
                with torch.no_grad():
                    approx_kl = ((ratio - 1) - logratio).mean()

                mb_advantages = b_advantages[mb_inds]
                mb_advantages = (mb_advantages - mb_advantages.mean()) / (
                    mb_advantages.std(correction=1) + 1e-8)
                pg_loss1 = -mb_advantages * ratio
                pg_loss2 = -mb_advantages * torch.clamp(ratio, 1 - clip_coef, 1 + clip_coef)
                pg_loss = torch.max(pg_loss1, pg_loss2).mean()

                newvalue = newvalue.view(-1)
                v_loss_unclipped = (newvalue - b_returns[mb_inds]) ** 2
                v_clipped = b_values[mb_inds] + torch.clamp(
                    newvalue - b_values[mb_inds], -clip_coef, clip_coef)
                v_loss_clipped = (v_clipped - b_returns[mb_inds]) ** 2
                v_loss = 0.5 * torch.max(v_loss_unclipped, v_loss_clipped).mean()

                entropy_loss = entropy.mean()
                loss = pg_loss - ent_coef * entropy_loss + v_loss * vf_coef
                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(agent.parameters(), max_grad_norm)  # torch.nn.utils
                optimizer.step()
                record.append((loss.item(), snapshot(agent)))
                record.append((approx_kl.item(), []))
                record.append((entropy_loss.item(), []))
    glue['draws'] = (random.random(), np.random.random(), envs.env.np_random.random())
    return record


def test_ppo_continuous_runs_step_for_step_with_pytorch(torch) -> None:
    glue = {'record': []}
    ours = ppo_continuous(*libraries(), 2, glue)
    theirs_glue = {'record': [], 'start': glue['start'], 'noise_state': glue['noise_state']}
    theirs = ppo_continuous(*libraries(torch, theirs_glue), 2, theirs_glue)
    assert theirs_glue['draws'] == glue['draws']
    assert_same_runs(ours, theirs)
    assert len(ours) == 2 * 2 * 4 * 3
