"""``OneHotCategorical`` (and ``...StraightThrough``), ``RelaxedOneHotCategorical`` and
``RelaxedBernoulli`` against PyTorch's: log_prob, entropy, mean, variance and their
gradients; the relaxed draws given the same uniforms (PyTorch's ``torch.rand`` fed ours),
with their gradients in the logits and the temperature."""

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(0)
LOGITS = RNG.normal(size=(3, 4))
ONE_HOT = np.eye(4)[[0, 2, 3]]
ON_SIMPLEX = RNG.dirichlet(np.ones(4), 3)
IN_01 = RNG.uniform(0.05, 0.95, (3, 4))


def _one_hot(T, D, logits):
    d = D.OneHotCategorical(logits=logits)
    return [d.log_prob(T.tensor(ONE_HOT)), d.entropy(), d.mean, d.variance]


def _relaxed(T, D, logits, temperature):
    d = D.RelaxedOneHotCategorical(temperature, logits=logits)
    return [d.log_prob(T.tensor(ON_SIMPLEX))]


def _relaxed_bernoulli(T, D, logits, temperature):
    d = D.RelaxedBernoulli(temperature, logits=logits)
    return [d.log_prob(T.tensor(IN_01))]


@pytest.mark.parametrize("make", [_one_hot, _relaxed, _relaxed_bernoulli])
def test_densities_and_gradients_match_pytorch(torch, make) -> None:
    results = []
    for T, D in [(ag, ag.distributions), (torch, torch.distributions)]:
        logits = T.tensor(LOGITS, requires_grad=True)
        temperature = T.tensor(0.7, requires_grad=True)
        args = (logits,) if make is _one_hot else (logits, temperature)
        outs = make(T, D, *args)
        sum((o * (1 + T.arange(o.numel()).reshape(o.shape) % 3)).sum() for o in outs).backward()
        grads = [logits.grad.numpy()] + ([] if make is _one_hot
                                         else [temperature.grad.numpy()])
        results.append([o.detach().numpy() for o in outs] + grads)
    for a, b in zip(*results, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize("name", ["RelaxedOneHotCategorical", "RelaxedBernoulli"])
def test_relaxed_draws_match_pytorch_given_the_same_uniforms(torch, monkeypatch, name):
    u = np.random.default_rng(3).random((2, 3, 4))
    monkeypatch.setattr(torch, "rand", lambda *shape, **kw: torch.tensor(u))
    results = []
    for T, D in [(ag, ag.distributions), (torch, torch.distributions)]:
        logits = T.tensor(LOGITS, requires_grad=True)
        temperature = T.tensor(0.7, requires_grad=True)
        d = getattr(D, name)(temperature, logits=logits)
        kwargs = {"generator": np.random.default_rng(3)} if T is ag else {}
        y = d.rsample((2,), **kwargs)
        (y * T.tensor(np.linspace(-1, 1, 24).reshape(2, 3, 4))).sum().backward()
        results.append([y.detach().numpy(), logits.grad.numpy(), temperature.grad.numpy()])
    for a, b in zip(*results, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)


def test_one_hot_draws_and_straight_through(torch) -> None:
    D = ag.distributions
    d = D.OneHotCategorical(logits=ag.tensor(LOGITS))
    draws = d.sample((500,), generator=np.random.default_rng(0)).numpy()
    assert draws.shape == (500, 3, 4) and (draws.sum(-1) == 1).all()
    np.testing.assert_allclose(draws.mean(0), d.probs.numpy(), atol=0.08)
    assert D.constraints.one_hot.check(ag.tensor(ONE_HOT)).numpy().all()
    logits = ag.tensor(LOGITS, requires_grad=True)
    st = D.OneHotCategoricalStraightThrough(logits=logits)
    z = st.rsample(generator=np.random.default_rng(1))
    assert set(np.unique(z.detach().numpy())) == {0.0, 1.0}
    (z * ag.tensor(np.arange(4.0))).sum().backward()
    p = ag.tensor(LOGITS, requires_grad=True)
    (ag.distributions.Categorical(logits=p).probs * ag.tensor(np.arange(4.0))).sum().backward()
    np.testing.assert_allclose(logits.grad.numpy(), p.grad.numpy())  # probs' gradient
    assert st.has_rsample == torch.distributions.OneHotCategoricalStraightThrough.has_rsample


def test_every_pytorch_distribution_is_here_or_named_missing(torch) -> None:
    """``D.StudentT`` was a bare AttributeError; PyTorch's distributions not here now raise
    ``MissingNameError`` saying what to write, and the sweep keeps the list complete."""
    TD = torch.distributions
    names = [n for n in TD.__all__ if isinstance(getattr(TD, n), type)
             and issubclass(getattr(TD, n), TD.Distribution) and n != "Distribution"]
    missing = []
    for name in names:
        try:
            assert issubclass(getattr(ag.distributions, name), ag.distributions.Distribution)
        except ag.MissingNameError as error:
            assert "Distribution subclass" in str(error) and "Normal" in str(error)
            missing.append(name)
    assert missing == []  # the last ones came with LowRankMultivariateNormal, Wishart...


def test_a_pytorch_distribution_not_here_is_a_named_error(monkeypatch) -> None:
    monkeypatch.setattr(ag.distributions, "_NOT_HERE", frozenset({"Imaginary"}))
    with pytest.raises(ag.MissingNameError, match="Distribution subclass.*Normal"):
        ag.distributions.Imaginary  # noqa: B018
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        ag.distributions.Nope  # noqa: B018


@pytest.mark.parametrize("make, shape", [
    (lambda T, D: D.Beta(T.tensor([1.5, 2.0]), T.tensor(3.0)), (4, 2)),
    (lambda T, D: D.OneHotCategorical(logits=T.tensor(LOGITS[0])), (4,)),
    (lambda T, D: D.RelaxedOneHotCategorical(T.tensor(0.5), logits=T.tensor(LOGITS[0])), (4,)),
    (lambda T, D: D.RelaxedBernoulli(T.tensor(0.5), logits=T.tensor(LOGITS[0, :2])), (4, 2))])
def test_expand_broadcasts_the_wrapped_parameters(torch, make, shape) -> None:
    """``Beta(...).expand((4, 2)).sample()`` had the unexpanded shape (the inner Dirichlet
    kept its batch), and ``RelaxedOneHotCategorical.expand`` broadcast the temperature
    as a parameter, so its draws failed; PyTorch's expand the inner distribution."""
    ours, theirs = make(ag, ag.distributions).expand(shape), make(torch, torch.distributions
                                                                 ).expand(shape)
    assert type(ours).__name__ == type(theirs).__name__
    assert ours.batch_shape == tuple(theirs.batch_shape)
    draws = theirs.sample((5,))
    assert ours.sample((5,)).shape == tuple(draws.shape)
    np.testing.assert_allclose(ours.log_prob(ag.tensor(draws.numpy())).numpy(),
                               theirs.log_prob(draws).numpy(), rtol=1e-11)


def test_one_hot_categorical_kl_matches_pytorch(torch) -> None:
    values = [lib.distributions.kl_divergence(
        lib.distributions.OneHotCategorical(logits=lib.tensor(LOGITS)),
        lib.distributions.OneHotCategorical(logits=lib.tensor(LOGITS[::-1].copy()))).numpy()
        for lib in (ag, torch)]
    np.testing.assert_allclose(*values, rtol=1e-12)
