"""Rainbow (Hessel et al. 2018) as Kaixhin's ``Rainbow`` writes it, ported as its readers
write it and run step for step next to PyTorch (float64) from the same initial weights and
the same noise: ``NoisyLinear`` (factorised Gaussian noise: ``x.sign().mul_(x.abs().sqrt_())``,
``self.weight_epsilon.copy_(epsilon_out.ger(epsilon_in))`` into registered buffers,
``F.linear`` with ``weight_mu + weight_sigma * weight_epsilon`` in training mode), the
dueling distributional ``DQN`` (``data-efficient`` convolutions, value and advantage
streams ``v + a - a.mean(1, keepdim=True)``, ``F.log_softmax(q, dim=2)`` or ``F.softmax``,
``reset_noise`` over ``named_children()`` whose names contain ``'fc'``), and the
``Agent``: ``act`` as ``(self.online_net(state.unsqueeze(0)) * self.support).sum(2)
.argmax(1).item()``, a target network whose parameters get ``requires_grad = False``, and
``learn``: ``log_ps[range(self.batch_size), actions]``, Double-Q action choice, the
n-step ``Tz`` clamped and projected with ``floor().to(torch.int64)``, the fix
``l[(u > 0) * (l == u)] -= 1``, ``states.new_zeros(...)``, an ``offset`` built with
``torch.linspace(...).unsqueeze(1).expand(...).to(actions)``, two
``m.view(-1).index_add_`` calls, the importance-weighted ``(weights * loss).mean()
.backward()`` and new priorities from ``loss.detach().cpu().numpy()``.

Lines written differently here, and the test's glue:
- ``self.weight_mu.data.uniform_(...)``/``.data.fill_(...)`` in ``reset_parameters`` are
  ``uniform_``/``fill_`` on the parameters under ``torch.no_grad()``: ``.data`` is a NumPy
  array here, by design;
- ``torch.randn`` in ``_scale_noise`` draws from a NumPy generator seeded alike in both
  runs (``SharedNoise``; the libraries' generators differ), and the PyTorch run loads our
  initial weights (``load_state_dict``);
- ``float32`` is float64; the Atari frames are 2 x 25 x 25 pictures of the shared CartPole
  (``tests/cartpole_env.py``), so ``conv_output_size`` is 16; the prioritised n-step
  ``ReplayMemory`` (a segment tree in the original) is a small NumPy list sampled in
  proportion to ``priority ** priority_exponent`` with ``np.random``; the sizes shrink.
"""

import math
from collections import deque

import numpy as np

from cartpole_env import gym
from test_pytorch_ports_dqn import assert_same_runs, libraries, share_start, snapshot


class SharedNoise:
    """The run's library with ``randn(size, device=...)`` drawn from a NumPy generator."""

    def __init__(self, library) -> None:
        self.library, self.rng = library, np.random.default_rng(5)

    def __getattr__(self, name: str):
        return getattr(self.library, name)

    def randn(self, size, device=None):
        return self.library.tensor(self.rng.standard_normal(size), device=device)


class Env:
    """Kaixhin's ``Env`` interface (``reset``/``step`` -> stacked frames, ``action_space()``)
    over the shared CartPole drawn as 25 x 25 pictures."""

    def __init__(self, torch, history_length=2):
        self.torch, self.env = torch, gym.make("CartPole-v1")
        self.window = history_length
        self.state_buffer = deque([], maxlen=history_length)
        self.seed = 0

    def _get_state(self):
        x, _, theta, _ = self.obs
        frame = np.zeros((25, 25))
        cart = int(np.clip((x + 2.4) / 4.8 * 24, 0, 24))
        frame[20, max(cart - 2, 0):cart + 3] = 1.0
        for r in range(1, 10):
            frame[20 - r, int(np.clip(cart + r * math.sin(theta) * 3, 0, 24))] = 0.5
        return self.torch.tensor(frame, dtype=self.torch.float64)

    def action_space(self):
        return 2

    def reset(self):
        self.seed += 1
        self.obs, _ = self.env.reset(seed=self.seed)
        for _ in range(self.window - 1):
            self.state_buffer.append(self.torch.zeros(25, 25))
        self.state_buffer.append(self._get_state())
        return self.torch.stack(list(self.state_buffer), 0)

    def step(self, action):
        self.obs, reward, terminated, truncated, _ = self.env.step(action)
        self.state_buffer.append(self._get_state())
        return self.torch.stack(list(self.state_buffer), 0), reward, terminated or truncated


