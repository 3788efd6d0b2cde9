"""``ExponentialFamily`` (it was ``MissingNameError``): a user's family gives its natural
parameters, log normaliser and mean carrier measure, and gets the entropy and the KL of
two members (a Bregman divergence of the log normaliser, by autograd), as PyTorch's.
Against PyTorch's, computed in the test, and against the closed forms."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from test_distributions_torch import check

RATES = dict(r=np.array([0.5, 1.5, 3.0]), s=np.array([2.0, 0.7, 1.0]))


def exponential_family(lib):
    """The exponential law written as a family, the same class text for both libraries:
    theta = -rate, A(theta) = -log(-theta), h = 1."""
    D = lib.distributions

    class MyExponential(D.ExponentialFamily):
        arg_constraints = {"rate": D.constraints.positive}
        support = D.constraints.positive

        def __init__(self, rate):
            self.rate = rate
            super().__init__(tuple(rate.shape))

        @property
        def _natural_params(self):
            return (-self.rate,)

        def _log_normalizer(self, theta):
            return -(-theta).log()

        @property
        def _mean_carrier_measure(self):
            return 0

        def log_prob(self, value):
            return self.rate.log() - self.rate * value
    return MyExponential


CASES = {
    "entropy": lambda T, D, r, s: exponential_family(T)(r).entropy(),
    "kl": lambda T, D, r, s: (lambda family: D.kl_divergence(family(r), family(s)))(
        exponential_family(T)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_users_exponential_family_matches_pytorch(torch, case: str) -> None:
    check(torch, CASES[case], RATES)


def test_entropy_and_kl_are_the_closed_forms() -> None:
    family = exponential_family(ag)
    r, s = ag.tensor(RATES["r"]), ag.tensor(RATES["s"])
    np.testing.assert_allclose(family(r).entropy().detach().numpy(), 1 - np.log(RATES["r"]),
                               rtol=1e-12)
    expected = ag.distributions.kl_divergence(ag.distributions.Exponential(r),
                                              ag.distributions.Exponential(s)).numpy()
    np.testing.assert_allclose(ag.distributions.kl_divergence(family(r), family(s)).data,
                               expected, rtol=1e-12)


def test_two_different_families_have_no_bregman_kl(torch) -> None:
    for lib in (ag, torch):
        first = exponential_family(lib)(lib.tensor(RATES["r"]))
        second = type("Other", (exponential_family(lib),), {})(lib.tensor(RATES["s"]))
        with pytest.raises(NotImplementedError, match="exponential families"):
            lib.distributions.kl_divergence(first, second)
