"""d2l.ai's multi-head attention, self-attention and positional encoding, and transformer
sections, ported as in ``test_pytorch_ports_d2l_attention.py`` (float64 PyTorch next to
this library, the same weights): ``MultiHeadAttention`` with ``transpose_qkv`` /
``transpose_output`` (``reshape``/``permute``) and ``torch.repeat_interleave`` of the
valid lengths, ``PositionalEncoding`` (its ``P`` computed with ``torch.arange(...,
dtype=torch.float32)`` and ``torch.pow(10000, ...)``, written into ``P[:, :, 0::2]``),
``PositionWiseFFN``, ``AddNorm``, ``EncoderBlock`` / ``TransformerEncoder`` (blocks
added to an ``nn.Sequential()`` with ``add_module``), ``DecoderBlock`` /
``TransformerDecoder`` (the key-value cache in ``state[2]``, the causal valid lengths
``torch.arange(1, num_steps + 1).repeat(batch_size, 1)``), and a few epochs of the
transformer encoder-decoder with ``train_seq2seq`` and ``predict_seq2seq``.

Written differently: the LayerNorm/BatchNorm comparison's ``X`` is float64 (d2l: float32;
PyTorch refuses float32 input to float64 parameters); dropout 0 in training (d2l: 0.1;
the libraries draw different masks), sizes shrunk (d2l: 32 hidden units, 64-wide FFN,
200 epochs), random inputs where d2l's ``torch.ones`` would make every position alike.
"""

import math

import pytest

import autograd as ag
from d2l_helpers import Printed, assert_records, libraries, load_data_nmt, weight_sync
from test_pytorch_ports_d2l_attention import attention_classes
from test_pytorch_ports_d2l_rnn_seq2seq import (predict_seq2seq, seq2seq_classes,
                                                train_seq2seq)

pytestmark = pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad")

# d2l computes the positional encoding P in float32: NumPy's float32 sin and cos and
# PyTorch's differ in the last bit for some of P's entries (their arguments agree bit for
# bit). P is compared to that precision; the models then take PyTorch's P (``same_P``),
# as they take its weights, so the rest agrees to float64's precision
FLOAT32_SIN = 1e-6


def encoding_sync() -> tuple:
    """(ours, theirs): ``theirs(pos_encoding)`` keeps PyTorch's P, ``ours`` gives it to
    this library's (d2l's P is a plain attribute, outside the state dict)."""
    kept = []

    def theirs(pos_encoding):
        kept.append(pos_encoding.P.numpy().copy())

    def ours(pos_encoding):
        pos_encoding.P = ag.tensor(kept.pop(0))

    return ours, theirs


def transpose_qkv(X, num_heads):
    """Transposition for parallel computation of multiple attention heads."""
    # Shape of input `X`: (`batch_size`, no. of queries or key-value pairs,
    # `num_hiddens`). Shape of output `X`: (`batch_size`, no. of queries or
    # key-value pairs, `num_heads`, `num_hiddens` / `num_heads`)
    X = X.reshape(X.shape[0], X.shape[1], num_heads, -1)
    # Shape of output `X`: (`batch_size`, `num_heads`, no. of queries or key-value
    # pairs, `num_hiddens` / `num_heads`)
    X = X.permute(0, 2, 1, 3)
    # Shape of `output`: (`batch_size` * `num_heads`, no. of queries or key-value
    # pairs, `num_hiddens` / `num_heads`)
    return X.reshape(-1, X.shape[2], X.shape[3])


def transpose_output(X, num_heads):
    """Reverse the operation of `transpose_qkv`."""
    X = X.reshape(-1, num_heads, X.shape[1], X.shape[2])
    X = X.permute(0, 2, 1, 3)
    return X.reshape(X.shape[0], X.shape[1], -1)


