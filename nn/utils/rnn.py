"""Sequences of different lengths for the recurrent layers, as PyTorch's
``torch.nn.utils.rnn``: ``pad_sequence`` stacks them into one padded tensor, and
``unpad_sequence`` cuts them out again. Both are built of differentiable ops (padding,
stacking, slicing), so gradients flow back to every sequence. Packed sequences are not
offered: the layers here run over the padded tensor (mask or pick the outputs you need).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor, pad, stack
from autograd.errors import ShapeError

from .._checks import flag
from ..errors import ArgumentTypeError, ConfigError

__all__ = ["pad_sequence", "unpad_sequence"]


def pad_sequence(sequences: Sequence[Any], batch_first: bool = False,
                 padding_value: float = 0.0, padding_side: str = "right") -> Tensor:
    """The sequences (each (L_i, *), the same trailing shape) padded with
    ``padding_value`` to the longest length L and stacked: shape (L, B, *), or (B, L, *)
    with ``batch_first``. ``padding_side="left"`` pads before each sequence instead."""
    flag("pad_sequence", "batch_first", batch_first)
    if padding_side not in ("right", "left"):
        raise ConfigError(f"pad_sequence: padding_side must be 'right' or 'left'; got "
                          f"{padding_side!r}")
    if isinstance(sequences, (Tensor, np.ndarray)) or not isinstance(sequences, Sequence) \
            or len(sequences) == 0:
        raise ArgumentTypeError(f"pad_sequence: needs a non-empty list of tensors (each "
                                f"(length, *)); got {type(sequences).__name__}")
    tensors = [as_tensor(s) for s in sequences]
    trailing = {t.shape[1:] for t in tensors}
    if any(t.ndim == 0 for t in tensors) or len(trailing) > 1:
        raise ShapeError(f"pad_sequence: every sequence needs at least one axis and the "
                         f"same shape after its first (its length); got shapes "
                         f"{[t.shape for t in tensors]}")
    longest = max(t.shape[0] for t in tensors)
    padded = []
    for t in tensors:
        missing = longest - t.shape[0]
        before, after = (0, missing) if padding_side == "right" else (missing, 0)
        padded.append(pad(t, [(before, after)] + [(0, 0)] * (t.ndim - 1), padding_value))
    return stack(padded, axis=0 if batch_first else 1)


def unpad_sequence(padded_sequences: Any, lengths: Sequence[int],
                   batch_first: bool = False) -> list[Tensor]:
    """The sequences ``pad_sequence`` padded on the right, cut to their ``lengths``: a
    list of B tensors (L_i, *) from a (L, B, *) tensor ((B, L, *) with ``batch_first``)."""
    flag("unpad_sequence", "batch_first", batch_first)
    x = as_tensor(padded_sequences)
    lengths = [int(n) for n in np.asarray(getattr(lengths, "data", lengths)).reshape(-1)]
    if x.ndim < 2:
        raise ShapeError(f"unpad_sequence: needs a padded tensor of at least 2 axes (length "
                         f"and batch); got shape {x.shape}")
    batch_axis, length_axis = (0, 1) if batch_first else (1, 0)
    if len(lengths) != x.shape[batch_axis] or any(
            not 0 <= n <= x.shape[length_axis] for n in lengths):
        raise ShapeError(f"unpad_sequence: {len(lengths)} lengths {lengths} for a padded "
                         f"tensor of shape {x.shape} (batch {x.shape[batch_axis]}, "
                         f"length {x.shape[length_axis]})")
    if batch_first:
        return [x[i, :n] for i, n in enumerate(lengths)]
    return [x[:n, i] for i, n in enumerate(lengths)]
