"""pytorch/examples' ``word_language_model/generate.py``, ported as its readers write it:
the model saved by ``main.py`` is loaded, put in ``eval()`` mode, and words are sampled
under ``no_grad()`` from ``exp(output / temperature)`` with ``multinomial``; the RNN's
input is refilled in place (``input.fill_(word_idx)``) and its hidden state carried, the
Transformer's input grows by ``cat`` (``has_mask=False``). The models are
``test_pytorch_ports_word_lm.py``'s, their files saved from PyTorch's weights. Both runs
draw the same words, so the weights of every step agree with PyTorch's to 1e-10, and the
files written are the same.

Lines written differently here (and those listed in ``test_pytorch_ports_word_lm.py``):
- ``model = torch.load(f, map_location=device)`` unpickles the whole module; here the file
  holds its state: the model is built as ``main.py`` built it and loads it
  (``model.load_state_dict(nn.load(f, map_location=device)['model'])``), in both runs;
- ``torch.randint(ntokens, (1, 1), dtype=torch.long)`` and ``torch.multinomial`` draw
  from one seeded NumPy generator both runs share (the two libraries' generators differ);
  ``autograd.multinomial`` in the same loop is run on its own below.
"""

import argparse

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports_gpt_lecture import assert_records, to_numpy
from test_pytorch_ports_word_lm import data_program, libraries, model_program, write_corpus


def shared_sampling(torch, seed: int = 1111) -> tuple:
    """``torch.randint(high, size, dtype=)`` and ``torch.multinomial(weights, 1)`` drawn
    by inverse CDF from one NumPy generator both runs seed alike."""
    rng = np.random.default_rng(seed)

    def randint(high, size, dtype):
        return torch.tensor(rng.integers(0, high, size), dtype=dtype)

    def multinomial(weights, num_samples):
        cdf = np.cumsum(weights.numpy())
        return torch.tensor([int(np.searchsorted(cdf, rng.random() * cdf[-1], side='right'))])

    return randint, multinomial


def generate_program(torch, nn, argv, build, randint, multinomial) -> list:
    """generate.py; the word weights of every step."""
    data = argparse.Namespace(Corpus=data_program(torch)[1])  # import data
    parser = argparse.ArgumentParser(description='PyTorch Wikitext-2 Language Model')
    parser.add_argument('--data', type=str, default='./data/wikitext-2')
    parser.add_argument('--checkpoint', type=str, default='./model.pt')
    parser.add_argument('--outf', type=str, default='generated.txt')
    parser.add_argument('--words', type=int, default='1000')
    parser.add_argument('--seed', type=int, default=1111)
    parser.add_argument('--cuda', action='store_true', default=False)
    parser.add_argument('--temperature', type=float, default=1.0)
    parser.add_argument('--log-interval', type=int, default=100)
    args = parser.parse_args(argv)
    record = []

    # Set the random seed manually for reproducibility.
    torch.manual_seed(args.seed)
    if torch.cuda.is_available():
        if not args.cuda:
            print("WARNING: You have a CUDA device, so you should probably run with --cuda")

    device = torch.device("cuda" if args.cuda else "cpu")

    if args.temperature < 1e-3:
        parser.error("--temperature has to be greater or equal 1e-3")

    with open(args.checkpoint, 'rb') as f:  # model = torch.load(f, map_location=device)
        model = build()
        if torch is ag:
            model.load_state_dict(nn.load(f, map_location=device)['model'])
        else:
            model.load_state_dict(torch.load(f, map_location=device))
    model.eval()

    corpus = data.Corpus(args.data)
    ntokens = len(corpus.dictionary)

    is_transformer_model = hasattr(model, 'model_type') and model.model_type == 'Transformer'
    if not is_transformer_model:
        hidden = model.init_hidden(1)
    input = randint(ntokens, (1, 1), dtype=torch.long).to(device)

    with open(args.outf, 'w') as outf:
        with torch.no_grad():  # no tracking history
            for i in range(args.words):
                if is_transformer_model:
                    output = model(input, False)
                    word_weights = output[-1].squeeze().div(args.temperature).exp().cpu()
                    word_idx = multinomial(word_weights, 1)[0]
                    word_tensor = torch.Tensor([[word_idx]]).long().to(device)
                    input = torch.cat([input, word_tensor], 0)
                else:
                    output, hidden = model(input, hidden)
                    word_weights = output.squeeze().div(args.temperature).exp().cpu()
                    word_idx = multinomial(word_weights, 1)[0]
                    input.fill_(word_idx)

                word = corpus.dictionary.idx2word[word_idx]
                record += [word_weights.numpy().copy(), word]

                outf.write(word + ('\n' if i % 20 == 19 else ' '))

                if i % args.log_interval == 0:
                    print('| Generated {}/{} words'.format(i, args.words))
    return record


