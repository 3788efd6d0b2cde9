"""``LogitRelaxedBernoulli`` and ``ExpRelaxedCategorical`` (PyTorch's log-space relaxed
distributions, at ``torch.distributions.relaxed_bernoulli`` / ``relaxed_categorical``; they
were ``MissingNameError``): log_prob and its gradients against PyTorch's, computed in the
test; draws replayed from the generator's uniforms and against the relaxed distributions
they are the logit / log of."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from test_distributions_torch import check

RNG = np.random.default_rng(53)
PARAMS = dict(t=np.array(0.7), z=RNG.standard_normal((2, 3)))
LOGIT_VALUES = RNG.standard_normal((4, 2, 3)) * 2
LOG_SIMPLEX = np.log(RNG.dirichlet(np.ones(3), (4, 2)))


def logit_relaxed(T, t, z):
    return T.distributions.relaxed_bernoulli.LogitRelaxedBernoulli(t, logits=z)


def exp_relaxed(T, t, z):
    return T.distributions.relaxed_categorical.ExpRelaxedCategorical(t, logits=z)


CASES = {
    "logit_relaxed_bernoulli": lambda T, D, t, z: logit_relaxed(T, t, z).log_prob(
        T.tensor(LOGIT_VALUES)),
    "logit_relaxed_bernoulli_probs": lambda T, D, t, z: T.distributions.relaxed_bernoulli
    .LogitRelaxedBernoulli(t, probs=z.sigmoid()).log_prob(T.tensor(LOGIT_VALUES)),
    "logit_relaxed_bernoulli_expand": lambda T, D, t, z: logit_relaxed(T, t, z).expand(
        (4, 2, 3)).log_prob(T.tensor(LOGIT_VALUES)),
    "exp_relaxed_categorical": lambda T, D, t, z: exp_relaxed(T, t, z).log_prob(
        T.tensor(LOG_SIMPLEX)),
    "exp_relaxed_categorical_expand": lambda T, D, t, z: exp_relaxed(T, t, z).expand(
        (4, 2)).log_prob(T.tensor(LOG_SIMPLEX)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_log_space_relaxed_distributions_match_pytorch(torch, case: str) -> None:
    check(torch, CASES[case], PARAMS)


def test_shapes_and_supports_as_pytorch(torch) -> None:
    for lib in (ag, torch):
        t, z = lib.tensor(0.5, dtype=lib.float64), lib.tensor(PARAMS["z"])
        bern, cat = logit_relaxed(lib, t, z), exp_relaxed(lib, t, z)
        assert tuple(bern.batch_shape) == (2, 3) and tuple(bern.event_shape) == ()
        assert tuple(cat.batch_shape) == (2,) and tuple(cat.event_shape) == (3,)
        assert tuple(bern.rsample((4,)).shape) == (4, 2, 3)
        assert tuple(cat.rsample((4,)).shape) == (4, 2, 3)
        # PyTorch's LogitRelaxedBernoulli leaves has_rsample False, though its rsample is
        # reparameterised (its RelaxedBernoulli says True); here it says True
        assert cat.has_rsample and bern.has_rsample == (lib is ag)
        assert bern.support is lib.distributions.constraints.real
        assert cat.support is lib.distributions.constraints.real_vector


def test_draws_are_the_logit_and_log_of_the_relaxed_draws() -> None:
    """The same generator gives the same uniforms: sigmoid of a LogitRelaxedBernoulli draw
    is the RelaxedBernoulli draw, exp of an ExpRelaxedCategorical draw the
    RelaxedOneHotCategorical one; gradients to temperature and logits by finite
    differences."""
    D = ag.distributions
    t, z = ag.tensor(0.7, requires_grad=True), ag.tensor(PARAMS["z"], requires_grad=True)
    x = D.LogitRelaxedBernoulli(t, logits=z).rsample((4,), generator=np.random.default_rng(1))
    y = D.RelaxedBernoulli(t, logits=z).rsample((4,), generator=np.random.default_rng(1))
    np.testing.assert_allclose(x.sigmoid().detach().numpy(), y.detach().numpy(), rtol=1e-12)
    x = D.ExpRelaxedCategorical(t, logits=z).rsample((4,), generator=np.random.default_rng(2))
    y = D.RelaxedOneHotCategorical(t, logits=z).rsample((4,), generator=np.random.default_rng(2))
    np.testing.assert_allclose(x.exp().detach().numpy(), y.detach().numpy(), rtol=1e-12)

    def draws(t, z):
        return (D.LogitRelaxedBernoulli(t, logits=z).rsample(
            (3,), generator=np.random.default_rng(3)).sum()
            + D.ExpRelaxedCategorical(t, logits=z).rsample(
                (3,), generator=np.random.default_rng(4)).pow(2).sum())
    assert ag.gradcheck(draws, [t, z])
