""""AlphaZero from Scratch" (Robert Förster's notebook) on tic-tac-toe, ported as its
readers write it and run step for step next to PyTorch (float64) from the same initial
weights: the ``ResNet`` (a ``startBlock`` ``nn.Sequential`` of ``Conv2d``/``BatchNorm2d``/
``ReLU``, an ``nn.ModuleList`` of ``ResBlock``s whose ``x += residual`` adds in place, a
policy head ending in ``nn.Flatten()``/``nn.Linear`` and a value head in ``nn.Tanh()``;
``self.device`` kept on the module and ``self.to(device)`` in ``__init__``), the ``MCTS``
whose ``search`` is decorated with ``@torch.no_grad()`` (priors from
``torch.softmax(policy, axis=1).squeeze(0).cpu().numpy()``, Dirichlet noise at the root,
masked and renormalised in NumPy, ``value.item()`` at the leaves), and ``AlphaZero``:
``selfPlay`` with a temperature, ``train`` on shuffled batches with
``F.cross_entropy(out_policy, policy_targets)`` on probability targets plus
``F.mse_loss(out_value, value_targets)``, and ``learn`` switching ``model.eval()`` and
``model.train()`` and saving the model's and the optimizer's ``state_dict()``.

Lines written differently here: ``dtype=torch.float32`` and ``np.float32`` are float64
(the comparison is in float64); ``torch.save`` is ``nn.save`` (``nn`` is a package of its
own here); ``trange`` is ``range``; the sizes shrink (two residual blocks of 8 channels,
a few searches and games; the batch size is one where the notebook's
``memory[batchIdx:min(len(memory) - 1, ...)]``, which drops the last example, leaves no
empty batch, which fails in both libraries). The game and the tree are NumPy
(``tests/alphazero_from_scratch_game.py``).
"""

import os
import random

import numpy as np

from alphazero_from_scratch_game import Node, TicTacToe
from test_pytorch_ports_dqn import assert_same_runs, libraries, share_start, snapshot


def networks(torch, nn, F):
    class ResNet(nn.Module):
        def __init__(self, game, num_resBlocks, num_hidden, device):
            super().__init__()

            self.device = device
            self.startBlock = nn.Sequential(
                nn.Conv2d(3, num_hidden, kernel_size=3, padding=1),
                nn.BatchNorm2d(num_hidden),
                nn.ReLU()
            )

            self.backBone = nn.ModuleList(
                [ResBlock(num_hidden) for i in range(num_resBlocks)]
            )

            self.policyHead = nn.Sequential(
                nn.Conv2d(num_hidden, 32, kernel_size=3, padding=1),
                nn.BatchNorm2d(32),
                nn.ReLU(),
                nn.Flatten(),
                nn.Linear(32 * game.row_count * game.column_count, game.action_size)
            )

            self.valueHead = nn.Sequential(
                nn.Conv2d(num_hidden, 3, kernel_size=3, padding=1),
                nn.BatchNorm2d(3),
                nn.ReLU(),
                nn.Flatten(),
                nn.Linear(3 * game.row_count * game.column_count, 1),
                nn.Tanh()
            )

            self.to(device)

        def forward(self, x):
            x = self.startBlock(x)
            for resBlock in self.backBone:
                x = resBlock(x)
            policy = self.policyHead(x)
            value = self.valueHead(x)
            return policy, value

    class ResBlock(nn.Module):
        def __init__(self, num_hidden):
            super().__init__()
            self.conv1 = nn.Conv2d(num_hidden, num_hidden, kernel_size=3, padding=1)
            self.bn1 = nn.BatchNorm2d(num_hidden)
            self.conv2 = nn.Conv2d(num_hidden, num_hidden, kernel_size=3, padding=1)
            self.bn2 = nn.BatchNorm2d(num_hidden)

        def forward(self, x):
            residual = x
            x = F.relu(self.bn1(self.conv1(x)))
            x = self.bn2(self.conv2(x))
            x += residual
            x = F.relu(x)
            return x

    return ResNet


def mcts_class(torch):
    class MCTS:
        def __init__(self, game, args, model):
            self.game = game
            self.args = args
            self.model = model

        @torch.no_grad()
        def search(self, state):
            root = Node(self.game, self.args, state, visit_count=1)

            policy, _ = self.model(
                torch.tensor(self.game.get_encoded_state(state),
                             device=self.model.device).unsqueeze(0)
            )
            policy = torch.softmax(policy, axis=1).squeeze(0).cpu().numpy()
            policy = (1 - self.args['dirichlet_epsilon']) * policy + \
                self.args['dirichlet_epsilon'] \
                * np.random.dirichlet([self.args['dirichlet_alpha']] * self.game.action_size)

            valid_moves = self.game.get_valid_moves(state)
            policy *= valid_moves
            policy /= np.sum(policy)
            root.expand(policy)

            for search in range(self.args['num_searches']):
                node = root

                while node.is_fully_expanded():
                    node = node.select()

                value, is_terminal = self.game.get_value_and_terminated(node.state,
                                                                        node.action_taken)
                value = self.game.get_opponent_value(value)

                if not is_terminal:
                    policy, value = self.model(
                        torch.tensor(self.game.get_encoded_state(node.state),
                                     device=self.model.device).unsqueeze(0)
                    )
                    policy = torch.softmax(policy, axis=1).squeeze(0).cpu().numpy()
                    valid_moves = self.game.get_valid_moves(node.state)
                    policy *= valid_moves
                    policy /= np.sum(policy)

                    value = value.item()

                    node.expand(policy)

                node.backpropagate(value)

            action_probs = np.zeros(self.game.action_size)
            for child in root.children:
                action_probs[child.action_taken] = child.visit_count
            action_probs /= np.sum(action_probs)
            return action_probs

    return MCTS


