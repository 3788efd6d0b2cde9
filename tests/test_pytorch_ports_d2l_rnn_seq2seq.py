"""d2l.ai's machine translation, encoder-decoder and seq2seq sections, ported as in
``test_pytorch_ports_d2l_rnn.py`` (float64 PyTorch next to this library, the same weights):
the translation data (``preprocess_nmt``, ``tokenize_nmt``, ``Vocab`` with ``min_freq=2``
and reserved tokens, ``build_array_nmt``), ``Seq2SeqEncoder`` (``nn.Embedding``,
``nn.GRU`` with ``num_layers``, ``X.permute(1, 0, 2)``), ``Seq2SeqDecoder`` (the context
``state[-1].repeat(...)`` and ``torch.cat``), ``sequence_mask``, ``MaskedSoftmaxCELoss``
(an ``nn.CrossEntropyLoss`` subclass setting ``self.reduction='none'`` and calling
``super().forward(pred.permute(0, 2, 1), label)``), ``train_seq2seq`` (Xavier
initialisation through ``m._flat_weights_names`` / ``m._parameters``, Adam,
``grad_clipping``, the ``<bos>`` column concatenated for teacher forcing),
``predict_seq2seq`` and ``bleu``.

The sentence pairs are generated (``d2l_helpers.nmt_text``). Written differently: the
GRUs' ``dropout`` is 0 (d2l: 0.1; the two libraries draw different masks) and training
runs 3 epochs (d2l: 300); after ``net.apply(xavier_init_weights)`` this library's model
takes PyTorch's drawn weights (``sync``, an added line).
"""

import math

import pytest

from d2l_helpers import (Printed, assert_records, bleu, build_array_nmt, grad_clipping,
                         libraries, load_data_nmt, nmt_text, preprocess_nmt, sequence_mask,
                         tokenize_nmt, truncate_pad, Vocab, weight_sync)

pytestmark = pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad")


def seq2seq_classes(T, lib) -> dict:
    """d2l's encoder-decoder classes for library ``T`` (``lib`` its ``nn``), by name."""

    class Encoder(lib.Module):
        """The base encoder interface for the encoder-decoder architecture."""

        def __init__(self, **kwargs):
            super(Encoder, self).__init__(**kwargs)

        def forward(self, X, *args):
            raise NotImplementedError

    class Decoder(lib.Module):
        """The base decoder interface for the encoder-decoder architecture."""

        def __init__(self, **kwargs):
            super(Decoder, self).__init__(**kwargs)

        def init_state(self, enc_outputs, *args):
            raise NotImplementedError

        def forward(self, X, state):
            raise NotImplementedError

    class EncoderDecoder(lib.Module):
        """The base class for the encoder-decoder architecture."""

        def __init__(self, encoder, decoder, **kwargs):
            super(EncoderDecoder, self).__init__(**kwargs)
            self.encoder = encoder
            self.decoder = decoder

        def forward(self, enc_X, dec_X, *args):
            enc_outputs = self.encoder(enc_X, *args)
            dec_state = self.decoder.init_state(enc_outputs, *args)
            return self.decoder(dec_X, dec_state)

    class Seq2SeqEncoder(Encoder):
        """The RNN encoder for sequence to sequence learning."""

        def __init__(self, vocab_size, embed_size, num_hiddens, num_layers,
                     dropout=0, **kwargs):
            super(Seq2SeqEncoder, self).__init__(**kwargs)
            # Embedding layer
            self.embedding = lib.Embedding(vocab_size, embed_size)
            self.rnn = lib.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)

        def forward(self, X, *args):
            # The output `X` shape: (`batch_size`, `num_steps`, `embed_size`)
            X = self.embedding(X)
            # In RNN models, the first axis corresponds to time steps
            X = X.permute(1, 0, 2)
            # When state is not mentioned, it defaults to zeros
            output, state = self.rnn(X)
            # `output` shape: (`num_steps`, `batch_size`, `num_hiddens`)
            # `state` shape: (`num_layers`, `batch_size`, `num_hiddens`)
            return output, state

    class Seq2SeqDecoder(Decoder):
        """The RNN decoder for sequence to sequence learning."""

        def __init__(self, vocab_size, embed_size, num_hiddens, num_layers,
                     dropout=0, **kwargs):
            super(Seq2SeqDecoder, self).__init__(**kwargs)
            self.embedding = lib.Embedding(vocab_size, embed_size)
            self.rnn = lib.GRU(embed_size + num_hiddens, num_hiddens, num_layers,
                               dropout=dropout)
            self.dense = lib.Linear(num_hiddens, vocab_size)

        def init_state(self, enc_outputs, *args):
            return enc_outputs[1]

        def forward(self, X, state):
            # The output `X` shape: (`num_steps`, `batch_size`, `embed_size`)
            X = self.embedding(X).permute(1, 0, 2)
            # Broadcast `context` so it has the same `num_steps` as `X`
            context = state[-1].repeat(X.shape[0], 1, 1)
            X_and_context = T.cat((X, context), 2)
            output, state = self.rnn(X_and_context, state)
            output = self.dense(output).permute(1, 0, 2)
            # `output` shape: (`batch_size`, `num_steps`, `vocab_size`)
            # `state` shape: (`num_layers`, `batch_size`, `num_hiddens`)
            return output, state

    class MaskedSoftmaxCELoss(lib.CrossEntropyLoss):
        """The softmax cross-entropy loss with masks."""
        # `pred` shape: (`batch_size`, `num_steps`, `vocab_size`)
        # `label` shape: (`batch_size`, `num_steps`)
        # `valid_len` shape: (`batch_size`,)

        def forward(self, pred, label, valid_len):
            weights = T.ones_like(label)
            weights = sequence_mask(T, weights, valid_len)
            self.reduction = 'none'
            unweighted_loss = super(MaskedSoftmaxCELoss, self).forward(
                pred.permute(0, 2, 1), label)
            weighted_loss = (unweighted_loss * weights).mean(dim=1)
            return weighted_loss

    return {c.__name__: c for c in (Encoder, Decoder, EncoderDecoder, Seq2SeqEncoder,
                                    Seq2SeqDecoder, MaskedSoftmaxCELoss)}


