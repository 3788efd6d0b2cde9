"""pytorch/examples ``reinforcement_learning/actor_critic.py``, ported as its readers write
it, and run a few CartPole episodes step for step next to PyTorch (float64) from the same
initial weights: ``Categorical(probs)``, ``m.sample()``, ``SavedAction(m.log_prob(action),
state_value)``, returns normalised with ``eps``, ``F.smooth_l1_loss(value,
torch.tensor([R]))``, ``torch.stack(policy_losses).sum() +
torch.stack(value_losses).sum()``, Adam. The environment, the shared glue and the lines
written differently (the same as reinforce.py's: ``.double()`` for ``.float()``,
``returns.std(correction=1)``, a range of episodes, actions drawn by our ``m.sample()`` and
replayed in PyTorch's run, PyTorch starting from our weights) are in
``test_pytorch_ports_reinforce.py``.
"""

from collections import namedtuple

import numpy as np

from test_pytorch_ports_reinforce import (assert_same_runs, gym, parse_args, run_both,
                                          share_start_and_dropout, snapshot)


SavedAction = namedtuple('SavedAction', ['log_prob', 'value'])


def actor_critic(torch, nn, F, optim, Categorical, episodes, glue):
    """actor_critic.py; ``glue`` holds the run's record and its start weights."""
    record = glue['record']

    def print(*line):
        record.append(' '.join(str(x) for x in line))

    args = parse_args('PyTorch actor-critic example', ['--log-interval', '2'])

    env = gym.make('CartPole-v1')
    env.reset(seed=args.seed)
    torch.manual_seed(args.seed)

    class Policy(nn.Module):
        """
        implements both actor and critic in one model
        """
        def __init__(self):
            super(Policy, self).__init__()
            self.affine1 = nn.Linear(4, 128)

            # actor's layer
            self.action_head = nn.Linear(128, 2)

            # critic's layer
            self.value_head = nn.Linear(128, 1)

            # action & reward buffer
            self.saved_actions = []
            self.rewards = []

        def forward(self, x):
            """
            forward of both actor and critic
            """
            x = F.relu(self.affine1(x))

            # actor: chooses action to take from state s_t
            # by returning probability of each action
            action_prob = F.softmax(self.action_head(x), dim=-1)

            # critic: evaluates being in the state s_t
            state_values = self.value_head(x)

            # return values for both actor and critic as a tuple of 2 values:
            # 1. a list with the probability of each action over the action space
            # 2. the value from state s_t
            return action_prob, state_values

    model = Policy()
    share_start_and_dropout(torch, model, glue)
    optimizer = optim.Adam(model.parameters(), lr=3e-2)
    eps = np.finfo(np.float32).eps.item()

    def select_action(state):
        state = torch.from_numpy(state).double()
        probs, state_value = model(state)

        # create a categorical distribution over the list of probabilities of actions
        m = Categorical(probs)

        # and sample an action using the distribution
        action = m.sample()

        # save to action buffer
        model.saved_actions.append(SavedAction(m.log_prob(action), state_value))

        # the action to take (left or right)
        return action.item()

    def finish_episode():
        """
        Training code. Calculates actor and critic loss and performs backprop.
        """
        R = 0
        saved_actions = model.saved_actions
        policy_losses = []  # list to save actor (policy) loss
        value_losses = []  # list to save critic (value) loss
        returns = []  # list to save the true values

        # calculate the true value using rewards returned from the environment
        for r in model.rewards[::-1]:
            # calculate the discounted value
            R = r + args.gamma * R
            returns.insert(0, R)

        returns = torch.tensor(returns)
        returns = (returns - returns.mean()) / (returns.std(correction=1) + eps)

        for (log_prob, value), R in zip(saved_actions, returns):
            advantage = R - value.item()

            # calculate actor (policy) loss
            policy_losses.append(-log_prob * advantage)

            # calculate critic (value) loss using L1 smooth loss
            value_losses.append(F.smooth_l1_loss(value, torch.tensor([R])))

        # reset gradients
        optimizer.zero_grad()

        # sum up all the values of policy_losses and value_losses
        loss = torch.stack(policy_losses).sum() + torch.stack(value_losses).sum()

        # perform backprop
        loss.backward()
        record.append((loss.item(), snapshot(model)))
        optimizer.step()

        # reset rewards and action buffer
        del model.rewards[:]
        del model.saved_actions[:]

    def main():
        running_reward = 10

        # run episodes (the program: infinitely many, for i_episode in count(1))
        for i_episode in range(1, episodes + 1):

            # reset environment and episode reward
            state, _ = env.reset()
            ep_reward = 0

            # for each episode, only run 9999 steps so that we don't
            # infinite loop while learning
            for t in range(1, 10000):

                # select action from policy
                action = select_action(state)
                glue['actions'].append(action)

                # take the action
                state, reward, done, _, _ = env.step(action)

                if args.render:
                    env.render()

                model.rewards.append(reward)
                ep_reward += reward
                if done:
                    break

            # update cumulative reward
            running_reward = 0.05 * ep_reward + (1 - 0.05) * running_reward

            # perform backprop
            finish_episode()

            # log results
            if i_episode % args.log_interval == 0:
                print('Episode {}\tLast reward: {:.2f}\tAverage reward: {:.2f}'.format(
                      i_episode, ep_reward, running_reward))

            # check if we have "solved" the cart pole problem
            if running_reward > env.spec.reward_threshold:
                print("Solved! Running reward is now {} and "
                      "the last episode runs to {} time steps!".format(running_reward, t))
                break
        record.append(snapshot(model))

    main()
    return record


def test_actor_critic_runs_step_for_step_with_pytorch(torch) -> None:
    ours, theirs, glue = run_both(torch, actor_critic, episodes=4)
    assert_same_runs(ours, theirs)
    lines = [r for r in ours if isinstance(r, str)]
    assert len(lines) == 2 and lines[1].startswith('Episode 4\tLast reward: ')
    assert len(glue['actions']) > 40 and not glue['masks']
