"""Sequence taggers over padded batches, ported as their readers write them:
bentrevett/pytorch-pos-tagging's ``BiLSTMPOSTagger`` (time-major, ``model.apply`` of an
``init.normal_`` initialiser, ``CrossEntropyLoss(ignore_index=TAG_PAD_IDX)``,
``categorical_accuracy`` through ``nonzero()``), and the packed-sequence BiGRU tagger of
the forum and blog posts (``pad_sequence``, lengths sorted with ``sort(descending=True)``
and the batch permuted, ``pack_padded_sequence``/``pad_packed_sequence`` with
``total_length``, the order restored through the inverse permutation, and a loss masked
by ``tags != PAD``; then the same with ``enforce_sorted=False``). Written once for a
library ``torch``, each runs step for step next to PyTorch from the same weights
(float64): losses, accuracies, gradients and parameters agree to 1e-10.

Lines written differently here, and why:
- ``nn.init.normal_(param.data, mean=0, std=0.1)``: the parameter itself under
  ``no_grad()`` (``.data`` is NumPy's array here); ``sync(model)`` then gives both
  PyTorch's starting values (the generators differ);
- ``(y != tag_pad_idx).nonzero()``: ``nonzero(as_tuple=False)``; the bare method means
  NumPy's tuple as well as PyTorch's (n, ndim) tensor, so it is refused here;
- ``_, unperm_idx = perm_idx.sort(0)``: ``sort(dim=0)``; a bare positional axis means
  NumPy's values as well as PyTorch's pair, so it is refused (``lengths.sort(0,
  descending=True)`` runs as written: ``descending=`` is PyTorch's alone);
- dropout is built with p=0 (the generators differ); there are more tags (9) than
  steps in a batch (at most 8): ``F.cross_entropy`` of an (N, C, T) input with C == T
  reads two ways here (classes last, or on axis 1 as in PyTorch) and is refused.
"""

import numpy as np
import pytest

from test_pytorch_ports_nlp_tutorial import Printed, assert_records, libraries, weight_sync

WORDS, TAGS, PAD = 30, 9, 0


def tagged_sentences(n: int, seed: int) -> list:
    """n (word ids, tag ids) pairs of lengths 2..7, ids from 1 (0 is the padding)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        words = rng.integers(1, WORDS, int(rng.integers(2, 8)))
        out.append((words, 1 + words % (TAGS - 1)))  # a tag the words tell
    return out


def bentrevett_pos_tagger(torch, nn, F, optim, sync, record: list) -> None:
    """bentrevett's notebook 1: the BiLSTM tagger, init_weights, train and evaluate."""

    class BiLSTMPOSTagger(nn.Module):
        def __init__(self, input_dim, embedding_dim, hidden_dim, output_dim, n_layers,
                     bidirectional, dropout, pad_idx):
            super().__init__()
            self.embedding = nn.Embedding(input_dim, embedding_dim, padding_idx=pad_idx)
            self.lstm = nn.LSTM(embedding_dim, hidden_dim, num_layers=n_layers,
                                bidirectional=bidirectional,
                                dropout=dropout if n_layers > 1 else 0)
            self.fc = nn.Linear(hidden_dim * 2 if bidirectional else hidden_dim, output_dim)
            self.dropout = nn.Dropout(dropout)

        def forward(self, text):
            # text = [sent len, batch size]
            embedded = self.dropout(self.embedding(text))
            outputs, (hidden, cell) = self.lstm(embedded)
            predictions = self.fc(self.dropout(outputs))
            return predictions  # [sent len, batch size, output dim]

    model = BiLSTMPOSTagger(WORDS, 6, 5, TAGS, 2, True, 0.0, PAD)

    def init_weights(m):
        for name, param in m.named_parameters():
            with torch.no_grad():  # nn.init.normal_(param.data, mean=0, std=0.1)
                nn.init.normal_(param, mean=0, std=0.1)

    model.apply(init_weights)
    sync(model)
    with torch.no_grad():  # model.embedding.weight.data[PAD_IDX] = torch.zeros(EMBEDDING_DIM)
        model.embedding.weight[PAD] = torch.zeros(6)
    optimizer = optim.Adam(model.parameters())
    criterion = nn.CrossEntropyLoss(ignore_index=PAD)

    def categorical_accuracy(preds, y, tag_pad_idx):
        max_preds = preds.argmax(dim=1, keepdim=True)  # get the index of the max probability
        non_pad_elements = (y != tag_pad_idx).nonzero(as_tuple=False)
        correct = max_preds[non_pad_elements].squeeze(1).eq(y[non_pad_elements])
        return correct.sum() / y[non_pad_elements].shape[0]

    def batch(pairs):  # torchtext's BucketIterator: [sent len, batch size], padded
        longest = max(len(words) for words, _ in pairs)
        text = np.full((longest, len(pairs)), PAD)
        tags = np.full((longest, len(pairs)), PAD)
        for column, (words, labels) in enumerate(pairs):
            text[:len(words), column], tags[:len(words), column] = words, labels
        return torch.tensor(text), torch.tensor(tags)

    data = tagged_sentences(20, seed=0)
    for epoch in range(2):
        model.train()
        for start in range(0, 16, 4):
            text, tags = batch(data[start:start + 4])
            optimizer.zero_grad()
            predictions = model(text)
            predictions = predictions.view(-1, predictions.shape[-1])
            tags = tags.view(-1)
            loss = criterion(predictions, tags)
            acc = categorical_accuracy(predictions, tags, PAD)
            loss.backward()
            record.append(model.lstm.weight_ih_l1_reverse.grad)
            optimizer.step()
            record += [loss.item(), acc.item()]
        model.eval()
        with torch.no_grad():
            text, tags = batch(data[16:])
            predictions = model(text)
            predictions = predictions.view(-1, predictions.shape[-1])
            tags = tags.view(-1)
            record += [criterion(predictions, tags).item(),
                       categorical_accuracy(predictions, tags, PAD).item()]
    record += list(model.parameters())


