"""A minimal BERT re-implementation as its readers write it (codertimo's ``BERT-pytorch``:
``bert_pytorch/model``, ``dataset/dataset.py`` and ``trainer/pretrain.py``), on the
generated corpus of ``test_pytorch_ports_bert_pretraining.py``, step for step next to
PyTorch (float64): ``TokenEmbedding``/``SegmentEmbedding`` subclassing ``nn.Embedding``
with ``padding_idx=0``, a sinusoidal ``PositionalEmbedding`` buffer, the mask ``(x >
0).unsqueeze(1).repeat(1, x.size(1), 1).unsqueeze(1)`` and ``masked_fill(mask == 0,
-1e9)``, its own ``LayerNorm`` by the unbiased ``x.std(-1, keepdim=True)``, the tanh
``GELU``, ``SublayerConnection`` over a lambda, ``LogSoftmax`` heads with
``nn.NLLLoss(ignore_index=0)`` (the MLM loss over ``output.transpose(1, 2)``, PyTorch's
(N, C, L) layout; the NSP loss ignores its "not next" label 0, as the repository does),
``BERTDataset``'s ``random.random()`` masking (15%, then 80/10/10) through a
``DataLoader`` of dicts, and ``ScheduledOptim``'s Noam rate written into
``param_groups`` around ``Adam(weight_decay=0.01)``.

Written differently here: ``PositionalEmbedding`` builds ``pe`` in the default dtype (the
repository's ``.float()`` would put float32 sines into this float64 comparison) and
leaves out ``pe.require_grad = False`` (a misspelt attribute: a no-op in PyTorch, an
AttributeError on this library's slotted tensors; the buffer needs no grad anyway).
Dropout is 0 (each library draws its own masks; the attention's default 0.1, which
``TransformerBlock`` does not pass on, is set to 0 by ``m.p = 0.0``); Python's
``random`` is shared.
"""

import math
import random

import numpy as np

import autograd as ag
import nn
import nn.functional as nn_F
from test_pytorch_ports_bert_pretraining import NOUNS, VERBS, toy_documents