class ReplayMemory:
    """Prioritised n-step replay as ``memory.py``'s interface: ``append``, ``sample`` ->
    (idxs, states, actions, returns, next_states, nonterminals, weights),
    ``update_priorities``; states kept as NumPy arrays."""

    def __init__(self, torch, args):
        self.torch, self.n, self.discount = torch, args.multi_step, args.discount
        self.priority_weight, self.priority_exponent = args.priority_weight, \
            args.priority_exponent
        self.transitions, self.priorities = [], []

    def append(self, state, action, reward, terminal):
        self.transitions.append((state.numpy().copy(), action, reward, terminal))
        self.priorities.append(max(self.priorities, default=1.0))

    def _n_step(self, i):
        ret, nonterminal = 0.0, 1.0
        for k in range(self.n):
            _, _, reward, terminal = self.transitions[i + k]
            ret += self.discount ** k * reward
            if terminal:
                nonterminal = 0.0
                break
        return ret, self.transitions[i + self.n][0], nonterminal

    def sample(self, batch_size):
        p = np.array(self.priorities[:-self.n]) ** self.priority_exponent
        probs = p / p.sum()
        idxs = np.random.choice(len(probs), size=batch_size, p=probs)
        returns, next_states, nonterminals = zip(*(self._n_step(i) for i in idxs))
        weights = (len(probs) * probs[idxs]) ** -self.priority_weight
        torch = self.torch
        return (idxs, torch.tensor(np.stack([self.transitions[i][0] for i in idxs])),
                torch.tensor([self.transitions[i][1] for i in idxs], dtype=torch.int64),
                torch.tensor(returns), torch.tensor(np.stack(next_states)),
                torch.tensor(nonterminals).unsqueeze(1), torch.tensor(weights / weights.max()))

    def update_priorities(self, idxs, priorities):
        for i, priority in zip(idxs, priorities):
            self.priorities[i] = float(priority)


def model(torch, nn, F):
    """Kaixhin's ``model.py`` for the run's library."""

    # Factorised NoisyLinear layer with bias
    class NoisyLinear(nn.Module):
        def __init__(self, in_features, out_features, std_init=0.5):
            super(NoisyLinear, self).__init__()
            self.in_features = in_features
            self.out_features = out_features
            self.std_init = std_init
            self.weight_mu = nn.Parameter(torch.empty(out_features, in_features))
            self.weight_sigma = nn.Parameter(torch.empty(out_features, in_features))
            self.register_buffer('weight_epsilon', torch.empty(out_features, in_features))
            self.bias_mu = nn.Parameter(torch.empty(out_features))
            self.bias_sigma = nn.Parameter(torch.empty(out_features))
            self.register_buffer('bias_epsilon', torch.empty(out_features))
            self.reset_parameters()
            self.reset_noise()

        def reset_parameters(self):
            mu_range = 1 / math.sqrt(self.in_features)
            with torch.no_grad():  # self.weight_mu.data.uniform_(-mu_range, mu_range) ...
                self.weight_mu.uniform_(-mu_range, mu_range)
                self.weight_sigma.fill_(self.std_init / math.sqrt(self.in_features))
                self.bias_mu.uniform_(-mu_range, mu_range)
                self.bias_sigma.fill_(self.std_init / math.sqrt(self.out_features))

        def _scale_noise(self, size):
            x = torch.randn(size, device=self.weight_mu.device)
            return x.sign().mul_(x.abs().sqrt_())

        def reset_noise(self):
            epsilon_in = self._scale_noise(self.in_features)
            epsilon_out = self._scale_noise(self.out_features)
            self.weight_epsilon.copy_(epsilon_out.ger(epsilon_in))
            self.bias_epsilon.copy_(epsilon_out)

        def forward(self, input):
            if self.training:
                return F.linear(input, self.weight_mu + self.weight_sigma * self.weight_epsilon,
                                self.bias_mu + self.bias_sigma * self.bias_epsilon)
            else:
                return F.linear(input, self.weight_mu, self.bias_mu)

    class DQN(nn.Module):
        def __init__(self, args, action_space):
            super(DQN, self).__init__()
            self.atoms = args.atoms
            self.action_space = action_space

            self.convs = nn.Sequential(
                nn.Conv2d(args.history_length, 8, 5, stride=5, padding=0), nn.ReLU(),
                nn.Conv2d(8, 16, 5, stride=5, padding=0), nn.ReLU())
            self.conv_output_size = 16
            self.fc_h_v = NoisyLinear(self.conv_output_size, args.hidden_size,
                                      std_init=args.noisy_std)
            self.fc_h_a = NoisyLinear(self.conv_output_size, args.hidden_size,
                                      std_init=args.noisy_std)
            self.fc_z_v = NoisyLinear(args.hidden_size, self.atoms, std_init=args.noisy_std)
            self.fc_z_a = NoisyLinear(args.hidden_size, action_space * self.atoms,
                                      std_init=args.noisy_std)

        def forward(self, x, log=False):
            x = self.convs(x)
            x = x.view(-1, self.conv_output_size)
            v = self.fc_z_v(F.relu(self.fc_h_v(x)))  # Value stream
            a = self.fc_z_a(F.relu(self.fc_h_a(x)))  # Advantage stream
            v, a = v.view(-1, 1, self.atoms), a.view(-1, self.action_space, self.atoms)
            q = v + a - a.mean(1, keepdim=True)  # Combine streams
            if log:  # Use log softmax for numerical stability
                q = F.log_softmax(q, dim=2)  # Log probabilities with action over second dim
            else:
                q = F.softmax(q, dim=2)  # Probabilities with action over second dim
            return q

        def reset_noise(self):
            for name, module in self.named_children():
                if 'fc' in name:
                    module.reset_noise()

    return DQN


