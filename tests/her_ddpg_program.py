"""TianhongDai's ``hindsight-experience-replay`` (HER + DDPG) pieces as its readers write
them: ``her_sampler`` (the 'future' strategy relabels goals with achieved goals of later
steps and recomputes the reward), the episode ``replay_buffer``, the running ``normalizer``,
the goal-conditioned ``actor``/``critic``, and a gym-free goal-reaching point mass with
``compute_reward``. All NumPy except the networks, which take the library's ``nn``/``F``.

Written differently here: no MPI (``sync_grads``/``sync`` are the identity on one process).
"""

import threading

import numpy as np


class GoalPointMass:
    """Fetch-like goal API: a point in the plane moved by a bounded velocity; observations
    are dicts of 'observation' (position, velocity), 'achieved_goal' (position),
    'desired_goal'; the reward is -1 until within ``distance_threshold`` of the goal."""

    distance_threshold, max_action = 0.1, 1.0

    def __init__(self, max_timesteps: int = 6) -> None:
        self._max_episode_steps = max_timesteps
        self.pos = self.vel = self.goal = None

    def _obs(self) -> dict:
        return {'observation': np.concatenate([self.pos, self.vel]),
                'achieved_goal': self.pos.copy(), 'desired_goal': self.goal.copy()}

    def reset(self) -> dict:
        self.pos = np.random.uniform(-0.5, 0.5, size=2)
        self.vel = np.zeros(2)
        self.goal = np.random.uniform(-0.5, 0.5, size=2)
        return self._obs()

    def compute_reward(self, achieved_goal, goal, info):
        d = np.linalg.norm(achieved_goal - goal, axis=-1)
        return -(d > self.distance_threshold).astype(np.float32)

    def step(self, action):
        self.vel = 0.2 * np.clip(action, -1.0, 1.0)
        self.pos = self.pos + self.vel
        obs = self._obs()
        reward = self.compute_reward(obs['achieved_goal'], self.goal, None)
        info = {'is_success': float(reward == 0.0)}
        return obs, reward, False, info


class her_sampler:
    def __init__(self, replay_strategy, replay_k, reward_func=None):
        self.replay_strategy = replay_strategy
        self.replay_k = replay_k
        if self.replay_strategy == 'future':
            self.future_p = 1 - (1. / (1 + replay_k))
        else:
            self.future_p = 0
        self.reward_func = reward_func

    def sample_her_transitions(self, episode_batch, batch_size_in_transitions):
        T = episode_batch['actions'].shape[1]
        rollout_batch_size = episode_batch['actions'].shape[0]
        batch_size = batch_size_in_transitions
        # select which rollouts and which timesteps to be used
        episode_idxs = np.random.randint(0, rollout_batch_size, batch_size)
        t_samples = np.random.randint(T, size=batch_size)
        transitions = {key: episode_batch[key][episode_idxs, t_samples].copy()
                       for key in episode_batch.keys()}
        # her idx
        her_indexes = np.where(np.random.uniform(size=batch_size) < self.future_p)
        future_offset = np.random.uniform(size=batch_size) * (T - t_samples)
        future_offset = future_offset.astype(int)
        future_t = (t_samples + 1 + future_offset)[her_indexes]
        # replace go with achieved goal
        future_ag = episode_batch['ag'][episode_idxs[her_indexes], future_t]
        transitions['g'][her_indexes] = future_ag
        # to get the params to re-compute reward
        transitions['r'] = np.expand_dims(
            self.reward_func(transitions['ag_next'], transitions['g'], None), 1)
        transitions = {k: transitions[k].reshape(batch_size, *transitions[k].shape[1:])
                       for k in transitions.keys()}
        return transitions


