"""DimeNet's blocks (Gasteiger, Groß, Günnemann 2020) as PyG's
``torch_geometric/nn/models/dimenet.py`` writes them, in plain PyTorch, for the library
``torch`` given: the envelope, the radial Bessel basis (``torch.arange(1, n + 1,
out=self.freq).mul_(PI)`` under ``no_grad``), the spherical basis (what PyG lambdifies from
sympy with ``{'sin': torch.sin, 'cos': torch.cos}``: spherical Bessel functions j_l at
their zeros times the zonal harmonics Y_l0 of the angle; the constant Y_00 by
``partial(self._sph_to_tensor, sph1)``), the triplets k -> j -> i of a radius graph (a dense
mask's ``nonzero`` in place of ``torch_sparse``), the angles ``atan2(|r_ji x r_ki|,
r_ji . r_ki)``, ``glorot_orthogonal``, and the embedding, interaction (the bilinear
``torch.einsum('wj,wl,ijl->wi', sbf, x_kj[idx_kj], self.W)``) and output blocks. Used by
``test_pytorch_ports_geometric_dimenet.py``, which says which lines are written
differently and why."""

import math
from functools import partial

import numpy as np

PI = math.pi


def spherical_bessel(order, x, T):
    """j_order(x), order 0..3, by its closed form in sin and cos (sympy's ``jn`` expanded)."""
    s, c = T.sin(x), T.cos(x)
    if order == 0:
        return s / x
    if order == 1:
        return s / x ** 2 - c / x
    if order == 2:
        return (3 / x ** 2 - 1) * s / x - 3 * c / x ** 2
    return (15 / x ** 3 - 6 / x) * s / x - (15 / x ** 2 - 1) * c / x


def bessel_zeros(num_spherical, num_radial):
    """The first ``num_radial`` positive zeros of j_0..j_{num_spherical-1}, by bisection
    on sign changes (PyG: ``scipy.optimize.brentq`` in ``dimenet_utils.Jn_zeros``)."""
    grid = np.linspace(2.0, 40, 38001)  # from 2: the closed forms cancel badly near 0
    zeros = np.zeros((num_spherical, num_radial))
    for order in range(num_spherical):
        f = spherical_bessel(order, grid, np)
        found = np.nonzero(np.sign(f[:-1]) != np.sign(f[1:]))[0][:num_radial]
        for n, k in enumerate(found):
            a, b = grid[k], grid[k + 1]
            for _ in range(60):
                mid = 0.5 * (a + b)
                if np.sign(spherical_bessel(order, mid, np)) == np.sign(
                        spherical_bessel(order, a, np)):
                    a = mid
                else:
                    b = mid
            zeros[order, n] = 0.5 * (a + b)
    return zeros


