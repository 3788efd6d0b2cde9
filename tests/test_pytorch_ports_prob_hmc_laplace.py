"""Bayesian logistic regression two ways, as PyTorch users write them: sampled by
Hamiltonian Monte Carlo (the log joint from ``torch.distributions``, its gradient by
``torch.autograd.grad``, leapfrog steps and a Metropolis correction), and by a Laplace
approximation (the MAP by ``torch.optim.LBFGS`` with a closure, the Hessian of the
negative log joint by ``torch.autograd.functional.hessian``, a
``MultivariateNormal(w_map, precision_matrix=H)`` posterior and the probit-approximated
posterior predictive). Each program is written once for a library ``T`` (``autograd``
here, ``torch`` there) and runs step for step next to PyTorch's in float64: the chain
(every position, energy and accept decision), the MAP, the Hessian and the predictions
agree to 1e-10, and both posteriors agree with each other.

Lines written differently here, and why:
- ``torch.autograd.grad`` and ``torch.autograd.functional.hessian`` are ``autograd.grad``
  and ``autograd.functional.hessian`` (torch.autograd's names are the package's own);
- ``torch.optim.LBFGS`` is ``nn.optim.LBFGS``;
- the momenta and the uniform draws of the Metropolis test come from one NumPy generator,
  made once and fed to both runs (the two libraries' generators differ).
"""

import math

import numpy as np

import autograd as ag
import nn

ALPHA = 2.0  # the prior's scale: w ~ N(0, ALPHA^2 I)


def libraries(torch=None) -> tuple:
    """(T, distributions, grad, hessian, optim) for this library, or for PyTorch."""
    if torch is None:
        return ag, ag.distributions, ag.grad, ag.functional.hessian, nn.optim
    return (torch, torch.distributions, torch.autograd.grad,
            torch.autograd.functional.hessian, torch.optim)


def classification_data(n: int = 60, d: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = np.concatenate([rng.standard_normal((n, d - 1)), np.ones((n, 1))], axis=1)
    true_w = np.array([1.5, -2.0, 0.5])
    y = (rng.random(n) < 1 / (1 + np.exp(-X @ true_w))).astype(np.float64)
    return X, y


def make_log_joint(T, D, X, y):
    def log_joint(w):
        prior = D.Normal(0.0, ALPHA).log_prob(w).sum()
        likelihood = D.Bernoulli(logits=X @ w).log_prob(y).sum()
        return prior + likelihood
    return log_joint


# ------------------------------------------------------------------ HMC
def hmc(libs, X, y, w0, momenta, log_uniforms, step_size=0.08, n_leapfrog=10):
    T, D, grad, _, _ = libs
    log_joint = make_log_joint(T, D, X, y)

    def potential_and_grad(w):
        w = w.detach().requires_grad_()
        U = -log_joint(w)
        (dU,) = grad(U, w)
        return U.detach(), dU

    def leapfrog(w, p):
        _, dU = potential_and_grad(w)
        p = p - 0.5 * step_size * dU
        for i in range(n_leapfrog):
            w = w + step_size * p
            _, dU = potential_and_grad(w)
            if i < n_leapfrog - 1:
                p = p - step_size * dU
        p = p - 0.5 * step_size * dU
        return w, p

    w, samples, record = T.tensor(w0), [], []
    for p0, log_u in zip(momenta, log_uniforms):
        p0 = T.tensor(p0)
        U0, _ = potential_and_grad(w)
        w_new, p_new = leapfrog(w, p0)
        U1, _ = potential_and_grad(w_new)
        H0 = U0 + 0.5 * (p0 ** 2).sum()
        H1 = U1 + 0.5 * (p_new ** 2).sum()
        accept = bool(log_u < (H0 - H1).item())
        if accept:
            w = w_new
        samples.append(w.numpy().copy())
        record += [H0.item(), H1.item(), float(accept), w.numpy().copy()]
    return np.array(samples), record


def test_hmc_bayesian_logistic_regression(torch):
    X, y = classification_data()
    rng = np.random.default_rng(1)
    n_iter = 40
    momenta = rng.standard_normal((n_iter, 3))
    log_uniforms = np.log(rng.random(n_iter))
    runs = {}
    for name, libs in [("ours", libraries()), ("torch", libraries(torch))]:
        T = libs[0]
        runs[name] = hmc(libs, T.tensor(X), T.tensor(y), np.zeros(3), momenta, log_uniforms)
    (samples, got), (want_samples, want) = runs["ours"], runs["torch"]
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"record {i}")
    np.testing.assert_allclose(samples, want_samples, rtol=1e-10, atol=1e-12)
    acceptance = np.mean(got[2::4])
    assert 0.5 < acceptance <= 1.0  # a sensible step size
    np.testing.assert_allclose(samples[10:].mean(0), [1.5, -2.0, 0.5], atol=1.2)


# ------------------------------------------------------------------ Laplace approximation
def laplace_approximation(libs, X, y, X_test):
    T, D, _, hessian, optim = libs
    log_joint = make_log_joint(T, D, X, y)

    def neg_log_joint(w):
        return -log_joint(w)

    w = T.zeros(3, requires_grad=True)
    optimizer = optim.LBFGS([w], lr=1.0, max_iter=50, history_size=10,
                            line_search_fn="strong_wolfe")
    record = []

    def closure():
        optimizer.zero_grad()
        loss = neg_log_joint(w)
        loss.backward()
        record.append(loss.item())
        return loss

    for _ in range(2):
        optimizer.step(closure)
    w_map = w.detach()
    H = hessian(neg_log_joint, w_map)
    posterior = D.MultivariateNormal(w_map, precision_matrix=H)
    Sigma = posterior.covariance_matrix
    mu = X_test @ w_map
    s2 = ((X_test @ Sigma) * X_test).sum(-1)
    kappa = 1 / T.sqrt(1 + math.pi * s2 / 8)
    predictive = T.sigmoid(kappa * mu)
    record += [w_map.numpy().copy(), H.numpy().copy(), Sigma.numpy().copy(),
               predictive.numpy().copy(), posterior.log_prob(T.zeros(3)).item(),
               posterior.entropy().item()]
    return record


def test_laplace_approximation_of_logistic_regression(torch):
    X, y = classification_data()
    X_test = np.concatenate([np.random.default_rng(2).standard_normal((5, 2)),
                             np.ones((5, 1))], axis=1)
    got = laplace_approximation(libraries(), ag.tensor(X), ag.tensor(y), ag.tensor(X_test))
    want = laplace_approximation(libraries(torch), torch.tensor(X), torch.tensor(y),
                                 torch.tensor(X_test))
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11, err_msg=f"record {i}")
    w_map, H = got[-6], got[-5]
    # the Hessian of a logistic regression's negative log joint, by hand
    p = 1 / (1 + np.exp(-X @ w_map))
    np.testing.assert_allclose(H, X.T @ (X * (p * (1 - p))[:, None]) + np.eye(3) / ALPHA ** 2,
                               rtol=1e-10)
