"""AlphaZero on tic-tac-toe as alpha-zero-general (Surag Nair et al.) writes it for
PyTorch, ported as its readers write it: the ``OthelloNNet`` policy/value network (four
``Conv2d`` + ``BatchNorm2d`` + ``relu``, two ``Linear`` + ``BatchNorm1d`` + ``F.dropout(...,
training=self.training)``, ``F.log_softmax(pi, dim=1)`` and ``torch.tanh(v)`` heads), the
``NNetWrapper`` (``train`` on random batches of ``(board, pi, v)`` examples with
``optim.Adam``, the ``AverageMeter``s, ``loss_pi = -torch.sum(targets * outputs) /
targets.size()[0]`` and ``loss_v = torch.sum((targets - outputs.view(-1)) ** 2) /
targets.size()[0]``; ``predict`` under ``eval()`` and ``no_grad()`` returning
``torch.exp(pi)`` and ``v`` as NumPy; ``save_checkpoint``/``load_checkpoint`` of
``{'state_dict': ...}``), the ``Coach``'s self-play ``executeEpisode`` (MCTS policies,
the board's eight symmetries, ``np.random.choice(len(pi), p=pi)``, outcomes signed for the
player to move) and one ``learn`` iteration that pits the new network against the old one
in an ``Arena``. The tree search and the game are NumPy (``tests/tictactoe_game.py``).
The program is written once for a library ``torch`` and runs next to PyTorch (float64)
from the same initial weights: every loss, gradient, parameter, MCTS policy and move agree.

Lines written differently here, and why:
- ``torch.FloatTensor(np.array(boards).astype(np.float64))`` is ``torch.DoubleTensor``
  (the comparison is in float64; a ``FloatTensor`` is float32 in both libraries);
- ``torch.exp(pi).data.cpu().numpy()[0]`` is ``torch.exp(pi).detach().cpu().numpy()[0]``:
  ``.data`` is the NumPy array itself here (by design), which has no ``cpu()``;
- ``torch.save(...)``/``torch.load(...)`` are ``nn.save``/``nn.load`` (``nn`` is a
  package of its own here, and ``autograd.save`` says so);
- the tic-tac-toe board is 3x3, so the network's last two convolutions keep ``padding=1``
  (Othello's ``board_x - 4`` would be negative) and the sizes shrink; the dropout rate is 0
  (the two libraries' generators differ; the call stays), and ``Bar`` is left out.
"""

import os
import time

import numpy as np

from test_pytorch_ports_dqn import libraries, share_start, snapshot
from tictactoe_game import MCTS, TicTacToeGame


class dotdict(dict):
    def __getattr__(self, name):
        return self[name]


class AverageMeter(object):
    """From https://github.com/pytorch/examples/blob/master/imagenet/main.py"""

    def __init__(self):
        self.val = 0
        self.avg = 0
        self.sum = 0
        self.count = 0

    def update(self, val, n=1):
        self.val = val
        self.sum += val * n
        self.count += n
        self.avg = self.sum / self.count


