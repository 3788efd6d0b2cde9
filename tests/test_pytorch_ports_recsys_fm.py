"""Factorisation machines and their deep relatives as rixwew/pytorch-fm writes them
(``torchfm/layer.py`` and ``torchfm/model/{fm,dfm,wd}.py``): one shared embedding table
with per-field offsets, the FM's O(kn) square-of-sum minus sum-of-squares, DeepFM (FM plus
an MLP on the flattened embeddings) and wide & deep (a linear part plus the MLP), trained
as its ``main.py`` does through a ``Dataset`` and ``DataLoader`` with BCE and Adam, AUC by
scikit-learn; written once for a library ``torch`` and run next to PyTorch from the same
weights in float64.

Lines written differently here, and why:
- ``target.float()`` is ``target.double()``: these runs are float64;
- ``np.long`` (gone from NumPy 1.24) is ``np.int64``;
- ``torch.nn.init.xavier_uniform_(self.embedding.weight.data)``: ``.data`` is a NumPy
  array here (by design), and the init functions take it too (drawn in place), so the line
  is as written;
- ``__getitem__`` wraps its NumPy rows in ``torch.as_tensor``: ``nn.data``'s collate keeps
  NumPy samples as NumPy batches (its documented rule), where PyTorch's default collate
  turns them into Tensors, and the model calls ``x.new_tensor``;
- ``torch.utils.data`` is ``nn.data`` here (``autograd`` does not import ``nn``); the loader
  does not shuffle, so both runs see the same batches.
"""

import numpy as np
import pytest

from recsys_helpers import assert_records, clicks, libraries, weight_sync


def torchfm(torch, nn, F, optim, data, sync, record: list, model_name: str,
            epochs: int = 2) -> None:
    torch.manual_seed(0)
    field_dims = (5, 7, 4, 3)
    cats, _, labels = clicks(n=48, cardinalities=field_dims, seed=5)

    class FeaturesLinear(nn.Module):
        def __init__(self, field_dims, output_dim=1):
            super().__init__()
            self.fc = nn.Embedding(sum(field_dims), output_dim)
            self.bias = nn.Parameter(torch.zeros((output_dim,)))
            self.offsets = np.array((0, *np.cumsum(field_dims)[:-1]), dtype=np.int64)

        def forward(self, x):
            x = x + x.new_tensor(self.offsets).unsqueeze(0)
            return torch.sum(self.fc(x), dim=1) + self.bias

    class FeaturesEmbedding(nn.Module):
        def __init__(self, field_dims, embed_dim):
            super().__init__()
            self.embedding = nn.Embedding(sum(field_dims), embed_dim)
            self.offsets = np.array((0, *np.cumsum(field_dims)[:-1]), dtype=np.int64)
            nn.init.xavier_uniform_(self.embedding.weight.data)

        def forward(self, x):
            x = x + x.new_tensor(self.offsets).unsqueeze(0)
            return self.embedding(x)

    class FactorizationMachine(nn.Module):
        def __init__(self, reduce_sum=True):
            super().__init__()
            self.reduce_sum = reduce_sum

        def forward(self, x):
            square_of_sum = torch.sum(x, dim=1) ** 2
            sum_of_square = torch.sum(x ** 2, dim=1)
            ix = square_of_sum - sum_of_square
            if self.reduce_sum:
                ix = torch.sum(ix, dim=1, keepdim=True)
            return 0.5 * ix

    class MultiLayerPerceptron(nn.Module):
        def __init__(self, input_dim, embed_dims, dropout, output_layer=True):
            super().__init__()
            layers = list()
            for embed_dim in embed_dims:
                layers.append(nn.Linear(input_dim, embed_dim))
                layers.append(nn.BatchNorm1d(embed_dim))
                layers.append(nn.ReLU())
                layers.append(nn.Dropout(p=dropout))
                input_dim = embed_dim
            if output_layer:
                layers.append(nn.Linear(input_dim, 1))
            self.mlp = nn.Sequential(*layers)

        def forward(self, x):
            return self.mlp(x)

    class FactorizationMachineModel(nn.Module):
        def __init__(self, field_dims, embed_dim):
            super().__init__()
            self.embedding = FeaturesEmbedding(field_dims, embed_dim)
            self.linear = FeaturesLinear(field_dims)
            self.fm = FactorizationMachine(reduce_sum=True)

        def forward(self, x):
            x = self.linear(x) + self.fm(self.embedding(x))
            return torch.sigmoid(x.squeeze(1))

    class DeepFactorizationMachineModel(nn.Module):
        def __init__(self, field_dims, embed_dim, mlp_dims, dropout):
            super().__init__()
            self.linear = FeaturesLinear(field_dims)
            self.fm = FactorizationMachine(reduce_sum=True)
            self.embedding = FeaturesEmbedding(field_dims, embed_dim)
            self.embed_output_dim = len(field_dims) * embed_dim
            self.mlp = MultiLayerPerceptron(self.embed_output_dim, mlp_dims, dropout)

        def forward(self, x):
            embed_x = self.embedding(x)
            x = self.linear(x) + self.fm(embed_x) + self.mlp(
                embed_x.view(-1, self.embed_output_dim))
            return torch.sigmoid(x.squeeze(1))

    class WideAndDeepModel(nn.Module):
        def __init__(self, field_dims, embed_dim, mlp_dims, dropout):
            super().__init__()
            self.linear = FeaturesLinear(field_dims)
            self.embedding = FeaturesEmbedding(field_dims, embed_dim)
            self.embed_output_dim = len(field_dims) * embed_dim
            self.mlp = MultiLayerPerceptron(self.embed_output_dim, mlp_dims, dropout)

        def forward(self, x):
            embed_x = self.embedding(x)
            x = self.linear(x) + self.mlp(embed_x.view(-1, self.embed_output_dim))
            return torch.sigmoid(x.squeeze(1))

    class ClickDataset(data.Dataset):
        def __init__(self, items, targets):
            self.items, self.targets = items, targets
            self.field_dims = np.max(self.items, axis=0) + 1

        def __len__(self):
            return self.targets.shape[0]

        def __getitem__(self, index):
            # self.items[index], self.targets[index] there: nn.data batches NumPy samples
            # as NumPy arrays (its rule), PyTorch's default collate makes Tensors
            return torch.as_tensor(self.items[index]), torch.as_tensor(self.targets[index])

    def get_model(name, dataset):
        field_dims = dataset.field_dims
        if name == "fm":
            return FactorizationMachineModel(field_dims, embed_dim=4)
        elif name == "dfm":
            return DeepFactorizationMachineModel(field_dims, embed_dim=4, mlp_dims=(8, 8),
                                                 dropout=0.0)
        elif name == "wd":
            return WideAndDeepModel(field_dims, embed_dim=4, mlp_dims=(8, 8), dropout=0.0)

    def train(model, optimizer, data_loader, criterion):
        model.train()
        for i, (fields, target) in enumerate(data_loader):
            y = model(fields)
            loss = criterion(y, target.double())  # target.float() there: float64 runs
            model.zero_grad()
            loss.backward()
            optimizer.step()
            record.extend([loss, model.embedding.embedding.weight.grad])

    def test(model, data_loader):
        model.eval()
        targets, predicts = list(), list()
        with torch.no_grad():
            for fields, target in data_loader:
                y = model(fields)
                targets.extend(target.tolist())
                predicts.extend(y.tolist())
        return roc_auc_score(targets, predicts), predicts

    from sklearn.metrics import roc_auc_score
    dataset = ClickDataset(cats, labels)
    train_loader = data.DataLoader(data.Subset(dataset, range(32)), batch_size=8)
    test_loader = data.DataLoader(data.Subset(dataset, range(32, 48)), batch_size=8)
    model = get_model(model_name, dataset)
    sync(model)
    criterion = nn.BCELoss()
    optimizer = optim.Adam(params=model.parameters(), lr=0.01, weight_decay=1e-6)
    for epoch_i in range(epochs):
        train(model, optimizer, train_loader, criterion)
        auc, predicts = test(model, test_loader)
        record += [auc, predicts]
    record += list(model.state_dict().values())


