"""ikostrikov's ``pytorch-a2c-ppo-acktr-gail`` pieces as its readers write them, over a
library ``torch`` (autograd or PyTorch): ``AddBias``/``DiagGaussian`` with the ``FixedNormal``
helpers, ``init``/``MLPBase``/``Policy``, ``RolloutStorage`` (GAE returns and the
``feed_forward_generator`` of ``BatchSampler(SubsetRandomSampler(...))``), ``PPO.update``,
``RunningMeanStd``, and GAIL's ``Discriminator`` (gradient penalty on mixed-up data,
``predict_reward`` log D - log(1 - D) scaled by the running std of discounted returns).

Written differently here: the repo monkey-patches ``torch.distributions.Normal``
(``FixedNormal.log_probs = lambda ...``); here ``FixedNormal`` is a subclass, so neither
library's class changes for the other tests."""

import numpy as np


class RunningMeanStd(object):
    """baselines' running mean and variance (parallel algorithm)."""

    def __init__(self, epsilon=1e-4, shape=()):
        self.mean = np.zeros(shape, 'float64')
        self.var = np.ones(shape, 'float64')
        self.count = epsilon

    def update(self, x):
        batch_mean = np.mean(x, axis=0)
        batch_var = np.var(x, axis=0)
        batch_count = x.shape[0]
        delta = batch_mean - self.mean
        tot_count = self.count + batch_count
        new_mean = self.mean + delta * batch_count / tot_count
        m_a = self.var * self.count
        m_b = batch_var * batch_count
        m2 = m_a + m_b + np.square(delta) * self.count * batch_count / tot_count
        self.mean, self.var, self.count = new_mean, m2 / tot_count, tot_count


