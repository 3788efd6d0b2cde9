"""gradcheck's comparison itself: the documented tolerance ``atol + rtol * |numeric|``
(defaults 1e-7 and 1e-5, in gradcheck and gradgradcheck), the step eps = 1e-6, and NaN.
Planted VJPs off by a known amount must pass or fail exactly as documented: a checker
that only tolerated more than it says passed the rest of the suite."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import Function, GradcheckError, Tensor
class ScaledLinear(Function):
    """out = c x, whose VJP is off by a relative ``r`` plus an absolute ``d``: central
    differences of a linear map are exact to rounding, so the checker must accept it
    exactly when the error is within ``atol + rtol * |numeric|``."""
    c, r, d = 1.0, 0.0, 0.0

    def forward(self, x):
        return self.c * x

    def vjp(self, g, out, x):
        return (g * self.c * (1 + self.r) + self.d,)


def _linear(c: float, r: float = 0.0, d: float = 0.0):
    return type("Planted", (ScaledLinear,), {"c": c, "r": r, "d": d}).apply


def test_tolerance_is_atol_plus_rtol_times_numeric_as_documented() -> None:
    x = Tensor(np.linspace(-1.0, 1.0, 5), requires_grad=True)
    # near-zero gradients: only atol (1e-7 by default) tolerates an offset
    assert ag.gradcheck(_linear(1e-6, d=5e-8), [x])
    with pytest.raises(GradcheckError):
        ag.gradcheck(_linear(1e-6, d=1e-6), [x])
    assert ag.gradcheck(_linear(1e-6, d=1e-6), [x], atol=2e-6)
    # large gradients: rtol (1e-5 by default) of the numeric value
    assert ag.gradcheck(_linear(100.0, r=5e-6), [x])
    with pytest.raises(GradcheckError):
        ag.gradcheck(_linear(100.0, r=2e-5), [x])
    assert ag.gradcheck(_linear(100.0, r=2e-5), [x], rtol=4e-5)
    with pytest.raises(GradcheckError):  # relative to numeric (as PyTorch), not to analytic
        ag.gradcheck(_linear(100.0, r=1.0), [x], rtol=0.6)
    # gradgradcheck's defaults are the same: d2/dx2 of (c x) x / 2 is off by r / 2 here
    assert ag.gradgradcheck(lambda t: _linear(100.0, r=5e-6)(t) * t / 2, [x])
    with pytest.raises(GradcheckError):
        ag.gradgradcheck(lambda t: _linear(100.0, r=4e-5)(t) * t / 2, [x])


def test_eps_is_small_enough_for_a_kink_close_by() -> None:
    """The default step is 1e-6 (README): |x| at 5e-5, which a step of 1e-4 straddles."""
    x = Tensor(np.array([5e-5, -5e-5]), requires_grad=True)
    assert ag.gradcheck(ag.abs, [x])
    with pytest.raises(GradcheckError):
        ag.gradcheck(ag.abs, [x], eps=1e-4)


def test_a_nan_gradient_fails_the_check() -> None:
    """NaN compares false with everything: a check written error > allowed passed it."""
    class NanVJP(Function):
        def forward(self, x):
            return x * x

        def vjp(self, g, out, x):
            return (g * 2 * x * np.nan,)

    x = Tensor(np.array([0.5, -1.5, 2.0]), requires_grad=True)
    with pytest.raises(GradcheckError, match=r"analytic nan"):
        ag.gradcheck(NanVJP.apply, [x])
    with pytest.raises(GradcheckError, match=r"output 0 of fn is nan at index \(2,\)"):
        ag.gradcheck(lambda t: ag.where(t > 1.9999999, np.nan, 1.0) + t * t, [x])


@pytest.mark.parametrize("check", [ag.gradcheck, ag.gradgradcheck])
@pytest.mark.parametrize("eps", [0, 0.0, -1e-6])
def test_eps_must_be_positive(check, eps) -> None:
    """eps = 0 divided by zero into a NaN 'numeric' gradient and a misleading report."""
    x = Tensor(np.array([0.5, -1.5]), requires_grad=True)
    with pytest.raises(ag.UsageError, match="eps must be a positive number"):
        check(lambda t: t * t, [x], eps=eps)
