"""PyTorch's "NLP From Scratch: Translation with a Sequence to Sequence Network and
Attention" (``seq2seq_tutorial.py``: the program, written once for both libraries), run
step for step next to PyTorch (float64) on a made-up parallel corpus: ``Lang``,
``normalizeString``/``readLangs``/``filterPairs`` reading ``data/eng-fra.txt``,
``get_dataloader`` (``torch.LongTensor`` of int32 arrays, ``TensorDataset``,
``RandomSampler``, ``DataLoader(sampler=...)``), ``EncoderRNN`` and ``AttnDecoderRNN`` with
``BahdanauAttention`` (``torch.empty(...).fill_(SOS_token)``, ``hidden.permute(1, 0, 2)``,
``torch.bmm``, teacher forcing by ``target_tensor[:, i].unsqueeze(1)``), ``train`` with
``Adam`` and ``NLLLoss`` on ``decoder_outputs.view(-1, ...)``, ``evaluate`` (``topk(1)``,
``squeeze()``, iterating ``decoded_ids``), ``evaluateRandomly`` and ``showAttention``'s
matplotlib calls.

The test's glue: PyTorch's initial weights loaded into ours; PyTorch's sampler replays the
order ours drew (its ``RandomSampler`` draws from torch's generator, ours from NumPy's) and
its dropout keeps what ours kept; hooks record each optimizer step.
"""

import contextlib
import io
import random
import re
import types
import warnings

import numpy as np
import pytest

import autograd as ag
from pytorch_examples_helpers import (assert_steps, libraries, record_dropout, record_steps,
                                      replay_dropout)
from seq2seq_corpus import write_corpus
from seq2seq_tutorial import seq2seq
from test_pytorch_ports import _to_numpy

HIDDEN, BATCH = 16, 8


def _sampler_glue(torch, data, order: list):
    """``data`` with its ``RandomSampler`` recording the order it draws (ours), or, for
    PyTorch's, replaced by a sampler replaying that order."""
    if torch is None:
        class RandomSampler(data.RandomSampler):
            def __iter__(self):
                for index in super().__iter__():
                    order.append(index)
                    yield index
    else:
        class RandomSampler(data.Sampler):
            def __init__(self, data_source) -> None:
                self.n = len(data_source)

            def __iter__(self):
                return iter([order.pop(0) for _ in range(self.n)])

            def __len__(self) -> int:
                return self.n
    return types.SimpleNamespace(TensorDataset=data.TensorDataset,
                                 DataLoader=data.DataLoader, RandomSampler=RandomSampler)


def _program(torch, order: list, figures=None, plt=None, seed: int = 0):
    T, lib, optim, data = libraries(torch)
    return seq2seq(T, lib, optim, _sampler_glue(torch, data, order), random.Random(seed),
                   plt, figures)


def _without_times(printed: str) -> str:
    return re.sub(r"-?\d+m -?\d+s", "#", printed)


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    write_corpus(tmp_path / "data" / "eng-fra.txt")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_seq2seq_data_preparation_as_torch(torch, corpus):
    order: list = []
    ours, theirs = _program(None, order), _program(torch, order)
    assert ours.normalizeString(" Élève, à l'école!  ") == "eleve a l ecole !"
    got, want = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(got):
        our_langs = ours.get_dataloader(BATCH)
    with contextlib.redirect_stdout(want):
        their_langs = theirs.get_dataloader(BATCH)
    assert got.getvalue() == want.getvalue()
    assert "Read 52 sentence pairs\nTrimmed to 48 sentence pairs\n" in got.getvalue()
    for a, b in zip(our_langs[:2], their_langs[:2]):
        assert (a.word2index, a.index2word, a.n_words) == (b.word2index, b.index2word,
                                                            b.n_words)
    our_loader, their_loader = our_langs[2], their_langs[2]
    assert len(our_loader) == len(their_loader) == 6
    for a, b in zip(our_loader.dataset.tensors, their_loader.dataset.tensors):
        assert a.dtype == ag.int64 and a.shape == tuple(b.shape) == (48, 7)
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    our_batches = [[t.numpy() for t in batch] for batch in our_loader]
    assert sorted(order) == list(range(48))
    their_batches = [[t.numpy() for t in batch] for batch in their_loader]
    assert order == []
    for a, b in zip(our_batches, their_batches):
        np.testing.assert_array_equal(a, b)
    sentence = ours.tensorFromSentence(our_langs[0], "tu sont pret")
    np.testing.assert_array_equal(
        sentence, theirs.tensorFromSentence(their_langs[0], "tu sont pret").numpy())
    assert sentence.shape == (1, 4) and sentence[0, -1].item() == ours.EOS_token


def _models(torch, ours, theirs, langs, Decoder: str):
    torch.manual_seed(0)
    their_models = (theirs.EncoderRNN(langs[0].n_words, HIDDEN).to(theirs.device),
                    getattr(theirs, Decoder)(HIDDEN, langs[1].n_words).to(theirs.device))
    our_models = (ours.EncoderRNN(langs[0].n_words, HIDDEN).to(ours.device),
                  getattr(ours, Decoder)(HIDDEN, langs[1].n_words).to(ours.device))
    for a, b in zip(our_models, their_models):
        a.load_state_dict(_to_numpy(b.state_dict()))
    return our_models, their_models


