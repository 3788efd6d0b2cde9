"""nn.utils.rnn.pad_sequence / unpad_sequence as PyTorch's, differentiable."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor
from autograd.errors import ShapeError
from nn.errors import ArgumentTypeError, ConfigError
from nn.utils.rnn import pad_sequence, unpad_sequence

RNG = np.random.default_rng(0)
LENGTHS = (3, 1, 4)


def _sequences(trailing: tuple[int, ...] = (2,)) -> list[np.ndarray]:
    return [RNG.standard_normal((n,) + trailing) for n in LENGTHS]


@pytest.mark.parametrize("kwargs", [{}, {"batch_first": True}, {"padding_value": -1.5},
                                    {"padding_side": "left", "batch_first": True}])
@pytest.mark.parametrize("trailing", [(), (2,), (2, 3)])
def test_pad_sequence_matches_pytorch(kwargs: dict, trailing: tuple[int, ...]) -> None:
    torch = pytest.importorskip("torch")
    arrays = _sequences(trailing)
    mine = pad_sequence([Tensor(a) for a in arrays], **kwargs)
    theirs = torch.nn.utils.rnn.pad_sequence([torch.from_numpy(a) for a in arrays], **kwargs)
    np.testing.assert_array_equal(mine.data, theirs.numpy())


def test_gradients_reach_every_sequence_and_unpad_inverts_pad() -> None:
    torch = pytest.importorskip("torch")
    arrays = _sequences()
    assert ag.gradcheck(lambda *s: pad_sequence(list(s), batch_first=True),
                        [Tensor(a, requires_grad=True) for a in arrays])
    for batch_first in (False, True):
        padded = pad_sequence([Tensor(a) for a in arrays], batch_first=batch_first)
        mine = unpad_sequence(padded, list(LENGTHS), batch_first=batch_first)
        theirs = torch.nn.utils.rnn.unpad_sequence(torch.from_numpy(padded.data),
                                                   torch.tensor(LENGTHS), batch_first)
        for m, t, a in zip(mine, theirs, arrays, strict=True):
            np.testing.assert_array_equal(m.data, t.numpy())
            np.testing.assert_array_equal(m.data, a)


def test_padded_sequences_feed_an_lstm() -> None:
    import nn
    lstm = nn.LSTM(2, 3, batch_first=True, rng=0)
    out, _ = lstm(pad_sequence([Tensor(a) for a in _sequences()], batch_first=True))
    assert out.shape == (3, 4, 3)


@pytest.mark.parametrize("call, error, match", [
    (lambda: pad_sequence([]), ArgumentTypeError, "non-empty list"),
    (lambda: pad_sequence(np.ones((2, 3))), ArgumentTypeError, "list of tensors"),
    (lambda: pad_sequence([np.ones((2, 3)), np.ones((2, 4))]), ShapeError, "same shape"),
    (lambda: pad_sequence([np.ones(2), np.float64(1.0)]), ShapeError, "at least one axis"),
    (lambda: pad_sequence([np.ones(2)], padding_side="middle"), ConfigError, "'right' or"),
    (lambda: unpad_sequence(np.ones((4, 2)), [4, 5]), ShapeError, "2 lengths"),
    (lambda: unpad_sequence(np.ones((4, 2)), [4]), ShapeError, "batch 2"),
    (lambda: unpad_sequence(np.ones(4), [4]), ShapeError, "at least 2 axes"),
    (lambda: unpad_sequence(np.ones((4, 2)), [2.5, 1]), ConfigError, "whole numbers"),
    (lambda: unpad_sequence(np.ones((4, 2)), ["a", "b"]), ArgumentTypeError, "integers"),
])
def test_bad_input_is_a_named_error(call, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call()
