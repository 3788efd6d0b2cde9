"""``VonMises`` against ``torch.distributions.VonMises``: log_prob with its gradients in
loc, concentration and the value (small and large kappa), the circular mean, mode and
variance, shapes under broadcasting and ``expand``, ``validate_args``, the module path, and
the draws (angles in [-pi, pi) whose circular mean and variance are the distribution's)."""

import math

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(4)
LOC = RNG.uniform(-3.0, 3.0, (3, 1))
KAPPA = np.array([[0.05, 1.5, 20.0, 400.0]])
VALUE = RNG.uniform(-7.0, 7.0, (3, 4))


def _stats(T, D):
    loc = T.tensor(LOC, requires_grad=True)
    kappa = T.tensor(KAPPA, requires_grad=True)
    x = T.tensor(VALUE, requires_grad=True)
    d = D.VonMises(loc, kappa)
    outs = [d.log_prob(x), d.variance, d.mean, d.mode]
    w = T.tensor(np.linspace(0.5, 1.5, 12).reshape(3, 4))
    sum((o * w[:o.shape[0], :o.shape[1]]).sum() for o in outs).backward()
    return ([o.detach().numpy() for o in outs] + [loc.grad.numpy(), kappa.grad.numpy(),
                                                   x.grad.numpy(), tuple(d.batch_shape)])


def test_statistics_match_pytorch_and_gradients_finite_differences(torch):
    """PyTorch computes log I0 and log I1 by Abramowitz and Stegun's polynomials (relative
    error about 1e-7); ours by ``special.i0e``/``i1e`` (as PyTorch's own ``torch.special``,
    about 1e-15). So values are compared at 1e-6 with PyTorch and gradients with finite
    differences."""
    for i, (got, want) in enumerate(zip(_stats(ag, ag.distributions),
                                        _stats(torch, torch.distributions))):
        if isinstance(got, tuple):
            assert got == want
        elif i != 1 and i < 4:  # log_prob, mean, mode (gradients: below)
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-9, err_msg=f"{i}")
    i0e, i1e = (f(torch.tensor(KAPPA)).numpy() for f in (torch.special.i0e, torch.special.i1e))
    variance = ag.distributions.VonMises(ag.tensor(LOC), ag.tensor(KAPPA)).variance
    np.testing.assert_allclose(variance.numpy(), np.broadcast_to(1 - i1e / i0e, (3, 4)),
                               rtol=1e-13)  # PyTorch's
    # VonMises.variance differs by 4e-4 at kappa = 400 (a difference of approximate logs)
    log_i0 = np.log(i0e) + KAPPA
    want = KAPPA * np.cos(VALUE - LOC) - math.log(2 * math.pi) - log_i0
    got = ag.distributions.VonMises(ag.tensor(LOC), ag.tensor(KAPPA)).log_prob(ag.tensor(VALUE))
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-13)

    def objective(loc, kappa, x):
        d = ag.distributions.VonMises(loc, kappa)
        return d.log_prob(x).sum() + d.variance.sum()
    assert ag.gradcheck(objective, [ag.tensor(LOC, requires_grad=True),
                                    ag.tensor(KAPPA, requires_grad=True),
                                    ag.tensor(VALUE, requires_grad=True)])


def test_expand_validate_args_and_path(torch):
    d = ag.distributions.VonMises(ag.tensor(LOC), ag.tensor(KAPPA)).expand((2, 3, 4))
    assert d.batch_shape == (2, 3, 4) and d.sample((5,)).shape == (5, 2, 3, 4)
    assert not d.has_rsample and not d.sample().requires_grad
    with pytest.raises(ValueError):
        torch.distributions.VonMises(torch.tensor(0.0), torch.tensor(-1.0))
    with pytest.raises(ag.UsageError, match="concentration"):
        ag.distributions.VonMises(ag.tensor(0.0), ag.tensor(-1.0))
    from autograd.distributions.von_mises import VonMises
    assert VonMises is ag.distributions.VonMises


@pytest.mark.parametrize("kappa", [1e-6, 0.3, 4.0, 300.0])
def test_draws_have_the_circular_mean_and_variance(kappa):
    d = ag.distributions.VonMises(ag.tensor(2.5), ag.tensor(kappa))
    draws = d.sample((40000,), generator=np.random.default_rng(1)).numpy()
    assert draws.min() >= -math.pi and draws.max() < math.pi
    resultant = np.exp(1j * draws).mean()
    np.testing.assert_allclose(1 - abs(resultant), d.variance.item(), atol=0.01)
    if kappa > 0.1:  # (a uniform angle has no mean direction to compare)
        assert abs(np.angle(resultant * np.exp(-2.5j))) < 0.05
