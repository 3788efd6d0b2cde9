"""``FisherSnedecor(df1, df2)`` (the F distribution) and ``LogisticNormal(loc, scale)``
(the stick-breaking image of a Normal, a law on the simplex): both were
``MissingNameError``. Values and gradients against PyTorch's, computed in the test; draws'
shapes, supports and their reparameterised gradients against Monte Carlo and finite
differences."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from test_distributions_torch import check

RNG = np.random.default_rng(7)
F_PARAMS = dict(d1=RNG.uniform(0.5, 9.0, (3, 1)), d2=RNG.uniform(0.5, 9.0, 4))
F_VALUES = RNG.uniform(0.05, 4.0, (2, 3, 4))
LN_PARAMS = dict(loc=RNG.standard_normal((2, 3)), scale=RNG.uniform(0.5, 1.5, 3))
LN_VALUES = RNG.dirichlet(np.ones(4), (5, 2))

F_CASES = {
    "log_prob": lambda T, D, d1, d2: D.FisherSnedecor(d1, d2).log_prob(T.tensor(F_VALUES)),
    "mean": lambda T, D, d1, d2: D.FisherSnedecor(d1, d2).mean,  # NaN for d2 <= 2
    "mode": lambda T, D, d1, d2: D.FisherSnedecor(d1, d2).mode,  # NaN for d1 <= 2
    # d2 > 4: where the variance is NaN, PyTorch's gradient to d1 is NaN everywhere
    "variance": lambda T, D, d1, d2: D.FisherSnedecor(d1, d2 + 4).variance,
    "numbers": lambda T, D, d1, d2: D.FisherSnedecor(3.0, d2).log_prob(T.tensor(F_VALUES)),
    "expand": lambda T, D, d1, d2: D.FisherSnedecor(d1, d2).expand((2, 3, 4)).log_prob(
        T.tensor(F_VALUES)),
}
LN_CASES = {
    "log_prob": lambda T, D, loc, scale: D.LogisticNormal(loc, scale).log_prob(
        T.tensor(LN_VALUES)),
    "expand": lambda T, D, loc, scale: D.LogisticNormal(loc, scale).expand((5, 2)).log_prob(
        T.tensor(LN_VALUES)),
    "numbers": lambda T, D, loc, scale: D.LogisticNormal(0.3, 1.2).log_prob(
        T.tensor(LN_VALUES[..., :2] / LN_VALUES[..., :2].sum(-1, keepdims=True))),
    "kl": lambda T, D, loc, scale: D.kl_divergence(D.LogisticNormal(loc, scale),
                                                   D.LogisticNormal(-loc, scale * 2)),
}


@pytest.mark.parametrize("case", sorted(F_CASES))
def test_fisher_snedecor_matches_pytorch(torch, case: str) -> None:
    check(torch, F_CASES[case], F_PARAMS)


@pytest.mark.parametrize("case", sorted(LN_CASES))
def test_logistic_normal_matches_pytorch(torch, case: str) -> None:
    check(torch, LN_CASES[case], LN_PARAMS)


def test_shapes_and_supports_as_pytorch(torch) -> None:
    for lib in (ag, torch):
        D = lib.distributions
        f = D.FisherSnedecor(lib.tensor(F_PARAMS["d1"]), 3.0)
        assert tuple(f.batch_shape) == (3, 1) and tuple(f.event_shape) == ()
        assert tuple(f.sample((5,)).shape) == (5, 3, 1) and f.has_rsample
        assert D.FisherSnedecor.support is D.constraints.positive
        ln = D.LogisticNormal(0.0, 1.0)
        assert tuple(ln.batch_shape) == () and tuple(ln.event_shape) == (2,)
        assert tuple(ln.rsample((4,)).shape) == (4, 2) and ln.has_rsample
        assert D.LogisticNormal.support is D.constraints.simplex
        variance = D.FisherSnedecor(3.0, lib.tensor([3.0, 5.0])).variance.numpy()
        np.testing.assert_allclose(variance, [np.nan, 2 * 25 * 6 / (3 * 9)], rtol=1e-12)
    draws = ag.distributions.LogisticNormal(ag.tensor(LN_PARAMS["loc"]), 1.0).sample((6,))
    assert draws.shape == (6, 2, 4)
    assert ag.distributions.constraints.simplex.check(draws).numpy().all()
    assert (ag.distributions.FisherSnedecor(2.0, 3.0).sample((50,)).numpy() > 0).all()


def test_logistic_normal_rsample_is_stick_breaking_of_a_normal_draw(torch) -> None:
    """x = stick_breaking(loc + scale eps), eps the generator's standard normal draws; the
    gradient to loc and scale by finite differences."""
    loc = ag.tensor(LN_PARAMS["loc"], requires_grad=True)
    scale = ag.tensor(LN_PARAMS["scale"], requires_grad=True)
    x = ag.distributions.LogisticNormal(loc, scale).rsample((5,),
                                                          generator=np.random.default_rng(4))
    eps = np.random.default_rng(4).standard_normal((5, 2, 3))
    y = torch.tensor(LN_PARAMS["loc"] + LN_PARAMS["scale"] * eps)
    expected = torch.distributions.StickBreakingTransform()(y).numpy()
    np.testing.assert_allclose(x.detach().numpy(), expected, rtol=1e-12)

    def draw(loc, scale):
        dist = ag.distributions.LogisticNormal(loc, scale)
        return dist.rsample((5,), generator=np.random.default_rng(4))
    assert ag.gradcheck(draw, [loc, scale])
    assert ag.gradcheck(lambda loc, scale: ag.distributions.LogisticNormal(loc, scale)
                        .log_prob(ag.tensor(LN_VALUES)), [loc, scale])


def test_fisher_snedecor_draws_follow_the_law_and_carry_the_mean_gradient() -> None:
    """The draws' mean is d2 / (d2 - 2), and the mean of their gradients (implicit through
    the Gamma draws) is that of d2 / (d2 - 2): 0 in d1, -2 / (d2 - 2)^2 in d2. One draw
    per batch element of equal parameters, so each element's gradient is one draw's."""
    n = 1000  # the Gamma draws' implicit gradient costs about 0.3 ms each
    d1 = ag.tensor(np.full(n, 6.0), requires_grad=True)
    d2 = ag.tensor(np.full(n, 12.0), requires_grad=True)
    x = ag.distributions.FisherSnedecor(d1, d2).rsample(generator=np.random.default_rng(0))
    x.sum().backward()
    for sample, expected in ((x.detach().numpy(), 12 / 10), (d2.grad.numpy(), -2 / 10 ** 2),
                             (d1.grad.numpy(), 0.0)):
        assert abs(sample.mean() - expected) < 5 * sample.std() / np.sqrt(n)
    assert ag.gradcheck(lambda d1, d2: ag.distributions.FisherSnedecor(d1, d2).log_prob(
        ag.tensor(F_VALUES)), [ag.tensor(F_PARAMS["d1"], requires_grad=True),
                               ag.tensor(F_PARAMS["d2"], requires_grad=True)])
