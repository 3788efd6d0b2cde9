"""A tiny causal self-attention language model (token and position Embedding +
TransformerEncoderLayer + Linear) learns a toy sequence with Adam, and its causal mask
keeps the future out."""

import numpy as np

import nn
import nn.functional as F

VOCAB, LENGTH, WIDTH = 7, 8, 16


class TinyLM(nn.Module):
    def __init__(self, rng):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, WIDTH, rng=rng)
        self.position = nn.Embedding(LENGTH, WIDTH, rng=rng)
        self.block = nn.TransformerEncoderLayer(WIDTH, 2, 32, dropout=0.1, batch_first=True,
                                                rng=rng)
        self.head = nn.Linear(WIDTH, VOCAB, rng=rng)

    def forward(self, tokens):
        length = tokens.shape[1]
        x = self.embed(tokens) + self.position(np.arange(length))
        mask = nn.generate_square_subsequent_mask(length)
        return self.head(self.block(x, src_mask=mask, is_causal=True))


def _batch(rng, size=16):
    """Sequences counting up modulo VOCAB from random starts: each next token is the
    current one plus 1 (or 2 in every other sequence, told by nothing but the past)."""
    starts = rng.integers(0, VOCAB, size)
    steps = np.where(np.arange(size) % 2, 1, 2)
    sequences = (starts[:, None] + steps[:, None] * np.arange(LENGTH + 1)) % VOCAB
    return sequences[:, :-1], sequences[:, 1:]


def _loss(model, tokens, targets):
    return F.cross_entropy(model(tokens).reshape(-1, VOCAB), targets.reshape(-1))


def test_a_tiny_causal_language_model_learns_a_toy_sequence():
    rng = np.random.default_rng(0)
    model = TinyLM(rng)
    opt = nn.optim.Adam(model.parameters(), lr=1e-2)
    test_tokens, test_targets = _batch(np.random.default_rng(1), 32)
    model.eval()
    before = _loss(model, test_tokens, test_targets).item()
    model.train()
    for _ in range(80):
        tokens, targets = _batch(rng)
        loss = _loss(model, tokens, targets)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    after = _loss(model, test_tokens, test_targets).item()
    assert before > 1.5  # about ln(7) = 1.95 at the start
    assert after < 0.25 * before
    guesses = model(test_tokens).data.argmax(-1)
    # from the second position on, the past tells the step: almost all guesses are right
    assert (guesses[:, 1:] == test_targets[:, 1:]).mean() > 0.9


def test_the_causal_mask_keeps_later_tokens_out_of_earlier_outputs():
    model = TinyLM(np.random.default_rng(0)).eval()
    tokens, _ = _batch(np.random.default_rng(2), 4)
    changed = tokens.copy()
    changed[:, 5:] = (changed[:, 5:] + 3) % VOCAB
    before, after = model(tokens).data, model(changed).data
    np.testing.assert_allclose(after[:, :5], before[:, :5], rtol=1e-12, atol=1e-12)
    assert not np.allclose(after[:, 5:], before[:, 5:])
