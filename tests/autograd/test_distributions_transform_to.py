"""``biject_to``/``transform_to``, ``IndependentTransform`` and ``PowerTransform`` against
``torch.distributions``' (float64): the map of each constraint's set from the reals, its
log|det J|, inverse and gradients; a positive scale learnt through its raw parameter; and
the constraints without a map here (a named error). (Variational code's
``transform_to(constraints.positive)(raw)`` had no counterpart here.)"""

from __future__ import annotations

import numpy as np
import pytest
from test_distributions_torch import check

import autograd as ag
from autograd.errors import UnsupportedError

RNG = np.random.default_rng(13)
X = RNG.standard_normal((4, 3))

CONSTRAINTS = {
    "real": lambda C: C.real, "positive": lambda C: C.positive,
    "greater_than": lambda C: C.greater_than(1.5), "less_than": lambda C: C.less_than(-1.0),
    "interval": lambda C: C.interval(-1.0, 2.0), "unit_interval": lambda C: C.unit_interval,
    "real_vector": lambda C: C.real_vector,
    "independent": lambda C: C.independent(C.positive, 1)}


@pytest.mark.parametrize("registry", ["biject_to", "transform_to"])
@pytest.mark.parametrize("name", CONSTRAINTS)
def test_map_from_the_reals(torch, registry: str, name: str) -> None:
    def fn(T, D, x):
        t = getattr(D, registry)(CONSTRAINTS[name](D.constraints))
        y = t(x)
        back = t.inv(y * 1)
        return T.cat([y.reshape(-1), t.log_abs_det_jacobian(x, y).reshape(-1),
                      back.reshape(-1)])
    check(torch, fn, dict(x=X))


def test_independent_and_power_transforms(torch) -> None:
    def fn(T, D, x):
        f = D.IndependentTransform(D.PowerTransform(2.5), 1)
        base = D.LogNormal(x, 0.5)
        d = D.TransformedDistribution(base, [f])
        y = f(x.exp())
        assert tuple(d.event_shape) == (3,) and tuple(d.batch_shape) == (4,)
        return T.cat([y.reshape(-1), f.log_abs_det_jacobian(x.exp(), y).reshape(-1),
                      f.inv(y).reshape(-1), d.log_prob(y * 1.1)])
    check(torch, fn, dict(x=X))


def test_positive_scale_learnt_through_its_raw_parameter(torch) -> None:
    grads = []
    for T in (ag, torch):
        D = T.distributions
        raw = T.tensor(X[0], requires_grad=True)
        scale = D.transform_to(D.constraints.positive)(raw)
        D.Normal(0.0, scale).log_prob(T.tensor(X[1])).sum().backward()
        grads.append(raw.grad.numpy())
    np.testing.assert_allclose(*grads, rtol=1e-12)


def test_constraints_without_a_map() -> None:
    D = ag.distributions
    for constraint in (D.constraints.boolean, D.constraints.positive_definite,
                       D.constraints.lower_cholesky):  # lower_cholesky: transform_to only
        with pytest.raises(UnsupportedError, match="no transform onto"):
            D.biject_to(constraint)
