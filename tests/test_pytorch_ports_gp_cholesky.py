"""Exact Gaussian-process regression written by hand in PyTorch, as the tutorials do (no
GPyTorch): an RBF kernel from ``torch.cdist`` or broadcasting, hyper-parameters as
log-parameters (``nn.Parameter(torch.zeros(1))`` read through ``.exp()``), ``K + noise *
I``, ``torch.linalg.cholesky``, ``torch.cholesky_solve(y, L)``,
``torch.linalg.solve_triangular(L, ., upper=False)``, the log marginal likelihood with
the log-determinant from the factor's diagonal (or ``torch.logdet``, or
``MultivariateNormal(scale_tril=L).log_prob``), Adam on its negative, and the predictive
mean and variance. Each program is written once for a library ``T`` and runs step for
step next to PyTorch in float64 from the same data; losses, gradients, parameters and
predictions agree to 1e-10. HIPS autograd's NumPy version is
``test_hips_ports_gp_bbvi.py``; this is the PyTorch reader's.

Nothing is written differently here: every line is the tutorial's.
"""

import math

import numpy as np
import pytest

import autograd as ag
import nn


def libraries(torch=None) -> tuple:
    """(T, lib, optim) for this library, or for PyTorch when ``torch`` is given."""
    return (ag, nn, nn.optim) if torch is None else (torch, torch.nn, torch.optim)


def assert_records(got: list, want: list, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol,
                                   err_msg=f"record {i}")


def numpy_of(x) -> np.ndarray:
    return np.array(x.detach().numpy())


