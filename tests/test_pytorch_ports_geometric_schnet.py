"""SchNet (Schütt et al. 2017) as PyG's ``torch_geometric/nn/models/schnet.py`` builds it,
written in plain PyTorch: atom-type embeddings, a radius graph (``torch.cdist`` below the
cutoff inside each molecule), ``GaussianSmearing`` of the distances, interaction blocks
whose continuous-filter convolution (``CFConv``) multiplies each neighbour's features by
a filter that an MLP makes from the expanded distance, times the cosine cutoff
``0.5 (cos(pi r / c) + 1)``, summed per atom by ``index_add_``; ``ShiftedSoftplus``
activations, a sum readout per molecule. It is trained as schnetpack trains it, on
energies and forces at once: the forces are ``-dE/dpos`` by ``torch.autograd.grad(...,
create_graph=True)``, so the loss's backward is a second-order one. The molecules are
generated clusters under a pair potential. It runs step for step next to PyTorch (float64):
losses, every step's gradients and parameters agree.

Lines written differently here, and why:
- ``self.lin2.bias.data.fill_(0)``: ``.data`` is the NumPy array here (by design), so the
  fill is written on the parameter under ``no_grad()`` (the same in both);
- ``radius_graph`` (``torch_cluster``) and ``scatter`` (``torch_scatter``) are not
  PyTorch: their plain-PyTorch lines are written out;
- ``mask.nonzero()`` names ``as_tuple=False``: without it the call is a named error here,
  as NumPy's ``nonzero()`` (a tuple) and PyTorch's (a tensor) differ;
- ``torch.autograd.grad`` is ``autograd_of(torch).grad``: ``torch.autograd``'s names are
  ``autograd``'s own here (``autograd.autograd`` is a named error saying so);
- the test's glue (marked): PyTorch's model starts from our weights; both record each
  optimizer step.
"""

import math

import numpy as np

import autograd as ag
from geometric_ports_data import pair_potential_molecules, rotation
from graph_ports_helpers import assert_same_run

PI = math.pi


def autograd_of(torch):
    """``torch.autograd`` of PyTorch; ``autograd`` itself here."""
    return torch.autograd if hasattr(torch, "autograd") else ag


