"""Matrix factorisation as recommender tutorials write it (explicit ratings: dot product of
user and item factors plus user, item and global biases, MSE; implicit feedback: BPR with
negative sampling), written once for a library ``torch`` and run step for step next to
PyTorch from the same weights in float64: losses, gradients and parameters agree to 1e-10.

Lines written differently here, and why:
- ``emb.weight.data.uniform_(-0.05, 0.05)`` in PyTorch; ``.data`` is a NumPy array here
  (by design), so the port writes ``nn.init.uniform_(emb.weight, -0.05, 0.05)``, which
  both libraries have (the values are then synced from PyTorch's anyway);
- ``torch.randint(..., generator=g)`` is called as written in both runs, its numbers then
  replaced by a shared NumPy draw (``SharedRandom``: the two generators differ);
- ``nn.Embedding(..., sparse=True)``: PyTorch's gradient is a sparse tensor, ours is dense
  (the same values, zero rows where PyTorch stores none): the test compares
  ``weight.grad.to_dense()``, which both have, and ``SparseAdam`` moves only the touched
  rows in both.
"""

import numpy as np
import pytest

from recsys_helpers import assert_records, libraries, ratings, weight_sync


def matrix_factorization(torch, nn, F, optim, sync, record: list, sparse: bool = False,
                         epochs: int = 4, batch_size: int = 16) -> None:
    torch.manual_seed(0)
    users, items, scores = ratings()
    n_users, n_items = int(users.max()) + 1, int(items.max()) + 1

    class MatrixFactorization(nn.Module):
        def __init__(self, n_users, n_items, n_factors=4):
            super().__init__()
            self.user_factors = nn.Embedding(n_users, n_factors, sparse=sparse)
            self.item_factors = nn.Embedding(n_items, n_factors, sparse=sparse)
            self.user_biases = nn.Embedding(n_users, 1, sparse=sparse)
            self.item_biases = nn.Embedding(n_items, 1, sparse=sparse)
            self.global_bias = nn.Parameter(torch.zeros(1))
            nn.init.uniform_(self.user_factors.weight, -0.05, 0.05)
            nn.init.uniform_(self.item_factors.weight, -0.05, 0.05)
            nn.init.zeros_(self.user_biases.weight)
            nn.init.zeros_(self.item_biases.weight)

        def forward(self, user, item):
            pred = self.user_biases(user) + self.item_biases(item) + self.global_bias
            pred += (self.user_factors(user) * self.item_factors(item)).sum(dim=1,
                                                                           keepdim=True)
            return pred.squeeze()

    model = MatrixFactorization(n_users, n_items)
    sync(model)
    if sparse:
        embeddings = [p for name, p in model.named_parameters() if "global" not in name]
        optimizers = [optim.SparseAdam(embeddings, lr=0.05),
                      optim.Adam([model.global_bias], lr=0.05)]
    else:
        optimizers = [optim.SGD(model.parameters(), lr=0.1, weight_decay=1e-3)]
    loss_func = nn.MSELoss()
    user_t, item_t = torch.tensor(users), torch.tensor(items)
    rating_t = torch.tensor(scores)
    for epoch in range(epochs):
        order = torch.randperm(len(users))
        for start in range(0, len(users), batch_size):
            batch = order[start:start + batch_size]
            for opt in optimizers:
                opt.zero_grad()
            prediction = model(user_t[batch], item_t[batch])
            loss = loss_func(prediction, rating_t[batch])
            loss.backward()
            record.append(loss.item())
            record.append(model.user_factors.weight.grad.to_dense())
            record.append(model.global_bias.grad)
            for opt in optimizers:
                opt.step()
        with torch.no_grad():
            rmse = torch.sqrt(loss_func(model(user_t, item_t), rating_t))
        record.append(rmse)
    record += [p for p in model.parameters()]
    record.append(model.user_factors.weight.grad.is_sparse == sparse)


@pytest.mark.parametrize("sparse", [False, True])
def test_matrix_factorization_with_biases(torch, sparse):
    ours, theirs = weight_sync()
    got, want = [], []
    matrix_factorization(*libraries(torch), theirs, want, sparse=sparse)
    matrix_factorization(*libraries(), ours, got, sparse=sparse)
    # PyTorch's grad is sparse exactly when sparse=True; ours is always dense
    assert want[-1] is True and got[-1] is (not sparse)
    assert_records(got[:-1], want[:-1])


def sparse_gradient_with_dense_optimizer(torch, nn, F, optim) -> str:
    """``Embedding(sparse=True)`` with plain ``Adam``: PyTorch refuses, naming SparseAdam."""
    emb = nn.Embedding(5, 2, sparse=True)
    opt = optim.Adam(emb.parameters(), lr=0.1)
    emb(torch.tensor([1, 3])).sum().backward()
    try:
        opt.step()
    except RuntimeError as error:
        return str(error)
    return "stepped"


def test_sparse_embedding_with_adam(torch):
    theirs = sparse_gradient_with_dense_optimizer(*libraries(torch))
    ours = sparse_gradient_with_dense_optimizer(*libraries())
    assert "SparseAdam" in theirs
    assert ours == "stepped"  # the gradient is dense here: Adam's step is well defined


def bpr(torch, nn, F, optim, sync, record: list, epochs: int = 3,
        batch_size: int = 16) -> None:
    torch.manual_seed(1)
    users, items, _ = ratings(n=50, seed=1)
    n_users, n_items = 12, 10
    g = torch.Generator().manual_seed(42)

    class BPRMF(nn.Module):
        def __init__(self, n_users, n_items, dim=4):
            super().__init__()
            self.user_emb = nn.Embedding(n_users, dim)
            self.item_emb = nn.Embedding(n_items, dim)
            nn.init.normal_(self.user_emb.weight, std=0.1)
            nn.init.normal_(self.item_emb.weight, std=0.1)

        def forward(self, u, i, j):
            u = self.user_emb(u)
            pos = (u * self.item_emb(i)).sum(-1)
            neg = (u * self.item_emb(j)).sum(-1)
            return pos, neg

    def bpr_loss(pos_scores, neg_scores):
        return -F.logsigmoid(pos_scores - neg_scores).mean()

    model = BPRMF(n_users, n_items)
    sync(model)
    opt = optim.Adam(model.parameters(), lr=0.05, weight_decay=1e-4)
    u_all, i_all = torch.from_numpy(users), torch.from_numpy(items)
    for epoch in range(epochs):
        perm = torch.randperm(len(users), generator=g)
        for start in range(0, len(users), batch_size):
            idx = perm[start:start + batch_size]
            u, i = u_all[idx], i_all[idx]
            j = torch.randint(0, n_items, (len(idx),), generator=g)
            pos, neg = model(u, i, j)
            loss = bpr_loss(pos, neg) + 1e-3 * (model.user_emb(u).norm(dim=1) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            record += [loss.item(), model.item_emb.weight.grad]
            opt.step()
    with torch.no_grad():
        scores = model.user_emb.weight @ model.item_emb.weight.T
        top = torch.topk(scores, k=3, dim=1).indices
        auc = (torch.sigmoid(pos - neg) > 0.5).float().mean()
        hits = [torch.isin(top[u], i_all[u_all == u]).any().item() for u in range(n_users)]
    record += [scores, top, auc, sum(hits) / n_users]


def test_bpr_with_negative_sampling(torch):
    ours, theirs = weight_sync()
    got, want = [], []
    bpr(*libraries(torch), theirs, want)
    bpr(*libraries(), ours, got)
    assert_records(got, want)
    assert np.asarray(got[-3]).dtype == np.int64