def train_seq2seq(T, lib, optim, net, data_iter, lr, num_epochs, tgt_vocab, device, sync,
                  record):
    """Train a model for sequence to sequence."""
    def xavier_init_weights(m):
        if type(m) == lib.Linear:  # noqa: E721 (d2l's test)
            lib.init.xavier_uniform_(m.weight)
        if type(m) == lib.GRU:  # noqa: E721
            for param in m._flat_weights_names:
                if "weight" in param:
                    lib.init.xavier_uniform_(m._parameters[param])
    net.apply(xavier_init_weights)
    sync(net)  # added: the same start in both
    net.to(device)
    optimizer = optim.Adam(net.parameters(), lr=lr)
    loss = seq2seq_classes(T, lib)["MaskedSoftmaxCELoss"]()
    net.train()
    for epoch in range(num_epochs):
        metric = [0.0, 0.0]  # Sum of training loss, no. of tokens
        for batch in data_iter:
            optimizer.zero_grad()
            X, X_valid_len, Y, Y_valid_len = [x.to(device) for x in batch]
            bos = T.tensor([tgt_vocab['<bos>']] * Y.shape[0],
                           device=device).reshape(-1, 1)
            dec_input = T.cat([bos, Y[:, :-1]], 1)  # Teacher forcing
            Y_hat, _ = net(X, dec_input, X_valid_len)
            l = loss(Y_hat, Y, Y_valid_len)  # noqa: E741 (d2l's name)
            l.sum().backward()  # Make the loss scalar for `backward`
            grad_clipping(T, lib, net, 1)
            num_tokens = Y_valid_len.sum()
            optimizer.step()
            with T.no_grad():
                metric = [metric[0] + float(l.sum()), metric[1] + float(num_tokens)]
            record.append(l)
        record.append(metric[0] / metric[1])


def predict_seq2seq(T, net, src_sentence, src_vocab, tgt_vocab, num_steps,
                    device, save_attention_weights=False):
    """Predict for sequence to sequence."""
    # Set `net` to eval mode for inference
    net.eval()
    src_tokens = src_vocab[src_sentence.lower().split(' ')] + [
        src_vocab['<eos>']]
    enc_valid_len = T.tensor([len(src_tokens)], device=device)
    src_tokens = truncate_pad(src_tokens, num_steps, src_vocab['<pad>'])
    # Add the batch axis
    enc_X = T.unsqueeze(
        T.tensor(src_tokens, dtype=T.long, device=device), dim=0)
    enc_outputs = net.encoder(enc_X, enc_valid_len)
    dec_state = net.decoder.init_state(enc_outputs, enc_valid_len)
    # Add the batch axis
    dec_X = T.unsqueeze(T.tensor(
        [tgt_vocab['<bos>']], dtype=T.long, device=device), dim=0)
    output_seq, attention_weight_seq = [], []
    for _ in range(num_steps):
        Y, dec_state = net.decoder(dec_X, dec_state)
        # We use the token with the highest prediction likelihood as the input
        # of the decoder at the next time step
        dec_X = Y.argmax(dim=2)
        pred = dec_X.squeeze(dim=0).type(T.int32).item()
        # Save attention weights (to be covered later)
        if save_attention_weights:
            attention_weight_seq.append(net.decoder.attention_weights)
        # Once the end-of-sequence token is predicted, the generation of the
        # output sequence is complete
        if pred == tgt_vocab['<eos>']:
            break
        output_seq.append(pred)
    return ' '.join(tgt_vocab.to_tokens(output_seq)), attention_weight_seq


