"""Two DQN variants on the tutorial's program (``test_pytorch_ports_dqn.py``), step for
step next to PyTorch (float64) on the shared CartPole from the same initial weights:

- Double DQN: the policy network picks the next action, the target network rates it,
  ``target_net(s').gather(1, policy_net(s').max(1).indices.unsqueeze(1)).squeeze(1)``;
- a dueling head: a shared layer, then value and advantage streams (``nn.Sequential``)
  combined as ``value + advantage - advantage.mean(1, keepdim=True)``;
- and the other common way to write the loop (CleanRL's ``dqn.py`` habits): a NumPy ring
  buffer whose batches go in with ``torch.as_tensor(..., dtype=..., device=...)``,
  ``q.gather(1, actions.unsqueeze(1)).squeeze(1)``, ``F.mse_loss``/``F.smooth_l1_loss``,
  ``rewards + GAMMA * next_q * (1 - dones)``, ``copy.deepcopy(policy_net)`` for the
  target and a Polyak update over ``zip(target.parameters(), policy.parameters())``.

Lines written differently here: ``.max(1)`` is ``.max(dim=1)`` (see the tutorial's port);
CleanRL's ``target_param.data.copy_(tau * param.data + (1 - tau) * target_param.data)``
is ``target_param.copy_(...)`` under ``torch.no_grad()`` in both runs (``.data`` is a
NumPy array here, by design, and NumPy has no ``copy_``); ``float32`` is float64.
"""

import copy
import random

import numpy as np

from cartpole_env import gym
from test_pytorch_ports_dqn import assert_same_runs, libraries, run_both, share_start, snapshot


def dueling(nn, F):
    """The dueling network's class, built from the run's ``nn``."""

    class DuelingDQN(nn.Module):

        def __init__(self, n_observations, n_actions):
            super().__init__()
            self.feature = nn.Sequential(nn.Linear(n_observations, 64), nn.ReLU())
            self.value = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
            self.advantage = nn.Sequential(nn.Linear(64, 64), nn.ReLU(),
                                           nn.Linear(64, n_actions))

        def forward(self, x):
            x = self.feature(x)
            value = self.value(x)
            advantage = self.advantage(x)
            return value + advantage - advantage.mean(1, keepdim=True)

    return DuelingDQN


def test_double_dqn_runs_step_for_step_with_pytorch(torch) -> None:
    ours, theirs, glue = run_both(torch, double=True)
    assert_same_runs(ours, theirs)
    assert len([r for r in ours if isinstance(r, tuple)]) >= 20


def test_dueling_double_dqn_runs_step_for_step_with_pytorch(torch) -> None:
    ours, theirs, glue = run_both(torch, make_net=dueling, double=True)
    assert_same_runs(ours, theirs)
    names = [name for name, _, _ in ours[-1]]
    assert names[:2] == ['feature.0.weight', 'feature.0.bias'] and 'value.2.bias' in names


class ReplayBuffer:
    """A NumPy ring buffer, as CleanRL's and most scripts' (stable-baselines3's shape)."""

    def __init__(self, capacity, obs_dim):
        self.obs = np.zeros((capacity, obs_dim), dtype=np.float64)
        self.next_obs = np.zeros((capacity, obs_dim), dtype=np.float64)
        self.actions = np.zeros(capacity, dtype=np.int64)
        self.rewards = np.zeros(capacity, dtype=np.float64)
        self.dones = np.zeros(capacity, dtype=np.float64)
        self.capacity, self.pos, self.full = capacity, 0, False

    def add(self, obs, next_obs, action, reward, done):
        i = self.pos
        self.obs[i], self.next_obs[i], self.actions[i] = obs, next_obs, action
        self.rewards[i], self.dones[i] = reward, done
        self.pos = (self.pos + 1) % self.capacity
        self.full = self.full or self.pos == 0

    def sample(self, batch_size):
        idx = np.random.randint(0, self.capacity if self.full else self.pos, size=batch_size)
        return self.obs[idx], self.actions[idx], self.next_obs[idx], self.rewards[idx], \
            self.dones[idx]


def cleanrl_dqn(torch, nn, F, optim, total_timesteps, glue, make_net=None, double=False):
    """A CleanRL-style DQN loop: NumPy buffer, ``as_tensor`` batches, Polyak update."""
    record = glue['record']
    seed, tau, gamma, batch_size, learning_starts = 1, 0.05, 0.99, 12, 16
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    device = torch.device("cpu")
    env = gym.make("CartPole-v1")

    class QNetwork(nn.Module):
        def __init__(self, env):
            super().__init__()
            self.network = nn.Sequential(
                nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(),
                nn.Linear(32, env.action_space.n))

        def forward(self, x):
            return self.network(x)

    q_network = QNetwork(env).to(device)
    share_start(torch, q_network, glue)
    optimizer = optim.Adam(q_network.parameters(), lr=1e-3)
    target_network = copy.deepcopy(q_network)
    rb = ReplayBuffer(64, 4)
    obs, _ = env.reset(seed=seed)
    for global_step in range(total_timesteps):
        epsilon = max(0.05, 1.0 - global_step / 30)
        if random.random() < epsilon:
            action = env.action_space.sample()
        else:
            q_values = q_network(torch.as_tensor(obs, dtype=torch.float64, device=device))
            action = torch.argmax(q_values).cpu().numpy().item()
        glue['actions'].append(action)
        next_obs, reward, terminated, truncated, _ = env.step(action)
        rb.add(obs, next_obs, action, reward, terminated)
        obs = next_obs if not (terminated or truncated) else env.reset()[0]
        if global_step < learning_starts:
            continue
        b_obs, b_actions, b_next_obs, b_rewards, b_dones = (
            torch.as_tensor(a, device=device) for a in rb.sample(batch_size))
        with torch.no_grad():
            target_max, _ = target_network(b_next_obs).max(dim=1)
            td_target = b_rewards.flatten() + gamma * target_max * (1 - b_dones.flatten())
        old_val = q_network(b_obs).gather(1, b_actions.unsqueeze(1)).squeeze(1)
        loss = F.mse_loss(td_target, old_val) if global_step % 2 else \
            F.smooth_l1_loss(old_val, td_target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        record.append((loss.item(), snapshot(q_network)))
        # CleanRL: target_network_param.data.copy_(tau * q_network_param.data + ...)
        with torch.no_grad():
            for target_network_param, q_network_param in zip(target_network.parameters(),
                                                              q_network.parameters()):
                target_network_param.copy_(
                    tau * q_network_param + (1.0 - tau) * target_network_param)
    record.append([(name, p.detach().numpy().copy(), None)
                   for name, p in target_network.named_parameters()])
    glue['draws'] = (random.random(), np.random.random())
    return record


def test_cleanrl_style_dqn_runs_step_for_step_with_pytorch(torch) -> None:
    glue = {'record': [], 'actions': []}
    ours = cleanrl_dqn(*libraries(), 60, glue)
    theirs_glue = {'record': [], 'actions': [], 'start': glue['start']}
    theirs = cleanrl_dqn(*libraries(torch), 60, theirs_glue)
    assert theirs_glue['actions'] == glue['actions'] and theirs_glue['draws'] == glue['draws']
    assert_same_runs(ours, theirs)
    assert len(ours) == 60 - 16 + 1
