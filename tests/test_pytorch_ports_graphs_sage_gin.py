"""GraphSAGE and GIN written in plain PyTorch, as readers write them without PyG (the
layers of PyG's ``SAGEConv``/``GINConv`` and its examples, with the message passing spelled
out on ``edge_index``): GraphSAGE's mean over neighbours two ways, with
``Tensor.scatter_reduce(0, index, src, reduce='mean', include_self=False)`` and with
``index_add_`` then division by the degree (``clamp(min=1)``), its root weight and
``F.normalize``; GIN's sum over neighbours (``scatter_add_``) with a learnable eps,
``(1 + eps) * x + sum``, and an MLP with ``BatchNorm1d``; the graph-level readouts of a
batch of graphs (global add, mean and max pools, by ``index_add``, ``scatter_reduce``
'mean' and 'amax' on the ``batch`` vector). GraphSAGE classifies the nodes of a generated
two-community graph, GIN generated rings with and without chords. Each runs step for step
next to PyTorch (float64, Adam): losses, every step's gradients and parameters agree.

Lines written differently here, and why:
- ``torch.Tensor([0.])`` (GIN's eps) is kept: a list is data in both libraries;
- the test's glue (marked): PyTorch's model starts from our weights; both record each
  optimizer step.
"""

import numpy as np
import pytest

from graph_ports_data import graph_batch, two_communities
from graph_ports_helpers import assert_same_run


def sage_program(torch, nn, F, optim, glue, aggregation, epochs=5):
    """GraphSAGE (mean aggregator) on one graph, node classification."""
    data = two_communities()
    x = torch.tensor(data["x"])
    edge_index = torch.tensor(data["edge_index"])
    y = torch.tensor(data["y"])
    train_mask, test_mask = torch.tensor(data["train_mask"]), torch.tensor(data["test_mask"])

    class SAGEConv(nn.Module):
        """x_i' = W_1 x_i + W_2 mean_{j in N(i)} x_j, then scaled to unit length."""
        def __init__(self, in_channels, out_channels, normalize=False):
            super().__init__()
            self.lin_l = nn.Linear(in_channels, out_channels)  # the neighbours' mean
            self.lin_r = nn.Linear(in_channels, out_channels, bias=False)  # the root
            self.normalize = normalize

        def aggregate(self, x, edge_index):
            src, dst = edge_index
            if aggregation == "scatter_reduce":
                index = dst.unsqueeze(-1).expand(-1, x.size(1))
                return torch.zeros_like(x).scatter_reduce(0, index, x[src], reduce="mean",
                                                          include_self=False)
            out = torch.zeros_like(x)
            out.index_add_(0, dst, x[src])
            deg = torch.zeros(x.size(0), dtype=x.dtype)
            deg.index_add_(0, dst, torch.ones(dst.size(0), dtype=x.dtype))
            return out / deg.clamp(min=1).unsqueeze(-1)

        def forward(self, x, edge_index):
            out = self.lin_l(self.aggregate(x, edge_index)) + self.lin_r(x)
            if self.normalize:
                out = F.normalize(out, p=2., dim=-1)
            return out

    class GraphSAGE(nn.Module):
        def __init__(self, in_channels, hidden_channels, out_channels):
            super().__init__()
            self.conv1 = SAGEConv(in_channels, hidden_channels, normalize=True)
            self.conv2 = SAGEConv(hidden_channels, out_channels)

        def forward(self, x, edge_index):
            x = self.conv1(x, edge_index).relu()
            x = F.dropout(x, p=0.5, training=False)  # no draws: both runs alike
            return self.conv2(x, edge_index)

    model = GraphSAGE(x.size(1), 8, 2)
    optimizer = optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
    glue(model, optimizer)  # the test's glue
    losses = []
    for epoch in range(epochs):
        model.train()
        optimizer.zero_grad()
        out = model(x, edge_index)
        loss = F.cross_entropy(out[train_mask], y[train_mask])
        loss.backward()
        optimizer.step()
        model.eval()
        pred = model(x, edge_index).argmax(dim=1)
        correct = int((pred[test_mask] == y[test_mask]).sum())
        losses += [loss.item(), correct / int(test_mask.sum())]
    losses.append(model(x, edge_index).detach())
    return losses


@pytest.mark.parametrize("aggregation", ["scatter_reduce", "index_add"])
def test_graphsage_mean_aggregation_runs_step_for_step(torch, aggregation):
    assert_same_run(torch, sage_program, aggregation)


def test_the_two_mean_aggregations_agree(torch):
    """``scatter_reduce(..., 'mean', include_self=False)`` is ``index_add_`` over the
    degree (isolated nodes get 0), in both libraries."""
    runs = []
    for aggregation in ("scatter_reduce", "index_add"):
        torch.manual_seed(0)
        runs.append(sage_program(torch, torch.nn, torch.nn.functional, torch.optim,
                                 lambda model, optimizer: None, aggregation))
    for a, b in zip(*runs):
        np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-12)


