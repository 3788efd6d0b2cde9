"""Recurrent layers over whole sequences, as PyTorch's: ``RNN``, ``LSTM`` and ``GRU``.

Each layer runs its cell (``nn.recurrent_cells``) over the time steps, one layer after
the other (and, with ``bidirectional=True``, once forwards and once backwards, the two
outputs concatenated on the feature axis). Parameters have PyTorch's names and shapes
(``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``, an LSTM's
``weight_hr_l0`` with ``proj_size``, then ``..._reverse`` and ``..._l1``...), so a PyTorch
state dict loads as it is. A ``PackedSequence`` (``nn.utils.rnn``) is run as it is laid
out: step t on the batch_sizes[t] sequences still running, each sequence's last state taken
at its own last step. The checks of the input and of hx are in ``nn/recurrent_inputs.py``.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor, cat, stack
from autograd.errors import ShapeError, UnsupportedError

from . import functional as F
from ._checks import caller_outside_nn, flag, integer, real_number
from ._random import RNGLike, as_generator, reset_from
from .errors import ConfigError
from .layers import factory_dtype, warn_wider_input
from .recurrent_inputs import given_shape, initial_states, sequence_input
from .module import Module, Parameter
from .recurrent_cells import (check_nonlinearity, computing_dtype,
                              gru_cell, lstm_cell, reset_uniform, rnn_relu_cell,
                              rnn_tanh_cell)
from .utils.rnn import PackedSequence, packed_batch_sizes

__all__ = ["RNNBase", "RNN", "LSTM", "GRU"]

State = tuple[Tensor, ...]  # (h,) for RNN and GRU, (h, c) for LSTM
_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}  # weight rows / hidden_size


def _integers(value: Any) -> np.ndarray:
    """A PackedSequence's indices (Tensors, or lists) as a NumPy array."""
    return np.asarray(value.data if isinstance(value, Tensor) else value)


