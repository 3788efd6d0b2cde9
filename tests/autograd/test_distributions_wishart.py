"""``Wishart(df, covariance_matrix= | precision_matrix= | scale_tril=)``, the law of
positive definite matrices (it was ``MissingNameError``). log_prob, entropy and moments
with their gradients against PyTorch's, computed in the test; Bartlett draws against the
law's mean and variance, their gradient to the scale by finite differences and to df
(implicit, through Chi2 draws) against the mean's."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
from test_distributions_torch import check

RNG = np.random.default_rng(43)
P = 3
PARAMS = dict(df=np.array([[3.5], [5.0], [7.0]]), B=RNG.standard_normal((2, P, P)))


def sigma(T, B):
    """B B^T + I: positive definite, differentiable in B."""
    return B @ B.transpose(-1, -2) + T.eye(P, dtype=T.float64)


def values(torch) -> np.ndarray:
    """Draws of the law, by PyTorch (whose rsample warns 'Singular sample detected.' for
    every draw: its check is inverted), of shape (4, 3, 2, P, P)."""
    torch.manual_seed(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch.distributions.Wishart(
            torch.tensor(PARAMS["df"]),
            covariance_matrix=sigma(torch, torch.tensor(PARAMS["B"]))).sample((4,)).numpy()


CASES = {
    "log_prob_covariance": lambda X: lambda T, D, df, B: D.Wishart(
        df, covariance_matrix=sigma(T, B)).log_prob(T.tensor(X)),
    "log_prob_precision": lambda X: lambda T, D, df, B: D.Wishart(
        df, precision_matrix=sigma(T, B)).log_prob(T.tensor(X)),
    "log_prob_scale_tril": lambda X: lambda T, D, df, B: D.Wishart(
        df, scale_tril=T.linalg.cholesky(sigma(T, B))).log_prob(T.tensor(X)),
    "log_prob_number_df": lambda X: lambda T, D, df, B: D.Wishart(
        4.0, covariance_matrix=sigma(T, B)).log_prob(T.tensor(X)),
    "entropy": lambda X: lambda T, D, df, B: D.Wishart(
        df, covariance_matrix=sigma(T, B)).entropy(),
    "mean": lambda X: lambda T, D, df, B: D.Wishart(df, covariance_matrix=sigma(T, B)).mean,
    "mode": lambda X: lambda T, D, df, B: D.Wishart(  # NaN where df <= P + 1
        df, covariance_matrix=sigma(T, B)).mode,
    "variance": lambda X: lambda T, D, df, B: D.Wishart(
        df, covariance_matrix=sigma(T, B)).variance,
    "precision_matrix": lambda X: lambda T, D, df, B: D.Wishart(
        df, covariance_matrix=sigma(T, B)).precision_matrix,
    "expand": lambda X: lambda T, D, df, B: D.Wishart(
        df, covariance_matrix=sigma(T, B)).expand((4, 3, 2)).log_prob(T.tensor(X)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_wishart_matches_pytorch(torch, case: str) -> None:
    # the entropy's gradient holds trigamma, which PyTorch computes to about 1e-9 only
    check(torch, CASES[case](values(torch)), PARAMS, rtol=1e-8)


def test_shapes_support_and_errors_as_pytorch(torch) -> None:
    for lib in (ag, torch):
        w = lib.distributions.Wishart(lib.tensor(PARAMS["df"]),
                                      covariance_matrix=sigma(lib, lib.tensor(PARAMS["B"])))
        assert tuple(w.batch_shape) == (3, 2) and tuple(w.event_shape) == (P, P)
        assert w.has_rsample
        assert w.support is lib.distributions.constraints.positive_definite
    draws = ag.distributions.Wishart(4.0, scale_tril=ag.eye(P)).rsample((5,))
    assert draws.shape == (5, P, P)
    assert ag.distributions.constraints.positive_definite.check(draws).numpy().all()
    with pytest.raises(ag.UsageError, match="greater than p - 1 = 2"):
        ag.distributions.Wishart(1.5, covariance_matrix=ag.eye(P))
    with pytest.raises(ag.UsageError, match="exactly one"):
        ag.distributions.Wishart(4.0)


def test_bartlett_draws_have_the_law_moments_and_gradients() -> None:
    """Mean nu Sigma and variance nu (Sigma_ij^2 + Sigma_ii Sigma_jj) over draws; the draw
    is L A A^T L^T, linear in L's entries twice, checked by finite differences; the
    gradient to df (one df per draw) averages to d(nu Sigma)/d nu = Sigma."""
    B = ag.tensor(PARAMS["B"][0])
    wishart = ag.distributions.Wishart(5.0, covariance_matrix=sigma(ag, B))
    draws = wishart.sample((20000,), generator=np.random.default_rng(2)).numpy()
    for sample, expected in ((draws, wishart.mean.numpy()),
                             ((draws - wishart.mean.numpy()) ** 2, wishart.variance.numpy())):
        error = sample.std(0) / np.sqrt(len(sample))
        assert np.all(np.abs(sample.mean(0) - expected) < 5 * error)

    tril = ag.tensor(np.linalg.cholesky(sigma(ag, B).numpy()), requires_grad=True)
    def draw(L):  # unchecked: gradcheck moves L's upper entries too
        return ag.distributions.Wishart(4.0, scale_tril=L, validate_args=False).rsample(
            (3,), generator=np.random.default_rng(3))
    assert ag.gradcheck(draw, [tril])

    n = 600  # each Chi2 draw's implicit gradient costs about 0.3 ms
    df = ag.tensor(np.full(n, 5.0), requires_grad=True)
    draws = ag.distributions.Wishart(df, scale_tril=tril.detach()).rsample(
        generator=np.random.default_rng(4))
    draws[:, 0, 1].sum().backward()
    per_draw = df.grad.numpy()
    expected = (tril.detach().numpy() @ tril.detach().numpy().T)[0, 1]
    assert abs(per_draw.mean() - expected) < 5 * per_draw.std() / np.sqrt(n)


def test_log_prob_and_entropy_gradients_by_finite_differences() -> None:
    df = ag.tensor(PARAMS["df"][:, 0], requires_grad=True)
    B = ag.tensor(PARAMS["B"][0], requires_grad=True)
    X = ag.tensor(np.eye(P) * 2 + 0.3)

    def log_prob_and_entropy(df, B):
        w = ag.distributions.Wishart(df, covariance_matrix=sigma(ag, B))
        return w.log_prob(X) + w.entropy()
    assert ag.gradcheck(log_prob_and_entropy, [df, B])