@pytest.mark.parametrize("model_name", ["fm", "dfm", "wd"])
def test_torchfm_models(torch, model_name):
    pytest.importorskip("sklearn")
    import nn.data
    import torch.utils.data
    ours, theirs = weight_sync()
    got, want = [], []
    torchfm(*libraries(torch), torch.utils.data, theirs, want, model_name)
    torchfm(*libraries(), nn.data, ours, got, model_name)
    # the MLP's first bias sits before a BatchNorm, which cancels its gradient: what is
    # left is round-off (~1e-18), which Adam scales up to steps of ~lr, so that bias
    # agrees to ~1e-11 only
    assert_records(got, want, atol=1e-9)


def test_fm_sum_square_trick_equals_pairwise_sum(torch):
    """The FM identity the layer rests on: 1/2 (sum_i v_i)^2 - sum_i v_i^2 summed over k
    equals sum_{i<j} <v_i, v_j>, here through triu_indices."""
    import autograd as ag
    v = ag.tensor(np.random.default_rng(3).normal(size=(2, 5, 3)), requires_grad=True)
    trick = 0.5 * ((v.sum(dim=1) ** 2) - (v ** 2).sum(dim=1)).sum(dim=1)
    i, j = ag.triu_indices(5, 5, offset=1)
    pairs = (v[:, i] * v[:, j]).sum(dim=(1, 2))
    np.testing.assert_allclose(trick.detach().numpy(), pairs.detach().numpy(), rtol=1e-12)
    g1, = ag.grad(trick.sum(), v)
    g2, = ag.grad(pairs.sum(), v)
    np.testing.assert_allclose(g1.numpy(), g2.numpy(), rtol=1e-12)


def inner_product_pairs(torch, record: list) -> None:
    """PNN's inner products of field embeddings, the pairs by ``torch.combinations``."""
    embed_x = torch.tensor(np.random.default_rng(4).normal(size=(3, 4, 2)),
                           requires_grad=True)
    num_fields = embed_x.shape[1]
    row, col = torch.combinations(torch.arange(num_fields), r=2).unbind(1)
    inner = torch.sum(embed_x[:, row] * embed_x[:, col], dim=2)
    fm = 0.5 * (embed_x.sum(1) ** 2 - (embed_x ** 2).sum(1)).sum(1)
    (inner.sum(1) * torch.tensor([1.0, -2.0, 0.5])).sum().backward()
    record += [row, col, inner, inner.sum(1) - fm, embed_x.grad]


def test_pnn_inner_products_by_combinations(torch):
    import autograd as ag
    got, want = [], []
    inner_product_pairs(torch, want)
    inner_product_pairs(ag, got)
    assert_records(got, want)
    np.testing.assert_allclose(got[3], 0, atol=1e-12)
