"""d2l.ai's "Attention Mechanisms" chapter, ported as in ``test_pytorch_ports_d2l_rnn.py``
(written once for a library ``T``, float64 PyTorch next to this library from the same
weights and draws): Nadaraya-Watson kernel regression without parameters
(``repeat_interleave``, the softmax of ``-(x - y)**2 / 2``) and with one
(``nn.Parameter(torch.rand((1,)))``, ``torch.bmm``, trained with SGD on ``MSELoss
(reduction='none')``), ``masked_softmax`` (``X.reshape(-1, shape[-1])`` masked with -1e6 by
``sequence_mask``), ``AdditiveAttention``, ``DotProductAttention`` and Bahdanau's
``Seq2SeqAttentionDecoder``, trained with ``train_seq2seq`` and asked for translations
with their attention weights. Multi-head attention and the transformer:
``test_pytorch_ports_d2l_attention_transformer.py``.

Written differently: ``torch.sort(x)`` names its ``dim=-1`` (here ``sort(x)`` alone is
refused with a ``UsageError``: NumPy's gives the values, PyTorch's the pair); the
decoder's dropout is 0 (d2l: 0.1; the libraries draw different masks) and training runs 3
epochs (d2l: 250).
"""

import math

import pytest

from d2l_helpers import (Printed, assert_records, libraries, load_data_nmt, sequence_mask,
                         weight_sync)
from test_pytorch_ports_d2l_rnn_seq2seq import (predict_seq2seq, seq2seq_classes,
                                                train_seq2seq)

pytestmark = pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad")


# ------------------------------------------------------------------ Nadaraya-Watson
def _nadaraya_watson(T, lib, optim, record) -> None:
    T.manual_seed(0)
    n_train = 50  # No. of training examples
    # d2l: torch.sort(...) without dim, which here reads two ways (see the top)
    x_train, _ = T.sort(T.rand(n_train) * 5, dim=-1)   # Training inputs

    def f(x):
        return 2 * T.sin(x) + x**0.8

    y_train = f(x_train) + T.normal(0.0, 0.5, (n_train,))  # Training outputs
    x_test = T.arange(0, 5, 0.1)  # Testing examples
    y_truth = f(x_test)  # Ground-truth outputs for the testing examples
    n_test = len(x_test)  # No. of testing examples
    record += [n_test, y_truth]
    # average pooling
    y_hat = T.repeat_interleave(y_train.mean(), n_test)
    record.append(y_hat)
    # Nonparametric attention pooling
    # Shape of `X_repeat`: (`n_test`, `n_train`), where each row contains the
    # same testing inputs (i.e., same queries)
    X_repeat = x_test.repeat_interleave(n_train).reshape((-1, n_train))
    # Note that `x_train` contains the keys. Shape of `attention_weights`:
    # (`n_test`, `n_train`), where each row contains attention weights to be
    # assigned among the values (`y_train`) given each query
    attention_weights = lib.functional.softmax(-(X_repeat - x_train)**2 / 2, dim=1)
    # Each element of `y_hat` is weighted average of values, where weights are
    # attention weights
    y_hat = T.matmul(attention_weights, y_train)
    record += [attention_weights, y_hat]
    # Batch matrix multiplication
    X = T.ones((2, 1, 4))
    Y = T.ones((2, 4, 6))
    record.append(T.bmm(X, Y).shape)
    weights = T.ones((2, 10)) * 0.1
    values = T.arange(20.0).reshape((2, 10))
    record.append(T.bmm(weights.unsqueeze(1), values.unsqueeze(-1)))

    class NWKernelRegression(lib.Module):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.w = lib.Parameter(T.rand((1,), requires_grad=True))

        def forward(self, queries, keys, values):
            # Shape of the output `queries` and `attention_weights`:
            # (no. of queries, no. of key-value pairs)
            queries = queries.repeat_interleave(keys.shape[1]).reshape((-1, keys.shape[1]))
            self.attention_weights = lib.functional.softmax(
                -((queries - keys) * self.w)**2 / 2, dim=1)
            # Shape of `values`: (no. of queries, no. of key-value pairs)
            return T.bmm(self.attention_weights.unsqueeze(1),
                         values.unsqueeze(-1)).reshape(-1)

    # Shape of `X_tile`: (`n_train`, `n_train`), where each column contains the
    # same training inputs
    X_tile = x_train.repeat((n_train, 1))
    # Shape of `Y_tile`: (`n_train`, `n_train`), where each column contains the
    # same training outputs
    Y_tile = y_train.repeat((n_train, 1))
    # Shape of `keys`: ('n_train', 'n_train' - 1)
    keys = X_tile[(1 - T.eye(n_train)).type(T.bool)].reshape((n_train, -1))
    # Shape of `values`: ('n_train', 'n_train' - 1)
    values = Y_tile[(1 - T.eye(n_train)).type(T.bool)].reshape((n_train, -1))
    net = NWKernelRegression()
    loss = lib.MSELoss(reduction='none')
    trainer = optim.SGD(net.parameters(), lr=0.5)
    for epoch in range(5):
        trainer.zero_grad()
        l = loss(net(x_train, keys, values), y_train)  # noqa: E741 (d2l's name)
        l.sum().backward()
        trainer.step()
        record += [float(l.sum()), net.w.grad, net.w]
    # Shape of `keys`: (`n_test`, `n_train`), where each column contains the same
    # training inputs (i.e., same keys)
    keys = x_train.repeat((n_test, 1))
    # Shape of `value`: (`n_test`, `n_train`)
    values = y_train.repeat((n_test, 1))
    y_hat = net(x_test, keys, values).unsqueeze(1).detach()
    record += [y_hat, net.attention_weights]