def networks(torch, nn, F, optim, save, load, glue):
    """``OthelloNNet`` and the ``NNetWrapper`` for the run's library."""
    args = dotdict({
        'lr': 0.001,
        'dropout': 0.0,
        'epochs': 2,
        'batch_size': 16,
        'cuda': torch.cuda.is_available(),
        'num_channels': 8,
    })

    class OthelloNNet(nn.Module):
        def __init__(self, game, args):
            # game params
            self.board_x, self.board_y = game.getBoardSize()
            self.action_size = game.getActionSize()
            self.args = args

            super(OthelloNNet, self).__init__()
            self.conv1 = nn.Conv2d(1, args.num_channels, 3, stride=1, padding=1)
            self.conv2 = nn.Conv2d(args.num_channels, args.num_channels, 3, stride=1, padding=1)
            self.conv3 = nn.Conv2d(args.num_channels, args.num_channels, 3, stride=1, padding=1)
            self.conv4 = nn.Conv2d(args.num_channels, args.num_channels, 3, stride=1, padding=1)

            self.bn1 = nn.BatchNorm2d(args.num_channels)
            self.bn2 = nn.BatchNorm2d(args.num_channels)
            self.bn3 = nn.BatchNorm2d(args.num_channels)
            self.bn4 = nn.BatchNorm2d(args.num_channels)

            self.fc1 = nn.Linear(args.num_channels * self.board_x * self.board_y, 32)
            self.fc_bn1 = nn.BatchNorm1d(32)

            self.fc2 = nn.Linear(32, 16)
            self.fc_bn2 = nn.BatchNorm1d(16)

            self.fc3 = nn.Linear(16, self.action_size)

            self.fc4 = nn.Linear(16, 1)

        def forward(self, s):
            #                                                  s: batch_size x board_x x board_y
            s = s.view(-1, 1, self.board_x, self.board_y)  # batch_size x 1 x board_x x board_y
            s = F.relu(self.bn1(self.conv1(s)))  # batch_size x num_channels x board_x x board_y
            s = F.relu(self.bn2(self.conv2(s)))
            s = F.relu(self.bn3(self.conv3(s)))
            s = F.relu(self.bn4(self.conv4(s)))
            s = s.view(-1, self.args.num_channels * self.board_x * self.board_y)

            s = F.dropout(F.relu(self.fc_bn1(self.fc1(s))), p=self.args.dropout,
                          training=self.training)  # batch_size x 32
            s = F.dropout(F.relu(self.fc_bn2(self.fc2(s))), p=self.args.dropout,
                          training=self.training)  # batch_size x 16

            pi = self.fc3(s)  # batch_size x action_size
            v = self.fc4(s)  # batch_size x 1

            return F.log_softmax(pi, dim=1), torch.tanh(v)

    class NNetWrapper():
        def __init__(self, game):
            self.nnet = OthelloNNet(game, args)
            self.board_x, self.board_y = game.getBoardSize()
            self.action_size = game.getActionSize()

            if args.cuda:
                self.nnet.cuda()

        def train(self, examples):
            """
            examples: list of examples, each example is of form (board, pi, v)
            """
            optimizer = optim.Adam(self.nnet.parameters())

            for epoch in range(args.epochs):
                self.nnet.train()
                pi_losses = AverageMeter()
                v_losses = AverageMeter()

                batch_count = int(len(examples) / args.batch_size)

                for _ in range(batch_count):
                    sample_ids = np.random.randint(len(examples), size=args.batch_size)
                    boards, pis, vs = list(zip(*[examples[i] for i in sample_ids]))
                    boards = torch.DoubleTensor(np.array(boards).astype(np.float64))
                    target_pis = torch.DoubleTensor(np.array(pis))
                    target_vs = torch.DoubleTensor(np.array(vs).astype(np.float64))

                    # predict
                    if args.cuda:
                        boards, target_pis, target_vs = boards.contiguous().cuda(), \
                            target_pis.contiguous().cuda(), target_vs.contiguous().cuda()

                    # compute output
                    out_pi, out_v = self.nnet(boards)
                    l_pi = self.loss_pi(target_pis, out_pi)
                    l_v = self.loss_v(target_vs, out_v)
                    total_loss = l_pi + l_v

                    # record loss
                    pi_losses.update(l_pi.item(), boards.size(0))
                    v_losses.update(l_v.item(), boards.size(0))

                    # compute gradient and do SGD step
                    optimizer.zero_grad()
                    total_loss.backward()
                    optimizer.step()
                    glue['record'].append((total_loss.item(), snapshot(self.nnet)))
                glue['record'].append([pi_losses.avg, v_losses.avg])

        def predict(self, board):
            """
            board: np array with board
            """
            # timing
            start = time.time()

            # preparing input
            board = torch.DoubleTensor(board.astype(np.float64))
            if args.cuda:
                board = board.contiguous().cuda()
            board = board.view(1, self.board_x, self.board_y)
            self.nnet.eval()
            with torch.no_grad():
                pi, v = self.nnet(board)

            assert time.time() - start >= 0
            return torch.exp(pi).detach().cpu().numpy()[0], v.detach().cpu().numpy()[0]

        def loss_pi(self, targets, outputs):
            return -torch.sum(targets * outputs) / targets.size()[0]

        def loss_v(self, targets, outputs):
            return torch.sum((targets - outputs.view(-1)) ** 2) / targets.size()[0]

        def save_checkpoint(self, folder='checkpoint', filename='checkpoint.pth.tar'):
            filepath = os.path.join(folder, filename)
            if not os.path.exists(folder):
                os.mkdir(folder)
            save({
                'state_dict': self.nnet.state_dict(),
            }, filepath)

        def load_checkpoint(self, folder='checkpoint', filename='checkpoint.pth.tar'):
            filepath = os.path.join(folder, filename)
            if not os.path.exists(filepath):
                raise FileNotFoundError("No model in path {}".format(filepath))
            map_location = None if args.cuda else 'cpu'
            checkpoint = load(filepath, map_location=map_location)
            self.nnet.load_state_dict(checkpoint['state_dict'])

    return NNetWrapper


