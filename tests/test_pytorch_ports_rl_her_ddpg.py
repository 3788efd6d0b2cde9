"""TianhongDai's ``hindsight-experience-replay`` ``ddpg_agent.py`` as its readers write it,
step for step next to PyTorch (float64) from the same initial weights: rollouts of a
goal-reaching point mass with Gaussian plus random-action exploration, episodes stored
whole, goals relabelled by the 'future' HER strategy (``tests/her_ddpg_program.py``),
observation/goal normalizers, the clipped TD target ``clamp(r + gamma Q', -1/(1-gamma), 0)``,
the actor's ``-Q + action_l2 * |a / a_max|^2`` loss built with ``actor_loss += ...``, and
Polyak-averaged targets. Every random draw is NumPy's global generator, seeded alike.
Losses, gradients and parameters agree to 1e-10.

Written differently here: ``target_param.data.copy_(...)`` is ``target_param.data = ...``
(``.data`` is the NumPy array here, by design; assigning it replaces the values untracked,
as in PyTorch); ``dtype=torch.float32`` is float64; ``torch.optim`` is ``nn.optim``.
"""

from types import SimpleNamespace

import numpy as np

import autograd as ag
import nn
from her_ddpg_program import GoalPointMass, her_sampler, networks, normalizer, replay_buffer
from test_pytorch_ports_dqn import assert_same_runs, snapshot


