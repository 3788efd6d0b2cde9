"""Well-known PyTorch sequence programs, ported as a PyTorch user writes them: a char-level
LSTM text generator (hidden state carried with ``.detach()``, ``clip_grad_norm_``,
sampling with ``multinomial``), sequence classification through
``pack_padded_sequence(..., enforce_sorted=False)`` into a GRU, and a tiny causal
transformer (``TransformerEncoderLayer(batch_first=True)`` with
``generate_square_subsequent_mask``). Each learns, and steps as PyTorch's from the same
state dict.

Spellings that differ here (documented choices): ``generator=`` is a NumPy Generator.
"""

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from nn.utils.rnn import pack_padded_sequence, pad_sequence


def _to_numpy(state: dict) -> dict:
    return {name: value.detach().numpy() for name, value in state.items()}


def _assert_same_state(ours, theirs, atol: float = 1e-10) -> None:
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name], value.numpy(), atol=atol)


# ------------------------------------------------------------------ (c) char-level LSTM
TEXT = "abcd" * 50
VOCAB = sorted(set(TEXT))


def _char_rnn(lib):
    class CharRNN(lib.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = lib.Embedding(len(VOCAB), 8)
            self.lstm = lib.LSTM(8, 16, num_layers=2, batch_first=True)
            self.fc = lib.Linear(16, len(VOCAB))

        def forward(self, x, hidden=None):
            out, hidden = self.lstm(self.embed(x), hidden)
            return self.fc(out), hidden

    return CharRNN()


def _char_batches(steps: int = 10, batch: int = 4):
    ids = np.array([VOCAB.index(c) for c in TEXT])
    n = (len(ids) - 1) // (batch * steps) * (batch * steps)
    xs, ys = ids[:n].reshape(batch, -1), ids[1:n + 1].reshape(batch, -1)
    return [(xs[:, i:i + steps], ys[:, i:i + steps]) for i in range(0, xs.shape[1], steps)]


def _char_epoch(T, lib, optim, model, batches,
                max_norm: float = 1.0) -> tuple[list[float], list[float]]:
    """Truncated BPTT: (h, c) carried between batches, cut with .detach()."""
    optimizer = optim.Adam(model.parameters(), lr=2e-2)
    criterion = lib.CrossEntropyLoss()
    hidden, losses, norms = None, [], []
    for x, y in batches:
        if hidden is not None:
            hidden = tuple(h.detach() for h in hidden)
        optimizer.zero_grad()
        logits, hidden = model(T.tensor(x), hidden)
        loss = criterion(logits.view(-1, len(VOCAB)), T.tensor(y).reshape(-1))
        loss.backward()
        norms.append(float(lib.utils.clip_grad_norm_(model.parameters(), max_norm=max_norm)))
        optimizer.step()
        losses.append(loss.item())
    return losses, norms


def test_char_lstm_trains_as_torch():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = _char_rnn(torch.nn).double()
    ours = _char_rnn(nn)
    ours.load_state_dict(_to_numpy(theirs.state_dict()))
    batches = _char_batches()[:3]
    got = _char_epoch(ag, nn, nn.optim, ours, batches, max_norm=0.1)
    want = _char_epoch(torch, torch.nn, torch.optim, theirs, batches, max_norm=0.1)
    np.testing.assert_allclose(got, want, rtol=1e-9)
    assert max(got[1]) > 0.1  # the clipping did clip
    _assert_same_state(ours, theirs)


def test_char_lstm_learns_and_samples_the_text():
    nn.manual_seed(0)
    model = _char_rnn(nn)
    losses = []
    for _ in range(10):
        losses += _char_epoch(ag, nn, nn.optim, model, _char_batches())[0]
    assert losses[-1] < 0.2 * losses[0]
    model.eval()
    generator = np.random.default_rng(0)
    with ag.no_grad():
        idx, hidden, text = ag.tensor([[VOCAB.index("a")]], dtype=np.int64), None, "a"
        for _ in range(12):
            logits, hidden = model(idx, hidden)
            probs = F.softmax(logits[:, -1, :] / 0.5, dim=-1)
            idx = ag.multinomial(probs, 1, generator=generator)
            assert idx.shape == (1, 1) and idx.dtype == np.int64
            text += VOCAB[idx.item()]
    assert text == TEXT[:13]


# ------------------------------------------------------------------ (d) packed GRU classifier
def _gru_classifier(lib):
    class Classifier(lib.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = lib.Embedding(5, 6, padding_idx=0)
            self.gru = lib.GRU(6, 8, batch_first=True)
            self.fc = lib.Linear(8, 2)

        def forward(self, x, lengths, pack):
            packed = pack(self.embed(x), lengths, batch_first=True, enforce_sorted=False)
            _, h_n = self.gru(packed)
            return self.fc(h_n[-1])

    return Classifier()


def _sequences(n: int = 24):
    """Token runs of lengths 2..8 (0 is padding); label: more 1s than 2s."""
    rng = np.random.default_rng(0)
    seqs = [rng.integers(1, 5, size=rng.integers(2, 9)) for _ in range(n)]
    labels = np.array([int((s == 1).sum() > (s == 2).sum()) for s in seqs])
    return seqs, labels


def _gru_steps(T, lib, optim, pack, model, padded, lengths, labels, steps: int) -> list:
    optimizer = optim.Adam(model.parameters(), lr=0.05)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = lib.functional.cross_entropy(model(padded, lengths, pack), T.tensor(labels))
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def test_packed_gru_classifier_learns():
    seqs, labels = _sequences()
    padded = pad_sequence([ag.tensor(s) for s in seqs], batch_first=True)
    assert padded.dtype == np.int64 and padded.shape == (len(seqs), 8)
    nn.manual_seed(0)
    model = _gru_classifier(nn)
    lengths = [len(s) for s in seqs]
    losses = _gru_steps(ag, nn, nn.optim, pack_padded_sequence, model, padded, lengths,
                        labels, steps=15)
    assert losses[-1] < 0.3 * losses[0]
    with ag.no_grad():
        predicted = model(padded, lengths, pack_padded_sequence).argmax(1)
    assert (predicted.numpy() == labels).mean() > 0.9


def test_packed_gru_classifier_trains_as_torch():
    torch = pytest.importorskip("torch")
    seqs, labels = _sequences()
    torch.manual_seed(0)
    theirs = _gru_classifier(torch.nn).double()
    ours = _gru_classifier(nn)
    ours.load_state_dict(_to_numpy(theirs.state_dict()))
    lengths = [len(s) for s in seqs]
    padded = pad_sequence([ag.tensor(s) for s in seqs], batch_first=True)
    got = _gru_steps(ag, nn, nn.optim, pack_padded_sequence, ours, padded,
                     ag.tensor(lengths, dtype=np.int64), labels, steps=3)
    want = _gru_steps(torch, torch.nn, torch.optim, torch.nn.utils.rnn.pack_padded_sequence,
                      theirs, torch.tensor(padded.numpy()), torch.tensor(lengths), labels,
                      steps=3)
    np.testing.assert_allclose(got, want, rtol=1e-9)
    _assert_same_state(ours, theirs)


# ------------------------------------------------------------------ (e) tiny causal transformer
V, D, T_MAX = 7, 16, 8


def _tiny_gpt(lib, mask_fn):
    class TinyGPT(lib.Module):
        def __init__(self) -> None:
            super().__init__()
            self.tok = lib.Embedding(V, D)
            self.pos = lib.Embedding(T_MAX, D)
            layer = lib.TransformerEncoderLayer(D, nhead=2, dim_feedforward=32, dropout=0.0,
                                                batch_first=True)
            self.encoder = lib.TransformerEncoder(layer, num_layers=2,
                                                  enable_nested_tensor=False)
            self.head = lib.Linear(D, V)

        def forward(self, idx, arange):
            x = self.tok(idx) + self.pos(arange(idx.shape[1]))
            x = self.encoder(x, mask=mask_fn(idx.shape[1]), is_causal=True)
            return self.head(x)

    return TinyGPT()


def _counting_batches(steps: int):
    """Sequences t, t+1, ... (mod V); the target is the sequence shifted by one."""
    rng = np.random.default_rng(0)
    seq = (rng.integers(0, V, size=(steps, 4, 1)) + np.arange(T_MAX + 1)) % V
    return [(s[:, :-1], s[:, 1:]) for s in seq]


def _gpt_steps(T, optim, model, batches) -> list[float]:
    optimizer = optim.AdamW(model.parameters(), lr=3e-3)
    losses = []
    for x, y in batches:
        logits = model(T.tensor(x), T.arange)
        loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1)) if T is ag else \
            T.nn.functional.cross_entropy(logits.reshape(-1, V), T.tensor(y).reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def test_tiny_causal_transformer_learns_to_count():
    nn.manual_seed(0)
    model = _tiny_gpt(nn, nn.generate_square_subsequent_mask)
    losses = _gpt_steps(ag, nn.optim, model, _counting_batches(40))
    assert np.mean(losses[-5:]) < 0.3 * np.mean(losses[:5])
    model.eval()
    with ag.no_grad():  # greedy decoding, nanoGPT's loop
        idx = ag.tensor([[3]], dtype=np.int64)
        for _ in range(T_MAX - 1):
            logits = model(idx, ag.arange)[:, -1, :]
            idx = ag.cat((idx, logits.argmax(-1, keepdim=True)), dim=1)
    np.testing.assert_array_equal(idx.numpy()[0], (3 + np.arange(T_MAX)) % V)


def test_tiny_causal_transformer_trains_as_torch():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = _tiny_gpt(torch.nn, torch.nn.Transformer.generate_square_subsequent_mask)
    theirs = theirs.double()
    ours = _tiny_gpt(nn, nn.generate_square_subsequent_mask)
    ours.load_state_dict(_to_numpy(theirs.state_dict()))
    batches = _counting_batches(3)
    got = _gpt_steps(ag, nn.optim, ours, batches)
    want = _gpt_steps(torch, torch.optim, theirs, batches)
    np.testing.assert_allclose(got, want, rtol=1e-9)
    _assert_same_state(ours, theirs, atol=1e-9)
