"""PyTorch's "Reinforcement Learning (DQN) Tutorial" (``intermediate_source/
reinforcement_q_learning.py``), ported as its readers write it: the ``Transition``
namedtuple and a ``ReplayMemory`` (``deque(maxlen=...)``, ``random.sample``), the 3-layer
``DQN``, ``policy_net``/``target_net`` with ``load_state_dict(policy_net.state_dict())``,
epsilon-greedy ``policy_net(state).max(1).indices.view(1, 1)``, ``torch.cat`` of the
batch, the non-final mask, ``gather(1, action_batch)``, the target's
``max(1).values`` under ``no_grad()``, ``nn.SmoothL1Loss``, ``optim.AdamW(amsgrad=True)``,
``clip_grad_value_(..., 100)`` and the soft update of the target network through
``state_dict()`` items. The program is written once for a library ``torch`` and runs a
few CartPole episodes (``tests/cartpole_env.py``) step for step next to PyTorch (float64)
from the same initial weights: losses, gradients and parameters of both networks agree to
1e-10. Double DQN and a dueling head: ``test_pytorch_ports_dqn_variants.py``.

Lines written differently here, and the test's glue:
- ``.max(1)`` is ``.max(dim=1)`` in both runs: here ``x.max(1)`` alone is ambiguous by
  design (NumPy's ``max`` gives the values, PyTorch's the pair) and raises ``UsageError``
  asking for ``axis=`` or ``dim=``; ``dim=1`` gives PyTorch's ``(values, indices)``;
- ``dtype=torch.float32`` is ``torch.float64`` in both runs: the comparison is in float64;
- ``torch.nn.utils.clip_grad_value_`` is ``nn.utils.clip_grad_value_`` (``nn`` is a
  package of its own here, not an attribute of ``autograd``);
- the sizes shrink (``BATCH_SIZE``, ``EPS_DECAY``, a few episodes) so the test runs in
  seconds, and ``plot_durations`` averages over 2 episodes, not 100; its ``plt`` keeps
  what is plotted in the run's record instead of drawing;
- the randomness: ``random.seed``, ``torch.manual_seed`` and ``env.reset(seed=...)`` are
  set alike at the start of each run (the tutorial's seeding), so both runs draw the same
  epsilon samples, random actions and replay batches; the test checks the draws agree;
- the PyTorch run starts from our initial weights (``load_state_dict``), and each update
  adds the loss, gradients and both networks' parameters to the run's record.
"""

import math
import random
from collections import deque, namedtuple
from itertools import count

import numpy as np

import autograd as ag
import nn
import nn.functional
import nn.optim
from cartpole_env import gym


def libraries(torch=None) -> tuple:
    """(torch, nn, F, optim) for autograd, or for PyTorch."""
    if torch is None:
        return ag, nn, nn.functional, nn.optim
    return torch, torch.nn, torch.nn.functional, torch.optim


def snapshot(model) -> list:
    """(name, value, gradient) of each parameter, as NumPy arrays."""
    return [(name, p.detach().numpy().copy(),
             None if p.grad is None else p.grad.detach().numpy().copy())
            for name, p in model.named_parameters()]


def share_start(torch, model, glue) -> None:
    """Our run keeps the network's initial weights; PyTorch's loads them."""
    if torch is ag:
        glue['start'] = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    else:
        model.load_state_dict({k: torch.tensor(v) for k, v in glue['start'].items()})


Transition = namedtuple('Transition',
                        ('state', 'action', 'next_state', 'reward'))


class ReplayMemory(object):

    def __init__(self, capacity):
        self.memory = deque([], maxlen=capacity)

    def push(self, *args):
        """Save a transition"""
        self.memory.append(Transition(*args))

    def sample(self, batch_size):
        return random.sample(self.memory, batch_size)

    def __len__(self):
        return len(self.memory)