class ddpg_agent:
    def __init__(self, torch, nn, F, optim, args, env, env_params, glue):
        self.torch, self.glue = torch, glue
        self.args = args
        self.env = env
        self.env_params = env_params
        actor, critic = networks(torch, nn, F)
        # create the network
        self.actor_network = actor(env_params)
        self.critic_network = critic(env_params)
        # sync the networks across the cpus (one process: our weights, shared)
        modules = [self.actor_network, self.critic_network]
        if 'start' not in glue:
            glue['start'] = [{k: v.detach().numpy().copy() for k, v in m.state_dict().items()}
                             for m in modules]
        else:
            for m, state in zip(modules, glue['start'], strict=True):
                m.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
        # build up the target network
        self.actor_target_network = actor(env_params)
        self.critic_target_network = critic(env_params)
        # load the weights into the target networks
        self.actor_target_network.load_state_dict(self.actor_network.state_dict())
        self.critic_target_network.load_state_dict(self.critic_network.state_dict())
        # create the optimizer
        self.actor_optim = optim.Adam(self.actor_network.parameters(), lr=self.args.lr_actor)
        self.critic_optim = optim.Adam(self.critic_network.parameters(),
                                       lr=self.args.lr_critic)
        # her sampler
        self.her_module = her_sampler(self.args.replay_strategy, self.args.replay_k,
                                      self.env.compute_reward)
        # create the replay buffer
        self.buffer = replay_buffer(self.env_params, self.args.buffer_size,
                                    self.her_module.sample_her_transitions)
        # create the normalizer
        self.o_norm = normalizer(size=env_params['obs'], default_clip_range=self.args.clip_range)
        self.g_norm = normalizer(size=env_params['goal'],
                                 default_clip_range=self.args.clip_range)

    def learn(self):
        """train the network"""
        torch = self.torch
        # start to collect samples
        for epoch in range(self.args.n_epochs):
            for _ in range(self.args.n_cycles):
                mb_obs, mb_ag, mb_g, mb_actions = [], [], [], []
                for _ in range(self.args.num_rollouts_per_mpi):
                    # reset the rollouts
                    ep_obs, ep_ag, ep_g, ep_actions = [], [], [], []
                    # reset the environment
                    observation = self.env.reset()
                    obs = observation['observation']
                    ag = observation['achieved_goal']
                    g = observation['desired_goal']
                    # start to collect samples
                    for t in range(self.env_params['max_timesteps']):
                        with torch.no_grad():
                            input_tensor = self._preproc_inputs(obs, g)
                            pi = self.actor_network(input_tensor)
                            action = self._select_actions(pi)
                        # feed the actions into the environment
                        observation_new, _, _, info = self.env.step(action)
                        obs_new = observation_new['observation']
                        ag_new = observation_new['achieved_goal']
                        # append rollouts
                        ep_obs.append(obs.copy())
                        ep_ag.append(ag.copy())
                        ep_g.append(g.copy())
                        ep_actions.append(action.copy())
                        # re-assign the observation
                        obs = obs_new
                        ag = ag_new
                    ep_obs.append(obs.copy())
                    ep_ag.append(ag.copy())
                    mb_obs.append(ep_obs)
                    mb_ag.append(ep_ag)
                    mb_g.append(ep_g)
                    mb_actions.append(ep_actions)
                # convert them into arrays
                mb_obs = np.array(mb_obs)
                mb_ag = np.array(mb_ag)
                mb_g = np.array(mb_g)
                mb_actions = np.array(mb_actions)
                # store the episodes
                self.buffer.store_episode([mb_obs, mb_ag, mb_g, mb_actions])
                self._update_normalizer([mb_obs, mb_ag, mb_g, mb_actions])
                for _ in range(self.args.n_batches):
                    # train the network
                    self._update_network()
                # soft update
                self._soft_update_target_network(self.actor_target_network,
                                                 self.actor_network)
                self._soft_update_target_network(self.critic_target_network,
                                                 self.critic_network)
                self.glue['record'].append(snapshot(self.actor_target_network)
                                           + snapshot(self.critic_target_network))

    # pre_process the inputs
    def _preproc_inputs(self, obs, g):
        obs_norm = self.o_norm.normalize(obs)
        g_norm = self.g_norm.normalize(g)
        # concatenate the stuffs
        inputs = np.concatenate([obs_norm, g_norm])
        inputs = self.torch.tensor(inputs, dtype=self.torch.float64).unsqueeze(0)
        return inputs

    # this function will choose action for the agent and do the exploration
    def _select_actions(self, pi):
        action = pi.cpu().numpy().squeeze()
        # add the gaussian
        action += self.args.noise_eps * self.env_params['action_max'] * np.random.randn(
            *action.shape)
        action = np.clip(action, -self.env_params['action_max'],
                         self.env_params['action_max'])
        # random actions...
        random_actions = np.random.uniform(low=-self.env_params['action_max'],
                                           high=self.env_params['action_max'],
                                           size=self.env_params['action'])
        # choose if use the random actions
        action += np.random.binomial(1, self.args.random_eps, 1)[0] * (random_actions - action)
        return action

    # update the normalizer
    def _update_normalizer(self, episode_batch):
        mb_obs, mb_ag, mb_g, mb_actions = episode_batch
        mb_obs_next = mb_obs[:, 1:, :]
        mb_ag_next = mb_ag[:, 1:, :]
        # get the number of normalization transitions
        num_transitions = mb_actions.shape[1]
        # create the new buffer to store them
        buffer_temp = {'obs': mb_obs, 'ag': mb_ag, 'g': mb_g, 'actions': mb_actions,
                       'obs_next': mb_obs_next, 'ag_next': mb_ag_next}
        transitions = self.her_module.sample_her_transitions(buffer_temp, num_transitions)
        obs, g = transitions['obs'], transitions['g']
        # pre process the obs and g
        transitions['obs'], transitions['g'] = self._preproc_og(obs, g)
        # update
        self.o_norm.update(transitions['obs'])
        self.g_norm.update(transitions['g'])
        # recompute the stats
        self.o_norm.recompute_stats()
        self.g_norm.recompute_stats()

    def _preproc_og(self, o, g):
        o = np.clip(o, -self.args.clip_obs, self.args.clip_obs)
        g = np.clip(g, -self.args.clip_obs, self.args.clip_obs)
        return o, g

    # soft update
    def _soft_update_target_network(self, target, source):
        for target_param, param in zip(target.parameters(), source.parameters()):
            # target_param.data.copy_(...) in the repo: .data is a NumPy array here
            target_param.data = ((1 - self.args.polyak) * param.data
                                 + self.args.polyak * target_param.data)

    # update the network
    def _update_network(self):
        torch = self.torch
        # sample the episodes
        transitions = self.buffer.sample(self.args.batch_size)
        # pre-process the observation and goal
        o, o_next, g = transitions['obs'], transitions['obs_next'], transitions['g']
        transitions['obs'], transitions['g'] = self._preproc_og(o, g)
        transitions['obs_next'], transitions['g_next'] = self._preproc_og(o_next, g)
        # start to do the update
        obs_norm = self.o_norm.normalize(transitions['obs'])
        g_norm = self.g_norm.normalize(transitions['g'])
        inputs_norm = np.concatenate([obs_norm, g_norm], axis=1)
        obs_next_norm = self.o_norm.normalize(transitions['obs_next'])
        g_next_norm = self.g_norm.normalize(transitions['g_next'])
        inputs_next_norm = np.concatenate([obs_next_norm, g_next_norm], axis=1)
        # transfer them into the tensor
        inputs_norm_tensor = torch.tensor(inputs_norm, dtype=torch.float64)
        inputs_next_norm_tensor = torch.tensor(inputs_next_norm, dtype=torch.float64)
        actions_tensor = torch.tensor(transitions['actions'], dtype=torch.float64)
        r_tensor = torch.tensor(transitions['r'], dtype=torch.float64)
        # calculate the target Q value function
        with torch.no_grad():
            # do the normalization
            # concatenate the stuffs
            actions_next = self.actor_target_network(inputs_next_norm_tensor)
            q_next_value = self.critic_target_network(inputs_next_norm_tensor, actions_next)
            q_next_value = q_next_value.detach()
            target_q_value = r_tensor + self.args.gamma * q_next_value
            target_q_value = target_q_value.detach()
            # clip the q value
            clip_return = 1 / (1 - self.args.gamma)
            target_q_value = torch.clamp(target_q_value, -clip_return, 0)
        # the q loss
        real_q_value = self.critic_network(inputs_norm_tensor, actions_tensor)
        critic_loss = (target_q_value - real_q_value).pow(2).mean()
        # the actor loss
        actions_real = self.actor_network(inputs_norm_tensor)
        actor_loss = -self.critic_network(inputs_norm_tensor, actions_real).mean()
        actor_loss += self.args.action_l2 * (
            actions_real / self.env_params['action_max']).pow(2).mean()
        # start to update the network
        self.actor_optim.zero_grad()
        actor_loss.backward()
        self.actor_optim.step()
        # update the critic_network
        self.critic_optim.zero_grad()
        critic_loss.backward()
        self.critic_optim.step()
        self.glue['record'].append((actor_loss.item(), snapshot(self.actor_network)))
        self.glue['record'].append((critic_loss.item(), snapshot(self.critic_network)))