def toy_data(n: int = 14, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Noisy samples of sin(x) on [-3, 3] (2 inputs: the second a scaled copy), test
    points between."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3, 3, (n, 1))
    x = np.concatenate([x, 0.5 * x + 0.1 * rng.standard_normal((n, 1))], axis=1)
    y = np.sin(x[:, 0]) + 0.1 * rng.standard_normal(n)
    xs = np.stack([np.linspace(-3, 3, 6), np.linspace(-1.5, 1.5, 6)], axis=1)
    return x, y, xs


def make_gp(T, lib, kernel_by: str):
    class ExactGP(lib.Module):
        """y ~ N(0, K + sigma^2 I), K = s^2 exp(-|x - x'|^2 / (2 l^2))."""

        def __init__(self):
            super().__init__()
            self.log_lengthscale = lib.Parameter(T.zeros(1))
            self.log_outputscale = lib.Parameter(T.zeros(1))
            self.log_noise = lib.Parameter(T.zeros(1) - 2.0)

        def kernel(self, x1, x2):
            if kernel_by == "cdist":
                sqdist = T.cdist(x1, x2) ** 2
            else:  # broadcasting, as most tutorials
                sqdist = (x1.unsqueeze(1) - x2.unsqueeze(0)).pow(2).sum(-1)
            return self.log_outputscale.exp() * T.exp(
                -0.5 * sqdist / self.log_lengthscale.exp() ** 2)

        def covariance(self, x):
            n = x.size(0)
            return self.kernel(x, x) + self.log_noise.exp() * T.eye(n)

        def neg_log_marginal_likelihood(self, x, y, logdet_by: str = "diagonal"):
            K = self.covariance(x)
            L = T.linalg.cholesky(K)
            alpha = T.cholesky_solve(y.unsqueeze(-1), L)
            if logdet_by == "diagonal":
                logdet = 2 * T.diagonal(L).log().sum()
            elif logdet_by == "logdet":
                logdet = T.logdet(K)
            else:
                dist = T.distributions.MultivariateNormal(T.zeros(x.size(0)), scale_tril=L)
                return -dist.log_prob(y)
            n = x.shape[0]
            return (0.5 * (y @ alpha.squeeze(-1)) + 0.5 * logdet
                    + 0.5 * n * math.log(2 * math.pi))

        def predict(self, x, y, x_star):
            L = T.linalg.cholesky(self.covariance(x))
            K_s = self.kernel(x, x_star)
            alpha = T.cholesky_solve(y.unsqueeze(-1), L)
            mean = (K_s.t() @ alpha).squeeze(-1)
            v = T.linalg.solve_triangular(L, K_s, upper=False)
            var = self.log_outputscale.exp() - v.pow(2).sum(dim=0)
            return mean, var + self.log_noise.exp()

    return ExactGP()


def fit(T, lib, optim, kernel_by: str, logdet_by: str, steps: int = 12) -> dict:
    x, y, xs = (T.tensor(a) for a in toy_data())
    model = make_gp(T, lib, kernel_by)
    optimizer = optim.Adam(model.parameters(), lr=0.1)
    losses, grads = [], []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = model.neg_log_marginal_likelihood(x, y, logdet_by)
        loss.backward()
        grads.append([numpy_of(p.grad) for p in model.parameters()])
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    with T.no_grad():
        mean, var = model.predict(x, y, xs)
    return {"losses": losses, "grads": grads, "mean": numpy_of(mean), "var": numpy_of(var),
            "params": [numpy_of(p) for p in model.parameters()]}


@pytest.mark.parametrize("kernel_by, logdet_by", [("cdist", "diagonal"),
                                                  ("broadcast", "logdet"),
                                                  ("broadcast", "mvn")])
def test_exact_gp_fit_and_predict_match_torch(torch, kernel_by: str, logdet_by: str) -> None:
    ours = fit(*libraries(), kernel_by, logdet_by)
    theirs = fit(*libraries(torch), kernel_by, logdet_by)
    assert theirs["losses"][-1] < theirs["losses"][0]
    assert_records(ours["losses"], theirs["losses"])
    for got, want in zip(ours["grads"], theirs["grads"]):
        assert_records(got, want, rtol=1e-9)
    assert_records(ours["params"], theirs["params"])
    assert_records([ours["mean"], ours["var"]], [theirs["mean"], theirs["var"]], rtol=1e-9)


def posterior_by_solve_triangular(T, x, y, xs, lengthscale, noise):
    """The tutorial's second way: two triangular solves (Rasmussen and Williams, Alg. 2.1)
    and the posterior covariance; ``torch.cholesky_solve`` in its positional form."""
    K = T.exp(-0.5 * T.cdist(x, x) ** 2 / lengthscale ** 2) + noise * T.eye(len(x))
    K_s = T.exp(-0.5 * T.cdist(x, xs) ** 2 / lengthscale ** 2)
    L = T.linalg.cholesky(K)
    a = T.linalg.solve_triangular(L.T, T.linalg.solve_triangular(L, y[:, None], upper=False),
                                  upper=True)
    b = T.cholesky_solve(y[:, None], L, False)
    v = T.linalg.solve_triangular(L, K_s, upper=False)
    K_ss = T.exp(-0.5 * T.cdist(xs, xs) ** 2 / lengthscale ** 2)
    cov = K_ss - v.T @ v
    return (K_s.T @ a).squeeze(-1), (K_s.T @ b).squeeze(-1), cov, T.cholesky_inverse(L)


def test_posterior_by_triangular_solves_matches_torch(torch) -> None:
    x, y, xs = toy_data(seed=1)
    records = []
    for T in (ag, torch):
        lengthscale = T.tensor([0.8], requires_grad=True)
        noise = T.tensor(0.05, requires_grad=True)
        mean, mean_too, cov, K_inv = posterior_by_solve_triangular(
            T, T.tensor(x), T.tensor(y), T.tensor(xs), lengthscale, noise)
        (mean.sum() + cov.diagonal().sum() + K_inv.sum()).backward()
        records.append([numpy_of(mean), numpy_of(mean_too), numpy_of(cov), numpy_of(K_inv),
                        numpy_of(lengthscale.grad), numpy_of(noise.grad)])
    assert_records(records[0], records[1], rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(records[0][0], records[0][1], rtol=1e-9, atol=1e-12)
