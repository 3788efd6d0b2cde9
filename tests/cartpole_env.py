"""A gym-free CartPole for the reinforcement-learning ports (``reinforce.py``,
``actor_critic.py``, the DQN tutorial): gym's classic cart-pole equations in NumPy with
gym's API (``gym.make('CartPole-v1')``, ``env.reset(seed=...)`` -> ``(state, info)``,
``env.step(action)`` -> ``(state, reward, terminated, truncated, info)``, float32 states,
``env.action_space.n`` and ``env.action_space.sample()``). Everything random comes from
the environment's ``np_random``, seeded by ``reset(seed=...)``, so two runs seeded alike
see the same transitions."""

import math
from types import SimpleNamespace

import numpy as np


class Discrete:
    """gym's ``spaces.Discrete(n)``: ``n`` and ``sample()`` (drawn from the environment's
    generator, as gym's ``env.action_space`` is seeded with the environment)."""

    def __init__(self, n: int, env) -> None:
        self.n, self.env = n, env

    def sample(self) -> int:
        return int(self.env.np_random.integers(self.n))


class CartPole:
    """gym's CartPole-v1: push the cart left (0) or right (1); reward 1 per step until the
    pole leans past 12 degrees or the cart leaves [-2.4, 2.4] (terminated), or 500 steps
    (truncated). Euler steps of 0.02 s of the classic cart-pole equations."""

    gravity, masscart, masspole, length, force_mag, tau = 9.8, 1.0, 0.1, 0.5, 10.0, 0.02
    theta_threshold_radians, x_threshold, max_episode_steps = 12 * 2 * math.pi / 360, 2.4, 500
    spec = SimpleNamespace(id='CartPole-v1', reward_threshold=475.0)

    def __init__(self) -> None:
        self.np_random = np.random.default_rng()
        self.action_space = Discrete(2, self)
        self.state, self.steps = None, 0

    def reset(self, seed=None):
        if seed is not None:
            self.np_random = np.random.default_rng(seed)
        self.state, self.steps = self.np_random.uniform(-0.05, 0.05, size=(4,)), 0
        return np.array(self.state, dtype=np.float32), {}

    def step(self, action):
        assert action in (0, 1), action
        x, x_dot, theta, theta_dot = self.state
        force = self.force_mag if action == 1 else -self.force_mag
        total_mass = self.masspole + self.masscart
        polemass_length = self.masspole * self.length
        costheta, sintheta = math.cos(theta), math.sin(theta)
        temp = (force + polemass_length * theta_dot ** 2 * sintheta) / total_mass
        thetaacc = (self.gravity * sintheta - costheta * temp) / (
            self.length * (4.0 / 3.0 - self.masspole * costheta ** 2 / total_mass))
        xacc = temp - polemass_length * thetaacc * costheta / total_mass
        x, x_dot = x + self.tau * x_dot, x_dot + self.tau * xacc
        theta, theta_dot = theta + self.tau * theta_dot, theta_dot + self.tau * thetaacc
        self.state, self.steps = (x, x_dot, theta, theta_dot), self.steps + 1
        terminated = bool(abs(x) > self.x_threshold or abs(theta) > self.theta_threshold_radians)
        truncated = self.steps >= self.max_episode_steps
        return np.array(self.state, dtype=np.float32), 1.0, terminated, truncated, {}


gym = SimpleNamespace(make=lambda name: CartPole())
