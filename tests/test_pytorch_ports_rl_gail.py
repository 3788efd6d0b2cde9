"""ikostrikov's ``pytorch-a2c-ppo-acktr-gail`` main loop with ``--gail`` as its readers
write it, step for step next to PyTorch (float64) from the same initial weights and the
same random draws: PPO on a Gaussian MLP policy (``tests/gail_program.py``) whose rewards
are replaced by the GAIL discriminator's ``predict_reward``, the discriminator trained
against generated expert pairs from a ``DataLoader(shuffle=True, drop_last=True)`` with a
gradient penalty (``autograd.grad(..., create_graph=True)``). Discriminator and PPO
losses, gradients and parameters agree to 1e-10.

Written differently here: ``torch.FloatTensor(x)`` is ``torch.DoubleTensor(x)`` (float32
is float64 in the ports; PyTorch refuses float32 inputs to float64 weights); the vectorized
environment is a list of point masses; ``advantages.std()`` is
``advantages.std(correction=1)`` (a bare ``std()`` asks for n or n - 1 here); PyTorch's run
replays our generator's draws (``torch.rand``, ``Normal.sample``, the samplers'
permutations)."""

from types import SimpleNamespace

import numpy as np

import autograd as ag
import nn
from gail_program import gail_library
from point_mass_env import PointMass
from test_pytorch_ports_dqn import assert_same_runs, snapshot
from test_pytorch_ports_td3 import replaying


class VecPointMass:
    """``num_processes`` point masses with the VecEnv API over ``torch`` tensors."""

    def __init__(self, torch, num_processes, seed):
        self.torch, self.envs = torch, [PointMass() for _ in range(num_processes)]
        self.seed = seed

    def reset(self):
        obs = [env.reset(seed=self.seed + i)[0] for i, env in enumerate(self.envs)]
        return self.torch.from_numpy(np.stack(obs).astype(np.float64))

    def step(self, action):
        obs, rewards, dones, infos = [], [], [], []
        for env, a in zip(self.envs, action.numpy()):
            o, r, terminated, truncated, info = env.step(a)
            if terminated or truncated:
                info = {'bad_transition': True} if truncated else info
                o, _ = env.reset()
            obs.append(o)
            rewards.append([r])
            dones.append(terminated or truncated)
            infos.append(info)
        return (self.torch.from_numpy(np.stack(obs).astype(np.float64)),
                self.torch.tensor(rewards), dones, infos)


def expert_pairs(num: int) -> tuple:
    """(states, actions) of a PD controller pushing the point mass to the origin."""
    env, states, actions = PointMass(), [], []
    obs, _ = env.reset(seed=7)
    for _ in range(num):
        action = np.clip(-2.0 * obs[:2] - obs[2:] + np.array([0.0, 1.0]),
                         env.action_space.low, env.action_space.high)
        states.append(obs)
        actions.append(action)
        obs, _, _, truncated, _ = env.step(action)
        if truncated:
            obs, _ = env.reset()
    return np.array(states, dtype=np.float64), np.array(actions, dtype=np.float64)


