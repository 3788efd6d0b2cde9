"""HIPS autograd's Gaussian-process regression (``gaussian_process.py``) and black-box
variational inference (``black_box_svi.py``), ported as their readers write them: NumPy
code on Tensors, run next to the same program in PyTorch (float64, same data and draws).
See ``test_hips_ports_basics.py`` for the conventions. Written differently here:
- ``autograd.scipy.stats.multivariate_normal.logpdf`` and ``norm.logpdf`` are written
  out with ``np.linalg.cholesky``/``solve``/``slogdet`` and ``np.log``: SciPy's own convert
  a Tensor to a plain array (cut out of the graph);
- HIPS's ``adam(grad, params)`` is ``nn.optim.Adam`` on a Tensor, as ``torch.optim.Adam``.
"""

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import func

LOG_2PI = np.log(2 * np.pi)


def assert_close(got, want, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    got = got.data if isinstance(got, ag.Tensor) else got
    want = want.detach().numpy() if hasattr(want, "detach") else want
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=rtol, atol=atol)


# ---------------------------------------------------------------- gaussian_process.py
def rbf_covariance(kernel_params, x, xp):
    """output_scale * exp(-|x - x'|^2 / 2), lengths scaled per dimension."""
    output_scale = np.exp(kernel_params[0])
    lengthscales = np.exp(kernel_params[1:])
    diffs = np.expand_dims(x / lengthscales, 1) - np.expand_dims(xp / lengthscales, 0)
    return output_scale * np.exp(-0.5 * np.sum(diffs ** 2, axis=2))


def unpack_kernel_params(params):
    return params[0], params[2:], np.exp(params[1]) + 0.0001


def mvn_logpdf(y, mean, cov):
    """log N(y; mean, cov), with the Cholesky factor's diagonal for log det(cov)."""
    L = np.linalg.cholesky(cov)
    r = y - mean
    return (-0.5 * np.dot(r, np.linalg.solve(cov, r)) - np.sum(np.log(np.diagonal(L)))
            - 0.5 * len(y) * LOG_2PI)


def log_marginal_likelihood(params, x, y):
    mean, cov_params, noise_scale = unpack_kernel_params(params)
    cov_y_y = rbf_covariance(cov_params, x, x) + noise_scale * np.eye(len(y))
    return mvn_logpdf(y, mean * np.ones(len(y)), cov_y_y)


def predict(params, x, y, xstar):
    """The posterior mean and covariance of f at xstar."""
    mean, cov_params, noise_scale = unpack_kernel_params(params)
    cov_f_f = rbf_covariance(cov_params, xstar, xstar)
    cov_y_f = rbf_covariance(cov_params, x, xstar)
    cov_y_y = rbf_covariance(cov_params, x, x) + noise_scale * np.eye(len(y))
    pred_mean = mean + np.dot(np.linalg.solve(cov_y_y, cov_y_f).T, y - mean)
    pred_cov = cov_f_f - np.dot(np.linalg.solve(cov_y_y, cov_y_f).T, cov_y_f)
    return pred_mean, pred_cov


def torch_log_marginal_likelihood(torch, params, x, y):
    mean, scale, lengths = params[0], torch.exp(params[2]), torch.exp(params[3:])
    diffs = (x / lengths)[:, None, :] - (x / lengths)[None, :, :]
    cov = scale * torch.exp(-0.5 * (diffs ** 2).sum(2))
    cov = cov + (torch.exp(params[1]) + 0.0001) * torch.eye(len(y))
    prior = torch.distributions.MultivariateNormal(mean * torch.ones(len(y)), cov)
    return prior.log_prob(y)