def gail_library(torch, nn, F, autograd, Normal, data):
    """The repo's classes over one library; returns them as a dict."""

    class FixedNormal(Normal):
        def log_probs(self, actions):
            return super().log_prob(actions).sum(-1, keepdim=True)

        def entropy(self):
            return super().entropy().sum(-1)

        def mode(self):
            return self.mean

    class AddBias(nn.Module):
        def __init__(self, bias):
            super(AddBias, self).__init__()
            self._bias = nn.Parameter(bias.unsqueeze(1))

        def forward(self, x):
            if x.dim() == 2:
                bias = self._bias.t().view(1, -1)
            else:
                bias = self._bias.t().view(1, -1, 1, 1)
            return x + bias

    def init(module, weight_init, bias_init, gain=1):
        weight_init(module.weight.data, gain=gain)
        bias_init(module.bias.data)
        return module

    class DiagGaussian(nn.Module):
        def __init__(self, num_inputs, num_outputs):
            super(DiagGaussian, self).__init__()
            init_ = lambda m: init(m, nn.init.orthogonal_,  # noqa: E731
                                   lambda x: nn.init.constant_(x, 0))
            self.fc_mean = init_(nn.Linear(num_inputs, num_outputs))
            self.logstd = AddBias(torch.zeros(num_outputs))

        def forward(self, x):
            action_mean = self.fc_mean(x)
            zeros = torch.zeros(action_mean.size())
            action_logstd = self.logstd(zeros)
            return FixedNormal(action_mean, action_logstd.exp())

    class MLPBase(nn.Module):
        def __init__(self, num_inputs, hidden_size=16):
            super(MLPBase, self).__init__()
            init_ = lambda m: init(m, nn.init.orthogonal_,  # noqa: E731
                                   lambda x: nn.init.constant_(x, 0), np.sqrt(2))
            self.actor = nn.Sequential(
                init_(nn.Linear(num_inputs, hidden_size)), nn.Tanh(),
                init_(nn.Linear(hidden_size, hidden_size)), nn.Tanh())
            self.critic = nn.Sequential(
                init_(nn.Linear(num_inputs, hidden_size)), nn.Tanh(),
                init_(nn.Linear(hidden_size, hidden_size)), nn.Tanh())
            self.critic_linear = init_(nn.Linear(hidden_size, 1))
            self.output_size = hidden_size
            self.train()

        def forward(self, inputs, rnn_hxs, masks):
            hidden_critic = self.critic(inputs)
            hidden_actor = self.actor(inputs)
            return self.critic_linear(hidden_critic), hidden_actor, rnn_hxs

    class Policy(nn.Module):
        def __init__(self, obs_shape, action_dim):
            super(Policy, self).__init__()
            self.base = MLPBase(obs_shape[0])
            self.dist = DiagGaussian(self.base.output_size, action_dim)

        def act(self, inputs, rnn_hxs, masks, deterministic=False):
            value, actor_features, rnn_hxs = self.base(inputs, rnn_hxs, masks)
            dist = self.dist(actor_features)
            action = dist.mode() if deterministic else dist.sample()
            action_log_probs = dist.log_probs(action)
            return value, action, action_log_probs, rnn_hxs

        def get_value(self, inputs, rnn_hxs, masks):
            value, _, _ = self.base(inputs, rnn_hxs, masks)
            return value

        def evaluate_actions(self, inputs, rnn_hxs, masks, action):
            value, actor_features, rnn_hxs = self.base(inputs, rnn_hxs, masks)
            dist = self.dist(actor_features)
            action_log_probs = dist.log_probs(action)
            dist_entropy = dist.entropy().mean()
            return value, action_log_probs, dist_entropy, rnn_hxs

    class RolloutStorage(object):
        def __init__(self, num_steps, num_processes, obs_shape, action_dim):
            self.obs = torch.zeros(num_steps + 1, num_processes, *obs_shape)
            self.recurrent_hidden_states = torch.zeros(num_steps + 1, num_processes, 1)
            self.rewards = torch.zeros(num_steps, num_processes, 1)
            self.value_preds = torch.zeros(num_steps + 1, num_processes, 1)
            self.returns = torch.zeros(num_steps + 1, num_processes, 1)
            self.action_log_probs = torch.zeros(num_steps, num_processes, 1)
            self.actions = torch.zeros(num_steps, num_processes, action_dim)
            self.masks = torch.ones(num_steps + 1, num_processes, 1)
            self.bad_masks = torch.ones(num_steps + 1, num_processes, 1)
            self.num_steps = num_steps
            self.step = 0

        def insert(self, obs, recurrent_hidden_states, actions, action_log_probs,
                   value_preds, rewards, masks, bad_masks):
            self.obs[self.step + 1].copy_(obs)
            self.recurrent_hidden_states[self.step + 1].copy_(recurrent_hidden_states)
            self.actions[self.step].copy_(actions)
            self.action_log_probs[self.step].copy_(action_log_probs)
            self.value_preds[self.step].copy_(value_preds)
            self.rewards[self.step].copy_(rewards)
            self.masks[self.step + 1].copy_(masks)
            self.bad_masks[self.step + 1].copy_(bad_masks)
            self.step = (self.step + 1) % self.num_steps

        def after_update(self):
            self.obs[0].copy_(self.obs[-1])
            self.recurrent_hidden_states[0].copy_(self.recurrent_hidden_states[-1])
            self.masks[0].copy_(self.masks[-1])
            self.bad_masks[0].copy_(self.bad_masks[-1])

        def compute_returns(self, next_value, use_gae, gamma, gae_lambda,
                            use_proper_time_limits=True):
            if use_proper_time_limits and use_gae:
                self.value_preds[-1] = next_value
                gae = 0
                for step in reversed(range(self.rewards.size(0))):
                    delta = self.rewards[step] + gamma * self.value_preds[
                        step + 1] * self.masks[step + 1] - self.value_preds[step]
                    gae = delta + gamma * gae_lambda * self.masks[step + 1] * gae
                    gae = gae * self.bad_masks[step + 1]
                    self.returns[step] = gae + self.value_preds[step]

        def feed_forward_generator(self, advantages, num_mini_batch=None,
                                   mini_batch_size=None):
            num_steps, num_processes = self.rewards.size()[0:2]
            batch_size = num_processes * num_steps
            if mini_batch_size is None:
                mini_batch_size = batch_size // num_mini_batch
            sampler = data.BatchSampler(
                data.SubsetRandomSampler(range(batch_size)), mini_batch_size,
                drop_last=True)
            for indices in sampler:
                obs_batch = self.obs[:-1].view(-1, *self.obs.size()[2:])[indices]
                recurrent_hidden_states_batch = self.recurrent_hidden_states[:-1].view(
                    -1, self.recurrent_hidden_states.size(-1))[indices]
                actions_batch = self.actions.view(-1, self.actions.size(-1))[indices]
                value_preds_batch = self.value_preds[:-1].view(-1, 1)[indices]
                return_batch = self.returns[:-1].view(-1, 1)[indices]
                masks_batch = self.masks[:-1].view(-1, 1)[indices]
                old_action_log_probs_batch = self.action_log_probs.view(-1, 1)[indices]
                if advantages is None:
                    adv_targ = None
                else:
                    adv_targ = advantages.view(-1, 1)[indices]
                yield obs_batch, recurrent_hidden_states_batch, actions_batch, \
                    value_preds_batch, return_batch, masks_batch, \
                    old_action_log_probs_batch, adv_targ

    class Discriminator(nn.Module):
        def __init__(self, input_dim, hidden_dim, device):
            super(Discriminator, self).__init__()
            self.device = device
            self.trunk = nn.Sequential(
                nn.Linear(input_dim, hidden_dim), nn.Tanh(),
                nn.Linear(hidden_dim, hidden_dim), nn.Tanh(),
                nn.Linear(hidden_dim, 1)).to(device)
            self.trunk.train()
            self.optimizer = torch.optim.Adam(self.trunk.parameters())
            self.returns = None
            self.ret_rms = RunningMeanStd(shape=())

        def compute_grad_pen(self, expert_state, expert_action, policy_state, policy_action,
                             lambda_=10):
            alpha = torch.rand(expert_state.size(0), 1)
            expert_data = torch.cat([expert_state, expert_action], dim=1)
            policy_data = torch.cat([policy_state, policy_action], dim=1)
            alpha = alpha.expand_as(expert_data).to(expert_data.device)
            mixup_data = alpha * expert_data + (1 - alpha) * policy_data
            mixup_data.requires_grad = True
            disc = self.trunk(mixup_data)
            ones = torch.ones(disc.size()).to(disc.device)
            grad = autograd.grad(
                outputs=disc, inputs=mixup_data, grad_outputs=ones,
                create_graph=True, retain_graph=True, only_inputs=True)[0]
            grad_pen = lambda_ * (grad.norm(2, dim=1) - 1).pow(2).mean()
            return grad_pen

        def update(self, expert_loader, rollouts, obsfilt=None):
            self.train()
            policy_data_generator = rollouts.feed_forward_generator(
                None, mini_batch_size=expert_loader.batch_size)
            loss = 0
            n = 0
            for expert_batch, policy_batch in zip(expert_loader, policy_data_generator):
                policy_state, policy_action = policy_batch[0], policy_batch[2]
                policy_d = self.trunk(torch.cat([policy_state, policy_action], dim=1))
                expert_state, expert_action = expert_batch
                expert_state = obsfilt(expert_state.numpy(), update=False)
                expert_state = torch.FloatTensor(expert_state).to(self.device)
                expert_action = expert_action.to(self.device)
                expert_d = self.trunk(torch.cat([expert_state, expert_action], dim=1))
                expert_loss = F.binary_cross_entropy_with_logits(
                    expert_d, torch.ones(expert_d.size()).to(self.device))
                policy_loss = F.binary_cross_entropy_with_logits(
                    policy_d, torch.zeros(policy_d.size()).to(self.device))
                gail_loss = expert_loss + policy_loss
                grad_pen = self.compute_grad_pen(expert_state, expert_action, policy_state,
                                                 policy_action)
                loss += (gail_loss + grad_pen).item()
                n = n + 1
                self.optimizer.zero_grad()
                (gail_loss + grad_pen).backward()
                self.optimizer.step()
            return loss / n

        def predict_reward(self, state, action, gamma, masks, update_rms=True):
            with torch.no_grad():
                self.eval()
                d = self.trunk(torch.cat([state, action], dim=1))
                s = torch.sigmoid(d)
                reward = s.log() - (1 - s).log()
                if self.returns is None:
                    self.returns = reward.clone()
                if update_rms:
                    self.returns = self.returns * masks * gamma + reward
                    self.ret_rms.update(self.returns.cpu().numpy())
                return reward / np.sqrt(self.ret_rms.var[0] + 1e-8)

    class ExpertDataset(data.Dataset):
        """(state, action) pairs of generated expert trajectories."""

        def __init__(self, states, actions):
            self.trajectories = {'states': torch.from_numpy(states),
                                 'actions': torch.from_numpy(actions)}
            self.length = states.shape[0]

        def __len__(self):
            return self.length

        def __getitem__(self, i):
            return self.trajectories['states'][i], self.trajectories['actions'][i]

    return dict(Policy=Policy, RolloutStorage=RolloutStorage, Discriminator=Discriminator,
                ExpertDataset=ExpertDataset)
