"""PPO's clipped objective on the shared CartPole (CleanRL's ``ppo.py`` as its readers
write it, on one environment), step for step next to PyTorch (float64) from the same
initial weights: ``layer_init`` with ``nn.init.orthogonal_``/``constant_``, an actor and
a critic of ``nn.Sequential``, ``Categorical(logits=...)``'s ``sample``, ``log_prob`` and
``entropy``, a rollout stored by index into ``torch.zeros`` buffers under ``no_grad()``,
GAE computed backwards, learning-rate annealing through ``optimizer.param_groups``, and
minibatch epochs over ``np.random.shuffle``-d indices: ``ratio = logratio.exp()``,
advantages normalised with ``(adv - adv.mean()) / (adv.std() + 1e-8)``, the clipped
surrogate ``torch.min(ratio * adv, torch.clamp(ratio, 1 - eps, 1 + eps) * adv)``, the
clipped value loss with ``torch.max``, the entropy bonus, ``clip_grad_norm_``, and the
logged ``clipfracs`` and explained variance. Losses, approximate KLs, gradients and
parameters agree to 1e-10.

Lines written differently here, and the test's glue:
- ``adv.std()`` is ``adv.std(correction=1)`` in both: ``x.std()`` is NumPy's population
  std here (the README's spelling rule: NumPy wins); ``correction=1`` is PyTorch's
  default, spelled out;
- ``torch.nn.init``/``torch.nn.utils`` are ``nn.init``/``nn.utils`` (``nn`` is a package
  of its own here); ``float32`` is float64;
- the actions are drawn once: our ``probs.sample()`` draws from autograd's generator, and
  the PyTorch run's ``Categorical`` is a subclass whose ``sample()`` replays them;
- the PyTorch run starts from our initial weights (``load_state_dict``).
"""

import random
from collections import deque

import numpy as np

import autograd as ag
import nn
import nn.functional
import nn.optim
from cartpole_env import gym
from test_pytorch_ports_dqn import assert_same_runs, share_start, snapshot


def libraries(torch=None, actions=None) -> tuple:
    """(torch, nn, optim, Categorical) for autograd, or PyTorch replaying ``actions``."""
    if torch is None:
        return ag, nn, nn.optim, ag.distributions.Categorical

    class Categorical(torch.distributions.Categorical):
        def sample(self, sample_shape=torch.Size()):
            return torch.tensor(actions.popleft()).reshape(self._extended_shape(sample_shape))
    return torch, torch.nn, torch.optim, Categorical


