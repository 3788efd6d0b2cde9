"""Shared pieces of the ports of d2l.ai's sequence and attention chapters
(``test_pytorch_ports_d2l_rnn*.py``, ``test_pytorch_ports_d2l_attention*.py``): the
generated corpora standing in for "The Time Machine" and the English-French pairs, d2l's
text preprocessing and ``Vocab``, its minibatch iterators, ``grad_clipping``, ``sgd`` and
``sequence_mask``, each written once for a library ``T`` (``autograd`` or ``torch``).

Where d2l's line is written differently (see ``test_pytorch_ports_d2l.py`` for the
chapters before): ``random.randint`` / ``random.shuffle`` are a seeded ``random.Random``
given to both runs; ``torch.randn``/``rand``/``normal`` of the from-scratch models are
``SharedRandom``'s (the same numbers in both libraries); concise models start from
PyTorch's weights (``weight_sync``, PyTorch's program runs first).
"""

import collections
import random
import re

import numpy as np

import autograd as ag
import nn
import nn.functional as nn_F
from test_pytorch_ports_nlp_tutorial import (Printed, SharedRandom, assert_records,
                                             weight_sync)

__all__ = ["Printed", "assert_records", "weight_sync", "libraries", "time_machine_lines",
           "tokenize", "Vocab", "count_corpus", "load_corpus", "seq_data_iter_random",
           "seq_data_iter_sequential", "grad_clipping", "sgd", "sequence_mask",
           "nmt_text", "preprocess_nmt", "tokenize_nmt", "truncate_pad", "build_array_nmt",
           "bleu", "Random"]

WORDS = ("the time traveller said machine and we of it was in a for".split()
         + "he that to his as had what you is were there but on".split())


class Random(SharedRandom):
    """``SharedRandom`` with ``rand`` and ``normal`` too, and d2l's keywords ``size=``
    and ``device=`` (passed on to the library's ``tensor``)."""

    def randn(self, *size, **kwargs):
        return self.library.tensor(self.rng.standard_normal(_size(size, kwargs)), **kwargs)

    def rand(self, *size, **kwargs):
        return self.library.tensor(self.rng.random(_size(size, kwargs)), **kwargs)

    def normal(self, mean, std, size):
        return self.library.tensor(self.rng.normal(mean, std, size))


def _size(size: tuple, kwargs: dict) -> tuple:
    if "size" in kwargs:
        return tuple(kwargs.pop("size"))
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size


def libraries(torch=None) -> tuple:
    """(T, lib, F, optim, data): ``T``'s randn/rand/normal shared (``Random``)."""
    if torch is None:
        return Random(ag), nn, nn_F, nn.optim, nn.data
    return (Random(torch), torch.nn, torch.nn.functional, torch.optim,
            torch.utils.data)


def time_machine_lines(n: int = 60, seed: int = 0) -> list[str]:
    """d2l's ``read_time_machine()`` on generated lines (a word list, capitals and
    punctuation for its regular expression to remove)."""
    rng = random.Random(seed)
    raw = []
    for _ in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(3, 9))]
        raw.append(" ".join(words).capitalize() + rng.choice([".", ",", "!", "?", ";"]))
    return [re.sub('[^A-Za-z]+', ' ', line).strip().lower() for line in raw]


def tokenize(lines, token='word'):
    """Split text lines into word or character tokens."""
    if token == 'word':
        return [line.split() for line in lines]
    elif token == 'char':
        return [list(line) for line in lines]
    else:
        print('ERROR: unknown token type: ' + token)


