"""CleanRL's ``td3_continuous_action.py`` as its readers write it, on the gym-free point
mass, step for step next to PyTorch (float64) from the same initial weights and the same
drawn noise: a deterministic ``Actor`` (``tanh`` then ``action_scale``/``action_bias``
buffers), exploration by ``actions += torch.normal(0, actor.action_scale *
exploration_noise)`` under ``no_grad()``, target policy smoothing with clipped noise
``(torch.randn_like(actions, device=device) * policy_noise).clamp(-noise_clip,
noise_clip) * action_scale`` and ``.clamp(low, high)`` with tensor bounds (one per action
axis), the min of the two target critics, delayed actor updates on ``-qf1(s, actor(s))``,
and Polyak averaging of the actor's and both critics' targets. Losses, gradients and
parameters (online and target) agree to 1e-10.

Lines written differently here, and the test's glue (see also the SAC port):
- ``target_param.data.copy_(...)`` is ``target_param.copy_(...)`` under ``no_grad()`` in
  both runs (``.data`` is a NumPy array here, by design, and NumPy has no ``copy_``);
- ``torch.backends.cudnn.deterministic = True`` is dropped (no cuDNN here: the name is a
  ``MissingNameError`` saying so); ``float32`` is float64;
- the noise: our ``torch.normal`` and ``torch.randn_like`` draw from autograd's default
  generator (a NumPy PCG64); in the PyTorch run ``torch`` is PyTorch with those two
  functions drawing the same numbers from a NumPy generator started in the state ours
  had after building the networks.
"""

import random
from types import SimpleNamespace

import numpy as np

from point_mass_env import PointMass
from test_pytorch_ports_dqn import assert_same_runs, snapshot
from test_pytorch_ports_sac import ReplayBuffer, libraries, share_start


def replaying(torch, glue):
    """PyTorch's namespace where ``normal(mean, std)`` and ``randn_like`` draw from
    ``glue['noise']`` (a NumPy generator) instead of PyTorch's generator."""
    def normal(mean, std):
        return mean + torch.as_tensor(glue['noise'].standard_normal(tuple(std.shape))) * std

    def randn_like(x, device=None):
        return torch.as_tensor(glue['noise'].standard_normal(tuple(x.shape)))
    names = {name: getattr(torch, name) for name in dir(torch) if not name.startswith('__')}
    return SimpleNamespace(**{**names, 'normal': normal, 'randn_like': randn_like})


def td3(torch, nn, optim, F, total_timesteps, glue):
    """CleanRL's td3_continuous_action.py on one point mass (sizes shrunk)."""
    record = glue['record']
    seed, gamma, tau, batch_size, learning_starts, learning_rate = 1, 0.99, 0.005, 8, 10, 3e-4
    exploration_noise, policy_frequency, noise_clip, policy_noise = 0.1, 2, 0.5, 0.2
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    device = torch.device("cpu")
    env = PointMass()
    obs_dim = 4

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
    qf2 = QNetwork(env).to(device)
    qf1_target = QNetwork(env).to(device)
    qf2_target = QNetwork(env).to(device)
    target_actor = Actor(env).to(device)
    share_start(torch, [actor, qf1, qf2], glue)
    if 'noise' in glue:
        torch = replaying(torch, glue)
    target_actor.load_state_dict(actor.state_dict())
    qf1_target.load_state_dict(qf1.state_dict())
    qf2_target.load_state_dict(qf2.state_dict())
    q_optimizer = optim.Adam(list(qf1.parameters()) + list(qf2.parameters()), lr=learning_rate)
    actor_optimizer = optim.Adam(list(actor.parameters()), lr=learning_rate)
    low = torch.tensor(env.action_space.low, dtype=torch.float64)
    high = torch.tensor(env.action_space.high, dtype=torch.float64)

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
                clipped_noise = (torch.randn_like(data.actions, device=device) * policy_noise
                                 ).clamp(-noise_clip, noise_clip) * target_actor.action_scale
                next_state_actions = (target_actor(data.next_observations) + clipped_noise
                                      ).clamp(low, high)
                qf1_next_target = qf1_target(data.next_observations, next_state_actions)
                qf2_next_target = qf2_target(data.next_observations, next_state_actions)
                min_qf_next_target = torch.min(qf1_next_target, qf2_next_target)
                next_q_value = data.rewards.flatten() + \
                    (1 - data.dones.flatten()) * gamma * (min_qf_next_target).view(-1)

            qf1_a_values = qf1(data.observations, data.actions).view(-1)
            qf2_a_values = qf2(data.observations, data.actions).view(-1)
            qf1_loss = F.mse_loss(qf1_a_values, next_q_value)
            qf2_loss = F.mse_loss(qf2_a_values, next_q_value)
            qf_loss = qf1_loss + qf2_loss

            # optimize the model
            q_optimizer.zero_grad()
            qf_loss.backward()
            q_optimizer.step()
            record.append((qf_loss.item(), snapshot(qf1) + snapshot(qf2)))

            if global_step % policy_frequency == 0:
                actor_loss = -qf1(data.observations, actor(data.observations)).mean()
                actor_optimizer.zero_grad()
                actor_loss.backward()
                actor_optimizer.step()
                record.append((actor_loss.item(), snapshot(actor)))

                # update the target network
                # CleanRL: target_param.data.copy_(tau * param.data + (1 - tau) * ...)
                with torch.no_grad():
                    for param, target_param in zip(actor.parameters(),
                                                   target_actor.parameters()):
                        target_param.copy_(tau * param + (1 - tau) * target_param)
                    for param, target_param in zip(qf1.parameters(), qf1_target.parameters()):
                        target_param.copy_(tau * param + (1 - tau) * target_param)
                    for param, target_param in zip(qf2.parameters(), qf2_target.parameters()):
                        target_param.copy_(tau * param + (1 - tau) * target_param)
                record.append(snapshot(target_actor) + snapshot(qf1_target)
                              + snapshot(qf2_target))
    glue['draws'] = (random.random(), np.random.random(), env.np_random.random())
    return record


def test_td3_runs_step_for_step_with_pytorch(torch) -> None:
    glue = {'record': []}
    ours = td3(*libraries()[:4], 18, glue)
    theirs_glue = {'record': [], 'start': glue['start'], 'noise_state': glue['noise_state']}
    theirs = td3(*libraries(torch, theirs_glue)[:4], 18, theirs_glue)
    assert theirs_glue['draws'] == glue['draws']
    assert_same_runs(ours, theirs)
    assert len(ours) == 7 + 3 * 2
