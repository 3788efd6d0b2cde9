"""PyTorch's ``torch.nn.modules.rnn``: its module classes that ``nn`` has, under that
path (``isinstance(m, nn.modules.rnn.RNN)``)."""

from .. import (RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell)
from ..recurrent import RNNBase
from ..recurrent_cells import RNNCellBase

__all__ = ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell", "RNNBase", "RNNCellBase"]