def main(torch, nn, F, autograd, Normal, data, num_updates, glue):
    """main.py with --algo ppo --gail (sizes shrunk: 2 processes, 8 steps)."""
    record = glue['record']
    args = SimpleNamespace(num_steps=8, num_processes=2, gamma=0.99, gae_lambda=0.95,
                           use_gae=True, use_proper_time_limits=True, clip_param=0.2,
                           ppo_epoch=2, num_mini_batch=2, value_loss_coef=0.5,
                           entropy_coef=0.0, lr=3e-4, eps=1e-5, max_grad_norm=0.5,
                           gail_batch_size=4, gail_epoch=2)
    lib = gail_library(torch, nn, F, autograd, Normal, data)
    envs = VecPointMass(torch, args.num_processes, seed=1)
    obs_shape, action_dim = (4,), 2
    actor_critic = lib['Policy'](obs_shape, action_dim)
    discr = lib['Discriminator'](obs_shape[0] + action_dim, 8, 'cpu')
    modules = [actor_critic, discr]
    if 'start' not in glue:  # our run, first
        glue['start'] = [{k: v.detach().numpy().copy() for k, v in m.state_dict().items()}
                         for m in modules]
        glue['noise_state'] = ag.default_generator.get_state()
    else:
        for m, state in zip(modules, glue['start'], strict=True):
            m.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
        glue['noise'].bit_generator.state = glue['noise_state']
    agent = PPO(torch, nn, actor_critic, args)
    gail_train_loader = data.DataLoader(
        lib['ExpertDataset'](*expert_pairs(24)), batch_size=args.gail_batch_size,
        shuffle=True, drop_last=True)

    rollouts = lib['RolloutStorage'](args.num_steps, args.num_processes, obs_shape,
                                     action_dim)
    obs = envs.reset()
    rollouts.obs[0].copy_(obs)
    for j in range(num_updates):
        for step in range(args.num_steps):
            # Sample actions
            with torch.no_grad():
                value, action, action_log_prob, recurrent_hidden_states = actor_critic.act(
                    rollouts.obs[step], rollouts.recurrent_hidden_states[step],
                    rollouts.masks[step])
            obs, reward, done, infos = envs.step(action)
            # If done then clean the history of observations.
            masks = torch.DoubleTensor([[0.0] if done_ else [1.0] for done_ in done])
            bad_masks = torch.DoubleTensor(
                [[0.0] if 'bad_transition' in info.keys() else [1.0] for info in infos])
            rollouts.insert(obs, recurrent_hidden_states, action, action_log_prob, value,
                            reward, masks, bad_masks)
        with torch.no_grad():
            next_value = actor_critic.get_value(
                rollouts.obs[-1], rollouts.recurrent_hidden_states[-1],
                rollouts.masks[-1]).detach()

        gail_epoch = args.gail_epoch
        for _ in range(gail_epoch):
            discr_loss = discr.update(gail_train_loader, rollouts,
                                      lambda x, update: x)  # no VecNormalize here
            record.append((discr_loss, snapshot(discr)))
        for step in range(args.num_steps):
            rollouts.rewards[step] = discr.predict_reward(
                rollouts.obs[step], rollouts.actions[step], args.gamma, rollouts.masks[step])

        rollouts.compute_returns(next_value, args.use_gae, args.gamma, args.gae_lambda,
                                 args.use_proper_time_limits)
        value_loss, action_loss, dist_entropy = agent.update(rollouts)
        rollouts.after_update()
        record.append(([value_loss, action_loss, dist_entropy], snapshot(actor_critic)))
        record.append((discr.ret_rms.var.item(),
                       [("returns", rollouts.returns.numpy().copy(), None)]))
    return record


