"""GloVe (Pennington et al. 2014), as readers write it in PyTorch: co-occurrences counted
in a symmetric window with 1/distance weights, a ``GloveModel`` of two ``nn.Embedding``
word tables and two bias tables, the weighting f(x) = min((x / x_max)^alpha, 1) by
``torch.min(wx, torch.ones_like(wx))``, the weighted squared error written with
``F.mse_loss(..., reduction='none')``, ``optim.Adagrad``; then cosine neighbours of a word by
``F.normalize`` and ``torch.topk``. The program is written once for a library ``torch``
(``autograd`` here, PyTorch there) on a generated 40-sentence corpus; every epoch's loss,
the similarities and the neighbours agree to 1e-10.

Lines written differently here, and why:
- ``self.wi.weight.data.uniform_(-1, 1)`` is ``self.wi.weight.uniform_(-1, 1)`` under
  ``no_grad()``: ``.data`` is a NumPy array here (by design); the states are then copied
  from PyTorch's model anyway;
- ``torch.FloatTensor(counts)`` is ``torch.tensor(counts)``: float64 in both runs, to
  compare to 1e-10;
- the batches are slices of the pairs in sorted order (no shuffling: the generators
  differ).
"""

from collections import defaultdict

import numpy as np

import autograd as ag
import nn
import nn.functional as nn_F


def libraries(torch=None) -> tuple:
    """(torch, nn, F, optim) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn_F, nn.optim
    return torch, torch.nn, torch.nn.functional, torch.optim


def corpus() -> list[str]:
    """40 sentences of 8 words drawn from 12."""
    rng = np.random.default_rng(0)
    words = "the cat dog sat on mat ran a log big small red".split()
    return [" ".join(rng.choice(words, 8)) for _ in range(40)]


def program(torch, state: dict | None) -> tuple[list, dict]:
    """Train GloVe; returns (record, starting state)."""
    T, nn, F, optim = libraries(torch)
    EMBED_DIM, X_MAX, ALPHA, WINDOW = 6, 10, 0.75, 3
    tokens = [s.split() for s in corpus()]
    vocab = sorted({w for s in tokens for w in s})
    w2i = {w: i for i, w in enumerate(vocab)}
    cooc = defaultdict(float)
    for sent in tokens:
        ids = [w2i[w] for w in sent]
        for center_i, center_id in enumerate(ids):
            context_ids = ids[max(0, center_i - WINDOW): center_i]
            for left_i, left_id in enumerate(context_ids):
                distance = len(context_ids) - left_i
                cooc[(center_id, left_id)] += 1.0 / distance
                cooc[(left_id, center_id)] += 1.0 / distance
    pairs = sorted(cooc)
    i_idx = T.LongTensor([p[0] for p in pairs])
    j_idx = T.LongTensor([p[1] for p in pairs])
    x_ij = T.tensor([cooc[p] for p in pairs])  # (see the top)

    class GloveModel(nn.Module):
        def __init__(self, num_embeddings, embedding_dim):
            super(GloveModel, self).__init__()
            self.wi = nn.Embedding(num_embeddings, embedding_dim)
            self.wj = nn.Embedding(num_embeddings, embedding_dim)
            self.bi = nn.Embedding(num_embeddings, 1)
            self.bj = nn.Embedding(num_embeddings, 1)
            with T.no_grad():  # (see the top)
                self.wi.weight.uniform_(-1, 1)
                self.wj.weight.uniform_(-1, 1)
                self.bi.weight.zero_()
                self.bj.weight.zero_()

        def forward(self, i_indices, j_indices):
            w_i = self.wi(i_indices)
            w_j = self.wj(j_indices)
            b_i = self.bi(i_indices).squeeze()
            b_j = self.bj(j_indices).squeeze()
            x = T.sum(w_i * w_j, dim=1) + b_i + b_j
            return x

    def weight_func(x, x_max, alpha):
        wx = (x/x_max)**alpha
        wx = T.min(wx, T.ones_like(wx))
        return wx

    def wmse_loss(weights, inputs, targets):
        loss = weights * F.mse_loss(inputs, targets, reduction='none')
        return T.mean(loss)

    T.manual_seed(0)
    glove = GloveModel(len(vocab), EMBED_DIM)
    if state is None:
        state = {k: v.detach().numpy().copy() for k, v in glove.state_dict().items()}
    else:
        glove.load_state_dict({k: T.tensor(v) for k, v in state.items()})
    optimizer = optim.Adagrad(glove.parameters(), lr=0.05)
    record = []
    n = len(pairs)
    for epoch in range(20):
        for start in range(0, n, 64):
            x_b, i_b, j_b = x_ij[start:start+64], i_idx[start:start+64], j_idx[start:start+64]
            optimizer.zero_grad()
            outputs = glove(i_b, j_b)
            weights_x = weight_func(x_b, X_MAX, ALPHA)
            loss = wmse_loss(weights_x, outputs, T.log(x_b))
            loss.backward()
            optimizer.step()
        record.append(loss.item())
    emb = glove.wi.weight + glove.wj.weight
    emb = F.normalize(emb, dim=1)
    with T.no_grad():
        sims = emb @ emb[w2i["cat"]]
        record.append(sims.numpy())
        record.append(T.topk(sims, 3).indices.numpy())
    return record, state


def test_glove_learns_the_same_vectors(torch):
    want, state = program(torch, None)
    got, _ = program(None, state)
    assert len(got) == len(want) == 22
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"record {i}")
    assert want[19] < want[0] / 4