class RNNBase(Module):
    """The loop over layers, directions and time steps that ``RNN``, ``LSTM`` and ``GRU``
    share, with PyTorch's arguments (``device`` the CPU); a subclass passes its ``mode``
    ('RNN_TANH', 'RNN_RELU', 'LSTM', 'GRU': 1, 1, 4, 3 gates), ``state_names``, ``_step``.

    ``layer(input, hx=None)``: input of shape (L, N, input_size), (N, L, input_size)
    with ``batch_first``, or unbatched (L, input_size); returns ``(output, h_n)``
    (``LSTM``: ``(output, (h_n, c_n))``). output has shape (L, N, D * hidden_size)
    (batch first with ``batch_first``; (L, D * hidden_size) unbatched), D = 2 if
    bidirectional else 1; h_n (and hx, zeros when None) has shape
    (D * num_layers, N, hidden_size), or (D * num_layers, hidden_size) unbatched,
    whatever ``batch_first`` says, ordered l0, l0_reverse, l1, ... hx may not be wider
    than the dtype the layer computes in (the parameters', or the input's when wider):
    a float64 hx into a float32 model raises a DTypeError, as PyTorch raises.

    A ``PackedSequence`` input (``batch_first`` does not apply) gives a ``PackedSequence``
    output (the same batch_sizes and indices); h_n holds each sequence's state after its
    own last step (the reverse direction starts there), hx and h_n in the batch's order.

    ``dropout`` zeroes elements of each layer's output but the last, in training only,
    drawing from ``rng`` (kept as ``self.rng``; ``fit``'s resume restores it), which
    also draws the initial parameters."""

    state_names: tuple[str, ...] = ("hx",)

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = np.float64, *, rng: RNGLike = None) -> None:
        super().__init__()
        name = type(self).__name__
        dtype = factory_dtype(name, device, dtype)
        if mode not in _GATES:
            raise ConfigError(f"{name}: unknown mode {mode!r}; choose one of {list(_GATES)}")
        self.mode = mode
        self.input_size = integer(name, "input_size", input_size, minimum=1)
        self.hidden_size = integer(name, "hidden_size", hidden_size, minimum=1)
        self.num_layers = integer(name, "num_layers", num_layers, minimum=1)
        self.bias = flag(name, "bias", bias)
        self.batch_first = flag(name, "batch_first", batch_first)
        self.dropout = real_number(name, "dropout", dropout, minimum=0, maximum=1,
                                   advice="dropout is the probability of zeroing an element.")
        self.bidirectional = flag(name, "bidirectional", bidirectional)
        self.proj_size = integer(name, "proj_size", proj_size, minimum=0,
                                 maximum=self.hidden_size - 1,
                                 advice="It must be smaller than hidden_size; 0 means no "
                                        "projection.")
        if self.proj_size and mode != "LSTM":
            raise ConfigError(f"{name}: proj_size is only supported for LSTM, not RNN or GRU "
                              f"(as PyTorch); got proj_size={proj_size}. Leave it 0, or use "
                              f"nn.LSTM(..., proj_size={proj_size}).")
        if self.dropout > 0 and self.num_layers == 1:
            warnings.warn(f"{name}: dropout adds dropout after all but the last recurrent "
                          f"layer, so non-zero dropout expects num_layers greater than 1; "
                          f"got dropout={self.dropout} and num_layers=1 (as PyTorch, it "
                          f"has no effect)", UserWarning, stacklevel=caller_outside_nn())
        self.rng = as_generator(rng)
        self._dtype_warned = False  # DTypePromotionWarning: once per layer, as Linear
        rows, out = _GATES[mode] * self.hidden_size, self.proj_size or self.hidden_size
        for layer in range(self.num_layers):
            width = self.input_size if layer == 0 else out * self.directions
            for direction in range(self.directions):
                w_ih, w_hh, b_ih, b_hh, w_hr = self._weight_names(layer, direction)
                setattr(self, w_ih, Parameter(np.empty((rows, width), dtype)))
                setattr(self, w_hh, Parameter(np.empty((rows, out), dtype)))
                if self.bias:
                    setattr(self, b_ih, Parameter(np.empty(rows, dtype)))
                    setattr(self, b_hh, Parameter(np.empty(rows, dtype)))
                if self.proj_size:
                    setattr(self, w_hr, Parameter(np.empty((out, self.hidden_size), dtype)))
        reset_from(self, None if rng is None else self.rng)

    @property
    def directions(self) -> int:
        """2 if bidirectional, else 1."""
        return 2 if self.bidirectional else 1

    def reset_parameters(self, rng: RNGLike = None) -> None:
        """Draw every parameter from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        reset_uniform(self, self.hidden_size, rng)

    def flatten_parameters(self) -> None:
        """Does nothing: PyTorch's packs the weights for cuDNN, which NumPy does not use
        (kept so that code calling it runs unchanged)."""

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters per layer and direction (l0, l0_reverse, l1, ...), as PyTorch."""
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    @property
    def _all_weights(self) -> list[list[str]]:
        """The parameters' names per layer and direction, as PyTorch's ``_all_weights``
        (the forget-gate bias habit: ``for names in lstm._all_weights: for name in
        filter(lambda n: "bias" in n, names): ...``)."""
        return [[n for n in self._weight_names(layer, direction) if hasattr(self, n)]
                for layer in range(self.num_layers) for direction in range(self.directions)]

    @property
    def _flat_weights_names(self) -> list[str]:
        """The parameters' names in PyTorch's order (per layer and direction: weight_ih,
        weight_hh, bias_ih, bias_hh, weight_hr), as its ``_flat_weights_names``."""
        return [n for layer in range(self.num_layers) for direction in range(self.directions)
                for n in self._weight_names(layer, direction) if hasattr(self, n)]

    @property
    def _flat_weights(self) -> list[Parameter]:
        """The parameters in the order of ``_flat_weights_names`` (PyTorch's)."""
        return [getattr(self, n) for n in self._flat_weights_names]

    @staticmethod
    def _weight_names(layer: int, direction: int) -> tuple[str, str, str, str, str]:
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        return (f"weight_ih{suffix}", f"weight_hh{suffix}", f"bias_ih{suffix}",
                f"bias_hh{suffix}", f"weight_hr{suffix}")

    def _weights(self, layer: int, direction: int) -> tuple[Any, ...]:
        """(w_ih, w_hh, b_ih, b_hh, w_hr) of one layer and direction; the biases None
        without ``bias``, w_hr (``LSTM``'s projection) None without ``proj_size``."""
        return tuple(getattr(self, name) if hasattr(self, name) else None
                     for name in self._weight_names(layer, direction))

    def _step(self, x: Tensor, state: State, weights: tuple[Any, ...]) -> State:
        """The state after one time step (defined by each subclass)."""
        raise UnsupportedError(f"{type(self).__name__}: RNNBase is the base class that "
                               f"nn.RNN, nn.LSTM and nn.GRU share, with no step of its own; "
                               f"use one of them (or define _step in a subclass)")

    # ------------------------------------------------------------ forward
    def forward(self, input: Any, hx: Any = None) -> tuple[Any, Any]:
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        if not self._dtype_warned:
            warn_wider_input(self, input, self._parameter_dtype())
        x, batched = sequence_input(self, input)
        kind = "batched 3-d" if batched else "unbatched 2-d"
        states = initial_states(self, hx, x.shape[1], batched,
                                f"{kind} input of shape {given_shape(self, x, batched)}",
                                computing_dtype(x, self._parameter_dtype()))
        # Each layer reads and writes a list of time steps: slicing step t out of one
        # stacked tensor would cost each slice's backward a zero-filled array of the
        # whole sequence (quadratic in its length)
        steps, last_states = self._layers(list(x.unbind(0)), states)
        x = stack(steps)
        if not batched:
            x, last_states = x[:, 0], tuple(state[:, 0] for state in last_states)
        elif self.batch_first:
            x = x.swapaxes(0, 1)
        return x, (last_states[0] if len(last_states) == 1 else last_states)

    def _forward_packed(self, packed: PackedSequence, hx: Any) -> tuple[PackedSequence, Any]:
        """``forward`` on a PackedSequence: its steps in sorted order (longest first),
        hx and h_n permuted between that order and the batch's."""
        data = as_tensor(packed.data)
        if not self._dtype_warned:
            warn_wider_input(self, data, self._parameter_dtype())
        name = type(self).__name__
        sizes = [int(n) for n in packed_batch_sizes(name, packed)]  # every field checked
        if data.ndim != 2 or data.shape[-1] != self.input_size:
            raise ShapeError(f"{name}: a PackedSequence's data must have shape (sum of "
                             f"batch_sizes, input_size) = ({sum(sizes)}, {self.input_size}); "
                             f"got {data.shape}. Pack (L, N, input_size) input.")
        states = initial_states(self, hx, sizes[0], True,
                                f"a PackedSequence of batch {sizes[0]}",
                                computing_dtype(data, self._parameter_dtype()))
        if packed.sorted_indices is not None:  # hx comes in the batch's order
            states = tuple(state[:, _integers(packed.sorted_indices)] for state in states)
        steps, last_states = self._layers(list(data.split(sizes)), states)
        if packed.unsorted_indices is not None:
            order = _integers(packed.unsorted_indices)
            last_states = tuple(state[:, order] for state in last_states)
        output = PackedSequence(cat(steps), *packed[1:])
        return output, (last_states[0] if len(last_states) == 1 else last_states)

    def _layers(self, steps: list[Tensor], states: State) -> tuple[list[Tensor], State]:
        """Every layer and direction over the time steps: the last layer's outputs (one
        per step) and the last states, each (D * num_layers, N, hidden_size)."""
        finals: list[State] = []  # the last state of each layer and direction, in order
        for layer in range(self.num_layers):
            if layer > 0 and self.training and self.dropout > 0:
                steps = [F.dropout(step, self.dropout, generator=self.rng) for step in steps]
            outputs = []
            for direction in range(self.directions):
                k = layer * self.directions + direction
                start = tuple(state[k] for state in states)
                output, last = self._run(steps, start, self._weights(layer, direction),
                                         reverse=direction == 1)
                outputs.append(output)
                finals.append(last)
            steps = outputs[0] if len(outputs) == 1 else [cat(both, dim=-1)
                                                          for both in zip(*outputs)]
        last_states = tuple(stack([final[i] for final in finals]) for i in range(len(states)))
        return steps, last_states

    def _run(self, steps: list[Tensor], state: State, weights: tuple[Any, ...],
             reverse: bool) -> tuple[list[Tensor], State]:
        """One layer in one direction over the time steps, step t (N_t, features) for the
        N_t sequences still running at t (all N unless packed; the longest first): the
        outputs (each (N_t, hidden), in time order) and each sequence's state after its
        own last step (the reverse direction: after step 0, starting at its last step)."""
        outputs: list[Any] = [None] * len(steps)
        if reverse:
            start = state
            for t in reversed(range(len(steps))):
                running, ready = steps[t].shape[0], state[0].shape[0]
                if running < ready:  # the first step (t = L - 1) of a packed sequence
                    state = tuple(s[:running] for s in start)
                elif running > ready:  # sequences whose last step is t join, from start
                    state = tuple(cat([s, s0[ready:running]]) for s, s0 in zip(state, start))
                state = self._step(steps[t], state, weights)
                outputs[t] = state[0]
            return outputs, state
        ended: list[State] = []  # the states of sequences that have ended, shortest first
        for t, step in enumerate(steps):
            running = step.shape[0]
            if running < state[0].shape[0]:
                ended.append(tuple(s[running:] for s in state))
                state = tuple(s[:running] for s in state)
            state = self._step(step, state, weights)
            outputs[t] = state[0]
        if ended:  # back in the order of the rows: the longest sequences first
            state = tuple(cat([s] + [e[i] for e in reversed(ended)]) for i, s in enumerate(state))
        return outputs, state

    def _parameter_dtype(self) -> np.dtype:
        return getattr(self, "weight_ih_l0").dtype

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            text += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if not self.bias:
            text += ", bias=False"
        if self.batch_first:
            text += ", batch_first=True"
        if self.dropout != 0:
            text += f", dropout={self.dropout}"
        if self.bidirectional:
            text += ", bidirectional=True"
        dtype = self._parameter_dtype()
        return text if dtype == np.float64 else f"{text}, dtype={dtype}"