def bert_pytorch(torch, nn, F):
    class TokenEmbedding(nn.Embedding):
        def __init__(self, vocab_size, embed_size=512):
            super().__init__(vocab_size, embed_size, padding_idx=0)

    class SegmentEmbedding(nn.Embedding):
        def __init__(self, embed_size=512):
            super().__init__(3, embed_size, padding_idx=0)

    class PositionalEmbedding(nn.Module):
        def __init__(self, d_model, max_len=512):
            super().__init__()
            # Compute the positional encodings once in log space.
            pe = torch.zeros(max_len, d_model)  # repo: .float(), then pe.require_grad = False
            position = torch.arange(0, max_len).double().unsqueeze(1)
            div_term = (torch.arange(0, d_model, 2).double()
                        * -(math.log(10000.0) / d_model)).exp()
            pe[:, 0::2] = torch.sin(position * div_term)
            pe[:, 1::2] = torch.cos(position * div_term)
            pe = pe.unsqueeze(0)
            self.register_buffer('pe', pe)

        def forward(self, x):
            return self.pe[:, :x.size(1)]

    class BERTEmbedding(nn.Module):
        def __init__(self, vocab_size, embed_size, dropout=0.1):
            super().__init__()
            self.token = TokenEmbedding(vocab_size=vocab_size, embed_size=embed_size)
            self.position = PositionalEmbedding(d_model=self.token.embedding_dim)
            self.segment = SegmentEmbedding(embed_size=self.token.embedding_dim)
            self.dropout = nn.Dropout(p=dropout)
            self.embed_size = embed_size

        def forward(self, sequence, segment_label):
            x = self.token(sequence) + self.position(sequence) + self.segment(segment_label)
            return self.dropout(x)

    class Attention(nn.Module):
        """Compute 'Scaled Dot Product Attention"""

        def forward(self, query, key, value, mask=None, dropout=None):
            scores = torch.matmul(query, key.transpose(-2, -1)) / math.sqrt(query.size(-1))
            if mask is not None:
                scores = scores.masked_fill(mask == 0, -1e9)
            p_attn = F.softmax(scores, dim=-1)
            if dropout is not None:
                p_attn = dropout(p_attn)
            return torch.matmul(p_attn, value), p_attn

    class MultiHeadedAttention(nn.Module):
        def __init__(self, h, d_model, dropout=0.1):
            super().__init__()
            assert d_model % h == 0
            self.d_k = d_model // h
            self.h = h
            self.linear_layers = nn.ModuleList([nn.Linear(d_model, d_model) for _ in range(3)])
            self.output_linear = nn.Linear(d_model, d_model)
            self.attention = Attention()
            self.dropout = nn.Dropout(p=dropout)

        def forward(self, query, key, value, mask=None):
            batch_size = query.size(0)
            query, key, value = [l(x).view(batch_size, -1, self.h, self.d_k).transpose(1, 2)
                                 for l, x in zip(self.linear_layers, (query, key, value))]  # noqa: E741
            x, attn = self.attention(query, key, value, mask=mask, dropout=self.dropout)
            x = x.transpose(1, 2).contiguous().view(batch_size, -1, self.h * self.d_k)
            return self.output_linear(x)

    class GELU(nn.Module):
        def forward(self, x):
            return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi)
                                             * (x + 0.044715 * torch.pow(x, 3))))

    class LayerNorm(nn.Module):
        def __init__(self, features, eps=1e-6):
            super(LayerNorm, self).__init__()
            self.a_2 = nn.Parameter(torch.ones(features))
            self.b_2 = nn.Parameter(torch.zeros(features))
            self.eps = eps

        def forward(self, x):
            mean = x.mean(-1, keepdim=True)
            std = x.std(-1, keepdim=True)
            return self.a_2 * (x - mean) / (std + self.eps) + self.b_2

    class SublayerConnection(nn.Module):
        def __init__(self, size, dropout):
            super(SublayerConnection, self).__init__()
            self.norm = LayerNorm(size)
            self.dropout = nn.Dropout(dropout)

        def forward(self, x, sublayer):
            return x + self.dropout(sublayer(self.norm(x)))

    class PositionwiseFeedForward(nn.Module):
        def __init__(self, d_model, d_ff, dropout=0.1):
            super(PositionwiseFeedForward, self).__init__()
            self.w_1 = nn.Linear(d_model, d_ff)
            self.w_2 = nn.Linear(d_ff, d_model)
            self.dropout = nn.Dropout(dropout)
            self.activation = GELU()

        def forward(self, x):
            return self.w_2(self.dropout(self.activation(self.w_1(x))))

    class TransformerBlock(nn.Module):
        def __init__(self, hidden, attn_heads, feed_forward_hidden, dropout):
            super().__init__()
            self.attention = MultiHeadedAttention(h=attn_heads, d_model=hidden)
            self.feed_forward = PositionwiseFeedForward(d_model=hidden, d_ff=feed_forward_hidden,
                                                        dropout=dropout)
            self.input_sublayer = SublayerConnection(size=hidden, dropout=dropout)
            self.output_sublayer = SublayerConnection(size=hidden, dropout=dropout)
            self.dropout = nn.Dropout(p=dropout)

        def forward(self, x, mask):
            x = self.input_sublayer(x, lambda _x: self.attention.forward(_x, _x, _x, mask=mask))
            x = self.output_sublayer(x, self.feed_forward)
            return self.dropout(x)

    class BERT(nn.Module):
        def __init__(self, vocab_size, hidden=768, n_layers=12, attn_heads=12, dropout=0.1):
            super().__init__()
            self.hidden = hidden
            self.n_layers = n_layers
            self.attn_heads = attn_heads
            self.feed_forward_hidden = hidden * 4
            self.embedding = BERTEmbedding(vocab_size=vocab_size, embed_size=hidden)
            self.transformer_blocks = nn.ModuleList(
                [TransformerBlock(hidden, attn_heads, hidden * 4, dropout)
                 for _ in range(n_layers)])

        def forward(self, x, segment_info):
            # attention masking for padded token
            mask = (x > 0).unsqueeze(1).repeat(1, x.size(1), 1).unsqueeze(1)
            x = self.embedding(x, segment_info)
            for transformer in self.transformer_blocks:
                x = transformer.forward(x, mask)
            return x

    class NextSentencePrediction(nn.Module):
        def __init__(self, hidden):
            super().__init__()
            self.linear = nn.Linear(hidden, 2)
            self.softmax = nn.LogSoftmax(dim=-1)

        def forward(self, x):
            return self.softmax(self.linear(x[:, 0]))

    class MaskedLanguageModel(nn.Module):
        def __init__(self, hidden, vocab_size):
            super().__init__()
            self.linear = nn.Linear(hidden, vocab_size)
            self.softmax = nn.LogSoftmax(dim=-1)

        def forward(self, x):
            return self.softmax(self.linear(x))

    class BERTLM(nn.Module):
        def __init__(self, bert, vocab_size):
            super().__init__()
            self.bert = bert
            self.next_sentence = NextSentencePrediction(self.bert.hidden)
            self.mask_lm = MaskedLanguageModel(self.bert.hidden, vocab_size)

        def forward(self, x, segment_label):
            x = self.bert(x, segment_label)
            return self.next_sentence(x), self.mask_lm(x)

    class ScheduledOptim():
        '''A simple wrapper class for learning rate scheduling'''

        def __init__(self, optimizer, d_model, n_warmup_steps):
            self._optimizer = optimizer
            self.n_warmup_steps = n_warmup_steps
            self.n_current_steps = 0
            self.init_lr = np.power(d_model, -0.5)

        def step_and_update_lr(self):
            self._update_learning_rate()
            self._optimizer.step()

        def zero_grad(self):
            self._optimizer.zero_grad()

        def _get_lr_scale(self):
            return np.min([np.power(self.n_current_steps, -0.5),
                           np.power(self.n_warmup_steps, -1.5) * self.n_current_steps])

        def _update_learning_rate(self):
            self.n_current_steps += 1
            lr = self.init_lr * self._get_lr_scale()
            for param_group in self._optimizer.param_groups:
                param_group['lr'] = lr

    return BERT, BERTLM, ScheduledOptim


