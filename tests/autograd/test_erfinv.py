"""``erfinv`` (function and method) and ``Normal.icdf`` against PyTorch's (float64): values
across [-1, 1] with the tails near +-1, +-inf at +-1 and NaN outside, the gradient
sqrt(pi)/2 e^{y^2}, second derivatives by finite differences, float32 kept, and the
quantile function's values and gradients. (``Normal(loc, scale).icdf(u)``, inverse-CDF
sampling, had no counterpart here.)"""

from __future__ import annotations

import numpy as np
import pytest
from test_distributions_torch import check

import autograd as ag

Y = np.concatenate([np.linspace(-0.999, 0.999, 201), 1 - np.logspace(-15, -1, 15),
                    -1 + np.logspace(-15, -1, 15), [0.0, 1e-300, 1.0, -1.0, 1.5, np.nan]])


def test_values_as_pytorch(torch) -> None:
    ours = ag.erfinv(ag.tensor(Y)).numpy()
    theirs = torch.erfinv(torch.tensor(Y)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=0)
    assert ag.tensor(Y).erfinv().dtype == np.float64
    assert ag.tensor(np.float32([0.3])).erfinv().dtype == np.float32


def test_gradient_as_pytorch(torch) -> None:
    check(torch, lambda T, D, y: T.erfinv(y) * 1.0, dict(y=Y[:231]), rtol=1e-12)


def test_second_derivatives() -> None:
    y = ag.tensor(np.array([-0.7, 0.1, 0.95]), requires_grad=True)
    assert ag.gradgradcheck(lambda t: t.erfinv(), (y,))


@pytest.mark.parametrize("u", [np.array([0.001, 0.1, 0.5, 0.9, 0.999])])
def test_normal_icdf(torch, u) -> None:
    rng = np.random.default_rng(0)
    check(torch, lambda T, D, loc, s: D.Normal(loc, s.exp()).icdf(T.tensor(u)),
          dict(loc=rng.standard_normal(5), s=rng.standard_normal(5)), rtol=1e-12)
    normal = ag.distributions.Normal(0.3, 1.7)
    np.testing.assert_allclose(normal.cdf(normal.icdf(ag.tensor(u))).numpy(), u, rtol=1e-13)