class Vocab:
    """Vocabulary for text."""

    def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
        if tokens is None:
            tokens = []
        if reserved_tokens is None:
            reserved_tokens = []
        # Sort according to frequencies
        counter = count_corpus(tokens)
        self.token_freqs = sorted(counter.items(), key=lambda x: x[1], reverse=True)
        # The index for the unknown token is 0
        self.unk, uniq_tokens = 0, ['<unk>'] + reserved_tokens
        uniq_tokens += [token for token, freq in self.token_freqs
                        if freq >= min_freq and token not in uniq_tokens]
        self.idx_to_token, self.token_to_idx = [], dict()
        for token in uniq_tokens:
            self.idx_to_token.append(token)
            self.token_to_idx[token] = len(self.idx_to_token) - 1

    def __len__(self):
        return len(self.idx_to_token)

    def __getitem__(self, tokens):
        if not isinstance(tokens, (list, tuple)):
            return self.token_to_idx.get(tokens, self.unk)
        return [self.__getitem__(token) for token in tokens]

    def to_tokens(self, indices):
        if not isinstance(indices, (list, tuple)):
            return self.idx_to_token[indices]
        return [self.idx_to_token[index] for index in indices]


def count_corpus(tokens):
    """Count token frequencies."""
    # Here `tokens` is a 1D list or 2D list
    if len(tokens) == 0 or isinstance(tokens[0], list):
        # Flatten a list of token lists into a list of tokens
        tokens = [token for line in tokens for token in line]
    return collections.Counter(tokens)


def load_corpus(max_tokens=-1):
    """d2l's ``load_corpus_time_machine``: character indices and their vocabulary."""
    tokens = tokenize(time_machine_lines(), 'char')
    vocab = Vocab(tokens)
    corpus = [vocab[token] for line in tokens for token in line]
    if max_tokens > 0:
        corpus = corpus[:max_tokens]
    return corpus, vocab


def seq_data_iter_random(T, corpus, batch_size, num_steps, rnd):
    """Generate a minibatch of subsequences using random sampling."""
    corpus = corpus[rnd.randint(0, num_steps - 1):]  # d2l: random.randint
    num_subseqs = (len(corpus) - 1) // num_steps
    initial_indices = list(range(0, num_subseqs * num_steps, num_steps))
    rnd.shuffle(initial_indices)

    def data(pos):
        return corpus[pos: pos + num_steps]

    num_batches = num_subseqs // batch_size
    for i in range(0, batch_size * num_batches, batch_size):
        initial_indices_per_batch = initial_indices[i: i + batch_size]
        X = [data(j) for j in initial_indices_per_batch]
        Y = [data(j + 1) for j in initial_indices_per_batch]
        yield T.tensor(X), T.tensor(Y)


