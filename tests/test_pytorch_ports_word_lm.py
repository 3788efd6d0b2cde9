"""pytorch/examples' ``word_language_model``, ported as its readers write it: ``data.py``'s
``Dictionary``/``Corpus`` on a small generated text written to ``tmp_path``, and
``model.py``'s ``RNNModel`` (RNN_TANH, RNN_RELU, LSTM, GRU; dropout; tied weights;
``init_weights``, ``init_hidden``) and ``TransformerModel`` (an ``nn.Transformer`` whose
``decoder`` is replaced by a Linear; ``PositionalEncoding`` as a buffer; the square
subsequent mask kept in ``src_mask``). ``main.py`` trains them step for step next to
PyTorch in ``test_pytorch_ports_word_lm_main.py``, ``generate.py`` samples from them in
``test_pytorch_ports_word_lm_generate.py``.

The library is passed in as ``torch`` (here ``autograd``), with its ``nn`` and ``F``.
"""

import math
import os
from io import open

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as nn_F


def libraries(torch=None) -> tuple:
    """(torch, nn, F) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn_F
    return torch, torch.nn, torch.nn.functional


WORDS = ("the cat sat on a mat and the dog ran to the red door while a bird sang "
         "over it").split()


def write_corpus(path, seed: int = 0) -> None:
    """train.txt, valid.txt and test.txt: lines of words from WORDS (every word in train)."""
    rng = np.random.default_rng(seed)
    os.makedirs(path, exist_ok=True)
    for name, lines in [("train", 12), ("valid", 5), ("test", 5)]:
        text = [" ".join(WORDS)] if name == "train" else []
        text += [" ".join(rng.choice(WORDS, rng.integers(3, 9))) for _ in range(lines)]
        with open(os.path.join(path, f"{name}.txt"), "w", encoding="utf8") as f:
            f.write("\n".join(text) + "\n")


# ------------------------------------------------------------------ data.py
def data_program(torch):
    class Dictionary(object):
        def __init__(self):
            self.word2idx = {}
            self.idx2word = []

        def add_word(self, word):
            if word not in self.word2idx:
                self.idx2word.append(word)
                self.word2idx[word] = len(self.idx2word) - 1
            return self.word2idx[word]

        def __len__(self):
            return len(self.idx2word)

    class Corpus(object):
        def __init__(self, path):
            self.dictionary = Dictionary()
            self.train = self.tokenize(os.path.join(path, 'train.txt'))
            self.valid = self.tokenize(os.path.join(path, 'valid.txt'))
            self.test = self.tokenize(os.path.join(path, 'test.txt'))

        def tokenize(self, path):
            """Tokenizes a text file."""
            assert os.path.exists(path)
            # Add words to the dictionary
            with open(path, 'r', encoding="utf8") as f:
                for line in f:
                    words = line.split() + ['<eos>']
                    for word in words:
                        self.dictionary.add_word(word)

            # Tokenize file content
            with open(path, 'r', encoding="utf8") as f:
                idss = []
                for line in f:
                    words = line.split() + ['<eos>']
                    ids = []
                    for word in words:
                        ids.append(self.dictionary.word2idx[word])
                    idss.append(torch.tensor(ids).type(torch.int64))
                ids = torch.cat(idss)

            return ids

    return Dictionary, Corpus


# ------------------------------------------------------------------ model.py
def model_program(torch, nn, F):
    class RNNModel(nn.Module):
        """Container module with an encoder, a recurrent module, and a decoder."""

        def __init__(self, rnn_type, ntoken, ninp, nhid, nlayers, dropout=0.5,
                     tie_weights=False):
            super(RNNModel, self).__init__()
            self.ntoken = ntoken
            self.drop = nn.Dropout(dropout)
            self.encoder = nn.Embedding(ntoken, ninp)
            if rnn_type in ['LSTM', 'GRU']:
                self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, dropout=dropout)
            else:
                try:
                    nonlinearity = {'RNN_TANH': 'tanh', 'RNN_RELU': 'relu'}[rnn_type]
                except KeyError as e:
                    raise ValueError("""An invalid option for `--model` was supplied,
                                 options are ['LSTM', 'GRU', 'RNN_TANH' or 'RNN_RELU']""") from e
                self.rnn = nn.RNN(ninp, nhid, nlayers, nonlinearity=nonlinearity,
                                  dropout=dropout)
            self.decoder = nn.Linear(nhid, ntoken)

            # Optionally tie weights as in:
            # "Using the Output Embedding to Improve Language Models" (Press & Wolf 2016)
            if tie_weights:
                if nhid != ninp:
                    raise ValueError('When using the tied flag, nhid must be equal to emsize')
                self.decoder.weight = self.encoder.weight

            self.init_weights()

            self.rnn_type = rnn_type
            self.nhid = nhid
            self.nlayers = nlayers

        def init_weights(self):
            initrange = 0.1
            nn.init.uniform_(self.encoder.weight, -initrange, initrange)
            nn.init.zeros_(self.decoder.bias)
            nn.init.uniform_(self.decoder.weight, -initrange, initrange)

        def forward(self, input, hidden):
            emb = self.drop(self.encoder(input))
            output, hidden = self.rnn(emb, hidden)
            output = self.drop(output)
            decoded = self.decoder(output)
            decoded = decoded.view(-1, self.ntoken)
            return F.log_softmax(decoded, dim=1), hidden

        def init_hidden(self, bsz):
            weight = next(self.parameters())
            if self.rnn_type == 'LSTM':
                return (weight.new_zeros(self.nlayers, bsz, self.nhid),
                        weight.new_zeros(self.nlayers, bsz, self.nhid))
            else:
                return weight.new_zeros(self.nlayers, bsz, self.nhid)

    class PositionalEncoding(nn.Module):
        r"""Inject some information about the relative or absolute position of the tokens
        in the sequence: PE(pos, 2i) = sin(pos/10000^(2i/d_model)),
        PE(pos, 2i+1) = cos(pos/10000^(2i/d_model))."""

        def __init__(self, d_model, dropout=0.1, max_len=5000):
            super(PositionalEncoding, self).__init__()
            self.dropout = nn.Dropout(p=dropout)

            pe = torch.zeros(max_len, d_model)
            position = torch.arange(0, max_len, dtype=torch.float).unsqueeze(1)
            div_term = torch.exp(torch.arange(0, d_model, 2).float()
                                 * (-math.log(10000.0) / d_model))
            pe[:, 0::2] = torch.sin(position * div_term)
            pe[:, 1::2] = torch.cos(position * div_term)
            pe = pe.unsqueeze(0).transpose(0, 1)
            self.register_buffer('pe', pe)

        def forward(self, x):
            x = x + self.pe[:x.size(0), :]
            return self.dropout(x)

    class TransformerModel(nn.Transformer):
        """Container module with an encoder, a recurrent or transformer module, and a
        decoder."""

        def __init__(self, ntoken, ninp, nhead, nhid, nlayers, dropout=0.5):
            super(TransformerModel, self).__init__(d_model=ninp, nhead=nhead,
                                                   dim_feedforward=nhid,
                                                   num_encoder_layers=nlayers)
            self.model_type = 'Transformer'
            self.src_mask = None
            self.pos_encoder = PositionalEncoding(ninp, dropout)

            self.input_emb = nn.Embedding(ntoken, ninp)
            self.ninp = ninp
            self.decoder = nn.Linear(ninp, ntoken)

            self.init_weights()

        def _generate_square_subsequent_mask(self, sz):
            mask = (torch.triu(torch.ones(sz, sz)) == 1).transpose(0, 1)
            mask = mask.float().masked_fill(mask == 0, float('-inf')).masked_fill(
                mask == 1, float(0.0))
            return mask

        def init_weights(self):
            initrange = 0.1
            nn.init.uniform_(self.input_emb.weight, -initrange, initrange)
            nn.init.zeros_(self.decoder.bias)
            nn.init.uniform_(self.decoder.weight, -initrange, initrange)

        def forward(self, src, has_mask=True):
            if has_mask:
                device = src.device
                if self.src_mask is None or self.src_mask.size(0) != len(src):
                    mask = self._generate_square_subsequent_mask(len(src)).to(device)
                    self.src_mask = mask
            else:
                self.src_mask = None

            src = self.input_emb(src) * math.sqrt(self.ninp)
            src = self.pos_encoder(src)
            output = self.encoder(src, mask=self.src_mask)
            output = self.decoder(output)
            return F.log_softmax(output, dim=-1)

    return RNNModel, PositionalEncoding, TransformerModel


def test_an_unknown_model_is_main_pys_value_error():
    with pytest.raises(ValueError, match="An invalid option for `--model`"):
        model_program(ag, nn, nn_F)[0]('LSTMX', 10, 4, 4, 1)
    with pytest.raises(ValueError, match="nhid must be equal to emsize"):
        model_program(ag, nn, nn_F)[0]('GRU', 10, 4, 6, 2, tie_weights=True)


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")  # PyTorch's Transformer
def test_the_square_subsequent_masks_agree(torch):
    """model.py's mask (triu == 1, masked_fill with -inf and 0), the newer model.py's
    ``torch.log(torch.tril(torch.ones(sz, sz)))`` and nn.Transformer's static method: one
    mask, here and in PyTorch (log(0) is -inf without a warning)."""
    for T, lib in [(ag, nn), (torch, torch.nn)]:
        model = model_program(T, lib, lib.functional)[2](10, 4, 2, 8, 1, 0.0)
        mask = model._generate_square_subsequent_mask(5)
        newer = T.log(T.tril(T.ones(5, 5)))
        np.testing.assert_array_equal(mask.numpy(), newer.numpy())
        np.testing.assert_array_equal(
            mask.numpy(), lib.Transformer.generate_square_subsequent_mask(5).numpy())
