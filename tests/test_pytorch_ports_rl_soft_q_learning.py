"""Soft Q-learning (Haarnoja et al. 2017, ``softqlearning``'s ``sql.py`` in the PyTorch form
its readers write) step for step next to PyTorch (float64) from the same initial weights
and the same draws: a Q-function trained to the soft Bellman target whose soft value
``logsumexp_k Q(s', a_k) - log K + |A| log 2`` is estimated with uniform proposal actions,
and a stochastic sampling network (state + noise -> tanh action) trained by amortized
SVGD: ``torch.autograd.grad`` of ``log p = Q + sum log(1 - a^2)`` with respect to the fixed
particles, the adaptive isotropic Gaussian kernel (median bandwidth by ``torch.topk``), and
``autograd.grad(updated_actions, params, grad_outputs=...)`` turned into a surrogate
loss. Losses, gradients and parameters agree to 1e-10.

Written differently here: ``torch.optim`` is ``nn.optim`` and ``torch.autograd.grad`` is
``autograd.grad`` (torch.autograd's names are autograd's own); PyTorch's run replays our
generator's draws (``torch.rand``/``randn``, ``Uniform.sample``); target updates assign
``.data`` (``.data`` is the NumPy array here, by design).
"""

import numpy as np

import autograd as ag
import nn
from point_mass_env import PointMass
from test_pytorch_ports_dqn import assert_same_runs, snapshot
from test_pytorch_ports_td3 import replaying

EPS = 1e-6


