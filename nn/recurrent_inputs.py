"""The checks of what ``nn.RNN``, ``nn.LSTM`` and ``nn.GRU`` are given: the input
sequence (its axes and features) and the initial states ``hx`` (one tensor, or LSTM's
pair (h_0, c_0); their shapes and dtypes), each a named error that says what to pass.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, as_tensor
from autograd.errors import ShapeError

from .recurrent_cells import check_state_dtype, state_values

__all__ = ["sequence_input", "initial_states", "given_shape"]


def sequence_input(layer: Any, input: Any) -> tuple[Tensor, bool]:
    """The input as (L, N, input_size) and whether it came with a batch axis."""
    x = as_tensor(input)
    name = type(layer).__name__
    if x.ndim not in (2, 3):
        layout = "(N, L, input_size)" if layer.batch_first else "(L, N, input_size)"
        raise ShapeError(f"{name}: expected input of 2 or 3 axes, {layout} or unbatched "
                         f"(L, input_size); got shape {x.shape}")
    if x.shape[-1] != layer.input_size:
        raise ShapeError(f"{name}: input has {x.shape[-1]} features on its last axis, "
                         f"expected input_size={layer.input_size} (input shape {x.shape})")
    batched = x.ndim == 3
    if not batched:
        x = x.unsqueeze(1)
    elif layer.batch_first:
        x = x.swapaxes(0, 1)
    if x.shape[0] == 0:
        raise ShapeError(f"{name}: the sequence is empty (length 0, input shape "
                         f"{tuple(as_tensor(input).shape)}); give at least one time step")
    return x, batched


def given_shape(layer: Any, x: Tensor, batched: bool) -> tuple[int, ...]:
    """The shape the input was given in, from x as (L, N, input_size)."""
    if not batched:
        return (x.shape[0], x.shape[2])
    return (x.shape[1], x.shape[0], x.shape[2]) if layer.batch_first else x.shape


def initial_states(layer: Any, hx: Any, batch: int, batched: bool, given: str,
                   computing: np.dtype) -> tuple[Tensor, ...]:
    """The initial states, each (D * num_layers, batch, hidden_size): hx or zeros
    (``given`` describes the input in messages); a named DTypeError if hx is wider
    than ``computing``, the dtype the layer computes in."""
    name = type(layer).__name__
    given_states = state_values(name, hx, layer.state_names, "(D * num_layers, N, hidden_size)",
                                "LSTM")
    states = []
    for value, what in zip(given_states, layer.state_names):
        size, label = layer.hidden_size, "hidden_size"
        if layer.proj_size and what != "c_0":  # h has proj_size features when projected
            size, label = layer.proj_size, "proj_size"
        shape = (layer.directions * layer.num_layers, batch, size)
        if value is None:
            states.append(Tensor(np.zeros(shape, layer._parameter_dtype())))
            continue
        h = as_tensor(value)
        expected = shape if batched else (shape[0], shape[2])
        if h.shape != expected:
            raise ShapeError(f"{name}: {what} must have shape {expected} for {given} "
                             f"(D * num_layers, {'N, ' if batched else ''}{label}); "
                             f"got shape {h.shape}")
        check_state_dtype(name, what, h, computing)
        states.append(h if batched else h.unsqueeze(1))
    return tuple(states)
