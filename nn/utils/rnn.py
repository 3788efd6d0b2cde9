"""Sequences of different lengths for the recurrent layers, as PyTorch's
``torch.nn.utils.rnn``: ``pad_sequence`` stacks them into one padded tensor and
``unpad_sequence`` cuts them out again; ``pack_padded_sequence`` / ``pack_sequence`` pack
them (``PackedSequence``: the time steps one after the other, each holding only the
sequences still running, longest first), which ``nn.RNN``, ``nn.LSTM`` and ``nn.GRU``
accept, and ``pad_packed_sequence`` / ``unpack_sequence`` undo it. All are built of
differentiable ops (padding, stacking, indexing), so gradients flow back to every sequence.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np

from autograd import Tensor, as_tensor, cat, full, pad, result_type, stack
from autograd.errors import DTypeError, ShapeError

from .._checks import flag, integer, real_number
from ..errors import ArgumentTypeError, ConfigError

__all__ = ["pad_sequence", "unpad_sequence", "PackedSequence", "pack_padded_sequence",
           "pad_packed_sequence", "pack_sequence", "unpack_sequence", "invert_permutation",
           "packed_batch_sizes", "check_packed_indices"]


def _padding_number(owner: str, padding_value: Any) -> float:
    """``padding_value`` as a Python number: a real number (inf and NaN too) or a 0-d real
    Tensor (as PyTorch takes); else a named ArgumentTypeError, as PyTorch's TypeError."""
    if isinstance(padding_value, Tensor) and padding_value.ndim == 0 \
            and padding_value.dtype.kind in "iuf":
        padding_value = padding_value.item()
    real_number(owner, "padding_value", padding_value, finite=False,
                advice="It fills the steps after each sequence's end (a number or a 0-d "
                       "Tensor).")
    return padding_value


def _check_padding_fits(owner: str, padding_value: float, dtype: np.dtype) -> None:
    """A DTypeError naming ``owner`` unless ``dtype`` holds ``padding_value`` (NaN in an
    integer dtype, 300 in int8 or -1 in uint8 do not), checked before any padding."""
    try:
        full((), padding_value, dtype=dtype)
    except DTypeError:
        raise DTypeError(f"{owner}: padding_value {padding_value!r} cannot be stored in the "
                         f"sequences' dtype {dtype}; pass a value that fits, or convert the "
                         f"sequences first (e.g. .double())") from None


def _sequence_list(owner: str, sequences: Any) -> list[Tensor]:
    """The sequences as a non-empty list of Tensors: a list or any iterable of tensors (a
    generator too), or a Tensor of at least 2 axes read along its first axis, one
    sequence per row, as PyTorch iterates it; else a named error."""
    given = type(sequences).__name__
    if isinstance(sequences, Tensor):
        if sequences.ndim < 2:
            raise ShapeError(f"{owner}: a Tensor of sequences is read along its first axis, "
                             f"(batch, length, *), so it needs at least 2 axes; got shape "
                             f"{sequences.shape}. Pass a list of (length, *) tensors.")
        sequences = list(sequences.unbind(0))
    elif not isinstance(sequences, (np.ndarray, str)) and isinstance(sequences, Iterable):
        sequences = list(sequences)  # any iterable, as PyTorch (a generator too)
    if not isinstance(sequences, list) or len(sequences) == 0:
        given = f"an empty {given}" if isinstance(sequences, list) else given
        raise ArgumentTypeError(f"{owner}: needs a non-empty list of tensors (or any "
                                f"iterable of them, or a Tensor of them along its first "
                                f"axis), each (length, *); got {given}")
    return [as_tensor(s) for s in sequences]


