"""pytorch/examples ``reinforcement_learning/reinforce.py``, ported as its readers write
it: ``Categorical(probs)``, ``m.sample()``, ``m.log_prob(action)`` kept in
``saved_log_probs``, discounted returns in a deque normalised with
``eps = np.finfo(np.float32).eps.item()``, ``torch.cat(policy_loss).sum()``, Adam. The
program is written once for a library ``torch`` (``autograd`` here) with its ``nn``,
``F``, ``optim`` and ``Categorical``, and runs a few CartPole episodes step for step next
to PyTorch (float64) from the same initial weights: rewards, losses, gradients and
parameters agree to 1e-10. ``actor_critic.py``: ``test_pytorch_ports_actor_critic.py``,
with this module's environment and glue.

The environment is ``tests/cartpole_env.py``'s ``CartPole``: gym's classic cart-pole
equations in NumPy (``gym.make('CartPole-v1')``, ``env.reset(seed=...)``,
``env.step(action)`` returning gym's 5-tuple, float32 states as gym's), one per run,
seeded alike.

Lines written differently here, and the test's glue:
- ``torch.from_numpy(state).float()`` is ``.double()`` in both runs: the comparison is in
  float64 (PyTorch's default dtype in the tests, and ours);
- ``returns.std()`` is ``returns.std(correction=1)`` in both: ``x.std()`` is NumPy's
  population std here (the README's spelling rule: NumPy wins); ``correction=1`` is
  PyTorch's default, spelled out;
- ``for i_episode in count(1)`` runs ``range(1, episodes + 1)`` (the test stops early),
  and ``print`` writes into the run's record, as do two added lines: the loss, gradients
  and parameters at each update, and each action;
- the actions are drawn once: our ``m.sample()`` draws from ``autograd.default_generator``
  (seeded by ``torch.manual_seed(args.seed)``), and the PyTorch run's ``Categorical`` is a
  subclass whose ``sample()`` replays those actions; likewise ``nn.Dropout(p=0.6)``'s
  masks are ours, replayed in PyTorch's layer by a forward hook (output = input * our
  mask / (1 - p));
- the PyTorch run starts from our initial weights (``load_state_dict``).
"""

import argparse
from collections import deque
from itertools import count  # noqa: F401  (the programs' import; the test runs a range)

import numpy as np

import autograd as ag
import nn
import nn.functional
from cartpole_env import gym




def libraries(torch=None, actions=None) -> tuple:
    """(torch, nn, F, optim, Categorical) for autograd, or PyTorch replaying ``actions``."""
    if torch is None:
        return ag, nn, nn.functional, nn.optim, ag.distributions.Categorical

    class Categorical(torch.distributions.Categorical):
        def sample(self, sample_shape=torch.Size()):
            return torch.tensor(actions.popleft()).reshape(self._extended_shape(sample_shape))
    return torch, torch.nn, torch.nn.functional, torch.optim, Categorical


def parse_args(description, argv):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--gamma', type=float, default=0.99, metavar='G',
                        help='discount factor (default: 0.99)')
    parser.add_argument('--seed', type=int, default=543, metavar='N',
                        help='random seed (default: 543)')
    parser.add_argument('--render', action='store_true',
                        help='render the environment')
    parser.add_argument('--log-interval', type=int, default=10, metavar='N',
                        help='interval between training status logs (default: 10)')
    return parser.parse_args(argv)


def snapshot(model) -> list:
    """(name, value, gradient) of each parameter, as NumPy arrays."""
    return [(name, p.detach().numpy().copy(),
             None if p.grad is None else p.grad.detach().numpy().copy())
            for name, p in model.named_parameters()]


