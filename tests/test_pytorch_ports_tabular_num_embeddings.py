"""Embeddings for numerical features (the FT-Transformer/MLP front ends of "On Embeddings
for Numerical Features in Tabular Deep Learning") as yandex-research's
``rtdl_num_embeddings.py`` writes them: ``compute_bins`` by ``torch.quantile`` and
``unique`` or by scikit-learn's decision trees (reading ``X.device.type``), the
piecewise-linear encoding as a fixed ``addcmul`` whose weight and bias buffers are
written entry by entry, then ``clamp_max``/``clamp``/``clamp_min`` pieces (a ``where``
for single-bin features) and a 2-d boolean mask of the valid columns, the per-feature
``_NLinear``, periodic embeddings (``trunc_normal_`` frequencies, cos/sin, lite or not),
linear(-ReLU) embeddings, and ``get_output_shape`` as a ``torch.Size``; each embedding
feeds a small MLP trained with AdamW, written once for a library ``torch`` and run step
for step next to PyTorch from the same weights in float64.

Lines written differently here, and why:
- ``self.impl.weight.shape.numel()`` is ``self.impl.weight.size().numel()``: ``x.shape``
  is a plain tuple here (``x.size()`` is the ``Size`` with ``numel``);
- ``from torch.nn.parameter import Parameter`` is ``nn.Parameter``; the initialisers'
  draws differ, so the weights are synced from PyTorch's after construction (``sync``).
"""

import math
import warnings

import numpy as np
import pytest
import sklearn.tree as sklearn_tree

from recsys_helpers import assert_records, libraries, weight_sync


