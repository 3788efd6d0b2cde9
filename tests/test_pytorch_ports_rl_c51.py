"""C51, the categorical distributional DQN (Bellemare et al. 2017), ported as its readers
write it, in two common shapes, step for step next to PyTorch (float64) on the shared
CartPole (``tests/cartpole_env.py``) from the same initial weights:

- CleanRL's ``c51.py``: a ``QNetwork`` with ``register_buffer("atoms", torch.linspace(...))``,
  ``torch.softmax(logits.view(len(x), self.n, self.n_atoms), dim=2)``, Q-values
  ``(pmfs * self.atoms).sum(2)``, ``pmfs[torch.arange(len(x)), action]``, epsilon-greedy
  from ``linear_schedule``, ``optim.Adam(..., eps=0.01 / batch_size)``, the projection of
  the target distribution with ``floor``/``ceil``/``clamp``, ``(l == u).float()`` and a
  ``target_pmfs[i].index_add_(0, l[i].long(), d_m_l[i])`` per row, the cross-entropy
  ``-(target_pmfs * old_pmfs.clamp(min=1e-5, max=1 - 1e-5).log()).sum(-1)).mean()`` and
  ``target_network.load_state_dict(q_network.state_dict())``;
- the Rainbow-tutorial projection (Curt-Park's ``rainbow-is-all-you-need``): an ``offset``
  from ``torch.linspace(0, (batch_size - 1) * atom_size, batch_size).long()
  .unsqueeze(1).expand(batch_size, atom_size)``, and ``proj_dist.view(-1).index_add_(0,
  (l + offset).view(-1), ...)`` writing the whole batch through a flat view; the network
  returns ``dist.clamp(min=1e-3)`` and the loss is ``-(proj_dist * log_p).sum(1).mean()``.

Lines written differently here: ``float32`` is ``float64`` (the comparison is in float64);
the sizes shrink (51 atoms, a 32-unit network, a few hundred steps) so the test runs in
seconds; the replay buffer is a NumPy ring buffer (stable-baselines3's ``ReplayBuffer`` is
not installed), sampled with ``np.random`` seeded alike in both runs.
"""

import random

import numpy as np

from cartpole_env import gym
from test_pytorch_ports_dqn import libraries, share_start, snapshot
from test_pytorch_ports_dqn_variants import ReplayBuffer


def linear_schedule(start_e: float, end_e: float, duration: int, t: int):
    slope = (end_e - start_e) / duration
    return max(slope * t + start_e, end_e)


def project_per_row(torch, next_pmfs, next_atoms, v_min, v_max, n_atoms, atoms):
    """CleanRL's projection: one ``index_add_`` per row of the batch."""
    delta_z = atoms[1] - atoms[0]
    tz = next_atoms.clamp(v_min, v_max)

    b = (tz - v_min) / delta_z
    l = b.floor().clamp(0, n_atoms - 1)  # noqa: E741 (CleanRL's name)
    u = b.ceil().clamp(0, n_atoms - 1)
    # (l == u).float() handles the case where bj is exactly an integer
    d_m_l = (u + (l == u).float() - b) * next_pmfs
    d_m_u = (b - l) * next_pmfs
    target_pmfs = torch.zeros_like(next_pmfs)
    for i in range(target_pmfs.size(0)):
        target_pmfs[i].index_add_(0, l[i].long(), d_m_l[i])
        target_pmfs[i].index_add_(0, u[i].long(), d_m_u[i])
    return target_pmfs


def project_with_offset(torch, next_dist, t_z, v_min, v_max, atom_size, batch_size):
    """The Rainbow tutorial's projection: the whole batch through ``view(-1)``."""
    delta_z = float(v_max - v_min) / (atom_size - 1)
    t_z = t_z.clamp(min=v_min, max=v_max)
    b = (t_z - v_min) / delta_z
    l = b.floor().long()  # noqa: E741 (the tutorial's name)
    u = b.ceil().long()

    offset = (
        torch.linspace(
            0, (batch_size - 1) * atom_size, batch_size
        ).long()
        .unsqueeze(1)
        .expand(batch_size, atom_size)
    )

    proj_dist = torch.zeros(next_dist.size())
    proj_dist.view(-1).index_add_(
        0, (l + offset).view(-1), (next_dist * (u.float() - b)).view(-1)
    )
    proj_dist.view(-1).index_add_(
        0, (u + offset).view(-1), (next_dist * (b - l.float())).view(-1)
    )
    return proj_dist


