"""Mixture density networks (Bishop 1994) as PyTorch users write them, on the inverted-sine
toy problem (x = 7 sin(0.75 y) + 0.5 y + noise; predict y from x: several y per x): a net
outputting mixture weights, means and log-scales, trained by Adam on the negative
log-likelihood in its three usual spellings:
- ``"probabilities"``: the density written out (``ONEOVERSQRT2PI * torch.exp(...) / sigma``,
  ``torch.prod`` over outputs, ``-torch.log(torch.sum(pi * prob, dim=1))``), as the
  widely copied ``mdn.py``;
- ``"logsumexp"``: ``-torch.logsumexp(log_pi + Normal(mu, sigma).log_prob(y), dim=1)``;
- ``"mixture"``: ``MixtureSameFamily(Categorical(logits=...), Independent(Normal(mu,
  sigma), 1))`` and ``-gmm.log_prob(y).mean()``.
Written once for a library ``torch`` (``autograd`` here, PyTorch there), run step for step
next to PyTorch's from the same weights (float64): losses, gradients and parameters after
each step agree to 1e-10; the mixture's moments and a draw (a component chosen by
``Categorical(pi).sample()``, then mu + sigma * eps) agree too.

Lines written differently here, and why:
- ``torch.optim.Adam`` is ``optim.Adam`` (``nn.optim`` here, see the RealNVP port);
- the test's glue: PyTorch's initial weights in both (``load_state_dict``); the draw's
  component indices and noise are ours, given to PyTorch's run (the generators differ).
"""

import math

import numpy as np
import pytest
from flows_helpers import assert_records

import autograd as ag
import nn

ONEOVERSQRT2PI = 1.0 / math.sqrt(2 * math.pi)


def inverted_sine(n: int = 100, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.uniform(-10.5, 10.5, (n, 1))
    x = np.sin(0.75 * y) * 7.0 + y * 0.5 + rng.standard_normal((n, 1))
    return x / 10, y / 10  # the inputs of the net, its targets


def mdn(torch, nn, num_gaussians: int = 5, out_features: int = 1):
    class MDN(nn.Module):
        def __init__(self, in_features, out_features, num_gaussians):
            super(MDN, self).__init__()
            self.in_features = in_features
            self.out_features = out_features
            self.num_gaussians = num_gaussians
            self.hidden = nn.Sequential(nn.Linear(in_features, 20), nn.Tanh())
            self.pi = nn.Linear(20, num_gaussians)
            self.sigma = nn.Linear(20, out_features * num_gaussians)
            self.mu = nn.Linear(20, out_features * num_gaussians)

        def forward(self, minibatch):
            h = self.hidden(minibatch)
            logits = self.pi(h)
            sigma = torch.exp(self.sigma(h))
            sigma = sigma.view(-1, self.num_gaussians, self.out_features)
            mu = self.mu(h)
            mu = mu.view(-1, self.num_gaussians, self.out_features)
            return logits, sigma, mu
    return MDN(1, out_features, num_gaussians)


def gaussian_probability(torch, sigma, mu, target):
    target = target.unsqueeze(1).expand_as(sigma)
    ret = ONEOVERSQRT2PI * torch.exp(-0.5 * ((target - mu) / sigma)**2) / sigma
    return torch.prod(ret, 2)


def mdn_loss(torch, logits, sigma, mu, target, spelling: str):
    D = torch.distributions
    if spelling == "probabilities":
        pi = torch.softmax(logits, dim=1)
        prob = pi * gaussian_probability(torch, sigma, mu, target)
        nll = -torch.log(torch.sum(prob, dim=1))
        return torch.mean(nll)
    if spelling == "logsumexp":
        log_pi = torch.log_softmax(logits, dim=1)
        log_prob = D.Normal(mu, sigma).log_prob(target.unsqueeze(1)).sum(-1)
        return -torch.logsumexp(log_pi + log_prob, dim=1).mean()
    gmm = D.MixtureSameFamily(D.Categorical(logits=logits),
                              D.Independent(D.Normal(mu, sigma), 1))
    return -gmm.log_prob(target).mean()


def train(torch, optim, model, x, y, spelling, record: list, epochs: int = 4) -> None:
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    x_tensor, y_tensor = torch.tensor(x), torch.tensor(y)
    for epoch in range(epochs):
        logits, sigma, mu = model(x_tensor)
        loss = mdn_loss(torch, logits, sigma, mu, y_tensor, spelling)
        optimizer.zero_grad()
        loss.backward()
        record.append([loss.item()] + [p.grad.numpy().copy() for p in model.parameters()])
        optimizer.step()
        record.append([p.detach().numpy().copy() for p in model.parameters()])


def models(torch):
    torch.manual_seed(0)
    theirs, ours = mdn(torch, torch.nn), mdn(ag, nn)
    ours.load_state_dict({k: ag.tensor(v.detach().numpy())
                          for k, v in theirs.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("spelling", ["probabilities", "logsumexp", "mixture"])
def test_mdn_training(torch, spelling):
    x, y = inverted_sine()
    ours, theirs = models(torch)
    runs = [], []
    train(ag, nn.optim, ours, x, y, spelling, runs[0])
    train(torch, torch.optim, theirs, x, y, spelling, runs[1])
    assert_records(*runs)


def test_the_three_losses_agree(torch):
    x, y = inverted_sine(20)
    ours, theirs = models(torch)
    for T, model in ((ag, ours), (torch, theirs)):
        outputs = model(T.tensor(x))
        losses = [mdn_loss(T, *outputs, T.tensor(y), s).item()
                  for s in ("probabilities", "logsumexp", "mixture")]
        np.testing.assert_allclose(losses, losses[0], rtol=1e-12)


def sample(torch, pi, sigma, mu, which, eps):
    """The draw of ``mdn.py``'s ``sample``: component ``which`` (from
    ``Categorical(pi).sample()``), then mu + sigma * eps."""
    rows = torch.arange(pi.shape[0])
    return mu[rows, which] + sigma[rows, which] * eps


def test_moments_and_sampling(torch):
    x, _ = inverted_sine(30)
    ours, theirs = models(torch)
    got = {}
    which = eps = None
    for T, model in ((ag, ours), (torch, theirs)):
        D = T.distributions
        with T.no_grad():
            logits, sigma, mu = model(T.tensor(x))
            pi = logits.softmax(1)
            gmm = D.MixtureSameFamily(D.Categorical(logits=logits),
                                      D.Independent(D.Normal(mu, sigma), 1))
            if T is ag:  # our draws, given to PyTorch's run
                which = D.Categorical(pi).sample().numpy()
                eps = np.random.default_rng(0).standard_normal((30, 1))
                assert gmm.sample((4,)).shape == (4, 30, 1)
            drawn = sample(T, pi, sigma, mu, T.tensor(which), T.tensor(eps))
            got[T is ag] = [gmm.mean.numpy(), gmm.variance.numpy(), drawn.numpy()]
    for a, b in zip(got[True], got[False]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
