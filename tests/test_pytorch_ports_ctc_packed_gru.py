"""Packed bidirectional GRUs as their readers write them: bentrevett's "Upgraded Sentiment
Analysis" RNN (``pack_padded_sequence(..., lengths.cpu(), batch_first=True,
enforce_sorted=False)``, a 2-layer bidirectional GRU, the last layer's two final hidden
states joined with ``torch.cat((hidden[-2,:,:], hidden[-1,:,:]), dim=1)``) on generated
token sequences; and a speech-style acoustic model (packed bidirectional GRU over
variable-length feature frames, ``pad_packed_sequence`` giving each output's length,
``CTCLoss`` with those lengths) on generated "phone" sequences. Both are written once for
a library ``torch`` and run step for step next to PyTorch's from the same weights
(float64): losses, gradients and parameters agree to 1e-10.

Lines written differently here, and why:
- ``torch.nn.utils.rnn`` is ``nn.utils.rnn`` (``nn`` is a package of its own here);
- dropout is 0 (its random masks are drawn by each library's own generator).
"""

import numpy as np

from ctc_port_helpers import (assert_same_grads, assert_same_state, copy_weights, libraries,
                              to_numpy)


# ------------------------------------------------------------------ sentiment RNN
def sentiment_rnn(torch):
    torch, nn, F, _ = libraries(torch)
    rnn_utils = nn.utils.rnn

    class RNN(nn.Module):
        def __init__(self, vocab_size, embedding_dim, hidden_dim, output_dim, n_layers,
                     bidirectional, dropout, pad_idx):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=pad_idx)
            self.rnn = nn.GRU(embedding_dim, hidden_dim, num_layers=n_layers,
                              bidirectional=bidirectional, dropout=dropout,
                              batch_first=True)
            self.fc = nn.Linear(hidden_dim * 2, output_dim)
            self.dropout = nn.Dropout(dropout)

        def forward(self, text, text_lengths):
            # text = [batch size, sent len]
            embedded = self.dropout(self.embedding(text))
            # pack sequence; lengths need to be on CPU!
            packed_embedded = rnn_utils.pack_padded_sequence(
                embedded, text_lengths.to("cpu"), batch_first=True, enforce_sorted=False)
            packed_output, hidden = self.rnn(packed_embedded)
            # unpack sequence
            output, output_lengths = rnn_utils.pad_packed_sequence(packed_output,
                                                                   batch_first=True)
            # output = [batch size, sent len, hid dim * num directions]
            # hidden = [num layers * num directions, batch size, hid dim]
            hidden = self.dropout(torch.cat((hidden[-2, :, :], hidden[-1, :, :]), dim=1))
            return self.fc(hidden), output, output_lengths

    return RNN(vocab_size=12, embedding_dim=6, hidden_dim=8, output_dim=1, n_layers=2,
               bidirectional=True, dropout=0.0, pad_idx=0)


def token_batches(n_batches=3, batch_size=6, seed=0):
    """Batches of token runs of lengths 2..9 (0 pads, unsorted); label: more 1s than 2s."""
    rng = np.random.default_rng(seed)
    batches = []
    for _ in range(n_batches):
        lengths = rng.integers(2, 10, size=batch_size)
        text = np.zeros((batch_size, lengths.max()), dtype=np.int64)
        for i, n in enumerate(lengths):
            text[i, :n] = rng.integers(1, 12, size=n)
        label = np.array([float((t == 1).sum() > (t == 2).sum()) for t in text])
        batches.append((text, lengths, label))
    return batches


def binary_accuracy(preds, y, torch):
    """bentrevett's: rounded sigmoid against the labels."""
    rounded_preds = torch.round(torch.sigmoid(preds))
    correct = (rounded_preds == y).float()
    return correct.sum() / len(correct)


