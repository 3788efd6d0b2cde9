"""CORL's continuous CQL (``algorithms/offline/cql.py``, Kumar et al. 2020 on SAC), ported
as its readers write it and run step for step next to PyTorch (float64) from the same
initial weights and noise, on the generated point-mass data set
(``tests/offline_rl_data.py``): ``extend_and_repeat``, ``init_module_weights``
(``xavier_uniform_`` with ``gain=1e-2`` on the last layer), the ``ReparameterizedTanhGaussian``
(``TransformedDistribution(Normal(mean, std), TanhTransform(cache_size=1))``,
``rsample`` and ``log_prob`` summed over the action), the ``TanhGaussianPolicy`` with
``torch.split(..., self.action_dim, dim=-1)`` and ``Scalar`` parameters for the log-std's
scale and offset, twin ``FullyConnectedQFunction``s on repeated observations, automatic
entropy tuning, and ``ContinuousCQL``'s ``_q_loss``: random actions from
``actions.new_empty(..., requires_grad=False).uniform_(-1, 1)``, policy actions for the
current and next states, the importance-sampled ``torch.logsumexp(cql_cat_q1 /
self.cql_temp, dim=1)``, ``torch.clamp(..., -np.inf, np.inf)``, ``torch.std(..., dim=1)``,
and the Lagrange version: ``alpha_prime = torch.clamp(torch.exp(self.log_alpha_prime()),
min=0.0, max=1000000.0)`` whose own loss is stepped (``backward(retain_graph=True)``)
before the critics' loss goes back through the same graph; the soft target update.

Lines written differently here, and the test's glue:
- ``torch.split(x, n, dim=-1)`` is ``x.split(n, dim=-1)`` (``autograd.split`` would be
  NumPy's ``np.split``, so it is a named error);
- ``target_param.data.copy_(...)`` is ``target_param.copy_(...)`` under ``no_grad()``, and
  ``.cpu().data.numpy()`` is ``.detach().numpy()`` (``.data`` is the NumPy array here);
- the noise: ``Normal`` is a subclass whose ``rsample`` draws its eps from a NumPy
  generator seeded alike in both runs, and the ``uniform_`` random actions come from that
  generator too (the two libraries' generators differ);
- ``float32`` is float64 (the ``Scalar`` parameters too); the data set's actions are
  shifted into [-1, 1] and kept off its edges; the replay buffer is NumPy indexing of the
  data set; the sizes shrink (``bc_steps=2`` so both policy losses run); ``pyrallis``/
  ``wandb`` are left out.
"""

from copy import deepcopy

import numpy as np

from offline_rl_data import point_mass_dataset
from test_pytorch_ports_dqn import assert_same_runs, libraries, snapshot
from test_pytorch_ports_rl_offline import share_starts


def extend_and_repeat(torch, tensor, dim, repeat):
    # Extend and repeast the tensor along dim axie and repeat it
    ones_shape = [1 for _ in range(tensor.ndim + 1)]
    ones_shape[dim] = repeat
    return torch.unsqueeze(tensor, dim) * tensor.new_ones(ones_shape)


