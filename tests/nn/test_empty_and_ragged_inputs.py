"""Attention over an empty sequence gives an empty result, as PyTorch's; ragged nested
lists given to a layer are a named ``DataError``, not NumPy's error from inside.

Both raised a bare NumPy ``ValueError`` before: the fused attention's softmax took a
maximum over zero keys, and a layer's dtype check read a ragged list with
``np.asarray`` before the layer's own conversion could name the problem."""

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd.errors import DataError


@pytest.mark.parametrize("shape", [(0, 8), (3, 0, 8), (0, 2, 8)],
                         ids=["unbatched-empty", "empty-batch", "empty-sequence"])
def test_transformer_layer_on_empty_input_as_pytorch(shape, torch):
    ours = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, rng=np.random.default_rng(0))
    theirs = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0)  # empty: weights unused
    x = ag.Tensor(np.zeros(shape), requires_grad=True)
    y = ours(x)
    assert y.shape == tuple(theirs(torch.zeros(shape)).shape) == shape
    y.sum().backward()
    assert x.grad.shape == shape


def test_multihead_attention_over_zero_positions(torch):
    mha = nn.MultiheadAttention(4, 2, rng=np.random.default_rng(0))
    q = ag.Tensor(np.zeros((0, 4)), requires_grad=True)
    out, weights = mha(q, q, q)
    tout, tweights = torch.nn.MultiheadAttention(4, 2)(*(torch.zeros(0, 4),) * 3)
    assert out.shape == tuple(tout.shape) and weights.shape == tuple(tweights.shape)
    out.sum().backward()
    assert q.grad.shape == (0, 4)


def test_attention_with_queries_but_no_keys_is_zero(torch):
    q, k = np.ones((1, 2, 4)), np.zeros((1, 0, 4))
    ours = F.scaled_dot_product_attention(ag.Tensor(q), ag.Tensor(k), ag.Tensor(k))
    theirs = torch.nn.functional.scaled_dot_product_attention(
        torch.tensor(q), torch.tensor(k), torch.tensor(k))
    np.testing.assert_array_equal(ours.data, theirs.numpy())


RAGGED = [[1.0, 2.0, 3.0, 4.0], [1.0, 2.0]]


@pytest.mark.parametrize("layer", [
    lambda: nn.Linear(4, 3), lambda: nn.Conv1d(1, 2, 3), lambda: nn.LSTM(4, 3),
    lambda: nn.Sequential(nn.Linear(4, 3), nn.ReLU()), lambda: nn.Embedding(5, 3),
], ids=["Linear", "Conv1d", "LSTM", "Sequential", "Embedding"])
def test_a_ragged_list_is_a_data_error(layer):
    data = [[1, 2], [3]] if isinstance(layer(), nn.Embedding) else RAGGED
    with pytest.raises(DataError, match="ragged"):
        layer()(data)