class replay_buffer:
    def __init__(self, env_params, buffer_size, sample_func):
        self.env_params = env_params
        self.T = env_params['max_timesteps']
        self.size = buffer_size // self.T
        # memory management
        self.current_size = 0
        self.n_transitions_stored = 0
        self.sample_func = sample_func
        # create the buffer to store info
        self.buffers = {'obs': np.empty([self.size, self.T + 1, self.env_params['obs']]),
                        'ag': np.empty([self.size, self.T + 1, self.env_params['goal']]),
                        'g': np.empty([self.size, self.T, self.env_params['goal']]),
                        'actions': np.empty([self.size, self.T, self.env_params['action']])}
        self.lock = threading.Lock()

    def store_episode(self, episode_batch):
        mb_obs, mb_ag, mb_g, mb_actions = episode_batch
        batch_size = mb_obs.shape[0]
        with self.lock:
            idxs = self._get_storage_idx(inc=batch_size)
            self.buffers['obs'][idxs] = mb_obs
            self.buffers['ag'][idxs] = mb_ag
            self.buffers['g'][idxs] = mb_g
            self.buffers['actions'][idxs] = mb_actions
            self.n_transitions_stored += self.T * batch_size

    def sample(self, batch_size):
        temp_buffers = {}
        with self.lock:
            for key in self.buffers.keys():
                temp_buffers[key] = self.buffers[key][:self.current_size]
        temp_buffers['obs_next'] = temp_buffers['obs'][:, 1:, :]
        temp_buffers['ag_next'] = temp_buffers['ag'][:, 1:, :]
        transitions = self.sample_func(temp_buffers, batch_size)
        return transitions

    def _get_storage_idx(self, inc=None):
        inc = inc or 1
        if self.current_size + inc <= self.size:
            idx = np.arange(self.current_size, self.current_size + inc)
        elif self.current_size < self.size:
            overflow = inc - (self.size - self.current_size)
            idx_a = np.arange(self.current_size, self.size)
            idx_b = np.random.randint(0, self.current_size, overflow)
            idx = np.concatenate([idx_a, idx_b])
        else:
            idx = np.random.randint(0, self.size, inc)
        self.current_size = min(self.size, self.current_size + inc)
        if inc == 1:
            idx = idx[0]
        return idx


class normalizer:
    def __init__(self, size, eps=1e-2, default_clip_range=np.inf):
        self.size = size
        self.eps = eps
        self.default_clip_range = default_clip_range
        self.local_sum = np.zeros(self.size, np.float32)
        self.local_sumsq = np.zeros(self.size, np.float32)
        self.local_count = np.zeros(1, np.float32)
        self.total_sum = np.zeros(self.size, np.float32)
        self.total_sumsq = np.zeros(self.size, np.float32)
        self.total_count = np.zeros(1, np.float32)
        self.mean = np.zeros(self.size, np.float32)
        self.std = np.ones(self.size, np.float32)
        self.lock = threading.Lock()

    def update(self, v):
        v = v.reshape(-1, self.size)
        with self.lock:
            self.local_sum += v.sum(axis=0)
            self.local_sumsq += (np.square(v)).sum(axis=0)
            self.local_count[0] += v.shape[0]

    def recompute_stats(self):
        with self.lock:
            local_count = self.local_count.copy()
            local_sum = self.local_sum.copy()
            local_sumsq = self.local_sumsq.copy()
            self.local_count[...] = 0
            self.local_sum[...] = 0
            self.local_sumsq[...] = 0
        # one process: MPI's sync is the identity
        self.total_sum += local_sum
        self.total_sumsq += local_sumsq
        self.total_count += local_count
        self.mean = self.total_sum / self.total_count
        self.std = np.sqrt(np.maximum(np.square(self.eps), (self.total_sumsq / self.total_count)
                                      - np.square(self.total_sum / self.total_count)))

    def normalize(self, v, clip_range=None):
        if clip_range is None:
            clip_range = self.default_clip_range
        return np.clip((v - self.mean) / (self.std), -clip_range, clip_range)


def networks(torch, nn, F, hidden=32):
    """models.py's actor and critic (256 units shrunk to ``hidden``)."""

    class actor(nn.Module):
        def __init__(self, env_params):
            super(actor, self).__init__()
            self.max_action = env_params['action_max']
            self.fc1 = nn.Linear(env_params['obs'] + env_params['goal'], hidden)
            self.fc2 = nn.Linear(hidden, hidden)
            self.fc3 = nn.Linear(hidden, hidden)
            self.action_out = nn.Linear(hidden, env_params['action'])

        def forward(self, x):
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            x = F.relu(self.fc3(x))
            actions = self.max_action * torch.tanh(self.action_out(x))
            return actions

    class critic(nn.Module):
        def __init__(self, env_params):
            super(critic, self).__init__()
            self.max_action = env_params['action_max']
            self.fc1 = nn.Linear(env_params['obs'] + env_params['goal']
                                 + env_params['action'], hidden)
            self.fc2 = nn.Linear(hidden, hidden)
            self.fc3 = nn.Linear(hidden, hidden)
            self.q_out = nn.Linear(hidden, 1)

        def forward(self, x, actions):
            x = torch.cat([x, actions / self.max_action], dim=1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            x = F.relu(self.fc3(x))
            q_value = self.q_out(x)
            return q_value

    return actor, critic
