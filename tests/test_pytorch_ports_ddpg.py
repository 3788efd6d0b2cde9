"""CleanRL's ``ddpg_continuous_action.py`` as its readers write it, on the gym-free point
mass, step for step next to PyTorch (float64) from the same initial weights and the same
drawn exploration noise: a deterministic ``Actor`` with ``action_scale``/``action_bias``
buffers, ``actions += torch.normal(0, actor.action_scale * exploration_noise)``, one
critic and its target for the TD target, the actor trained on ``-qf1(s, actor(s))``, and
Polyak averaging of both targets. Losses, gradients and parameters agree to 1e-10.

Lines written differently here (see also the SAC and TD3 ports): CleanRL's
``target_param.data.copy_(tau * param.data + (1 - tau) * target_param.data)`` is
``target_param.data = tau * param.data + (1 - tau) * target_param.data``, which both
libraries run alike: ``.data`` is the NumPy array here (by design; NumPy has no
``copy_``) and assigning it replaces the values untracked, as PyTorch's ``.data =`` does;
``torch.backends.cudnn.deterministic = True`` is dropped; ``float32`` is float64.
"""

import random

import numpy as np

from point_mass_env import PointMass
from test_pytorch_ports_dqn import assert_same_runs, snapshot
from test_pytorch_ports_sac import ReplayBuffer, libraries, share_start
from test_pytorch_ports_td3 import replaying


def ddpg(torch, nn, optim, F, total_timesteps, glue):
    """CleanRL's ddpg_continuous_action.py on one point mass (sizes shrunk)."""
    record = glue['record']
    seed, gamma, tau, batch_size, learning_starts, learning_rate = 1, 0.99, 0.005, 8, 10, 3e-4
    exploration_noise, policy_frequency = 0.1, 2
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    device = torch.device("cpu")
    env = PointMass()
    obs_dim = np.array(env.observation_space.shape).prod()

    class QNetwork(nn.Module):
        def __init__(self, env):
            super().__init__()
            self.fc1 = nn.Linear(obs_dim + np.prod(env.action_space.shape), 32)
            self.fc2 = nn.Linear(32, 32)
            self.fc3 = nn.Linear(32, 1)

        def forward(self, x, a):
            x = torch.cat([x, a], 1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            x = self.fc3(x)
            return x

    class Actor(nn.Module):
        def __init__(self, env):
            super().__init__()
            self.fc1 = nn.Linear(obs_dim, 32)
            self.fc2 = nn.Linear(32, 32)
            self.fc_mu = nn.Linear(32, np.prod(env.action_space.shape))
            # action rescaling
            self.register_buffer(
                "action_scale",
                torch.tensor((env.action_space.high - env.action_space.low) / 2.0,
                             dtype=torch.float64))
            self.register_buffer(
                "action_bias",
                torch.tensor((env.action_space.high + env.action_space.low) / 2.0,
                             dtype=torch.float64))

        def forward(self, x):
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            x = torch.tanh(self.fc_mu(x))
            return x * self.action_scale + self.action_bias

    actor = Actor(env).to(device)
    qf1 = QNetwork(env).to(device)
    qf1_target = QNetwork(env).to(device)
    target_actor = Actor(env).to(device)
    share_start(torch, [actor, qf1], glue)
    if 'noise' in glue:
        torch = replaying(torch, glue)
    target_actor.load_state_dict(actor.state_dict())
    qf1_target.load_state_dict(qf1.state_dict())
    q_optimizer = optim.Adam(list(qf1.parameters()), lr=learning_rate)
    actor_optimizer = optim.Adam(list(actor.parameters()), lr=learning_rate)

    rb = ReplayBuffer(torch, 64, obs_dim, 2)
    obs, _ = env.reset(seed=seed)
    for global_step in range(total_timesteps):
        if global_step < learning_starts:
            actions = env.action_space.sample()
        else:
            with torch.no_grad():
                actions = actor(torch.Tensor(obs).to(device))
                actions += torch.normal(0, actor.action_scale * exploration_noise)
                actions = actions.cpu().numpy().clip(env.action_space.low, env.action_space.high)
        next_obs, rewards, terminations, truncations, infos = env.step(actions)
        rb.add(obs, next_obs, actions, rewards, terminations)
        obs = next_obs
        if terminations or truncations:
            obs, _ = env.reset()

        if global_step > learning_starts:
            data = rb.sample(batch_size)
            with torch.no_grad():
                next_state_actions = target_actor(data.next_observations)
                qf1_next_target = qf1_target(data.next_observations, next_state_actions)
                next_q_value = data.rewards.flatten() + \
                    (1 - data.dones.flatten()) * gamma * (qf1_next_target).view(-1)

            qf1_a_values = qf1(data.observations, data.actions).view(-1)
            qf1_loss = F.mse_loss(qf1_a_values, next_q_value)

            # optimize the model
            q_optimizer.zero_grad()
            qf1_loss.backward()
            q_optimizer.step()
            record.append((qf1_loss.item(), snapshot(qf1)))

            if global_step % policy_frequency == 0:
                actor_loss = -qf1(data.observations, actor(data.observations)).mean()
                actor_optimizer.zero_grad()
                actor_loss.backward()
                actor_optimizer.step()
                record.append((actor_loss.item(), snapshot(actor)))

                # update the target network (CleanRL: target_param.data.copy_(...))
                for param, target_param in zip(actor.parameters(), target_actor.parameters()):
                    target_param.data = tau * param.data + (1 - tau) * target_param.data
                for param, target_param in zip(qf1.parameters(), qf1_target.parameters()):
                    target_param.data = tau * param.data + (1 - tau) * target_param.data
                record.append(snapshot(target_actor) + snapshot(qf1_target))
    glue['draws'] = (random.random(), np.random.random(), env.np_random.random())
    return record


def test_ddpg_runs_step_for_step_with_pytorch(torch) -> None:
    glue = {'record': []}
    ours = ddpg(*libraries()[:4], 18, glue)
    theirs_glue = {'record': [], 'start': glue['start'], 'noise_state': glue['noise_state']}
    theirs = ddpg(*libraries(torch, theirs_glue)[:4], 18, theirs_glue)
    assert theirs_glue['draws'] == glue['draws']
    assert_same_runs(ours, theirs)
    assert len(ours) == 7 + 3 * 2