class RNN(RNNBase):
    """A multi-layer Elman RNN, PyTorch's ``nn.RNN``: h_t = tanh(x_t W_ih^T + b_ih +
    h_(t-1) W_hh^T + b_hh) (relu with ``nonlinearity='relu'``), each layer's outputs the
    next one's inputs. Input, hx and outputs: see ``RNNBase``."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device: Any = None, dtype: Any = np.float64, *, rng: RNGLike = None) -> None:
        nonlinearity = check_nonlinearity("RNN", nonlinearity)
        super().__init__(f"RNN_{nonlinearity.upper()}", input_size, hidden_size, num_layers,
                         bias, batch_first, dropout, bidirectional, proj_size, device, dtype,
                         rng=rng)
        self.nonlinearity = nonlinearity

    def _step(self, x: Tensor, state: State, weights: tuple[Any, ...]) -> State:
        cell = rnn_tanh_cell if self.nonlinearity == "tanh" else rnn_relu_cell
        return (cell(x, state[0], *weights[:4]),)


class _FixedMode(RNNBase):
    """An ``RNNBase`` of the mode its class names (``_mode``: ``LSTM``, ``GRU``), built
    from PyTorch's arguments after the mode."""

    _mode = "LSTM"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = np.float64, *, rng: RNGLike = None) -> None:
        super().__init__(self._mode, input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype, rng=rng)