def test_nadaraya_watson(torch):
    got, want = Printed(), Printed()
    _nadaraya_watson(*libraries(torch)[:2], libraries(torch)[3], want)
    _nadaraya_watson(*libraries()[:2], libraries()[3], got)
    assert_records(got, want)
    assert tuple(got[5]) == (2, 1, 6) and got[6].ravel() == pytest.approx([4.5, 14.5])
    assert got[-5] < got[7]  # the loss fell


# ------------------------------------------------------------------ scoring functions
def masked_softmax(T, lib, X, valid_lens):
    """Perform softmax operation by masking elements on the last axis."""
    # `X`: 3D tensor, `valid_lens`: 1D or 2D tensor
    if valid_lens is None:
        return lib.functional.softmax(X, dim=-1)
    else:
        shape = X.shape
        if valid_lens.dim() == 1:
            valid_lens = T.repeat_interleave(valid_lens, shape[1])
        else:
            valid_lens = valid_lens.reshape(-1)
        # On the last axis, replace masked elements with a very large negative
        # value, whose exponentiation outputs 0
        X = sequence_mask(T, X.reshape(-1, shape[-1]), valid_lens, value=-1e6)
        return lib.functional.softmax(X.reshape(shape), dim=-1)


def attention_classes(T, lib) -> dict:
    class AdditiveAttention(lib.Module):
        def __init__(self, key_size, query_size, num_hiddens, dropout, **kwargs):
            super(AdditiveAttention, self).__init__(**kwargs)
            self.W_k = lib.Linear(key_size, num_hiddens, bias=False)
            self.W_q = lib.Linear(query_size, num_hiddens, bias=False)
            self.w_v = lib.Linear(num_hiddens, 1, bias=False)
            self.dropout = lib.Dropout(dropout)

        def forward(self, queries, keys, values, valid_lens):
            queries, keys = self.W_q(queries), self.W_k(keys)
            # After dimension expansion, shape of `queries`: (`batch_size`, no. of
            # queries, 1, `num_hiddens`) and shape of `keys`: (`batch_size`, 1,
            # no. of key-value pairs, `num_hiddens`). Sum them up with
            # broadcasting
            features = queries.unsqueeze(2) + keys.unsqueeze(1)
            features = T.tanh(features)
            # There is only one output of `self.w_v`, so we remove the last
            # one-dimensional entry from the shape. Shape of `scores`:
            # (`batch_size`, no. of queries, no. of key-value pairs)
            scores = self.w_v(features).squeeze(-1)
            self.attention_weights = masked_softmax(T, lib, scores, valid_lens)
            # Shape of `values`: (`batch_size`, no. of key-value pairs, value
            # dimension)
            return T.bmm(self.dropout(self.attention_weights), values)

    class DotProductAttention(lib.Module):
        """Scaled dot product attention."""

        def __init__(self, dropout, **kwargs):
            super(DotProductAttention, self).__init__(**kwargs)
            self.dropout = lib.Dropout(dropout)

        # Shape of `queries`: (`batch_size`, no. of queries, `d`)
        # Shape of `keys`: (`batch_size`, no. of key-value pairs, `d`)
        # Shape of `values`: (`batch_size`, no. of key-value pairs, value
        # dimension)
        # Shape of `valid_lens`: (`batch_size`,) or (`batch_size`, no. of queries)
        def forward(self, queries, keys, values, valid_lens=None):
            d = queries.shape[-1]
            # Set `transpose_b=True` to swap the last two dimensions of `keys`
            scores = T.bmm(queries, keys.transpose(1, 2)) / math.sqrt(d)
            self.attention_weights = masked_softmax(T, lib, scores, valid_lens)
            return T.bmm(self.dropout(self.attention_weights), values)

    return {"AdditiveAttention": AdditiveAttention,
            "DotProductAttention": DotProductAttention}