# ------------------------------------------------------------------ the programs
def test_translation_data(torch):
    text = preprocess_nmt(nmt_text())
    source, target = tokenize_nmt(text)
    assert text[:3].islower() and all(len(s) >= 2 for s in source)  # words and a mark
    src_vocab = Vocab(source, min_freq=2, reserved_tokens=['<pad>', '<bos>', '<eos>'])
    assert src_vocab.to_tokens([0, 1, 2, 3]) == ['<unk>', '<pad>', '<bos>', '<eos>']
    assert truncate_pad(src_vocab[source[0]], 10, src_vocab['<pad>'])[-1] == 1
    got, want = Printed(), Printed()
    for T, record in [(libraries()[0], got), (libraries(torch)[0], want)]:
        src_array, src_valid_len = build_array_nmt(T, source, src_vocab, 8)
        record += [src_array, src_valid_len, str(src_valid_len.dtype)[-5:]]
    assert_records(got, want)
    assert got[2] == "int64"  # sum() of int32, as PyTorch's


def _pieces(T, lib, sync, record) -> None:
    c = seq2seq_classes(T, lib)
    encoder = c["Seq2SeqEncoder"](vocab_size=10, embed_size=8, num_hiddens=16, num_layers=2)
    encoder.eval()
    decoder = c["Seq2SeqDecoder"](vocab_size=10, embed_size=8, num_hiddens=16, num_layers=2)
    decoder.eval()
    sync(encoder)
    sync(decoder)
    X = T.zeros((4, 7), dtype=T.long)
    output, state = encoder(X)
    record += [output, state]
    state = decoder.init_state(encoder(X))
    output, state = decoder(X, state)
    record += [output, state]
    X = T.tensor([[1, 2, 3], [4, 5, 6]])
    record.append(sequence_mask(T, X, T.tensor([1, 2])))
    X = T.ones(2, 3, 4)
    record.append(sequence_mask(T, X, T.tensor([1, 2]), value=-1))
    loss = c["MaskedSoftmaxCELoss"]()
    record.append(loss(T.ones(3, 4, 10), T.ones((3, 4), dtype=T.long),
                       T.tensor([4, 2, 0])))


def test_encoder_decoder_pieces(torch):
    ours, theirs = weight_sync()
    got, want = Printed(), Printed()
    _pieces(*libraries(torch)[:2], theirs, want)
    _pieces(*libraries()[:2], ours, got)
    assert_records(got, want)
    assert got[0].shape == (7, 4, 16) and got[1].shape == (2, 4, 16)
    assert got[-3].tolist() == [[1, 0, 0], [4, 5, 0]]
    assert got[-1][2] == 0 and got[-1][0] == pytest.approx(math.log(10))


ENGLISH = ['go .', 'i am big .', 'he see the cat !', 'we walk .']


def _seq2seq(T, lib, optim, data, sync, record) -> None:
    c = seq2seq_classes(T, lib)
    embed_size, num_hiddens, num_layers, dropout = 8, 16, 2, 0  # d2l: 32, 32, 2, 0.1
    batch_size, num_steps = 8, 8
    lr, num_epochs, device = 0.005, 3, "cpu"
    train_iter, src_vocab, tgt_vocab = load_data_nmt(T, data, batch_size, num_steps)
    encoder = c["Seq2SeqEncoder"](len(src_vocab), embed_size, num_hiddens, num_layers,
                                  dropout)
    decoder = c["Seq2SeqDecoder"](len(tgt_vocab), embed_size, num_hiddens, num_layers,
                                  dropout)
    net = c["EncoderDecoder"](encoder, decoder)
    train_seq2seq(T, lib, optim, net, train_iter, lr, num_epochs, tgt_vocab, device, sync,
                  record)
    for eng in ENGLISH:
        translation, attention_weight_seq = predict_seq2seq(
            T, net, eng, src_vocab, tgt_vocab, num_steps, device)
        k = min(2, len(translation.split(' ')))  # d2l: k=2 (its bleu divides by 0 when
        record += [translation, bleu(translation, 'va !', k=k)]  # a translation is shorter)


def test_train_seq2seq(torch):
    ours, theirs = weight_sync()
    got, want = Printed(), Printed()
    _seq2seq(*libraries(torch)[:2], libraries(torch)[3], libraries(torch)[4], theirs, want)
    _seq2seq(*libraries()[:2], libraries()[3], libraries()[4], ours, got)
    assert_records(got, want)
    assert isinstance(got[-2], str)
