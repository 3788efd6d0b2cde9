"""nn.utils.rnn's packed sequences as PyTorch's: PackedSequence, pack_padded_sequence,
pad_packed_sequence, pack_sequence, unpack_sequence; values, indices and gradients."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor
from autograd.errors import ShapeError
from nn.errors import ArgumentTypeError, ConfigError
from nn.utils.rnn import (PackedSequence, pack_padded_sequence, pack_sequence,
                          pad_packed_sequence, unpack_sequence)

RNG = np.random.default_rng(0)
SORTED, UNSORTED = [4, 2, 2, 1], [2, 4, 1, 3]


def _numpy(value):
    return None if value is None else np.asarray(getattr(value, "data", value))


def _assert_packed_equal(mine: PackedSequence, theirs) -> None:
    np.testing.assert_array_equal(mine.data.data, theirs.data.detach().numpy())
    for field in ("batch_sizes", "sorted_indices", "unsorted_indices"):
        ours, torchs = _numpy(getattr(mine, field)), getattr(theirs, field)
        if torchs is None:
            assert ours is None, field
        else:
            assert ours.dtype == np.int64, field
            np.testing.assert_array_equal(ours, torchs.numpy(), err_msg=field)


@pytest.mark.parametrize("lengths, enforce_sorted", [(SORTED, True), (SORTED, False),
                                                     (UNSORTED, False)])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("trailing", [(), (3,)])
def test_pack_and_pad_match_torch(lengths, enforce_sorted, batch_first, trailing) -> None:
    torch = pytest.importorskip("torch")
    R = torch.nn.utils.rnn
    shape = ((4, 5) if batch_first else (5, 4)) + trailing  # padded a step longer
    x = RNG.standard_normal(shape)
    mine = pack_padded_sequence(Tensor(x), lengths, batch_first, enforce_sorted)
    theirs = R.pack_padded_sequence(torch.tensor(x), torch.tensor(lengths), batch_first,
                                    enforce_sorted)
    _assert_packed_equal(mine, theirs)
    for kwargs in ({}, {"padding_value": -2.5, "total_length": 6}):
        padded, lens = pad_packed_sequence(mine, batch_first, **kwargs)
        padded_t, lens_t = R.pad_packed_sequence(theirs, batch_first, **kwargs)
        np.testing.assert_array_equal(padded.data, padded_t.numpy())
        assert lens.dtype == np.int64
        np.testing.assert_array_equal(lens.data, lens_t.numpy())


@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_gradients_through_pack_and_unpack_match_torch(enforce_sorted: bool) -> None:
    torch = pytest.importorskip("torch")
    R = torch.nn.utils.rnn
    lengths = SORTED if enforce_sorted else UNSORTED
    x = RNG.standard_normal((4, 4, 3))
    x_o, x_t = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    packed_o = pack_padded_sequence(x_o, lengths, True, enforce_sorted)
    packed_t = R.pack_padded_sequence(x_t, lengths, True, enforce_sorted)
    weights = RNG.standard_normal(packed_o.data.shape)
    # square the packed data so that the two paths give different gradients per entry
    squared_o = packed_o._replace(data=packed_o.data ** 2)
    squared_t = R.PackedSequence(packed_t.data ** 2, packed_t.batch_sizes,
                                 packed_t.sorted_indices, packed_t.unsorted_indices)
    padded_o, _ = pad_packed_sequence(squared_o, padding_value=1.0, total_length=5)
    padded_t, _ = R.pad_packed_sequence(squared_t, padding_value=1.0, total_length=5)
    upstream = RNG.standard_normal(padded_o.shape)
    ((packed_o.data * Tensor(weights)).sum() + (padded_o * Tensor(upstream)).sum()).backward()
    ((packed_t.data * torch.tensor(weights)).sum()
     + (padded_t * torch.tensor(upstream)).sum()).backward()
    np.testing.assert_allclose(x_o.grad, x_t.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_pack_sequence_and_unpack_match_torch() -> None:
    torch = pytest.importorskip("torch")
    R = torch.nn.utils.rnn
    arrays = [RNG.standard_normal((n, 2)) for n in UNSORTED]
    mine = pack_sequence([Tensor(a) for a in arrays], enforce_sorted=False)
    theirs = R.pack_sequence([torch.tensor(a) for a in arrays], enforce_sorted=False)
    _assert_packed_equal(mine, theirs)
    for m, a in zip(unpack_sequence(mine), arrays, strict=True):
        np.testing.assert_array_equal(m.data, a)
    ones = pack_sequence([np.ones(3), np.ones(1)])
    _assert_packed_equal(ones, R.pack_sequence([torch.ones(3, dtype=torch.float64),
                                                torch.ones(1, dtype=torch.float64)]))


def test_packed_sequence_is_torchs_named_tuple() -> None:
    assert PackedSequence._fields == ("data", "batch_sizes", "sorted_indices",
                                      "unsorted_indices")
    packed = PackedSequence(Tensor(np.zeros(3)), Tensor(np.array([2, 1])),
                            Tensor(np.array([2, 0, 1])))
    assert isinstance(packed, tuple)
    np.testing.assert_array_equal(packed.unsorted_indices.data, [1, 2, 0])
    data, batch_sizes, sorted_indices, unsorted_indices = packed
    assert unsorted_indices is packed.unsorted_indices


def test_ties_keep_batch_order_and_lengths_may_be_a_tensor() -> None:
    packed = pack_padded_sequence(np.zeros((3, 6)), Tensor(np.array([1, 2, 2, 3, 1, 3])),
                                  enforce_sorted=False)
    np.testing.assert_array_equal(packed.sorted_indices.data, [3, 5, 1, 2, 0, 4])
    np.testing.assert_array_equal(packed.batch_sizes.data, [6, 4, 2])


@pytest.mark.parametrize("call, error, match", [
    (lambda: pack_padded_sequence(np.ones((4, 3)), [4, 0, 1]), ConfigError, r"\[1, 4\]"),
    (lambda: pack_padded_sequence(np.ones((4, 3)), [5, 2, 1]), ConfigError, r"\[1, 4\]"),
    (lambda: pack_padded_sequence(np.ones((4, 3)), [2, -1, 1], enforce_sorted=False),
     ConfigError, "every length"),
    (lambda: pack_padded_sequence(np.ones((4, 3)), [2, 4, 1]), ConfigError,
     "decreasing order.*enforce_sorted=False"),
    (lambda: pack_padded_sequence(np.ones((4, 3)), [4, 2]), ShapeError, "3 .the batch"),
    (lambda: pack_padded_sequence(np.ones((4, 3)), [[4, 2, 1]]), ShapeError, "1-d"),
    (lambda: pack_padded_sequence(np.ones((4, 3)), [4.5, 2, 1]), ConfigError, "whole"),
    (lambda: pack_padded_sequence(np.ones((4, 3)), ["a", "b", "c"]), ArgumentTypeError,
     "integers"),
    (lambda: pack_padded_sequence(np.ones(4), [4]), ShapeError, "at least 2 axes"),
    (lambda: pack_padded_sequence(np.ones((4, 3)), [4, 2, 1], batch_first=1),
     ArgumentTypeError, "batch_first"),
    (lambda: pad_packed_sequence(np.ones((4, 3))), ArgumentTypeError, "PackedSequence"),
    (lambda: pad_packed_sequence(pack_sequence([np.ones(3)]), total_length=2), ConfigError,
     "at least .* 3; got 2"),
    (lambda: pack_sequence([]), ArgumentTypeError, "non-empty list"),
    (lambda: pack_padded_sequence(np.ones((4, 0, 3)), []), ShapeError, "empty batch"),
    (lambda: pack_padded_sequence(np.ones((0, 4, 3)), [], batch_first=True,
                                  enforce_sorted=False), ShapeError, "empty batch"),
    (lambda: pad_packed_sequence(PackedSequence(np.ones((0, 2)), np.zeros(0, np.int64))),
     ShapeError, "no time steps"),
    (lambda: pad_packed_sequence(PackedSequence(np.ones((3, 2)), [2, 2])), ShapeError,
     r"data's first axis .* 4 .* got 3"),
    (lambda: unpack_sequence(PackedSequence(np.ones((5, 2)), [2, 3])), ShapeError,
     "non-increasing"),
    (lambda: pad_packed_sequence(PackedSequence(np.ones((3, 2)), [2.0, 1.0])),
     ArgumentTypeError, "integers"),
    (lambda: pack_sequence([np.ones((0, 2))]), ConfigError, "every length"),
    (lambda: pack_sequence([np.ones(1), np.ones(3)]), ConfigError, "decreasing"),
    (lambda: unpack_sequence([np.ones(3)]), ArgumentTypeError, "PackedSequence"),
])
def test_bad_input_is_a_named_error(call, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call()