def packed_gru_tagger(torch, nn, F, optim, sync, record: list, enforce_sorted: bool) -> None:
    """A batch-first BiGRU tagger over packed sequences with a masked mean loss."""
    from_rnn = nn.utils.rnn

    class GRUTagger(nn.Module):
        def __init__(self, vocab_size, embed_dim, hidden_dim, num_tags):
            super().__init__()
            self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=PAD)
            self.gru = nn.GRU(embed_dim, hidden_dim, batch_first=True, bidirectional=True)
            self.out = nn.Linear(2 * hidden_dim, num_tags)

        def forward(self, x, lengths):
            total_length = x.size(1)
            emb = self.embed(x)
            if enforce_sorted:  # the pre-1.1 habit: sort by length, restore afterwards
                lengths, perm_idx = lengths.sort(0, descending=True)
                emb = emb[perm_idx]
            packed = from_rnn.pack_padded_sequence(emb, lengths.cpu(), batch_first=True,
                                                   enforce_sorted=enforce_sorted)
            packed_out, h_n = self.gru(packed)
            out, out_lengths = from_rnn.pad_packed_sequence(
                packed_out, batch_first=True, total_length=total_length)
            if enforce_sorted:
                _, unperm_idx = perm_idx.sort(dim=0)  # perm_idx.sort(0): see the docstring
                out, h_n = out[unperm_idx], h_n[:, unperm_idx]
            sentence = torch.cat([h_n[0], h_n[1]], dim=-1)  # last forward, first backward
            return self.out(out), sentence

    model = GRUTagger(WORDS, 6, 4, TAGS)
    sync(model)
    optimizer = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    data = tagged_sentences(12, seed=1)
    for start in range(0, 12, 4):
        pairs = data[start:start + 4]
        x = from_rnn.pad_sequence([torch.tensor(w) for w, _ in pairs], batch_first=True,
                                  padding_value=PAD)
        y = from_rnn.pad_sequence([torch.tensor(t) for _, t in pairs], batch_first=True,
                                  padding_value=PAD)
        lengths = torch.tensor([len(w) for w, _ in pairs])
        x = torch.cat([x, torch.full((len(pairs), 1), PAD)], dim=1)  # one more pad column
        y = torch.cat([y, torch.full((len(pairs), 1), PAD)], dim=1)
        logits, sentence = model(x, lengths)
        mask = y != PAD
        token_loss = F.cross_entropy(logits.transpose(1, 2), y, reduction="none")
        loss = (token_loss * mask).sum() / mask.sum()
        masked_logits = logits.masked_fill(~mask.unsqueeze(-1), 0.0)
        optimizer.zero_grad()
        (loss + 1e-3 * sentence.pow(2).sum()).backward()
        record += [loss.item(), masked_logits, sentence, model.gru.weight_hh_l0_reverse.grad,
                   model.embed.weight.grad[PAD]]
        optimizer.step()
        record.append(((logits.argmax(-1) == y) & mask).sum().item() / mask.sum().item())
    record += list(model.parameters())


def test_bentrevett_bilstm_pos_tagger(torch):
    ours, theirs = weight_sync()
    got, want = Printed(), Printed()
    bentrevett_pos_tagger(*libraries(torch), theirs, want)
    bentrevett_pos_tagger(*libraries(), ours, got)
    assert_records(got, want)


@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_packed_bigru_tagger_with_masked_loss(torch, enforce_sorted):
    ours, theirs = weight_sync()
    got, want = Printed(), Printed()
    packed_gru_tagger(*libraries(torch), theirs, want, enforce_sorted)
    packed_gru_tagger(*libraries(), ours, got, enforce_sorted)
    assert_records(got, want)
    np.testing.assert_array_equal(got[4], 0.0)  # the padding row learns nothing