def _scoring(T, lib, sync, record) -> None:
    T.manual_seed(0)
    record.append(masked_softmax(T, lib, T.rand(2, 2, 4), T.tensor([2, 3])))
    record.append(masked_softmax(T, lib, T.rand(2, 2, 4), T.tensor([[1, 3], [2, 4]])))
    c = attention_classes(T, lib)
    queries, keys = T.normal(0, 1, (2, 1, 20)), T.ones((2, 10, 2))
    # The two value matrices in the `values` minibatch are identical
    values = T.arange(40, dtype=T.float64).reshape(1, 10, 4).repeat(2, 1, 1)
    valid_lens = T.tensor([2, 6])
    attention = c["AdditiveAttention"](key_size=2, query_size=20, num_hiddens=8,
                                       dropout=0.1)
    sync(attention)
    attention.eval()
    record += [attention(queries, keys, values, valid_lens), attention.attention_weights]
    queries = T.normal(0, 1, (2, 1, 2))
    attention = c["DotProductAttention"](dropout=0.5)
    attention.eval()
    record += [attention(queries, keys, values, valid_lens), attention.attention_weights]


def test_scoring_functions(torch):
    ours, theirs = weight_sync()
    got, want = Printed(), Printed()
    _scoring(*libraries(torch)[:2], theirs, want)
    _scoring(*libraries()[:2], ours, got)
    assert_records(got, want)
    assert (got[0][0, :, 2:] == 0).all() and (got[1][1, 1, :] > 0).all()
    assert got[2].shape == (2, 1, 4) and (got[3][0, 0, 2:] == 0).all()