class Arena():
    """An Arena class where any 2 agents can be pit against each other."""

    def __init__(self, player1, player2, game):
        self.player1 = player1
        self.player2 = player2
        self.game = game

    def playGame(self):
        players = [self.player2, None, self.player1]
        curPlayer = 1
        board = self.game.getInitBoard()
        it = 0
        while self.game.getGameEnded(board, curPlayer) == 0:
            it += 1
            action = players[curPlayer + 1](self.game.getCanonicalForm(board, curPlayer))
            valids = self.game.getValidMoves(self.game.getCanonicalForm(board, curPlayer), 1)
            assert valids[action] > 0
            board, curPlayer = self.game.getNextState(board, curPlayer, action)
        return curPlayer * self.game.getGameEnded(board, curPlayer)

    def playGames(self, num):
        num = int(num / 2)
        oneWon, twoWon, draws = 0, 0, 0
        for _ in range(num):
            gameResult = self.playGame()
            if gameResult == 1:
                oneWon += 1
            elif gameResult == -1:
                twoWon += 1
            else:
                draws += 1
        self.player1, self.player2 = self.player2, self.player1
        for _ in range(num):
            gameResult = self.playGame()
            if gameResult == -1:
                oneWon += 1
            elif gameResult == 1:
                twoWon += 1
            else:
                draws += 1
        return oneWon, twoWon, draws


