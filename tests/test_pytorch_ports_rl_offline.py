"""Offline reinforcement learning on generated data sets in D4RL's layout
(``tests/offline_rl_data.py``), ported as readers write it, step for step next to PyTorch
(float64) from the same initial weights:

- CORL's ``any_percent_bc.py`` (behaviour cloning on the best trajectories):
  ``keep_best_trajectories`` by discounted return, ``compute_mean_std``/
  ``normalize_states``, a ``ReplayBuffer`` of preallocated tensors filled by slice
  assignment in ``load_d4rl_dataset`` and sampled with NumPy indices, a deterministic
  ``Actor`` (``max_action * tanh``), ``F.mse_loss(pi, action)``, the ``state_dict`` of the
  trainer (networks, optimizer, counter) and ``@torch.no_grad()`` on the ``act`` method;
- BY571's ``CQL-DQN`` (discrete conservative Q-learning): ``DDQN`` with ``torch.relu``,
  batches of ``torch.from_numpy(np.vstack(...))``, the target's ``max(1)[0].unsqueeze(1)``,
  ``Q_a_s.gather(1, actions)``, the CQL(H) penalty ``torch.logsumexp(Q_a_s, dim=1).mean() -
  Q_a_s.mean()``, ``clip_grad_norm_``, a soft update of the target, and epsilon-greedy
  ``get_action`` switching ``eval()``/``train()``.

Lines written differently here, and why:
- ``float32`` and ``.float()`` are ``float64`` and ``.double()`` (the comparison is in
  float64; the libraries would refuse float32 inputs to float64 layers alike);
- ``.max(1)[0]`` is ``.max(dim=1)[0]``: ``x.max(1)`` alone raises ``UsageError`` here, by
  design (NumPy's ``max`` gives the values, PyTorch's the pair);
- ``target_param.data.copy_(...)`` is ``target_param.copy_(...)`` under ``no_grad()``, and
  ``action_values.cpu().data.numpy()`` / ``self(state).cpu().data.numpy()`` are
  ``.detach().numpy()``: ``.data`` is the NumPy array itself here (by design);
- CORL's ``pyrallis`` config is a few keyword arguments; its ``wandb`` logging is left
  out; the data sets are generated; the sizes shrink.
"""

import random
from collections import deque, namedtuple

import numpy as np

from offline_rl_data import cartpole_dataset, point_mass_dataset
from test_pytorch_ports_dqn import assert_same_runs, libraries, snapshot


def share_starts(torch, models: dict, glue) -> None:
    """Our run keeps each network's initial weights; PyTorch's loads them."""
    if 'starts' not in glue:
        glue['starts'] = {name: {k: v.detach().numpy().copy()
                                 for k, v in model.state_dict().items()}
                          for name, model in models.items()}
    else:
        for name, model in models.items():
            model.load_state_dict({k: torch.tensor(v)
                                   for k, v in glue['starts'][name].items()})


def keep_best_trajectories(dataset, frac, discount, max_episode_steps=1000):
    ids_by_trajectories = []
    returns = []
    cur_ids = []
    cur_return = 0
    reward_scale = 1.0
    for i, (reward, done) in enumerate(zip(dataset["rewards"], dataset["timeouts"])):
        cur_return += reward_scale * reward
        cur_ids.append(i)
        reward_scale *= discount
        if done == 1.0 or dataset["terminals"][i] == 1.0 \
                or len(cur_ids) == max_episode_steps:
            ids_by_trajectories.append(list(cur_ids))
            returns.append(cur_return)
            cur_ids = []
            cur_return = 0
            reward_scale = 1.0

    sort_ord = np.argsort(returns, axis=0)[::-1].reshape(-1)
    top_trajs = sort_ord[: max(1, int(frac * len(sort_ord)))]

    order = []
    for i in top_trajs:
        order += ids_by_trajectories[i]
    order = np.array(order)
    dataset["observations"] = dataset["observations"][order]
    dataset["actions"] = dataset["actions"][order]
    dataset["next_observations"] = dataset["next_observations"][order]
    dataset["rewards"] = dataset["rewards"][order]
    dataset["terminals"] = dataset["terminals"][order]


def compute_mean_std(states, eps):
    mean = states.mean(0)
    std = states.std(0) + eps
    return mean, std


