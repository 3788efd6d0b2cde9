"""Edges of ``autograd.distributions`` found by fuzzing against ``torch.distributions``
(float64): ``expand`` keeping ``validate_args``, 0-d parameters and draws, values with too
few axes, out-of-range categories, composed and broadcasting transforms, the relaxed
Bernoulli at the ends of its support, a mixture's cdf, two more KL pairs and the modules'
errors for names they lack. Each case runs the same code on both libraries."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
import autograd.distributions as AD
from test_distributions_torch import check

# name -> (a distribution of L's library D, a value outside its support)
EXPANDED = {
    "GeneralizedPareto": (lambda L, D: D.GeneralizedPareto(0.0, 1.0, 0.5), [-1.0]),
    "InverseGamma": (lambda L, D: D.InverseGamma(1.0, 1.0), [-1.0]),
    "Kumaraswamy": (lambda L, D: D.Kumaraswamy(1.0, 1.0), [1.5]),
    "LogNormal": (lambda L, D: D.LogNormal(0.0, 1.0), [-1.0]),
    "FisherSnedecor": (lambda L, D: D.FisherSnedecor(1.0, 3.0), [-1.0]),
    "TransformedDistribution": (lambda L, D: D.TransformedDistribution(
        D.Normal(0.0, 1.0), [D.transforms.SigmoidTransform()]), [1.5]),
    "MultivariateNormal": (lambda L, D: D.MultivariateNormal(L.zeros(2), L.eye(2)),
                           [[math.nan, 0.0]]),
    "LowRankMultivariateNormal": (lambda L, D: D.LowRankMultivariateNormal(
        L.zeros(2), L.ones(2, 1), L.ones(2)), [[math.nan, 0.0]]),
    "Wishart": (lambda L, D: D.Wishart(L.tensor(3.0), L.eye(2)), [[1.0, 2.0], [2.0, 1.0]]),
    "LKJCholesky": (lambda L, D: D.LKJCholesky(2, 1.0), [[1.0, 0.0], [0.5, 0.5]]),
    "LogisticNormal": (lambda L, D: D.LogisticNormal(L.zeros(2), L.ones(2)),
                       [0.5, 0.6, 0.1]),
    "Independent": (lambda L, D: D.Independent(D.Normal(L.zeros(2), 1.0), 1),
                    [[math.nan, 0.0]]),
    "MixtureSameFamily": (lambda L, D: D.MixtureSameFamily(
        D.Categorical(probs=L.tensor([0.5, 0.5])), D.Gamma(L.ones(2), 1.0)), [-1.0]),
}


@pytest.mark.parametrize("name", sorted(EXPANDED))
def test_expand_keeps_validate_args_as_pytorch(torch, name: str) -> None:
    """An expanded distribution checks its values exactly when the original did."""
    build, bad = EXPANDED[name]
    for L, D in ((torch, torch.distributions), (ag, AD)):
        checked = build(L, D).expand((2,))
        assert checked._validate_args is True, L.__name__
        with pytest.raises(ValueError):
            checked.log_prob(L.tensor(bad))
    D.Distribution.set_default_validate_args(False)  # D: ours; a build without checks
    try:
        assert build(ag, AD).expand((2,))._validate_args is False
    finally:
        D.Distribution.set_default_validate_args(True)


def test_expand_of_a_subclass_without_its_own_init_keeps_its_type(torch) -> None:
    """PyTorch's ``_get_checked_instance``: the expanded object is of the subclass."""
    for D in (torch.distributions, AD):
        class Tagged(D.Kumaraswamy):
            pass
        assert type(Tagged(1.0, 2.0).expand((3,))) is Tagged


@pytest.mark.parametrize("kw", [{"probs": 0.5}, {"logits": 0.3}])
def test_relaxed_bernoulli_takes_0d_parameters(torch, kw: dict) -> None:
    ours = AD.RelaxedBernoulli(ag.tensor(1.0), **kw)
    theirs = torch.distributions.RelaxedBernoulli(torch.tensor(1.0), **kw)
    assert ours.batch_shape == tuple(theirs.batch_shape) == ()
    assert repr(AD.RelaxedBernoulli.arg_constraints["logits"]) == repr(
        torch.distributions.RelaxedBernoulli.arg_constraints["logits"])
    value = 0.3
    np.testing.assert_allclose(ours.log_prob(ag.tensor(value)).item(),
                               theirs.log_prob(torch.tensor(value)).item(), atol=1e-12)


def test_relaxed_bernoulli_log_prob_is_finite_at_0_and_1(torch) -> None:
    """PyTorch's sigmoid inverse clamps y to [tiny, 1 - eps]: the limits are finite."""
    check(torch, lambda T, D, p: D.RelaxedBernoulli(T.tensor(0.7), probs=p).log_prob(
        T.tensor([[0.0, 1.0, 0.25]])), {"p": np.array([[0.3], [0.8]])})


