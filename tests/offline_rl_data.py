"""Generated offline data sets in D4RL's layout for the offline-RL ports
(``test_pytorch_ports_rl_offline.py``): flat arrays ``observations``, ``actions``,
``rewards``, ``next_observations``, ``terminals`` and ``timeouts`` over consecutive
episodes, as ``d4rl.qlearning_dataset`` returns them. A data set comes from a noisy
controller in a gym-free environment, seeded, so both runs of a port read the same data."""

import numpy as np

from cartpole_env import gym
from point_mass_env import PointMass


def _flat(episodes: list) -> dict:
    """Concatenate per-episode lists of (obs, action, reward, next_obs, terminal, timeout)."""
    rows = [row for episode in episodes for row in episode]
    names = ("observations", "actions", "rewards", "next_observations", "terminals",
             "timeouts")
    return {name: np.array([row[i] for row in rows], dtype=np.float64)
            for i, name in enumerate(names)}


def cartpole_dataset(n_episodes: int = 6, epsilon: float = 0.3, seed: int = 0) -> dict:
    """CartPole episodes of a "push towards the falling pole" expert that acts at random
    with probability ``epsilon``; ``actions`` are 0/1 (as floats, D4RL's dtype)."""
    env, rng, episodes = gym.make("CartPole-v1"), np.random.default_rng(seed), []
    for episode in range(n_episodes):
        obs, _ = env.reset(seed=seed + episode)
        rows = []
        while True:
            expert = int(obs[2] + 0.5 * obs[3] > 0)
            action = int(rng.integers(2)) if rng.random() < epsilon else expert
            next_obs, reward, terminated, truncated, _ = env.step(action)
            truncated = truncated or len(rows) + 1 == 40  # episodes of at most 40 steps
            rows.append((obs, action, reward, next_obs, terminated, truncated))
            obs = next_obs
            if terminated or truncated:
                break
        episodes.append(rows)
    return _flat(episodes)


def point_mass_dataset(n_episodes: int = 8, seed: int = 0) -> dict:
    """Point-mass episodes (12 steps, then a timeout) of proportional controllers with
    gains drawn per episode and Gaussian action noise, clipped to the action box."""
    env, rng, episodes = PointMass(), np.random.default_rng(seed), []
    low, high = env.action_space.low, env.action_space.high
    for episode in range(n_episodes):
        obs, _ = env.reset(seed=seed + episode)
        gain, rows = rng.uniform(0.2, 2.0), []
        while True:
            push = -gain * obs[:2] - 0.5 * obs[2:] + 0.3 * rng.standard_normal(2)
            action = np.clip(push + np.array([0.0, 1.0]), low, high)
            next_obs, reward, terminated, truncated, _ = env.step(action)
            rows.append((obs, action, reward, next_obs, terminated, truncated))
            obs = next_obs
            if terminated or truncated:
                break
        episodes.append(rows)
    return _flat(episodes)
