"""Denis Yarats's ``pytorch_sac`` (``agent/sac.py``, ``agent/actor.py``,
``agent/critic.py``, ``utils.py``) as its readers write it, on the gym-free point mass,
step for step next to PyTorch (float64) from the same initial weights and noise: a
``SquashedNormal`` subclassing ``pyd.transformed_distribution.TransformedDistribution``
with a user-written ``TanhTransform(pyd.transforms.Transform)`` (class-level ``domain``/
``codomain`` constraints, ``cache_size=1``, ``atanh`` by ``log1p``, the Jacobian
``2 (log 2 - x - softplus(-2x))``), a ``DiagGaussianActor`` whose ``trunk(obs).chunk(2,
dim=-1)`` gives mean and log-std, a ``DoubleQCritic``, ``weight_init`` through
``module.apply`` (``nn.init.orthogonal_(m.weight.data)``), a learnable temperature
``log_alpha = torch.tensor(np.log(init_temperature))`` made a leaf by
``requires_grad = True`` with its own Adam and ``betas``, ``eval_mode`` for acting, and
``soft_update_params``. Losses, gradients and parameters agree to 1e-10.

Lines written differently here (see also the CleanRL ports): ``.data`` is the NumPy array
(by design), so ``m.bias.data.fill_(0.0)`` is ``m.bias.data[...] = 0.0`` and
``target_param.data.copy_(tau * param.data + ...)`` assigns ``target_param.data``: both
libraries run these alike. ``torch.FloatTensor``/``.float()`` are ``DoubleTensor``/
``.double()`` (float32 is float64); ``torch.optim`` is ``nn.optim``; hydra's configuration
is the constructors' arguments; the logger is left out. The noise: the PyTorch run's
``pyd`` is ``torch.distributions`` with a ``Normal`` drawing our numbers (see the SAC
port's ``libraries``).
"""

import math
from types import SimpleNamespace

import numpy as np

from point_mass_env import PointMass
from test_pytorch_ports_dqn import assert_same_runs, snapshot
from test_pytorch_ports_sac import libraries, share_start


