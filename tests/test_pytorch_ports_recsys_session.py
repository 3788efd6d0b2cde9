"""Session-based next-item prediction as GRU4Rec-style PyTorch code writes it (item
embedding, a GRU over each session's clicks, scores over the catalogue), trained once with
full cross-entropy and once with ``nn.AdaptiveLogSoftmaxWithLoss`` (frequent items in the
head, the long tail in clusters), recall@k by ``topk`` and ``isin``; written once for a
library ``torch`` and run step for step next to PyTorch from the same weights in float64.
"""

import numpy as np
import pytest

from recsys_helpers import assert_records, libraries, weight_sync


def sessions(n: int = 12, length: int = 6, n_items: int = 24, seed: int = 0) -> np.ndarray:
    """Click sessions (n, length) of item ids: Zipf-like popularity and a habit of moving to
    the next item, so that the next click is partly predictable."""
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, n_items + 1)
    clicks = np.empty((n, length), np.int64)
    clicks[:, 0] = rng.choice(n_items, size=n, p=popularity / popularity.sum())
    for t in range(1, length):
        jump = rng.choice(n_items, size=n, p=popularity / popularity.sum())
        clicks[:, t] = np.where(rng.random(n) < 0.6, (clicks[:, t - 1] + 1) % n_items, jump)
    return clicks


def gru4rec(torch, nn, F, optim, sync, record: list, adaptive: bool, epochs: int = 3,
            batch_size: int = 4) -> None:
    torch.manual_seed(0)
    n_items, hidden = 24, 8
    data = torch.tensor(sessions(n_items=n_items))

    class GRU4Rec(nn.Module):
        def __init__(self, n_items, embedding_dim, hidden_size):
            super().__init__()
            self.item_embedding = nn.Embedding(n_items, embedding_dim)
            self.gru = nn.GRU(embedding_dim, hidden_size, batch_first=True)
            if adaptive:
                self.out = nn.AdaptiveLogSoftmaxWithLoss(hidden_size, n_items,
                                                         cutoffs=[4, 12], div_value=2.0)
            else:
                self.out = nn.Linear(hidden_size, n_items)

        def forward(self, items):
            output, hidden = self.gru(self.item_embedding(items))
            return output.reshape(-1, output.size(-1))

    model = GRU4Rec(n_items, 6, hidden)
    sync(model)
    optimizer = optim.Adam(model.parameters(), lr=0.02)
    for epoch in range(epochs):
        model.train()
        for start in range(0, len(data), batch_size):
            batch = data[start:start + batch_size]
            inputs, targets = batch[:, :-1], batch[:, 1:].reshape(-1)
            states = model(inputs)
            if adaptive:
                loss = model.out(states, targets).loss
            else:
                loss = F.cross_entropy(model.out(states), targets)
            optimizer.zero_grad()
            loss.backward()
            record += [loss, model.gru.weight_hh_l0.grad, model.item_embedding.weight.grad]
            optimizer.step()
        model.eval()
        with torch.no_grad():
            states = model(data[:, :-1])
            scores = model.out.log_prob(states) if adaptive else model.out(states)
            top = scores.topk(5, dim=1).indices
            truth = data[:, 1:].reshape(-1)
            recall = torch.stack([torch.isin(truth[i], top[i]) for i in range(len(truth))])
            record += [scores, recall.float().mean()]
    record += list(model.state_dict().values())


@pytest.mark.parametrize("adaptive", [False, True])
def test_gru4rec_next_item(torch, adaptive):
    ours, theirs = weight_sync()
    got, want = [], []
    gru4rec(*libraries(torch), theirs, want, adaptive)
    gru4rec(*libraries(), ours, got, adaptive)
    assert_records(got, want, rtol=1e-9, atol=1e-11)
