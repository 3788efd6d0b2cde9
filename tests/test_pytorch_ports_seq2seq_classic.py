"""The seq2seq translation tutorial as it read from 2017 to 2023 (one word at a time, and
still the most copied version), ported as written and run step for step next to PyTorch
(float64) on the made-up corpus of ``seq2seq_tutorial.py``: ``EncoderRNN`` with
``self.embedding(input).view(1, 1, -1)``, ``AttnDecoderRNN`` with a ``max_length``
attention (``F.softmax(self.attn(torch.cat((embedded[0], hidden[0]), 1)), dim=1)``,
``torch.bmm(attn_weights.unsqueeze(0), encoder_outputs.unsqueeze(0))``), ``train`` filling
``encoder_outputs[ei] = encoder_output[0, 0]`` in the graph, ``loss += criterion(...)`` from
``loss = 0``, teacher forcing drawn by ``random.random()``, ``topi.squeeze().detach()`` and
``decoder_input.item()``, ``trainIters`` with ``SGD``, and ``evaluate`` under ``no_grad``
(``encoder_outputs[ei] += encoder_output[0, 0]``, ``decoder_attentions[di] =
decoder_attention.data``, ``decoder_attentions[:di + 1]``).

Lines written differently here: ``decoder_output.data.topk(1)`` is
``decoder_output.detach().topk(1)`` (``.data`` is the NumPy array here, a documented
choice, and NumPy has no ``topk``); ``random`` is a ``random.Random`` the test gives both
runs. The test's glue: PyTorch's initial weights, and PyTorch's dropout keeping what ours
kept.
"""

import contextlib
import io
import random
import re

import numpy as np
import pytest

import autograd as ag
import nn
from pytorch_examples_helpers import record_dropout, replay_dropout
from seq2seq_corpus import write_corpus
from seq2seq_tutorial import seq2seq
from test_pytorch_ports import _to_numpy

MAX_LENGTH = 7


