"""The (variational) graph autoencoder of Kipf and Welling for link prediction, as plain
PyTorch ports write it (DaehanKim's ``vgae_pytorch``: ``glorot_init``,
``GraphConvSparse`` as ``torch.mm(self.adj, torch.mm(x, self.weight))``, ``VGAE.encode``
with ``torch.randn`` noise times ``torch.exp(self.logstd)``, ``dot_product_decode`` =
``torch.sigmoid(torch.matmul(Z, Z.t()))``, the weighted ``F.binary_cross_entropy`` with
``pos_weight`` and ``norm``, ``GraphAE`` without the noise, the KL term ``0.5 / n * (1 +
2 logstd - mean^2 - exp(logstd)^2).sum(1).mean()``), and PyG's negative-sampling habit
on the same encoder (``torch.randint`` negative pairs, logits ``(z[i] * z[j]).sum(-1)``,
``F.binary_cross_entropy_with_logits`` of positives against negatives). The adjacency is
normalised densely, D^-1/2 (A + I) D^-1/2 with ``deg.pow(-0.5)`` and
``deg_inv_sqrt[torch.isinf(deg_inv_sqrt)] = 0`` (no ``torch.sparse``). The graph is a
generated two-community graph whose held-out edges and non-edges (``torch.triu_indices``
of the upper triangle) give the validation AUC (scikit-learn's ``roc_auc_score``). Each
runs step for step next to PyTorch (float64, the noise and negative pairs replayed):
losses, AUCs, every step's gradients and parameters agree.

Lines written differently here, and why:
- ``torch.sparse.FloatTensor(...)`` / ``adj.to_dense()`` are dropped: every tensor is dense
  here (``torch.sparse_coo_tensor`` is a named error saying so);
- the test's glue (marked): PyTorch's model starts from our weights and replays our
  random draws; both record each optimizer step.
"""

import numpy as np
import pytest

from graph_ports_data import two_communities
from graph_ports_helpers import assert_same_run


def split_edges(torch, edge_index, n, seed=0, held_out=0.2):
    """Training edges (both directions) and held-out positive and negative pairs, the
    candidate pairs listed by ``torch.triu_indices(n, n, 1)``."""
    rng = np.random.default_rng(seed)
    src, dst = edge_index
    upper = np.unique(np.stack([np.minimum(src, dst), np.maximum(src, dst)]), axis=1)
    order = rng.permutation(upper.shape[1])
    cut = int(held_out * upper.shape[1])
    val, train = upper[:, order[:cut]], upper[:, order[cut:]]
    existing = set(map(tuple, upper.T))
    candidates = [tuple(p) for p in torch.triu_indices(n, n, 1).t().tolist()
                  if tuple(p) not in existing]
    picks = rng.choice(len(candidates), size=cut, replace=False)
    val_false = np.array([candidates[i] for i in picks]).T
    return np.concatenate([train, train[::-1]], axis=1), val, val_false


