"""``Geometric`` and ``Binomial`` against ``torch.distributions``'s: log_prob and its
gradients in ``probs`` or ``logits``, entropy, mean, mode, variance, the probs/logits
conversions, enumerate_support, shapes under ``expand``, ``validate_args`` errors, and
the draws' moments (NumPy and PyTorch draw differently, so only statistically)."""

import math

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(2)
PROBS = RNG.uniform(0.05, 0.95, (2, 3))
COUNTS = np.array([[0.0, 1.0, 4.0], [7.0, 0.0, 2.0]])


def _geometric_stats(T, D, parameter: str) -> list:
    p = T.tensor(PROBS, requires_grad=True)
    d = D.Geometric(**{parameter: p if parameter == "probs" else 4 * p - 2})
    lp, h = d.log_prob(T.tensor(COUNTS)), d.entropy()
    (lp.sum() + (h * T.tensor(COUNTS + 1)).sum()).backward()
    outs = [lp, h, d.mean, d.mode, d.variance, d.probs, d.logits, p.grad]
    return [o.detach().numpy().copy() for o in outs]


@pytest.mark.parametrize("parameter", ["probs", "logits"])
def test_geometric_matches_pytorch(torch, parameter) -> None:
    got = _geometric_stats(ag, ag.distributions, parameter)
    want = _geometric_stats(torch, torch.distributions, parameter)
    for i, (g, w) in enumerate(zip(got, want)):
        np.testing.assert_allclose(g, w, rtol=1e-11, atol=1e-13, err_msg=f"output {i}")


def test_geometric_certain_success_puts_all_mass_at_zero(torch) -> None:
    """p = 1: P(0) = 1 (0 log 0 = 0, as PyTorch's), P(k > 0) = 0."""
    values = [lib.distributions.Geometric(lib.tensor([1.0, 1.0, 0.5])).log_prob(
        lib.tensor([0.0, 2.0, 1.0])).numpy() for lib in (ag, torch)]
    np.testing.assert_array_equal(*values)


def _binomial_stats(T, D, parameter: str, total_count) -> list:
    p = T.tensor(PROBS, requires_grad=True)
    n = T.tensor(total_count) if isinstance(total_count, np.ndarray) else total_count
    d = D.Binomial(n, **{parameter: p if parameter == "probs" else 6 * p - 3})
    lp = d.log_prob(T.tensor(COUNTS))
    outs = [lp, d.mean, d.mode, d.variance, d.probs, d.logits]
    total = (lp * T.tensor(COUNTS + 1)).sum()
    if not isinstance(total_count, np.ndarray):
        outs += [d.entropy(), d.enumerate_support(), d.enumerate_support(False)]
        total = total + d.entropy().sum()
    total.backward()
    return [o.detach().numpy().copy() for o in outs + [p.grad]]


@pytest.mark.parametrize("parameter", ["probs", "logits"])
@pytest.mark.parametrize("total_count", [7, np.array([[8.0], [10.0]])])
def test_binomial_matches_pytorch(torch, parameter, total_count) -> None:
    got = _binomial_stats(ag, ag.distributions, parameter, total_count)
    want = _binomial_stats(torch, torch.distributions, parameter, total_count)
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want)):
        np.testing.assert_allclose(g, w, rtol=1e-11, atol=1e-13, err_msg=f"output {i}")


def test_binomial_log_prob_is_stable_for_extreme_logits(torch) -> None:
    """logits of +-40 (p within 1e-17 of 0 or 1): from the logits, no log(0); log P = 0
    agrees to a rounding of lgamma(6) (atol)."""
    values = []
    for lib in (ag, torch):
        logits = lib.tensor([-40.0, 40.0, 40.0], requires_grad=True)
        lp = lib.distributions.Binomial(5, logits=logits).log_prob(lib.tensor([0.0, 5.0, 3.0]))
        lp.sum().backward()
        values.append([lp.detach().numpy(), logits.grad.numpy()])
    for g, w in zip(*values):
        assert np.isfinite(g).all()
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", ["Geometric", "Binomial"])
def test_expand_and_sample_shapes_match_pytorch(torch, name) -> None:
    def make(lib):
        p = lib.tensor(PROBS[:1])
        return (lib.distributions.Geometric(p) if name == "Geometric"
                else lib.distributions.Binomial(lib.tensor([[3.0], [3.0]]), p))
    ours, theirs = make(ag).expand((4, 2, 3)), make(torch).expand((4, 2, 3))
    assert ours.batch_shape == tuple(theirs.batch_shape) == (4, 2, 3)
    assert ours.sample((5,)).shape == tuple(theirs.sample((5,)).shape) == (5, 4, 2, 3)
    x = theirs.sample((5,))
    np.testing.assert_allclose(ours.log_prob(ag.tensor(x.numpy())).numpy(),
                               theirs.log_prob(x).numpy(), rtol=1e-12)
    assert ours.sample().dtype == np.float64 and not ours.sample().requires_grad