def dimenet_modules(torch, nn):
    """(DimeNet, radius_graph) of PyG's DimeNet for the library ``torch``."""

    class Envelope(nn.Module):
        def __init__(self, exponent):
            super().__init__()
            self.p = exponent + 1
            self.a = -(self.p + 1) * (self.p + 2) / 2
            self.b = self.p * (self.p + 2)
            self.c = -self.p * (self.p + 1) / 2

        def forward(self, x):
            p, a, b, c = self.p, self.a, self.b, self.c
            x_pow_p0 = x.pow(p - 1)
            x_pow_p1 = x_pow_p0 * x
            x_pow_p2 = x_pow_p1 * x
            return (1.0 / x + a * x_pow_p0 + b * x_pow_p1 +
                    c * x_pow_p2) * (x < 1.0).to(x.dtype)

    class BesselBasisLayer(nn.Module):
        def __init__(self, num_radial, cutoff=5.0, envelope_exponent=5):
            super().__init__()
            self.cutoff = cutoff
            self.envelope = Envelope(envelope_exponent)
            self.freq = nn.Parameter(torch.empty(num_radial))
            self.reset_parameters()

        def reset_parameters(self):
            with torch.no_grad():
                torch.arange(1, self.freq.numel() + 1, out=self.freq).mul_(PI)
            self.freq.requires_grad_()

        def forward(self, dist):
            dist = dist.unsqueeze(-1) / self.cutoff
            return self.envelope(dist) * (self.freq * dist).sin()

    class SphericalBasisLayer(nn.Module):
        def __init__(self, num_spherical, num_radial, cutoff=5.0, envelope_exponent=5):
            super().__init__()
            self.num_spherical, self.num_radial = num_spherical, num_radial
            self.cutoff = cutoff
            self.envelope = Envelope(envelope_exponent)
            zeros = bessel_zeros(num_spherical + 1, num_radial)
            self.sph_funcs, self.bessel_funcs = [], []
            for i in range(num_spherical):
                if i == 0:
                    sph1 = 1 / (2 * math.sqrt(PI))
                    self.sph_funcs.append(partial(self._sph_to_tensor, sph1))
                else:
                    self.sph_funcs.append(partial(self._zonal, i))
                for j in range(num_radial):
                    norm = 1 / math.sqrt(0.5 * spherical_bessel(i + 1, zeros[i, j], np) ** 2)
                    self.bessel_funcs.append(partial(self._bessel, i, zeros[i, j], norm))

        @staticmethod
        def _sph_to_tensor(sph, x):
            return torch.zeros_like(x) + sph

        @staticmethod
        def _zonal(degree, theta):
            """Y_l0(theta) = sqrt((2l + 1) / 4 pi) P_l(cos theta), l = degree = 1, 2."""
            c = torch.cos(theta)
            legendre = c if degree == 1 else (3 * c ** 2 - 1) / 2
            return math.sqrt((2 * degree + 1) / (4 * PI)) * legendre

        @staticmethod
        def _bessel(order, zero, norm, x):
            return norm * spherical_bessel(order, zero * x, torch)

        def forward(self, dist, angle, idx_kj):
            dist = dist / self.cutoff
            rbf = torch.stack([f(dist) for f in self.bessel_funcs], dim=1)
            rbf = self.envelope(dist).unsqueeze(-1) * rbf
            cbf = torch.stack([f(angle) for f in self.sph_funcs], dim=1)
            n, k = self.num_spherical, self.num_radial
            out = (rbf[idx_kj].view(-1, n, k) * cbf.view(-1, n, 1)).view(-1, n * k)
            return out

    def glorot_orthogonal(tensor, scale):
        with torch.no_grad():  # PyG: orthogonal_(tensor.data); tensor.data *= scale.sqrt()
            nn.init.orthogonal_(tensor)
            scale /= ((tensor.size(-2) + tensor.size(-1)) * tensor.var(correction=1))
            tensor *= scale.sqrt()

    class EmbeddingBlock(nn.Module):
        def __init__(self, num_radial, hidden_channels, act):
            super().__init__()
            self.act = act
            self.emb = nn.Embedding(95, hidden_channels)
            self.lin_rbf = nn.Linear(num_radial, hidden_channels)
            self.lin = nn.Linear(3 * hidden_channels, hidden_channels)
            with torch.no_grad():  # PyG: self.emb.weight.data.uniform_(-sqrt(3), sqrt(3))
                self.emb.weight.uniform_(-math.sqrt(3), math.sqrt(3))

        def forward(self, x, rbf, i, j):
            x = self.emb(x)
            rbf = self.act(self.lin_rbf(rbf))
            return self.act(self.lin(torch.cat([x[i], x[j], rbf], dim=-1)))

    class InteractionBlock(nn.Module):
        def __init__(self, hidden_channels, num_bilinear, num_spherical, num_radial, act):
            super().__init__()
            self.act = act
            self.lin_rbf = nn.Linear(num_radial, hidden_channels, bias=False)
            self.lin_sbf = nn.Linear(num_spherical * num_radial, num_bilinear, bias=False)
            self.lin_kj = nn.Linear(hidden_channels, hidden_channels)
            self.lin_ji = nn.Linear(hidden_channels, hidden_channels)
            self.W = nn.Parameter(torch.empty(hidden_channels, num_bilinear, hidden_channels))
            self.lin = nn.Linear(hidden_channels, hidden_channels)
            glorot_orthogonal(self.lin_rbf.weight, scale=2.0)
            glorot_orthogonal(self.lin_sbf.weight, scale=2.0)
            with torch.no_grad():  # PyG: self.W.data.normal_(mean=0, std=2 / self.W.size(0))
                self.W.normal_(mean=0, std=2 / self.W.size(0))

        def forward(self, x, rbf, sbf, idx_kj, idx_ji):
            rbf = self.lin_rbf(rbf)
            sbf = self.lin_sbf(sbf)
            x_ji = self.act(self.lin_ji(x))
            x_kj = self.act(self.lin_kj(x))
            x_kj = x_kj * rbf
            x_kj = torch.einsum('wj,wl,ijl->wi', sbf, x_kj[idx_kj], self.W)
            x_kj = x.new_zeros(x.size(0), x.size(1)).index_add(0, idx_ji, x_kj)  # scatter sum
            h = x_ji + x_kj
            h = self.act(self.lin(h)) + x
            return h

    class OutputBlock(nn.Module):
        def __init__(self, num_radial, hidden_channels, out_channels, act):
            super().__init__()
            self.act = act
            self.lin_rbf = nn.Linear(num_radial, hidden_channels, bias=False)
            self.lins = nn.ModuleList([nn.Linear(hidden_channels, hidden_channels)])
            self.lin = nn.Linear(hidden_channels, out_channels, bias=False)

        def forward(self, x, rbf, i, num_nodes=None):
            x = self.lin_rbf(rbf) * x
            x = x.new_zeros(num_nodes, x.size(1)).index_add(0, i, x)  # scatter sum
            for lin in self.lins:
                x = self.act(lin(x))
            return self.lin(x)

    def radius_graph(pos, r, batch):
        """torch_cluster's radius_graph(pos, r, batch, loop=False), densely."""
        mask = (torch.cdist(pos, pos) < r) & (batch.unsqueeze(0) == batch.unsqueeze(1))
        mask.fill_diagonal_(False)
        return mask.nonzero(as_tuple=False).t()

    class DimeNet(nn.Module):
        def __init__(self, hidden_channels, out_channels, num_blocks, num_bilinear,
                     num_spherical, num_radial, cutoff=5.0, envelope_exponent=5):
            super().__init__()
            act = nn.SiLU()  # PyG: activation_resolver('swish')
            self.cutoff = cutoff
            self.rbf = BesselBasisLayer(num_radial, cutoff, envelope_exponent)
            self.sbf = SphericalBasisLayer(num_spherical, num_radial, cutoff,
                                           envelope_exponent)
            self.emb = EmbeddingBlock(num_radial, hidden_channels, act)
            self.output_blocks = nn.ModuleList([
                OutputBlock(num_radial, hidden_channels, out_channels, act)
                for _ in range(num_blocks + 1)])
            self.interaction_blocks = nn.ModuleList([
                InteractionBlock(hidden_channels, num_bilinear, num_spherical, num_radial, act)
                for _ in range(num_blocks)])

        def triplets(self, edge_index, num_nodes):
            row, col = edge_index  # j->i
            # edge kj = (k -> j) feeds edge ji = (j -> i) when it ends where ji starts
            pairs = (col.unsqueeze(1) == row.unsqueeze(0)) & (
                row.unsqueeze(1) != col.unsqueeze(0))  # Remove i == k triplets.
            idx_kj, idx_ji = pairs.nonzero(as_tuple=True)
            idx_i, idx_j, idx_k = col[idx_ji], row[idx_ji], row[idx_kj]
            return col, row, idx_i, idx_j, idx_k, idx_kj, idx_ji

        def forward(self, z, pos, batch, num_graphs):
            edge_index = radius_graph(pos, r=self.cutoff, batch=batch)
            i, j, idx_i, idx_j, idx_k, idx_kj, idx_ji = self.triplets(
                edge_index, num_nodes=z.size(0))
            dist = (pos[i] - pos[j]).pow(2).sum(dim=-1).sqrt()
            pos_i = pos[idx_i]
            pos_ji, pos_ki = pos[idx_j] - pos_i, pos[idx_k] - pos_i
            a = (pos_ji * pos_ki).sum(dim=-1)
            b = torch.cross(pos_ji, pos_ki, dim=1).norm(dim=-1)
            angle = torch.arctan2(b, a)  # PyG: torch.atan2 (PyTorch's alias, arctan2)
            rbf = self.rbf(dist)
            sbf = self.sbf(dist, angle, idx_kj)
            x = self.emb(z, rbf, i, j)
            P = self.output_blocks[0](x, rbf, i, num_nodes=pos.size(0))
            for interaction_block, output_block in zip(self.interaction_blocks,
                                                       self.output_blocks[1:]):
                x = interaction_block(x, rbf, sbf, idx_kj, idx_ji)
                P = P + output_block(x, rbf, i, num_nodes=pos.size(0))
            return P.new_zeros(num_graphs, P.size(1)).index_add(0, batch, P)

    return DimeNet