def modules(torch, nn, Normal, TransformedDistribution, TanhTransform):
    """CORL's networks for the run's library (``Normal`` is the shared-noise one)."""

    def init_module_weights(module, orthogonal_init=False):
        if isinstance(module, nn.Linear):
            if orthogonal_init:
                nn.init.orthogonal_(module.weight, gain=np.sqrt(2))
                nn.init.constant_(module.bias, 0.0)
            else:
                nn.init.xavier_uniform_(module.weight, gain=1e-2)

    class ReparameterizedTanhGaussian(nn.Module):
        def __init__(self, log_std_min=-20.0, log_std_max=2.0, no_tanh=False):
            super().__init__()
            self.log_std_min = log_std_min
            self.log_std_max = log_std_max
            self.no_tanh = no_tanh

        def log_prob(self, mean, log_std, sample):
            log_std = torch.clamp(log_std, self.log_std_min, self.log_std_max)
            std = torch.exp(log_std)
            action_distribution = TransformedDistribution(Normal(mean, std),
                                                          TanhTransform(cache_size=1))
            return torch.sum(action_distribution.log_prob(sample), dim=-1)

        def forward(self, mean, log_std, deterministic=False):
            log_std = torch.clamp(log_std, self.log_std_min, self.log_std_max)
            std = torch.exp(log_std)
            action_distribution = TransformedDistribution(Normal(mean, std),
                                                          TanhTransform(cache_size=1))
            if deterministic:
                action_sample = torch.tanh(mean)
            else:
                action_sample = action_distribution.rsample()
            log_prob = torch.sum(action_distribution.log_prob(action_sample), dim=-1)
            return action_sample, log_prob

    class Scalar(nn.Module):
        def __init__(self, init_value):
            super().__init__()
            self.constant = nn.Parameter(torch.tensor(init_value, dtype=torch.float64))

        def forward(self):
            return self.constant

    class TanhGaussianPolicy(nn.Module):
        def __init__(self, state_dim, action_dim, max_action, log_std_multiplier=1.0,
                     log_std_offset=-1.0, orthogonal_init=False, no_tanh=False):
            super().__init__()
            self.observation_dim = state_dim
            self.action_dim = action_dim
            self.max_action = max_action
            self.orthogonal_init = orthogonal_init
            self.no_tanh = no_tanh

            self.base_network = nn.Sequential(
                nn.Linear(state_dim, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(),
                nn.Linear(16, 2 * action_dim),
            )
            init_module_weights(self.base_network[-1], False)

            self.log_std_multiplier = Scalar(log_std_multiplier)
            self.log_std_offset = Scalar(log_std_offset)
            self.tanh_gaussian = ReparameterizedTanhGaussian(no_tanh=no_tanh)

        def log_prob(self, observations, actions):
            if actions.ndim == 3:
                observations = extend_and_repeat(torch, observations, 1, actions.shape[1])
            base_network_output = self.base_network(observations)
            mean, log_std = base_network_output.split(self.action_dim, dim=-1)
            log_std = self.log_std_multiplier() * log_std + self.log_std_offset()
            return self.tanh_gaussian.log_prob(mean, log_std, actions)

        def forward(self, observations, deterministic=False, repeat=None):
            if repeat is not None:
                observations = extend_and_repeat(torch, observations, 1, repeat)
            base_network_output = self.base_network(observations)
            mean, log_std = base_network_output.split(self.action_dim, dim=-1)
            log_std = self.log_std_multiplier() * log_std + self.log_std_offset()
            actions, log_probs = self.tanh_gaussian(mean, log_std, deterministic)
            return self.max_action * actions, log_probs

        @torch.no_grad()
        def act(self, state, device="cpu"):
            state = torch.tensor(state.reshape(1, -1), device=device, dtype=torch.float64)
            with torch.no_grad():
                actions, _ = self(state, not self.training)
            return actions.cpu().detach().numpy().flatten()

    class FullyConnectedQFunction(nn.Module):
        def __init__(self, observation_dim, action_dim, orthogonal_init=False, n_hidden_layers=2):
            super().__init__()
            self.observation_dim = observation_dim
            self.action_dim = action_dim
            self.orthogonal_init = orthogonal_init

            layers = [nn.Linear(observation_dim + action_dim, 16), nn.ReLU()]
            for _ in range(n_hidden_layers - 1):
                layers.append(nn.Linear(16, 16))
                layers.append(nn.ReLU())
            layers.append(nn.Linear(16, 1))

            self.network = nn.Sequential(*layers)

            init_module_weights(self.network[-1], False)

        def forward(self, observations, actions):
            multiple_actions = False
            batch_size = observations.shape[0]
            if actions.ndim == 3 and observations.ndim == 2:
                multiple_actions = True
                observations = extend_and_repeat(torch, observations, 1, actions.shape[1]) \
                    .reshape(-1, observations.shape[-1])
                actions = actions.reshape(-1, actions.shape[-1])
            input_tensor = torch.cat([observations, actions], dim=-1)
            q_values = torch.squeeze(self.network(input_tensor), dim=-1)
            if multiple_actions:
                q_values = q_values.reshape(batch_size, -1)
            return q_values

    return TanhGaussianPolicy, FullyConnectedQFunction, Scalar


def cql_class(torch, F, glue):
    """CORL's ``ContinuousCQL`` (the parts this configuration runs)."""

    def soft_update(target, source, tau):
        with torch.no_grad():  # target_param.data.copy_((1 - tau) * target_param.data + ...)
            for target_param, source_param in zip(target.parameters(), source.parameters()):
                target_param.copy_((1 - tau) * target_param + tau * source_param)

    class ContinuousCQL:
        def __init__(self, critic_1, critic_1_optimizer, critic_2, critic_2_optimizer, actor,
                     actor_optimizer, log_alpha, alpha_optimizer, log_alpha_prime,
                     alpha_prime_optimizer, target_entropy, discount=0.99, bc_steps=2,
                     cql_n_actions=4, cql_temp=1.0, cql_alpha=5.0, cql_target_action_gap=-1.0,
                     soft_target_update_rate=5e-3):
            self.discount, self.target_entropy = discount, target_entropy
            self.bc_steps, self.cql_n_actions, self.cql_temp = bc_steps, cql_n_actions, cql_temp
            self.cql_alpha, self.cql_target_action_gap = cql_alpha, cql_target_action_gap
            self.cql_clip_diff_min, self.cql_clip_diff_max = -np.inf, np.inf
            self.soft_target_update_rate, self.total_it = soft_target_update_rate, 0
            self.critic_1, self.critic_2, self.actor = critic_1, critic_2, actor
            self.critic_1_optimizer, self.critic_2_optimizer = critic_1_optimizer, \
                critic_2_optimizer
            self.actor_optimizer = actor_optimizer
            self.log_alpha, self.alpha_optimizer = log_alpha, alpha_optimizer
            self.log_alpha_prime, self.alpha_prime_optimizer = log_alpha_prime, \
                alpha_prime_optimizer
            self.target_critic_1 = deepcopy(self.critic_1)
            self.target_critic_2 = deepcopy(self.critic_2)

        def _alpha_and_alpha_loss(self, observations, log_pi):
            alpha_loss = -(self.log_alpha() * (log_pi + self.target_entropy).detach()).mean()
            alpha = self.log_alpha().exp()
            return alpha, alpha_loss

        def _policy_loss(self, observations, actions, new_actions, alpha, log_pi):
            if self.total_it <= self.bc_steps:
                log_probs = self.actor.log_prob(observations, actions)
                policy_loss = (alpha * log_pi - log_probs).mean()
            else:
                q_new_actions = torch.min(self.critic_1(observations, new_actions),
                                          self.critic_2(observations, new_actions))
                policy_loss = (alpha * log_pi - q_new_actions).mean()
            return policy_loss

        def _q_loss(self, observations, actions, next_observations, rewards, dones, alpha):
            q1_predicted = self.critic_1(observations, actions)
            q2_predicted = self.critic_2(observations, actions)

            new_next_actions, next_log_pi = self.actor(next_observations)
            target_q_values = torch.min(
                self.target_critic_1(next_observations, new_next_actions),
                self.target_critic_2(next_observations, new_next_actions))
            target_q_values = target_q_values - alpha * next_log_pi  # backup_entropy

            target_q_values = target_q_values.unsqueeze(-1)
            td_target = rewards + (1.0 - dones) * self.discount * target_q_values.detach()
            td_target = td_target.squeeze(-1)
            qf1_loss = F.mse_loss(q1_predicted, td_target.detach())
            qf2_loss = F.mse_loss(q2_predicted, td_target.detach())

            # CQL
            batch_size = actions.shape[0]
            action_dim = actions.shape[-1]
            # actions.new_empty((batch_size, self.cql_n_actions, action_dim),
            #                   requires_grad=False).uniform_(-1, 1), from the shared noise
            cql_random_actions = actions.new_tensor(
                glue['noise'].uniform(-1, 1, (batch_size, self.cql_n_actions, action_dim)))
            cql_current_actions, cql_current_log_pis = self.actor(
                observations, repeat=self.cql_n_actions)
            cql_next_actions, cql_next_log_pis = self.actor(
                next_observations, repeat=self.cql_n_actions)
            cql_current_actions, cql_current_log_pis = (
                cql_current_actions.detach(), cql_current_log_pis.detach())
            cql_next_actions, cql_next_log_pis = (
                cql_next_actions.detach(), cql_next_log_pis.detach())

            cql_q1_rand = self.critic_1(observations, cql_random_actions)
            cql_q2_rand = self.critic_2(observations, cql_random_actions)
            cql_q1_current_actions = self.critic_1(observations, cql_current_actions)
            cql_q2_current_actions = self.critic_2(observations, cql_current_actions)
            cql_q1_next_actions = self.critic_1(observations, cql_next_actions)
            cql_q2_next_actions = self.critic_2(observations, cql_next_actions)

            cql_cat_q1 = torch.cat([cql_q1_rand, torch.unsqueeze(q1_predicted, 1),
                                    cql_q1_next_actions, cql_q1_current_actions], dim=1)
            cql_std_q1 = torch.std(cql_cat_q1, dim=1)

            random_density = np.log(0.5**action_dim)  # cql_importance_sample
            cql_cat_q1 = torch.cat([cql_q1_rand - random_density,
                                    cql_q1_next_actions - cql_next_log_pis.detach(),
                                    cql_q1_current_actions - cql_current_log_pis.detach()], dim=1)
            cql_cat_q2 = torch.cat([cql_q2_rand - random_density,
                                    cql_q2_next_actions - cql_next_log_pis.detach(),
                                    cql_q2_current_actions - cql_current_log_pis.detach()], dim=1)

            cql_qf1_ood = torch.logsumexp(cql_cat_q1 / self.cql_temp, dim=1) * self.cql_temp
            cql_qf2_ood = torch.logsumexp(cql_cat_q2 / self.cql_temp, dim=1) * self.cql_temp

            """Subtract the log likelihood of data"""
            cql_qf1_diff = torch.clamp(cql_qf1_ood - q1_predicted, self.cql_clip_diff_min,
                                       self.cql_clip_diff_max).mean()
            cql_qf2_diff = torch.clamp(cql_qf2_ood - q2_predicted, self.cql_clip_diff_min,
                                       self.cql_clip_diff_max).mean()

            alpha_prime = torch.clamp(torch.exp(self.log_alpha_prime()), min=0.0, max=1000000.0)
            cql_min_qf1_loss = alpha_prime * self.cql_alpha * (
                cql_qf1_diff - self.cql_target_action_gap)
            cql_min_qf2_loss = alpha_prime * self.cql_alpha * (
                cql_qf2_diff - self.cql_target_action_gap)

            self.alpha_prime_optimizer.zero_grad()
            alpha_prime_loss = (-cql_min_qf1_loss - cql_min_qf2_loss) * 0.5
            alpha_prime_loss.backward(retain_graph=True)
            self.alpha_prime_optimizer.step()

            qf_loss = qf1_loss + qf2_loss + cql_min_qf1_loss + cql_min_qf2_loss
            glue['logs'].append([cql_std_q1.mean().item(), alpha_prime.item(),
                                 alpha_prime_loss.item(), qf_loss.item()])
            return qf_loss

        def train(self, batch):
            (observations, actions, rewards, next_observations, dones) = batch
            self.total_it += 1

            new_actions, log_pi = self.actor(observations)

            alpha, alpha_loss = self._alpha_and_alpha_loss(observations, log_pi)

            """ Policy loss """
            policy_loss = self._policy_loss(observations, actions, new_actions, alpha, log_pi)

            """ Q function loss """
            qf_loss = self._q_loss(observations, actions, next_observations, rewards, dones,
                                   alpha)

            self.alpha_optimizer.zero_grad()
            alpha_loss.backward()
            self.alpha_optimizer.step()

            self.actor_optimizer.zero_grad()
            policy_loss.backward()
            self.actor_optimizer.step()

            self.critic_1_optimizer.zero_grad()
            self.critic_2_optimizer.zero_grad()
            qf_loss.backward(retain_graph=True)
            self.critic_1_optimizer.step()
            self.critic_2_optimizer.step()

            self.update_target_network(self.soft_target_update_rate)
            return policy_loss.item()

        def update_target_network(self, soft_target_update_rate):
            soft_update(self.target_critic_1, self.critic_1, soft_target_update_rate)
            soft_update(self.target_critic_2, self.critic_2, soft_target_update_rate)

    return ContinuousCQL


def shared_noise_normal(torch, Normal, glue):
    """The library's ``Normal`` drawing ``rsample``'s eps from the run's NumPy generator."""

    class SharedNoiseNormal(Normal):
        def rsample(self, sample_shape=()):
            shape = tuple(sample_shape) + tuple(self.batch_shape)
            eps = torch.tensor(glue['noise'].standard_normal(shape))
            return self.loc + eps * self.scale

    return SharedNoiseNormal


def train_cql(torch, nn, F, optim, glue, max_timesteps=6, batch_size=8):
    """CORL's ``train``: networks, optimizers, the trainer and a few updates."""
    np.random.seed(0)
    torch.manual_seed(0)
    glue['noise'] = np.random.default_rng(11)
    D = torch.distributions
    data = point_mass_dataset()
    state_dim, action_dim, max_action = 4, 2, 1.0
    TanhGaussianPolicy, FullyConnectedQFunction, Scalar = modules(
        torch, nn, shared_noise_normal(torch, D.Normal, glue), D.TransformedDistribution,
        D.TanhTransform)

    critic_1 = FullyConnectedQFunction(state_dim, action_dim)
    critic_2 = FullyConnectedQFunction(state_dim, action_dim)
    actor = TanhGaussianPolicy(state_dim, action_dim, max_action)
    share_starts(torch, {'critic_1': critic_1, 'critic_2': critic_2, 'actor': actor}, glue)
    critic_1_optimizer = optim.Adam(list(critic_1.parameters()), 3e-4)
    critic_2_optimizer = optim.Adam(list(critic_2.parameters()), 3e-4)
    actor_optimizer = optim.Adam(actor.parameters(), 1e-4)
    log_alpha, log_alpha_prime = Scalar(0.0), Scalar(1.0)
    trainer = cql_class(torch, F, glue)(
        critic_1, critic_1_optimizer, critic_2, critic_2_optimizer, actor, actor_optimizer,
        log_alpha, optim.Adam(log_alpha.parameters(), lr=1e-4), log_alpha_prime,
        optim.Adam(log_alpha_prime.parameters(), lr=3e-4),
        target_entropy=-np.prod((action_dim,)).item())

    for t in range(int(max_timesteps)):
        indices = np.random.randint(0, len(data["rewards"]), size=batch_size)
        batch = [torch.tensor(data["observations"][indices]),
                 # the point mass's box shifted to [-1, 1], kept off its edges (atanh)
                 torch.tensor(np.clip(data["actions"][indices] - np.array([0.0, 1.0]),
                                      -0.999, 0.999)),
                 torch.tensor(data["rewards"][indices][..., None]),
                 torch.tensor(data["next_observations"][indices]),
                 torch.tensor(data["terminals"][indices][..., None])]
        policy_loss = trainer.train(batch)
        params = [snapshot(m) for m in (actor, critic_1, critic_2, log_alpha, log_alpha_prime)]
        glue['record'].append((policy_loss, [p for group in params for p in group]))
        glue['record'].append([(name, p.detach().numpy().copy(), None)
                               for name, p in trainer.target_critic_1.named_parameters()])
    actor.eval()
    glue['act'] = actor.act(data["observations"][0])
    return glue['record']


def test_corl_continuous_cql_runs_step_for_step_with_pytorch(torch) -> None:
    glue = {'record': [], 'logs': []}
    ours = train_cql(*libraries(), glue)
    theirs_glue = {'record': [], 'logs': [], 'starts': glue['starts']}
    theirs = train_cql(*libraries(torch), theirs_glue)
    assert_same_runs(ours, theirs)
    np.testing.assert_allclose(glue['logs'], theirs_glue['logs'], rtol=1e-10)
    np.testing.assert_allclose(glue['act'], theirs_glue['act'], rtol=1e-10)
    assert len(ours) == 12 and glue['logs'][-1][1] != 1.0  # alpha' = exp(1) was stepped
