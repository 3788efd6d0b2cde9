"""``Poisson``, ``NegativeBinomial`` (DeepAR's count likelihood) and ``StudentT`` against
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


def _student_t_stats(T, D) -> list:
    df = T.tensor([[0.8, 1.5, 3.0], [5.0, 2.5, 30.0]], requires_grad=True)
    loc = T.tensor([[0.0, 1.0, -2.0], [0.5, 0.0, 3.0]], requires_grad=True)
    scale = T.tensor([[1.0, 0.5, 2.0], [1.5, 0.3, 1.0]], requires_grad=True)
    d = D.StudentT(df, loc, scale)
    lp = d.log_prob(T.tensor(COUNTS) - 2)
    (lp.sum() + d.entropy().sum()).backward()
    out = [lp, d.entropy(), d.mean, d.mode, d.variance, df.grad, loc.grad, scale.grad]
    return [o.detach().numpy().copy() for o in out]


def test_student_t_matches_pytorch(torch) -> None:
    """GluonTS/DeepAR's StudentT output: log_prob, entropy, moments (NaN and inf where
    PyTorch has them) and gradients. The df gradient goes through the entropy's digamma,
    whose derivative (trigamma) PyTorch computes to about 1e-9 (ours agrees with SciPy's
    polygamma(1, .) to 1e-16), hence its looser tolerance."""
    got = _student_t_stats(ag, ag.distributions)
    want = _student_t_stats(torch, torch.distributions)
    for i, (g, w) in enumerate(zip(got, want)):
        np.testing.assert_allclose(g, w, rtol=1e-8 if i == 5 else 1e-10, atol=1e-12)


def test_student_t_draws_are_reparameterised() -> None:
    ag.manual_seed(0)
    df = ag.tensor([6.0], requires_grad=True)
    scale = ag.tensor([2.0], requires_grad=True)
    d = ag.distributions.StudentT(df, 1.0, scale)
    x = d.rsample((20000,))
    assert x.shape == (20000, 1)
    assert abs(x.data.mean() - 1.0) < 4 * np.sqrt(d.variance.data[0] / 20000)
    assert abs(x.data.var() / d.variance.data[0] - 1) < 0.1
    x.mean().backward()
    assert np.isfinite(df.grad.numpy()).all() and scale.grad is not None
    assert not d.sample().requires_grad
