"""Recurrent cells, one time step each, as PyTorch's: the functions ``rnn_tanh_cell``,
``rnn_relu_cell``, ``lstm_cell`` and ``gru_cell`` (which ``nn.RNN``, ``nn.LSTM`` and
``nn.GRU`` call at every step) and the modules ``RNNCell``, ``LSTMCell`` and ``GRUCell``.

Weights are PyTorch's: ``weight_ih`` (gates * hidden_size, input_size), ``weight_hh``
(gates * hidden_size, hidden_size), ``bias_ih`` and ``bias_hh`` (gates * hidden_size,),
the gates stacked in PyTorch's order (LSTM: i, f, g, o; GRU: r, z, n), so a PyTorch
state dict loads as it is. The products with the weights are ``F.linear`` nodes; the
elementwise rest of an LSTM or GRU step is one or two fused ops with their own VJPs
(``nn/functional/recurrent_gates.py``: LSTM two nodes where the composition was
thirteen, GRU one where it was seventeen).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor
from autograd.errors import DTypeError, ShapeError

from . import functional as F, init
from ._checks import bias_flag, integer
from ._random import RNGLike, as_generator, reset_from
from .errors import ArgumentTypeError, ConfigError
from .functional.recurrent_gates import GRUCellUpdate, LSTMCellOutput, LSTMCellState
from .layers import factory_dtype, warn_wider_input
from .module import Module, Parameter
from .utils.rnn import PackedSequence

__all__ = ["rnn_tanh_cell", "rnn_relu_cell", "lstm_cell", "gru_cell", "RNNCell",
           "LSTMCell", "GRUCell", "RNNCellBase", "check_nonlinearity", "reset_uniform",
           "state_values"]


def rnn_tanh_cell(x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor,
                  b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    return F.tanh(F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh))


def rnn_relu_cell(x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor,
                  b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """h' = relu(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    return F.relu(F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh))


def lstm_cell(x: Tensor, state: tuple[Tensor, Tensor], w_ih: Tensor, w_hh: Tensor,
              b_ih: Tensor | None = None, b_hh: Tensor | None = None
              ) -> tuple[Tensor, Tensor]:
    """(h', c') from (h, c): the gates x W_ih^T + b_ih + h W_hh^T + b_hh split into
    i, f, g, o; c' = sigmoid(f) c + sigmoid(i) tanh(g), h' = sigmoid(o) tanh(c')."""
    h, c = state
    gates = F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh)
    c_next = LSTMCellState.apply(gates, c)  # the elementwise part: two fused nodes
    return LSTMCellOutput.apply(gates, c_next), c_next