def readouts(torch):
    """The graph-level pools of a batch of graphs, on the ``batch`` vector."""
    def global_add_pool(x, batch, size):
        return torch.zeros(size, x.size(1), dtype=x.dtype).index_add(0, batch, x)

    def global_mean_pool(x, batch, size):
        index = batch.unsqueeze(-1).expand_as(x)
        return x.new_zeros((size, x.size(1))).scatter_reduce(0, index, x, reduce="mean",
                                                             include_self=False)

    def global_max_pool(x, batch, size):
        index = batch.view(-1, 1).expand(-1, x.size(1))
        return x.new_full((size, x.size(1)), float("-inf")).scatter_reduce(
            0, index, x, reduce="amax", include_self=True)

    return global_add_pool, global_mean_pool, global_max_pool


def gin_program(torch, nn, F, optim, glue, epochs=4):
    """GIN (sum aggregation, learnable eps) with the three readouts, graph classification
    of a batch of rings with and without chords."""
    data = graph_batch()
    x, edge_index = torch.tensor(data["x"]), torch.tensor(data["edge_index"])
    batch, y, size = torch.tensor(data["batch"]), torch.tensor(data["y"]), data["num_graphs"]
    global_add_pool, global_mean_pool, global_max_pool = readouts(torch)

    class GINConv(nn.Module):
        """x_i' = MLP((1 + eps) x_i + sum_{j in N(i)} x_j)."""
        def __init__(self, mlp, train_eps=True):
            super().__init__()
            self.nn = mlp
            if train_eps:
                self.eps = nn.Parameter(torch.Tensor([0.]))
            else:
                self.register_buffer('eps', torch.Tensor([0.]))

        def forward(self, x, edge_index):
            src, dst = edge_index
            index = dst.view(-1, 1).expand(-1, x.size(1))
            out = torch.zeros_like(x).scatter_add_(0, index, x[src])
            out = out + (1 + self.eps) * x
            return self.nn(out)

    class GIN(nn.Module):
        def __init__(self, in_channels, hidden_channels, out_channels, num_layers):
            super().__init__()
            self.convs = nn.ModuleList()
            for _ in range(num_layers):
                mlp = nn.Sequential(
                    nn.Linear(in_channels, hidden_channels),
                    nn.BatchNorm1d(hidden_channels),
                    nn.ReLU(),
                    nn.Linear(hidden_channels, hidden_channels),
                )
                self.convs.append(GINConv(mlp, train_eps=True))
                in_channels = hidden_channels
            self.lin1 = nn.Linear(3 * hidden_channels, hidden_channels)
            self.lin2 = nn.Linear(hidden_channels, out_channels)

        def forward(self, x, edge_index, batch, size):
            for conv in self.convs:
                x = conv(x, edge_index).relu()
            x = torch.cat([global_add_pool(x, batch, size), global_mean_pool(x, batch, size),
                           global_max_pool(x, batch, size)], dim=1)
            x = self.lin1(x).relu()
            return self.lin2(x)

    model = GIN(x.size(1), 8, 2, num_layers=2)
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    glue(model, optimizer)  # the test's glue
    losses = []
    for epoch in range(epochs):
        model.train()
        optimizer.zero_grad()
        out = model(x, edge_index, batch, size)
        loss = F.cross_entropy(out, y)
        loss.backward()
        optimizer.step()
        losses += [loss.item(), model.convs[0].eps.item()]
    model.eval()
    losses.append(model(x, edge_index, batch, size).detach())
    return losses


def test_gin_with_learnable_eps_and_readouts_runs_step_for_step(torch):
    # atol 1e-10: the biases before the batch norms have rounding-level gradients, which
    # Adam moves by lr * g / eps (see assert_same_run); PyTorch's squared-gradient update
    # is a fused multiply-add, which NumPy cannot spell, so its last bit differs in a few
    # percent of entries, and the eval output after 4 steps shows it at about 4e-11
    losses = assert_same_run(torch, gin_program, atol=1e-10)
    assert losses[1] != 0.0  # eps learned


def test_readouts_match_a_loop_over_the_graphs(torch):
    """Each pool of the batch is the pool of each graph's rows, in both libraries."""
    data = graph_batch()
    for T in (torch, __import__("autograd")):
        x, batch = T.tensor(data["x"]), T.tensor(data["batch"])
        add, mean, top = (pool(x, batch, data["num_graphs"]) for pool in readouts(T))
        for g in range(data["num_graphs"]):
            rows = data["x"][data["batch"] == g]
            np.testing.assert_allclose(np.asarray(add[g].tolist()), rows.sum(0), rtol=1e-12)
            np.testing.assert_allclose(np.asarray(mean[g].tolist()), rows.mean(0), rtol=1e-12)
            np.testing.assert_array_equal(np.asarray(top[g].tolist()), rows.max(0))