def schnet_modules(torch, nn, F):
    """The building blocks of PyG's SchNet, for the library ``torch``."""

    class GaussianSmearing(nn.Module):
        def __init__(self, start=0.0, stop=5.0, num_gaussians=50):
            super().__init__()
            offset = torch.linspace(start, stop, num_gaussians)
            self.coeff = -0.5 / (offset[1] - offset[0]).item()**2
            self.register_buffer('offset', offset)

        def forward(self, dist):
            dist = dist.view(-1, 1) - self.offset.view(1, -1)
            return torch.exp(self.coeff * torch.pow(dist, 2))

    class ShiftedSoftplus(nn.Module):
        def __init__(self):
            super().__init__()
            self.shift = torch.log(torch.tensor(2.0)).item()

        def forward(self, x):
            return F.softplus(x) - self.shift

    class CFConv(nn.Module):
        def __init__(self, in_channels, out_channels, num_filters, net, cutoff):
            super().__init__()
            self.lin1 = nn.Linear(in_channels, num_filters, bias=False)
            self.lin2 = nn.Linear(num_filters, out_channels)
            self.nn = net
            self.cutoff = cutoff
            self.reset_parameters()

        def reset_parameters(self):
            nn.init.xavier_uniform_(self.lin1.weight)
            nn.init.xavier_uniform_(self.lin2.weight)
            with torch.no_grad():  # PyG: self.lin2.bias.data.fill_(0)
                self.lin2.bias.fill_(0)

        def forward(self, x, edge_index, edge_weight, edge_attr):
            C = 0.5 * (torch.cos(edge_weight * PI / self.cutoff) + 1.0)
            W = self.nn(edge_attr) * C.view(-1, 1)
            x = self.lin1(x)
            row, col = edge_index  # propagate(aggr='add'): message x_j * W, summed at i
            x = torch.zeros_like(x).index_add_(0, col, x[row] * W)
            x = self.lin2(x)
            return x

    class InteractionBlock(nn.Module):
        def __init__(self, hidden_channels, num_gaussians, num_filters, cutoff):
            super().__init__()
            self.mlp = nn.Sequential(
                nn.Linear(num_gaussians, num_filters),
                ShiftedSoftplus(),
                nn.Linear(num_filters, num_filters),
            )
            self.conv = CFConv(hidden_channels, hidden_channels, num_filters, self.mlp,
                               cutoff)
            self.act = ShiftedSoftplus()
            self.lin = nn.Linear(hidden_channels, hidden_channels)

        def forward(self, x, edge_index, edge_weight, edge_attr):
            x = self.conv(x, edge_index, edge_weight, edge_attr)
            x = self.act(x)
            x = self.lin(x)
            return x

    def radius_graph(pos, r, batch):
        """torch_cluster's radius_graph(pos, r, batch, loop=False), densely."""
        dist = torch.cdist(pos, pos)
        mask = (dist < r) & (batch.unsqueeze(0) == batch.unsqueeze(1))
        mask.fill_diagonal_(False)
        return mask.nonzero(as_tuple=False).t()  # see the module's docstring

    class SchNet(nn.Module):
        def __init__(self, hidden_channels=128, num_filters=128, num_interactions=6,
                     num_gaussians=50, cutoff=10.0):
            super().__init__()
            self.hidden_channels = hidden_channels
            self.cutoff = cutoff
            self.embedding = nn.Embedding(100, hidden_channels, padding_idx=0)
            self.distance_expansion = GaussianSmearing(0.0, cutoff, num_gaussians)
            self.interactions = nn.ModuleList()
            for _ in range(num_interactions):
                block = InteractionBlock(hidden_channels, num_gaussians, num_filters, cutoff)
                self.interactions.append(block)
            self.lin1 = nn.Linear(hidden_channels, hidden_channels // 2)
            self.act = ShiftedSoftplus()
            self.lin2 = nn.Linear(hidden_channels // 2, 1)

        def forward(self, z, pos, batch, num_graphs):
            h = self.embedding(z)
            edge_index = radius_graph(pos, r=self.cutoff, batch=batch)
            row, col = edge_index
            edge_weight = (pos[row] - pos[col]).norm(dim=-1)
            edge_attr = self.distance_expansion(edge_weight)
            for interaction in self.interactions:
                h = h + interaction(h, edge_index, edge_weight, edge_attr)
            h = self.lin1(h)
            h = self.act(h)
            h = self.lin2(h)
            out = h.new_zeros(num_graphs, 1).index_add_(0, batch, h)  # scatter(..., 'add')
            return out

    return SchNet


def schnet_program(torch, nn, F, optim, glue, steps=3, rho=0.1):
    data = pair_potential_molecules()
    z = torch.tensor(data["z"]) + 1  # atom types 1..3 (0 is the padding index)
    pos = torch.tensor(data["pos"]).requires_grad_()
    batch, energy = torch.tensor(data["batch"]), torch.tensor(data["energy"])
    forces, num_graphs = torch.tensor(data["forces"]), data["num_graphs"]
    model = schnet_modules(torch, nn, F)(hidden_channels=8, num_filters=8,
                                        num_interactions=2, num_gaussians=6, cutoff=2.5)
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    glue(model, optimizer)  # the test's glue
    results = []
    for _ in range(steps):
        optimizer.zero_grad()
        pred_energy = model(z, pos, batch, num_graphs).squeeze(-1)
        pred_forces = -autograd_of(torch).grad(pred_energy, pos,
                                           grad_outputs=torch.ones_like(pred_energy),
                                           create_graph=True, retain_graph=True)[0]
        loss = rho * F.mse_loss(pred_energy, energy) + (1 - rho) * F.mse_loss(
            pred_forces, forces)
        loss.backward()
        optimizer.step()
        results += [loss.item(), pred_forces.detach()]
    return results


def test_schnet_energy_and_force_training_runs_step_for_step(torch):
    assert_same_run(torch, schnet_program)


def test_schnet_energy_is_invariant_and_forces_rotate_with_the_molecule():
    """E(R pos) = E(pos) and F(R pos) = F(pos) R^T, for a rotation R: distances are all
    SchNet reads."""
    import nn
    import nn.functional as F
    ag.manual_seed(0)
    data = pair_potential_molecules()
    model = schnet_modules(ag, nn, F)(hidden_channels=8, num_filters=8, num_interactions=2,
                                      num_gaussians=6, cutoff=2.5)
    turn = rotation()
    outputs = []
    for pos in (data["pos"], data["pos"] @ turn.T):
        pos = ag.tensor(pos, requires_grad=True)
        energy = model(ag.tensor(data["z"]) + 1, pos, ag.tensor(data["batch"]), 4)
        outputs.append((energy.detach().numpy(), -ag.grad(energy.sum(), pos)[0]))
    np.testing.assert_allclose(outputs[1][0], outputs[0][0], rtol=1e-10)
    np.testing.assert_allclose(outputs[1][1].numpy(), outputs[0][1].numpy() @ turn.T,
                               atol=1e-10)