def builder(torch, kind: str, ntokens: int):
    """The model main.py built (SMALL's sizes), for its saved state."""
    RNNModel, _, TransformerModel = model_program(*libraries(None if torch is ag else torch))
    if kind == 'Transformer':
        return lambda: TransformerModel(ntokens, 8, 2, 8, 2, 0.0)
    return lambda: RNNModel(kind, ntokens, 8, 8, 2, 0.0)


def save_both(torch, tmp_path, kind: str, ntokens: int) -> None:
    """The files main.py saves: model.pt (PyTorch's weights) and model.npz (the same)."""
    torch.manual_seed(0)
    theirs = builder(torch, kind, ntokens)()
    torch.save(theirs.state_dict(), tmp_path / 'model.pt')
    ours = builder(ag, kind, ntokens)()
    ours.load_state_dict(to_numpy(theirs.state_dict()))
    with open(tmp_path / 'model.npz', 'wb') as f:
        nn.save(f, model=ours)


@pytest.mark.parametrize("kind", ["LSTM", "Transformer"])
@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")  # PyTorch's Transformer
def test_generate_py_samples_as_torch(torch, tmp_path, kind):
    write_corpus(tmp_path / 'data')
    ntokens = len(data_program(ag)[1](str(tmp_path / 'data')).dictionary)
    save_both(torch, tmp_path, kind, ntokens)
    argv = ['--data', str(tmp_path / 'data'), '--words', '25', '--temperature', '0.8',
            '--log-interval', '10']
    want = generate_program(torch, torch.nn, argv + [
        '--checkpoint', str(tmp_path / 'model.pt'), '--outf', str(tmp_path / 'theirs.txt')],
        builder(torch, kind, ntokens), *shared_sampling(torch))
    got = generate_program(ag, nn, argv + [
        '--checkpoint', str(tmp_path / 'model.npz'), '--outf', str(tmp_path / 'ours.txt')],
        builder(ag, kind, ntokens), *shared_sampling(ag))
    assert_records(got, want)
    text = (tmp_path / 'ours.txt').read_text()
    assert text == (tmp_path / 'theirs.txt').read_text() and text.count('\n') == 1
    assert len(text.split()) == 25


@pytest.mark.parametrize("kind", ["GRU", "Transformer"])
def test_generate_py_with_autograds_multinomial(tmp_path, kind):
    """The loop as written, ``torch.randint`` and ``torch.multinomial`` included."""
    write_corpus(tmp_path / 'data')
    ntokens = len(data_program(ag)[1](str(tmp_path / 'data')).dictionary)
    build = builder(ag, kind, ntokens)
    with open(tmp_path / 'model.npz', 'wb') as f:
        nn.save(f, model=build())
    record = generate_program(ag, nn, ['--data', str(tmp_path / 'data'), '--words', '30',
                                       '--checkpoint', str(tmp_path / 'model.npz'),
                                       '--outf', str(tmp_path / 'out.txt')],
                              build, ag.randint, ag.multinomial)
    words = (tmp_path / 'out.txt').read_text().split()
    assert words == record[1::2] and len(set(words)) > 3
