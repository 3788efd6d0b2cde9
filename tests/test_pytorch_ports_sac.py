"""CleanRL's ``sac_continuous_action.py`` as its readers write it, on the gym-free point
mass (``point_mass_env.py``), step for step next to PyTorch (float64) from the same
initial weights and the same drawn noise: an ``Actor`` whose ``log_std`` is squashed by
``tanh`` into ``[LOG_STD_MIN, LOG_STD_MAX]``, ``action_scale``/``action_bias`` registered
as buffers, ``torch.distributions.Normal(mean, std).rsample()``, the tanh-squash
correction ``log_prob -= torch.log(action_scale * (1 - y_t.pow(2)) + 1e-6)`` summed with
``keepdim``, twin soft Q networks on ``torch.cat([x, a], 1)`` with target copies
(``load_state_dict``), automatic entropy tuning through a ``log_alpha`` leaf
(``torch.zeros(1, requires_grad=True)``) with its own Adam, delayed policy updates, Polyak
averaging of the targets, and a replay buffer in NumPy. Losses, alpha, gradients and
parameters (online and target) agree to 1e-10.

Lines written differently here, and the test's glue:
- CleanRL's ``target_param.data.copy_(tau * param.data + (1 - tau) * target_param.data)``
  is ``target_param.copy_(...)`` under ``torch.no_grad()`` in both runs: ``.data`` is a
  NumPy array here, by design (NumPy has no ``copy_``), and ``no_grad()`` is how both
  libraries write a parameter in place without recording it;
- SB3's ``ReplayBuffer`` is a small NumPy ring buffer (one environment, no
  ``infos["final_observation"]``: the point mass only truncates, and the stored next
  observation is the one ``step`` returned); ``float32`` is float64;
- the noise: our ``Normal.rsample()`` draws from autograd's default generator (a NumPy
  PCG64); the PyTorch run's ``Normal`` is a subclass whose ``rsample()`` draws the same
  numbers from a NumPy generator started in the state ours had after building the
  networks;
- the PyTorch run starts from our initial weights (``load_state_dict``).
"""

import random

import numpy as np

import autograd as ag
import nn
import nn.functional
import nn.optim
from point_mass_env import PointMass
from test_pytorch_ports_dqn import assert_same_runs, snapshot


def libraries(torch=None, glue=None) -> tuple:
    """(torch, nn, optim, F, Normal) for autograd, or for PyTorch replaying our noise."""
    if torch is None:
        return ag, nn, nn.optim, nn.functional, ag.distributions.Normal

    class Normal(torch.distributions.Normal):
        def rsample(self, sample_shape=torch.Size()):
            eps = glue['noise'].standard_normal(tuple(self._extended_shape(sample_shape)))
            return self.loc + torch.as_tensor(eps) * self.scale
    return torch, torch.nn, torch.optim, torch.nn.functional, Normal


def share_start(torch, modules, glue) -> None:
    """Our run keeps its initial weights and noise generator; PyTorch's loads both."""
    if torch is ag:
        glue['start'] = [{k: v.detach().numpy().copy() for k, v in m.state_dict().items()}
                         for m in modules]
        glue['noise_state'] = ag.default_generator.get_state()
    else:
        for m, state in zip(modules, glue['start'], strict=True):
            m.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
        glue['noise'] = np.random.default_rng()
        glue['noise'].bit_generator.state = glue['noise_state']


class ReplayBuffer:
    """A NumPy ring buffer of (obs, next_obs, action, reward, done); ``sample`` returns
    tensors of ``torch`` (SB3's ``ReplayBufferSamples`` fields)."""

    def __init__(self, torch, buffer_size, obs_dim, action_dim):
        self.torch, self.size, self.pos, self.full = torch, buffer_size, 0, False
        self.observations = np.zeros((buffer_size, obs_dim), dtype=np.float64)
        self.next_observations = np.zeros((buffer_size, obs_dim), dtype=np.float64)
        self.actions = np.zeros((buffer_size, action_dim), dtype=np.float64)
        self.rewards = np.zeros((buffer_size, 1), dtype=np.float64)
        self.dones = np.zeros((buffer_size, 1), dtype=np.float64)

    def add(self, obs, next_obs, action, reward, done):
        self.observations[self.pos], self.next_observations[self.pos] = obs, next_obs
        self.actions[self.pos], self.rewards[self.pos], self.dones[self.pos] = \
            action, reward, done
        self.pos = (self.pos + 1) % self.size
        self.full = self.full or self.pos == 0

    def sample(self, batch_size):
        inds = np.random.randint(0, self.size if self.full else self.pos, size=batch_size)
        t = self.torch
        return type('ReplayBufferSamples', (), dict(
            observations=t.as_tensor(self.observations[inds]),
            next_observations=t.as_tensor(self.next_observations[inds]),
            actions=t.as_tensor(self.actions[inds]),
            rewards=t.as_tensor(self.rewards[inds]),
            dones=t.as_tensor(self.dones[inds])))