COUNT_DRAWS = {
    "Poisson": lambda L, D: D.Poisson(L.tensor(2.0)).sample(),
    "Binomial": lambda L, D: D.Binomial(3, probs=L.tensor(0.3)).sample(),
    "NegativeBinomial": lambda L, D: D.NegativeBinomial(L.tensor(2.0),
                                                        probs=L.tensor(0.3)).sample(),
    "Poisson expanded to ()": lambda L, D: D.Poisson(L.tensor(2.0)).expand(()).sample(),
    "top-level poisson": lambda L, D: L.poisson(L.tensor(2.0)),
}


@pytest.mark.parametrize("name", sorted(COUNT_DRAWS))
def test_count_draws_of_a_0d_batch_are_0d_tensors(torch, name: str) -> None:
    ours = COUNT_DRAWS[name](ag, AD)
    theirs = COUNT_DRAWS[name](torch, torch.distributions)
    assert isinstance(ours, ag.Tensor) and ours.shape == tuple(theirs.shape) == ()
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    assert ours.item() >= 0 and ours.item() % 1 == 0


TOO_FEW_AXES = {
    "real_vector": lambda L, D: D.constraints.real_vector.check(L.tensor(0.5)),
    "independent(real, 2)": lambda L, D: D.constraints.independent(
        D.constraints.real, 2).check(L.tensor([1.0, 2.0])),
    "MultivariateNormal.log_prob": lambda L, D: D.MultivariateNormal(
        L.zeros(2), L.eye(2)).log_prob(L.tensor(0.0)),
    "IndependentTransform": lambda L, D: D.transforms.IndependentTransform(
        D.transforms.ExpTransform(), 1)(L.tensor(0.5)),
    "IndependentTransform.inv": lambda L, D: D.transforms.IndependentTransform(
        D.transforms.ExpTransform(), 2).inv(L.tensor([0.5])),
}


@pytest.mark.parametrize("name", sorted(TOO_FEW_AXES))
def test_a_value_with_fewer_axes_than_an_event_is_a_shape_error(torch, name: str) -> None:
    with pytest.raises(ValueError):
        TOO_FEW_AXES[name](torch, torch.distributions)
    with pytest.raises(ag.ShapeError, match="(fewer axes|too few dimensions|at least)"):
        TOO_FEW_AXES[name](ag, AD)


@pytest.mark.parametrize("category", [-1, 3, -2.5])
def test_categorical_refuses_categories_out_of_range_even_unchecked(torch, category) -> None:
    """PyTorch's index check: a negative category does not count from the end."""
    for L, D in ((torch, torch.distributions), (ag, AD)):
        d = D.Categorical(probs=L.tensor([0.2, 0.3, 0.5]), validate_args=False)
        with pytest.raises(RuntimeError):
            d.log_prob(L.tensor(category))
    with pytest.raises(ag.UsageError, match=r"one of 0, \.\.\., 2"):
        AD.Categorical(probs=ag.tensor([0.2, 0.3, 0.5]), validate_args=False).log_prob(
            ag.tensor([0, category]))
    # floats inside (-1, K) are truncated (PyTorch's long()), so they are scored
    check(torch, lambda T, D, p: D.Categorical(probs=p, validate_args=False).log_prob(
        T.tensor([-0.5, 2.7, 1.0])), {"p": np.array([0.2, 0.3, 0.5])})


def composed(T, D, scale):
    """Normal pushed through exp then x -> -scale x: a decreasing map."""
    t = D.transforms
    return D.TransformedDistribution(D.Normal(0.0, 1.0), t.ComposeTransform(
        [t.ExpTransform(), t.AffineTransform(0.0, -scale)]))


def test_compose_transform_sign_is_the_product_of_its_parts(torch) -> None:
    for L, D in ((torch, torch.distributions), (ag, AD)):
        t = D.transforms
        assert t.ComposeTransform([t.ExpTransform(), t.AffineTransform(0.0, -2.0)]).sign == -1
        assert t.ComposeTransform([t.AffineTransform(1.0, -1.0),
                                   t.AffineTransform(0.0, -3.0)]).sign == 1
    check(torch, lambda T, D, s: composed(T, D, s).cdf(T.tensor([-1.0, -3.0])),
          {"s": np.array(2.0)})
    check(torch, lambda T, D, s: composed(T, D, s).icdf(T.tensor([0.3, 0.9])),
          {"s": np.array(2.0)})


def test_compose_transform_empty_log_det_and_double_inverse(torch) -> None:
    for L, D in ((torch, torch.distributions), (ag, AD)):
        t = D.transforms
        nan = L.tensor([math.nan, 1.0])
        assert (t.ComposeTransform([]).log_abs_det_jacobian(nan, nan) == 0).all()
        compose = t.ComposeTransform([t.ExpTransform(), t.AffineTransform(1.0, 2.0)])
        assert compose.inv.inv is compose


