"""A hand-made PackedSequence whose sorted_indices are not an order of its batch
(wrong length, a repeated entry) or whose batch_sizes are missing raises a named error
in the recurrent layers and pad_packed_sequence; before, a repeat gave a silent answer
(PyTorch reads out of bounds there) and the others bare IndexError / TypeError."""

import numpy as np
import pytest

import nn
from autograd.errors import AutogradError, ShapeError
from nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

DATA = np.random.default_rng(0).standard_normal((3, 3))


@pytest.mark.parametrize("order", [[2, 1, 0], [0, 0], [1, 2]])
def test_sorted_indices_must_be_an_order_of_the_batch(order):
    torch = pytest.importorskip("torch")
    R = torch.nn.utils.rnn
    if max(order) >= 2:  # torch raises; with a repeat it reads out of bounds instead
        with pytest.raises(RuntimeError):
            R.pad_packed_sequence(R.PackedSequence(torch.tensor(DATA), torch.tensor([2, 1]),
                                                   torch.tensor(order)))
    packed = PackedSequence(DATA, np.array([2, 1]), np.array(order))
    for run in (lambda: nn.GRU(3, 4, rng=0)(packed), lambda: pad_packed_sequence(packed)):
        with pytest.raises(ShapeError, match=r"sorted_indices must be an order of the 2"):
            run()


def test_missing_batch_sizes_raise_a_named_error():
    packed = PackedSequence(DATA, None)
    for run in (lambda: nn.RNN(3, 4, rng=0)(packed), lambda: pad_packed_sequence(packed)):
        with pytest.raises(AutogradError, match="batch_sizes"):
            run()


def test_a_valid_hand_made_order_still_runs_as_packing_gives_it():
    x = np.random.default_rng(1).standard_normal((3, 2, 3))
    packed = pack_padded_sequence(x, [2, 3], enforce_sorted=False)
    again = PackedSequence(packed.data, packed.batch_sizes, list(packed.sorted_indices.data))
    gru = nn.GRU(3, 4, rng=0)
    np.testing.assert_array_equal(gru(again)[1].data, gru(packed)[1].data)
