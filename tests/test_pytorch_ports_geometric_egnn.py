"""E(n)-equivariant graph neural networks (Satorras, Hoogeboom, Welling 2021) as the
authors' ``egnn_clean.py`` (vgsatorras/egnn) writes them: ``E_GCL`` layers whose edge MLP
reads both ends' features and the squared distance, whose coordinate update moves each
node by ``sum_j (x_i - x_j) phi_x(m_ij)`` (``unsorted_segment_sum``/``_mean`` by
``scatter_add_`` on ``data.new_full(shape, 0)``), with the optional attention gate, the
normalized ``coord_diff`` (divided by its detached norm) and a ``tanh`` on the coordinate
MLP; layers found by ``self._modules["gcl_%d" % i]``, edges built by ``get_edges_batch``
with ``torch.LongTensor``. It is trained as the paper's N-body experiment (a shrunk,
generated one: charged particles; the network predicts the positions after a few steps
from the start positions, speeds and charges), with Adam and an MSE loss, step for step
next to PyTorch (float64): losses, every step's gradients and parameters agree. A second
test checks the equivariance itself: rotating and shifting the input rotates and shifts
the predicted positions and leaves the features unchanged.

Lines written differently here, and why:
- ``'Wrong coords_agg parameter' % self.coords_agg`` gets the ``%s`` it lacks (as written
  it raises a TypeError of its own);
- ``torch.nn.init.xavier_uniform_`` is ``nn.init.xavier_uniform_``: ``nn`` is a package of
  its own here (``torch.nn`` is a named error saying so);
- the test's glue (marked): PyTorch's model starts from our weights; both record each
  optimizer step.
"""

import numpy as np

import autograd as ag
from geometric_ports_data import n_body_trajectories, rotation
from graph_ports_helpers import assert_same_run


def egnn_modules(torch, nn):
    """``E_GCL``, ``EGNN`` and the helpers of ``egnn_clean.py`` for the library ``torch``."""

    class E_GCL(nn.Module):
        """E(n) Equivariant Convolutional Layer."""

        def __init__(self, input_nf, output_nf, hidden_nf, edges_in_d=0, act_fn=nn.SiLU(),
                     residual=True, attention=False, normalize=False, coords_agg='mean',
                     tanh=False):
            super(E_GCL, self).__init__()
            input_edge = input_nf * 2
            self.residual = residual
            self.attention = attention
            self.normalize = normalize
            self.coords_agg = coords_agg
            self.tanh = tanh
            self.epsilon = 1e-8
            edge_coords_nf = 1

            self.edge_mlp = nn.Sequential(
                nn.Linear(input_edge + edge_coords_nf + edges_in_d, hidden_nf),
                act_fn,
                nn.Linear(hidden_nf, hidden_nf),
                act_fn)

            self.node_mlp = nn.Sequential(
                nn.Linear(hidden_nf + input_nf, hidden_nf),
                act_fn,
                nn.Linear(hidden_nf, output_nf))

            layer = nn.Linear(hidden_nf, 1, bias=False)
            nn.init.xavier_uniform_(layer.weight, gain=0.001)  # torch.nn.init...

            coord_mlp = []
            coord_mlp.append(nn.Linear(hidden_nf, hidden_nf))
            coord_mlp.append(act_fn)
            coord_mlp.append(layer)
            if self.tanh:
                coord_mlp.append(nn.Tanh())
            self.coord_mlp = nn.Sequential(*coord_mlp)

            if self.attention:
                self.att_mlp = nn.Sequential(
                    nn.Linear(hidden_nf, 1),
                    nn.Sigmoid())

        def edge_model(self, source, target, radial, edge_attr):
            if edge_attr is None:  # Unused.
                out = torch.cat([source, target, radial], dim=1)
            else:
                out = torch.cat([source, target, radial, edge_attr], dim=1)
            out = self.edge_mlp(out)
            if self.attention:
                att_val = self.att_mlp(out)
                out = out * att_val
            return out

        def node_model(self, x, edge_index, edge_attr, node_attr):
            row, col = edge_index
            agg = unsorted_segment_sum(edge_attr, row, num_segments=x.size(0))
            if node_attr is not None:
                agg = torch.cat([x, agg, node_attr], dim=1)
            else:
                agg = torch.cat([x, agg], dim=1)
            out = self.node_mlp(agg)
            if self.residual:
                out = x + out
            return out, agg

        def coord_model(self, coord, edge_index, coord_diff, edge_feat):
            row, col = edge_index
            trans = coord_diff * self.coord_mlp(edge_feat)
            if self.coords_agg == 'sum':
                agg = unsorted_segment_sum(trans, row, num_segments=coord.size(0))
            elif self.coords_agg == 'mean':
                agg = unsorted_segment_mean(trans, row, num_segments=coord.size(0))
            else:
                raise Exception('Wrong coords_agg parameter %s' % self.coords_agg)
            coord = coord + agg
            return coord

        def coord2radial(self, edge_index, coord):
            row, col = edge_index
            coord_diff = coord[row] - coord[col]
            radial = torch.sum(coord_diff**2, 1).unsqueeze(1)

            if self.normalize:
                norm = torch.sqrt(radial).detach() + self.epsilon
                coord_diff = coord_diff / norm

            return radial, coord_diff

        def forward(self, h, edge_index, coord, edge_attr=None, node_attr=None):
            row, col = edge_index
            radial, coord_diff = self.coord2radial(edge_index, coord)

            edge_feat = self.edge_model(h[row], h[col], radial, edge_attr)
            coord = self.coord_model(coord, edge_index, coord_diff, edge_feat)
            h, agg = self.node_model(h, edge_index, edge_feat, node_attr)

            return h, coord, edge_attr

    class EGNN(nn.Module):
        def __init__(self, in_node_nf, hidden_nf, out_node_nf, in_edge_nf=0, device='cpu',
                     act_fn=nn.SiLU(), n_layers=4, residual=True, attention=False,
                     normalize=False, tanh=False):
            super(EGNN, self).__init__()
            self.hidden_nf = hidden_nf
            self.device = device
            self.n_layers = n_layers
            self.embedding_in = nn.Linear(in_node_nf, self.hidden_nf)
            self.embedding_out = nn.Linear(self.hidden_nf, out_node_nf)
            for i in range(0, n_layers):
                self.add_module("gcl_%d" % i, E_GCL(self.hidden_nf, self.hidden_nf,
                                                    self.hidden_nf, edges_in_d=in_edge_nf,
                                                    act_fn=act_fn, residual=residual,
                                                    attention=attention, normalize=normalize,
                                                    tanh=tanh))
            self.to(self.device)

        def forward(self, h, x, edges, edge_attr):
            h = self.embedding_in(h)
            for i in range(0, self.n_layers):
                h, x, _ = self._modules["gcl_%d" % i](h, edges, x, edge_attr=edge_attr)
            h = self.embedding_out(h)
            return h, x

    def unsorted_segment_sum(data, segment_ids, num_segments):
        result_shape = (num_segments, data.size(1))
        result = data.new_full(result_shape, 0)  # Init empty result tensor.
        segment_ids = segment_ids.unsqueeze(-1).expand(-1, data.size(1))
        result.scatter_add_(0, segment_ids, data)
        return result

    def unsorted_segment_mean(data, segment_ids, num_segments):
        result_shape = (num_segments, data.size(1))
        segment_ids = segment_ids.unsqueeze(-1).expand(-1, data.size(1))
        result = data.new_full(result_shape, 0)  # Init empty result tensor.
        count = data.new_full(result_shape, 0)
        result.scatter_add_(0, segment_ids, data)
        count.scatter_add_(0, segment_ids, torch.ones_like(data))
        return result / count.clamp(min=1)

    def get_edges(n_nodes):
        rows, cols = [], []
        for i in range(n_nodes):
            for j in range(n_nodes):
                if i != j:
                    rows.append(i)
                    cols.append(j)
        edges = [rows, cols]
        return edges

    def get_edges_batch(n_nodes, batch_size):
        edges = get_edges(n_nodes)
        edge_attr = torch.ones(len(edges[0]) * batch_size, 1)
        edges = [torch.LongTensor(edges[0]), torch.LongTensor(edges[1])]
        if batch_size == 1:
            return edges, edge_attr
        elif batch_size > 1:
            rows, cols = [], []
            for i in range(batch_size):
                rows.append(edges[0] + n_nodes * i)
                cols.append(edges[1] + n_nodes * i)
            edges = [torch.cat(rows), torch.cat(cols)]
        return edges, edge_attr

    return EGNN, get_edges_batch