def gae_program(torch, nn, F, optim, glue, model_name, loss_name, epochs=5):
    from sklearn.metrics import roc_auc_score

    data = two_communities(n=20)
    n = data["x"].shape[0]
    train_edges, val_edges, val_edges_false = split_edges(torch, data["edge_index"], n)
    features = torch.tensor(data["x"])
    edge_index = torch.tensor(train_edges)

    # the adjacency with self-loops, normalised densely: D^-1/2 (A + I) D^-1/2
    adj = torch.zeros(n, n)
    adj[edge_index[0], edge_index[1]] = 1.0
    adj_label = adj + torch.eye(n)
    deg = adj_label.sum(1)
    deg_inv_sqrt = deg.pow(-0.5)
    deg_inv_sqrt[torch.isinf(deg_inv_sqrt)] = 0
    adj_norm = deg_inv_sqrt.view(-1, 1) * adj_label * deg_inv_sqrt.view(1, -1)

    hidden1_dim, hidden2_dim = 8, 4

    def glorot_init(input_dim, output_dim):
        init_range = np.sqrt(6.0 / (input_dim + output_dim))
        initial = torch.rand(input_dim, output_dim) * 2 * init_range - init_range
        return nn.Parameter(initial)

    class GraphConvSparse(nn.Module):
        def __init__(self, input_dim, output_dim, adj, activation=F.relu, **kwargs):
            super(GraphConvSparse, self).__init__(**kwargs)
            self.weight = glorot_init(input_dim, output_dim)
            self.adj = adj
            self.activation = activation

        def forward(self, inputs):
            x = inputs
            x = torch.mm(x, self.weight)
            x = torch.mm(self.adj, x)
            outputs = self.activation(x)
            return outputs

    def dot_product_decode(Z):
        A_pred = torch.sigmoid(torch.matmul(Z, Z.t()))
        return A_pred

    class VGAE(nn.Module):
        def __init__(self, adj):
            super(VGAE, self).__init__()
            self.base_gcn = GraphConvSparse(features.size(1), hidden1_dim, adj)
            self.gcn_mean = GraphConvSparse(hidden1_dim, hidden2_dim, adj,
                                            activation=lambda x: x)
            self.gcn_logstddev = GraphConvSparse(hidden1_dim, hidden2_dim, adj,
                                                 activation=lambda x: x)

        def encode(self, X):
            hidden = self.base_gcn(X)
            self.mean = self.gcn_mean(hidden)
            self.logstd = self.gcn_logstddev(hidden)
            gaussian_noise = torch.randn(X.size(0), hidden2_dim)
            sampled_z = gaussian_noise * torch.exp(self.logstd) + self.mean
            return sampled_z

        def forward(self, X):
            Z = self.encode(X)
            A_pred = dot_product_decode(Z)
            return A_pred

    class GraphAE(nn.Module):
        def __init__(self, adj):
            super(GraphAE, self).__init__()
            self.base_gcn = GraphConvSparse(features.size(1), hidden1_dim, adj)
            self.gcn_mean = GraphConvSparse(hidden1_dim, hidden2_dim, adj,
                                            activation=lambda x: x)

        def encode(self, X):
            hidden = self.base_gcn(X)
            z = self.mean = self.gcn_mean(hidden)
            return z

        def forward(self, X):
            Z = self.encode(X)
            A_pred = dot_product_decode(Z)
            return A_pred

    pos_weight = float(adj.shape[0] * adj.shape[0] - adj.sum()) / adj.sum()
    norm = adj.shape[0] * adj.shape[0] / float((adj.shape[0] * adj.shape[0] - adj.sum()) * 2)
    weight_mask = adj_label.view(-1) == 1
    weight_tensor = torch.ones(weight_mask.size(0))
    weight_tensor[weight_mask] = pos_weight

    def get_scores(edges_pos, edges_neg, adj_rec):
        preds = [adj_rec[e[0], e[1]].item() for e in edges_pos.T]
        preds_neg = [adj_rec[e[0], e[1]].item() for e in edges_neg.T]
        preds_all = np.hstack([preds, preds_neg])
        labels_all = np.hstack([np.ones(len(preds)), np.zeros(len(preds_neg))])
        return roc_auc_score(labels_all, preds_all)

    model = VGAE(adj_norm) if model_name == 'VGAE' else GraphAE(adj_norm)
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    glue(model, optimizer)  # the test's glue
    record = []
    for epoch in range(epochs):
        optimizer.zero_grad()
        if loss_name == 'dense':
            A_pred = model(features)
            loss = log_lik = norm * F.binary_cross_entropy(A_pred.view(-1), adj_label.view(-1),
                                                           weight=weight_tensor)
        else:  # negative sampling: as many random pairs as training edges
            z = model.encode(features)
            neg_edge_index = torch.randint(0, n, (2, edge_index.size(1)))
            pos_out = (z[edge_index[0]] * z[edge_index[1]]).sum(dim=-1)
            neg_out = (z[neg_edge_index[0]] * z[neg_edge_index[1]]).sum(dim=-1)
            out = torch.cat([pos_out, neg_out])
            label = torch.cat([torch.ones(pos_out.size(0)), torch.zeros(neg_out.size(0))])
            loss = log_lik = F.binary_cross_entropy_with_logits(out, label)
            A_pred = dot_product_decode(z)
        if model_name == 'VGAE':
            kl_divergence = 0.5 / A_pred.size(0) * (
                1 + 2 * model.logstd - model.mean ** 2 - torch.exp(model.logstd) ** 2).sum(1).mean()
            loss -= kl_divergence
        loss.backward()
        optimizer.step()
        record += [log_lik.item(), loss.item(), get_scores(val_edges, val_edges_false, A_pred)]
    record.append(dot_product_decode(model.mean).detach())
    return record


@pytest.mark.parametrize("model_name", ["GAE", "VGAE"])
@pytest.mark.parametrize("loss_name", ["dense", "negative_sampling"])
def test_graph_autoencoder_link_prediction_runs_step_for_step(torch, model_name, loss_name):
    pytest.importorskip("sklearn")
    # F.binary_cross_entropy of sigmoid(Z Z^T) near 1 loses digits in log(1 - p): the two
    # libraries' roundings there show in the gradients at 1e-10 (relative), not the code
    tolerances = {"rtol": 1e-8, "atol": 1e-9} if loss_name == "dense" else {}
    assert_same_run(torch, gae_program, model_name, loss_name, **tolerances)


def test_dense_normalisation_gives_symmetric_rows_of_the_gcn(torch):
    """D^-1/2 (A + I) D^-1/2 with an isolated node (degree 0 without the self-loop: its
    inf is zeroed) is symmetric and equals PyTorch's."""
    import autograd as ag
    results = []
    for T in (ag, torch):
        edge_index = T.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
        adj = T.zeros(4, 4)
        adj[edge_index[0], edge_index[1]] = 1.0
        deg = adj.sum(1)
        deg_inv_sqrt = deg.pow(-0.5)
        deg_inv_sqrt[T.isinf(deg_inv_sqrt)] = 0
        results.append(np.asarray((deg_inv_sqrt.view(-1, 1) * adj
                                   * deg_inv_sqrt.view(1, -1)).tolist()))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-15)
    np.testing.assert_allclose(results[0], results[0].T)