def pytorch_sac(torch, nn, optim, F, pyd, num_train_steps, glue):
    """pytorch_sac's agent and training loop on one point mass (sizes shrunk)."""
    record = glue['record']
    np.random.seed(1)
    torch.manual_seed(1)

    def mlp(input_dim, hidden_dim, output_dim, hidden_depth, output_mod=None):
        if hidden_depth == 0:
            mods = [nn.Linear(input_dim, output_dim)]
        else:
            mods = [nn.Linear(input_dim, hidden_dim), nn.ReLU(inplace=True)]
            for i in range(hidden_depth - 1):
                mods += [nn.Linear(hidden_dim, hidden_dim), nn.ReLU(inplace=True)]
            mods.append(nn.Linear(hidden_dim, output_dim))
        if output_mod is not None:
            mods.append(output_mod)
        trunk = nn.Sequential(*mods)
        return trunk

    def weight_init(m):
        """Custom weight init for Conv2D and Linear layers."""
        if isinstance(m, nn.Linear):
            nn.init.orthogonal_(m.weight.data)
            if hasattr(m.bias, 'data'):
                m.bias.data[...] = 0.0  # pytorch_sac: m.bias.data.fill_(0.0)

    def soft_update_params(net, target_net, tau):
        for param, target_param in zip(net.parameters(), target_net.parameters()):
            # pytorch_sac: target_param.data.copy_(tau * param.data + ...)
            target_param.data = tau * param.data + (1 - tau) * target_param.data

    class eval_mode(object):
        def __init__(self, *models):
            self.models = models

        def __enter__(self):
            self.prev_states = []
            for model in self.models:
                self.prev_states.append(model.training)
                model.train(False)

        def __exit__(self, *args):
            for model, state in zip(self.models, self.prev_states):
                model.train(state)
            return False

    class TanhTransform(pyd.transforms.Transform):
        domain = pyd.constraints.real
        codomain = pyd.constraints.interval(-1.0, 1.0)
        bijective = True
        sign = +1

        def __init__(self, cache_size=1):
            super().__init__(cache_size=cache_size)

        @staticmethod
        def atanh(x):
            return 0.5 * (x.log1p() - (-x).log1p())

        def __eq__(self, other):
            return isinstance(other, TanhTransform)

        def _call(self, x):
            return x.tanh()

        def _inverse(self, y):
            # We do not clamp to the boundary here as it may degrade the performance of
            # certain algorithms. one should use `cache_size=1` instead
            return self.atanh(y)

        def log_abs_det_jacobian(self, x, y):
            # We use a formula that is more numerically stable, see details in the following
            # link https://github.com/tensorflow/probability/commit/ef6bb176e0ebd1cf6e25c6b5cecdd2428c22963f#diff-e120f70e92e6741bca649f04fcd907b7
            return 2. * (math.log(2.) - x - F.softplus(-2. * x))

    class SquashedNormal(pyd.transformed_distribution.TransformedDistribution):
        def __init__(self, loc, scale):
            self.loc = loc
            self.scale = scale
            self.base_dist = pyd.Normal(loc, scale)
            transforms = [TanhTransform()]
            super().__init__(self.base_dist, transforms)

        @property
        def mean(self):
            mu = self.loc
            for tr in self.transforms:
                mu = tr(mu)
            return mu

    class DiagGaussianActor(nn.Module):
        """torch.distributions implementation of an diagonal Gaussian policy."""
        def __init__(self, obs_dim, action_dim, hidden_dim, hidden_depth, log_std_bounds):
            super().__init__()
            self.log_std_bounds = log_std_bounds
            self.trunk = mlp(obs_dim, hidden_dim, 2 * action_dim, hidden_depth)
            self.outputs = dict()
            self.apply(weight_init)

        def forward(self, obs):
            mu, log_std = self.trunk(obs).chunk(2, dim=-1)
            # constrain log_std inside [log_std_min, log_std_max]
            log_std = torch.tanh(log_std)
            log_std_min, log_std_max = self.log_std_bounds
            log_std = log_std_min + 0.5 * (log_std_max - log_std_min) * (log_std + 1)
            std = log_std.exp()
            self.outputs['mu'] = mu
            self.outputs['std'] = std
            dist = SquashedNormal(mu, std)
            return dist

    class DoubleQCritic(nn.Module):
        """Critic network, employes double Q-learning."""
        def __init__(self, obs_dim, action_dim, hidden_dim, hidden_depth):
            super().__init__()
            self.Q1 = mlp(obs_dim + action_dim, hidden_dim, 1, hidden_depth)
            self.Q2 = mlp(obs_dim + action_dim, hidden_dim, 1, hidden_depth)
            self.outputs = dict()
            self.apply(weight_init)

        def forward(self, obs, action):
            assert obs.size(0) == action.size(0)
            obs_action = torch.cat([obs, action], dim=-1)
            q1 = self.Q1(obs_action)
            q2 = self.Q2(obs_action)
            self.outputs['q1'] = q1
            self.outputs['q2'] = q2
            return q1, q2

    class SACAgent:
        """SAC algorithm."""
        def __init__(self, obs_dim, action_dim, action_range, device, discount,
                     init_temperature, alpha_lr, alpha_betas, actor_lr, actor_betas,
                     actor_update_frequency, critic_lr, critic_betas, critic_tau,
                     critic_target_update_frequency, batch_size, learnable_temperature):
            self.action_range = action_range
            self.device = torch.device(device)
            self.discount, self.critic_tau, self.batch_size = discount, critic_tau, batch_size
            self.actor_update_frequency = actor_update_frequency
            self.critic_target_update_frequency = critic_target_update_frequency
            self.learnable_temperature = learnable_temperature
            self.critic = DoubleQCritic(obs_dim, action_dim, 16, 2).to(self.device)
            self.critic_target = DoubleQCritic(obs_dim, action_dim, 16, 2).to(self.device)
            self.critic_target.load_state_dict(self.critic.state_dict())
            self.actor = DiagGaussianActor(obs_dim, action_dim, 16, 2, [-5, 2]).to(self.device)
            self.log_alpha = torch.tensor(np.log(init_temperature)).to(self.device)
            self.log_alpha.requires_grad = True
            # set target entropy to -|A|
            self.target_entropy = -action_dim
            # torch.optim.Adam: torch.optim is nn.optim here (nn is a package of its own)
            self.actor_optimizer = optim.Adam(self.actor.parameters(), lr=actor_lr,
                                                    betas=actor_betas)
            self.critic_optimizer = optim.Adam(self.critic.parameters(), lr=critic_lr,
                                                     betas=critic_betas)
            self.log_alpha_optimizer = optim.Adam([self.log_alpha], lr=alpha_lr,
                                                        betas=alpha_betas)
            self.train()
            self.critic_target.train()

        def train(self, training=True):
            self.training = training
            self.actor.train(training)
            self.critic.train(training)

        @property
        def alpha(self):
            return self.log_alpha.exp()

        def act(self, obs, sample=False):
            obs = torch.DoubleTensor(obs).to(self.device)  # torch.FloatTensor(obs)
            obs = obs.unsqueeze(0)
            dist = self.actor(obs)
            action = dist.sample() if sample else dist.mean
            action = action.clamp(*self.action_range)
            assert action.ndim == 2 and action.shape[0] == 1
            return action[0].cpu().detach().numpy()  # utils.to_np(action[0])

        def update_critic(self, obs, action, reward, next_obs, not_done, step):
            dist = self.actor(next_obs)
            next_action = dist.rsample()
            log_prob = dist.log_prob(next_action).sum(-1, keepdim=True)
            target_Q1, target_Q2 = self.critic_target(next_obs, next_action)
            target_V = torch.min(target_Q1, target_Q2) - self.alpha.detach() * log_prob
            target_Q = reward + (not_done * self.discount * target_V)
            target_Q = target_Q.detach()
            # get current Q estimates
            current_Q1, current_Q2 = self.critic(obs, action)
            critic_loss = F.mse_loss(current_Q1, target_Q) + F.mse_loss(current_Q2, target_Q)
            # Optimize the critic
            self.critic_optimizer.zero_grad()
            critic_loss.backward()
            self.critic_optimizer.step()
            record.append((critic_loss.item(), snapshot(self.critic)))

        def update_actor_and_alpha(self, obs, step):
            dist = self.actor(obs)
            action = dist.rsample()
            log_prob = dist.log_prob(action).sum(-1, keepdim=True)
            actor_Q1, actor_Q2 = self.critic(obs, action)
            actor_Q = torch.min(actor_Q1, actor_Q2)
            actor_loss = (self.alpha.detach() * log_prob - actor_Q).mean()
            # optimize the actor
            self.actor_optimizer.zero_grad()
            actor_loss.backward()
            self.actor_optimizer.step()
            record.append((actor_loss.item(), snapshot(self.actor)))
            if self.learnable_temperature:
                self.log_alpha_optimizer.zero_grad()
                alpha_loss = (self.alpha * (-log_prob - self.target_entropy).detach()).mean()
                alpha_loss.backward()
                self.log_alpha_optimizer.step()
                record.append((alpha_loss.item(), [('log_alpha', self.log_alpha.detach(
                    ).numpy().copy(), self.log_alpha.grad.detach().numpy().copy())]))

        def update(self, replay_buffer, step):
            obs, action, reward, next_obs, not_done, not_done_no_max = \
                replay_buffer.sample(self.batch_size)
            self.update_critic(obs, action, reward, next_obs, not_done_no_max, step)
            if step % self.actor_update_frequency == 0:
                self.update_actor_and_alpha(obs, step)
            if step % self.critic_target_update_frequency == 0:
                soft_update_params(self.critic, self.critic_target, self.critic_tau)
                record.append(snapshot(self.critic_target))

    class ReplayBuffer(object):
        """Buffer to store environment transitions."""
        def __init__(self, obs_shape, action_shape, capacity, device):
            self.capacity, self.device = capacity, device
            self.obses = np.empty((capacity, *obs_shape), dtype=np.float32)
            self.next_obses = np.empty((capacity, *obs_shape), dtype=np.float32)
            self.actions = np.empty((capacity, *action_shape), dtype=np.float32)
            self.rewards = np.empty((capacity, 1), dtype=np.float32)
            self.not_dones = np.empty((capacity, 1), dtype=np.float32)
            self.not_dones_no_max = np.empty((capacity, 1), dtype=np.float32)
            self.idx, self.full = 0, False

        def add(self, obs, action, reward, next_obs, done, done_no_max):
            np.copyto(self.obses[self.idx], obs)
            np.copyto(self.actions[self.idx], action)
            np.copyto(self.rewards[self.idx], reward)
            np.copyto(self.next_obses[self.idx], next_obs)
            np.copyto(self.not_dones[self.idx], not done)
            np.copyto(self.not_dones_no_max[self.idx], not done_no_max)
            self.idx = (self.idx + 1) % self.capacity
            self.full = self.full or self.idx == 0

        def sample(self, batch_size):
            idxs = np.random.randint(0, self.capacity if self.full else self.idx,
                                     size=batch_size)
            obses = torch.as_tensor(self.obses[idxs], device=self.device).double()
            actions = torch.as_tensor(self.actions[idxs], device=self.device).double()
            rewards = torch.as_tensor(self.rewards[idxs], device=self.device).double()
            next_obses = torch.as_tensor(self.next_obses[idxs], device=self.device).double()
            not_dones = torch.as_tensor(self.not_dones[idxs], device=self.device).double()
            not_dones_no_max = torch.as_tensor(self.not_dones_no_max[idxs],
                                               device=self.device).double()
            return obses, actions, rewards, next_obses, not_dones, not_dones_no_max

    env = PointMass()
    action_range = [float(env.action_space.low.min()), float(env.action_space.high.max())]
    agent = SACAgent(4, 2, action_range, "cpu", 0.99, 0.1, 1e-4, [0.9, 0.999], 1e-4,
                     [0.9, 0.999], 1, 1e-4, [0.9, 0.999], 0.005, 2, 8, True)
    share_start(torch, [agent.actor, agent.critic], glue)
    if torch.__name__ == 'torch':  # the target copied the critic before it loaded ours
        agent.critic_target.load_state_dict(agent.critic.state_dict())
    replay_buffer = ReplayBuffer((4,), (2,), 64, agent.device)
    num_seed_steps, episode_step = 10, 0
    obs, _ = env.reset(seed=1)
    for step in range(num_train_steps):
        if step < num_seed_steps:
            action = env.action_space.sample()
        else:
            with eval_mode(agent):
                action = agent.act(obs, sample=True)
        if step >= num_seed_steps:
            agent.update(replay_buffer, step)
        next_obs, reward, terminated, truncated, _ = env.step(action)
        done = float(terminated or truncated)
        done_no_max = 0 if episode_step + 1 == env.max_episode_steps else done
        replay_buffer.add(obs, action, reward, next_obs, done, done_no_max)
        obs, episode_step = next_obs, episode_step + 1
        if done:
            (obs, _), episode_step = env.reset(), 0
    glue['draws'] = (np.random.random(), env.np_random.random())
    return record


def distributions(torch, glue) -> SimpleNamespace:
    """``torch.distributions`` with the SAC port's replaying ``Normal`` (``sample`` too)."""
    replaying = libraries(torch, glue)[-1]

    class Normal(replaying):
        def sample(self, sample_shape=torch.Size()):
            with torch.no_grad():
                return self.rsample(sample_shape)
    names = {name: getattr(torch.distributions, name) for name in dir(torch.distributions)
             if not name.startswith('__')}
    return SimpleNamespace(**{**names, 'Normal': Normal})


def test_pytorch_sac_squashed_normal_runs_step_for_step_with_pytorch(torch) -> None:
    import autograd as ag
    import nn
    import nn.functional
    import nn.optim
    glue = {'record': []}
    ours = pytorch_sac(ag, nn, nn.optim, nn.functional, ag.distributions, 16, glue)
    theirs_glue = {'record': [], 'start': glue['start'], 'noise_state': glue['noise_state']}
    theirs = pytorch_sac(torch, torch.nn, torch.optim, torch.nn.functional,
                         distributions(torch, theirs_glue), 16, theirs_glue)
    assert theirs_glue['draws'] == glue['draws']
    assert_same_runs(ours, theirs)
    assert len(ours) == 6 * 3 + 3