def pad_sequence(sequences: Iterable[Any] | Tensor, batch_first: bool = False,
                 padding_value: float | Tensor = 0.0, padding_side: str = "right") -> Tensor:
    """The sequences (a list, or any iterable, of tensors each (L_i, *), the same trailing
    shape; or a Tensor (B, L, *), read as its B rows) padded with ``padding_value`` to the
    longest length L and stacked: shape (L, B, *), or (B, L, *) with ``batch_first``.
    ``padding_side="left"`` pads before each sequence instead. Sequences of different
    dtypes give their promoted dtype (``result_type``: int64 and float32 give float64),
    as ``cat``; PyTorch casts them all to the first one's dtype."""
    flag("pad_sequence", "batch_first", batch_first)
    padding_value = _padding_number("pad_sequence", padding_value)
    if padding_side not in ("right", "left"):
        raise ConfigError(f"pad_sequence: padding_side must be 'right' or 'left'; got "
                          f"{padding_side!r}")
    tensors = _sequence_list("pad_sequence", sequences)
    trailing = {t.shape[1:] for t in tensors}
    if any(t.ndim == 0 for t in tensors) or len(trailing) > 1:
        raise ShapeError(f"pad_sequence: every sequence needs at least one axis and the "
                         f"same shape after its first (its length); got shapes "
                         f"{[t.shape for t in tensors]}")
    dtype = result_type(*tensors)
    _check_padding_fits("pad_sequence", padding_value, dtype)
    longest = max(t.shape[0] for t in tensors)
    padded = []
    for t in tensors:
        missing = longest - t.shape[0]
        before, after = (0, missing) if padding_side == "right" else (missing, 0)
        t = t if t.dtype == dtype else t.astype(dtype)
        padded.append(pad(t, [(before, after)] + [(0, 0)] * (t.ndim - 1), padding_value))
    return stack(padded, axis=0 if batch_first else 1)


def unpad_sequence(padded_sequences: Any, lengths: Sequence[int],
                   batch_first: bool = False) -> list[Tensor]:
    """The sequences ``pad_sequence`` padded on the right, cut to their ``lengths``: a
    list of B tensors (L_i, *) from a (L, B, *) tensor ((B, L, *) with ``batch_first``)."""
    flag("unpad_sequence", "batch_first", batch_first)
    x = as_tensor(padded_sequences)
    lengths = [int(n) for n in _integer_lengths("unpad_sequence", lengths).reshape(-1)]
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


