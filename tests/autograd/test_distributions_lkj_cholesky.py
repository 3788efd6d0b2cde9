"""``LKJCholesky(dim, concentration)``, the law of Cholesky factors of correlation matrices
(it was ``MissingNameError``), with the ``corr_cholesky`` constraint. log_prob and its
gradient against PyTorch's, computed in the test; onion-method draws against the known
marginal of one correlation (Beta(b, b) on (-1, 1), b = eta - 1 + d / 2)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from test_distributions_torch import check

ETA = np.array([0.5, 1.0, 3.0])


def factors(torch, dim: int) -> np.ndarray:
    """Cholesky factors of correlation matrices, drawn by PyTorch: (5, 3, dim, dim)."""
    torch.manual_seed(0)
    return torch.distributions.LKJCholesky(dim, torch.tensor(ETA)).sample((5,)).numpy()


@pytest.mark.parametrize("dim", [2, 4])
def test_lkj_cholesky_log_prob_matches_pytorch(torch, dim: int) -> None:
    values = factors(torch, dim)
    check(torch, lambda T, D, eta: D.LKJCholesky(dim, eta).log_prob(T.tensor(values)),
          dict(eta=ETA), rtol=1e-9)
    check(torch, lambda T, D, eta: D.LKJCholesky(dim, eta).expand((5, 3)).log_prob(
        T.tensor(values)), dict(eta=ETA), rtol=1e-9)
    check(torch, lambda T, D, eta: D.LKJCholesky(dim, 2.0).log_prob(
        T.tensor(values)) * eta, dict(eta=ETA), rtol=1e-9)


def test_shapes_support_and_checks_as_pytorch(torch) -> None:
    for lib in (ag, torch):
        D = lib.distributions
        lkj = D.LKJCholesky(3, lib.tensor(ETA))
        assert tuple(lkj.batch_shape) == (3,) and tuple(lkj.event_shape) == (3, 3)
        draws = lkj.sample((4,))
        assert tuple(draws.shape) == (4, 3, 3, 3) and not lkj.has_rsample
        assert D.LKJCholesky.support is D.constraints.corr_cholesky
        assert D.constraints.corr_cholesky.check(draws).numpy().all()
        assert not D.constraints.corr_cholesky.check(2 * draws).numpy().any()
        assert not D.constraints.corr_cholesky.check(draws.transpose(-1, -2)).numpy().any()
    with pytest.raises(ag.UsageError, match="at least 2"):
        ag.distributions.LKJCholesky(1)
    with pytest.raises(ag.UsageError, match="corr_cholesky|CorrCholesky"):
        ag.distributions.LKJCholesky(2).log_prob(ag.eye(2) * 2)


@pytest.mark.parametrize("dim, eta", [(3, 2.0), (5, 0.7)])
def test_onion_draws_have_the_lkj_marginal_correlation(dim: int, eta: float) -> None:
    """Every correlation r has (r + 1) / 2 ~ Beta(b, b), b = eta - 1 + d / 2, so E r = 0,
    E r^2 = 1 / (2b + 1), E r^4 = 3 / ((2b + 1)(2b + 3)). PyTorch's sampler draws row i's
    squared norm from Beta(i - 1/2, .) instead of Beta(i / 2, .): for d = 3, eta = 2 its
    r_20 and r_21 have E r^2 = 3 / 14, not 1 / 6 (the law is invariant under permutations;
    its draws are not)."""
    draws = ag.distributions.LKJCholesky(dim, eta).sample(
        (20000,), generator=np.random.default_rng(5)).numpy()
    correlations = draws @ np.swapaxes(draws, -1, -2)
    np.testing.assert_allclose(np.diagonal(correlations, axis1=-2, axis2=-1), 1.0, atol=1e-12)
    b = eta - 1 + dim / 2
    for i, j in zip(*np.tril_indices(dim, -1)):
        r = correlations[:, i, j]
        for power, expected in ((1, 0.0), (2, 1 / (2 * b + 1)),
                                (4, 3 / ((2 * b + 1) * (2 * b + 3)))):
            moment = r ** power
            assert abs(moment.mean() - expected) < 5 * moment.std() / np.sqrt(len(r))


def test_log_prob_gradient_by_finite_differences(torch) -> None:
    values = ag.tensor(factors(torch, 3))
    eta = ag.tensor(ETA, requires_grad=True)
    assert ag.gradcheck(lambda eta: ag.distributions.LKJCholesky(3, eta).log_prob(values),
                        [eta])


X = np.random.default_rng(9).standard_normal((2, 6))  # 6 = 4 * 3 / 2: 4 x 4 factors
TRANSFORM_CASES = {
    "forward": lambda T, D, x: D.biject_to(D.constraints.corr_cholesky)(x),
    "inverse": lambda T, D, x: D.transform_to(D.constraints.corr_cholesky).inv(
        D.transforms.CorrCholeskyTransform()(x) * 1),
    "log_abs_det_jacobian": lambda T, D, x: D.transforms.CorrCholeskyTransform()
    .log_abs_det_jacobian(x, D.transforms.CorrCholeskyTransform()(x)),
    "lkj_prior_of_a_free_parameter": lambda T, D, x: D.LKJCholesky(4, 1.5).log_prob(
        D.transforms.CorrCholeskyTransform()(x)),
}


@pytest.mark.parametrize("case", sorted(TRANSFORM_CASES))
def test_corr_cholesky_transform_matches_pytorch(torch, case: str) -> None:
    """``biject_to(constraints.corr_cholesky)`` raised UnsupportedError: an LKJ prior's
    parameter could not be optimised unconstrained."""
    check(torch, TRANSFORM_CASES[case], dict(x=X), rtol=1e-9)


def test_corr_cholesky_log_det_is_that_of_the_strict_lower_entries() -> None:
    """log|det| of x -> y's strictly lower entries, by a finite-difference Jacobian."""
    transform = ag.distributions.CorrCholeskyTransform()
    rows, cols = np.tril_indices(4, -1)
    x = X[0]
    eps = 1e-6
    jacobian = np.stack([(transform(ag.tensor(x + eps * e)).numpy()[rows, cols]
                          - transform(ag.tensor(x - eps * e)).numpy()[rows, cols]) / (2 * eps)
                         for e in np.eye(6)], axis=1)
    y = transform(ag.tensor(x))
    assert ag.distributions.constraints.corr_cholesky.check(y).item()
    np.testing.assert_allclose(transform.log_abs_det_jacobian(ag.tensor(x), y).item(),
                               np.linalg.slogdet(jacobian)[1], rtol=1e-7)
    with pytest.raises(ag.ShapeError, match="not D \\(D - 1\\) / 2"):
        transform(ag.zeros(4))