def classic(torch, nn, optim, random, input_lang, output_lang, pairs):
    """The 2017 tutorial's model, training and evaluation for the library ``torch``."""
    F = nn.functional
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    SOS_token, EOS_token = 0, 1

    class EncoderRNN(nn.Module):
        def __init__(self, input_size, hidden_size):
            super(EncoderRNN, self).__init__()
            self.hidden_size = hidden_size

            self.embedding = nn.Embedding(input_size, hidden_size)
            self.gru = nn.GRU(hidden_size, hidden_size)

        def forward(self, input, hidden):
            embedded = self.embedding(input).view(1, 1, -1)
            output = embedded
            output, hidden = self.gru(output, hidden)
            return output, hidden

        def initHidden(self):
            return torch.zeros(1, 1, self.hidden_size, device=device)

    class AttnDecoderRNN(nn.Module):
        def __init__(self, hidden_size, output_size, dropout_p=0.1, max_length=MAX_LENGTH):
            super(AttnDecoderRNN, self).__init__()
            self.hidden_size = hidden_size
            self.output_size = output_size
            self.dropout_p = dropout_p
            self.max_length = max_length

            self.embedding = nn.Embedding(self.output_size, self.hidden_size)
            self.attn = nn.Linear(self.hidden_size * 2, self.max_length)
            self.attn_combine = nn.Linear(self.hidden_size * 2, self.hidden_size)
            self.dropout = nn.Dropout(self.dropout_p)
            self.gru = nn.GRU(self.hidden_size, self.hidden_size)
            self.out = nn.Linear(self.hidden_size, self.output_size)

        def forward(self, input, hidden, encoder_outputs):
            embedded = self.embedding(input).view(1, 1, -1)
            embedded = self.dropout(embedded)

            attn_weights = F.softmax(
                self.attn(torch.cat((embedded[0], hidden[0]), 1)), dim=1)
            attn_applied = torch.bmm(attn_weights.unsqueeze(0),
                                     encoder_outputs.unsqueeze(0))

            output = torch.cat((embedded[0], attn_applied[0]), 1)
            output = self.attn_combine(output).unsqueeze(0)

            output = F.relu(output)
            output, hidden = self.gru(output, hidden)

            output = F.log_softmax(self.out(output[0]), dim=1)
            return output, hidden, attn_weights

    def indexesFromSentence(lang, sentence):
        return [lang.word2index[word] for word in sentence.split(' ')]

    def tensorFromSentence(lang, sentence):
        indexes = indexesFromSentence(lang, sentence)
        indexes.append(EOS_token)
        return torch.tensor(indexes, dtype=torch.long, device=device).view(-1, 1)

    def tensorsFromPair(pair):
        input_tensor = tensorFromSentence(input_lang, pair[0])
        target_tensor = tensorFromSentence(output_lang, pair[1])
        return (input_tensor, target_tensor)

    teacher_forcing_ratio = 0.5

    def train(input_tensor, target_tensor, encoder, decoder, encoder_optimizer,
              decoder_optimizer, criterion, max_length=MAX_LENGTH):
        encoder_hidden = encoder.initHidden()

        encoder_optimizer.zero_grad()
        decoder_optimizer.zero_grad()

        input_length = input_tensor.size(0)
        target_length = target_tensor.size(0)

        encoder_outputs = torch.zeros(max_length, encoder.hidden_size, device=device)

        loss = 0

        for ei in range(input_length):
            encoder_output, encoder_hidden = encoder(
                input_tensor[ei], encoder_hidden)
            encoder_outputs[ei] = encoder_output[0, 0]

        decoder_input = torch.tensor([[SOS_token]], device=device)

        decoder_hidden = encoder_hidden

        use_teacher_forcing = True if random.random() < teacher_forcing_ratio else False

        if use_teacher_forcing:
            # Teacher forcing: Feed the target as the next input
            for di in range(target_length):
                decoder_output, decoder_hidden, decoder_attention = decoder(
                    decoder_input, decoder_hidden, encoder_outputs)
                loss += criterion(decoder_output, target_tensor[di])
                decoder_input = target_tensor[di]  # Teacher forcing

        else:
            # Without teacher forcing: use its own predictions as the next input
            for di in range(target_length):
                decoder_output, decoder_hidden, decoder_attention = decoder(
                    decoder_input, decoder_hidden, encoder_outputs)
                topv, topi = decoder_output.topk(1)
                decoder_input = topi.squeeze().detach()  # detach from history as input

                loss += criterion(decoder_output, target_tensor[di])
                if decoder_input.item() == EOS_token:
                    break

        loss.backward()

        encoder_optimizer.step()
        decoder_optimizer.step()

        return loss.item() / target_length

    def trainIters(encoder, decoder, n_iters, print_every=1000, plot_every=100,
                   learning_rate=0.01):
        plot_losses = []
        print_loss_total = 0  # Reset every print_every
        plot_loss_total = 0  # Reset every plot_every

        encoder_optimizer = optim.SGD(encoder.parameters(), lr=learning_rate)
        decoder_optimizer = optim.SGD(decoder.parameters(), lr=learning_rate)
        training_pairs = [tensorsFromPair(random.choice(pairs))
                          for i in range(n_iters)]
        criterion = nn.NLLLoss()

        for iter in range(1, n_iters + 1):
            training_pair = training_pairs[iter - 1]
            input_tensor = training_pair[0]
            target_tensor = training_pair[1]

            loss = train(input_tensor, target_tensor, encoder,
                         decoder, encoder_optimizer, decoder_optimizer, criterion)
            print_loss_total += loss
            plot_loss_total += loss

            if iter % print_every == 0:
                print_loss_avg = print_loss_total / print_every
                print_loss_total = 0
                print('(%d %d%%) %.4f' % (iter, iter / n_iters * 100, print_loss_avg))

            if iter % plot_every == 0:
                plot_loss_avg = plot_loss_total / plot_every
                plot_losses.append(plot_loss_avg)
                plot_loss_total = 0
        return plot_losses

    def evaluate(encoder, decoder, sentence, max_length=MAX_LENGTH):
        with torch.no_grad():
            input_tensor = tensorFromSentence(input_lang, sentence)
            input_length = input_tensor.size()[0]
            encoder_hidden = encoder.initHidden()

            encoder_outputs = torch.zeros(max_length, encoder.hidden_size, device=device)

            for ei in range(input_length):
                encoder_output, encoder_hidden = encoder(input_tensor[ei],
                                                         encoder_hidden)
                encoder_outputs[ei] += encoder_output[0, 0]

            decoder_input = torch.tensor([[SOS_token]], device=device)  # SOS

            decoder_hidden = encoder_hidden

            decoded_words = []
            decoder_attentions = torch.zeros(max_length, max_length)

            for di in range(max_length):
                decoder_output, decoder_hidden, decoder_attention = decoder(
                    decoder_input, decoder_hidden, encoder_outputs)
                decoder_attentions[di] = decoder_attention.data
                topv, topi = decoder_output.detach().topk(1)  # decoder_output.data.topk(1)
                if topi.item() == EOS_token:
                    decoded_words.append('<EOS>')
                    break
                else:
                    decoded_words.append(output_lang.index2word[topi.item()])

                decoder_input = topi.squeeze().detach()

            return decoded_words, decoder_attentions[:di + 1]

    return locals()


