"""The message passing neural network of Gilmer et al. as PyG's QM9 example
(``examples/qm9_nn_conv.py``) builds it, written in plain PyTorch: an edge network
(``NNConv``: an MLP turns each edge's features into a matrix, the message is
``torch.bmm(x_j.unsqueeze(1), W(e)).squeeze(1)``, averaged over each node's incoming
edges with ``scatter_reduce(..., 'mean', include_self=False)``, plus a root weight), a GRU
update (``out, h = self.gru(m.unsqueeze(0), h)`` three times), a ``Set2Set`` readout (an
LSTM whose query attends over each graph's nodes with a softmax per graph: the maximum
by ``scatter_reduce(..., 'amax')`` of the detached scores, the sum by ``index_add``) and
``F.mse_loss`` on a graph-level target, trained by Adam with ``ReduceLROnPlateau``. The
molecules are a generated batch of ring graphs with random edge features. It runs step
for step next to PyTorch (float64): losses, every step's gradients and parameters agree.

Lines written differently here, and why:
- ``data.x``, ``data.edge_index``... (a PyG ``Batch``) are a dict's entries;
- the test's glue (marked): PyTorch's model starts from our weights; both record each
  optimizer step.
"""

import numpy as np

from graph_ports_data import graph_batch
from graph_ports_helpers import assert_same_run


def mpnn_program(torch, nn, F, optim, glue, epochs=4, dim=8):
    data = graph_batch()
    x, edge_index = torch.tensor(data["x"]), torch.tensor(data["edge_index"])
    edge_attr, batch = torch.tensor(data["edge_attr"]), torch.tensor(data["batch"])
    target, size = torch.tensor(data["target"]), data["num_graphs"]

    class NNConv(nn.Module):
        """x_i' = W_root x_i + b + mean_{j -> i} x_j h(e_ji), h(e) a matrix per edge."""
        def __init__(self, in_channels, out_channels, net, aggr='mean'):
            super().__init__()
            self.in_channels, self.out_channels = in_channels, out_channels
            self.nn = net
            self.aggr = aggr
            self.lin = nn.Linear(in_channels, out_channels, bias=False)
            self.bias = nn.Parameter(torch.zeros(out_channels))

        def forward(self, x, edge_index, edge_attr):
            src, dst = edge_index
            weight = self.nn(edge_attr).view(-1, self.in_channels, self.out_channels)
            msg = torch.bmm(x[src].unsqueeze(1), weight).squeeze(1)
            index = dst.unsqueeze(-1).expand_as(msg)
            out = x.new_zeros((x.size(0), self.out_channels)).scatter_reduce(
                0, index, msg, reduce=self.aggr, include_self=False)
            return out + self.lin(x) + self.bias

    def softmax(src, index, num_segments):
        """exp(s_i - max) / sum exp(s_j - max) over the entries of each segment."""
        src_max = src.detach().new_full((num_segments, src.size(1)), float('-inf'))
        src_max = src_max.scatter_reduce(0, index.unsqueeze(-1).expand_as(src),
                                         src.detach(), reduce='amax', include_self=True)
        out = (src - src_max[index]).exp()
        out_sum = torch.zeros(num_segments, src.size(1), dtype=src.dtype).index_add(
            0, index, out)
        return out / (out_sum[index] + 1e-16)

    class Set2Set(nn.Module):
        def __init__(self, in_channels, processing_steps):
            super().__init__()
            self.in_channels = in_channels
            self.out_channels = 2 * in_channels
            self.processing_steps = processing_steps
            self.lstm = nn.LSTM(self.out_channels, in_channels, num_layers=1)

        def forward(self, x, batch, size):
            h = (x.new_zeros((1, size, self.in_channels)),
                 x.new_zeros((1, size, self.in_channels)))
            q_star = x.new_zeros((size, self.out_channels))
            for _ in range(self.processing_steps):
                q, h = self.lstm(q_star.unsqueeze(0), h)
                q = q.view(size, self.in_channels)
                e = (x * q[batch]).sum(dim=-1, keepdim=True)
                a = softmax(e, batch, size)
                r = torch.zeros(size, self.in_channels, dtype=x.dtype).index_add(
                    0, batch, a * x)
                q_star = torch.cat([q, r], dim=-1)
            return q_star

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin0 = nn.Linear(x.size(1), dim)

            net = nn.Sequential(nn.Linear(edge_attr.size(1), 16), nn.ReLU(),
                                nn.Linear(16, dim * dim))
            self.conv = NNConv(dim, dim, net, aggr='mean')
            self.gru = nn.GRU(dim, dim)

            self.set2set = Set2Set(dim, processing_steps=3)
            self.lin1 = nn.Linear(2 * dim, dim)
            self.lin2 = nn.Linear(dim, 1)

        def forward(self, data):
            out = F.relu(self.lin0(data['x']))
            h = out.unsqueeze(0)

            for i in range(3):
                m = F.relu(self.conv(out, data['edge_index'], data['edge_attr']))
                out, h = self.gru(m.unsqueeze(0), h)
                out = out.squeeze(0)

            out = self.set2set(out, data['batch'], data['num_graphs'])
            out = F.relu(self.lin1(out))
            out = self.lin2(out)
            return out.view(-1)

    model = Net()
    optimizer = optim.Adam(model.parameters(), lr=0.001)
    scheduler = optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode='min', factor=0.7,
                                                     patience=1, min_lr=0.00001)
    glue(model, optimizer)  # the test's glue
    batch_data = {'x': x, 'edge_index': edge_index, 'edge_attr': edge_attr, 'batch': batch,
                  'num_graphs': size}
    losses = []
    for epoch in range(epochs):
        lr = scheduler.optimizer.param_groups[0]['lr']
        model.train()
        optimizer.zero_grad()
        loss = F.mse_loss(model(batch_data), target)
        loss.backward()
        optimizer.step()
        model.eval()
        error = (model(batch_data) - target).abs().sum().item()
        scheduler.step(error)
        losses += [lr, loss.item(), error]
    losses.append(model(batch_data).detach())
    return losses


def test_mpnn_edge_network_gru_set2set_runs_step_for_step(torch):
    assert_same_run(torch, mpnn_program)


def test_set2set_attention_sums_to_one_per_graph(torch):
    """The per-graph softmax of the readout (scatter 'amax' of the detached scores, then
    ``index_add``): each graph's weights add up to 1, in both libraries."""
    data = graph_batch()
    for T in (torch, __import__("autograd")):
        scores = T.tensor(np.random.default_rng(0).standard_normal((len(data["batch"]), 1)))
        batch = T.tensor(data["batch"])
        top = scores.new_full((data["num_graphs"], 1), float('-inf')).scatter_reduce(
            0, batch.unsqueeze(-1), scores, reduce='amax', include_self=True)
        weights = (scores - top[batch]).exp()
        sums = T.zeros(data["num_graphs"], 1, dtype=scores.dtype).index_add(0, batch, weights)
        np.testing.assert_allclose(np.asarray((weights / sums[batch]).tolist())[:, 0].sum(),
                                   data["num_graphs"], rtol=1e-12)