class LSTM(_FixedMode):
    """A multi-layer LSTM, PyTorch's ``nn.LSTM`` (gates i, f, g, o; see ``lstm_cell``).
    ``lstm(input, hx=None)`` with hx a tuple (h_0, c_0) returns
    ``(output, (h_n, c_n))``; shapes: see ``RNNBase``. With ``proj_size`` > 0 (smaller
    than hidden_size) each step's h is projected, h = (sigmoid(o) tanh(c)) W_hr^T with
    ``weight_hr_l{k}`` (proj_size, hidden_size), as PyTorch's: h_0, h_n and the output
    have proj_size features (c keeps hidden_size)."""

    _mode = "LSTM"
    state_names = ("h_0", "c_0")

    def _step(self, x: Tensor, state: State, weights: tuple[Any, ...]) -> State:
        h, c = lstm_cell(x, (state[0], state[1]), *weights[:4])
        w_hr = weights[4]
        return (h, c) if w_hr is None else (F.linear(h, w_hr), c)


class GRU(_FixedMode):
    """A multi-layer GRU, PyTorch's ``nn.GRU`` (gates r, z, n; see ``gru_cell``). Input,
    hx and outputs: see ``RNNBase``."""

    _mode = "GRU"

    def _step(self, x: Tensor, state: State, weights: tuple[Any, ...]) -> State:
        return (gru_cell(x, state[0], *weights[:4]),)