def alphazero(torch, nn, F, optim, save, load, glue, checkpoint):
    """The ``Coach``: self-play, training and the arena, for one iteration."""
    import random
    from collections import deque
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    args = dotdict({'numIters': 1, 'numEps': 2, 'tempThreshold': 4, 'updateThreshold': 0.5,
                    'maxlenOfQueue': 2000, 'numMCTSSims': 6, 'arenaCompare': 2, 'cpuct': 1,
                    'checkpoint': checkpoint})
    game = TicTacToeGame(3)
    NNetWrapper = networks(torch, nn, F, optim, save, load, glue)
    nnet = NNetWrapper(game)
    share_start(torch, nnet.nnet, glue)
    pnet = NNetWrapper(game)  # the competitor network
    moves = glue['moves']

    def executeEpisode(mcts):
        trainExamples = []
        board = game.getInitBoard()
        curPlayer = 1
        episodeStep = 0

        while True:
            episodeStep += 1
            canonicalBoard = game.getCanonicalForm(board, curPlayer)
            temp = int(episodeStep < args.tempThreshold)

            pi = mcts.getActionProb(canonicalBoard, temp=temp)
            sym = game.getSymmetries(canonicalBoard, pi)
            for b, p in sym:
                trainExamples.append([b, curPlayer, p, None])

            action = np.random.choice(len(pi), p=pi)
            moves.append((np.array(pi), action))
            board, curPlayer = game.getNextState(board, curPlayer, action)

            r = game.getGameEnded(board, curPlayer)

            if r != 0:
                return [(x[0], x[2], r * ((-1) ** (x[1] != curPlayer))) for x in trainExamples]

    trainExamplesHistory = []
    for i in range(1, args.numIters + 1):
        iterationTrainExamples = deque([], maxlen=args.maxlenOfQueue)
        for _ in range(args.numEps):
            mcts = MCTS(game, nnet, args)  # reset search tree
            iterationTrainExamples += executeEpisode(mcts)
        trainExamplesHistory.append(iterationTrainExamples)

        trainExamples = []
        for e in trainExamplesHistory:
            trainExamples.extend(e)
        random.shuffle(trainExamples)

        # training new network, keeping a copy of the old one
        nnet.save_checkpoint(folder=args.checkpoint, filename='temp.pth.tar')
        pnet.load_checkpoint(folder=args.checkpoint, filename='temp.pth.tar')
        pmcts = MCTS(game, pnet, args)

        nnet.train(trainExamples)
        nmcts = MCTS(game, nnet, args)

        arena = Arena(lambda x: np.argmax(pmcts.getActionProb(x, temp=0)),
                      lambda x: np.argmax(nmcts.getActionProb(x, temp=0)), game)
        pwins, nwins, draws = arena.playGames(args.arenaCompare)
        glue['arena'] = (pwins, nwins, draws)
        if pwins + nwins == 0 or float(nwins) / (pwins + nwins) < args.updateThreshold:
            nnet.load_checkpoint(folder=args.checkpoint, filename='temp.pth.tar')
        else:
            nnet.save_checkpoint(folder=args.checkpoint, filename='best.pth.tar')
    glue['record'].append(snapshot(nnet.nnet))
    glue['examples'] = len(trainExamples)
    glue['draws'] = (random.random(), np.random.random())
    return glue['record']


def test_alphazero_tictactoe_runs_step_for_step_with_pytorch(torch, tmp_path) -> None:
    import nn as our_nn
    glue = {'record': [], 'moves': []}
    ours = alphazero(*libraries(), our_nn.save, our_nn.load, glue, str(tmp_path / 'ours'))
    theirs_glue = {'record': [], 'moves': [], 'start': glue['start']}
    theirs = alphazero(*libraries(torch), torch.save, torch.load, theirs_glue,
                       str(tmp_path / 'theirs'))
    assert glue['draws'] == theirs_glue['draws']
    assert glue['arena'] == theirs_glue['arena'] and sum(glue['arena']) == 2
    for (pi, action), (pi_b, action_b) in zip(glue['moves'], theirs_glue['moves'], strict=True):
        np.testing.assert_allclose(pi, pi_b, rtol=1e-12)
        assert action == action_b
    for a, b in zip(ours, theirs, strict=True):
        if isinstance(a, list) and not isinstance(a[0], tuple):
            np.testing.assert_allclose(a, b, rtol=1e-10)
    updates = [r for r in ours if isinstance(r, tuple)]
    assert len(updates) == 2 * (glue['examples'] // 16) >= 10
    theirs_updates = [r for r in theirs if isinstance(r, tuple)]
    for (loss, params), (loss_b, params_b) in zip(updates + [(0, ours[-1])],
                                                  theirs_updates + [(0, theirs[-1])]):
        np.testing.assert_allclose(loss, loss_b, rtol=1e-10)
        for (name, p, g), (name_b, p_b, g_b) in zip(params, params_b, strict=True):
            assert name == name_b
            # a bias followed by batch norm has a zero gradient: rounding noise of 1e-17
            # that Adam (g / (sqrt(v) + eps)) turns into steps of up to 1e-11 that differ
            atol = 1e-9 if name in BN_BIASES else 1e-12
            np.testing.assert_allclose(p, p_b, rtol=1e-10, atol=atol, err_msg=name)
            if g is not None:
                np.testing.assert_allclose(g, g_b, rtol=1e-10, atol=1e-12, err_msg=name)


BN_BIASES = {'conv1.bias', 'conv2.bias', 'conv3.bias', 'conv4.bias', 'fc1.bias', 'fc2.bias'}