def train_both(torch, Decoder: str, n_epochs: int, figures=None, plt=None):
    """Train ours and PyTorch's from the same weights, order and dropout; what each printed,
    its plot losses, models and records of the steps."""
    order, masks, runs = [], [], []
    ag.manual_seed(0)  # our sampler's order and dropout masks
    for library in (None, torch):
        program = _program(library, order, figures, plt)
        printed, steps = io.StringIO(), []
        with contextlib.redirect_stdout(printed):
            langs = program.get_dataloader(BATCH)
            runs.append([printed, steps, program, langs])
        if library is None:
            continue
        (encoder, decoder), (their_encoder, their_decoder) = _models(
            torch, runs[0][2], program, langs, Decoder)
        record_dropout(encoder, masks), record_dropout(decoder, masks)
        replay_dropout(torch, their_encoder, masks), replay_dropout(torch, their_decoder, masks)
        runs[0] += [encoder, decoder]
        runs[1] += [their_encoder, their_decoder]
    for printed, steps, program, langs, encoder, decoder in runs:
        with contextlib.redirect_stdout(printed):
            losses = program.train(langs[2], encoder, decoder, n_epochs, learning_rate=0.01,
                                   print_every=1, plot_every=1, optimizers=lambda *opts: [
                                       record_steps(opt, steps) for opt in opts])
        printed.losses = losses
    assert order == [] and masks == []  # PyTorch's run replayed every one
    return runs


def test_seq2seq_attention_trains_as_torch(torch, corpus):
    (got, got_steps, ours, langs, encoder, decoder), (want, want_steps, theirs, their_langs,
                                                     their_encoder, their_decoder) = \
        train_both(torch, "AttnDecoderRNN", n_epochs=2)
    assert _without_times(got.getvalue()) == _without_times(want.getvalue())
    assert "# (- #) (2 100%) " in _without_times(got.getvalue())
    np.testing.assert_allclose(got.losses, want.losses, rtol=1e-10)
    assert len(got_steps) == 2 * 2 * 2 * 6  # grads and parameters, two optimizers, 6 steps
    # Va's bias shifts every score alike, which softmax ignores: its gradient is rounding
    # noise (~1e-17), and Adam's step divides it by ~eps: the steps it takes agree to ~1e-11
    assert_steps(got_steps, want_steps, atol=1e-10)
    for a, b in ((encoder, their_encoder), (decoder, their_decoder)):
        for name, value in b.state_dict().items():
            np.testing.assert_allclose(a.state_dict()[name], value.numpy(), atol=1e-10)

    encoder.eval(), decoder.eval(), their_encoder.eval(), their_decoder.eval()
    pairs = ours.prepareData("eng", "fra", True)[2]
    for run, program, lang in ((got, ours, langs), (want, theirs, their_langs)):
        with contextlib.redirect_stdout(io.StringIO()) as printed:
            program.evaluateRandomly(*((encoder, decoder) if program is ours else
                                       (their_encoder, their_decoder)),
                                     pairs, lang[0], lang[1], n=4)
        run.evaluated = printed.getvalue()
    assert got.evaluated == want.evaluated and got.evaluated.count("\n< ") == 4
    words, attentions = ours.evaluate(encoder, decoder, pairs[1][0], *langs[:2])
    their_words, their_attentions = theirs.evaluate(their_encoder, their_decoder, pairs[1][0],
                                                    *their_langs[:2])
    assert words == their_words and len(words) >= 1
    n_inputs = len(pairs[1][0].split(" ")) + 1  # and EOS
    assert attentions.shape == tuple(their_attentions.shape) == (1, 7, n_inputs)
    np.testing.assert_allclose(attentions.numpy(), their_attentions.numpy(), rtol=1e-10)
    np.testing.assert_allclose(attentions.sum(-1).numpy(), 1.0, rtol=1e-12)


def test_seq2seq_show_attention(torch, corpus):
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    figures = corpus / "figures"
    figures.mkdir()
    (got, _, ours, langs, encoder, decoder), _ = train_both(
        torch, "AttnDecoderRNN", n_epochs=1, figures=figures, plt=plt)
    assert (figures / "losses.png").stat().st_size > 0
    encoder.eval(), decoder.eval()
    with warnings.catch_warnings():  # matplotlib's about the tutorial's set_xticklabels
        warnings.filterwarnings("ignore", "set_ticklabels", UserWarning)
        with contextlib.redirect_stdout(io.StringIO()) as printed:
            ax = ours.evaluateAndShowAttention(encoder, decoder, "tu sont pret", *langs[:2])
    assert printed.getvalue().startswith("input = tu sont pret\noutput = ")
    assert (figures / "attention.png").stat().st_size > 0
    n_words = len(printed.getvalue().splitlines()[1].split(" ")) - 2
    image = ax.images[0].get_array()
    assert image.shape == (n_words, 4)  # three words and EOS
    np.testing.assert_allclose(np.asarray(image).sum(axis=1), 1.0, rtol=1e-12)