def agent_class(torch, optim, DQN, glue):
    """Kaixhin's ``agent.py``; ``glue`` gets the target network's starting weights."""

    class Agent():
        def __init__(self, args, env):
            self.action_space = env.action_space()
            self.atoms = args.atoms
            self.Vmin = args.V_min
            self.Vmax = args.V_max
            self.support = torch.linspace(args.V_min, args.V_max, self.atoms).to(
                device=args.device)  # Support (range) of z
            self.delta_z = (args.V_max - args.V_min) / (self.atoms - 1)
            self.batch_size = args.batch_size
            self.n = args.multi_step
            self.discount = args.discount

            self.online_net = DQN(args, self.action_space).to(device=args.device)
            share_start(torch.library, self.online_net, glue)
            self.online_net.train()

            self.target_net = DQN(args, self.action_space).to(device=args.device)
            self.update_target_net()
            self.target_net.train()
            for param in self.target_net.parameters():
                param.requires_grad = False

            self.optimiser = optim.Adam(self.online_net.parameters(), lr=args.learning_rate,
                                        eps=args.adam_eps)

        # Resets noisy weights in all linear layers (of online net only)
        def reset_noise(self):
            self.online_net.reset_noise()

        # Acts based on single state (no batch)
        def act(self, state):
            with torch.no_grad():
                return (self.online_net(state.unsqueeze(0)) * self.support).sum(2).argmax(1).item()

        def learn(self, mem):
            # Sample transitions
            idxs, states, actions, returns, next_states, nonterminals, weights = \
                mem.sample(self.batch_size)

            # Calculate current state probabilities (online network noise already sampled)
            log_ps = self.online_net(states, log=True)  # Log probabilities log p(s_t, ·; θonline)
            log_ps_a = log_ps[range(self.batch_size), actions]  # log p(s_t, a_t; θonline)

            with torch.no_grad():
                # Calculate nth next state probabilities
                pns = self.online_net(next_states)  # Probabilities p(s_t+n, ·; θonline)
                dns = self.support.expand_as(pns) * pns  # Distribution d_t+n
                argmax_indices_ns = dns.sum(2).argmax(1)  # argmax action of the online network
                self.target_net.reset_noise()  # Sample new target net noise
                pns = self.target_net(next_states)  # Probabilities p(s_t+n, ·; θtarget)
                pns_a = pns[range(self.batch_size), argmax_indices_ns]  # Double-Q probabilities

                # Compute Tz (Bellman operator T applied to z)
                Tz = returns.unsqueeze(1) + nonterminals * (self.discount ** self.n) \
                    * self.support.unsqueeze(0)  # Tz = R^n + (γ^n)z (terminal states)
                Tz = Tz.clamp(min=self.Vmin, max=self.Vmax)  # Clamp between supported values
                # Compute L2 projection of Tz onto fixed support z
                b = (Tz - self.Vmin) / self.delta_z  # b = (Tz - Vmin) / Δz
                l, u = b.floor().to(torch.int64), b.ceil().to(torch.int64)  # noqa: E741
                # Fix disappearing probability mass when l = b = u (b is int)
                l[(u > 0) * (l == u)] -= 1
                u[(l < (self.atoms - 1)) * (l == u)] += 1

                # Distribute probability of Tz
                m = states.new_zeros(self.batch_size, self.atoms)
                offset = torch.linspace(0, ((self.batch_size - 1) * self.atoms),
                                        self.batch_size).unsqueeze(1).expand(
                    self.batch_size, self.atoms).to(actions)
                m.view(-1).index_add_(0, (l + offset).view(-1),
                                      (pns_a * (u.float() - b)).view(-1))  # m_l += p (u - b)
                m.view(-1).index_add_(0, (u + offset).view(-1),
                                      (pns_a * (b - l.float())).view(-1))  # m_u += p (b - l)
            glue['mass'].append(m.sum(1).numpy())

            loss = -torch.sum(m * log_ps_a, 1)  # Cross-entropy loss (minimises DKL(m||p))
            self.online_net.zero_grad()
            (weights * loss).mean().backward()  # Backpropagate importance-weighted loss
            self.optimiser.step()

            mem.update_priorities(idxs, loss.detach().cpu().numpy())  # new priorities
            glue['record'].append(((weights * loss).mean().item(), snapshot(self.online_net)))

        def update_target_net(self):
            self.target_net.load_state_dict(self.online_net.state_dict())

    return Agent