def train_sentiment(torch, model, batches):
    T, nn, F, optim = libraries(torch)
    optimizer = optim.Adam(model.parameters())
    criterion = nn.BCEWithLogitsLoss()
    model.train()
    record = []
    for text, text_lengths, label in batches:
        text, text_lengths, label = T.tensor(text), T.tensor(text_lengths), T.tensor(label)
        optimizer.zero_grad()
        predictions, output, output_lengths = model(text, text_lengths)
        predictions = predictions.squeeze(1)
        loss = criterion(predictions, label)
        acc = binary_accuracy(predictions, label, T)
        loss.backward()
        optimizer.step()
        record.append((loss.item(), acc.item(), to_numpy(output), to_numpy(output_lengths)))
    return record


def test_packed_bidirectional_gru_trains_step_for_step_as_pytorch(torch):
    torch.manual_seed(0)
    theirs = sentiment_rnn(torch)
    ours = sentiment_rnn(None)
    copy_weights(ours, theirs)
    batches = token_batches()
    got, want = train_sentiment(None, ours, batches), train_sentiment(torch, theirs, batches)
    for (loss, acc, output, lengths), (loss_t, acc_t, output_t, lengths_t) in zip(got, want):
        np.testing.assert_allclose(loss, loss_t, rtol=1e-10)
        assert acc == acc_t
        np.testing.assert_allclose(output, output_t, atol=1e-10)  # zeros past each end
        assert lengths.tolist() == lengths_t.tolist() and lengths.dtype == lengths_t.dtype
    assert_same_grads(ours, theirs)
    assert_same_state(ours, theirs)


# ------------------------------------------------------------------ GRU acoustic model + CTC
def acoustic_model(torch, n_features=5, n_hidden=8, n_classes=4):
    torch, nn, F, _ = libraries(torch)
    rnn_utils = nn.utils.rnn

    class SpeechGRU(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.GRU(n_features, n_hidden, bidirectional=True)
            self.fc = nn.Linear(2 * n_hidden, n_classes)

        def forward(self, features, lengths):
            # features: (T, N, F) padded frames; lengths: frames per utterance
            packed = rnn_utils.pack_padded_sequence(features, lengths, enforce_sorted=False)
            packed_out, _ = self.rnn(packed)
            out, out_lengths = rnn_utils.pad_packed_sequence(packed_out)
            return self.fc(out).log_softmax(2), out_lengths

    return SpeechGRU()


def utterances(n=6, seed=1):
    """Padded frames (T, N, 5): each phone (1..3) held for 2-3 frames of its noisy
    one-hot pattern, silences (the blank's frames) between; and the phone sequences."""
    rng = np.random.default_rng(seed)
    frames, phones = [], []
    for _ in range(n):
        labels = rng.integers(1, 4, size=rng.integers(1, 4))
        rows = [np.eye(5)[0]]
        for label in labels:
            rows += [np.eye(5)[label]] * int(rng.integers(2, 4)) + [np.eye(5)[0]]
        frames.append(np.array(rows) + rng.normal(scale=0.1, size=(len(rows), 5)))
        phones.append(labels)
    lengths = np.array([len(f) for f in frames])
    padded = np.zeros((lengths.max(), n, 5))
    for i, f in enumerate(frames):
        padded[:len(f), i] = f
    return padded, lengths, phones


def train_acoustic(torch, model, steps=4):
    T, nn, F, optim = libraries(torch)
    features, lengths, phones = utterances()
    targets = T.tensor(np.concatenate(phones))
    target_lengths = T.tensor([len(p) for p in phones])
    criterion = nn.CTCLoss(blank=0, reduction="mean", zero_infinity=True)
    optimizer = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        log_probs, out_lengths = model(T.tensor(features), T.tensor(lengths))
        loss = criterion(log_probs, targets, out_lengths, target_lengths)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, to_numpy(out_lengths)


def test_packed_gru_ctc_acoustic_model_trains_step_for_step_as_pytorch(torch):
    torch.manual_seed(0)
    theirs = acoustic_model(torch)
    ours = acoustic_model(None)
    copy_weights(ours, theirs)
    got, got_lengths = train_acoustic(None, ours)
    want, want_lengths = train_acoustic(torch, theirs)
    np.testing.assert_allclose(got, want, rtol=1e-10)
    assert got_lengths.tolist() == want_lengths.tolist()
    assert got[-1] < got[0]
    assert_same_grads(ours, theirs)
    assert_same_state(ours, theirs)
