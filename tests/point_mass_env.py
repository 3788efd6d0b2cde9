"""A gym-free continuous-control environment for the SAC/TD3/DDPG ports: a point mass in
the plane pushed by a bounded force, with gym's API (``reset(seed=...)`` -> ``(obs, info)``,
``step(action)`` -> ``(obs, reward, terminated, truncated, info)``, a ``Box`` action space
with ``low``/``high``/``shape``/``sample()``, float32 observations). The two force axes
have different bounds, so ``action_scale``/``action_bias`` are not all ones and zeros.
Everything random comes from the environment's ``np_random``, seeded by ``reset(seed=...)``,
so two runs seeded alike see the same transitions."""

from types import SimpleNamespace

import numpy as np


class Box:
    """gym's ``spaces.Box(low, high)``: ``low``, ``high``, ``shape``, ``sample()``."""

    def __init__(self, low, high, np_random_of) -> None:
        self.low = np.asarray(low, dtype=np.float32)
        self.high = np.asarray(high, dtype=np.float32)
        self.shape, self._rng = self.low.shape, np_random_of

    def sample(self) -> np.ndarray:
        return self._rng().uniform(self.low, self.high).astype(np.float32)


class PointMass:
    """x'' = force - 0.1 x', Euler steps of dt = 0.1; the observation is (x, x'), the
    reward -(|x|^2 + 0.1 |x'|^2 + 0.01 |force|^2); truncated after ``max_episode_steps``."""

    dt, max_episode_steps = 0.1, 12
    spec = SimpleNamespace(id='PointMass-v0')

    def __init__(self) -> None:
        self.np_random = np.random.default_rng()
        self.action_space = Box([-1.0, 0.0], [1.0, 2.0], lambda: self.np_random)
        self.observation_space = Box([-np.inf] * 4, [np.inf] * 4, lambda: self.np_random)
        self.pos = self.vel = None
        self.steps = 0

    def _obs(self) -> np.ndarray:
        return np.concatenate([self.pos, self.vel]).astype(np.float32)

    def reset(self, seed=None):
        if seed is not None:
            self.np_random = np.random.default_rng(seed)
        self.pos = self.np_random.uniform(-1.0, 1.0, size=2)
        self.vel = np.zeros(2)
        self.steps = 0
        return self._obs(), {}

    def step(self, action):
        force = np.clip(np.asarray(action, dtype=np.float64), self.action_space.low,
                        self.action_space.high) - np.array([0.0, 1.0])
        self.vel = self.vel + self.dt * (force - 0.1 * self.vel)
        self.pos = self.pos + self.dt * self.vel
        self.steps += 1
        reward = -(self.pos @ self.pos + 0.1 * self.vel @ self.vel + 0.01 * force @ force)
        truncated = self.steps >= self.max_episode_steps
        return self._obs(), float(reward), False, truncated, {}