# ------------------------------------------------------------------ Bahdanau attention
def bahdanau_decoder_class(T, lib):
    Decoder = seq2seq_classes(T, lib)["Decoder"]
    AdditiveAttention = attention_classes(T, lib)["AdditiveAttention"]

    class AttentionDecoder(Decoder):
        """The base attention-based decoder interface."""

        def __init__(self, **kwargs):
            super(AttentionDecoder, self).__init__(**kwargs)

        @property
        def attention_weights(self):
            raise NotImplementedError

    class Seq2SeqAttentionDecoder(AttentionDecoder):
        def __init__(self, vocab_size, embed_size, num_hiddens, num_layers,
                     dropout=0, **kwargs):
            super(Seq2SeqAttentionDecoder, self).__init__(**kwargs)
            self.attention = AdditiveAttention(
                num_hiddens, num_hiddens, num_hiddens, dropout)
            self.embedding = lib.Embedding(vocab_size, embed_size)
            self.rnn = lib.GRU(
                embed_size + num_hiddens, num_hiddens, num_layers,
                dropout=dropout)
            self.dense = lib.Linear(num_hiddens, vocab_size)

        def init_state(self, enc_outputs, enc_valid_lens, *args):
            # Shape of `outputs`: (`num_steps`, `batch_size`, `num_hiddens`).
            # Shape of `hidden_state[0]`: (`num_layers`, `batch_size`,
            # `num_hiddens`)
            outputs, hidden_state = enc_outputs
            return (outputs.permute(1, 0, 2), hidden_state, enc_valid_lens)

        def forward(self, X, state):
            # Shape of `enc_outputs`: (`batch_size`, `num_steps`, `num_hiddens`).
            # Shape of `hidden_state[0]`: (`num_layers`, `batch_size`,
            # `num_hiddens`)
            enc_outputs, hidden_state, enc_valid_lens = state
            # Shape of the output `X`: (`num_steps`, `batch_size`, `embed_size`)
            X = self.embedding(X).permute(1, 0, 2)
            outputs, self._attention_weights = [], []
            for x in X:
                # Shape of `query`: (`batch_size`, 1, `num_hiddens`)
                query = T.unsqueeze(hidden_state[-1], dim=1)
                # Shape of `context`: (`batch_size`, 1, `num_hiddens`)
                context = self.attention(
                    query, enc_outputs, enc_outputs, enc_valid_lens)
                # Concatenate on the feature dimension
                x = T.cat((context, T.unsqueeze(x, dim=1)), dim=-1)
                # Reshape `x` as (1, `batch_size`, `embed_size` + `num_hiddens`)
                out, hidden_state = self.rnn(x.permute(1, 0, 2), hidden_state)
                outputs.append(out)
                self._attention_weights.append(self.attention.attention_weights)
            # After fully-connected layer transformation, shape of `outputs`:
            # (`num_steps`, `batch_size`, `vocab_size`)
            outputs = self.dense(T.cat(outputs, dim=0))
            return outputs.permute(1, 0, 2), [enc_outputs, hidden_state,
                                              enc_valid_lens]

        @property
        def attention_weights(self):
            return self._attention_weights

    return Seq2SeqAttentionDecoder


def _bahdanau(T, lib, optim, data, sync, record) -> None:
    c = seq2seq_classes(T, lib)
    Seq2SeqAttentionDecoder = bahdanau_decoder_class(T, lib)
    encoder = c["Seq2SeqEncoder"](vocab_size=10, embed_size=8, num_hiddens=16, num_layers=2)
    encoder.eval()
    decoder = Seq2SeqAttentionDecoder(vocab_size=10, embed_size=8, num_hiddens=16,
                                      num_layers=2)
    decoder.eval()
    sync(encoder)
    sync(decoder)
    X = T.zeros((4, 7), dtype=T.long)  # (`batch_size`, `num_steps`)
    state = decoder.init_state(encoder(X), None)
    output, state = decoder(X, state)
    record += [output, len(state), state[0], len(state[1]), state[1][0]]

    embed_size, num_hiddens, num_layers, dropout = 8, 16, 2, 0  # d2l: 32, 32, 2, 0.1
    batch_size, num_steps = 8, 8
    lr, num_epochs, device = 0.005, 3, "cpu"
    train_iter, src_vocab, tgt_vocab = load_data_nmt(T, data, batch_size, num_steps)
    encoder = c["Seq2SeqEncoder"](len(src_vocab), embed_size, num_hiddens, num_layers,
                                  dropout)
    decoder = Seq2SeqAttentionDecoder(len(tgt_vocab), embed_size, num_hiddens, num_layers,
                                      dropout)
    net = c["EncoderDecoder"](encoder, decoder)
    train_seq2seq(T, lib, optim, net, train_iter, lr, num_epochs, tgt_vocab, device, sync,
                  record)
    for eng in ['go .', 'he see the cat !']:
        translation, dec_attention_weight_seq = predict_seq2seq(
            T, net, eng, src_vocab, tgt_vocab, num_steps, device, True)
        record.append(translation)
        attention_weights = T.cat([step[0][0][0] for step in dec_attention_weight_seq], 0)
        record.append(attention_weights.reshape((1, 1, -1, num_steps)))


def test_bahdanau_attention(torch):
    ours, theirs = weight_sync()
    got, want = Printed(), Printed()
    _bahdanau(*libraries(torch)[:2], *libraries(torch)[3:], theirs, want)
    _bahdanau(*libraries()[:2], *libraries()[3:], ours, got)
    assert_records(got, want)
    assert got[0].shape == (4, 7, 10) and got[1] == 3 and got[2].shape == (4, 7, 16)
    assert got[3] == 2 and got[4].shape == (4, 16)
