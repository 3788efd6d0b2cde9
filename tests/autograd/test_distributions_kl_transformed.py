"""``kl_divergence`` of two TransformedDistributions with equal transforms (a LogNormal
pair, two tanh-squashed Gaussian policies) is the KL of their bases, as PyTorch's; other
transforms have no formula. Transforms compare with ``==`` as PyTorch's do. Values and
gradients are PyTorch's, computed in the test."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import UnsupportedError
from test_distributions_torch import check

RNG = np.random.default_rng(7)
LOC, SCALE = RNG.standard_normal((3, 2)), RNG.uniform(0.5, 2.0, 2)
LOC_Q, SCALE_Q = RNG.standard_normal(2), RNG.uniform(0.5, 2.0, (3, 2))
PARAMS = dict(loc=LOC, scale=SCALE, loc_q=LOC_Q, scale_q=SCALE_Q)


def squashed(D, loc, scale, cache_size=0):
    """SAC's policy: tanh(N(loc, scale)) rescaled to the action bounds, per dimension."""
    return D.TransformedDistribution(D.Normal(loc, scale), [
        D.transforms.TanhTransform(cache_size=cache_size),
        D.transforms.AffineTransform(0.5, 2.0)])


KL_CASES = {
    "log_normal": lambda T, D, loc, scale, loc_q, scale_q: D.kl_divergence(
        D.LogNormal(loc, scale), D.LogNormal(loc_q, scale_q)),
    "tanh_policies": lambda T, D, loc, scale, loc_q, scale_q: D.kl_divergence(
        squashed(D, loc, scale), squashed(D, loc_q, scale_q, cache_size=1)),
    "independent_event": lambda T, D, loc, scale, loc_q, scale_q: D.kl_divergence(
        D.TransformedDistribution(D.Independent(D.Normal(loc, scale), 1),
                                  [D.transforms.ExpTransform()]),
        D.TransformedDistribution(D.Independent(D.Normal(loc_q, scale_q), 1),
                                  [D.transforms.ExpTransform()])),
    "inverse_transforms": lambda T, D, loc, scale, loc_q, scale_q: D.kl_divergence(
        D.TransformedDistribution(D.Normal(loc, scale), [D.transforms.ExpTransform().inv]),
        D.TransformedDistribution(D.Normal(loc_q, scale_q), [D.transforms.ExpTransform().inv])),
}


@pytest.mark.parametrize("case", sorted(KL_CASES))
def test_kl_of_transformed_distributions_matches_pytorch(torch, case: str) -> None:
    check(torch, KL_CASES[case], PARAMS)


def transform_pairs(D) -> list:
    T = D.transforms
    return [(T.ExpTransform(), T.ExpTransform()), (T.TanhTransform(), T.TanhTransform(1)),
            (T.ExpTransform(), T.TanhTransform()), (T.SigmoidTransform(), T.SigmoidTransform()),
            (T.SoftplusTransform(), T.SoftplusTransform()),
            (T.StickBreakingTransform(), T.StickBreakingTransform()),
            (T.SoftmaxTransform(), T.SoftmaxTransform()),
            (T.LowerCholeskyTransform(), T.LowerCholeskyTransform()),
            (T.PowerTransform(2.0), T.PowerTransform(2.0)),
            (T.PowerTransform(2.0), T.PowerTransform(3.0)),
            (T.AffineTransform(1.0, 2.0), T.AffineTransform(1.0, 2.0)),
            (T.AffineTransform(1.0, 2.0), T.AffineTransform(1.0, 3.0)),
            (T.AffineTransform(D.Normal(0., 1.).mean + 1, 2.0), T.AffineTransform(1.0, 2.0)),
            (T.ExpTransform().inv, T.ExpTransform().inv),
            (T.ExpTransform().inv, T.ExpTransform()),
            (T.ComposeTransform([T.ExpTransform()]), T.ComposeTransform([T.ExpTransform()])),
            (T.ComposeTransform([T.ExpTransform()]), T.ComposeTransform([T.TanhTransform()])),
            (T.IndependentTransform(T.ExpTransform(), 1),
             T.IndependentTransform(T.ExpTransform(), 1))]


def test_transforms_compare_as_pytorch_s(torch) -> None:
    ours = [(a == b, a != b) for a, b in transform_pairs(ag.distributions)]
    theirs = [(a == b, a != b) for a, b in transform_pairs(torch.distributions)]
    assert ours == theirs
    assert [bool(eq) for eq, _ in ours].count(True) == 12


def test_kl_of_different_transforms_has_no_formula(torch) -> None:
    for D, error in ((ag.distributions, UnsupportedError), (torch.distributions,
                                                            NotImplementedError)):
        p = D.TransformedDistribution(D.Normal(0.0, 1.0), [D.transforms.TanhTransform()])
        q = D.TransformedDistribution(D.Normal(0.0, 1.0), [D.transforms.ExpTransform()])
        with pytest.raises(error):
            D.kl_divergence(p, q)
    p = ag.distributions.LogNormal(0.0, 1.0)
    with pytest.raises(UnsupportedError, match="same transforms"):
        ag.distributions.kl_divergence(p, squashed(ag.distributions, 0.0, 1.0))
