"""What the recurrent tests share: our layer or cell beside torch's with the same weights,
and random hidden states (a pair for the LSTM kinds)."""

from __future__ import annotations

from typing import Any

import numpy as np

import nn


def pair(torch: Any, kind: str, kwargs: dict, input_size: int, hidden_size: int) -> tuple:
    """Ours and torch's ``kind`` (``"LSTM"``, ``"GRUCell"``...), ours holding torch's
    (random) weights: a torch state dict loads as it is."""
    theirs = getattr(torch.nn, kind)(input_size, hidden_size, **kwargs).double()
    ours = getattr(nn, kind)(input_size, hidden_size, **kwargs, rng=0)
    ours.load_state_dict(theirs.state_dict())
    return ours, theirs


def random_state(kind: str, shape: tuple[int, ...], seed: int) -> Any:
    """A hidden state of ``shape`` as NumPy arrays: a pair (h, c) for LSTM and LSTMCell."""
    rng = np.random.default_rng(seed)
    if kind.startswith("LSTM"):
        return rng.normal(size=shape), rng.normal(size=shape)
    return rng.normal(size=shape)
