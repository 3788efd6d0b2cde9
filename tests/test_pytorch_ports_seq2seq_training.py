"""The seq2seq translation tutorial's other two runs (``seq2seq_tutorial.py`` holds the
program, ``test_pytorch_ports_seq2seq.py`` the glue): its simple ``DecoderRNN``, which it
leaves to the reader to train, step for step next to PyTorch, and the attention model
learning the made-up language alone."""

import contextlib
import io

import numpy as np
import pytest

import autograd as ag
from pytorch_examples_helpers import assert_steps
from test_pytorch_ports_seq2seq import BATCH, HIDDEN, _program, _without_times, train_both
from test_pytorch_ports_seq2seq import corpus  # noqa: F401 (the fixture the tests use)


@pytest.mark.usefixtures("corpus")
def test_seq2seq_simple_decoder_trains_as_torch(torch):
    """The tutorial's ``DecoderRNN`` (the encoder's last hidden state only, ``F.relu``),
    which it leaves to the reader to train."""
    (got, got_steps, ours, langs, encoder, decoder), (want, want_steps, theirs, their_langs,
                                                     their_encoder, their_decoder) = \
        train_both(torch, "DecoderRNN", n_epochs=1)
    assert _without_times(got.getvalue()) == _without_times(want.getvalue())
    np.testing.assert_allclose(got.losses, want.losses, rtol=1e-10)
    assert_steps(got_steps, want_steps)
    encoder.eval(), their_encoder.eval()
    for sentence in ("tu sont pret", "la est tard nan !"):
        words, attentions = ours.evaluate(encoder, decoder, sentence, *langs[:2])
        assert attentions is None
        assert words == theirs.evaluate(their_encoder, their_decoder, sentence,
                                        *their_langs[:2])[0]


@pytest.mark.usefixtures("corpus")
def test_seq2seq_attention_learns_the_made_up_language():
    ag.manual_seed(0)
    program = _program(None, [])
    with contextlib.redirect_stdout(io.StringIO()):
        input_lang, output_lang, pairs = program.prepareData("eng", "fra", True)
        train_dataloader = program.get_dataloader(BATCH)[2]
        encoder = program.EncoderRNN(input_lang.n_words, HIDDEN)
        decoder = program.AttnDecoderRNN(HIDDEN, output_lang.n_words)
        plot_losses = program.train(train_dataloader, encoder, decoder, 12,
                                    learning_rate=0.03, print_every=4, plot_every=3)
    assert plot_losses[-1] < 0.3 * plot_losses[0]
    encoder.eval(), decoder.eval()
    translated = [program.evaluate(encoder, decoder, inp, input_lang, output_lang)[0]
                  for inp, _ in pairs]
    assert all(words[-1] == "<EOS>" for words in translated)
    exact = sum(" ".join(words[:-1]) == tgt for words, (_, tgt) in zip(translated, pairs))
    assert exact >= len(pairs) // 6
