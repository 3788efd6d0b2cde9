"""``autograd.distributions`` next to ``torch.distributions`` (float64) where a fuzzing pass
found them apart: MultivariateNormal reads only scale_tril's lower triangle (log_prob,
precision and KL: no gradient to the upper one), log_prob of a value that does not
broadcast raises ShapeError without validation too, KL(Uniform, Gumbel) in log space (a
finite gradient where exp(-(low - loc)/scale) underflows), Weibull.cdf(0) = 0, Binomial's
mode at n gives n no gradient, AffineTransform's log|det| at scale 0 and ``sign`` of the
transforms that are not elementwise. The new transforms and constraints:
``test_distributions_vs_torch_s33_transforms.py``."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import autograd.distributions as AD
from autograd.errors import ShapeError, UnsupportedError, UsageError
from test_distributions_torch import check

RNG = np.random.default_rng(33)


def _scale_tril(batch: tuple, k: int, upper: float = 0.0) -> np.ndarray:
    """Random lower Cholesky factors of shape batch + (k, k), plus ``upper`` times random
    entries above the diagonal (0: a valid scale_tril)."""
    A = RNG.standard_normal(batch + (k, k))
    diagonal = np.eye(k) * RNG.uniform(0.5, 2.0, batch + (k, 1))
    return np.tril(A, -1) + diagonal + upper * np.triu(A, 1)


L3 = _scale_tril((2,), 3)
LOC3 = RNG.standard_normal((2, 3))
VALUE3 = RNG.standard_normal((4, 2, 3))
COV_P = (lambda A: A @ A.T + np.eye(3))(RNG.standard_normal((3, 3)))

MVN_CASES = {
    "log_prob": lambda T, D, L, loc: D.MultivariateNormal(loc, scale_tril=L).log_prob(
        T.tensor(VALUE3)),
    "precision_matrix": lambda T, D, L, loc: D.MultivariateNormal(
        loc, scale_tril=L).precision_matrix,  # PyTorch's whole-L gradient (cholesky_inverse)
    "kl_mvn_mvn": lambda T, D, L, loc: D.kl_divergence(
        D.MultivariateNormal(T.zeros(3), T.tensor(COV_P)),
        D.MultivariateNormal(loc, scale_tril=L)),
    "kl_mvn_mvn_both": lambda T, D, L, loc: D.kl_divergence(
        D.MultivariateNormal(loc.flip(0), scale_tril=L.flip(0) * 1.5),
        D.MultivariateNormal(loc, scale_tril=L)),
    "kl_lowrank_mvn": lambda T, D, L, loc: D.kl_divergence(
        D.LowRankMultivariateNormal(T.zeros(3), T.ones(3, 1), T.ones(3)),
        D.MultivariateNormal(loc, scale_tril=L)),
}


@pytest.mark.parametrize("case", sorted(set(MVN_CASES) - {"precision_matrix"}))
def test_mvn_scale_tril_gradient_stays_in_the_lower_triangle(torch, case: str) -> None:
    """The value and every gradient as PyTorch's: the upper triangle's gradient is 0."""
    check(torch, MVN_CASES[case], dict(L=L3, loc=LOC3))


@pytest.mark.parametrize("case", ["log_prob", "precision_matrix", "kl_mvn_mvn"])
def test_mvn_reads_only_the_lower_triangle_of_a_non_triangular_scale_tril(
        torch, case: str) -> None:
    """With validate_args=False a non-triangular scale_tril (an optimiser step on a free
    one makes it so) is read as PyTorch reads it: its lower triangle only."""
    def fn(T, D, L, loc):
        D.Distribution.set_default_validate_args(False)
        try:
            return MVN_CASES[case](T, D, L, loc)
        finally:
            D.Distribution.set_default_validate_args(True)
    check(torch, fn, dict(L=_scale_tril((2,), 3, upper=0.7), loc=LOC3))


def test_mvn_log_prob_of_a_non_triangular_scale_tril_is_its_lower_triangles(torch) -> None:
    U = _scale_tril((), 3, upper=1.0)
    ours = AD.MultivariateNormal(ag.zeros(3), scale_tril=ag.tensor(U),
                                 validate_args=False).log_prob(ag.tensor(VALUE3))
    tril = AD.MultivariateNormal(ag.zeros(3), scale_tril=ag.tensor(np.tril(U))).log_prob(
        ag.tensor(VALUE3))
    np.testing.assert_allclose(ours.data, tril.data, rtol=1e-12)


BAD_VALUES = {
    "Uniform": (lambda T, D: D.Uniform(T.zeros(4), 1.0, validate_args=False), [0.5, 0.5]),
    "Categorical": (lambda T, D: D.Categorical(probs=T.ones(4, 3) / 3, validate_args=False),
                    [0, 1]),
    "OneHotCategorical": (lambda T, D: D.OneHotCategorical(probs=T.ones(4, 3) / 3,
                                                           validate_args=False),
                          [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]),
}


@pytest.mark.parametrize("name", sorted(BAD_VALUES))
def test_log_prob_of_a_value_that_does_not_broadcast_raises_shape_error(torch, name) -> None:
    """Without validation too; a value with a size-1 axis where the batch has 4 still
    broadcasts, as PyTorch's."""
    make, value = BAD_VALUES[name]
    with pytest.raises((RuntimeError, ValueError)):
        make(torch, torch.distributions).log_prob(torch.tensor(value))
    with pytest.raises(ShapeError, match="does not broadcast"):
        make(ag, AD).log_prob(ag.tensor(value))
    value = np.asarray(value)[:1][None]  # shape (1, 1) or (1, 1, 3)
    theirs = make(torch, torch.distributions).log_prob(torch.tensor(value)).numpy()
    ours = make(ag, AD).log_prob(ag.tensor(value)).data
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def _kl_uniform_gumbel(T, D, low, high, loc, scale):
    return D.kl_divergence(D.Uniform(low, high), D.Gumbel(loc, scale))