def _langs(tmp_path, monkeypatch):
    """The corpus read by the current tutorial's ``prepareData`` (the same in both)."""
    (tmp_path / "data").mkdir()
    write_corpus(tmp_path / "data" / "eng-fra.txt")
    monkeypatch.chdir(tmp_path)
    program = seq2seq(ag, nn, nn.optim, nn.data, random.Random(0))
    with contextlib.redirect_stdout(io.StringIO()):
        return program.prepareData("eng", "fra", True)


def test_classic_seq2seq_trains_as_torch(torch, tmp_path, monkeypatch):
    input_lang, output_lang, pairs = _langs(tmp_path, monkeypatch)
    ours = classic(ag, nn, nn.optim, random.Random(0), input_lang, output_lang, pairs)
    theirs = classic(torch, torch.nn, torch.optim, random.Random(0), input_lang,
                     output_lang, pairs)
    torch.manual_seed(0)
    their_models = (theirs["EncoderRNN"](input_lang.n_words, 12).to(theirs["device"]),
                    theirs["AttnDecoderRNN"](12, output_lang.n_words).to(theirs["device"]))
    our_models = (ours["EncoderRNN"](input_lang.n_words, 12).to(ours["device"]),
                  ours["AttnDecoderRNN"](12, output_lang.n_words).to(ours["device"]))
    masks: list = []
    for mine, their in zip(our_models, their_models):
        mine.load_state_dict(_to_numpy(their.state_dict()))
        record_dropout(mine, masks), replay_dropout(torch, their, masks)
    ag.manual_seed(0)
    runs = []
    for program, models in ((ours, our_models), (theirs, their_models)):
        with contextlib.redirect_stdout(io.StringIO()) as printed:
            losses = program["trainIters"](*models, 60, print_every=20, plot_every=10,
                                           learning_rate=0.05)
        runs.append((printed.getvalue(), losses))
    assert masks == []
    assert runs[0][0] == runs[1][0] and runs[0][0].count("\n") == 3
    np.testing.assert_allclose(runs[0][1], runs[1][1], rtol=1e-10)
    for mine, their in zip(our_models, their_models):
        for name, value in their.state_dict().items():
            np.testing.assert_allclose(mine.state_dict()[name], value.numpy(), atol=1e-12)

    our_models[1].eval(), their_models[1].eval()
    for inp, _ in pairs[:6]:
        words, attentions = ours["evaluate"](*our_models, inp)
        their_words, their_attentions = theirs["evaluate"](*their_models, inp)
        assert words == their_words
        assert attentions.shape == tuple(their_attentions.shape) == (len(words), MAX_LENGTH)
        np.testing.assert_allclose(attentions.numpy(), their_attentions.numpy(), rtol=1e-10)


def test_attention_rows_read_through_data_as_the_tutorial():
    """``decoder_attentions[di] = decoder_attention.data``: a (1, L) array into a row."""
    rows = ag.zeros(3, 4)
    rows[1] = ag.softmax(ag.tensor([[1.0, 2.0, 3.0, 4.0]]), dim=1).data
    assert rows[1].sum().item() == pytest.approx(1.0) and rows[0].sum().item() == 0.0
    assert re.match(r"Tensor\(\[\[0", repr(rows))