def alphazero_class(torch, F, MCTS, save, glue):
    class AlphaZero:
        def __init__(self, model, optimizer, game, args):
            self.model = model
            self.optimizer = optimizer
            self.game = game
            self.args = args
            self.mcts = MCTS(game, args, model)

        def selfPlay(self):
            memory = []
            player = 1
            state = self.game.get_initial_state()

            while True:
                neutral_state = self.game.change_perspective(state, player)
                action_probs = self.mcts.search(neutral_state)
                glue['policies'].append(action_probs)

                memory.append((neutral_state, action_probs, player))

                temperature_action_probs = action_probs ** (1 / self.args['temperature'])
                temperature_action_probs /= np.sum(temperature_action_probs)
                action = np.random.choice(self.game.action_size, p=temperature_action_probs)

                state = self.game.get_next_state(state, action, player)

                value, is_terminal = self.game.get_value_and_terminated(state, action)

                if is_terminal:
                    returnMemory = []
                    for hist_neutral_state, hist_action_probs, hist_player in memory:
                        hist_outcome = value if hist_player == player \
                            else self.game.get_opponent_value(value)
                        returnMemory.append((
                            self.game.get_encoded_state(hist_neutral_state),
                            hist_action_probs,
                            hist_outcome
                        ))
                    return returnMemory

                player = self.game.get_opponent(player)

        def train(self, memory):
            random.shuffle(memory)
            for batchIdx in range(0, len(memory), self.args['batch_size']):
                sample = memory[batchIdx:min(len(memory) - 1, batchIdx + self.args['batch_size'])]
                state, policy_targets, value_targets = zip(*sample)

                state, policy_targets, value_targets = np.array(state), \
                    np.array(policy_targets), np.array(value_targets).reshape(-1, 1)

                state = torch.tensor(state, dtype=torch.float64, device=self.model.device)
                policy_targets = torch.tensor(policy_targets, dtype=torch.float64,
                                              device=self.model.device)
                value_targets = torch.tensor(value_targets, dtype=torch.float64,
                                             device=self.model.device)

                out_policy, out_value = self.model(state)

                policy_loss = F.cross_entropy(out_policy, policy_targets)
                value_loss = F.mse_loss(out_value, value_targets)
                loss = policy_loss + value_loss

                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                glue['record'].append((loss.item(), snapshot(self.model)))

        def learn(self):
            for iteration in range(self.args['num_iterations']):
                memory = []

                self.model.eval()
                for selfPlay_iteration in range(self.args['num_selfPlay_iterations']):
                    memory += self.selfPlay()

                self.model.train()
                for epoch in range(self.args['num_epochs']):
                    self.train(memory)

                folder = glue['folder']
                save(self.model.state_dict(),
                     os.path.join(folder, f"model_{iteration}_{self.game}.pt"))
                save(self.optimizer.state_dict(),
                     os.path.join(folder, f"optimizer_{iteration}_{self.game}.pt"))

    return AlphaZero


def run(torch, nn, F, optim, save, load, glue):
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    game = TicTacToe()
    device = torch.device("cpu")
    model = networks(torch, nn, F)(game, 2, 8, device)
    share_start(torch, model, glue)
    optimizer = optim.Adam(model.parameters(), lr=0.001, weight_decay=0.0001)
    args = {
        'C': 2,
        'num_searches': 8,
        'num_iterations': 2,
        'num_selfPlay_iterations': 2,
        'num_epochs': 2,
        'batch_size': 7,
        'temperature': 1.25,
        'dirichlet_epsilon': 0.25,
        'dirichlet_alpha': 0.3
    }
    AlphaZero = alphazero_class(torch, F, mcts_class(torch), save, glue)
    alphaZero = AlphaZero(model, optimizer, game, args)
    alphaZero.learn()
    model.load_state_dict(load(os.path.join(glue['folder'], "model_1_TicTacToe.pt")))
    optimizer.load_state_dict(load(os.path.join(glue['folder'],
                                                "optimizer_1_TicTacToe.pt")))
    glue['draws'] = (random.random(), np.random.random())
    return glue['record']


def test_alphazero_from_scratch_runs_step_for_step_with_pytorch(torch, tmp_path) -> None:
    import nn as our_nn
    (tmp_path / 'ours').mkdir()
    (tmp_path / 'theirs').mkdir()
    glue = {'record': [], 'policies': [], 'folder': str(tmp_path / 'ours')}
    ours = run(*libraries(), our_nn.save, our_nn.load, glue)
    theirs_glue = {'record': [], 'policies': [], 'folder': str(tmp_path / 'theirs'),
                   'start': glue['start']}
    theirs = run(*libraries(torch), torch.save, torch.load, theirs_glue)
    assert glue['draws'] == theirs_glue['draws']
    np.testing.assert_allclose(np.array(glue['policies']), np.array(theirs_glue['policies']),
                               rtol=1e-12)
    assert_same_runs(ours, theirs)
    assert len(ours) >= 8