def seq_data_iter_sequential(T, corpus, batch_size, num_steps, rnd):
    """Generate a minibatch of subsequences using sequential partitioning."""
    offset = rnd.randint(0, num_steps)
    num_tokens = ((len(corpus) - offset - 1) // batch_size) * batch_size
    Xs = T.tensor(corpus[offset: offset + num_tokens])
    Ys = T.tensor(corpus[offset + 1: offset + 1 + num_tokens])
    Xs, Ys = Xs.reshape(batch_size, -1), Ys.reshape(batch_size, -1)
    num_batches = Xs.shape[1] // num_steps
    for i in range(0, num_steps * num_batches, num_steps):
        X = Xs[:, i: i + num_steps]
        Y = Ys[:, i: i + num_steps]
        yield X, Y


def grad_clipping(T, lib, net, theta):
    """Clip the gradient."""
    if isinstance(net, lib.Module):
        params = [p for p in net.parameters() if p.requires_grad]
    else:
        params = net.params
    norm = T.sqrt(sum(T.sum((p.grad ** 2)) for p in params))
    if norm > theta:
        for param in params:
            param.grad[:] *= theta / norm


def sgd(T, params, lr, batch_size):
    """Minibatch stochastic gradient descent (d2l's ``param.data.sub_(...)`` is written on
    the parameter under ``no_grad()``: ``.data`` is NumPy's array here)."""
    with T.no_grad():
        for param in params:
            param.sub_(lr * param.grad / batch_size)
            param.grad.zero_()


def sequence_mask(T, X, valid_len, value=0):
    """Mask irrelevant entries in sequences."""
    maxlen = X.size(1)
    mask = T.arange((maxlen), dtype=T.float32,
                    device=X.device)[None, :] < valid_len[:, None]
    X[~mask] = value
    return X


# ------------------------------------------------------------------ translation data
def nmt_text(n: int = 40, seed: int = 1) -> str:
    """A generated stand-in for d2l's ``read_data_nmt()``: "english\\tfrench" lines, the
    French a word-for-word code of the English with its words reversed."""
    rng = random.Random(seed)
    english = "go run i am he she we see the cat dog big small walk".split()
    french = "va cours je suis il elle nous vois le chat chien grand petit marche".split()
    code = dict(zip(english, french))
    lines = []
    for _ in range(n):
        words = [rng.choice(english) for _ in range(rng.randint(1, 4))]
        mark = rng.choice(["!", ".", "?"])
        lines.append(" ".join(words).capitalize() + mark + "\t"
                     + " ".join(code[w] for w in reversed(words)).capitalize() + "\u202f" + mark)
    return "\n".join(lines)


def preprocess_nmt(text):
    """Preprocess the English-French dataset."""
    def no_space(char, prev_char):
        return char in set(',.!?') and prev_char != ' '

    text = text.replace('\u202f', ' ').replace('\xa0', ' ').lower()
    out = [' ' + char if i > 0 and no_space(char, text[i - 1]) else char
           for i, char in enumerate(text)]
    return ''.join(out)


def tokenize_nmt(text, num_examples=None):
    """Tokenize the English-French dataset."""
    source, target = [], []
    for i, line in enumerate(text.split('\n')):
        if num_examples and i > num_examples:
            break
        parts = line.split('\t')
        if len(parts) == 2:
            source.append(parts[0].split(' '))
            target.append(parts[1].split(' '))
    return source, target


def truncate_pad(line, num_steps, padding_token):
    """Truncate or pad sequences."""
    if len(line) > num_steps:
        return line[:num_steps]  # Truncate
    return line + [padding_token] * (num_steps - len(line))  # Pad


def build_array_nmt(T, lines, vocab, num_steps):
    """Transform text sequences of machine translation into minibatches."""
    lines = [vocab[l] for l in lines]  # noqa: E741 (d2l's name)
    lines = [l + [vocab['<eos>']] for l in lines]  # noqa: E741
    array = T.tensor([truncate_pad(l, num_steps, vocab['<pad>']) for l in lines])  # noqa: E741
    valid_len = (array != vocab['<pad>']).type(T.int32).sum(1)
    return array, valid_len


def load_data_nmt(T, data, batch_size, num_steps, num_examples=600):
    """The iterator (``shuffle=False``: the two libraries' generators differ) and the
    vocabularies of the translation data."""
    text = preprocess_nmt(nmt_text())
    source, target = tokenize_nmt(text, num_examples)
    src_vocab = Vocab(source, min_freq=2, reserved_tokens=['<pad>', '<bos>', '<eos>'])
    tgt_vocab = Vocab(target, min_freq=2, reserved_tokens=['<pad>', '<bos>', '<eos>'])
    src_array, src_valid_len = build_array_nmt(T, source, src_vocab, num_steps)
    tgt_array, tgt_valid_len = build_array_nmt(T, target, tgt_vocab, num_steps)
    data_arrays = (src_array, src_valid_len, tgt_array, tgt_valid_len)
    data_iter = data.DataLoader(data.TensorDataset(*data_arrays), batch_size, shuffle=False)
    return data_iter, src_vocab, tgt_vocab


def bleu(pred_seq, label_seq, k):
    """Compute the BLEU."""
    import math
    pred_tokens, label_tokens = pred_seq.split(' '), label_seq.split(' ')
    len_pred, len_label = len(pred_tokens), len(label_tokens)
    score = math.exp(min(0, 1 - len_label / len_pred))
    for n in range(1, k + 1):
        num_matches, label_subs = 0, collections.defaultdict(int)
        for i in range(len_label - n + 1):
            label_subs[''.join(label_tokens[i: i + n])] += 1
        for i in range(len_pred - n + 1):
            if label_subs[''.join(pred_tokens[i: i + n])] > 0:
                num_matches += 1
                label_subs[''.join(pred_tokens[i: i + n])] -= 1
        score *= math.pow(num_matches / (len_pred - n + 1), math.pow(0.5, n))
    return score


def as_numpy(value) -> np.ndarray:
    return value.detach().numpy().copy()
