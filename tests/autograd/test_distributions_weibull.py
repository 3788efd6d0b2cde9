"""``distributions.Weibull(scale, concentration)`` against PyTorch's: log_prob, cdf, icdf,
mean, mode (0 for k < 1, where PyTorch's is NaN: (k - 1) / k < 0 to the power 1/k),
variance, stddev, entropy and their gradients in both parameters; rsample's
reparameterised gradient (against finite differences at a fixed draw); constraints.
A Weibull time-to-event likelihood (``D.Weibull(scale, k).log_prob(t)`` for events and
``log(1 - cdf(t))`` for censored times) raised ``MissingNameError``."""

import numpy as np
import pytest

import autograd as ag

SCALE = np.array([0.5, 1.0, 2.5, 4.0])
CONCENTRATION = np.array([0.7, 1.0, 1.8, 3.5])
TIMES = np.array([0.3, 1.2, 2.0, 5.5])


PARTS = [lambda T, w: w.log_prob(T.tensor(TIMES)), lambda T, w: w.cdf(T.tensor(TIMES)),
         lambda T, w: w.icdf(T.tensor([0.1, 0.4, 0.6, 0.95])), lambda T, w: w.mean,
         lambda T, w: w.mode, lambda T, w: w.variance, lambda T, w: w.stddev,
         lambda T, w: w.entropy()]


def _everything(T, D, grad):
    results = []
    for part in PARTS:
        scale = T.tensor(SCALE, requires_grad=True)
        k = T.tensor(CONCENTRATION, requires_grad=True)
        value = part(T, D.Weibull(scale, k))
        gs, gk = grad((value * T.tensor(np.linspace(0.5, 1.5, 4))).sum(), [scale, k])
        results += [value.detach().numpy(), gs.numpy(), gk.numpy()]
    return results


def test_weibull_matches_pytorch(torch) -> None:
    got = _everything(ag, ag.distributions, ag.grad)
    want = _everything(torch, torch.distributions, torch.autograd.grad)
    for i, (a, b) in enumerate(zip(got, want)):
        if i // 3 == 4:  # the mode: 0 here for k < 1 (the density's peak), NaN in PyTorch's
            assert np.isnan(b[0]) and a[0] == 0
            a, b = a[1:], b[1:]
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13, err_msg=f"part {i // 3}")


def test_rsample_is_reparameterised() -> None:
    scale = ag.tensor(SCALE, requires_grad=True)
    k = ag.tensor(CONCENTRATION, requires_grad=True)

    def draw(scale, k):
        ag.manual_seed(3)
        return ag.distributions.Weibull(scale, k).rsample((5,))

    assert draw(scale, k).shape == (5, 4) and (draw(scale, k).data > 0).all()
    assert ag.gradcheck(draw, [scale, k])


def test_censored_weibull_likelihood_as_readers_write_it(torch) -> None:
    events = np.array([1.0, 0.0, 1.0, 0.0])
    results = []
    for T in (ag, torch):
        log_scale = T.tensor(np.log(SCALE), requires_grad=True)
        weibull = T.distributions.Weibull(log_scale.exp(), T.tensor(CONCENTRATION))
        t, e = T.tensor(TIMES), T.tensor(events)
        loglik = e * weibull.log_prob(t) + (1 - e) * T.log(1 - weibull.cdf(t))
        (-loglik.sum()).backward()
        results.append([loglik.detach().numpy(), log_scale.grad.numpy()])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_parameters_are_checked() -> None:
    with pytest.raises(ValueError, match="concentration"):
        ag.distributions.Weibull(ag.tensor(1.0), ag.tensor(-1.0), validate_args=True)