GUMBEL_POINTS = np.array([  # low, high, loc, scale
    [1.0, 2.0, 0.0, 0.001],  # e^(-(low - loc)/scale) = e^-1000 underflows
    [0.3, 0.5, -0.2, 0.002],  # e^-250 does not, e^(-(high - loc)/scale) = e^-350 nearly
    [-1.0, 2.0, 0.5, 1.5],  # ordinary
])


def test_kl_uniform_gumbel_value_and_gradient_as_pytorch(torch) -> None:
    params = dict(zip(["low", "high", "loc", "scale"], GUMBEL_POINTS.T))
    check(torch, _kl_uniform_gumbel, params, rtol=1e-8)


def test_kl_uniform_gumbel_gradient_matches_finite_differences() -> None:
    """Central differences of our KL, at the underflowing point and an ordinary one."""
    def kl(p: np.ndarray) -> float:
        return float(_kl_uniform_gumbel(ag, AD, *map(ag.tensor, p)).data)
    for point in GUMBEL_POINTS[[0, 2]]:
        leaves = [ag.tensor(v, requires_grad=True) for v in point]
        _kl_uniform_gumbel(ag, AD, *leaves).backward()
        for i, leaf in enumerate(leaves):
            step = np.eye(4)[i] * 1e-7 * max(abs(point[i]), 1e-3)
            numeric = (kl(point + step) - kl(point - step)) / (2 * step[i])
            np.testing.assert_allclose(leaf.grad.data, numeric, rtol=1e-5)


def test_weibull_cdf_at_zero_is_zero_as_pytorch(torch) -> None:
    """cdf(0) = 0 under validation (PyTorch checks the value against its Exponential base's
    support); a negative value and log_prob(0) still raise."""
    check(torch, lambda T, D, scale, k: D.Weibull(scale, k).cdf(T.tensor([0.0, 0.5, 2.0])),
          dict(scale=np.array([1.0, 2.0, 0.5]), k=np.array([2.0, 0.7, 3.0])))
    with pytest.raises(UsageError, match="support"):
        AD.Weibull(ag.tensor(1.0), ag.tensor(2.0)).cdf(ag.tensor(-1.0))
    with pytest.raises(UsageError, match="support"):  # log_prob(0) as PyTorch's
        AD.Weibull(ag.tensor(1.0), ag.tensor(2.0)).log_prob(ag.tensor(0.0))


def test_binomial_mode_gradient_as_pytorch(torch) -> None:
    """floor((n + 1) p) capped at n as PyTorch's clamp(max=n): a tie (p = 0.9, n = 3)
    gives n no gradient, p = 1 gives it 1."""
    check(torch, lambda T, D, n, p: D.Binomial(n, probs=p).mode,
          dict(n=np.array([3.0, 3.0, 5.0, 4.0]), p=np.array([0.9, 1.0, 0.3, 0.95])))


def test_affine_log_abs_det_jacobian_at_scale_zero_is_minus_infinity() -> None:
    x = ag.tensor([1.0, 2.0])
    with np.errstate(divide="ignore"):
        log_zero = np.log(np.abs(np.float64(0.0)))
    for scale in (0.0, ag.tensor(0.0)):
        t = AD.transforms.AffineTransform(0.0, scale)
        np.testing.assert_array_equal(t.log_abs_det_jacobian(x, t(x)).data, log_zero)
        np.testing.assert_array_equal(t.inv.log_abs_det_jacobian(t(x), x).data, -log_zero)
    t = AD.transforms.AffineTransform(0.0, 0.0, event_dim=1)
    np.testing.assert_array_equal(t.log_abs_det_jacobian(x, t(x)).data, 2 * log_zero)


NOT_ELEMENTWISE = ["StickBreakingTransform", "SoftmaxTransform", "LowerCholeskyTransform",
                   "CorrCholeskyTransform"]


@pytest.mark.parametrize("name", NOT_ELEMENTWISE)
def test_sign_of_a_transform_that_is_not_elementwise_raises(torch, name: str) -> None:
    """As PyTorch's NotImplementedError; the elementwise ones keep theirs."""
    for elementwise in ["ExpTransform", "SigmoidTransform", "TanhTransform",
                        "SoftplusTransform"]:
        theirs = getattr(torch.distributions.transforms, elementwise)()
        ours = getattr(AD.transforms, elementwise)()
        assert (ours.sign, ours.inv.sign) == (theirs.sign, theirs.inv.sign)
    theirs = getattr(torch.distributions.transforms, name)()
    ours = getattr(AD.transforms, name)()
    for t in (theirs, theirs.inv):
        with pytest.raises(NotImplementedError):
            t.sign
    for t in (ours, ours.inv, AD.transforms.ComposeTransform([AD.transforms.ExpTransform(), ours]),
              AD.transforms.IndependentTransform(ours, 1)):
        with pytest.raises(UnsupportedError, match="no sign"):
            t.sign


def test_cdf_through_stick_breaking_raises_not_implemented() -> None:
    d = AD.TransformedDistribution(AD.Normal(ag.zeros(2), 1.0),
                                   [AD.transforms.StickBreakingTransform()])
    with pytest.raises(UnsupportedError, match="monotone"):
        d.cdf(ag.tensor([0.2, 0.3, 0.5]))
