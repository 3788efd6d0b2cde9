"""A tiny nn.Transformer learns to reverse short token sequences with teacher forcing
(Adam, a few dozen steps), then reverses unseen ones by greedy decoding token by token."""

import numpy as np

import nn
import nn.functional as F

BOS, VOCAB, LENGTH, WIDTH = 0, 8, 5, 16  # tokens 1..7; BOS starts the decoder's input


class Reverser(nn.Module):
    def __init__(self, rng):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, WIDTH, rng=rng)
        self.position = nn.Embedding(LENGTH, WIDTH, rng=rng)
        self.transformer = nn.Transformer(WIDTH, 2, 1, 1, 32, dropout=0.0, batch_first=True,
                                          rng=rng)
        self.head = nn.Linear(WIDTH, VOCAB, rng=rng)

    def forward(self, src, tgt_in):
        positions = self.position(np.arange(LENGTH))
        mask = nn.Transformer.generate_square_subsequent_mask(tgt_in.shape[1])
        x = self.transformer(self.embed(src) + positions,
                             self.embed(tgt_in) + positions[:tgt_in.shape[1]],
                             tgt_mask=mask, tgt_is_causal=True)
        return self.head(x)


def _batch(rng, size=32):
    """Random sequences, their reversal, and the decoder's input: BOS, then the reversal
    shifted right (teacher forcing)."""
    src = rng.integers(1, VOCAB, (size, LENGTH))
    target = src[:, ::-1].copy()
    tgt_in = np.concatenate([np.full((size, 1), BOS), target[:, :-1]], axis=1)
    return src, tgt_in, target


def _loss(model, src, tgt_in, target):
    return F.cross_entropy(model(src, tgt_in).reshape(-1, VOCAB), target.reshape(-1))


def _greedy(model, src):
    """Decode token by token from BOS, each step feeding back the model's own guess."""
    tokens = np.full((src.shape[0], 1), BOS)
    for _ in range(LENGTH):
        logits = model(src, tokens).data[:, -1]
        tokens = np.concatenate([tokens, logits.argmax(-1)[:, None]], axis=1)
    return tokens[:, 1:]


def test_a_tiny_transformer_learns_to_reverse_sequences():
    rng = np.random.default_rng(0)
    model = Reverser(rng)
    opt = nn.optim.Adam(model.parameters(), lr=1e-2)
    test = _batch(np.random.default_rng(1), 64)
    before = _loss(model, *test).item()
    for _ in range(60):
        loss = _loss(model, *_batch(rng))
        opt.zero_grad()
        loss.backward()
        opt.step()
    after = _loss(model, *test).item()
    assert before > 1.5  # about ln(7) = 1.95 at the start
    assert after < 0.1 * before  # about 0.01 after 60 steps (seeds 0 to 5)
    guesses = _greedy(model, test[0])  # unseen sequences, from its own guesses
    assert (guesses == test[2]).mean() > 0.95  # chance: 1 / 7