def normalize_states(states, mean, std):
    return (states - mean) / std


def any_percent_bc(torch, nn, F, optim, glue, frac=0.5, max_timesteps=30, batch_size=16):
    """CORL's ``train`` for ``any_percent_bc.py``; ``glue`` holds the run's record."""
    record = glue['record']
    device = "cpu"
    dataset = point_mass_dataset()
    keep_best_trajectories(dataset, frac, discount=1.0, max_episode_steps=12)
    state_mean, state_std = compute_mean_std(dataset["observations"], eps=1e-3)
    dataset["observations"] = normalize_states(dataset["observations"], state_mean, state_std)
    dataset["next_observations"] = normalize_states(
        dataset["next_observations"], state_mean, state_std)
    state_dim, action_dim, max_action = 4, 2, 2.0

    class ReplayBuffer:
        def __init__(self, state_dim, action_dim, buffer_size, device="cpu"):
            self._buffer_size = buffer_size
            self._pointer = 0
            self._size = 0

            self._states = torch.zeros((buffer_size, state_dim), dtype=torch.float64,
                                       device=device)
            self._actions = torch.zeros((buffer_size, action_dim), dtype=torch.float64,
                                        device=device)
            self._rewards = torch.zeros((buffer_size, 1), dtype=torch.float64, device=device)
            self._next_states = torch.zeros((buffer_size, state_dim), dtype=torch.float64,
                                            device=device)
            self._dones = torch.zeros((buffer_size, 1), dtype=torch.float64, device=device)
            self._device = device

        def _to_tensor(self, data):
            return torch.tensor(data, dtype=torch.float64, device=self._device)

        # Loads data in d4rl format, i.e. from Dict[str, np.array].
        def load_d4rl_dataset(self, data):
            if self._size != 0:
                raise ValueError("Trying to load data into non-empty replay buffer")
            n_transitions = data["observations"].shape[0]
            if n_transitions > self._buffer_size:
                raise ValueError(
                    "Replay buffer is smaller than the dataset you are trying to load!")
            self._states[:n_transitions] = self._to_tensor(data["observations"])
            self._actions[:n_transitions] = self._to_tensor(data["actions"])
            self._rewards[:n_transitions] = self._to_tensor(data["rewards"][..., None])
            self._next_states[:n_transitions] = self._to_tensor(data["next_observations"])
            self._dones[:n_transitions] = self._to_tensor(data["terminals"][..., None])
            self._size += n_transitions
            self._pointer = min(self._size, n_transitions)

        def sample(self, batch_size):
            indices = np.random.randint(0, min(self._size, self._pointer), size=batch_size)
            states = self._states[indices]
            actions = self._actions[indices]
            rewards = self._rewards[indices]
            next_states = self._next_states[indices]
            dones = self._dones[indices]
            return [states, actions, rewards, next_states, dones]

    class Actor(nn.Module):
        def __init__(self, state_dim, action_dim, max_action):
            super(Actor, self).__init__()

            self.net = nn.Sequential(
                nn.Linear(state_dim, 32),
                nn.ReLU(),
                nn.Linear(32, 32),
                nn.ReLU(),
                nn.Linear(32, action_dim),
                nn.Tanh(),
            )

            self.max_action = max_action

        def forward(self, state):
            return self.max_action * self.net(state)

        @torch.no_grad()
        def act(self, state, device="cpu"):
            state = torch.tensor(state.reshape(1, -1), device=device, dtype=torch.float64)
            return self(state).cpu().detach().numpy().flatten()  # .cpu().data.numpy()

    class BC:
        def __init__(self, max_action, actor, actor_optimizer, discount=0.99,
                     device="cpu"):
            self.actor = actor
            self.actor_optimizer = actor_optimizer
            self.max_action = max_action
            self.discount = discount

            self.total_it = 0
            self.device = device

        def train(self, batch):
            log_dict = {}
            self.total_it += 1

            state, action, _, _, _ = batch

            # Compute actor loss
            pi = self.actor(state)
            actor_loss = F.mse_loss(pi, action)
            log_dict["actor_loss"] = actor_loss.item()
            # Optimize the actor
            self.actor_optimizer.zero_grad()
            actor_loss.backward()
            self.actor_optimizer.step()

            return log_dict

        def state_dict(self):
            return {
                "actor": self.actor.state_dict(),
                "actor_optimizer": self.actor_optimizer.state_dict(),
                "total_it": self.total_it,
            }

        def load_state_dict(self, state_dict):
            self.actor.load_state_dict(state_dict["actor"])
            self.actor_optimizer.load_state_dict(state_dict["actor_optimizer"])
            self.total_it = state_dict["total_it"]

    replay_buffer = ReplayBuffer(state_dim, action_dim, 1000, device)
    replay_buffer.load_d4rl_dataset(dataset)

    np.random.seed(0)
    torch.manual_seed(0)
    actor = Actor(state_dim, action_dim, max_action).to(device)
    share_starts(torch, {'actor': actor}, glue)
    actor_optimizer = optim.Adam(actor.parameters(), lr=3e-4)
    trainer = BC(max_action=max_action, actor=actor, actor_optimizer=actor_optimizer,
                 device=device)

    for t in range(int(max_timesteps)):
        batch = replay_buffer.sample(batch_size)
        batch = [b.to(device) for b in batch]
        log_dict = trainer.train(batch)
        record.append((log_dict["actor_loss"], snapshot(actor)))
    state = trainer.state_dict()
    assert state["total_it"] == max_timesteps
    step = state["actor_optimizer"]["state"][0]["step"]
    glue['step'] = float(step)
    glue['act'] = actor.act(np.ones(4))
    glue['kept'] = len(dataset["observations"])
    return record


