"""Planar and radial flows (Rezende & Mohamed, "Variational Inference with Normalizing
Flows", 2015) fitted to their unnormalised 2-d densities p(z) ~ exp(-U(z)), as readers
write them in PyTorch: ``PlanarFlow`` / ``RadialFlow`` modules returning (f(z), log|det
df/dz|), a learnable base ``q0`` whose ``rsample`` is reparameterised, and the reverse KL
E_q0[log q0(z0) - sum_k log|det J_k| + beta U(z_K)] minimised by Adam with beta annealed.
Written once for a library ``torch`` (``autograd`` here, PyTorch there), run step for step
next to PyTorch's from the same weights and the same base noise (float64): losses,
gradients and parameters after each step agree to 1e-10.

f(z) = z + u_hat tanh(w^T z + b) (u_hat keeps w^T u_hat >= -1, so f is invertible),
log|det| = log|1 + u_hat^T (1 - tanh^2(w^T z + b)) w|; radial:
f(z) = z + beta h(alpha, r) (z - z0), h = 1 / (alpha + r), r = |z - z0|,
log|det| = (d - 1) log(1 + beta h) + log(1 + beta h + beta h'(r) r).
Bases: ``Independent(Normal(mu, log_sigma.exp()), 1)`` and
``MultivariateNormal(mu, scale_tril=torch.diag(log_sigma.exp()))``.

Lines written differently here, and why:
- ``torch.optim.Adam`` is ``optim.Adam`` (``nn.optim`` here, see the RealNVP port);
- the test's glue: the base's standard normal noise comes from one NumPy generator in
  both runs (PyTorch's ``_standard_normal`` and our default generator are swapped for it),
  and each model starts from PyTorch's initial weights (``load_state_dict``).
"""

import math

import pytest
from flows_helpers import SharedNoise, assert_records

import autograd as ag
import nn


def w1(torch, z):
    return torch.sin(2 * math.pi * z[:, 0] / 4)


def w2(torch, z):
    return 3 * torch.exp(-0.5 * ((z[:, 0] - 1) / 0.6) ** 2)


def U1(torch, z):
    exp1 = torch.exp(-0.5 * ((z[:, 0] - 2) / 0.6) ** 2)
    exp2 = torch.exp(-0.5 * ((z[:, 0] + 2) / 0.6) ** 2)
    return 0.5 * ((torch.norm(z, p=2, dim=1) - 2) / 0.4) ** 2 - torch.log(exp1 + exp2 + 1e-10)


def U3(torch, z):
    exp1 = torch.exp(-0.5 * ((z[:, 1] - w1(torch, z)) / 0.35) ** 2)
    exp2 = torch.exp(-0.5 * ((z[:, 1] - w1(torch, z) + w2(torch, z)) / 0.35) ** 2)
    return -torch.log(exp1 + exp2 + 1e-10)


def flows(torch, nn, kind: str):
    F = nn.functional

    class PlanarFlow(nn.Module):
        def __init__(self, dim):
            super().__init__()
            self.w = nn.Parameter(torch.randn(1, dim) * 0.1)
            self.u = nn.Parameter(torch.randn(1, dim) * 0.1)
            self.b = nn.Parameter(torch.randn(1) * 0.1)

        def forward(self, z):
            wu = (self.w @ self.u.t()).squeeze()
            m_wu = -1 + F.softplus(wu)
            u_hat = self.u + (m_wu - wu) * self.w / torch.norm(self.w, p=2, dim=1) ** 2
            lin = z @ self.w.t() + self.b
            f = z + u_hat * torch.tanh(lin)
            psi = (1 - torch.tanh(lin) ** 2) * self.w
            log_det = torch.log(torch.abs(1 + psi @ u_hat.t()) + 1e-8)
            return f, log_det.squeeze(-1)

    class RadialFlow(nn.Module):
        def __init__(self, dim):
            super().__init__()
            self.dim = dim
            self.z0 = nn.Parameter(torch.randn(1, dim) * 0.1)
            self.log_alpha = nn.Parameter(torch.randn(1) * 0.1)
            self.beta = nn.Parameter(torch.randn(1) * 0.1)

        def forward(self, z):
            alpha = torch.exp(self.log_alpha)
            beta = -alpha + F.softplus(self.beta)
            diff = z - self.z0
            r = torch.norm(diff, dim=-1, keepdim=True)
            h = 1 / (alpha + r)
            f = z + beta * h * diff
            h_prime = -h ** 2
            log_det = (self.dim - 1) * torch.log1p(beta * h) \
                + torch.log1p(beta * h + beta * h_prime * r)
            return f, log_det.squeeze(-1)

    class NormalizingFlow(nn.Module):
        def __init__(self, dim, K, base):
            super().__init__()
            Flow = PlanarFlow if kind == "planar" else RadialFlow
            self.flows = nn.ModuleList([Flow(dim) for _ in range(K)])
            self.mu = nn.Parameter(torch.zeros(dim))
            self.log_sigma = nn.Parameter(torch.zeros(dim))
            self.base = base

        def q0(self):
            D = torch.distributions
            if self.base == "independent":
                return D.Independent(D.Normal(self.mu, self.log_sigma.exp()), 1)
            return D.MultivariateNormal(self.mu, scale_tril=torch.diag(self.log_sigma.exp()))

        def forward(self, n):
            q0 = self.q0()
            z = q0.rsample((n,))
            log_q = q0.log_prob(z)
            for flow in self.flows:
                z, log_det = flow(z)
                log_q = log_q - log_det
            return z, log_q

    return NormalizingFlow


def train(torch, optim, model, U, record: list, steps: int = 4) -> None:
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    for t in range(1, steps + 1):
        beta = min(1.0, 0.01 + t / 10)
        z, log_q = model(64)
        loss = (log_q + beta * U(torch, z)).mean()
        optimizer.zero_grad()
        loss.backward()
        record.append([loss.item()] + [p.grad.numpy().copy() for p in model.parameters()])
        optimizer.step()
        record.append([p.detach().numpy().copy() for p in model.parameters()])


@pytest.mark.parametrize("kind, U, base", [("planar", U1, "independent"),
                                           ("radial", U3, "multivariate_normal"),
                                           ("planar", U3, "multivariate_normal")])
def test_flow_fitted_by_reverse_kl(torch, monkeypatch, kind, U, base):
    torch.manual_seed(0)
    theirs = flows(torch, torch.nn, kind)(2, 4, base)
    ours = flows(ag, nn, kind)(2, 4, base)
    ours.load_state_dict({k: ag.tensor(v.detach().numpy())
                          for k, v in theirs.state_dict().items()})
    runs = [], []
    SharedNoise().install(monkeypatch)
    train(ag, nn.optim, ours, U, runs[0])
    SharedNoise().install(monkeypatch, torch)
    train(torch, torch.optim, theirs, U, runs[1])
    assert len(runs[0]) == 8
    assert_records(*runs)
