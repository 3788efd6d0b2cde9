"""The data side of the Decision Transformer port
(``test_pytorch_ports_rl_decision_transformer.py``): min-decision-transformer's
``discount_cumsum`` and ``D4RLTrajectoryDataset`` as its readers write them (returns-to-go,
state normalisation, random windows, zero padding and a ``traj_mask``), built for the run's
library, and the generated episodes that stand in for the D4RL pickle."""

import random

import numpy as np

from point_mass_env import PointMass


def discount_cumsum(x, gamma):
    disc_cumsum = np.zeros_like(x)
    disc_cumsum[-1] = x[-1]
    for t in reversed(range(x.shape[0]-1)):
        disc_cumsum[t] = x[t] + gamma * disc_cumsum[t+1]
    return disc_cumsum


def generated_trajectories(n_episodes=10, seed=0):
    """D4RL-style episodes (``observations``, ``actions``, ``rewards``) of noisy
    proportional controllers on the point mass; every third one stops early."""
    env, rng, trajectories = PointMass(), np.random.default_rng(seed), []
    for episode in range(n_episodes):
        obs, _ = env.reset(seed=seed + episode)
        gain, steps = rng.uniform(0.2, 1.5), 4 if episode % 3 == 0 else 100
        observations, actions, rewards = [], [], []
        for _ in range(steps):
            action = np.clip(-gain * obs[:2] + 0.3 * rng.standard_normal(2), -1, 1)
            observations.append(obs)
            actions.append(action)
            obs, reward, terminated, truncated, _ = env.step(action)
            rewards.append(reward)
            if terminated or truncated:
                break
        trajectories.append({'observations': np.array(observations, dtype=np.float64),
                             'actions': np.array(actions), 'rewards': np.array(rewards)})
    return trajectories


def trajectory_dataset(torch, data):
    """min-decision-transformer's ``D4RLTrajectoryDataset`` on generated episodes."""

    class D4RLTrajectoryDataset(data.Dataset):
        def __init__(self, trajectories, context_len, rtg_scale):

            self.context_len = context_len
            self.trajectories = trajectories

            # calculate min len of traj, state mean and variance
            # and returns_to_go for all traj
            min_len = 10**6
            states = []
            for traj in self.trajectories:
                traj_len = traj['observations'].shape[0]
                min_len = min(min_len, traj_len)
                states.append(traj['observations'])
                # calculate returns to go and rescale them
                traj['returns_to_go'] = discount_cumsum(traj['rewards'], 1.0) / rtg_scale

            # used for input normalization
            states = np.concatenate(states, axis=0)
            self.state_mean, self.state_std = np.mean(states, axis=0), np.std(states, axis=0) + 1e-6

            # normalize states
            for traj in self.trajectories:
                traj['observations'] = (traj['observations'] - self.state_mean) / self.state_std

        def get_state_stats(self):
            return self.state_mean, self.state_std

        def __len__(self):
            return len(self.trajectories)

        def __getitem__(self, idx):
            traj = self.trajectories[idx]
            traj_len = traj['observations'].shape[0]

            if traj_len >= self.context_len:
                # sample random index to slice trajectory
                si = random.randint(0, traj_len - self.context_len)

                states = torch.from_numpy(traj['observations'][si: si + self.context_len])
                actions = torch.from_numpy(traj['actions'][si: si + self.context_len])
                returns_to_go = torch.from_numpy(traj['returns_to_go'][si: si + self.context_len])
                timesteps = torch.arange(start=si, end=si+self.context_len, step=1)

                # all ones since no padding
                traj_mask = torch.ones(self.context_len, dtype=torch.long)

            else:
                padding_len = self.context_len - traj_len

                # padding with zeros
                states = torch.from_numpy(traj['observations'])
                states = torch.cat([states,
                                    torch.zeros(([padding_len] + list(states.shape[1:])),
                                                dtype=states.dtype)],
                                   dim=0)

                actions = torch.from_numpy(traj['actions'])
                actions = torch.cat([actions,
                                     torch.zeros(([padding_len] + list(actions.shape[1:])),
                                                 dtype=actions.dtype)],
                                    dim=0)

                returns_to_go = torch.from_numpy(traj['returns_to_go'])
                returns_to_go = torch.cat([returns_to_go,
                                           torch.zeros(([padding_len]
                                                        + list(returns_to_go.shape[1:])),
                                                       dtype=returns_to_go.dtype)],
                                          dim=0)

                timesteps = torch.arange(start=0, end=self.context_len, step=1)

                traj_mask = torch.cat([torch.ones(traj_len, dtype=torch.long),
                                       torch.zeros(padding_len, dtype=torch.long)],
                                      dim=0)

            return timesteps, states, actions, returns_to_go, traj_mask

    return D4RLTrajectoryDataset