def transformer_classes(T, lib) -> dict:
    DotProductAttention = attention_classes(T, lib)["DotProductAttention"]
    c = seq2seq_classes(T, lib)

    class MultiHeadAttention(lib.Module):
        """Multi-head attention."""

        def __init__(self, key_size, query_size, value_size, num_hiddens,
                     num_heads, dropout, bias=False, **kwargs):
            super(MultiHeadAttention, self).__init__(**kwargs)
            self.num_heads = num_heads
            self.attention = DotProductAttention(dropout)
            self.W_q = lib.Linear(query_size, num_hiddens, bias=bias)
            self.W_k = lib.Linear(key_size, num_hiddens, bias=bias)
            self.W_v = lib.Linear(value_size, num_hiddens, bias=bias)
            self.W_o = lib.Linear(num_hiddens, num_hiddens, bias=bias)

        def forward(self, queries, keys, values, valid_lens):
            queries = transpose_qkv(self.W_q(queries), self.num_heads)
            keys = transpose_qkv(self.W_k(keys), self.num_heads)
            values = transpose_qkv(self.W_v(values), self.num_heads)
            if valid_lens is not None:
                # On axis 0, copy the first item (scalar or vector) for
                # `num_heads` times, then copy the next item, and so on
                valid_lens = T.repeat_interleave(
                    valid_lens, repeats=self.num_heads, dim=0)
            # Shape of `output`: (`batch_size` * `num_heads`, no. of queries,
            # `num_hiddens` / `num_heads`)
            output = self.attention(queries, keys, values, valid_lens)
            # Shape of `output_concat`: (`batch_size`, no. of queries, `num_hiddens`)
            output_concat = transpose_output(output, self.num_heads)
            return self.W_o(output_concat)

    class PositionalEncoding(lib.Module):
        """Positional encoding."""

        def __init__(self, num_hiddens, dropout, max_len=1000):
            super(PositionalEncoding, self).__init__()
            self.dropout = lib.Dropout(dropout)
            # Create a long enough `P`
            self.P = T.zeros((1, max_len, num_hiddens))
            X = T.arange(max_len, dtype=T.float32).reshape(
                -1, 1) / T.pow(10000, T.arange(
                    0, num_hiddens, 2, dtype=T.float32) / num_hiddens)
            self.P[:, :, 0::2] = T.sin(X)
            self.P[:, :, 1::2] = T.cos(X)

        def forward(self, X):
            X = X + self.P[:, :X.shape[1], :].to(X.device)
            return self.dropout(X)

    class PositionWiseFFN(lib.Module):
        """Positionwise feed-forward network."""

        def __init__(self, ffn_num_input, ffn_num_hiddens, ffn_num_outputs, **kwargs):
            super(PositionWiseFFN, self).__init__(**kwargs)
            self.dense1 = lib.Linear(ffn_num_input, ffn_num_hiddens)
            self.relu = lib.ReLU()
            self.dense2 = lib.Linear(ffn_num_hiddens, ffn_num_outputs)

        def forward(self, X):
            return self.dense2(self.relu(self.dense1(X)))

    class AddNorm(lib.Module):
        """Residual connection followed by layer normalization."""

        def __init__(self, normalized_shape, dropout, **kwargs):
            super(AddNorm, self).__init__(**kwargs)
            self.dropout = lib.Dropout(dropout)
            self.ln = lib.LayerNorm(normalized_shape)

        def forward(self, X, Y):
            return self.ln(self.dropout(Y) + X)

    class EncoderBlock(lib.Module):
        """Transformer encoder block."""

        def __init__(self, key_size, query_size, value_size, num_hiddens,
                     norm_shape, ffn_num_input, ffn_num_hiddens, num_heads,
                     dropout, use_bias=False, **kwargs):
            super(EncoderBlock, self).__init__(**kwargs)
            self.attention = MultiHeadAttention(
                key_size, query_size, value_size, num_hiddens, num_heads, dropout,
                use_bias)
            self.addnorm1 = AddNorm(norm_shape, dropout)
            self.ffn = PositionWiseFFN(ffn_num_input, ffn_num_hiddens, num_hiddens)
            self.addnorm2 = AddNorm(norm_shape, dropout)

        def forward(self, X, valid_lens):
            Y = self.addnorm1(X, self.attention(X, X, X, valid_lens))
            return self.addnorm2(Y, self.ffn(Y))

    class TransformerEncoder(c["Encoder"]):
        """Transformer encoder."""

        def __init__(self, vocab_size, key_size, query_size, value_size,
                     num_hiddens, norm_shape, ffn_num_input, ffn_num_hiddens,
                     num_heads, num_layers, dropout, use_bias=False, **kwargs):
            super(TransformerEncoder, self).__init__(**kwargs)
            self.num_hiddens = num_hiddens
            self.embedding = lib.Embedding(vocab_size, num_hiddens)
            self.pos_encoding = PositionalEncoding(num_hiddens, dropout)
            self.blks = lib.Sequential()
            for i in range(num_layers):
                self.blks.add_module("block"+str(i),
                                     EncoderBlock(key_size, query_size, value_size,
                                                  num_hiddens, norm_shape, ffn_num_input,
                                                  ffn_num_hiddens, num_heads, dropout,
                                                  use_bias))

        def forward(self, X, valid_lens, *args):
            # Since positional encoding values are between -1 and 1, the embedding
            # values are multiplied by the square root of the embedding dimension
            # to rescale before they are summed up
            X = self.pos_encoding(self.embedding(X) * math.sqrt(self.num_hiddens))
            self.attention_weights = [None] * len(self.blks)
            for i, blk in enumerate(self.blks):
                X = blk(X, valid_lens)
                self.attention_weights[i] = blk.attention.attention.attention_weights
            return X

    class DecoderBlock(lib.Module):
        """The `i`-th block in the decoder."""

        def __init__(self, key_size, query_size, value_size, num_hiddens,
                     norm_shape, ffn_num_input, ffn_num_hiddens, num_heads,
                     dropout, i, **kwargs):
            super(DecoderBlock, self).__init__(**kwargs)
            self.i = i
            self.attention1 = MultiHeadAttention(
                key_size, query_size, value_size, num_hiddens, num_heads, dropout)
            self.addnorm1 = AddNorm(norm_shape, dropout)
            self.attention2 = MultiHeadAttention(
                key_size, query_size, value_size, num_hiddens, num_heads, dropout)
            self.addnorm2 = AddNorm(norm_shape, dropout)
            self.ffn = PositionWiseFFN(ffn_num_input, ffn_num_hiddens, num_hiddens)
            self.addnorm3 = AddNorm(norm_shape, dropout)

        def forward(self, X, state):
            enc_outputs, enc_valid_lens = state[0], state[1]
            # During training, all the tokens of any output sequence are processed
            # at the same time, so `state[2][self.i]` is `None` as initialized.
            # When decoding any output sequence token by token during prediction,
            # `state[2][self.i]` contains representations of the decoded output at
            # the `i`-th block up to the current time step
            if state[2][self.i] is None:
                key_values = X
            else:
                key_values = T.cat((state[2][self.i], X), axis=1)
            state[2][self.i] = key_values
            if self.training:
                batch_size, num_steps, _ = X.shape
                # Shape of `dec_valid_lens`: (`batch_size`, `num_steps`), where
                # every row is [1, 2, ..., `num_steps`]
                dec_valid_lens = T.arange(
                    1, num_steps + 1, device=X.device).repeat(batch_size, 1)
            else:
                dec_valid_lens = None
            # Self-attention
            X2 = self.attention1(X, key_values, key_values, dec_valid_lens)
            Y = self.addnorm1(X, X2)
            # Encoder-decoder attention. Shape of `enc_outputs`:
            # (`batch_size`, `num_steps`, `num_hiddens`)
            Y2 = self.attention2(Y, enc_outputs, enc_outputs, enc_valid_lens)
            Z = self.addnorm2(Y, Y2)
            return self.addnorm3(Z, self.ffn(Z)), state

    class TransformerDecoder(c["Decoder"]):
        def __init__(self, vocab_size, key_size, query_size, value_size,
                     num_hiddens, norm_shape, ffn_num_input, ffn_num_hiddens,
                     num_heads, num_layers, dropout, **kwargs):
            super(TransformerDecoder, self).__init__(**kwargs)
            self.num_hiddens = num_hiddens
            self.num_layers = num_layers
            self.embedding = lib.Embedding(vocab_size, num_hiddens)
            self.pos_encoding = PositionalEncoding(num_hiddens, dropout)
            self.blks = lib.Sequential()
            for i in range(num_layers):
                self.blks.add_module("block"+str(i),
                                     DecoderBlock(key_size, query_size, value_size,
                                                  num_hiddens, norm_shape, ffn_num_input,
                                                  ffn_num_hiddens, num_heads, dropout, i))
            self.dense = lib.Linear(num_hiddens, vocab_size)

        def init_state(self, enc_outputs, enc_valid_lens, *args):
            return [enc_outputs, enc_valid_lens, [None] * self.num_layers]

        def forward(self, X, state):
            X = self.pos_encoding(self.embedding(X) * math.sqrt(self.num_hiddens))
            self._attention_weights = [[None] * len(self.blks) for _ in range(2)]
            for i, blk in enumerate(self.blks):
                X, state = blk(X, state)
                # Decoder self-attention weights
                self._attention_weights[0][i] = blk.attention1.attention.attention_weights
                # Encoder-decoder attention weights
                self._attention_weights[1][i] = blk.attention2.attention.attention_weights
            return self.dense(X), state

        @property
        def attention_weights(self):
            return self._attention_weights

    return {k: v for k, v in locals().items() if isinstance(v, type)}