def launch(torch, nn, F, optim, glue):
    """train.py's launch(): seeds, env_params from the first observation, learn()."""
    args = SimpleNamespace(n_epochs=1, n_cycles=3, n_batches=2, num_rollouts_per_mpi=2,
                           replay_strategy='future', replay_k=4, clip_return=50.0,
                           buffer_size=60, clip_obs=200, clip_range=5, batch_size=16,
                           gamma=0.98, action_l2=1.0, lr_actor=0.001, lr_critic=0.001,
                           polyak=0.95, noise_eps=0.2, random_eps=0.3, seed=123)
    env = GoalPointMass()
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    obs = env.reset()
    env_params = {'obs': obs['observation'].shape[0], 'goal': obs['desired_goal'].shape[0],
                  'action': 2, 'action_max': env.max_action,
                  'max_timesteps': env._max_episode_steps}
    ddpg_trainer = ddpg_agent(torch, nn, F, optim, args, env, env_params, glue)
    ddpg_trainer.learn()
    glue['draws'] = np.random.random()
    return glue['record']


def test_her_ddpg_runs_step_for_step_with_pytorch(torch) -> None:
    glue = {'record': []}
    ours = launch(ag, nn, nn.functional, nn.optim, glue)
    theirs_glue = {'record': [], 'start': glue['start']}
    theirs = launch(torch, torch.nn, torch.nn.functional, torch.optim, theirs_glue)
    assert theirs_glue['draws'] == glue['draws']
    assert_same_runs(ours, theirs)
    assert len(ours) == 3 * (2 * 2 + 1)