def test_corl_any_percent_bc_runs_step_for_step_with_pytorch(torch) -> None:
    glue = {'record': []}
    ours = any_percent_bc(*libraries(), glue)
    theirs_glue = {'record': [], 'starts': glue['starts']}
    theirs = any_percent_bc(*libraries(torch), theirs_glue)
    assert_same_runs(ours, theirs)
    np.testing.assert_allclose(glue['act'], theirs_glue['act'], rtol=1e-10)
    assert glue['step'] == theirs_glue['step'] == 30
    assert glue['kept'] == 4 * 12  # the best half of the eight episodes
    assert ours[-1][0] < ours[0][0]


Experience = namedtuple("Experience",
                        field_names=["state", "action", "reward", "next_state", "done"])


class ReplayBuffer:
    """BY571's buffer: a ``deque`` of ``Experience`` tuples sampled with ``random``."""

    def __init__(self, buffer_size, batch_size, device):
        self.device = device
        self.memory = deque(maxlen=buffer_size)
        self.batch_size = batch_size

    def add(self, state, action, reward, next_state, done):
        e = Experience(state, action, reward, next_state, done)
        self.memory.append(e)

    def sample(self, torch):
        experiences = random.sample(self.memory, k=self.batch_size)

        states = torch.from_numpy(np.stack([e.state for e in experiences if e is not None])
                                  ).double().to(self.device)
        actions = torch.from_numpy(np.vstack([e.action for e in experiences if e is not None])
                                   ).long().to(self.device)
        rewards = torch.from_numpy(np.vstack([e.reward for e in experiences if e is not None])
                                   ).double().to(self.device)
        next_states = torch.from_numpy(np.stack([e.next_state for e in experiences
                                                 if e is not None])).double().to(self.device)
        dones = torch.from_numpy(np.vstack([e.done for e in experiences if e is not None]
                                           ).astype(np.uint8)).double().to(self.device)

        return (states, actions, rewards, next_states, dones)