def _pieces(T, lib, sync, same_P, record) -> None:
    c = transformer_classes(T, lib)
    num_hiddens, num_heads = 20, 5  # d2l: 100, 5
    attention = c["MultiHeadAttention"](num_hiddens, num_hiddens, num_hiddens,
                                        num_hiddens, num_heads, 0.5)
    sync(attention)
    attention.eval()
    batch_size, num_queries = 2, 4
    num_kvpairs, valid_lens = 6, T.tensor([3, 2])
    T.manual_seed(0)
    X = T.rand((batch_size, num_queries, num_hiddens))  # d2l: torch.ones (all alike)
    Y = T.rand((batch_size, num_kvpairs, num_hiddens))
    record.append(attention(X, Y, Y, valid_lens))
    record.append(attention(X, X, X, valid_lens))  # self-attention
    encoding_dim, num_steps = 32, 60
    pos_encoding = c["PositionalEncoding"](encoding_dim, 0)
    pos_encoding.eval()
    X = pos_encoding(T.zeros((1, num_steps, encoding_dim)))
    P = pos_encoding.P[:, :X.shape[1], :]
    record += [X, P[0, :, 6:10]]  # float32 precision (see the top)
    ffn = c["PositionWiseFFN"](4, 4, 8)
    sync(ffn)
    ffn.eval()
    record.append(ffn(T.ones((2, 3, 4)))[0])
    ln = lib.LayerNorm(2)
    bn = lib.BatchNorm1d(2)
    X = T.tensor([[1, 2], [2, 3]], dtype=T.float64)  # d2l: torch.float32 (see the top)
    # Compute mean and variance from `X` in the training mode
    record += [ln(X), bn(X)]
    add_norm = c["AddNorm"]([3, 4], 0.5)
    add_norm.eval()
    record.append(add_norm(T.ones((2, 3, 4)), T.rand((2, 3, 4))))
    X = T.rand((2, 10, 24))  # d2l: torch.ones((2, 100, 24))
    encoder_blk = c["EncoderBlock"](24, 24, 24, 24, [24], 24, 48, 8, 0.5)
    sync(encoder_blk)
    encoder_blk.eval()
    record.append(encoder_blk(X, valid_lens))
    encoder = c["TransformerEncoder"](200, 24, 24, 24, 24, [24], 24, 48, 8, 2, 0.5)
    sync(encoder)
    same_P(encoder.pos_encoding)  # added (see the top)
    encoder.eval()
    record.append(encoder(T.ones((2, 10), dtype=T.long), valid_lens))
    decoder_blk = c["DecoderBlock"](24, 24, 24, 24, [24], 24, 48, 8, 0.5, 0)
    sync(decoder_blk)
    decoder_blk.eval()
    state = [encoder_blk(X, valid_lens), valid_lens, [None]]
    record.append(decoder_blk(X, state)[0])


