"""``Cauchy``, ``HalfCauchy``, ``Pareto``, ``Weibull`` and ``Chi2`` against
``torch.distributions``'s: log_prob, cdf, icdf, entropy and the moments with their
gradients in the parameters and the value, shapes under broadcasting and ``expand``,
``validate_args`` errors, the module paths, and the draws (their moments or quantiles,
and the reparameterised gradient checked against finite differences)."""

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(11)
A = RNG.uniform(0.5, 2.0, (3, 1))
B = RNG.uniform(2.5, 4.0, (1, 4))
VALUE = RNG.uniform(4.5, 6.0, (3, 4))  # above every Pareto scale (A)
P = RNG.uniform(0.05, 0.95, (3, 4))


def _make(D, name, a, b):
    return {"Cauchy": lambda: D.Cauchy(a, b), "HalfCauchy": lambda: D.HalfCauchy(b),
            "Pareto": lambda: D.Pareto(a, b), "Weibull": lambda: D.Weibull(a, b),
            "Chi2": lambda: D.Chi2(b)}[name]()


NAMES = ["Cauchy", "HalfCauchy", "Pareto", "Weibull", "Chi2"]


def _stats(T, D, name):
    a, b = T.tensor(A, requires_grad=True), T.tensor(B, requires_grad=True)
    x = T.tensor(VALUE, requires_grad=True)
    d = _make(D, name, a, b)
    outs = [d.log_prob(x), d.cdf(x), d.entropy(), d.mean, d.mode, d.variance]
    if name != "Chi2":  # PyTorch's Gamma has no icdf
        outs.append(d.icdf(T.tensor(P)))
    finite = [o for i, o in enumerate(outs) if np.isfinite(o.detach().numpy()).all()
              and not (name == "Chi2" and i == 1)]  # gammainc has no derivative in a
    w = T.tensor(np.linspace(0.5, 1.5, 12).reshape(3, 4))
    sum((o * w[:o.shape[0], :o.shape[1]]).sum() for o in finite).backward()
    grads = [g for g in (a.grad, b.grad, x.grad) if g is not None]
    return ([o.detach().numpy() for o in outs] + [g.numpy() for g in grads]
            + [tuple(d.batch_shape), tuple(d.event_shape)])


@pytest.mark.parametrize("name", NAMES)
def test_statistics_and_gradients_match_pytorch(torch, name):
    for i, (got, want) in enumerate(zip(_stats(ag, ag.distributions, name),
                                        _stats(torch, torch.distributions, name))):
        if isinstance(got, tuple):
            assert got == want
        else:
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-13,  # digamma's series
                                       err_msg=f"{i}")


@pytest.mark.parametrize("name", NAMES)
def test_expand_and_sample_shapes_match_pytorch(torch, name):
    ours = _make(ag.distributions, name, ag.tensor(A), ag.tensor(B)).expand((2, 3, 4))
    theirs = _make(torch.distributions, name, torch.tensor(A), torch.tensor(B)
                   ).expand((2, 3, 4))
    assert ours.batch_shape == tuple(theirs.batch_shape) == (2, 3, 4)
    assert ours.rsample((5,)).shape == tuple(theirs.rsample((5,)).shape) == (5, 2, 3, 4)
    assert ours.sample().shape == (2, 3, 4) and not ours.sample().requires_grad
    x = theirs.sample((5,))
    np.testing.assert_allclose(ours.log_prob(ag.tensor(x.numpy())).numpy(),
                               theirs.log_prob(x).numpy(), rtol=1e-10)


@pytest.mark.parametrize("name", NAMES)
def test_validate_args_refuses_a_nonpositive_parameter(torch, name):
    with pytest.raises(ValueError):
        _make(torch.distributions, name, torch.tensor(1.0), torch.tensor(-1.0))
    with pytest.raises(ag.UsageError):
        _make(ag.distributions, name, ag.tensor(1.0), ag.tensor(-1.0))


def test_support_checks_as_pytorch(torch):
    for name, bad in (("HalfCauchy", -0.5), ("Pareto", 0.5), ("Weibull", -1.0)):
        with pytest.raises(ValueError):
            _make(torch.distributions, name, torch.tensor(1.0), torch.tensor(3.0)).log_prob(
                torch.tensor(bad))
        with pytest.raises(ag.UsageError, match="support"):
            _make(ag.distributions, name, ag.tensor(1.0), ag.tensor(3.0)).log_prob(
                ag.tensor(bad))
    lenient = ag.distributions.HalfCauchy(1.0, validate_args=False)
    assert lenient.log_prob(ag.tensor(-0.5)).item() == -np.inf


def test_draws_follow_the_distributions():
    gen = np.random.default_rng(0)
    D = ag.distributions
    quartiles = np.quantile(D.Cauchy(1.0, 2.0).sample((40000,), generator=gen).numpy(),
                            [0.25, 0.75])
    np.testing.assert_allclose(quartiles, [-1.0, 3.0], atol=0.08)
    for d in (D.Pareto(1.5, 4.0), D.Weibull(2.0, 1.5), D.Chi2(3.0)):
        draws = d.sample((40000,), generator=gen).numpy()
        np.testing.assert_allclose(draws.mean(), d.mean.item(), rtol=0.03)
    half = D.HalfCauchy(2.0).sample((40000,), generator=gen).numpy()
    np.testing.assert_allclose(np.median(half), 2.0, rtol=0.05)  # icdf(1/2) = scale


@pytest.mark.parametrize("name", ["Cauchy", "HalfCauchy", "Pareto", "Weibull"])
def test_reparameterised_draws_have_finite_difference_gradients(name):
    def draw(a, b):
        gen = np.random.default_rng(5)  # the same noise at every evaluation
        return _make(ag.distributions, name, a, b).rsample((3,), generator=gen)
    assert ag.gradcheck(draw, [ag.tensor(A, requires_grad=True),
                               ag.tensor(B, requires_grad=True)])


def test_module_paths_are_pytorchs():
    from autograd.distributions.cauchy import Cauchy
    from autograd.distributions.chi2 import Chi2
    from autograd.distributions.half_cauchy import HalfCauchy
    from autograd.distributions.pareto import Pareto
    from autograd.distributions.weibull import Weibull
    assert Chi2(2.0).df.item() == 2.0
    assert all(issubclass(c, ag.distributions.Distribution)
               for c in (Cauchy, HalfCauchy, Pareto, Weibull))