def gru_cell(x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor,
             b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """h' = (1 - z) n + z h with r = sigmoid(W_ir x + b_ir + W_hr h + b_hr),
    z = sigmoid(W_iz x + b_iz + W_hz h + b_hz), n = tanh(W_in x + b_in + r (W_hn h + b_hn))."""
    return GRUCellUpdate.apply(F.linear(x, w_ih, b_ih), F.linear(h, w_hh, b_hh), h)


def check_nonlinearity(owner: str, nonlinearity: Any) -> str:
    """``nonlinearity`` if it is 'tanh' or 'relu', else a named error."""
    if not isinstance(nonlinearity, str):
        raise ArgumentTypeError(f"{owner}: nonlinearity must be 'tanh' or 'relu'; got "
                                f"{type(nonlinearity).__name__} {nonlinearity!r}")
    if nonlinearity not in ("tanh", "relu"):
        raise ConfigError(f"{owner}: unknown nonlinearity {nonlinearity!r}; select 'tanh' "
                          f"or 'relu'")
    return nonlinearity


def computing_dtype(x: Tensor, own: np.dtype) -> np.dtype:
    """The dtype a recurrent layer computes in: its parameters' dtype ``own``, or the
    input's when that is a wider float (float64 data into a float32 model)."""
    return np.result_type(x.dtype, own) if x.dtype.kind == "f" else own


def check_state_dtype(owner: str, what: str, state: Tensor, computing: np.dtype) -> None:
    """A named DTypeError if the state would widen the computation beyond ``computing``
    (a float64 hx into a float32 model): PyTorch raises on any mismatch; a narrower
    state is promoted exactly, as narrower input is."""
    if np.result_type(state.dtype, computing) != computing:
        raise DTypeError(f"{owner}: {what} has dtype {state.dtype} but the layer computes "
                         f"in {computing} (its parameters' dtype, or the input's when "
                         f"wider), so it would silently compute in "
                         f"{np.result_type(state.dtype, computing)}; cast it with "
                         f".astype(np.{computing}) (PyTorch raises on this mismatch)")


def reset_uniform(module: Module, hidden_size: int, rng: RNGLike = None) -> None:
    """PyTorch's initialisation of recurrent layers: every parameter, in order, from
    U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) drawn with ``rng``."""
    generator = as_generator(rng)
    bound = 1.0 / math.sqrt(hidden_size) if hidden_size > 0 else 0.0
    for parameter in module.parameters():
        init.uniform_(parameter, -bound, bound, rng=generator)


def state_values(owner: str, hx: Any, names: tuple[str, ...], shape: str,
                 pair_owner: str) -> tuple[Any, ...]:
    """hx as one value per state ``names`` (None each for hx=None). A tuple of tensors
    for one state (an LSTM's (h, c) given to a GRU: ``pair_owner`` names whose pairs they
    are; ``shape`` describes one state), or a None inside LSTM's pair (a state not carried
    over), is a named ArgumentTypeError, as PyTorch raises on both."""
    count = len(names)
    if hx is None:
        return (None,) * count
    if count == 1:
        if isinstance(hx, (tuple, list)) and any(isinstance(v, (Tensor, np.ndarray))
                                                 for v in hx):
            fix = (f"(h, c) pairs are {pair_owner}'s: pass h alone here" if len(hx) == 2
                   else "pass the tensor itself")
            raise ArgumentTypeError(f"{owner}: {names[0]} must be one tensor of shape {shape}; "
                                    f"got a {type(hx).__name__} of {len(hx)}. {fix}.")
        return (hx,)
    if not isinstance(hx, (tuple, list)) or len(hx) != count:
        raise ArgumentTypeError(f"{owner}: hx must be a tuple ({', '.join(names)}) of {count} "
                                f"tensors, or None; got {type(hx).__name__}")
    for i, (value, what) in enumerate(zip(hx, names)):
        if value is None:
            raise ArgumentTypeError(f"{owner}: hx[{i}] ({what}) is None; pass both tensors "
                                    f"({', '.join(names)}), or hx=None for zeros in both")
    return tuple(hx)


class RNNCellBase(Module):
    """What the three cells share (PyTorch's ``RNNCellBase``, its arguments): sizes,
    parameters (``num_chunks``: how many blocks of hidden_size rows the weights stack,
    the gates), checks of input and state; ``device`` the CPU, ``dtype`` float64 unless
    given."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device: Any = None, dtype: Any = np.float64, *, rng: RNGLike = None) -> None:
        super().__init__()
        name = type(self).__name__
        dtype = factory_dtype(name, device, dtype)
        self.input_size = integer(name, "input_size", input_size, minimum=0)
        self.hidden_size = integer(name, "hidden_size", hidden_size, minimum=0)
        self.bias = bias_flag(name, bias)
        rows = integer(name, "num_chunks", num_chunks, minimum=1) * self.hidden_size
        self.weight_ih = Parameter(np.empty((rows, self.input_size), dtype))
        self.weight_hh = Parameter(np.empty((rows, self.hidden_size), dtype))
        self.bias_ih = Parameter(np.empty(rows, dtype)) if self.bias else None
        self.bias_hh = Parameter(np.empty(rows, dtype)) if self.bias else None
        self._dtype_warned = False  # DTypePromotionWarning: once per cell, as Linear
        reset_from(self, rng)

    def reset_parameters(self, rng: RNGLike = None) -> None:
        """Draw every parameter from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        reset_uniform(self, self.hidden_size, rng)

    def _weights(self) -> tuple[Any, ...]:
        return self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh

    def _input(self, input: Any) -> Tensor:
        """The input as a Tensor of shape (N, input_size) or (input_size,)."""
        name = type(self).__name__
        if isinstance(input, PackedSequence):
            raise ArgumentTypeError(f"{name}: takes one time step, (N, input_size) or "
                                    f"(input_size,); got a PackedSequence. For packed "
                                    f"sequences use nn.{name.removesuffix('Cell')}.")
        x = as_tensor(input)
        if x.ndim not in (1, 2):
            raise ShapeError(f"{name}: expected input of 1 or 2 axes, (input_size,) or "
                             f"(N, input_size); got shape {x.shape}. For a sequence use "
                             f"nn.{name.removesuffix('Cell')}, or loop over its steps.")
        if x.shape[-1] != self.input_size:
            raise ShapeError(f"{name}: input has {x.shape[-1]} features on its last axis, "
                             f"expected input_size={self.input_size} (input shape {x.shape})")
        if not self._dtype_warned:  # as Linear and nn.RNN
            warn_wider_input(self, x, self.weight_ih.dtype)
        return x

    def _state(self, hx: Any, x: Tensor, what: str = "hx") -> Tensor:
        """A hidden state shaped as x with hidden_size features: hx, or zeros if None;
        a named DTypeError if hx is wider than the dtype the cell computes in."""
        shape = x.shape[:-1] + (self.hidden_size,)
        if hx is None:
            return Tensor(np.zeros(shape, self.weight_ih.dtype))
        (hx,) = state_values(type(self).__name__, hx, (what,), str(shape), "LSTMCell")
        h = as_tensor(hx)
        if h.shape != shape:
            raise ShapeError(f"{type(self).__name__}: {what} must have shape {shape} for an "
                             f"input of shape {x.shape} (batch size and hidden_size="
                             f"{self.hidden_size}); got shape {h.shape}")
        check_state_dtype(type(self).__name__, what, h,
                          computing_dtype(x, self.weight_ih.dtype))
        return h

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            text += ", bias=False"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            text += f", nonlinearity={self.nonlinearity}"
        dtype = self.weight_ih.dtype
        return text if dtype == np.float64 else f"{text}, dtype={dtype}"


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (relu with
    ``nonlinearity='relu'``), PyTorch's ``nn.RNNCell``. ``cell(x, hx=None)``: x of shape
    (N, input_size) or (input_size,), hx shaped as x with hidden_size features (zeros
    when None); returns h'. Parameters from U(-1/sqrt(hidden), 1/sqrt(hidden)), ``rng``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None, dtype: Any = np.float64, *,
                 rng: RNGLike = None) -> None:
        nonlinearity = check_nonlinearity("RNNCell", nonlinearity)
        super().__init__(input_size, hidden_size, bias, 1, device, dtype, rng=rng)
        self.nonlinearity = nonlinearity

    def forward(self, input: Any, hx: Any = None) -> Tensor:
        x = self._input(input)
        step = rnn_tanh_cell if self.nonlinearity == "tanh" else rnn_relu_cell
        return step(x, self._state(hx, x), *self._weights())


