"""``autograd.distributions`` on its own: gradients of ``log_prob``, ``rsample``,
``entropy`` and ``kl_divergence`` against central differences (``gradcheck``), the
moments of the draws (within a few standard errors, fixed seeds), where draws come from,
shapes, and the named errors of ``validate_args``, ``sample_shape`` and ``kl_divergence``.
Against PyTorch: ``test_distributions_torch.py``."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.distributions import (Bernoulli, Categorical, Cauchy, Distribution, Normal,
                                    Uniform, constraints, kl_divergence, register_kl)

RNG = np.random.default_rng(5)


def leaf(value) -> ag.Tensor:
    return ag.tensor(value, requires_grad=True)


def fixed(generator_seed: int) -> ag.Generator:
    return ag.Generator().manual_seed(generator_seed)


GRADCHECKS = {
    "normal_log_prob": (lambda loc, s: Normal(loc, s.exp()).log_prob(ag.tensor([0.3, -1.0])),
                        2),
    "normal_rsample": (lambda loc, s: Normal(loc, s.exp()).rsample((3,), generator=fixed(0)),
                       2),
    "normal_entropy": (lambda loc, s: Normal(loc, s.exp()).entropy(), 2),
    "normal_cdf": (lambda loc, s: Normal(loc, s.exp()).cdf(ag.tensor([0.3, -1.0])), 2),
    "normal_kl": (lambda loc, s: kl_divergence(Normal(loc, s.exp()), Normal(s, 2.0)), 2),
    "uniform_log_prob": (lambda a, b: Uniform(a - 2, b + 2).log_prob(ag.tensor(0.1)), 2),
    "uniform_rsample": (lambda a, b: Uniform(a - 2, b + 2).rsample((4,),
                                                                    generator=fixed(1)), 2),
    "uniform_entropy": (lambda a, b: Uniform(a - 2, b + 2).entropy(), 2),
    "uniform_kl": (lambda a, b: kl_divergence(Uniform(a - 2, b + 2), Uniform(-9, b + 9)), 2),
    "bernoulli_log_prob": (lambda z: Bernoulli(logits=z).log_prob(ag.tensor([0.0, 1.0])), 1),
    "bernoulli_probs_log_prob": (lambda z: Bernoulli(z.sigmoid()).log_prob(
        ag.tensor([0.0, 1.0])), 1),
    "bernoulli_entropy": (lambda z: Bernoulli(logits=z).entropy(), 1),
    "bernoulli_kl": (lambda z: kl_divergence(Bernoulli(logits=z), Bernoulli(logits=-z)), 1),
    "categorical_log_prob": (lambda z: Categorical(logits=z.reshape(2, 1)
                                                   * ag.tensor([1.0, 2.0, -1.0]))
                             .log_prob(ag.tensor([2, 0])), 1),
    "categorical_probs_entropy": (lambda z: Categorical(
        z.reshape(2, 1).exp() * ag.tensor([1.0, 2.0, 3.0])).entropy(), 1),
    "categorical_kl": (lambda z: kl_divergence(
        Categorical(logits=z.reshape(2, 1) * ag.tensor([1.0, -1.0, 0.5])),
        Categorical(logits=ag.tensor([0.2, 0.1, -0.3]) * z.sum())), 1),
}


@pytest.mark.parametrize("name", GRADCHECKS)
def test_gradients_match_central_differences(name: str) -> None:
    fn, arity = GRADCHECKS[name]
    inputs = [leaf(RNG.uniform(-0.8, 0.8, 2)) for _ in range(arity)]
    assert ag.gradcheck(fn, inputs)


# ------------------------------------------------------------------ draws
N = 20_000


def within(samples: np.ndarray, mean: np.ndarray, var: np.ndarray, axis: int = 0) -> None:
    """Sample mean within 5 standard errors of ``mean``; sample variance within 5 of
    ``var`` (its standard error about var sqrt(2 / n) for these light tails)."""
    n = samples.shape[axis]
    assert np.all(np.abs(samples.mean(axis) - mean) < 5 * np.sqrt(var / n) + 1e-12)
    assert np.all(np.abs(samples.var(axis) - var) < 5 * var * np.sqrt(2 / n) + 1e-12)


def test_normal_draws_have_its_moments() -> None:
    ag.manual_seed(0)
    d = Normal(ag.tensor([0.0, 3.0]), ag.tensor([1.0, 0.5]))
    within(d.sample((N,)).data, np.array([0.0, 3.0]), np.array([1.0, 0.25]))


def test_uniform_draws_have_its_moments_and_stay_inside() -> None:
    ag.manual_seed(0)
    d = Uniform(ag.tensor([0.0, -2.0]), ag.tensor([1.0, 4.0]))
    drawn = d.rsample((N,)).data
    within(drawn, d.mean.data, d.variance.data)
    assert ((drawn >= d.low.data) & (drawn < d.high.data)).all()


def test_bernoulli_and_categorical_draws_have_their_frequencies() -> None:
    ag.manual_seed(0)
    p = np.array([0.1, 0.5, 0.9])
    within(Bernoulli(ag.tensor(p)).sample((N,)).data, p, p * (1 - p))
    probs = np.array([0.2, 0.5, 0.3])
    drawn = Categorical(ag.tensor(probs * 4)).sample((N,)).data
    assert drawn.dtype == np.int64 and set(np.unique(drawn)) == {0, 1, 2}
    within((drawn[:, None] == np.arange(3)).astype(float), probs, probs * (1 - probs))


def test_draws_come_from_the_default_generator_as_randn_does() -> None:
    ag.manual_seed(7)
    expected = ag.randn(2, 3).data
    ag.manual_seed(7)
    assert np.array_equal(Normal(0.0, 1.0).sample((2, 3)).data, expected)
    ag.manual_seed(7)
    expected = ag.rand(4).data
    ag.manual_seed(7)
    assert np.array_equal(Uniform(0.0, 1.0).sample((4,)).data, expected)
    a = Categorical(logits=ag.zeros(5)).sample((6,), generator=fixed(3))
    assert np.array_equal(a.data, Categorical(logits=ag.zeros(5)).sample(
        (6,), generator=fixed(3)).data)
    with pytest.raises(ag.GeneratorError, match="numpy.random.Generator"):
        Bernoulli(0.5).sample(generator=3)


@pytest.mark.parametrize("dist", [Normal(ag.zeros(2, 1), ag.ones(3)), Uniform(0.0, ag.ones(2, 3)),
                                  Bernoulli(ag.full((2, 3), 0.5)),
                                  Categorical(logits=ag.zeros(2, 3, 4))],
                         ids=lambda d: type(d).__name__)
def test_shapes_of_draws_and_log_probs(dist: Distribution) -> None:
    assert dist.batch_shape == (2, 3) and dist.event_shape == ()
    assert dist.sample().shape == (2, 3) and dist.sample((4, 5)).shape == (4, 5, 2, 3)
    assert dist.sample([0]).shape == (0, 2, 3)
    assert dist.log_prob(dist.sample((4,))).shape == (4, 2, 3)
    assert dist.entropy().shape == (2, 3)


def test_sample_has_no_gradient_and_rsample_has_one() -> None:
    loc, scale = leaf([0.0, 1.0]), leaf(2.0)
    d = Normal(loc, scale)
    assert d.batch_shape == (2,) and Normal(0.0, 1.0).batch_shape == ()
    assert not d.sample().requires_grad and d.rsample().requires_grad
    z = ag.tensor([0.2, 0.8], requires_grad=True)
    assert not Categorical(z).sample().requires_grad
    assert Normal(ag.zeros(1, dtype=np.float32), 1.0).sample().dtype == np.float32
    assert Bernoulli(ag.full((2,), 0.5, dtype=np.float32)).sample().dtype == np.float32


def test_repr_and_constraints_say_what_they_are() -> None:
    assert repr(Normal(0.0, 1.0)) == "Normal(loc: 0.0, scale: 1.0)"
    assert repr(Categorical(ag.ones(2, 3))) == "Categorical(probs: (2, 3))"
    assert repr(constraints.positive) == "GreaterThan(lower_bound=0.0)"
    assert repr(constraints.real_vector) == "IndependentConstraint(Real(), 1)"
    assert repr(Categorical(ag.ones(3)).support) == \
        "IntegerInterval(lower_bound=0, upper_bound=2)"
    assert constraints.simplex.check(ag.tensor([[0.5, 0.5], [0.5, 0.6]])).tolist() == \
        [True, False]


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize("make, match", [
    (lambda: Normal(0.0, 0.0), "scale .* GreaterThan"),
    (lambda: Normal(np.nan, 1.0), "loc .* Real"),
    (lambda: Normal(ag.zeros(2), -ag.ones(2)), "parameter scale"),
    (lambda: Bernoulli(1.5), "probs .* Interval"),
    (lambda: Bernoulli(), "either probs or logits"),
    (lambda: Bernoulli(0.5, 0.0), "not both"),
    (lambda: Categorical(ag.tensor([0.5, -0.1, 0.6])), "Simplex"),
    (lambda: Categorical(logits=ag.tensor([0.0, np.nan])), "IndependentConstraint"),
    (lambda: Uniform(1.0, 1.0), "LessThan"),
])
def test_bad_parameters_raise_a_value_error(make, match: str) -> None:
    with pytest.raises(ag.UsageError, match=match) as caught:
        make()
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("dist, value, error, match", [
    (Bernoulli(0.3), 0.5, ag.UsageError, "support .*Boolean"),
    (Categorical(ag.ones(3)), 3, ag.UsageError, "IntegerInterval"),
    (Categorical(ag.ones(3)), 1.5, ag.UsageError, "IntegerInterval"),
    (Uniform(0.0, 1.0), 1.5, ag.UsageError, "Interval"),
    (Normal(0.0, 1.0), np.inf, ag.UsageError, "Real"),  # inf is real; NaN is not
    (Normal(ag.zeros(3), 1.0), ag.zeros(2), ag.ShapeError, "does not broadcast"),
    # a scalar value against bounds of shape (2,) was an IndexError while the message
    # picked out the invalid values
    (Uniform(ag.zeros(2), ag.ones(2)), ag.tensor(2.0), ag.UsageError, "values: \\[2. 2.\\]"),
], ids=["bernoulli", "categorical", "categorical_float", "uniform", "normal_inf", "shape",
        "uniform_batched_bounds"])
def test_values_outside_the_support_raise_a_value_error(dist, value, error, match) -> None:
    if np.isinf(np.asarray(value)).any():  # inf is real: only NaN is refused
        assert dist.log_prob(value).item() == -np.inf
        with pytest.raises(error, match=match):
            dist.log_prob(np.nan)
        return
    with pytest.raises(error, match=match) as caught:
        dist.log_prob(value)
    assert isinstance(caught.value, ValueError)


def test_validate_args_false_skips_the_checks_as_pytorch() -> None:
    assert Uniform(0.0, 1.0, validate_args=False).log_prob(1.5).item() == -np.inf
    assert Bernoulli(0.3, validate_args=False).log_prob(0.5).item() == pytest.approx(
        0.5 * np.log(0.3) + 0.5 * np.log(0.7))
    Normal(0.0, -1.0, validate_args=False)
    try:
        Distribution.set_default_validate_args(False)
        Normal(0.0, -1.0)
    finally:
        Distribution.set_default_validate_args(True)
    with pytest.raises(ag.UsageError):
        Normal(0.0, -1.0)
    with pytest.raises(ag.UsageError, match="True or False"):
        Distribution.set_default_validate_args("yes")


def test_bad_sample_shapes_and_missing_methods_are_named_errors() -> None:
    with pytest.raises(ag.UsageError, match=r"sample\(\(5,\)\)"):
        Normal(0.0, 1.0).sample(5)
    with pytest.raises(ag.UsageError, match="sizes >= 0"):
        Normal(0.0, 1.0).sample((-1,))
    with pytest.raises(ag.UnsupportedError, match="Bernoulli has no rsample") as caught:
        Bernoulli(0.5).rsample()
    assert isinstance(caught.value, NotImplementedError)
    with pytest.raises(ag.UnsupportedError, match="icdf"):
        Bernoulli(0.5).icdf(0.5)  # (Normal has one now, as PyTorch's)
    with pytest.raises(ag.ShapeError, match="at least one-dimensional"):
        Categorical(ag.tensor(1.0))
    with pytest.raises(ag.ShapeError, match="broadcast together"):
        Normal(ag.zeros(2), ag.ones(3))
    with pytest.raises(ag.ShapeError, match=r"batch_shape \(2,\) cannot expand to \(3,\)"):
        Normal(ag.zeros(2), 1.0).expand((3,))
    with pytest.raises(ag.UsageError, match=r"expand\(\(64, 2\)\)"):
        Normal(0.0, 1.0).expand(64)


def test_kl_of_an_unregistered_pair_names_the_pairs_and_register_kl_adds_one() -> None:
    # Normal-Cauchy has no formula (nor in PyTorch); Normal-Uniform is inf since PyTorch's
    with pytest.raises(ag.UnsupportedError, match="Normal-Normal, .*Uniform-Uniform") as caught:
        kl_divergence(Normal(0.0, 1.0), Cauchy(0.0, 1.0))
    assert isinstance(caught.value, NotImplementedError)

    class Wide(Normal):
        pass
    assert kl_divergence(Wide(0.0, 2.0), Normal(0.0, 2.0)).item() == 0.0  # via Normal's

    @register_kl(Normal, Cauchy)
    def _kl_normal_cauchy(p, q):
        return p.loc * 0 + np.inf
    try:
        assert kl_divergence(Normal(0.0, 1.0), Cauchy(0.0, 1.0)).item() == np.inf
    finally:
        from autograd.distributions import kl
        del kl._KL_REGISTRY[Normal, Cauchy]
    with pytest.raises(ag.UsageError, match="Distribution subclasses"):
        register_kl(int, Normal)


def test_distributions_is_an_autograd_name() -> None:
    assert "distributions" in ag.__all__ and ag.distributions.Normal is Normal