class Args:
    atoms, V_min, V_max, batch_size, multi_step, discount = 11, -5.0, 5.0, 8, 3, 0.9
    device, learning_rate, adam_eps, history_length, hidden_size = 'cpu', 1e-3, 1.5e-4, 2, 16
    noisy_std, priority_weight, priority_exponent = 0.5, 0.4, 0.5
    T_max, learn_start, replay_frequency, target_update = 44, 16, 2, 10


def rainbow(torch, nn, F, optim, glue):
    """``main.py``'s training loop (no evaluation, no checkpoints)."""
    np.random.seed(123)
    torch.manual_seed(123)
    torch = SharedNoise(torch)
    args = Args()
    env = Env(torch, args.history_length)
    dqn = agent_class(torch, optim, model(torch, nn, F), glue)(args, env)
    mem = ReplayMemory(torch, args)
    priority_weight_increase = (1 - args.priority_weight) / (args.T_max - args.learn_start)

    dqn.train = dqn.online_net.train
    dqn.train()
    done = True
    for T in range(1, args.T_max + 1):
        if done:
            state = env.reset()

        if T % args.replay_frequency == 0:
            dqn.reset_noise()  # Draw a new set of noisy weights

        action = dqn.act(state)  # Choose an action greedily (with noisy weights)
        glue['actions'].append(action)
        next_state, reward, done = env.step(action)  # Step
        mem.append(state, action, reward, done)  # Append transition to memory

        # Train and test
        if T >= args.learn_start:
            # Anneal importance sampling weight β to 1
            mem.priority_weight = min(mem.priority_weight + priority_weight_increase, 1)

            if T % args.replay_frequency == 0:
                dqn.learn(mem)  # Train with n-step distributional double-Q learning

            # Update target network
            if T % args.target_update == 0:
                dqn.update_target_net()

        state = next_state
    glue['priorities'] = np.array(mem.priorities)
    glue['draws'] = (np.random.random(), torch.rng.random())
    return glue['record']


def test_kaixhin_rainbow_runs_step_for_step_with_pytorch(torch) -> None:
    glue = {'record': [], 'actions': [], 'mass': []}
    ours = rainbow(*libraries(), glue)
    theirs_glue = {'record': [], 'actions': [], 'mass': [], 'start': glue['start']}
    theirs = rainbow(*libraries(torch), theirs_glue)
    assert glue['actions'] == theirs_glue['actions'] and glue['draws'] == theirs_glue['draws']
    assert_same_runs(ours, theirs)
    np.testing.assert_allclose(glue['priorities'], theirs_glue['priorities'], rtol=1e-10)
    np.testing.assert_allclose(np.concatenate(glue['mass']), 1.0, rtol=1e-12)
    assert len(ours) == (44 - 16) // 2 + 1