def soft_q_learning(torch, nn, F, optim, autograd, Uniform, steps, glue):
    """SQL on the point mass (sizes shrunk: 8-unit networks, K = 8 particles)."""
    record = glue['record']
    obs_dim, act_dim, batch_size, K, discount, tau, reward_scale = 4, 2, 6, 8, 0.99, 0.01, 1.0

    class QFunction(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(obs_dim + act_dim, 16), nn.ReLU(),
                                     nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))

        def forward(self, obs, actions):
            return self.net(torch.cat([obs, actions], dim=-1)).squeeze(-1)

    class SamplingPolicy(nn.Module):
        """Stochastic network: a = tanh(f(s, xi)), xi ~ N(0, I)."""

        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(obs_dim + act_dim, 16), nn.ReLU(),
                                     nn.Linear(16, act_dim))

        def forward(self, obs, n_action_samples=1):
            obs = obs.unsqueeze(1).expand(-1, n_action_samples, -1)
            latents = torch.randn(obs.shape[0], n_action_samples, act_dim)
            return torch.tanh(self.net(torch.cat([obs, latents], dim=-1)))

    def adaptive_isotropic_gaussian_kernel(xs, ys, h_min=1e-3):
        """Gaussian kernel with the median heuristic; its gradient with respect to xs."""
        Kx, D = xs.shape[-2:]
        Ky, D2 = ys.shape[-2:]
        assert D == D2
        leading_shape = xs.shape[:-2]
        diff = xs.unsqueeze(-2) - ys.unsqueeze(-3)  # ... x Kx x Ky x D
        dist_sq = torch.sum(diff ** 2, dim=-1)  # ... x Kx x Ky
        # median of the pairwise distances
        input_shape = (*leading_shape, Kx * Ky)
        values, _ = torch.topk(dist_sq.view(input_shape), k=(Kx * Ky // 2 + 1))
        medians_sq = values[..., -1]
        h = medians_sq / np.log(Kx)
        h = torch.max(h, torch.tensor([h_min]))
        h = h.detach()
        h_expanded_twice = h.unsqueeze(-1).unsqueeze(-1)
        kappa = torch.exp(-dist_sq / h_expanded_twice)
        h_expanded_thrice = h_expanded_twice.unsqueeze(-1)
        kappa_expanded = kappa.unsqueeze(-1)
        kappa_grad = -2 * diff / h_expanded_thrice * kappa_expanded
        return {"output": kappa, "gradient": kappa_grad}

    qf, target_qf, policy = QFunction(), QFunction(), SamplingPolicy()
    if 'start' not in glue:
        glue['start'] = [{k: v.detach().numpy().copy() for k, v in m.state_dict().items()}
                         for m in (qf, policy)]
        glue['noise_state'] = ag.default_generator.get_state()
    else:
        for m, state in zip((qf, policy), glue['start'], strict=True):
            m.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
        glue['noise'].bit_generator.state = glue['noise_state']
    target_qf.load_state_dict(qf.state_dict())
    qf_optimizer = optim.Adam(qf.parameters(), lr=3e-4)
    policy_optimizer = optim.Adam(policy.parameters(), lr=3e-4)

    env, rng = PointMass(), np.random.default_rng(3)
    buffer = []
    obs, _ = env.reset(seed=0)
    for step in range(steps):
        with torch.no_grad():
            action = policy(torch.tensor(obs, dtype=torch.float64).unsqueeze(0))[0, 0]
        next_obs, reward, terminated, truncated, _ = env.step(action.numpy() + [0.0, 1.0])
        buffer.append((obs, action.numpy(), reward, next_obs, float(terminated)))
        obs = env.reset()[0] if terminated or truncated else next_obs
        if len(buffer) < batch_size:
            continue
        rows = [buffer[i] for i in rng.integers(0, len(buffer), batch_size)]
        obs_b, act_b, rew_b, next_b, done_b = (torch.tensor(np.array(col), dtype=torch.float64)
                                               for col in zip(*rows))

        # Q-function: soft Bellman target, soft value by uniform importance sampling
        with torch.no_grad():
            target_actions = Uniform(-1.0, 1.0).sample((batch_size, K, act_dim))
            q_next = target_qf(next_b.unsqueeze(1).expand(-1, K, -1), target_actions)
            next_value = torch.logsumexp(q_next, dim=1)
            next_value -= np.log(K)
            next_value += act_dim * np.log(2)
            ys = reward_scale * rew_b + (1 - done_b) * discount * next_value
        bellman_residual = 0.5 * torch.mean((ys - qf(obs_b, act_b)) ** 2)
        qf_optimizer.zero_grad()
        bellman_residual.backward()
        qf_optimizer.step()
        record.append((bellman_residual.item(), snapshot(qf)))

        # policy: amortized SVGD
        actions = policy(obs_b, n_action_samples=K)
        n_updated_actions = K // 2
        n_fixed_actions = K - n_updated_actions
        fixed_actions, updated_actions = torch.split(
            actions, [n_fixed_actions, n_updated_actions], dim=1)
        fixed_actions = fixed_actions.detach()
        fixed_actions.requires_grad_(True)
        svgd_target_values = qf(obs_b.unsqueeze(1).expand(-1, n_fixed_actions, -1),
                                fixed_actions)
        # target log-density: Q plus the log-Jacobian of the tanh squashing
        squash_correction = torch.sum(torch.log(1 - fixed_actions ** 2 + EPS), dim=-1)
        log_p = svgd_target_values + squash_correction
        grad_log_p = autograd.grad(log_p.sum(), fixed_actions)[0]
        grad_log_p = grad_log_p.unsqueeze(2).detach()
        kernel_dict = adaptive_isotropic_gaussian_kernel(xs=fixed_actions, ys=updated_actions)
        kappa = kernel_dict["output"].unsqueeze(3)
        action_gradients = torch.mean(kappa * grad_log_p + kernel_dict["gradient"], dim=1)
        gradients = autograd.grad(updated_actions, list(policy.parameters()),
                                        grad_outputs=action_gradients.detach())
        surrogate_loss = -sum(torch.sum(w * g.detach())
                              for w, g in zip(policy.parameters(), gradients))
        policy_optimizer.zero_grad()
        surrogate_loss.backward()
        policy_optimizer.step()
        record.append((surrogate_loss.item(), snapshot(policy)))

        with torch.no_grad():
            for target_param, param in zip(target_qf.parameters(), qf.parameters()):
                target_param.data = (1 - tau) * target_param.data + tau * param.data
    return record


def libraries(torch=None, glue=None) -> tuple:
    """(torch, nn, F, optim, autograd, Uniform) for autograd, or for PyTorch replaying our draws."""
    if torch is None:
        return ag, nn, nn.functional, nn.optim, ag, ag.distributions.Uniform
    glue['noise'] = np.random.default_rng()
    namespace = replaying(torch, glue)
    namespace.randn = lambda *size: torch.as_tensor(glue['noise'].standard_normal(size))

    class Uniform(torch.distributions.Uniform):
        def sample(self, sample_shape=torch.Size()):
            shape = tuple(self._extended_shape(sample_shape))
            u = torch.as_tensor(glue['noise'].random(shape))
            return self.low + u * (self.high - self.low)
    return namespace, torch.nn, torch.nn.functional, torch.optim, torch.autograd, Uniform


def test_soft_q_learning_runs_step_for_step_with_pytorch(torch) -> None:
    glue = {'record': []}
    ours = soft_q_learning(*libraries(), 12, glue)
    theirs_glue = {'record': [], 'start': glue['start'], 'noise_state': glue['noise_state']}
    theirs = soft_q_learning(*libraries(torch, theirs_glue), 12, theirs_glue)
    assert_same_runs(ours, theirs)
    assert len(ours) == 2 * 7