def sac(torch, nn, optim, F, Normal, total_timesteps, glue):
    """CleanRL's sac_continuous_action.py on one point mass (sizes shrunk)."""
    record = glue['record']
    seed, gamma, tau, batch_size, learning_starts = 1, 0.99, 0.005, 8, 10
    policy_lr, q_lr, policy_frequency, target_network_frequency = 3e-4, 1e-3, 2, 1
    LOG_STD_MAX, LOG_STD_MIN = 2, -5
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    device = torch.device("cpu")
    env = PointMass()
    obs_dim, action_dim = 4, int(np.prod(env.action_space.shape))

    class SoftQNetwork(nn.Module):
        def __init__(self, env):
            super().__init__()
            self.fc1 = nn.Linear(obs_dim + action_dim, 32)
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
            self.fc_mean = nn.Linear(32, action_dim)
            self.fc_logstd = nn.Linear(32, action_dim)
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
            mean = self.fc_mean(x)
            log_std = self.fc_logstd(x)
            log_std = torch.tanh(log_std)
            log_std = LOG_STD_MIN + 0.5 * (LOG_STD_MAX - LOG_STD_MIN) * (log_std + 1)
            return mean, log_std

        def get_action(self, x):
            mean, log_std = self(x)
            std = log_std.exp()
            normal = Normal(mean, std)  # torch.distributions.Normal
            x_t = normal.rsample()  # for reparameterization trick (mean + std * N(0,1))
            y_t = torch.tanh(x_t)
            action = y_t * self.action_scale + self.action_bias
            log_prob = normal.log_prob(x_t)
            # Enforcing Action Bound
            log_prob -= torch.log(self.action_scale * (1 - y_t.pow(2)) + 1e-6)
            log_prob = log_prob.sum(1, keepdim=True)
            mean = torch.tanh(mean) * self.action_scale + self.action_bias
            return action, log_prob, mean

    actor = Actor(env).to(device)
    qf1 = SoftQNetwork(env).to(device)
    qf2 = SoftQNetwork(env).to(device)
    qf1_target = SoftQNetwork(env).to(device)
    qf2_target = SoftQNetwork(env).to(device)
    share_start(torch, [actor, qf1, qf2], glue)
    qf1_target.load_state_dict(qf1.state_dict())
    qf2_target.load_state_dict(qf2.state_dict())
    q_optimizer = optim.Adam(list(qf1.parameters()) + list(qf2.parameters()), lr=q_lr)
    actor_optimizer = optim.Adam(list(actor.parameters()), lr=policy_lr)

    # Automatic entropy tuning
    target_entropy = -torch.prod(torch.Tensor(env.action_space.shape).to(device)).item()
    log_alpha = torch.zeros(1, requires_grad=True, device=device)
    alpha = log_alpha.exp().item()
    a_optimizer = optim.Adam([log_alpha], lr=q_lr)

    rb = ReplayBuffer(torch, 64, obs_dim, action_dim)
    obs, _ = env.reset(seed=seed)
    env.action_space.sample()  # CleanRL seeds the action space; here it shares env's rng
    for global_step in range(total_timesteps):
        if global_step < learning_starts:
            actions = env.action_space.sample()
        else:
            actions, _, _ = actor.get_action(torch.Tensor(obs).to(device).unsqueeze(0))
            actions = actions.detach().cpu().numpy()[0]
        next_obs, rewards, terminations, truncations, infos = env.step(actions)
        rb.add(obs, next_obs, actions, rewards, terminations)
        obs = next_obs
        if terminations or truncations:
            obs, _ = env.reset()

        if global_step > learning_starts:
            data = rb.sample(batch_size)
            with torch.no_grad():
                next_state_actions, next_state_log_pi, _ = actor.get_action(
                    data.next_observations)
                qf1_next_target = qf1_target(data.next_observations, next_state_actions)
                qf2_next_target = qf2_target(data.next_observations, next_state_actions)
                min_qf_next_target = torch.min(qf1_next_target, qf2_next_target) \
                    - alpha * next_state_log_pi
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

            if global_step % policy_frequency == 0:  # TD 3 Delayed update support
                for _ in range(policy_frequency):
                    pi, log_pi, _ = actor.get_action(data.observations)
                    qf1_pi = qf1(data.observations, pi)
                    qf2_pi = qf2(data.observations, pi)
                    min_qf_pi = torch.min(qf1_pi, qf2_pi)
                    actor_loss = ((alpha * log_pi) - min_qf_pi).mean()

                    actor_optimizer.zero_grad()
                    actor_loss.backward()
                    actor_optimizer.step()
                    record.append((actor_loss.item(), snapshot(actor)))

                    with torch.no_grad():
                        _, log_pi, _ = actor.get_action(data.observations)
                    alpha_loss = (-log_alpha.exp() * (log_pi + target_entropy)).mean()

                    a_optimizer.zero_grad()
                    alpha_loss.backward()
                    a_optimizer.step()
                    alpha = log_alpha.exp().item()
                    record.append((alpha_loss.item(), [
                        ('log_alpha', log_alpha.detach().numpy().copy(),
                         log_alpha.grad.numpy().copy())]))
                    record.append((alpha, []))

            # update the target networks
            if global_step % target_network_frequency == 0:
                # CleanRL: target_param.data.copy_(tau * param.data + (1 - tau) * ...)
                with torch.no_grad():
                    for param, target_param in zip(qf1.parameters(), qf1_target.parameters()):
                        target_param.copy_(tau * param + (1 - tau) * target_param)
                    for param, target_param in zip(qf2.parameters(), qf2_target.parameters()):
                        target_param.copy_(tau * param + (1 - tau) * target_param)
                record.append(snapshot(qf1_target) + snapshot(qf2_target))
    glue['draws'] = (random.random(), np.random.random(), env.np_random.random())
    return record


def test_sac_runs_step_for_step_with_pytorch(torch) -> None:
    glue = {'record': []}
    ours = sac(*libraries(), 18, glue)
    theirs_glue = {'record': [], 'start': glue['start'], 'noise_state': glue['noise_state']}
    theirs = sac(*libraries(torch, theirs_glue), 18, theirs_glue)
    assert theirs_glue['draws'] == glue['draws']
    assert_same_runs(ours, theirs)
    assert len(ours) == 7 * 2 + 3 * 2 * 3