class PPO():
    """a2c_ppo_acktr/algo/ppo.py, over ``torch``/``nn``."""

    def __init__(self, torch, nn, actor_critic, args, use_clipped_value_loss=True):
        self.torch, self.nn, self.actor_critic = torch, nn, actor_critic
        self.clip_param, self.ppo_epoch = args.clip_param, args.ppo_epoch
        self.num_mini_batch = args.num_mini_batch
        self.value_loss_coef, self.entropy_coef = args.value_loss_coef, args.entropy_coef
        self.max_grad_norm = args.max_grad_norm
        self.use_clipped_value_loss = use_clipped_value_loss
        self.optimizer = torch.optim.Adam(actor_critic.parameters(), lr=args.lr,
                                          eps=args.eps)

    def update(self, rollouts):
        torch, nn = self.torch, self.nn
        advantages = rollouts.returns[:-1] - rollouts.value_preds[:-1]
        # ppo.py: advantages.std(); a bare x.std() is ambiguous here (NumPy's n or
        # PyTorch's n - 1) and asks which: PyTorch's is correction=1
        advantages = (advantages - advantages.mean()) / (advantages.std(correction=1) + 1e-5)
        value_loss_epoch = 0
        action_loss_epoch = 0
        dist_entropy_epoch = 0
        for e in range(self.ppo_epoch):
            data_generator = rollouts.feed_forward_generator(advantages, self.num_mini_batch)
            for sample in data_generator:
                obs_batch, recurrent_hidden_states_batch, actions_batch, \
                    value_preds_batch, return_batch, masks_batch, \
                    old_action_log_probs_batch, adv_targ = sample
                # Reshape to do in a single forward pass for all steps
                values, action_log_probs, dist_entropy, _ = \
                    self.actor_critic.evaluate_actions(
                        obs_batch, recurrent_hidden_states_batch, masks_batch,
                        actions_batch)
                ratio = torch.exp(action_log_probs - old_action_log_probs_batch)
                surr1 = ratio * adv_targ
                surr2 = torch.clamp(ratio, 1.0 - self.clip_param,
                                    1.0 + self.clip_param) * adv_targ
                action_loss = -torch.min(surr1, surr2).mean()
                if self.use_clipped_value_loss:
                    value_pred_clipped = value_preds_batch + \
                        (values - value_preds_batch).clamp(-self.clip_param, self.clip_param)
                    value_losses = (values - return_batch).pow(2)
                    value_losses_clipped = (value_pred_clipped - return_batch).pow(2)
                    value_loss = 0.5 * torch.max(value_losses, value_losses_clipped).mean()
                else:
                    value_loss = 0.5 * (return_batch - values).pow(2).mean()
                self.optimizer.zero_grad()
                (value_loss * self.value_loss_coef + action_loss
                 - dist_entropy * self.entropy_coef).backward()
                nn.utils.clip_grad_norm_(self.actor_critic.parameters(), self.max_grad_norm)
                self.optimizer.step()
                value_loss_epoch += value_loss.item()
                action_loss_epoch += action_loss.item()
                dist_entropy_epoch += dist_entropy.item()
        num_updates = self.ppo_epoch * self.num_mini_batch
        value_loss_epoch /= num_updates
        action_loss_epoch /= num_updates
        dist_entropy_epoch /= num_updates
        return value_loss_epoch, action_loss_epoch, dist_entropy_epoch


def libraries(torch=None, glue=None) -> tuple:
    """(torch, nn, F, autograd, Normal, data) for autograd, or for PyTorch replaying our
    generator's draws (uniforms, normals, permutations) from ``glue['noise']``."""
    if torch is None:  # torch.optim is nn.optim, torch.utils.data is nn.data here
        namespace = SimpleNamespace(**{k: getattr(ag, k) for k in dir(ag)
                                       if not k.startswith('__')}, optim=nn.optim)
        return namespace, nn, nn.functional, ag, ag.distributions.Normal, nn.data
    glue['noise'] = np.random.default_rng()
    real_data = torch.utils.data

    class Normal(torch.distributions.Normal):
        def sample(self, sample_shape=torch.Size()):
            eps = glue['noise'].standard_normal(tuple(self._extended_shape(sample_shape)))
            return (self.loc + torch.as_tensor(eps) * self.scale).detach()

    class SubsetRandomSampler(real_data.SubsetRandomSampler):
        def __iter__(self):
            for i in glue['noise'].permutation(len(self.indices)).tolist():
                yield self.indices[i]

    def DataLoader(dataset, batch_size, shuffle=False, drop_last=False):
        sampler = SubsetRandomSampler(range(len(dataset))) if shuffle else None
        return real_data.DataLoader(dataset, batch_size, sampler=sampler,
                                    drop_last=drop_last)

    data = SimpleNamespace(Dataset=real_data.Dataset, BatchSampler=real_data.BatchSampler,
                           SubsetRandomSampler=SubsetRandomSampler, DataLoader=DataLoader)
    namespace = replaying(torch, glue)
    namespace.rand = lambda *size: torch.as_tensor(glue['noise'].random(size))
    return namespace, torch.nn, torch.nn.functional, torch.autograd, Normal, data


def test_gail_ppo_runs_step_for_step_with_pytorch(torch) -> None:
    glue = {'record': []}
    ours = main(*libraries(), 3, glue)
    theirs_glue = {'record': [], 'start': glue['start'], 'noise_state': glue['noise_state']}
    theirs = main(*libraries(torch, theirs_glue), 3, theirs_glue)
    assert_same_runs(ours, theirs)
    assert len(ours) == 3 * 4