def build_toy_dataset(n_data=20, noise_std=0.1):
    rs = np.random.RandomState(0)
    inputs = np.concatenate([np.linspace(0, 3, num=n_data // 2),
                             np.linspace(6, 8, num=n_data // 2)])
    targets = (np.cos(inputs) + rs.randn(n_data) * noise_std) / 2.0
    return ((inputs - 4.0) / 2.0).reshape(n_data, 1), targets


def test_gp_marginal_likelihood_and_its_gradient(torch):
    X, y = build_toy_dataset()
    params = 0.1 * np.random.RandomState(0).randn(4)  # mean, log noise, log scale, log length
    gradient, value = func.grad_and_value(lambda p: log_marginal_likelihood(p, X, y))(params)
    p_t = torch.tensor(params, requires_grad=True)
    value_t = torch_log_marginal_likelihood(torch, p_t, torch.tensor(X), torch.tensor(y))
    value_t.backward()
    assert_close(value, value_t)
    assert_close(gradient, p_t.grad)
    # log det(K) by np.linalg.slogdet, the other way a reader writes it
    K = rbf_covariance(ag.tensor(params[2:], requires_grad=True), X, X) + np.eye(len(y))
    sign, logdet = np.linalg.slogdet(K)
    assert sign.item() == 1.0
    assert_close(logdet, 2 * np.sum(np.log(np.diagonal(np.linalg.cholesky(K)))))


def test_gp_hyperparameters_by_scipy_minimize(torch):
    """HIPS: minimize(value_and_grad(objective), init, jac=True, method='CG')."""
    optimize = pytest.importorskip("scipy.optimize")
    X, y = build_toy_dataset()
    init = 0.1 * np.random.RandomState(0).randn(4)
    objective = func.grad_and_value(lambda p: -log_marginal_likelihood(p, X, y))

    def ours(p):
        gradient, value = objective(p)  # (grad, value), both Tensors: SciPy reads them
        return float(value), np.asarray(gradient)

    def theirs(p):
        p = torch.tensor(p, requires_grad=True)
        value = -torch_log_marginal_likelihood(torch, p, torch.tensor(X), torch.tensor(y))
        return value.item(), torch.autograd.grad(value, p)[0].numpy()

    options = {"maxiter": 10}
    got = optimize.minimize(ours, init, jac=True, method="CG", options=options)
    want = optimize.minimize(theirs, init, jac=True, method="CG", options=options)
    np.testing.assert_allclose(got.x, want.x, rtol=1e-7, atol=1e-9)
    assert got.fun < ours(init)[0]
    plot_xs = np.reshape(np.linspace(-7, 7, 30), (30, 1))
    pred_mean, pred_cov = predict(got.x, X, y, plot_xs)
    marg_std = np.sqrt(np.diag(pred_cov))  # HIPS's band: mean +- 1.96 std
    assert marg_std.shape == (30,) and np.all(np.isfinite(marg_std.data))
    assert pred_mean.shape == (30,)


def test_gp_predictive_mean_gradient(torch):
    """The predictive mean at a point, differentiated w.r.t. the hyperparameters."""
    X, y = build_toy_dataset()
    params = 0.1 * np.random.RandomState(1).randn(4)
    xstar = np.array([[0.3]])
    got = func.grad(lambda p: np.sum(predict(p, X, y, xstar)[0]))(params)
    p_t = torch.tensor(params, requires_grad=True)
    Xt, yt = torch.tensor(X), torch.tensor(y)

    def cov(a, b):
        lengths = torch.exp(p_t[3:])
        d = (a / lengths)[:, None, :] - (b / lengths)[None, :, :]
        return torch.exp(p_t[2]) * torch.exp(-0.5 * (d ** 2).sum(2))

    K = cov(Xt, Xt) + (torch.exp(p_t[1]) + 0.0001) * torch.eye(len(y))
    mean = p_t[0] + torch.linalg.solve(K, cov(Xt, torch.tensor(xstar))).T @ (yt - p_t[0])
    mean.sum().backward()
    assert_close(got, p_t.grad)


# ---------------------------------------------------------------- black_box_svi.py
def norm_logpdf(x, loc, scale):
    return -0.5 * LOG_2PI - np.log(scale) - 0.5 * ((x - loc) / scale) ** 2


def log_posterior(x):
    """A 2-d intractable target: a Gaussian at zero with a Gaussian prior on its
    log-variance (HIPS's example)."""
    mu, log_sigma = x[:, 0], x[:, 1]
    return norm_logpdf(log_sigma, 0, 1.35) + norm_logpdf(mu, 0, np.exp(log_sigma))


def variational_objective(params, eps, D=2):
    """-ELBO by the reparameterization trick: samples = eps * exp(log_std) + mean."""
    mean, log_std = params[:D], params[D:]
    samples = eps * np.exp(log_std) + mean
    entropy = 0.5 * D * (1.0 + np.log(2 * np.pi)) + np.sum(log_std)
    return -(entropy + np.mean(log_posterior(samples)))


def torch_variational_objective(torch, params, eps, D=2):
    mean, log_std = params[:D], params[D:]
    samples = eps * torch.exp(log_std) + mean
    prior = torch.distributions.Normal(0.0, 1.35).log_prob(samples[:, 1])
    likelihood = torch.distributions.Normal(0.0, torch.exp(samples[:, 1])).log_prob(
        samples[:, 0])
    entropy = torch.distributions.Normal(mean, torch.exp(log_std)).entropy().sum()
    return -(entropy + (prior + likelihood).mean())


def test_black_box_svi_with_adam(torch):
    init = np.concatenate([-1 * np.ones(2), -5 * np.ones(2)])
    params = ag.tensor(init, requires_grad=True)
    params_t = torch.tensor(init, requires_grad=True)
    optimizer = nn.optim.Adam([params], lr=0.1)
    optimizer_t = torch.optim.Adam([params_t], lr=0.1)
    rs = np.random.RandomState(0)  # one draw per step, shared by both runs
    for step in range(25):
        eps = rs.randn(200, 2)
        loss = variational_objective(params, eps)
        loss_t = torch_variational_objective(torch, params_t, torch.tensor(eps))
        assert_close(loss, loss_t)
        for opt, objective in ((optimizer, loss), (optimizer_t, loss_t)):
            opt.zero_grad()
            objective.backward()
            opt.step()
        assert_close(params.grad, params_t.grad, rtol=1e-9)
        assert_close(params, params_t, rtol=1e-9)
    eps = rs.randn(200, 2)  # HIPS's grad(variational_objective): the transform
    got = func.grad(variational_objective)(params.detach(), eps)
    p_t = params_t.detach().requires_grad_()
    torch_variational_objective(torch, p_t, torch.tensor(eps)).backward()
    assert_close(got, p_t.grad, rtol=1e-9)
