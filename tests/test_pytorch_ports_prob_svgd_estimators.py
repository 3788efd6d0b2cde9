"""Stein variational gradient descent and two gradient estimators, as PyTorch users write
them, written once for a library ``torch`` (``autograd`` here, PyTorch there) and run
step for step next to PyTorch's in float64.

- SVGD (Liu and Wang 2016), in the shape of the widely copied PyTorch notebook: an ``RBF``
  kernel module with the median-heuristic bandwidth, the driving force
  phi(x_i) = (1/n) sum_j [k(x_j, x_i) grad log p(x_j) + grad_{x_j} k(x_j, x_i)] with the
  score and the kernel's gradient by ``autograd.grad``, particles moved by Adam through
  ``X.grad = -phi``; the target is a two-component ``MixtureSameFamily`` of
  ``Independent(Normal)``s. Particles agree to 1e-10 and cover both modes.
- SVGD over the weights of a Bayesian neural network (the paper's regression experiment,
  shrunk): Gamma priors on the noise and weight precisions (``Gamma(a0, b0).log_prob``),
  every particle's log posterior by batched matmuls, ``torch.cdist`` distances, Adagrad.
- The score-function (REINFORCE, with a running-mean baseline) and the reparameterised
  estimators of d/d(mu, log sigma) E_{z ~ N(mu, sigma^2)}[(z - 3)^2], by ``sample()`` +
  ``log_prob`` and by ``rsample()``, each driving Adam: gradients agree with PyTorch's
  to 1e-10, both are unbiased (their means near the exact gradient) and the
  reparameterised one has the smaller variance.

Lines written differently here, and why:
- ``torch.autograd.grad`` is ``autograd.grad``, ``torch.optim.Adam`` ``nn.optim.Adam``;
- ``torch.median(sq_dist)`` is ``sq_dist.median()``: ``autograd.median(x)`` would also
  read as NumPy's (the mean of the two middle values), so the function asks which;
- the noise behind ``rsample``/``sample`` comes from one NumPy generator in both runs
  (``SharedNoise``), and the particles start from the same NumPy draws.
"""

import numpy as np
from flows_helpers import SharedNoise

import autograd as ag
import nn


def libraries(torch=None) -> tuple:
    """(torch, nn, grad, optim) for this library, or PyTorch's."""
    if torch is None:
        return ag, nn, ag.grad, nn.optim
    return torch, torch.nn, torch.autograd.grad, torch.optim


# ------------------------------------------------------------------ SVGD
def svgd_program(libs, x0: np.ndarray, n_steps: int = 40) -> list:
    torch, tnn, grad, optim = libs
    D = torch.distributions

    class RBF(tnn.Module):
        def __init__(self, sigma=None):
            super().__init__()
            self.sigma = sigma

        def forward(self, X, Y):
            XX = X.matmul(X.t())
            XY = X.matmul(Y.t())
            YY = Y.matmul(Y.t())
            dnorm2 = -2 * XY + XX.diag().unsqueeze(1) + YY.diag().unsqueeze(0)
            if self.sigma is None:  # the median heuristic
                np_dnorm2 = dnorm2.detach().cpu().numpy()
                h = np.median(np_dnorm2) / (2 * np.log(X.size(0) + 1))
                sigma = np.sqrt(h).item()
            else:
                sigma = self.sigma
            gamma = 1.0 / (1e-8 + 2 * sigma ** 2)
            K_XY = (-gamma * dnorm2).exp()
            return K_XY

    class SVGD:
        def __init__(self, P, K, optimizer):
            self.P, self.K, self.optim = P, K, optimizer

        def phi(self, X):
            X = X.detach().requires_grad_(True)
            log_prob = self.P.log_prob(X)
            score_func = grad(log_prob.sum(), X)[0]
            K_XX = self.K(X, X.detach())
            grad_K = -grad(K_XX.sum(), X)[0]
            phi = (K_XX.detach().matmul(score_func) + grad_K) / X.size(0)
            return phi

        def step(self, X):
            self.optim.zero_grad()
            X.grad = -self.phi(X)
            self.optim.step()

    mix = D.Categorical(torch.tensor([0.3, 0.7]))
    comp = D.Independent(D.Normal(torch.tensor([[-2.0, 0.0], [2.0, 1.0]]),
                                  torch.tensor([[0.5, 0.7], [0.6, 0.4]])), 1)
    P = D.MixtureSameFamily(mix, comp)
    X = torch.tensor(x0).requires_grad_()
    svgd = SVGD(P, RBF(), optim.Adam([X], lr=0.1))
    record = []
    for _ in range(n_steps):
        svgd.step(X)
        record.append(X.detach().numpy().copy())
    return record