def cql_dqn(torch, nn, F, optim, glue, updates=40):
    """BY571's ``CQLAgent`` trained on an offline CartPole data set, then acting."""
    from nn.utils import clip_grad_norm_ as our_clip
    clip_grad_norm_ = our_clip if torch.__name__ == 'autograd' else nn.utils.clip_grad_norm_
    record = glue['record']
    random.seed(1)
    np.random.seed(1)
    torch.manual_seed(1)

    class DDQN(nn.Module):
        def __init__(self, state_size, action_size, layer_size):
            super(DDQN, self).__init__()
            self.input_shape = state_size
            self.action_size = action_size
            self.head_1 = nn.Linear(self.input_shape[0], layer_size)
            self.ff_1 = nn.Linear(layer_size, layer_size)
            self.ff_2 = nn.Linear(layer_size, action_size)

        def forward(self, input):
            x = torch.relu(self.head_1(input))
            x = torch.relu(self.ff_1(x))
            out = self.ff_2(x)

            return out

    class CQLAgent():
        def __init__(self, state_size, action_size, hidden_size=256, device="cpu"):
            self.state_size = state_size
            self.action_size = action_size
            self.device = device
            self.tau = 1e-2
            self.gamma = 0.99

            self.network = DDQN(state_size=self.state_size,
                                action_size=self.action_size,
                                layer_size=hidden_size
                                ).to(self.device)

            self.target_net = DDQN(state_size=self.state_size,
                                   action_size=self.action_size,
                                   layer_size=hidden_size
                                   ).to(self.device)

            self.optimizer = optim.Adam(params=self.network.parameters(), lr=1e-3)

        def get_action(self, state, epsilon):
            if random.random() > epsilon:
                state = torch.from_numpy(state).double().unsqueeze(0).to(self.device)
                self.network.eval()
                with torch.no_grad():
                    action_values = self.network(state)
                self.network.train()
                action = np.argmax(action_values.cpu().detach().numpy(), axis=1)
            else:
                action = random.choices(np.arange(self.action_size), k=1)
            return action

        def learn(self, experiences):
            self.optimizer.zero_grad()
            states, actions, rewards, next_states, dones = experiences
            with torch.no_grad():
                Q_targets_next = self.target_net(next_states).detach().max(dim=1)[0].unsqueeze(1)
                Q_targets = rewards + (self.gamma * Q_targets_next * (1 - dones))
            Q_a_s = self.network(states)
            Q_expected = Q_a_s.gather(1, actions)

            cql1_loss = torch.logsumexp(Q_a_s, dim=1).mean() - Q_a_s.mean()

            bellmann_error = F.mse_loss(Q_expected, Q_targets)

            q1_loss = cql1_loss + 0.5 * bellmann_error

            q1_loss.backward()
            clip_grad_norm_(self.network.parameters(), 1)
            self.optimizer.step()

            # ------------------- update target network ------------------- #
            self.soft_update(self.network, self.target_net)
            return q1_loss.detach().item(), cql1_loss.detach().item(), \
                bellmann_error.detach().item()

        def soft_update(self, local_model, target_model):
            with torch.no_grad():  # target_param.data.copy_(... local_param.data ...)
                for target_param, local_param in zip(target_model.parameters(),
                                                     local_model.parameters()):
                    target_param.copy_(self.tau*local_param + (1.0-self.tau)*target_param)

    data = cartpole_dataset()
    buffer = ReplayBuffer(buffer_size=1000, batch_size=16, device="cpu")
    for s, a, r, s2, d in zip(data["observations"], data["actions"].astype(int),
                              data["rewards"], data["next_observations"], data["terminals"]):
        buffer.add(s, a, r, s2, d)
    agent = CQLAgent(state_size=(4,), action_size=2, hidden_size=32)
    share_starts(torch, {'network': agent.network, 'target': agent.target_net}, glue)
    for _ in range(updates):
        losses = agent.learn(buffer.sample(torch))
        record.append((losses[0], snapshot(agent.network)))
        record.append([(name, p.detach().numpy().copy(), None)
                       for name, p in agent.target_net.named_parameters()])
        glue['parts'].append(losses[1:])
    glue['actions'] = [int(agent.get_action(s, epsilon=0.2)[0]) for s in data["observations"]]
    return record


def test_cql_dqn_runs_step_for_step_with_pytorch(torch) -> None:
    glue = {'record': [], 'parts': []}
    ours = cql_dqn(*libraries(), glue)
    theirs_glue = {'record': [], 'parts': [], 'starts': glue['starts']}
    theirs = cql_dqn(*libraries(torch), theirs_glue)
    assert_same_runs(ours, theirs)
    np.testing.assert_allclose(glue['parts'], theirs_glue['parts'], rtol=1e-10)
    assert glue['actions'] == theirs_glue['actions']
    assert len(ours) == 80 and all(cql > 0 for cql, _ in glue['parts'])
