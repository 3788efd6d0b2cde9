"""``Poisson`` and ``NegativeBinomial`` (DeepAR's count likelihood) against
``torch.distributions``: log_prob and its gradients in the parameters, mean, mode,
variance, the probs/logits conversions, draws' moments and the named errors."""

import numpy as np
import pytest

import autograd as ag
from autograd.distributions import NegativeBinomial, Poisson

COUNTS = np.array([[0.0, 1.0, 3.0], [7.0, 0.0, 12.0]])


def _nb_stats(T, D, parameter: str) -> list:
    """log_prob, mean, mode, variance, probs, logits, and the gradients of the summed
    log_prob in total_count and the parameter."""
    r = T.tensor([[0.5, 2.0, 3.5], [1.0, 0.7, 10.0]], requires_grad=True)
    p = T.tensor([[0.2, 0.6, 0.9], [0.05, 0.3, 0.5]], requires_grad=True)
    param = p if parameter == "probs" else (p * 4 - 2)
    d = D.NegativeBinomial(total_count=r, **{parameter: param})
    lp = d.log_prob(T.tensor(COUNTS))
    lp.sum().backward()
    out = [lp, d.mean, d.mode, d.variance, d.probs, d.logits, r.grad, p.grad]
    return [o.detach().numpy().copy() for o in out]


@pytest.mark.parametrize("parameter", ["probs", "logits"])
def test_negative_binomial_matches_pytorch(torch, parameter) -> None:
    got = _nb_stats(ag, ag.distributions, parameter)
    want = _nb_stats(torch, torch.distributions, parameter)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


def test_zero_total_count_puts_all_mass_at_zero(torch) -> None:
    """r = 0: P(0) = 1 (the lgamma terms masked, as PyTorch's); our gradient in r there is
    finite where PyTorch's is NaN (the masked lgamma(0)'s digamma), so only values are
    compared."""
    got = NegativeBinomial(ag.tensor([0.0, 0.0]), logits=ag.tensor([0.3, 0.3]))
    want = torch.distributions.NegativeBinomial(torch.tensor([0.0, 0.0]), logits=0.3)
    counts = [0.0, 2.0]
    np.testing.assert_allclose(got.log_prob(ag.tensor(counts)).numpy(),
                               want.log_prob(torch.tensor(counts)).numpy(), rtol=1e-12)


def test_poisson_matches_pytorch(torch) -> None:
    results = []
    for T, D in [(ag, ag.distributions), (torch, torch.distributions)]:
        rate = T.tensor([[0.5, 2.0, 3.5], [1.0, 0.4, 10.0]], requires_grad=True)
        d = D.Poisson(rate, validate_args=False)
        lp = d.log_prob(T.tensor(COUNTS))
        lp.sum().backward()
        results.append([x.detach().numpy().copy() for x in (lp, d.mean, d.mode, d.variance,
                                                             rate.grad)])
    for g, w in zip(*results):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


def test_draws_have_the_distributions_moments() -> None:
    ag.manual_seed(0)
    d = NegativeBinomial(ag.tensor([2.0, 0.0]), logits=ag.tensor([0.5, 0.3]))
    x = d.sample((40000,))
    assert x.shape == (40000, 2) and not x.requires_grad
    assert (x.numpy() % 1 == 0).all() and (x.numpy()[:, 1] == 0).all()
    mean, var = d.mean.numpy()[0], d.variance.numpy()[0]
    assert abs(x.numpy()[:, 0].mean() - mean) < 4 * np.sqrt(var / 40000)
    assert abs(x.numpy()[:, 0].var() / var - 1) < 0.05
    y = Poisson(ag.tensor([3.0])).sample((2,))
    assert y.shape == (2, 1)


def test_named_errors() -> None:
    with pytest.raises(ag.UsageError, match="either probs or logits"):
        NegativeBinomial(2.0)
    with pytest.raises(ag.UsageError):
        NegativeBinomial(2.0, probs=1.0, validate_args=True)
    with pytest.raises(ag.UsageError):
        NegativeBinomial(-1.0, logits=0.0, validate_args=True)
    with pytest.raises(ag.UsageError):
        NegativeBinomial(2.0, logits=0.0, validate_args=True).log_prob(ag.tensor(1.5))