def test_svgd_on_a_gaussian_mixture(torch):
    x0 = np.random.default_rng(0).standard_normal((30, 2)) * 2
    got = svgd_program(libraries(), x0)
    want = svgd_program(libraries(torch), x0)
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"step {i}")
    final = got[-1]
    assert (final[:, 0] < 0).sum() >= 3 and (final[:, 0] > 0).sum() >= 10  # both modes


# ------------------------------------------------------------------ estimators
def estimator_program(libs, estimator: str, n_steps: int = 25, n_samples: int = 16) -> list:
    torch, _, _, optim = libs
    D = torch.distributions

    def f(z):
        return (z - 3.0) ** 2

    mu = torch.tensor(0.5, requires_grad=True)
    log_sigma = torch.tensor(0.0, requires_grad=True)
    optimizer = optim.Adam([mu, log_sigma], lr=0.05)
    baseline = 0.0
    record = []
    for _ in range(n_steps):
        optimizer.zero_grad()
        q = D.Normal(mu, log_sigma.exp())
        if estimator == "reparam":
            z = q.rsample((n_samples,))
            loss = f(z).mean()
        else:
            z = q.sample((n_samples,))
            reward = f(z)
            loss = ((reward - baseline) * q.log_prob(z)).mean()
            baseline = 0.9 * baseline + 0.1 * reward.mean().item()
        loss.backward()
        record.append(np.array([loss.item(), mu.grad.item(), log_sigma.grad.item(),
                                mu.item(), log_sigma.item()]))
        optimizer.step()
    return record


def _run_both(torch, monkeypatch, estimator: str) -> np.ndarray:
    noise = SharedNoise(seed=3)
    noise.install(monkeypatch)
    got = estimator_program(libraries(), estimator)
    noise.install(monkeypatch, torch)
    want = estimator_program(libraries(torch), estimator)
    np.testing.assert_allclose(np.array(got), np.array(want), rtol=1e-10, atol=1e-12)
    return np.array(got)


def test_score_function_and_reparameterised_estimators(torch, monkeypatch):
    reparam = _run_both(torch, monkeypatch, "reparam")
    score = _run_both(torch, monkeypatch, "score")
    assert reparam[-1, 3] > 1.0 and score[-1, 3] > 0.5  # both move mu towards 3


def gradient_draws(libs, estimator: str, n_draws: int = 300) -> np.ndarray:
    """One-sample gradients of E[(z - 3)^2] at mu = 0.5, sigma = 1."""
    torch, _, grad, _ = libs
    D = torch.distributions
    mu = torch.tensor(0.5, requires_grad=True)
    q = D.Normal(mu, 1.0)
    if estimator == "reparam":
        z = q.rsample((n_draws,))
        (g,) = grad(((z - 3.0) ** 2).sum(), mu)
        return g.numpy() / n_draws, z.detach().numpy()
    z = q.sample((n_draws,))
    per_draw = ((z - 3.0) ** 2) * q.log_prob(z)
    grads = [grad(per_draw[i], mu, retain_graph=True)[0].item() for i in range(n_draws)]
    return np.array(grads), z.numpy()


def test_reparameterised_gradients_have_the_smaller_variance(torch, monkeypatch):
    noise = SharedNoise(seed=4)
    noise.install(monkeypatch)
    mean_reparam, z = gradient_draws(libraries(), "reparam")
    noise.install(monkeypatch, torch)
    want, _ = gradient_draws(libraries(torch), "reparam")
    np.testing.assert_allclose(mean_reparam, want, rtol=1e-12)
    per_draw_reparam = 2 * (z - 3.0)  # d/dmu of (mu + eps - 3)^2
    noise.install(monkeypatch)
    score, _ = gradient_draws(libraries(), "score")
    noise.install(monkeypatch, torch)
    score_want, _ = gradient_draws(libraries(torch), "score")
    np.testing.assert_allclose(score, score_want, rtol=1e-10)
    exact = 2 * (0.5 - 3.0)
    assert abs(mean_reparam - exact) < 0.3 and abs(score.mean() - exact) < 1.5
    assert per_draw_reparam.var() < score.var() / 3