def ppo(torch, nn, optim, Categorical, num_iterations, glue):
    """CleanRL's ppo.py on one CartPole; ``glue`` holds the record, start weights, actions."""
    record = glue['record']
    num_steps, update_epochs, num_minibatches = 32, 3, 4
    gamma, gae_lambda, clip_coef, ent_coef, vf_coef, max_grad_norm = \
        0.99, 0.95, 0.2, 0.01, 0.5, 0.5
    learning_rate, batch_size = 2.5e-4, num_steps
    minibatch_size = batch_size // num_minibatches
    seed = 1
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    device = torch.device("cpu")
    env = gym.make("CartPole-v1")

    def layer_init(layer, std=np.sqrt(2), bias_const=0.0):
        nn.init.orthogonal_(layer.weight, std)  # torch.nn.init
        nn.init.constant_(layer.bias, bias_const)
        return layer

    class Agent(nn.Module):
        def __init__(self, env):
            super().__init__()
            self.critic = nn.Sequential(
                layer_init(nn.Linear(4, 64)), nn.Tanh(),
                layer_init(nn.Linear(64, 64)), nn.Tanh(),
                layer_init(nn.Linear(64, 1), std=1.0))
            self.actor = nn.Sequential(
                layer_init(nn.Linear(4, 64)), nn.Tanh(),
                layer_init(nn.Linear(64, 64)), nn.Tanh(),
                layer_init(nn.Linear(64, env.action_space.n), std=0.01))

        def get_value(self, x):
            return self.critic(x)

        def get_action_and_value(self, x, action=None):
            logits = self.actor(x)
            probs = Categorical(logits=logits)
            if action is None:
                action = probs.sample()
            return action, probs.log_prob(action), probs.entropy(), self.critic(x)

    agent = Agent(env).to(device)
    share_start(torch, agent, glue)
    optimizer = optim.Adam(agent.parameters(), lr=learning_rate, eps=1e-5)

    obs = torch.zeros((num_steps, 4)).to(device)
    actions = torch.zeros((num_steps,)).to(device)
    logprobs = torch.zeros((num_steps,)).to(device)
    rewards = torch.zeros((num_steps,)).to(device)
    dones = torch.zeros((num_steps,)).to(device)
    values = torch.zeros((num_steps,)).to(device)

    next_obs, _ = env.reset(seed=seed)
    next_obs = torch.tensor(next_obs, dtype=torch.float64).to(device)
    next_done = torch.zeros(1).to(device)

    for iteration in range(1, num_iterations + 1):
        frac = 1.0 - (iteration - 1.0) / num_iterations
        lrnow = frac * learning_rate
        optimizer.param_groups[0]["lr"] = lrnow

        for step in range(0, num_steps):
            obs[step] = next_obs
            dones[step] = next_done
            with torch.no_grad():
                action, logprob, _, value = agent.get_action_and_value(next_obs)
                values[step] = value.flatten()
            actions[step] = action
            logprobs[step] = logprob
            glue['actions'].append(action.item())

            next_obs, reward, terminations, truncations, infos = env.step(action.cpu().numpy())
            next_done = np.logical_or(terminations, truncations)
            if next_done:
                next_obs, _ = env.reset()
            rewards[step] = torch.tensor(reward).to(device).view(-1)
            next_obs = torch.tensor(next_obs, dtype=torch.float64).to(device)
            next_done = torch.tensor(next_done, dtype=torch.float64).to(device).view(-1)

        # bootstrap value if not done
        with torch.no_grad():
            next_value = agent.get_value(next_obs).reshape(1, -1)
            advantages = torch.zeros_like(rewards).to(device)
            lastgaelam = 0
            for t in reversed(range(num_steps)):
                if t == num_steps - 1:
                    nextnonterminal = 1.0 - next_done
                    nextvalues = next_value
                else:
                    nextnonterminal = 1.0 - dones[t + 1]
                    nextvalues = values[t + 1]
                delta = rewards[t] + gamma * nextvalues * nextnonterminal - values[t]
                advantages[t] = lastgaelam = \
                    delta + gamma * gae_lambda * nextnonterminal * lastgaelam
            returns = advantages + values

        b_obs, b_logprobs, b_actions = obs.reshape((-1, 4)), logprobs.reshape(-1), \
            actions.reshape(-1)
        b_advantages, b_returns, b_values = advantages.reshape(-1), returns.reshape(-1), \
            values.reshape(-1)

        b_inds = np.arange(batch_size)
        clipfracs = []
        for epoch in range(update_epochs):
            np.random.shuffle(b_inds)
            for start in range(0, batch_size, minibatch_size):
                end = start + minibatch_size
                mb_inds = b_inds[start:end]

                _, newlogprob, entropy, newvalue = agent.get_action_and_value(
                    b_obs[mb_inds], b_actions.long()[mb_inds])
                logratio = newlogprob - b_logprobs[mb_inds]
                ratio = logratio.exp()

                with torch.no_grad():
                    old_approx_kl = (-logratio).mean()
                    approx_kl = ((ratio - 1) - logratio).mean()
                    clipfracs += [((ratio - 1.0).abs() > clip_coef).float().mean().item()]

                mb_advantages = b_advantages[mb_inds]
                mb_advantages = (mb_advantages - mb_advantages.mean()) / (
                    mb_advantages.std(correction=1) + 1e-8)

                # Policy loss: the clipped surrogate (PPO's L^CLIP, negated)
                surr1 = ratio * mb_advantages
                surr2 = torch.clamp(ratio, 1 - clip_coef, 1 + clip_coef) * mb_advantages
                pg_loss = -torch.min(surr1, surr2).mean()

                # Value loss
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
                record.append((old_approx_kl.item(), []))

        y_pred, y_true = b_values.cpu().numpy(), b_returns.cpu().numpy()
        var_y = np.var(y_true)
        explained_var = np.nan if var_y == 0 else 1 - np.var(y_true - y_pred) / var_y
        record.append((explained_var, []))
        record.append((float(np.mean(clipfracs)), []))
    glue['draws'] = (random.random(), np.random.random())
    return record


def test_ppo_runs_step_for_step_with_pytorch(torch) -> None:
    glue = {'record': [], 'actions': []}
    ours = ppo(*libraries(), 2, glue)
    theirs_glue = {'record': [], 'actions': [], 'start': glue['start']}
    theirs = ppo(*libraries(torch, deque(glue['actions'])), 2, theirs_glue)
    assert theirs_glue['actions'] == glue['actions'] and theirs_glue['draws'] == glue['draws']
    assert_same_runs(ours, theirs)
    assert len(ours) == 2 * (3 * 3 * 4 + 2) and len(glue['actions']) == 64
