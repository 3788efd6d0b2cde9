"""``TransformedDistribution.cdf`` through decreasing transforms is 1 - F_base(f^-1(y)), as
PyTorch's (it raised for any transform of sign -1, e.g. Kumaraswamy's 1 - x); a transform
with no sign (not monotone) still raises. ``icdf`` is f(F_base^-1(q)), q flipped alike (it
raised ``UnsupportedError``: LogNormal, Kumaraswamy). Values and gradients against
PyTorch's."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import UnsupportedError
from test_distributions_torch import check

RNG = np.random.default_rng(2)
PARAMS = dict(loc=RNG.standard_normal((3, 1)), scale=RNG.uniform(0.5, 2.0, 4),
              signed=np.array([1.5, -0.5, 2.0, -1.0]))
Y = RNG.standard_normal((2, 3, 4))
Q = RNG.uniform(0.02, 0.98, (2, 3, 4))

CASES = {
    "negated": lambda T, D, loc, scale, signed: D.TransformedDistribution(
        D.Normal(loc, scale), [D.transforms.AffineTransform(1.0, -2.0)]).cdf(T.tensor(Y)),
    "exp_then_negated": lambda T, D, loc, scale, signed: D.TransformedDistribution(
        D.Normal(loc, scale), [D.transforms.ExpTransform(),
                               D.transforms.AffineTransform(0.0, -1.0)]).cdf(T.tensor(-Y ** 2)),
    "tensor_signs": lambda T, D, loc, scale, signed: D.TransformedDistribution(
        D.Normal(loc, scale), [D.transforms.AffineTransform(0.5, signed)]).cdf(T.tensor(Y)),
    "twice_negated": lambda T, D, loc, scale, signed: D.TransformedDistribution(
        D.Normal(loc, scale), [D.transforms.AffineTransform(0.0, -1.0),
                               D.transforms.AffineTransform(1.0, -3.0)]).cdf(T.tensor(Y)),
    "icdf_exp": lambda T, D, loc, scale, signed: D.TransformedDistribution(
        D.Normal(loc, scale), [D.transforms.ExpTransform()]).icdf(T.tensor(Q)),
    "icdf_negated": lambda T, D, loc, scale, signed: D.TransformedDistribution(
        D.Normal(loc, scale), [D.transforms.AffineTransform(1.0, -2.0)]).icdf(T.tensor(Q)),
    "icdf_tensor_signs": lambda T, D, loc, scale, signed: D.TransformedDistribution(
        D.Normal(loc, scale), [D.transforms.AffineTransform(0.5, signed)]).icdf(T.tensor(Q)),
    "icdf_log_normal": lambda T, D, loc, scale, signed: D.LogNormal(loc, scale).icdf(
        T.tensor(Q)),
    "icdf_kumaraswamy": lambda T, D, loc, scale, signed: D.Kumaraswamy(scale, loc.exp()).icdf(
        T.tensor(Q)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_cdf_through_decreasing_transforms_matches_pytorch(torch, case: str) -> None:
    check(torch, CASES[case], PARAMS)


def test_cdf_through_a_transform_without_sign_raises() -> None:
    class Square(ag.distributions.Transform):
        def _call(self, x):
            return x * x

    d = ag.distributions.TransformedDistribution(ag.distributions.Normal(0.0, 1.0), Square())
    with pytest.raises(UnsupportedError, match="monotone"):  # PyTorch's NotImplementedError
        d.cdf(ag.tensor(0.5))