def c51(torch, nn, F, optim, total_timesteps, glue, rainbow_projection=False):
    """CleanRL's ``c51.py`` loop (one environment); ``rainbow_projection`` swaps in the
    Rainbow tutorial's projection and loss. ``glue`` holds the run's record."""
    record = glue['record']
    seed, gamma, batch_size, learning_starts = 1, 0.99, 8, 20
    n_atoms, v_min, v_max, target_network_frequency = 51, -10, 10, 15
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    device = torch.device("cpu")
    env = gym.make("CartPole-v1")

    class QNetwork(nn.Module):
        def __init__(self, env, n_atoms=101, v_min=-100, v_max=100):
            super().__init__()
            self.env = env
            self.n_atoms = n_atoms
            self.register_buffer("atoms", torch.linspace(v_min, v_max, steps=n_atoms))
            self.n = env.action_space.n
            self.network = nn.Sequential(
                nn.Linear(np.array((4,)).prod(), 32),
                nn.ReLU(),
                nn.Linear(32, 32),
                nn.ReLU(),
                nn.Linear(32, self.n * n_atoms),
            )

        def get_action(self, x, action=None):
            logits = self.network(x)
            # probability mass function for each action
            pmfs = torch.softmax(logits.view(len(x), self.n, self.n_atoms), dim=2)
            q_values = (pmfs * self.atoms).sum(2)
            if action is None:
                action = torch.argmax(q_values, 1)
            return action, pmfs[torch.arange(len(x)), action]

        def dist(self, x):  # the Rainbow tutorial's Network.dist
            q_atoms = self.network(x).view(-1, self.n, self.n_atoms)
            dist = F.softmax(q_atoms, dim=-1)
            return dist.clamp(min=1e-3)  # for avoiding nans

    q_network = QNetwork(env, n_atoms=n_atoms, v_min=v_min, v_max=v_max).to(device)
    share_start(torch, q_network, glue)
    optimizer = optim.Adam(q_network.parameters(), lr=2.5e-4, eps=0.01 / batch_size)
    target_network = QNetwork(env, n_atoms=n_atoms, v_min=v_min, v_max=v_max).to(device)
    target_network.load_state_dict(q_network.state_dict())
    rb = ReplayBuffer(128, 4)

    obs, _ = env.reset(seed=seed)
    for global_step in range(total_timesteps):
        epsilon = linear_schedule(1, 0.05, 60, global_step)
        if random.random() < epsilon:
            action = env.action_space.sample()
        else:
            action, pmf = q_network.get_action(torch.Tensor(obs[None]).to(device))
            action = action.cpu().numpy()[0]
        glue['actions'].append(int(action))
        next_obs, reward, terminated, truncated, _ = env.step(action)
        rb.add(obs, next_obs, action, reward, terminated)
        obs = next_obs if not (terminated or truncated) else env.reset()[0]

        if global_step > learning_starts:
            b_obs, b_actions, b_next_obs, b_rewards, b_dones = (
                torch.as_tensor(a, device=device) for a in rb.sample(batch_size))
            if rainbow_projection:
                with torch.no_grad():
                    next_action = target_network.dist(b_next_obs).mul(
                        target_network.atoms).sum(2).argmax(1)
                    next_dist = target_network.dist(b_next_obs)
                    next_dist = next_dist[range(batch_size), next_action]
                    t_z = b_rewards.unsqueeze(1) + (1 - b_dones.unsqueeze(1)) * gamma \
                        * target_network.atoms
                    target_pmfs = project_with_offset(torch, next_dist, t_z, v_min, v_max,
                                                      n_atoms, batch_size)
                dist = q_network.dist(b_obs)
                log_p = torch.log(dist[range(batch_size), b_actions])
                loss = -(target_pmfs * log_p).sum(1).mean()
            else:
                with torch.no_grad():
                    _, next_pmfs = target_network.get_action(b_next_obs)
                    next_atoms = b_rewards.unsqueeze(1) + gamma * target_network.atoms \
                        * (1 - b_dones.unsqueeze(1))
                    target_pmfs = project_per_row(torch, next_pmfs, next_atoms, v_min,
                                                  v_max, n_atoms, target_network.atoms)
                _, old_pmfs = q_network.get_action(b_obs, b_actions.flatten())
                loss = (-(target_pmfs * old_pmfs.clamp(min=1e-5, max=1 - 1e-5).log())
                        .sum(-1)).mean()
                # CleanRL's (l == u) term keeps all the mass (the tutorial's loses the
                # mass of atoms landing exactly on a support point, e.g. clamped at v_max)
                np.testing.assert_allclose(target_pmfs.sum(1).numpy(), 1.0, rtol=1e-12)

            # optimize the model
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            record.append((loss.item(), snapshot(q_network)))

            # update target network
            if global_step % target_network_frequency == 0:
                target_network.load_state_dict(q_network.state_dict())
    record.append([(name, p.detach().numpy().copy(), None)
                   for name, p in target_network.named_parameters()])
    glue['draws'] = (random.random(), np.random.random())
    return record


def run_both(torch, **variant) -> tuple:
    """Our run, then PyTorch's from our initial weights; the same draws in both."""
    from test_pytorch_ports_dqn import assert_same_runs
    glue = {'record': [], 'actions': []}
    ours = c51(*libraries(), 90, glue, **variant)
    theirs_glue = {'record': [], 'actions': [], 'start': glue['start']}
    theirs = c51(*libraries(torch), 90, theirs_glue, **variant)
    assert theirs_glue['actions'] == glue['actions']
    assert theirs_glue['draws'] == glue['draws']
    assert_same_runs(ours, theirs)
    return ours, glue


def test_cleanrl_c51_runs_step_for_step_with_pytorch(torch) -> None:
    ours, glue = run_both(torch)
    assert len(ours) == 90 - 21 + 1
    assert len(set(glue['actions'][60:])) == 2


def test_rainbow_c51_projection_runs_step_for_step_with_pytorch(torch) -> None:
    ours, glue = run_both(torch, rainbow_projection=True)
    assert len(ours) == 90 - 21 + 1
