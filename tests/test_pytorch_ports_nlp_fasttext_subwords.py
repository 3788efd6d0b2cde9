"""fastText's subword skip-gram (Bojanowski et al. 2017) as PyTorch readers write it: each
word is the bag of its character n-grams (``<wh``, ``whe``, ..., with the word itself),
hashed into buckets by fastText's FNV-1a and averaged by an ``nn.EmbeddingBag`` fed flat
ids and ``offsets``; context words and sampled negatives come from an ``nn.Embedding``,
and the loss is negative sampling's ``logsigmoid`` of dot products (``bmm``), trained
with ``SparseAdam`` on ``sparse=True`` tables (the usual choice) and then, for
comparison, plain SGD. Written once for a library ``torch``, it runs step for step next
to PyTorch from the same weights (float64): losses, gradients and parameters agree to
1e-10, and a word never seen in training gets a vector from its n-grams.

Lines written differently here, and why:
- ``self.in_embed.weight.data.uniform_(-r, r)`` / ``.data.zero_()``: ``.data`` is
  NumPy's array here, so the writes go to the parameters under ``no_grad()``, and
  ``sync(model)`` then gives both PyTorch's starting values (the generators differ);
- negatives are drawn once from a NumPy generator shared by both runs (PyTorch's
  ``torch.multinomial`` on the unigram^0.75 table draws differently here).
"""

import numpy as np
import pytest

from test_pytorch_ports_nlp_tutorial import Printed, assert_records, libraries, weight_sync

TEXT = ("the quick brown fox jumps over the lazy dog the dog sleeps while the fox runs "
        "quick brown dogs jump over lazy foxes").split()
BUCKETS, DIM, NEGATIVES, WINDOW = 64, 6, 3, 2


def fnv1a(text: str) -> int:
    """fastText's hash of a string (32-bit FNV-1a over its bytes)."""
    h = 2166136261
    for byte in text.encode():
        h = ((h ^ byte) * 16777619) % 2 ** 32
    return h


def subword_ids(word: str, minn: int = 3, maxn: int = 4) -> list:
    """The bucket of ``<word>`` and of each of its character n-grams, minn <= n <= maxn."""
    marked = f"<{word}>"
    grams = [marked] + [marked[i:i + n] for n in range(minn, maxn + 1)
                        for i in range(len(marked) - n + 1) if marked[i:i + n] != marked]
    return [fnv1a(g) % BUCKETS for g in grams]


def skipgram_pairs(words: list, vocab: dict, seed: int) -> list:
    """(centre word, context id, NEGATIVES negative ids) for each pair in the window."""
    rng = np.random.default_rng(seed)
    counts = np.bincount([vocab[w] for w in words], minlength=len(vocab)) ** 0.75
    pairs = []
    for i, centre in enumerate(words):
        for j in range(max(0, i - WINDOW), min(len(words), i + WINDOW + 1)):
            if j != i:
                negatives = rng.choice(len(vocab), NEGATIVES, p=counts / counts.sum())
                pairs.append((centre, vocab[words[j]], negatives))
    return pairs


def fasttext_skipgram(torch, nn, F, optim, sync, record: list, sparse: bool) -> None:
    vocab = {w: i for i, w in enumerate(dict.fromkeys(TEXT))}

    class FastTextSkipGram(nn.Module):
        def __init__(self, n_buckets, vocab_size, dim):
            super().__init__()
            self.in_embed = nn.EmbeddingBag(n_buckets, dim, mode="mean", sparse=sparse)
            self.out_embed = nn.Embedding(vocab_size, dim, sparse=sparse)
            initrange = 1.0 / dim
            with torch.no_grad():  # .weight.data.uniform_(...), .weight.data.zero_()
                self.in_embed.weight.uniform_(-initrange, initrange)
                self.out_embed.weight.zero_()

        def forward(self, sub_ids, sub_offsets, ctx, neg):
            v = self.in_embed(sub_ids, sub_offsets)  # (B, D): mean of the subword vectors
            u = self.out_embed(ctx)  # (B, D)
            pos = F.logsigmoid((v * u).sum(1))
            n = self.out_embed(neg)  # (B, K, D)
            negs = F.logsigmoid(-torch.bmm(n, v.unsqueeze(2)).squeeze(2)).sum(1)
            return -(pos + negs).mean()

        def word_vector(self, word):
            ids = torch.tensor(subword_ids(word))
            return self.in_embed(ids, torch.tensor([0]))[0]

    def collate(batch):
        subs, offsets = [], [0]
        for centre, _, _ in batch:
            ids = subword_ids(centre)
            subs.extend(ids)
            offsets.append(len(ids))
        offsets = torch.tensor(offsets[:-1]).cumsum(dim=0)
        ctx = torch.tensor([c for _, c, _ in batch])
        neg = torch.tensor(np.stack([n for _, _, n in batch]))
        return torch.tensor(subs), offsets, ctx, neg

    model = FastTextSkipGram(BUCKETS, len(vocab), DIM)
    sync(model)
    with torch.no_grad():  # a start away from zero, so the first steps move both tables
        model.out_embed.weight.add_(0.1)
    optimizer = (optim.SparseAdam(list(model.parameters()), lr=0.05) if sparse
                 else optim.SGD(model.parameters(), lr=0.5))
    pairs = skipgram_pairs(TEXT, vocab, seed=0)
    for epoch in range(2):
        for start in range(0, 48, 16):
            sub_ids, offsets, ctx, neg = collate(pairs[start:start + 16])
            optimizer.zero_grad()
            loss = model(sub_ids, offsets, ctx, neg)
            loss.backward()
            record.append(model.in_embed.weight.grad.to_dense())  # PyTorch's may be sparse
            optimizer.step()
            record.append(loss.item())
    with torch.no_grad():
        unseen = model.word_vector("foxy")  # out of vocabulary: from its n-grams
        fox = model.word_vector("fox")
        record += [unseen, F.cosine_similarity(unseen, fox, dim=0)]
    record += [model.in_embed.weight, model.out_embed.weight]


@pytest.mark.parametrize("sparse", [True, False])
def test_fasttext_subword_skipgram_negative_sampling(torch, sparse):
    ours, theirs = weight_sync()
    got, want = Printed(), Printed()
    fasttext_skipgram(*libraries(torch), theirs, want, sparse)
    fasttext_skipgram(*libraries(), ours, got, sparse)
    assert_records(got, want)
    losses = [value for value in got if isinstance(value, float)]
    assert losses[-1] < losses[0]
