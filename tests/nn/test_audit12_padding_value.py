"""pad_sequence and pad_packed_sequence take padding_value as a real number: None (which
silently padded with NaN), a string or a list raise a named ArgumentTypeError, as
PyTorch raises a TypeError; inf and NaN still pad, as PyTorch's."""

import numpy as np
import pytest

from nn.errors import ArgumentTypeError
from nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

X = np.random.default_rng(0).standard_normal((3, 2, 2))


def _ours(function, value):
    if function == "pad_sequence":
        return pad_sequence([X[:, 0], X[:1, 1]], padding_value=value)
    return pad_packed_sequence(pack_padded_sequence(X, [3, 1]), padding_value=value)[0]


def _theirs(torch, function, value):
    R = torch.nn.utils.rnn
    if function == "pad_sequence":
        return R.pad_sequence([torch.tensor(X[:, 0]), torch.tensor(X[:1, 1])],
                              padding_value=value)
    return R.pad_packed_sequence(R.pack_padded_sequence(torch.tensor(X), [3, 1]),
                                 padding_value=value)[0]


@pytest.mark.parametrize("function", ["pad_sequence", "pad_packed_sequence"])
@pytest.mark.parametrize("value", [None, "0", [1.0]])
def test_a_padding_value_that_is_not_a_number_raises_as_torch_does(function, value):
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError):
        _theirs(torch, function, value)
    with pytest.raises(ArgumentTypeError, match=f"{function}: padding_value must be"):
        _ours(function, value)


@pytest.mark.parametrize("function", ["pad_sequence", "pad_packed_sequence"])
@pytest.mark.parametrize("value", [np.float32(-2.5), 3, float("inf"), float("nan")])
def test_numbers_pad_as_torch_pads(function, value):
    torch = pytest.importorskip("torch")
    np.testing.assert_array_equal(_ours(function, value).data,
                                  _theirs(torch, function, value).numpy())