def egnn_program(torch, nn, F, optim, glue, epochs=3):
    data = n_body_trajectories()
    EGNN, get_edges_batch = egnn_modules(torch, nn)
    loc, vel = torch.tensor(data["loc"]), torch.tensor(data["vel"])
    charges, loc_end = torch.tensor(data["charges"]), torch.tensor(data["loc_end"])
    edges, _ = get_edges_batch(data["bodies"], data["systems"])
    rows, cols = edges
    edge_attr = charges[rows] * charges[cols]
    nodes = torch.cat([torch.sqrt(torch.sum(vel ** 2, dim=1)).unsqueeze(1), charges], dim=1)
    model = EGNN(in_node_nf=2, hidden_nf=8, out_node_nf=1, in_edge_nf=1, n_layers=2,
                 attention=True, normalize=True, tanh=True)
    optimizer = optim.Adam(model.parameters(), lr=5e-3, weight_decay=1e-12)
    glue(model, optimizer)  # the test's glue
    loss_mse = nn.MSELoss()
    results = []
    for epoch in range(epochs):
        optimizer.zero_grad()
        _, loc_pred = model(nodes, loc.detach(), edges, edge_attr)
        loss = loss_mse(loc_pred, loc_end)
        loss.backward()
        optimizer.step()
        results += [loss.item(), loc_pred.detach()]
    return results


def test_egnn_n_body_training_runs_step_for_step(torch):
    assert_same_run(torch, egnn_program)


def test_egnn_positions_are_equivariant_and_features_invariant():
    """EGNN(h, R x + t) = (h', R x' + t) for a rotation R and a shift t."""
    import nn
    ag.manual_seed(0)
    EGNN, get_edges_batch = egnn_modules(ag, nn)
    data = n_body_trajectories()
    model = EGNN(in_node_nf=1, hidden_nf=8, out_node_nf=2, in_edge_nf=1, n_layers=2,
                 attention=True)
    edges, edge_attr = get_edges_batch(data["bodies"], data["systems"])
    turn, shift = rotation(1), np.array([0.5, -1.0, 2.0])
    h, x = model(ag.tensor(data["charges"]), ag.tensor(data["loc"]), edges, edge_attr)
    h_moved, x_moved = model(ag.tensor(data["charges"]),
                             ag.tensor(data["loc"] @ turn.T + shift), edges, edge_attr)
    np.testing.assert_allclose(h_moved.detach().numpy(), h.detach().numpy(), atol=1e-10)
    np.testing.assert_allclose(x_moved.detach().numpy(), x.detach().numpy() @ turn.T + shift,
                               atol=1e-10)