def dqn_tutorial(torch, nn, F, optim, episodes, glue, make_net=None, double=False):
    """The tutorial's program; ``make_net`` and ``double`` are the variants' hooks (the
    dueling network's class, and Double DQN's target); ``glue`` holds the run's record."""
    record = glue['record']
    env = gym.make("CartPole-v1")

    # if GPU is to be used
    device = torch.device(
        "cuda" if torch.cuda.is_available() else
        "mps" if torch.backends.mps.is_available() else
        "cpu"
    )

    seed = 42
    random.seed(seed)
    torch.manual_seed(seed)
    env.reset(seed=seed)

    class DQN(nn.Module):

        def __init__(self, n_observations, n_actions):
            super(DQN, self).__init__()
            self.layer1 = nn.Linear(n_observations, 128)
            self.layer2 = nn.Linear(128, 128)
            self.layer3 = nn.Linear(128, n_actions)

        # Called with either one element to determine next action, or a batch
        # during optimization. Returns tensor([[left0exp,right0exp]...]).
        def forward(self, x):
            x = F.relu(self.layer1(x))
            x = F.relu(self.layer2(x))
            return self.layer3(x)

    if make_net is not None:
        DQN = make_net(nn, F)

    BATCH_SIZE = 16  # 128 in the tutorial
    GAMMA = 0.99
    EPS_START = 0.9
    EPS_END = 0.01
    EPS_DECAY = 25  # 2500 in the tutorial: greedy actions come after a few dozen steps
    TAU = 0.005
    LR = 3e-4

    # Get number of actions from gym action space
    n_actions = env.action_space.n
    # Get the number of state observations
    state, info = env.reset()
    n_observations = len(state)

    policy_net = DQN(n_observations, n_actions).to(device)
    target_net = DQN(n_observations, n_actions).to(device)
    share_start(torch, policy_net, glue)
    target_net.load_state_dict(policy_net.state_dict())

    optimizer = optim.AdamW(policy_net.parameters(), lr=LR, amsgrad=True)
    memory = ReplayMemory(10000)

    steps_done = 0

    def select_action(state):
        nonlocal steps_done  # ``global`` in the tutorial's module
        sample = random.random()
        eps_threshold = EPS_END + (EPS_START - EPS_END) * \
            math.exp(-1. * steps_done / EPS_DECAY)
        steps_done += 1
        if sample > eps_threshold:
            with torch.no_grad():
                # t.max(1) will return the largest column value of each row.
                # second column on max result is index of where max element was
                # found, so we pick action with the larger expected reward.
                return policy_net(state).max(dim=1).indices.view(1, 1)
        else:
            return torch.tensor([[env.action_space.sample()]], device=device, dtype=torch.long)

    episode_durations = []
    plt = Pyplot(glue['plots'])
    WINDOW = 2  # 100 in the tutorial

    def plot_durations(show_result=False):
        plt.figure(1)
        durations_t = torch.tensor(episode_durations, dtype=torch.float)
        if show_result:
            plt.title('Result')
        else:
            plt.clf()
            plt.title('Training...')
        plt.xlabel('Episode')
        plt.ylabel('Duration')
        plt.plot(durations_t.numpy())
        # Take 100 episode averages and plot them too
        if len(durations_t) >= WINDOW:
            means = durations_t.unfold(0, WINDOW, 1).mean(1).view(-1)
            means = torch.cat((torch.zeros(WINDOW - 1), means))
            plt.plot(means.numpy())
        plt.pause(0.001)  # pause a bit so that plots are updated

    def optimize_model():
        if len(memory) < BATCH_SIZE:
            return
        transitions = memory.sample(BATCH_SIZE)
        # Transpose the batch: a Transition of batch-arrays from a batch of Transitions.
        batch = Transition(*zip(*transitions))

        # Compute a mask of non-final states and concatenate the batch elements
        # (a final state would've been the one after which simulation ended)
        non_final_mask = torch.tensor(tuple(map(lambda s: s is not None,
                                                batch.next_state)), device=device,
                                      dtype=torch.bool)
        non_final_next_states = torch.cat([s for s in batch.next_state
                                           if s is not None])
        state_batch = torch.cat(batch.state)
        action_batch = torch.cat(batch.action)
        reward_batch = torch.cat(batch.reward)

        # Q(s_t, a): the columns of the actions taken, for each batch state
        state_action_values = policy_net(state_batch).gather(1, action_batch)

        # V(s_{t+1}) for all next states, from the target network; 0 for final states
        next_state_values = torch.zeros(BATCH_SIZE, device=device)
        with torch.no_grad():
            if double:  # Double DQN: the policy network picks, the target network rates
                best = policy_net(non_final_next_states).max(dim=1).indices.unsqueeze(1)
                next_state_values[non_final_mask] = \
                    target_net(non_final_next_states).gather(1, best).squeeze(1)
            else:
                next_state_values[non_final_mask] = \
                    target_net(non_final_next_states).max(dim=1).values
        # Compute the expected Q values
        expected_state_action_values = (next_state_values * GAMMA) + reward_batch

        # Compute Huber loss
        criterion = nn.SmoothL1Loss()
        loss = criterion(state_action_values, expected_state_action_values.unsqueeze(1))

        # Optimize the model
        optimizer.zero_grad()
        loss.backward()
        # In-place gradient clipping
        nn.utils.clip_grad_value_(policy_net.parameters(), 100)  # torch.nn.utils
        optimizer.step()
        record.append((loss.item(), snapshot(policy_net)))

    if torch.cuda.is_available() or torch.backends.mps.is_available():
        num_episodes = 600
    else:
        num_episodes = 50
    num_episodes = episodes  # the test's few

    for i_episode in range(num_episodes):
        # Initialize the environment and get its state
        state, info = env.reset()
        state = torch.tensor(state, dtype=torch.float64, device=device).unsqueeze(0)
        for t in count():
            action = select_action(state)
            glue['actions'].append(action.item())
            observation, reward, terminated, truncated, _ = env.step(action.item())
            reward = torch.tensor([reward], device=device)
            done = terminated or truncated

            if terminated:
                next_state = None
            else:
                next_state = torch.tensor(observation, dtype=torch.float64,
                                          device=device).unsqueeze(0)

            # Store the transition in memory
            memory.push(state, action, next_state, reward)

            # Move to the next state
            state = next_state

            # Perform one step of the optimization (on the policy network)
            optimize_model()

            # Soft update of the target network's weights
            # θ′ ← τ θ + (1 −τ )θ′
            target_net_state_dict = target_net.state_dict()
            policy_net_state_dict = policy_net.state_dict()
            for key in policy_net_state_dict:
                target_net_state_dict[key] = policy_net_state_dict[key]*TAU \
                    + target_net_state_dict[key]*(1-TAU)
            target_net.load_state_dict(target_net_state_dict)

            if done:
                episode_durations.append(t + 1)
                plot_durations()
                break

    record.append(episode_durations)
    record.append([(name, p.detach().numpy().copy(), None)
                   for name, p in target_net.named_parameters()])
    glue['draws'] = random.random()  # the state of Python's generator after the run
    return record


