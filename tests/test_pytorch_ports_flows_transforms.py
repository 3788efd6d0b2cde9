"""RealNVP written the ``torch.distributions`` way: each affine coupling layer a
``Transform`` subclass (``domain``/``codomain`` ``constraints.real_vector``,
``bijective = True``, ``_call``, ``_inverse``, ``log_abs_det_jacobian``; ``cache_size=1``),
the flow ``TransformedDistribution(Independent(Normal(zeros, ones), 1), transforms)``,
trained on two moons by ``-flow.log_prob(x).mean()`` with Adam and sampled by
``flow.sample((n,))``; a second flow squashes a Gaussian into the unit square with
``[AffineTransform(loc, scale, event_dim=1), SigmoidTransform()]``. Written once for a
library ``torch`` (``autograd`` here, PyTorch there), run step for step next to PyTorch's
from the same weights, batches and noise (float64): losses, gradients, parameters and
samples agree to 1e-10.

Lines written differently here, and why:
- ``torch.optim.Adam`` is ``optim.Adam`` and ``torch.nn.ModuleList`` is ``nn.ModuleList``
  (``nn`` is a package of its own here, see the RealNVP port);
- the test's glue: moons drawn once with seeds, the base's noise shared (``SharedNoise``),
  PyTorch's initial weights in both (``load_state_dict``).
"""

import numpy as np
import pytest
from flows_helpers import SharedNoise, assert_records

import autograd as ag
import nn


def moons(n_steps: int, n: int = 64) -> list[np.ndarray]:
    datasets = pytest.importorskip("sklearn.datasets")
    return [datasets.make_moons(n_samples=n, noise=.05, random_state=i)[0]
            for i in range(n_steps)]


def flow_model(torch, nn):
    D = torch.distributions
    constraints = D.constraints

    class AffineCoupling(D.Transform):
        domain = constraints.real_vector
        codomain = constraints.real_vector
        bijective = True

        def __init__(self, mask, net):
            super().__init__(cache_size=1)
            self.mask, self.net = mask, net

        def _scale_shift(self, x_):
            s, t = self.net(x_).chunk(2, dim=-1)
            return torch.tanh(s) * (1 - self.mask), t * (1 - self.mask)

        def _call(self, x):
            x_ = x * self.mask
            s, t = self._scale_shift(x_)
            return x_ + (1 - self.mask) * (x * torch.exp(s) + t)

        def _inverse(self, y):
            y_ = y * self.mask
            s, t = self._scale_shift(y_)
            return y_ + (1 - self.mask) * (y - t) * torch.exp(-s)

        def log_abs_det_jacobian(self, x, y):
            s, _ = self._scale_shift(x * self.mask)
            return s.sum(-1)

    class Flow(nn.Module):
        def __init__(self, n_layers=4, hidden=16):
            super().__init__()
            self.nets = nn.ModuleList([
                nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, 4))
                for _ in range(n_layers)])
            self.register_buffer("masks", torch.tensor([[0.0, 1.0], [1.0, 0.0]] * 2))

        def forward(self):
            base = D.Independent(D.Normal(torch.zeros(2), torch.ones(2)), 1)
            transforms = [AffineCoupling(m, net) for m, net in zip(self.masks, self.nets)]
            return D.TransformedDistribution(base, transforms)

    return Flow()


def train(torch, optim, model, batches, record: list) -> None:
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    for x in batches:
        flow = model()
        loss = -flow.log_prob(torch.tensor(x)).mean()
        optimizer.zero_grad()
        loss.backward()
        record.append([loss.item()] + [p.grad.numpy().copy() for p in model.parameters()])
        optimizer.step()
        record.append([p.detach().numpy().copy() for p in model.parameters()])
    with torch.no_grad():
        flow = model()
        x = flow.sample((20,))
        record.append([x.numpy().copy(), flow.log_prob(x).numpy().copy()])


def test_coupling_transforms_on_two_moons(torch, monkeypatch):
    batches = moons(3)
    torch.manual_seed(0)
    theirs, ours = flow_model(torch, torch.nn), flow_model(ag, nn)
    ours.load_state_dict({k: ag.tensor(v.detach().numpy())
                          for k, v in theirs.state_dict().items()})
    assert tuple(ours().event_shape) == (2,) and tuple(ours().batch_shape) == ()
    runs = [], []
    SharedNoise().install(monkeypatch)
    train(ag, nn.optim, ours, batches, runs[0])
    SharedNoise().install(monkeypatch, torch)
    train(torch, torch.optim, theirs, batches, runs[1])
    assert_records(*runs)


def squashed(torch, loc, log_scale):
    D = torch.distributions
    return D.TransformedDistribution(
        D.Independent(D.Normal(torch.zeros(2), torch.ones(2)), 1),
        [D.AffineTransform(loc, log_scale.exp(), event_dim=1), D.SigmoidTransform()])


def test_squashed_gaussian_by_reverse_kl(torch, monkeypatch):
    """q fitted to a density on the unit square, p(y) ~ y_0^2 (1 - y_1), by reverse KL
    E_q[log q(y) - log p(y)] from rsample draws."""
    runs = [], []
    for T, optim, record in ((ag, nn.optim, runs[0]), (torch, torch.optim, runs[1])):
        SharedNoise().install(monkeypatch, None if T is ag else torch)
        loc = T.zeros(2, requires_grad=True)
        log_scale = T.zeros(2, requires_grad=True)
        optimizer = optim.Adam([loc, log_scale], lr=0.05)
        for step in range(5):
            q = squashed(T, loc, log_scale)
            y = q.rsample((32,))
            log_p = 2 * T.log(y[:, 0]) + T.log1p(-y[:, 1])
            loss = (q.log_prob(y) - log_p).mean()
            optimizer.zero_grad()
            loss.backward()
            record.append([loss.item(), loc.grad.numpy().copy(),
                           log_scale.grad.numpy().copy()])
            optimizer.step()
    assert_records(*runs)