class _PackedFields(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(_PackedFields):
    """Sequences of different lengths packed, as PyTorch's (a named tuple): ``data``
    (sum of lengths, *) holds time step 0 of every sequence, then step 1 of those at
    least 2 long, and so on, the sequences ordered longest first; ``batch_sizes`` (an
    int64 Tensor) says how many at each step. ``sorted_indices[j]`` is the batch position
    of the j-th longest sequence and ``unsorted_indices`` its inverse (both None when the
    batch came sorted). Make one with ``pack_padded_sequence`` or ``pack_sequence``."""

    __slots__ = ()

    def __new__(cls, data: Any, batch_sizes: Any, sorted_indices: Any = None,
                unsorted_indices: Any = None) -> PackedSequence:
        if unsorted_indices is None and sorted_indices is not None:
            order = np.asarray(getattr(sorted_indices, "data", sorted_indices))
            unsorted_indices = Tensor(np.argsort(order, kind="stable"))
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    # PyTorch's tensor-like conversions: they convert ``data`` (differentiably) and keep
    # the int64 batch sizes and indices; a conversion that changes nothing returns self.
    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """``packed.to(device)``, ``.to(dtype)``, ``.to(device, dtype)``: ``data.to(...)``
        in a PackedSequence with the same batch sizes and indices."""
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else self._replace(data=data)

    def cpu(self) -> PackedSequence:
        """Self: every tensor is on the CPU here."""
        return self.to("cpu")

    def cuda(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """Raises, as ``Tensor.cuda()`` (there is no GPU here)."""
        return self._replace(data=self.data.cuda(*args, **kwargs))

    def double(self) -> PackedSequence:
        return self.to(dtype=np.float64)

    def float(self) -> PackedSequence:
        return self.to(dtype=np.float32)

    def half(self) -> PackedSequence:
        return self.to(dtype=np.float16)

    def long(self) -> PackedSequence:
        return self.to(dtype=np.int64)

    def int(self) -> PackedSequence:
        return self.to(dtype=np.int32)

    def short(self) -> PackedSequence:
        return self.to(dtype=np.int16)

    def char(self) -> PackedSequence:
        return self.to(dtype=np.int8)

    def byte(self) -> PackedSequence:
        return self.to(dtype=np.uint8)

    def is_pinned(self) -> bool:
        """False, as ``data.is_pinned()``: pinned memory is for copies to a GPU."""
        return self.data.is_pinned()

    def pin_memory(self) -> PackedSequence:
        """Self: there is no GPU to copy to here, so nothing to pin (as DataLoader's
        ``pin_memory=True``, accepted and changing nothing)."""
        return self

    @property
    def is_cuda(self) -> bool:
        """False: the data is on the CPU."""
        return False


def _integer_lengths(owner: str, lengths: Any) -> np.ndarray:
    """``lengths`` (a list or a tensor) as an int64 array, else a named error."""
    values = np.asarray(getattr(lengths, "data", lengths))
    if values.dtype.kind not in "iuf":
        raise ArgumentTypeError(f"{owner}: lengths must be integers (a list or a 1-d "
                                f"tensor); got {values.dtype} values {lengths!r}")
    if values.dtype.kind == "f" and not np.all(values == np.round(values)):
        raise ConfigError(f"{owner}: lengths must be whole numbers; got {values.tolist()}")
    return values.astype(np.int64)


def _checked_lengths(owner: str, lengths: Any, batch: int, longest: int) -> np.ndarray:
    """``lengths`` as a 1-d int64 array of ``batch`` values in [1, longest], else a named
    error (PyTorch packs lengths beyond the input into a broken PackedSequence)."""
    values = _integer_lengths(owner, lengths)
    if values.ndim != 1 or len(values) != batch:
        raise ShapeError(f"{owner}: expected one length per sequence, {batch} (the batch "
                         f"size) in a 1-d list; got lengths of shape {values.shape}")
    if np.any(values <= 0) or np.any(values > longest):
        raise ConfigError(f"{owner}: every length must be in [1, {longest}] (the padded "
                          f"input's length); got {values.tolist()}. Leave empty sequences "
                          f"out of the batch.")
    return values


def pack_padded_sequence(input: Any, lengths: Any, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (L, B, *), or (B, L, *) with ``batch_first``, whose sequence b
    has ``lengths[b]`` steps. With ``enforce_sorted`` (the default) the lengths must be
    non-increasing; ``enforce_sorted=False`` sorts the batch (stably) and records the
    order in ``sorted_indices``. Differentiable: one gather of the input's entries."""
    flag("pack_padded_sequence", "batch_first", batch_first)
    flag("pack_padded_sequence", "enforce_sorted", enforce_sorted)
    x = as_tensor(input)
    if x.ndim < 2:
        raise ShapeError(f"pack_padded_sequence: needs a padded tensor of at least 2 axes "
                         f"(length and batch); got shape {x.shape}")
    if batch_first:
        x = x.swapaxes(0, 1)
    steps, batch = x.shape[0], x.shape[1]
    if batch == 0:
        raise ShapeError(f"pack_padded_sequence: cannot pack an empty batch (input of shape "
                         f"{tuple(as_tensor(input).shape)}, batch_first={batch_first}); give "
                         f"at least one sequence (PyTorch cannot pack one either)")
    lengths = _checked_lengths("pack_padded_sequence", lengths, batch, steps)
    if enforce_sorted:
        if np.any(np.diff(lengths) > 0):
            raise ConfigError(f"pack_padded_sequence: lengths {lengths.tolist()} must be "
                              f"sorted in decreasing order when enforce_sorted=True; pass "
                              f"enforce_sorted=False to have them sorted")
        order, sorted_indices = np.arange(batch), None
    else:
        order = np.argsort(-lengths, kind="stable")
        sorted_indices = Tensor(order)
    sorted_lengths = lengths[order]
    batch_sizes = np.array([np.sum(sorted_lengths > t) for t in range(sorted_lengths[0])])
    # row t * batch + b of x flattened is step t of sequence b
    rows = np.concatenate([t * batch + order[:size] for t, size in enumerate(batch_sizes)])
    data = x.reshape((steps * batch,) + x.shape[2:])[rows]
    return PackedSequence(data, Tensor(batch_sizes), sorted_indices)


def packed_batch_sizes(owner: str, sequence: Any) -> np.ndarray:
    """A PackedSequence's batch_sizes as an array, once its fields are checked to fit
    (positive, non-increasing batch sizes summing to the data's rows; the orders of
    ``check_packed_indices``); a named error naming ``owner`` otherwise."""
    if not isinstance(sequence, PackedSequence):
        raise ArgumentTypeError(f"{owner}: expected a PackedSequence (from "
                                f"pack_padded_sequence or pack_sequence); got "
                                f"{type(sequence).__name__}")
    sizes = np.asarray(getattr(sequence.batch_sizes, "data", sequence.batch_sizes))
    if sizes.dtype.kind not in "iu":
        raise ArgumentTypeError(f"{owner}: a PackedSequence's batch_sizes must be integers; "
                                f"got dtype {sizes.dtype}")
    if sizes.ndim != 1 or len(sizes) == 0:
        raise ShapeError(f"{owner}: the PackedSequence has no time steps (batch_sizes of "
                         f"shape {sizes.shape}, expected 1-d and non-empty); make it with "
                         f"pack_padded_sequence or pack_sequence")
    if sizes[-1] < 1 or np.any(np.diff(sizes) > 0):
        raise ShapeError(f"{owner}: a PackedSequence's batch_sizes must be positive and "
                         f"non-increasing; got {sizes.tolist()}")
    rows = np.shape(getattr(sequence.data, "data", sequence.data))[:1]
    if rows != (sizes.sum(),):
        raise ShapeError(f"{owner}: a PackedSequence's data's first axis must hold the sum of "
                         f"batch_sizes, {sizes.sum()} rows; got {rows[0] if rows else 'none'}")
    check_packed_indices(owner, sequence, int(sizes[0]))
    return sizes


def invert_permutation(permutation: Any) -> Tensor | None:
    """The inverse of an order, PyTorch's ``nn.utils.rnn.invert_permutation``: ``out`` with
    out[permutation[i]] = i (a PackedSequence's unsorted_indices from its sorted_indices),
    of the permutation's integer dtype; None for None. A 1-d integer order of 0..n-1 is
    needed (PyTorch scatters anything and may return garbage)."""
    if permutation is None:
        return None
    order = np.asarray(getattr(permutation, "data", permutation))
    if order.dtype.kind not in "iu":
        raise DTypeError(f"invert_permutation: expected an integer order (indices); got "
                         f"dtype {order.dtype}. Pass e.g. a sorted_indices tensor.")
    if order.ndim != 1 or not np.array_equal(np.sort(order), np.arange(order.size)):
        raise ShapeError(f"invert_permutation: expected a 1-d order of 0..n-1, each once; "
                         f"got {order.tolist()} (shape {order.shape})")
    return Tensor(np.argsort(order).astype(order.dtype))


def check_packed_indices(owner: str, sequence: PackedSequence, batch: int) -> None:
    """A named ShapeError unless the PackedSequence's ``sorted_indices`` and
    ``unsorted_indices`` (each None or given) are orders of its ``batch`` sequences, one
    the inverse of the other: a repeated index would silently copy one sequence's state
    (PyTorch reads out of bounds there)."""
    orders = {}
    for field in ("sorted_indices", "unsorted_indices"):
        value = getattr(sequence, field)
        if value is None:
            continue
        order = np.asarray(getattr(value, "data", value))
        if order.shape != (batch,) or order.dtype.kind not in "iu" or not np.array_equal(
                np.sort(order), np.arange(batch)):
            raise ShapeError(f"{owner}: a PackedSequence's {field} must be an order of the "
                             f"{batch} sequences (each of 0..{batch - 1} once); got "
                             f"{order.tolist()}. Make it with pack_padded_sequence.")
        orders[field] = order
    if len(orders) == 2 and not np.array_equal(
            orders["unsorted_indices"][orders["sorted_indices"]], np.arange(batch)):
        raise ShapeError(f"{owner}: a PackedSequence's unsorted_indices "
                         f"{orders['unsorted_indices'].tolist()} must undo its sorted_indices "
                         f"{orders['sorted_indices'].tolist()}; leave unsorted_indices None "
                         f"to have it computed")


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float | Tensor = 0.0, total_length: int | None = None
                        ) -> tuple[Tensor, Tensor]:
    """Undo ``pack_padded_sequence``: ``(padded, lengths)``, padded of shape (T, B, *)
    ((B, T, *) with ``batch_first``) in the original batch order, filled with
    ``padding_value`` after each sequence; T is the longest length, or ``total_length``
    (at least that; an int or a 0-d integer Tensor); lengths an int64 Tensor.
    Differentiable: one gather of the data."""
    batch_sizes = packed_batch_sizes("pad_packed_sequence", sequence)
    flag("pad_packed_sequence", "batch_first", batch_first)
    padding_value = _padding_number("pad_packed_sequence", padding_value)
    steps = len(batch_sizes)
    if isinstance(total_length, Tensor) and total_length.ndim == 0 \
            and total_length.dtype.kind in "iu":  # a 0-d integer tensor, as PyTorch takes
        total_length = total_length.item()
    if total_length is not None:
        total_length = integer("pad_packed_sequence", "total_length", total_length)
        if total_length < steps:
            raise ConfigError(f"pad_packed_sequence: total_length must be at least the "
                              f"longest sequence's length, {steps}; got {total_length}")
        steps = total_length
    data, batch = as_tensor(sequence.data), int(batch_sizes[0])
    _check_padding_fits("pad_packed_sequence", padding_value, data.dtype)
    # source[t, j]: the row of data holding step t of the j-th longest sequence, or the
    # padding row appended after the data
    source = np.full((steps, batch), data.shape[0])
    starts = np.cumsum(batch_sizes) - batch_sizes
    for t, (start, size) in enumerate(zip(starts, batch_sizes)):
        source[t, :size] = start + np.arange(size)
    lengths = np.sum(source < data.shape[0], axis=0)
    if sequence.unsorted_indices is not None:
        unsorted = np.asarray(getattr(sequence.unsorted_indices, "data",
                                      sequence.unsorted_indices))
        source, lengths = source[:, unsorted], lengths[unsorted]
    padding = full((1,) + data.shape[1:], padding_value, dtype=data.dtype)
    padded = cat([data, padding])[source]
    return (padded.swapaxes(0, 1) if batch_first else padded), Tensor(lengths)


def pack_sequence(sequences: Iterable[Any] | Tensor,
                  enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences (each (L_i, *), the same trailing shape; any iterable, or
    a Tensor read along its first axis, as ``pad_sequence``): as
    ``pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=...)``."""
    tensors = _sequence_list("pack_sequence", sequences)
    lengths = [t.shape[0] if t.ndim else 0 for t in tensors]
    return pack_padded_sequence(pad_sequence(tensors), lengths,
                                enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """Undo ``pack_sequence``: the list of sequences (each (L_i, *)), in batch order."""
    packed_batch_sizes("unpack_sequence", packed_sequences)
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
