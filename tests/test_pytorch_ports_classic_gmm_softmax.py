"""Two classic fits, as readers write them in PyTorch, each written once for a library
``torch`` (``autograd`` here, PyTorch there) and run from the same start in float64:

- A two-component Gaussian mixture on generated 2-D points, first by EM (responsibilities
  from ``Independent(Normal(mu, var.sqrt()), 1).log_prob(X.unsqueeze(1))`` and
  ``torch.logsumexp``; closed-form M-step), then by gradient: ``MixtureSameFamily(
  Categorical(logits=...), Independent(Normal(locs, log_scales.exp()), 1))`` and Adam on
  the negative mean log-likelihood, with the mixture's ``mean`` and ``variance`` and the
  components' hard assignments. Both reach EM's log-likelihood.
- Softmax regression on scikit-learn's digits with ``optim.LBFGS(line_search_fn=
  "strong_wolfe")`` and a closure (cross-entropy plus an L2 term), with the optimizer's
  ``func_evals`` and ``n_iter`` counters.

Every number agrees to 1e-10, except L-BFGS's weights after 25 iterations (1e-7: the
two-loop recursion sums in another order, and L-BFGS amplifies such rounding along the
flat directions of the loss; the losses themselves agree to 1e-10). Nothing is written
differently.
"""

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as nn_F


def libraries(torch=None) -> tuple:
    """(torch, nn, F, optim, distributions) for this library, or PyTorch's."""
    if torch is None:
        return ag, nn, nn_F, nn.optim, ag.distributions
    return torch, torch.nn, torch.nn.functional, torch.optim, torch.distributions


def two_blobs() -> np.ndarray:
    """120 points: 60 around (-2, -2) with sd 0.5, 60 around (1.5, 1.5) with sd 0.8."""
    rng = np.random.default_rng(0)
    return np.concatenate([rng.normal(-2, 0.5, (60, 2)), rng.normal(1.5, 0.8, (60, 2))])


def gaussian_mixture(torch) -> list:
    """EM, then gradient descent on the same mixture; returns their records."""
    T, nn, F, optim, D = libraries(torch)
    X = T.from_numpy(two_blobs())
    K = 2
    mu = X[T.tensor([0, 100])].clone()
    var = T.ones(K, 2)
    pi = T.full((K,), 1.0 / K)
    record = []
    for it in range(10):
        comp = D.Independent(D.Normal(mu, var.sqrt()), 1)
        log_resp = comp.log_prob(X.unsqueeze(1)) + pi.log()
        ll = T.logsumexp(log_resp, dim=1)
        resp = (log_resp - ll.unsqueeze(1)).exp()
        Nk = resp.sum(0)
        mu = (resp.T @ X) / Nk.unsqueeze(1)
        var = (resp.T @ X.pow(2)) / Nk.unsqueeze(1) - mu.pow(2)
        pi = Nk / Nk.sum()
        record.append(ll.mean().item())
    logits = T.zeros(K, requires_grad=True)
    locs = X[T.tensor([0, 100])].clone().requires_grad_()
    log_scales = T.zeros(K, 2, requires_grad=True)
    optimizer = optim.Adam([logits, locs, log_scales], lr=0.1)
    for step in range(60):
        mix = D.Categorical(logits=logits)
        comp = D.Independent(D.Normal(locs, log_scales.exp()), 1)
        gmm = D.MixtureSameFamily(mix, comp)
        loss = -gmm.log_prob(X).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        record.append(loss.item())
    with T.no_grad():
        record += [T.softmax(logits, 0).numpy(), locs.detach().numpy(), gmm.mean.numpy(),
                   gmm.variance.numpy()]
        joint = gmm.component_distribution.log_prob(X.unsqueeze(1)) + T.log_softmax(logits, 0)
        record.append(joint.argmax(1).numpy())
    return record


def test_gaussian_mixture_by_em_and_by_gradient(torch):
    want = gaussian_mixture(torch)
    got = gaussian_mixture(None)
    assert len(got) == len(want) == 75
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"record {i}")
    assert abs(want[69] + want[9]) < 0.01  # gradient descent reaches EM's log-likelihood
    assert (want[-1][:60] == want[-1][0]).all() and (want[-1][60:] != want[-1][0]).all()


def softmax_regression(torch) -> list:
    """L-BFGS with strong Wolfe line search on digits; returns losses, counters, weights."""
    T, nn, F, optim, _ = libraries(torch)
    datasets = pytest.importorskip("sklearn.datasets")
    Xd, yd = datasets.load_digits(return_X_y=True)
    X, y = T.tensor(Xd[:200] / 16.0), T.tensor(yd[:200])
    model = nn.Linear(64, 10)
    with T.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    optimizer = optim.LBFGS(model.parameters(), lr=1, max_iter=25, history_size=10,
                            line_search_fn="strong_wolfe")
    losses = []

    def closure():
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X), y) + 1e-2 * model.weight.pow(2).sum() / 2
        loss.backward()
        losses.append(loss.item())
        return loss

    first = optimizer.step(closure)
    state = optimizer.state[next(iter(model.parameters()))]
    return [first.item(), *losses, state["func_evals"], state["n_iter"],
            model.weight.detach().numpy().copy(), (model(X).argmax(1) == y).float().mean().item()]


def test_softmax_regression_by_lbfgs_strong_wolfe(torch):
    want = softmax_regression(torch)
    got = softmax_regression(None)
    assert len(got) == len(want)
    np.testing.assert_allclose(got[:-2], want[:-2], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got[-2], want[-2], rtol=1e-7, atol=1e-9)  # (see the top)
    assert got[-1] == want[-1] > 0.95 and want[-5] < want[0] / 4