def num_embeddings(torch, nn) -> dict:
    Tensor, Parameter = torch.Tensor, nn.Parameter

    def _check_input_shape(x, expected_n_features):
        if x.ndim < 1:
            raise ValueError(f'The input must have at least one dimension, however: {x.ndim=}')
        if x.shape[-1] != expected_n_features:
            raise ValueError('The last dimension of the input was expected to be'
                             f' {expected_n_features}, however, {x.shape[-1]=}')

    class LinearEmbeddings(nn.Module):
        def __init__(self, n_features, d_embedding):
            super().__init__()
            self.weight = Parameter(torch.empty(n_features, d_embedding))
            self.bias = Parameter(torch.empty(n_features, d_embedding))
            self.reset_parameters()

        def reset_parameters(self):
            d_rqsrt = self.weight.shape[1] ** -0.5
            nn.init.uniform_(self.weight, -d_rqsrt, d_rqsrt)
            nn.init.uniform_(self.bias, -d_rqsrt, d_rqsrt)

        def get_output_shape(self):
            return self.weight.shape

        def forward(self, x):
            _check_input_shape(x, self.weight.shape[0])
            return torch.addcmul(self.bias, self.weight, x[..., None])

    class LinearReLUEmbeddings(nn.Module):
        def __init__(self, n_features, d_embedding=32):
            super().__init__()
            self.linear = LinearEmbeddings(n_features, d_embedding)
            self.activation = nn.ReLU()

        def forward(self, x):
            return self.activation(self.linear(x))

    class _Periodic(nn.Module):
        def __init__(self, n_features, k, sigma):
            if sigma <= 0.0:
                raise ValueError(f'sigma must be positive, however: {sigma=}')
            super().__init__()
            self._sigma = sigma
            self.weight = Parameter(torch.empty(n_features, k))
            self.reset_parameters()

        def reset_parameters(self):
            bound = self._sigma * 3
            nn.init.trunc_normal_(self.weight, 0.0, self._sigma, a=-bound, b=bound)

        def forward(self, x):
            _check_input_shape(x, self.weight.shape[0])
            x = 2 * math.pi * self.weight * x[..., None]
            x = torch.cat([torch.cos(x), torch.sin(x)], -1)
            return x

    class _NLinear(nn.Module):
        def __init__(self, n, in_features, out_features, bias=True):
            super().__init__()
            self.weight = Parameter(torch.empty(n, in_features, out_features))
            self.bias = Parameter(torch.empty(n, out_features)) if bias else None
            self.reset_parameters()

        def reset_parameters(self):
            d_in_rsqrt = self.weight.shape[-2] ** -0.5
            nn.init.uniform_(self.weight, -d_in_rsqrt, d_in_rsqrt)
            if self.bias is not None:
                nn.init.uniform_(self.bias, -d_in_rsqrt, d_in_rsqrt)

        def forward(self, x):
            if x.ndim != 3:
                raise ValueError('_NLinear supports only inputs with exactly one batch dim')
            assert x.shape[-(self.weight.ndim - 1):] == self.weight.shape[:-1]
            x = x.transpose(0, 1)
            x = x @ self.weight
            x = x.transpose(0, 1)
            if self.bias is not None:
                x = x + self.bias
            return x

    class PeriodicEmbeddings(nn.Module):
        def __init__(self, n_features, d_embedding=24, *, n_frequencies=48,
                     frequency_init_scale=0.01, activation=True, lite):
            super().__init__()
            self.periodic = _Periodic(n_features, n_frequencies, frequency_init_scale)
            if lite:
                if not activation:
                    raise ValueError('lite=True is allowed only when activation=True')
                self.linear = nn.Linear(2 * n_frequencies, d_embedding)
            else:
                self.linear = _NLinear(n_features, 2 * n_frequencies, d_embedding)
            self.activation = nn.ReLU() if activation else None

        def get_output_shape(self):
            n_features = self.periodic.weight.shape[0]
            d_embedding = (self.linear.weight.shape[0] if isinstance(self.linear, nn.Linear)
                           else self.linear.weight.shape[-1])
            return torch.Size((n_features, d_embedding))

        def forward(self, x):
            x = self.periodic(x)
            x = self.linear(x)
            if self.activation is not None:
                x = self.activation(x)
            return x

    def _check_bins(bins):
        if not bins:
            raise ValueError('The list of bins must not be empty')
        for i, feature_bins in enumerate(bins):
            if not isinstance(feature_bins, Tensor):
                raise ValueError('bins must be a list of PyTorch tensors.')
            if feature_bins.ndim != 1:
                raise ValueError('Each item of the bin list must have exactly one dimension.')
            if len(feature_bins) < 2:
                raise ValueError('All features must have at least two bin edges.')
            if not feature_bins.isfinite().all():
                raise ValueError('Bin edges must not contain nan/inf/-inf.')
            if (feature_bins[:-1] >= feature_bins[1:]).any():
                raise ValueError('Bin edges must be sorted.')

    def compute_bins(X, n_bins=48, *, tree_kwargs=None, y=None, regression=None):
        if not isinstance(X, Tensor):
            raise ValueError(f'X must be a PyTorch tensor, however: {type(X)=}')
        if not X.isfinite().all():
            raise ValueError('X must not contain nan/inf/-inf.')
        if (X == X[0]).all(dim=0).any():
            raise ValueError('All columns of X must have at least two distinct values.')
        if n_bins <= 1 or n_bins >= len(X):
            raise ValueError('n_bins must be more than 1, but less than len(X)')
        if tree_kwargs is None:
            bins = [q.unique()
                    for q in torch.quantile(X, torch.linspace(0.0, 1.0, n_bins + 1).to(X),
                                            dim=0).T]
            _check_bins(bins)
            return bins
        if X.device.type != 'cpu' or y.device.type != 'cpu':
            warnings.warn('Computing tree-based bins involves the conversion ...', UserWarning)
        X_numpy = X.cpu().numpy()
        y_numpy = y.cpu().numpy()
        bins = []
        for column in X_numpy.T:
            feature_bin_edges = [float(column.min()), float(column.max())]
            tree = ((sklearn_tree.DecisionTreeRegressor if regression
                     else sklearn_tree.DecisionTreeClassifier)(max_leaf_nodes=n_bins,
                                                               **tree_kwargs)
                    .fit(column.reshape(-1, 1), y_numpy).tree_)
            for node_id in range(tree.node_count):
                if tree.children_left[node_id] != tree.children_right[node_id]:
                    feature_bin_edges.append(float(tree.threshold[node_id]))
            bins.append(torch.as_tensor(feature_bin_edges).unique())
        _check_bins(bins)
        return [x.to(device=X.device, dtype=X.dtype) for x in bins]

    class _PiecewiseLinearEncodingImpl(nn.Module):
        def __init__(self, bins):
            assert len(bins) > 0
            super().__init__()
            n_features = len(bins)
            n_bins = [len(x) - 1 for x in bins]
            max_n_bins = max(n_bins)
            self.register_buffer('weight', torch.zeros(n_features, max_n_bins))
            self.register_buffer('bias', torch.zeros(n_features, max_n_bins))
            single_bin_mask = torch.tensor(n_bins) == 1
            self.register_buffer('single_bin_mask',
                                 single_bin_mask if single_bin_mask.any() else None)
            self.register_buffer(
                'mask',
                None if all(len(x) == len(bins[0]) for x in bins)
                else torch.row_stack([
                    torch.cat([
                        torch.ones((len(x) - 1) - 1, dtype=torch.bool),
                        torch.zeros(max_n_bins - (len(x) - 1), dtype=torch.bool),
                        torch.ones(1, dtype=torch.bool),
                    ])
                    for x in bins
                ]),
            )
            for i, bin_edges in enumerate(bins):
                bin_width = bin_edges.diff()
                w = 1.0 / bin_width
                b = -bin_edges[:-1] / bin_width
                self.weight[i, -1] = w[-1]
                self.bias[i, -1] = b[-1]
                self.weight[i, : n_bins[i] - 1] = w[:-1]
                self.bias[i, : n_bins[i] - 1] = b[:-1]

        def get_max_n_bins(self):
            return self.weight.shape[-1]

        def forward(self, x):
            x = torch.addcmul(self.bias, self.weight, x[..., None])
            if x.shape[-1] > 1:
                x = torch.cat([
                    x[..., :1].clamp_max(1.0),
                    x[..., 1:-1].clamp(0.0, 1.0),
                    (x[..., -1:].clamp_min(0.0) if self.single_bin_mask is None
                     else torch.where(self.single_bin_mask[..., None], x[..., -1:],
                                      x[..., -1:].clamp_min(0.0))),
                ], dim=-1)
            return x

    class PiecewiseLinearEncoding(nn.Module):
        def __init__(self, bins):
            super().__init__()
            self.impl = _PiecewiseLinearEncodingImpl(bins)

        def get_output_shape(self):
            total_n_bins = (
                self.impl.weight.size().numel()  # .shape.numel() there, see the docstring
                if self.impl.mask is None
                else int(self.impl.mask.long().sum().cpu().item())
            )
            return torch.Size((total_n_bins,))

        def forward(self, x):
            x = self.impl(x)
            return x.flatten(-2) if self.impl.mask is None else x[:, self.impl.mask]

    class PiecewiseLinearEmbeddings(nn.Module):
        def __init__(self, bins, d_embedding, *, activation, version=None):
            _check_bins(bins)
            if version is None:
                warnings.warn('The `version` argument is not provided, so version="A"')
                version = 'A'
            super().__init__()
            n_features = len(bins)
            is_version_B = version == 'B'
            self.linear0 = LinearEmbeddings(n_features, d_embedding) if is_version_B else None
            self.impl = _PiecewiseLinearEncodingImpl(bins)
            self.linear = _NLinear(len(bins), self.impl.get_max_n_bins(), d_embedding,
                                   bias=not is_version_B)
            if is_version_B:
                nn.init.zeros_(self.linear.weight)
            self.activation = nn.ReLU() if activation else None

        def forward(self, x):
            x_linear = None if self.linear0 is None else self.linear0(x)
            x_ple = self.impl(x)
            x_ple = self.linear(x_ple)
            if self.activation is not None:
                x_ple = self.activation(x_ple)
            return x_ple if x_linear is None else x_linear + x_ple

    return dict(compute_bins=compute_bins, LinearReLUEmbeddings=LinearReLUEmbeddings,
                PeriodicEmbeddings=PeriodicEmbeddings,
                PiecewiseLinearEncoding=PiecewiseLinearEncoding,
                PiecewiseLinearEmbeddings=PiecewiseLinearEmbeddings)