class LSTMCell(RNNCellBase):
    """One step of an LSTM, PyTorch's ``nn.LSTMCell`` (gates i, f, g, o; see
    ``lstm_cell``). ``cell(x, hx=None)``: x of shape (N, input_size) or (input_size,),
    hx a tuple (h, c), each shaped as x with hidden_size features (hx=None: zeros for
    both); returns (h', c')."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = np.float64, *, rng: RNGLike = None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype, rng=rng)

    def forward(self, input: Any, hx: Any = None) -> tuple[Tensor, Tensor]:
        x = self._input(input)
        h, c = state_values("LSTMCell", hx, ("h", "c"), "", "LSTMCell")
        state = (self._state(h, x, "hx[0] (h)"), self._state(c, x, "hx[1] (c)"))
        return lstm_cell(x, state, *self._weights())


class GRUCell(RNNCellBase):
    """One step of a GRU, PyTorch's ``nn.GRUCell`` (gates r, z, n; see ``gru_cell``).
    ``cell(x, hx=None)``: x of shape (N, input_size) or (input_size,), hx shaped as x
    with hidden_size features (zeros when None); returns h'."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = np.float64, *, rng: RNGLike = None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype, rng=rng)

    def forward(self, input: Any, hx: Any = None) -> Tensor:
        x = self._input(input)
        return gru_cell(x, self._state(hx, x), *self._weights())