class Pyplot:
    """The few ``matplotlib.pyplot`` calls of ``plot_durations``: ``plot`` keeps its data."""

    def __init__(self, plots: list) -> None:
        self.plots = plots

    def plot(self, y) -> None:
        self.plots.append(np.array(y))

    def __getattr__(self, name):  # figure, clf, title, xlabel, ylabel, pause
        return lambda *args, **kwargs: None


def assert_same_runs(ours: list, theirs: list) -> None:
    assert len(ours) == len(theirs)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if isinstance(a[0], (int, np.integer)):
            assert a == b, i
            continue
        loss_a, params_a = (None, a) if isinstance(a, list) else a
        loss_b, params_b = (None, b) if isinstance(b, list) else b
        if loss_a is not None:
            np.testing.assert_allclose(loss_a, loss_b, rtol=1e-10, err_msg=f"loss {i}")
        for (name, pa, ga), (name_b, pb, gb) in zip(params_a, params_b, strict=True):
            assert name == name_b
            np.testing.assert_allclose(pa, pb, rtol=1e-10, atol=1e-12, err_msg=f"{name} {i}")
            if ga is not None or gb is not None:
                np.testing.assert_allclose(ga, gb, rtol=1e-10, atol=1e-12,
                                           err_msg=f"grad {name} {i}")


def run_both(torch, program=dqn_tutorial, episodes: int = 3, **variant) -> tuple:
    """Our run, then PyTorch's from our initial weights; the same draws in both."""
    glue = {'record': [], 'actions': [], 'plots': []}
    ours = program(*libraries(), episodes, glue, **variant)
    theirs_glue = {'record': [], 'actions': [], 'plots': [], 'start': glue['start']}
    theirs = program(*libraries(torch), episodes, theirs_glue, **variant)
    assert theirs_glue['actions'] == glue['actions']
    assert theirs_glue['draws'] == glue['draws']
    for a, b in zip(glue['plots'], theirs_glue['plots'], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)  # float32 durations, as the tutorial's
    return ours, theirs, glue


def test_dqn_tutorial_runs_step_for_step_with_pytorch(torch) -> None:
    ours, theirs, glue = run_both(torch)
    assert_same_runs(ours, theirs)
    updates = [r for r in ours if isinstance(r, tuple)]
    assert len(updates) >= 20
    durations = ours[-2]
    assert len(durations) == 3 and sum(durations) == len(glue['actions'])
    assert len(glue['plots']) == 1 + 2 + 2  # the running means from the second episode
    np.testing.assert_allclose(glue['plots'][-1][1:], np.convolve(durations, [0.5, 0.5],
                                                                  mode='valid'))
