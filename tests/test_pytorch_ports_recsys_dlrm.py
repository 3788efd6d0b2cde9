"""A DLRM-style click model as facebookresearch/dlrm's ``dlrm_s_pytorch.py`` writes it
(bottom MLP on the dense features, one ``nn.EmbeddingBag`` per sparse feature fed
(indices, offsets), pairwise dot-product interactions by ``bmm`` and triangle indices,
top MLP, BCE, its ``LRPolicyScheduler`` subclass of ``_LRScheduler``), plus the
``EmbeddingBag`` call forms a reader meets (``per_sample_weights``, modes sum/mean/max,
``padding_idx``, ``include_last_offset``), and a sampled softmax retrieval loss; written
once for a library ``torch`` and run next to PyTorch from the same weights in float64.

Lines written differently here, and why:
- ``torch.nn.BCELoss`` and ``torch.optim.SGD`` are ``nn.BCELoss`` and ``optim.SGD``
  (``torch.nn`` is the package ``nn`` here, ``torch.optim`` is ``nn.optim``);
- ``sys.exit(...)`` in the scheduler's check is ``raise SystemExit(...)`` (the same).
"""

import numpy as np
import pytest

from recsys_helpers import assert_records, clicks, libraries, weight_sync


def bags(cats: np.ndarray, cardinality: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Multi-hot bags: row r's bag is its category plus 0-2 more random ids;
    (indices, offsets) as DLRM's data loader makes them."""
    rng = np.random.default_rng(seed)
    lists = [[int(c)] + list(rng.integers(0, cardinality, size=rng.integers(0, 3)))
             for c in cats]
    offsets = np.cumsum([0] + [len(b) for b in lists[:-1]])
    return np.concatenate(lists).astype(np.int64), offsets.astype(np.int64)


def lr_policy_scheduler(optim):
    """DLRM's ``LRPolicyScheduler``: linear warm-up, then quadratic decay (its own
    ``get_lr`` over ``_LRScheduler``'s ``_step_count`` and ``base_lrs``)."""
    _LRScheduler = optim.lr_scheduler._LRScheduler

    class LRPolicyScheduler(_LRScheduler):
        def __init__(self, optimizer, num_warmup_steps, decay_start_step, num_decay_steps):
            self.num_warmup_steps = num_warmup_steps
            self.decay_start_step = decay_start_step
            self.decay_end_step = decay_start_step + num_decay_steps
            self.num_decay_steps = num_decay_steps
            if self.decay_start_step < self.num_warmup_steps:
                raise SystemExit("Learning rate warmup must finish before the decay starts")
            super(LRPolicyScheduler, self).__init__(optimizer)

        def get_lr(self):
            step_count = self._step_count
            if step_count < self.num_warmup_steps:
                # warmup
                scale = 1.0 - (self.num_warmup_steps - step_count) / self.num_warmup_steps
                lr = [base_lr * scale for base_lr in self.base_lrs]
                self.last_lr = lr
            elif self.decay_start_step <= step_count and step_count < self.decay_end_step:
                # decay
                decayed_steps = step_count - self.decay_start_step
                scale = ((self.num_decay_steps - decayed_steps) / self.num_decay_steps) ** 2
                min_lr = 0.0000001
                lr = [max(min_lr, base_lr * scale) for base_lr in self.base_lrs]
                self.last_lr = lr
            else:
                if self.num_decay_steps > 0:
                    lr = self.last_lr
                else:
                    lr = self.base_lrs
            return lr

    return LRPolicyScheduler


def dlrm(torch, nn, F, optim, sync, record: list, steps: int = 6) -> None:
    torch.manual_seed(0)
    cardinalities = (5, 7, 4)
    cats, dense, labels = clicks(n=24, cardinalities=cardinalities)
    lS_i, lS_o = [], []
    for k, n in enumerate(cardinalities):
        indices, offsets = bags(cats[:, k], n, seed=k)
        lS_i.append(torch.tensor(indices))
        lS_o.append(torch.tensor(offsets))
    X, T = torch.tensor(dense), torch.tensor(labels).view(-1, 1)

    class DLRM_Net(nn.Module):
        def create_mlp(self, ln, sigmoid_layer):
            layers = nn.ModuleList()
            for i in range(0, ln.size - 1):
                n, m = int(ln[i]), int(ln[i + 1])
                LL = nn.Linear(n, m, bias=True)
                layers.append(LL)
                layers.append(nn.Sigmoid() if i == sigmoid_layer else nn.ReLU())
            return nn.Sequential(*layers)

        def create_emb(self, m, ln):
            emb_l = nn.ModuleList()
            for i in range(0, ln.size):
                EE = nn.EmbeddingBag(int(ln[i]), m, mode="sum", sparse=True)
                emb_l.append(EE)
            return emb_l

        def __init__(self, m_spa, ln_emb, ln_bot, ln_top):
            super().__init__()
            self.emb_l = self.create_emb(m_spa, ln_emb)
            self.bot_l = self.create_mlp(ln_bot, -1)
            self.top_l = self.create_mlp(ln_top, ln_top.size - 2)

        def apply_emb(self, lS_o, lS_i, emb_l):
            ly = []
            for k, sparse_index_group_batch in enumerate(lS_i):
                sparse_offset_group_batch = lS_o[k]
                E = emb_l[k]
                V = E(sparse_index_group_batch, sparse_offset_group_batch)
                ly.append(V)
            return ly

        def interact_features(self, x, ly):
            (batch_size, d) = x.shape
            T = torch.cat([x] + ly, dim=1).view((batch_size, -1, d))
            Z = torch.bmm(T, torch.transpose(T, 1, 2))
            _, ni, nj = Z.shape
            li, lj = torch.tril_indices(ni, nj, offset=-1)
            Zflat = Z[:, li, lj]
            R = torch.cat([x] + [Zflat], dim=1)
            return R

        def forward(self, dense_x, lS_o, lS_i):
            x = self.bot_l(dense_x)
            ly = self.apply_emb(lS_o, lS_i, self.emb_l)
            z = self.interact_features(x, ly)
            return self.top_l(z)

    m_spa = 2
    ln_emb = np.array(cardinalities)
    ln_bot = np.array([3, 4, m_spa])
    num_fea = ln_emb.size + 1
    ln_top = np.array([m_spa + num_fea * (num_fea - 1) // 2, 4, 1])
    dlrm = DLRM_Net(m_spa, ln_emb, ln_bot, ln_top)
    sync(dlrm)
    loss_fn = nn.BCELoss(reduction="mean")  # torch.nn.BCELoss there: torch.nn is nn here
    optimizer = optim.SGD(dlrm.parameters(), lr=0.5)
    lr_scheduler = lr_policy_scheduler(optim)(optimizer, 2, 3, 2)
    for step in range(steps):
        Z = dlrm(X, lS_o, lS_i)
        E = loss_fn(Z, T)
        optimizer.zero_grad()
        E.backward()
        record += [E.item(), dlrm.emb_l[1].weight.grad.to_dense(), dlrm.bot_l[0].weight.grad]
        optimizer.step()
        lr_scheduler.step()
        record.append(lr_scheduler.get_last_lr()[0])
    with torch.no_grad():
        S = (dlrm(X, lS_o, lS_i) > 0.5).float()
        record.append((S == T).sum().item() / T.shape[0])
    record += list(dlrm.parameters())


def test_dlrm(torch):
    ours, theirs = weight_sync()
    got, want = [], []
    dlrm(*libraries(torch), theirs, want)
    dlrm(*libraries(), ours, got)
    assert_records(got, want)


def bag_forms(torch, nn, F, optim, sync, record: list) -> None:
    torch.manual_seed(0)
    input = torch.tensor([1, 2, 4, 5, 4, 3, 2, 9, 0, 0])
    offsets = torch.tensor([0, 4, 4, 7])
    weights = torch.linspace(0.5, 1.5, 10, requires_grad=True)
    for mode in ("sum", "mean", "max"):
        bag = nn.EmbeddingBag(10, 3, mode=mode, padding_idx=0)
        sync(bag)
        out = bag(input, offsets)
        out.pow(2).sum().backward()
        record += [out, bag.weight.grad]
    bag = nn.EmbeddingBag(10, 3, mode="sum", include_last_offset=True)
    sync(bag)
    out = bag(input, torch.tensor([0, 4, 4, 7, 10]), per_sample_weights=weights)
    (out * torch.arange(12.).view(4, 3)).sum().backward()
    record += [out, bag.weight.grad, weights.grad]
    out = F.embedding_bag(input.view(2, 5), bag.weight, mode="max")
    record.append(out)
    pretrained = nn.EmbeddingBag.from_pretrained(bag.weight.detach(), mode="mean")
    record.append(pretrained(input.view(5, 2)))


def test_embedding_bag_call_forms(torch):
    ours, theirs = weight_sync()
    got, want = [], []
    bag_forms(*libraries(torch), theirs, want)
    bag_forms(*libraries(), ours, got)
    assert_records(got, want)


def sampled_softmax(torch, nn, F, optim, sync, record: list, steps: int = 5) -> None:
    torch.manual_seed(2)
    n_users, n_items, dim, n_neg = 8, 30, 4, 6
    user_tower = nn.Sequential(nn.Embedding(n_users, dim), nn.Linear(dim, dim))
    item_emb = nn.Embedding(n_items, dim)
    sync(user_tower)
    sync(item_emb)
    popularity = torch.arange(1, n_items + 1, dtype=torch.float64) ** -0.8
    q = popularity / popularity.sum()  # the sampling distribution, log-Q corrected below
    opt = optim.Adagrad(list(user_tower.parameters()) + list(item_emb.parameters()), lr=0.1)
    users = torch.arange(n_users)
    positives = torch.tensor(np.arange(n_users) * 3 % n_items)
    for step in range(steps):
        neg = torch.multinomial(q, n_neg, replacement=True)
        u = user_tower(users)
        pos_logit = (u * item_emb(positives)).sum(-1, keepdim=True)
        neg_logit = u @ item_emb(neg).t()
        logits = torch.cat([pos_logit - torch.log(q[positives]).unsqueeze(1),
                            neg_logit - torch.log(q[neg])], dim=1)
        hits = positives.unsqueeze(1) == neg.unsqueeze(0)
        logits = logits.masked_fill(torch.cat([torch.zeros_like(hits[:, :1]), hits], 1),
                                    float("-inf"))
        labels = torch.zeros(n_users, dtype=torch.long)
        loss = F.cross_entropy(logits, labels)
        opt.zero_grad()
        loss.backward()
        record += [loss, item_emb.weight.grad, user_tower[1].weight.grad]
        opt.step()


def test_sampled_softmax(torch):
    ours, theirs = weight_sync()
    got, want = [], []
    sampled_softmax(*libraries(torch), theirs, want)
    sampled_softmax(*libraries(), ours, got)
    assert_records(got, want)


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_triangle_indices(torch, offset):
    import autograd as ag
    for rows, cols in [(4, 4), (3, 5), (5, 2)]:
        for name in ("tril_indices", "triu_indices"):
            want = getattr(torch, name)(rows, cols, offset)
            got = getattr(ag, name)(rows, cols, offset)
            np.testing.assert_array_equal(got.numpy(), want.numpy())
            assert got.dtype == np.int64