def test_affine_and_power_transforms_broadcast_the_shape_with_their_parameters(torch) -> None:
    for L, D in ((torch, torch.distributions), (ag, AD)):
        t = D.transforms
        scale = L.tensor([1.0, 2.0, 3.0])
        assert tuple(t.AffineTransform(0.0, scale).forward_shape(())) == (3,)
        assert tuple(t.AffineTransform(scale, 1.0).inverse_shape((2, 1))) == (2, 3)
        assert tuple(t.PowerTransform(scale).forward_shape((2, 1))) == (2, 3)
        d = D.TransformedDistribution(D.Normal(0.0, 1.0), [t.AffineTransform(0.0, scale)])
        assert tuple(d.batch_shape) == (3,)
        assert tuple(d.rsample((4,)).shape) == tuple(d.sample((2, 4)).shape[1:]) == (4, 3)
    with pytest.raises(ag.ShapeError, match="does not broadcast"):
        AD.transforms.AffineTransform(0.0, ag.ones(3)).forward_shape((2,))
    check(torch, lambda T, D, s: D.TransformedDistribution(
        D.Normal(0.0, 1.0), [D.transforms.AffineTransform(0.5, s)]).log_prob(
        T.tensor([[0.1, -0.2, 0.3]])), {"s": np.array([1.0, 2.0, 3.0])})


def test_mixture_same_family_cdf_matches_pytorch(torch) -> None:
    """F(x) = sum_k pi_k F_k(x), values and gradients."""
    def mixture_cdf(T, D, w, mu, s):
        m = D.MixtureSameFamily(D.Categorical(logits=w), D.Normal(mu, s))
        return m.cdf(T.tensor([[-0.5], [0.2], [1.5]]))
    rng = np.random.default_rng(3)
    check(torch, mixture_cdf, {"w": rng.standard_normal((2, 3)),
                               "mu": rng.standard_normal((2, 3)),
                               "s": rng.uniform(0.5, 2.0, (2, 3))})


def test_kl_of_two_half_cauchys_matches_pytorch(torch) -> None:
    check(torch, lambda T, D, a, b: D.kl_divergence(D.HalfCauchy(a), D.HalfCauchy(b)),
          {"a": np.array([0.5, 1.0, 3.0]), "b": np.array([2.0, 1.0, 0.2])})


def test_kl_of_equal_weibulls_matches_pytorch(torch) -> None:
    """PyTorch's KL (the transformed pair's rule) is 0 for equal parameters."""
    for L, D in ((torch, torch.distributions), (ag, AD)):
        p = D.Weibull(L.tensor([1.0, 0.5]), L.tensor([2.0, 0.7]))
        q = D.Weibull(L.tensor([1.0, 0.5]), L.tensor([2.0, 0.7]))
        np.testing.assert_allclose(np.asarray(D.kl_divergence(p, q).tolist()), 0.0,
                                   atol=1e-12)


@pytest.mark.parametrize("p, q", [((1.0, 2.0), (1.5, 0.7)), ((0.5, 3.0), (2.0, 1.2)),
                                  ((2.0, 0.8), (1.0, 0.8))])
def test_kl_of_two_weibulls_is_the_integral_of_pytorchs_densities(torch, p, q) -> None:
    """E_p[log p(X) - log q(X)] by quadrature of torch's log densities on a log grid."""
    TD = torch.distributions
    log_x = torch.linspace(-40.0, 6.0, 400001)
    x = log_x.exp()
    log_p, log_q = TD.Weibull(*map(torch.tensor, p)).log_prob(x), TD.Weibull(
        *map(torch.tensor, q)).log_prob(x)
    integrand = (log_p.exp() * (log_p - log_q) * x).numpy()  # dx = x dlog x
    expected = np.trapezoid(integrand, log_x.numpy())
    ours = AD.kl_divergence(AD.Weibull(*map(ag.tensor, p)), AD.Weibull(*map(ag.tensor, q)))
    np.testing.assert_allclose(ours.item(), expected, rtol=1e-7)


@pytest.mark.parametrize("module, name", [(AD, "NotADistribution"),
                                          (AD.constraints, "MixtureSameFamilyConstraint"),
                                          (AD.transforms, "NotATransform")])
def test_a_missing_name_is_a_missing_name_error_naming_what_is_here(module, name) -> None:
    with pytest.raises(ag.errors.MissingNameError, match=f"has no attribute '{name}'.*here"):
        getattr(module, name)
    assert not hasattr(module, name)
    with pytest.raises(AttributeError) as info:  # Python's own look-ups: its plain error
        getattr(module, "__wrapped__")
    assert type(info.value) is AttributeError