class WordVocab:
    """The repository's vocabulary indices: pad 0, unk 1, eos 2, sos 3, mask 4."""
    pad_index, unk_index, eos_index, sos_index, mask_index = 0, 1, 2, 3, 4

    def __init__(self):
        self.itos = ["<pad>", "<unk>", "<eos>", "<sos>", "<mask>", "the"] + NOUNS + VERBS
        self.stoi = {w: i for i, w in enumerate(self.itos)}

    def __len__(self):
        return len(self.itos)


def bert_dataset(torch, data):
    class BERTDataset(data.Dataset):
        def __init__(self, lines, vocab, seq_len):
            self.vocab, self.seq_len, self.lines = vocab, seq_len, lines
            self.corpus_lines = len(lines)

        def __len__(self):
            return self.corpus_lines

        def __getitem__(self, item):
            t1, t2, is_next_label = self.random_sent(item)
            t1_random, t1_label = self.random_word(t1)
            t2_random, t2_label = self.random_word(t2)
            # [CLS] tag = SOS tag, [SEP] tag = EOS tag
            t1 = [self.vocab.sos_index] + t1_random + [self.vocab.eos_index]
            t2 = t2_random + [self.vocab.eos_index]
            t1_label = [self.vocab.pad_index] + t1_label + [self.vocab.pad_index]
            t2_label = t2_label + [self.vocab.pad_index]
            segment_label = ([1 for _ in range(len(t1))] + [2 for _ in range(len(t2))])
            segment_label = segment_label[:self.seq_len]
            bert_input = (t1 + t2)[:self.seq_len]
            bert_label = (t1_label + t2_label)[:self.seq_len]
            padding = [self.vocab.pad_index for _ in range(self.seq_len - len(bert_input))]
            bert_input.extend(padding), bert_label.extend(padding)
            segment_label.extend(padding)
            output = {"bert_input": bert_input, "bert_label": bert_label,
                      "segment_label": segment_label, "is_next": is_next_label}
            return {key: torch.tensor(value) for key, value in output.items()}

        def random_word(self, sentence):
            tokens = sentence.split()
            output_label = []
            for i, token in enumerate(tokens):
                prob = random.random()
                if prob < 0.15:
                    prob /= 0.15
                    # 80% randomly change token to mask token
                    if prob < 0.8:
                        tokens[i] = self.vocab.mask_index
                    # 10% randomly change token to random token
                    elif prob < 0.9:
                        tokens[i] = random.randrange(len(self.vocab))
                    # 10% randomly change token to current token
                    else:
                        tokens[i] = self.vocab.stoi.get(token, self.vocab.unk_index)
                    output_label.append(self.vocab.stoi.get(token, self.vocab.unk_index))
                else:
                    tokens[i] = self.vocab.stoi.get(token, self.vocab.unk_index)
                    output_label.append(0)
            return tokens, output_label

        def random_sent(self, index):
            t1, t2 = self.lines[index]
            # output_text, label(isNotNext:0, isNext:1)
            if random.random() > 0.5:
                return t1, t2, 1
            return t1, self.lines[random.randrange(len(self.lines))][1], 0

    return BERTDataset


