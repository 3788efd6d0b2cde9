"""Tic-tac-toe and the Monte Carlo tree search of alpha-zero-general (Surag Nair et al.),
for the AlphaZero port (``test_pytorch_ports_rl_alphazero.py``): the ``Game`` interface
(``getInitBoard``, ``getNextState``, ``getValidMoves``, ``getGameEnded``,
``getCanonicalForm``, ``getSymmetries``, ``stringRepresentation``) on a 3x3 NumPy board
(1, -1, 0 for empty; action ``n * n`` is the "pass" the framework keeps for games that
need one), and ``MCTS`` as its readers write it: the ``Qsa``/``Nsa``/``Ns``/``Ps``/``Es``/
``Vs`` dictionaries, the PUCT choice, and the recursive ``search`` that asks the network
(``nnet.predict``) at a leaf. Only NumPy: the network decides which library runs."""

import math

import numpy as np

EPS = 1e-8


class TicTacToeGame:
    """The board is an n x n array; player 1 plays first; ``getGameEnded`` gives 1 (won),
    -1 (lost), 1e-4 (draw) or 0 (not over) from ``player``'s side."""

    def __init__(self, n=3):
        self.n = n

    def getInitBoard(self):
        return np.zeros((self.n, self.n), dtype=int)

    def getBoardSize(self):
        return (self.n, self.n)

    def getActionSize(self):
        return self.n * self.n + 1

    def getNextState(self, board, player, action):
        if action == self.n * self.n:
            return (board, -player)
        b = np.copy(board)
        b[action // self.n, action % self.n] = player
        return (b, -player)

    def getValidMoves(self, board, player):
        valids = np.zeros(self.getActionSize(), dtype=int)
        empty = (board.reshape(-1) == 0)
        if not empty.any():
            valids[-1] = 1
            return valids
        valids[:-1] = empty
        return valids

    def _wins(self, board, player):
        lines = list(board) + list(board.T) + [np.diag(board), np.diag(np.fliplr(board))]
        return any((line == player).all() for line in lines)

    def getGameEnded(self, board, player):
        if self._wins(board, player):
            return 1
        if self._wins(board, -player):
            return -1
        if (board != 0).all():
            return 1e-4
        return 0

    def getCanonicalForm(self, board, player):
        return player * board

    def getSymmetries(self, board, pi):
        assert len(pi) == self.n**2 + 1  # 1 for pass
        pi_board = np.reshape(pi[:-1], (self.n, self.n))
        syms = []
        for i in range(1, 5):
            for j in [True, False]:
                newB = np.rot90(board, i)
                newPi = np.rot90(pi_board, i)
                if j:
                    newB = np.fliplr(newB)
                    newPi = np.fliplr(newPi)
                syms += [(newB, list(newPi.ravel()) + [pi[-1]])]
        return syms

    def stringRepresentation(self, board):
        return board.tobytes()


class MCTS():
    """
    This class handles the MCTS tree.
    """

    def __init__(self, game, nnet, args):
        self.game = game
        self.nnet = nnet
        self.args = args
        self.Qsa = {}  # stores Q values for s,a (as defined in the paper)
        self.Nsa = {}  # stores #times edge s,a was visited
        self.Ns = {}  # stores #times board s was visited
        self.Ps = {}  # stores initial policy (returned by neural net)

        self.Es = {}  # stores game.getGameEnded ended for board s
        self.Vs = {}  # stores game.getValidMoves for board s

    def getActionProb(self, canonicalBoard, temp=1):
        for i in range(self.args.numMCTSSims):
            self.search(canonicalBoard)

        s = self.game.stringRepresentation(canonicalBoard)
        counts = [self.Nsa[(s, a)] if (s, a) in self.Nsa else 0
                  for a in range(self.game.getActionSize())]

        if temp == 0:
            bestAs = np.array(np.argwhere(counts == np.max(counts))).flatten()
            bestA = np.random.choice(bestAs)
            probs = [0] * len(counts)
            probs[bestA] = 1
            return probs

        counts = [x ** (1. / temp) for x in counts]
        counts_sum = float(sum(counts))
        probs = [x / counts_sum for x in counts]
        return probs

    def search(self, canonicalBoard):
        s = self.game.stringRepresentation(canonicalBoard)

        if s not in self.Es:
            self.Es[s] = self.game.getGameEnded(canonicalBoard, 1)
        if self.Es[s] != 0:
            # terminal node
            return -self.Es[s]

        if s not in self.Ps:
            # leaf node
            self.Ps[s], v = self.nnet.predict(canonicalBoard)
            valids = self.game.getValidMoves(canonicalBoard, 1)
            self.Ps[s] = self.Ps[s] * valids  # masking invalid moves
            sum_Ps_s = np.sum(self.Ps[s])
            if sum_Ps_s > 0:
                self.Ps[s] /= sum_Ps_s  # renormalize
            else:
                self.Ps[s] = self.Ps[s] + valids
                self.Ps[s] /= np.sum(self.Ps[s])

            self.Vs[s] = valids
            self.Ns[s] = 0
            return -v

        valids = self.Vs[s]
        cur_best = -float('inf')
        best_act = -1

        # pick the action with the highest upper confidence bound
        for a in range(self.game.getActionSize()):
            if valids[a]:
                if (s, a) in self.Qsa:
                    u = self.Qsa[(s, a)] + self.args.cpuct * self.Ps[s][a] * math.sqrt(
                        self.Ns[s]) / (1 + self.Nsa[(s, a)])
                else:
                    u = self.args.cpuct * self.Ps[s][a] * math.sqrt(self.Ns[s] + EPS)

                if u > cur_best:
                    cur_best = u
                    best_act = a

        a = best_act
        next_s, next_player = self.game.getNextState(canonicalBoard, 1, a)
        next_s = self.game.getCanonicalForm(next_s, next_player)

        v = self.search(next_s)

        if (s, a) in self.Qsa:
            self.Qsa[(s, a)] = (self.Nsa[(s, a)] * self.Qsa[(s, a)] + v) / (self.Nsa[(s, a)] + 1)
            self.Nsa[(s, a)] += 1

        else:
            self.Qsa[(s, a)] = v
            self.Nsa[(s, a)] = 1

        self.Ns[s] += 1
        return -v