@pytest.mark.parametrize("make, value", [
    (lambda D, T: D.Geometric(T.tensor([0.0, 0.5])), None),   # a success must be possible
    (lambda D, T: D.Geometric(T.tensor([1.5])), None),
    (lambda D, T: D.Geometric(0.5), 1.5),                     # not a count
    (lambda D, T: D.Geometric(0.5), -1.0),
    (lambda D, T: D.Binomial(2.5, T.tensor([0.5])), None),   # total_count not whole
    (lambda D, T: D.Binomial(3, T.tensor([1.2])), None),
    (lambda D, T: D.Binomial(3, T.tensor([0.5])), 4.0),      # above total_count
    (lambda D, T: D.Geometric(), None),                       # neither probs nor logits
    (lambda D, T: D.Binomial(3, probs=T.tensor(0.5), logits=T.tensor(0.0)), None)])
def test_validate_args_errors_as_pytorch(torch, make, value) -> None:
    for lib, error in [(torch, ValueError), (ag, ag.UsageError)]:
        with pytest.raises(error):
            d = make(lib.distributions, lib)
            d.log_prob(lib.tensor(value))


def test_binomial_entropy_refuses_mixed_total_counts(torch) -> None:
    with pytest.raises(NotImplementedError):
        torch.distributions.Binomial(torch.tensor([2.0, 3.0]), torch.tensor(0.5)).entropy()
    with pytest.raises(ag.UnsupportedError, match="inhomogeneous total count"):
        ag.distributions.Binomial(ag.tensor([2.0, 3.0]), ag.tensor(0.5)).entropy()


@pytest.mark.parametrize("make", [
    lambda D: D.Geometric(ag.tensor([0.3, 0.8])),
    lambda D: D.Geometric(logits=ag.tensor([-1.0, 2.0])),
    lambda D: D.Binomial(ag.tensor([12.0, 3.0]), ag.tensor([0.3, 0.8])),
    lambda D: D.Binomial(12, logits=ag.tensor([-1.0, 2.0]))])
def test_draws_have_the_distributions_moments(make) -> None:
    """Whole numbers in the support; mean within 4 standard errors; the sample variance
    within 4 of its standard errors (its variance bounded by mu4 / n, mu4 from the
    draws themselves)."""
    n = 100_000
    d = make(ag.distributions)
    x = d.sample((n,), generator=np.random.default_rng(7)).numpy()
    assert x.shape == (n, 2) and (x % 1 == 0).all() and (x >= 0).all()
    mean, var = d.mean.numpy(), d.variance.numpy()
    assert (np.abs(x.mean(0) - mean) < 4 * np.sqrt(var / n)).all()
    mu4 = ((x - mean) ** 4).mean(0)
    assert (np.abs(x.var(0) - var) < 4 * np.sqrt(mu4 / n)).all()
    if isinstance(d, ag.distributions.Binomial):
        assert (x <= d.total_count.numpy()).all()


def test_geometric_counts_failures_not_trials() -> None:
    """P(0) = p: a draw of 0 is a success at the first trial (``geometric_`` counts
    trials and starts at 1)."""
    x = ag.distributions.Geometric(0.25).sample((100_000,), generator=np.random.default_rng(3))
    share = (x.numpy() == 0).mean()
    assert abs(share - 0.25) < 4 * math.sqrt(0.25 * 0.75 / 100_000)