def pretrain(torch, nn, F, optim, data, record: list, weights) -> None:
    BERT, BERTLM, ScheduledOptim = bert_pytorch(torch, nn, F)
    vocab = WordVocab()
    lines = [(" ".join(doc[i]), " ".join(doc[i + 1])) for doc in toy_documents(8, seed=2)
             for i in range(len(doc) - 1)]
    random.seed(0)
    train_dataset = bert_dataset(torch, data)(lines, vocab, seq_len=15)
    train_data_loader = data.DataLoader(train_dataset, batch_size=8)
    torch.manual_seed(0)
    bert = BERT(len(vocab), hidden=16, n_layers=2, attn_heads=2, dropout=0.0)
    model = BERTLM(bert, len(vocab))
    for module in model.modules():  # MultiHeadedAttention keeps its default dropout 0.1
        if isinstance(module, nn.Dropout):
            module.p = 0.0
    weights(model)
    optimizer = optim.Adam(model.parameters(), lr=1e-4, betas=(0.9, 0.999), weight_decay=0.01)
    optim_schedule = ScheduledOptim(optimizer, bert.hidden, n_warmup_steps=3)
    criterion = nn.NLLLoss(ignore_index=0)
    for epoch in range(2):
        total_correct = 0
        for data_ in train_data_loader:
            next_sent_output, mask_lm_output = model.forward(data_["bert_input"],
                                                             data_["segment_label"])
            next_loss = criterion(next_sent_output, data_["is_next"])
            mask_loss = criterion(mask_lm_output.transpose(1, 2), data_["bert_label"])
            loss = next_loss + mask_loss
            optim_schedule.zero_grad()
            loss.backward()
            optim_schedule.step_and_update_lr()
            correct = next_sent_output.argmax(dim=-1).eq(data_["is_next"]).sum().item()
            total_correct += correct
            record += [data_["bert_input"], data_["bert_label"], next_loss.item(),
                       mask_loss.item(), optimizer.param_groups[0]["lr"],
                       model.bert.embedding.token.weight.grad]
        record.append(total_correct)
    record += list(model.parameters())


def test_bert_pytorch_pretraining_matches_pytorch(torch):
    from test_pytorch_ports_nlp_tutorial import assert_records, weight_sync

    ours, theirs = weight_sync()
    want, got = [], []
    pretrain(torch, torch.nn, torch.nn.functional, torch.optim, torch.utils.data, want,
             theirs)
    pretrain(ag, nn, nn_F, nn.optim, nn.data, got, ours)
    assert_records(got, want)
