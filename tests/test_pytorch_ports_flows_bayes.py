"""Bayesian linear regression by variational inference (Bayes by backprop, Blundell et
al. 2015), as PyTorch users write it: a Gaussian variational posterior q(w) over the
weights and bias (``Normal(w_mu, F.softplus(w_rho))``, or a full-covariance
``MultivariateNormal(mu, scale_tril=L)``), Monte Carlo predictions from
``q.rsample((n_samples,))``, and the negative ELBO
-sum_i E_q[log N(y_i | x_i w + b, sigma^2)] + KL(q || p), the KL by
``kl_divergence(q, Normal(0., 1.)).sum()`` (or of the MultivariateNormal prior), trained
by Adam. Written once for a library ``torch`` (``autograd`` here, PyTorch there), run step
for step next to PyTorch's from the same weights and the same noise (float64): losses,
gradients and parameters agree to 1e-10, and the fitted posterior mean is near the exact
posterior's (Gaussian prior and likelihood: N(S X^T y / sigma^2, S),
S = (X^T X / sigma^2 + I)^-1).

Lines written differently here, and why:
- ``torch.optim.Adam`` is ``optim.Adam`` (``nn.optim`` here, see the RealNVP port);
- the test's glue: the standard normal noise of ``rsample`` comes from one NumPy
  generator in both runs (``SharedNoise``), the data from a seeded NumPy generator, and
  each model starts from PyTorch's initial weights (``load_state_dict``).
"""

import numpy as np
import pytest
from flows_helpers import SharedNoise, assert_records

import autograd as ag
import nn

NOISE_STD = 0.5


def regression_data(n: int = 40, d: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    true_w, true_b = rng.standard_normal(d), 0.7
    y = X @ true_w + true_b + NOISE_STD * rng.standard_normal(n)
    return X, y


def model(torch, nn, d: int, posterior: str):
    F = nn.functional
    D = torch.distributions

    class BayesianLinearRegression(nn.Module):
        def __init__(self, d):
            super().__init__()
            self.w_mu = nn.Parameter(torch.randn(d) * 0.1)
            self.b_mu = nn.Parameter(torch.zeros(1))
            if posterior == "mean_field":
                self.w_rho = nn.Parameter(torch.full((d,), -3.0))
                self.b_rho = nn.Parameter(torch.full((1,), -3.0))
            else:
                self.w_tril = nn.Parameter(torch.eye(d) * -3.0 + torch.randn(d, d) * 0.01)
                self.b_rho = nn.Parameter(torch.full((1,), -3.0))

        def q_w(self):
            if posterior == "mean_field":
                return D.Normal(self.w_mu, F.softplus(self.w_rho))
            L = torch.tril(self.w_tril, diagonal=-1) \
                + torch.diag(F.softplus(torch.diagonal(self.w_tril)))
            return D.MultivariateNormal(self.w_mu, scale_tril=L)

        def q_b(self):
            return D.Normal(self.b_mu, F.softplus(self.b_rho))

        def forward(self, x, n_samples=1):
            w = self.q_w().rsample((n_samples,))   # (S, d)
            b = self.q_b().rsample((n_samples,))   # (S, 1)
            return x @ w.T + b.T                   # (N, S)

        def kl(self):
            if posterior == "mean_field":
                kl_w = D.kl_divergence(self.q_w(), D.Normal(0., 1.)).sum()
            else:
                prior = D.MultivariateNormal(torch.zeros_like(self.w_mu),
                                             torch.eye(self.w_mu.shape[0]))
                kl_w = D.kl_divergence(self.q_w(), prior)
            return kl_w + D.kl_divergence(self.q_b(), D.Normal(0., 1.)).sum()

    return BayesianLinearRegression(d)


def elbo_loss(torch, net, x, y, n_samples):
    preds = net(x, n_samples)
    log_lik = torch.distributions.Normal(preds, NOISE_STD).log_prob(y.unsqueeze(1))
    return -(log_lik.mean(1).sum() - net.kl())


def train(torch, optim, net, X, y, record: list, steps: int) -> None:
    optimizer = optim.Adam(net.parameters(), lr=0.05)
    x, y = torch.tensor(X), torch.tensor(y)
    for step in range(steps):
        loss = elbo_loss(torch, net, x, y, n_samples=8)
        optimizer.zero_grad()
        loss.backward()
        record.append([loss.item()] + [p.grad.numpy().copy() for p in net.parameters()])
        optimizer.step()
        record.append([p.detach().numpy().copy() for p in net.parameters()])


@pytest.mark.parametrize("posterior", ["mean_field", "full_covariance"])
def test_bayesian_linear_regression(torch, monkeypatch, posterior):
    X, y = regression_data()
    torch.manual_seed(0)
    theirs, ours = model(torch, torch.nn, 3, posterior), model(ag, nn, 3, posterior)
    ours.load_state_dict({k: ag.tensor(v.detach().numpy())
                          for k, v in theirs.state_dict().items()})
    runs = [], []
    SharedNoise().install(monkeypatch)
    train(ag, nn.optim, ours, X, y, runs[0], steps=5)
    SharedNoise().install(monkeypatch, torch)
    train(torch, torch.optim, theirs, X, y, runs[1], steps=5)
    assert_records(*runs)


def test_posterior_mean_near_the_exact_one(monkeypatch):
    """Trained longer, the mean-field posterior mean of w is near the exact posterior's."""
    X, y = regression_data()
    ag.manual_seed(0)
    net = model(ag, nn, 3, "mean_field")
    train(ag, nn.optim, net, X, y, [], steps=300)
    Xb = np.hstack([X, np.ones((len(X), 1))])
    S = np.linalg.inv(Xb.T @ Xb / NOISE_STD ** 2 + np.eye(4))
    exact = S @ Xb.T @ y / NOISE_STD ** 2
    fitted = np.concatenate([net.w_mu.detach().numpy(), net.b_mu.detach().numpy()])
    np.testing.assert_allclose(fitted, exact, atol=0.05)
