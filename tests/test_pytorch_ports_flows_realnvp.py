"""RealNVP on two moons, as its readers write it (the widely copied notebook
"Real NVP in PyTorch": ``RealNVP(nets, nett, masks, prior)`` with ``g`` (z -> x), ``f``
(x -> z and log|det J|), ``log_prob`` and ``sample``), written once for a library
``torch`` (``autograd`` here, PyTorch there) and run step for step next to PyTorch's from
the same weights and batches (float64): losses, gradients and parameters after each Adam
step agree to 1e-10, and so do the samples drawn by inverting the flow from the same
base noise.

The affine coupling layer keeps the masked half x_ = m * x and maps the other half:
z = (1 - m) * (x - t(x_)) * exp(-s(x_)) + x_, so log|det dz/dx| = -sum s(x_) (1 - m).
Two bases: ``MultivariateNormal(torch.zeros(2), torch.eye(2))`` (the notebook's) and
``Normal(0, 1).log_prob(z).sum(1)``.

Lines written differently here, and why:
- ``datasets.make_moons(n_samples=100, noise=.05)`` draws a fresh batch each step; here
  the batches are drawn once with a seed (``random_state``) and given to both runs;
- ``torch.optim.Adam`` is ``optim.Adam`` with ``optim`` nn's (``torch.optim``'s there):
  ``nn`` and its optimizers are a package of their own here, not ``autograd.optim``;
- the networks are 2 -> 16 -> 16 -> 2 (256 wide in the notebook) and 3 steps are run,
  so the test is fast; each model starts from PyTorch's initial weights (``sync``).
"""

import numpy as np
import pytest
from flows_helpers import assert_records

import autograd as ag
import nn


def libraries(torch=None) -> tuple:
    """(torch, nn, distributions) of this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, ag.distributions
    return torch, torch.nn, torch.distributions


def moons(n_steps: int, n: int = 64) -> list[np.ndarray]:
    datasets = pytest.importorskip("sklearn.datasets")
    return [datasets.make_moons(n_samples=n, noise=.05, random_state=i)[0]
            for i in range(n_steps)]


def sync(ours, theirs) -> None:
    """Our model's parameters and buffers take the values of PyTorch's (the test's glue)."""
    ours.load_state_dict({k: ag.tensor(v.detach().numpy())
                          for k, v in theirs.state_dict().items()})


def realnvp(torch, nn, distributions, base: str):
    """The notebook's cells up to the optimizer: the flow of 6 coupling layers."""

    class RealNVP(nn.Module):
        def __init__(self, nets, nett, mask, prior):
            super(RealNVP, self).__init__()

            self.prior = prior
            self.mask = nn.Parameter(mask, requires_grad=False)
            # torch.nn.ModuleList: nn is a package of its own here (autograd never imports
            # it), so the notebook's nn.ModuleList
            self.t = nn.ModuleList([nett() for _ in range(len(masks))])
            self.s = nn.ModuleList([nets() for _ in range(len(masks))])

        def g(self, z):
            x = z
            for i in range(len(self.t)):
                x_ = x*self.mask[i]
                s = self.s[i](x_)*(1 - self.mask[i])
                t = self.t[i](x_)*(1 - self.mask[i])
                x = x_ + (1 - self.mask[i]) * (x * torch.exp(s) + t)
            return x

        def f(self, x):
            log_det_J, z = x.new_zeros(x.shape[0]), x
            for i in reversed(range(len(self.t))):
                z_ = self.mask[i] * z
                s = self.s[i](z_) * (1-self.mask[i])
                t = self.t[i](z_) * (1-self.mask[i])
                z = (1 - self.mask[i]) * (z - t) * torch.exp(-s) + z_
                log_det_J -= s.sum(dim=1)
            return z, log_det_J

        def log_prob(self, x):
            z, logp = self.f(x)
            if base == "normal":
                return self.prior.log_prob(z).sum(1) + logp
            return self.prior.log_prob(z) + logp

        def sample(self, batchSize):
            if base == "normal":
                z = self.prior.sample((batchSize, 1, 2))
            else:
                z = self.prior.sample((batchSize, 1))
            logp = self.prior.log_prob(z)  # noqa: F841 (the notebook's unused line)
            x = self.g(z)
            return x

    def nets():
        return nn.Sequential(nn.Linear(2, 16), nn.LeakyReLU(), nn.Linear(16, 16),
                             nn.LeakyReLU(), nn.Linear(16, 2), nn.Tanh())

    def nett():
        return nn.Sequential(nn.Linear(2, 16), nn.LeakyReLU(), nn.Linear(16, 16),
                             nn.LeakyReLU(), nn.Linear(16, 2))

    masks = torch.from_numpy(np.array([[0, 1], [1, 0]] * 3).astype(np.float64))
    if base == "normal":
        prior = distributions.Normal(0, 1)
    else:
        prior = distributions.MultivariateNormal(torch.zeros(2), torch.eye(2))
    return RealNVP(nets, nett, masks, prior)


def train(torch, optim, flow, batches, record: list) -> None:
    optimizer = optim.Adam([p for p in flow.parameters() if p.requires_grad==True],  # noqa: E712
                                 lr=1e-3)
    for noisy_moons in batches:
        loss = -flow.log_prob(torch.from_numpy(noisy_moons)).mean()

        optimizer.zero_grad()
        loss.backward(retain_graph=True)
        record.append([loss.item()] + [p.grad.numpy().copy() for p in flow.parameters()
                                       if p.requires_grad])
        optimizer.step()
        record.append([p.detach().numpy().copy() for p in flow.parameters()])


@pytest.mark.parametrize("base", ["multivariate_normal", "normal"])
def test_realnvp_two_moons(torch, base):
    batches = moons(3)
    theirs = realnvp(*libraries(torch), base)
    ours = realnvp(*libraries(), base)
    sync(ours, theirs)
    assert [p.requires_grad for p in ours.parameters()] == \
        [p.requires_grad for p in theirs.parameters()]
    runs = [], []
    train(ag, nn.optim, ours, batches, runs[0])
    train(torch, torch.optim, theirs, batches, runs[1])
    assert_records(*runs)

    # sampling by inverting the flow: our draws of the base, given to PyTorch's g
    ag.manual_seed(0)
    x = ours.sample(50)
    assert x.shape == (50, 1, 2)
    ag.manual_seed(0)
    z = ours.prior.sample((50, 1, 2) if base == "normal" else (50, 1))
    with torch.no_grad():
        np.testing.assert_allclose(x.detach().numpy(), theirs.g(torch.tensor(z.numpy())).numpy(),
                                   rtol=1e-10, atol=1e-12)
    # and f inverts g: the flow maps its samples back to the base draws
    np.testing.assert_allclose(ours.f(x[:, 0])[0].detach().numpy(), z[:, 0].numpy(), atol=1e-10)