def make_embedding(torch, parts, kind, X, y):
    if kind == "ple-quantile":
        return parts["PiecewiseLinearEncoding"](parts["compute_bins"](X, n_bins=5))
    bins = parts["compute_bins"](X, n_bins=4, tree_kwargs={'min_samples_leaf': 6},
                                 y=y, regression=True)
    if kind == "ple-tree":
        return parts["PiecewiseLinearEncoding"](bins)
    if kind.startswith("ple-emb"):
        return parts["PiecewiseLinearEmbeddings"](bins, 3, activation=True,
                                                  version=kind[-1])
    if kind == "linear-relu":
        return parts["LinearReLUEmbeddings"](X.shape[1], 3)
    return parts["PeriodicEmbeddings"](X.shape[1], 3, n_frequencies=4,
                                       frequency_init_scale=0.5, lite=kind.endswith("lite"))


def train(torch, nn, F, optim, sync, record, kind, steps=4):
    torch.manual_seed(0)
    rng = np.random.default_rng(7)
    X_np = rng.normal(size=(36, 3))
    X_np[:, 2] = np.round(X_np[:, 2])  # few distinct values: fewer quantile edges
    y_np = np.sin(2 * X_np[:, 0]) + X_np[:, 1] ** 2
    X, y = torch.tensor(X_np), torch.tensor(y_np)
    embedding = make_embedding(torch, num_embeddings(torch, nn), kind, X, y)
    with torch.no_grad():
        d_in = embedding(X[:2]).flatten(1).shape[1]
    if hasattr(embedding, "get_output_shape"):
        assert math.prod(embedding.get_output_shape()) == d_in
    model = nn.Sequential(embedding, nn.Flatten(), nn.Linear(d_in, 8), nn.ReLU(),
                          nn.Linear(8, 1))
    sync(model)
    optimizer = optim.AdamW(model.parameters(), lr=1e-2, weight_decay=1e-4)
    for step in range(steps):
        rows = slice(9 * step, 9 * step + 9)
        optimizer.zero_grad()
        loss = F.mse_loss(model(X[rows]).squeeze(-1), y[rows])
        loss.backward()
        optimizer.step()
        record.append(loss.detach())
    record += list(model.state_dict().values())


@pytest.mark.parametrize("kind", ["ple-quantile", "ple-tree", "ple-embA", "ple-embB",
                                  "linear-relu", "periodic", "periodic-lite"])
def test_rtdl_num_embeddings(torch, kind):
    ours, theirs = weight_sync()
    got, want = [], []
    train(*libraries(torch), theirs, want, kind)
    train(*libraries(), ours, got, kind)
    assert_records(got, want, rtol=1e-9, atol=1e-11)