def reinforce(torch, nn, F, optim, Categorical, episodes, glue):
    """reinforce.py; ``glue`` holds the run's record, its start weights and dropout masks."""
    record = glue['record']

    def print(*line):
        record.append(' '.join(str(x) for x in line))

    args = parse_args('PyTorch REINFORCE example', ['--log-interval', '2'])

    env = gym.make('CartPole-v1')
    env.reset(seed=args.seed)
    torch.manual_seed(args.seed)

    class Policy(nn.Module):
        def __init__(self):
            super(Policy, self).__init__()
            self.affine1 = nn.Linear(4, 128)
            self.dropout = nn.Dropout(p=0.6)
            self.affine2 = nn.Linear(128, 2)

            self.saved_log_probs = []
            self.rewards = []

        def forward(self, x):
            x = self.affine1(x)
            x = self.dropout(x)
            x = F.relu(x)
            action_scores = self.affine2(x)
            return F.softmax(action_scores, dim=1)

    policy = Policy()
    share_start_and_dropout(torch, policy, glue)
    optimizer = optim.Adam(policy.parameters(), lr=1e-2)
    eps = np.finfo(np.float32).eps.item()

    def select_action(state):
        state = torch.from_numpy(state).double().unsqueeze(0)
        probs = policy(state)
        m = Categorical(probs)
        action = m.sample()
        policy.saved_log_probs.append(m.log_prob(action))
        return action.item()

    def finish_episode():
        R = 0
        policy_loss = []
        returns = deque()
        for r in policy.rewards[::-1]:
            R = r + args.gamma * R
            returns.appendleft(R)
        returns = torch.tensor(returns)
        returns = (returns - returns.mean()) / (returns.std(correction=1) + eps)
        for log_prob, R in zip(policy.saved_log_probs, returns):
            policy_loss.append(-log_prob * R)
        optimizer.zero_grad()
        policy_loss = torch.cat(policy_loss).sum()
        policy_loss.backward()
        record.append((policy_loss.item(), snapshot(policy)))
        optimizer.step()
        del policy.rewards[:]
        del policy.saved_log_probs[:]

    def main():
        running_reward = 10
        for i_episode in range(1, episodes + 1):
            state, _ = env.reset()
            ep_reward = 0
            for t in range(1, 10000):  # Don't infinite loop while learning
                action = select_action(state)
                glue['actions'].append(action)
                state, reward, done, _, _ = env.step(action)
                if args.render:
                    env.render()
                policy.rewards.append(reward)
                ep_reward += reward
                if done:
                    break

            running_reward = 0.05 * ep_reward + (1 - 0.05) * running_reward
            finish_episode()
            if i_episode % args.log_interval == 0:
                print('Episode {}\tLast reward: {:.2f}\tAverage reward: {:.2f}'.format(
                      i_episode, ep_reward, running_reward))
            if running_reward > env.spec.reward_threshold:
                print("Solved! Running reward is now {} and "
                      "the last episode runs to {} time steps!".format(running_reward, t))
                break
        record.append(snapshot(policy))

    main()
    return record


def share_start_and_dropout(torch, policy, glue) -> None:
    """The test's glue: our run keeps its initial weights and dropout masks, PyTorch's
    loads the weights and applies the masks (a forward hook replacing the output)."""
    if torch is ag:
        glue['start'] = {k: v.data.copy() for k, v in policy.state_dict().items()}
        if hasattr(policy, 'dropout'):
            def keep(module, inputs, output):
                x = inputs[0].data
                glue['masks'].append(np.divide(output.data, x, out=np.zeros_like(x),
                                               where=x != 0))
            policy.dropout.register_forward_hook(keep)
        return
    policy.load_state_dict({k: torch.tensor(v) for k, v in glue['start'].items()})
    if hasattr(policy, 'dropout'):
        policy.dropout.register_forward_hook(
            lambda module, inputs, output: inputs[0] * torch.tensor(glue['masks'].popleft()))


def assert_same_runs(ours: list, theirs: list) -> None:
    assert len(ours) == len(theirs)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if isinstance(a, str):
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


def run_both(torch, program, episodes: int) -> tuple:
    glue = {'record': [], 'actions': [], 'masks': []}
    ours = program(*libraries(), episodes, glue)
    theirs_glue = {'record': [], 'actions': [], 'masks': deque(glue['masks']),
                   'start': glue['start']}
    theirs = program(*libraries(torch, deque(glue['actions'])), episodes, theirs_glue)
    assert theirs_glue['actions'] == glue['actions'] and not theirs_glue['masks']
    return ours, theirs, glue


def test_reinforce_runs_step_for_step_with_pytorch(torch) -> None:
    ours, theirs, glue = run_both(torch, reinforce, episodes=4)
    assert_same_runs(ours, theirs)
    lines = [r for r in ours if isinstance(r, str)]
    assert len(lines) == 2 and lines[0].startswith('Episode 2\tLast reward: ')
    assert len(glue['actions']) > 40 and len(glue['masks']) == len(glue['actions'])