def test_transformer_pieces(torch):
    (ours, theirs), (our_P, their_P) = weight_sync(), encoding_sync()
    got, want = Printed(), Printed()
    _pieces(*libraries(torch)[:2], theirs, their_P, want)
    _pieces(*libraries()[:2], ours, our_P, got)
    assert_records(got[2:4], want[2:4], rtol=FLOAT32_SIN, atol=FLOAT32_SIN)
    assert_records(got[:2] + got[4:], want[:2] + want[4:])
    assert got[0].shape == (2, 4, 20) and got[3].shape == (60, 4)
    assert got[-2].shape == (2, 10, 24)


def _transformer(T, lib, optim, data, sync, same_P, record) -> None:
    c = transformer_classes(T, lib)
    s = seq2seq_classes(T, lib)
    num_hiddens, num_layers, dropout, batch_size, num_steps = 16, 2, 0, 8, 8
    lr, num_epochs, device = 0.005, 3, "cpu"
    ffn_num_input, ffn_num_hiddens, num_heads = 16, 32, 4
    key_size, query_size, value_size = 16, 16, 16
    norm_shape = [16]
    train_iter, src_vocab, tgt_vocab = load_data_nmt(T, data, batch_size, num_steps)
    encoder = c["TransformerEncoder"](
        len(src_vocab), key_size, query_size, value_size, num_hiddens,
        norm_shape, ffn_num_input, ffn_num_hiddens, num_heads,
        num_layers, dropout)
    decoder = c["TransformerDecoder"](
        len(tgt_vocab), key_size, query_size, value_size, num_hiddens,
        norm_shape, ffn_num_input, ffn_num_hiddens, num_heads,
        num_layers, dropout)
    net = s["EncoderDecoder"](encoder, decoder)
    same_P(encoder.pos_encoding)  # added (see the top)
    same_P(decoder.pos_encoding)
    train_seq2seq(T, lib, optim, net, train_iter, lr, num_epochs, tgt_vocab, device, sync,
                  record)
    for eng in ['go .', 'he see the cat !']:
        translation, dec_attention_weight_seq = predict_seq2seq(
            T, net, eng, src_vocab, tgt_vocab, num_steps, device, True)
        record.append(translation)
    enc_attention_weights = T.cat(net.encoder.attention_weights, 0).reshape(
        (num_layers, num_heads, -1, num_steps))
    record.append(enc_attention_weights)
    dec_attention_weights_2d = [head[0].tolist()
                                for step in dec_attention_weight_seq
                                for attn in step for blk in attn for head in blk]
    # d2l: torch.tensor(pd.DataFrame(dec_attention_weights_2d).fillna(0.0).values), the
    # rows padded with zeros by pandas (not installed here)
    width = max(len(row) for row in dec_attention_weights_2d)
    dec_attention_weights_filled = T.tensor(
        [row + [0.0] * (width - len(row)) for row in dec_attention_weights_2d])
    dec_attention_weights = dec_attention_weights_filled.reshape(
        (-1, 2, num_layers, num_heads, num_steps))
    dec_self_attention_weights, dec_inter_attention_weights = \
        dec_attention_weights.permute(1, 2, 3, 0, 4)
    record += [dec_self_attention_weights, dec_inter_attention_weights]
    assert tuple(dec_inter_attention_weights.shape[:2]) == (num_layers, num_heads)
    record += list(net.parameters())


def test_train_transformer(torch):
    (ours, theirs), (our_P, their_P) = weight_sync(), encoding_sync()
    got, want = Printed(), Printed()
    _transformer(*libraries(torch)[:2], *libraries(torch)[3:], theirs, their_P, want)
    _transformer(*libraries()[:2], *libraries()[3:], ours, our_P, got)
    assert_records(got, want)