# ------------------------------------------------------------------ SVGD for a Bayesian NN
def bnn_svgd_program(libs, X, y, theta0: np.ndarray, n_hidden: int, n_steps: int = 15):
    """SVGD over the weights of a one-hidden-layer regression network, as in Liu and Wang's
    experiment: a Gamma(1, 0.1) prior on the noise and weight precisions (kept as log
    precisions, with their log-Jacobian), every particle's log posterior at once by
    batched matmuls, the kernel's bandwidth from the median squared distance."""
    torch, _, grad, optim = libs
    D = torch.distributions
    n, d = X.shape
    a0, b0 = 1.0, 0.1

    def unpack(theta):
        M = theta.shape[0]
        w1 = theta[:, :d * n_hidden].reshape(M, d, n_hidden)
        b1 = theta[:, d * n_hidden:(d + 1) * n_hidden].reshape(M, 1, n_hidden)
        w2 = theta[:, (d + 1) * n_hidden:(d + 2) * n_hidden].reshape(M, n_hidden, 1)
        b2 = theta[:, -3].reshape(M, 1, 1)
        return w1, b1, w2, b2, theta[:, -2], theta[:, -1]

    def log_posterior(theta):
        w1, b1, w2, b2, log_gamma, log_lambda = unpack(theta)
        pred = (torch.relu(X @ w1 + b1) @ w2 + b2).squeeze(-1)  # (M, n)
        noise_sd = (-0.5 * log_gamma).exp().unsqueeze(-1)
        log_lik = D.Normal(pred, noise_sd).log_prob(y).sum(-1)
        weights = theta[:, :-2]
        weight_sd = (-0.5 * log_lambda).exp().unsqueeze(-1)
        log_prior_w = D.Normal(0.0, weight_sd).log_prob(weights).sum(-1)
        hyper = D.Gamma(a0, b0)
        log_prior_h = (hyper.log_prob(log_gamma.exp()) + log_gamma
                       + hyper.log_prob(log_lambda.exp()) + log_lambda)
        return log_lik + log_prior_w + log_prior_h

    theta = torch.tensor(theta0).requires_grad_()
    optimizer = optim.Adagrad([theta], lr=0.05)
    record = []
    for _ in range(n_steps):
        particles = theta.detach().requires_grad_()
        lp = log_posterior(particles)
        (score,) = grad(lp.sum(), particles)
        sq_dist = torch.cdist(particles, particles) ** 2
        h = sq_dist.median().detach() / np.log(len(theta0) + 1)  # torch.median(sq_dist)
        kernel = (-sq_dist / h).exp()
        (grad_kernel,) = grad(kernel.sum(), particles)
        phi = (kernel.detach() @ score + grad_kernel) / len(theta0)
        optimizer.zero_grad()
        theta.grad = -phi
        optimizer.step()
        record.append([lp.detach().numpy(), phi.detach().numpy(), theta.detach().numpy().copy()])
    return record


def test_svgd_bayesian_neural_network(torch):
    rng = np.random.default_rng(5)
    X = rng.uniform(-2, 2, (24, 2))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1] + 0.1 * rng.standard_normal(24)
    n_hidden, n_particles = 6, 8
    n_weights = (2 + 2) * n_hidden + 1
    theta0 = np.concatenate([rng.standard_normal((n_particles, n_weights)) * 0.5,
                             np.full((n_particles, 2), np.log(2.0))], axis=1)
    got = bnn_svgd_program(libraries(), ag.tensor(X), ag.tensor(y), theta0, n_hidden)
    want = bnn_svgd_program(libraries(torch), torch.tensor(X), torch.tensor(y), theta0,
                            n_hidden)
    assert len(got) == len(want)
    for step, (a, b) in enumerate(zip(got, want)):
        for u, v in zip(a, b, strict=True):
            np.testing.assert_allclose(u, v, rtol=1e-9, atol=1e-11, err_msg=f"step {step}")
    assert got[-1][0].mean() > got[0][0].mean()  # the particles climb the posterior
