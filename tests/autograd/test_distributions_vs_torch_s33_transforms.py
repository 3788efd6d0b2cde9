"""The transforms and constraints ``autograd.distributions`` lacked next to torch 2.13's
(float64): ``CatTransform``, ``StackTransform``, ``AbsTransform``, ``ReshapeTransform``,
``CumulativeDistributionTransform``, ``PositiveDefiniteTransform`` (values, inverses,
log|det| and their gradients against PyTorch's and finite differences, domain/codomain,
event dims, ``==``), the constraints ``cat``, ``stack``, ``square``, ``symmetric``,
``positive_semidefinite``, ``lower_triangular``, ``dependent``/``dependent_property``/
``is_dependent``, and ``biject_to``/``transform_to`` of ``half_open_interval``,
``positive_definite``, ``cat`` and ``stack``."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import autograd.distributions as AD
from autograd.errors import ShapeError, UnsupportedError, UsageError
from test_distributions_torch import check

RNG = np.random.default_rng(3313)
X6 = RNG.standard_normal((4, 6))
X3 = RNG.standard_normal((4, 3))


def _cat(D, dim=-1):
    t = D.transforms
    return t.CatTransform([t.ExpTransform(), t.AffineTransform(1.0, -2.0),
                           t.SigmoidTransform()], dim, [2, 1, 3])


def _cat_event(D):
    """Parts with one event axis, joined inside the event: log|det| summed."""
    t = D.transforms
    return t.CatTransform([t.IndependentTransform(t.ExpTransform(), 1),
                           t.IndependentTransform(t.TanhTransform(), 1)], -1, [4, 2])


def _stack(D, dim=-1):
    t = D.transforms
    return t.StackTransform([t.ExpTransform(), t.SoftplusTransform(),
                             t.AffineTransform(0.5, 3.0)], dim)


def _cdf(D, loc, scale):
    return D.transforms.CumulativeDistributionTransform(D.Normal(loc, scale))


def _call_inv_ladj(make, x_of):
    """fn(T, D, x) = the transform's y, x back from y and log|det| in one vector."""
    def fn(T, D, x, **params):
        t = make(D, **params)
        x = x_of(x)
        y = t(x)
        back = t.inv(y * 1)  # a new tensor: the inverse computed, not a cached x
        return T.cat([y.reshape(-1), back.reshape(-1),
                      t.log_abs_det_jacobian(x, y).reshape(-1)])
    return fn


TRANSFORM_CASES = {
    "cat_batch_dim": (_call_inv_ladj(lambda D: _cat(D, -1), lambda x: x), X6),
    "cat_dim0": (_call_inv_ladj(lambda D: _cat(D, 0), lambda x: x.T), X6),
    "cat_event": (_call_inv_ladj(_cat_event, lambda x: x), X6),
    "stack": (_call_inv_ladj(_stack, lambda x: x), X3),
    "stack_dim0": (_call_inv_ladj(lambda D: _stack(D, 0), lambda x: x.T), X3),
    "reshape": (_call_inv_ladj(lambda D: D.transforms.ReshapeTransform((6,), (2, 3)),
                               lambda x: x), X6),
    "positive_definite": (lambda T, D, x: (lambda t: T.cat([
        t(x).reshape(-1), t.inv(t(x) * 1).reshape(-1)]))(
            D.transforms.PositiveDefiniteTransform()), X6[:3, :3]),
    "abs": (lambda T, D, x: T.cat([D.transforms.AbsTransform()(x),
                                   D.transforms.AbsTransform().inv(x)]), X6[0]),
}


@pytest.mark.parametrize("case", sorted(TRANSFORM_CASES))
def test_new_transforms_values_and_gradients_as_pytorch(torch, case: str) -> None:
    fn, x = TRANSFORM_CASES[case]
    check(torch, fn, dict(x=x))


def test_cumulative_distribution_transform_as_pytorch(torch) -> None:
    """y = F(x), x = F^-1(y), log|det| = log p(x), with gradients to x and to the
    distribution's parameters; sign 1, domain its support, codomain [0, 1]."""
    fn = _call_inv_ladj(_cdf, lambda x: x)
    check(torch, fn, dict(x=X3, loc=RNG.standard_normal(3), scale=RNG.uniform(0.5, 2, 3)),
          rtol=1e-9)
    ours, theirs = _cdf(AD, 0.0, 1.0), _cdf(torch.distributions, 0.0, 1.0)
    assert ours.sign == theirs.sign and ours.bijective == theirs.bijective
    assert type(ours.domain).__name__ == type(theirs.domain).__name__
    assert type(ours.codomain).__name__ == type(theirs.codomain).__name__


def _log_abs_derivative(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """log|f'(x)| elementwise by central differences (f elementwise)."""
    return np.log(np.abs((f(x + h) - f(x - h)) / (2 * h)))


@pytest.mark.parametrize("make", [_cat, _stack])
def test_cat_and_stack_log_abs_det_jacobian_matches_finite_differences(make) -> None:
    t = make(AD)
    x = X6 if make is _cat else X3
    numeric = _log_abs_derivative(lambda v: t(ag.tensor(v)).data, x)
    np.testing.assert_allclose(t.log_abs_det_jacobian(ag.tensor(x), t(ag.tensor(x))).data,
                               numeric, rtol=1e-6, atol=1e-8)


def test_cat_event_log_abs_det_jacobian_is_the_finite_difference_sum() -> None:
    t = _cat_event(AD)
    numeric = _log_abs_derivative(lambda v: t(ag.tensor(v)).data, X6).sum(-1)
    np.testing.assert_allclose(t.log_abs_det_jacobian(ag.tensor(X6), t(ag.tensor(X6))).data,
                               numeric, rtol=1e-6)


def test_cumulative_distribution_transform_log_abs_det_matches_finite_differences() -> None:
    t = _cdf(AD, ag.tensor(0.3), ag.tensor(1.7))
    numeric = _log_abs_derivative(lambda v: t(ag.tensor(v)).data, X3)
    np.testing.assert_allclose(t.log_abs_det_jacobian(ag.tensor(X3), None).data, numeric,
                               rtol=1e-6)


STRUCTURE = {
    "cat": lambda D: _cat(D, -1),
    "cat_event": _cat_event,
    "stack": _stack,
    "reshape": lambda D: D.transforms.ReshapeTransform((6,), (2, 3)),
    "positive_definite": lambda D: D.transforms.PositiveDefiniteTransform(),
    "abs": lambda D: D.transforms.AbsTransform(),
    "cdf": lambda D: _cdf(D, 0.0, 1.0),
}


@pytest.mark.parametrize("name", sorted(STRUCTURE))
def test_new_transforms_domains_event_dims_and_equality_as_pytorch(torch, name) -> None:
    ours, theirs = STRUCTURE[name](AD), STRUCTURE[name](torch.distributions)
    for side in ("domain", "codomain"):
        a, b = getattr(ours, side), getattr(theirs, side)
        assert (a.event_dim, a.is_discrete) == (b.event_dim, b.is_discrete), side
    assert ours.bijective == theirs.bijective
    assert (ours == STRUCTURE[name](AD)) == (theirs == STRUCTURE[name](torch.distributions))
    assert (ours == ours) and (ours.inv == ours.inv)
    if name not in ("cdf", "cat", "stack"):  # those have a sign (1) or the parts' raise
        with pytest.raises(UnsupportedError):
            ours.sign


def test_reshape_transform_shapes_and_errors_as_pytorch(torch) -> None:
    ours = AD.transforms.ReshapeTransform((6,), (2, 3))
    theirs = torch.distributions.transforms.ReshapeTransform((6,), (2, 3))
    assert ours.forward_shape((5, 6)) == tuple(theirs.forward_shape(torch.Size((5, 6))))
    assert ours.inverse_shape((5, 2, 3)) == tuple(theirs.inverse_shape(torch.Size((5, 2, 3))))
    for shape in [(5, 4), ()]:
        with pytest.raises(ValueError):
            theirs.forward_shape(torch.Size(shape))
        with pytest.raises(ShapeError):
            ours.forward_shape(shape)
    with pytest.raises(ValueError):
        torch.distributions.transforms.ReshapeTransform((6,), (4,))
    with pytest.raises(ShapeError, match="different numbers of elements"):
        AD.transforms.ReshapeTransform((6,), (4,))
    with pytest.raises(ShapeError, match="expected an input"):
        ours(ag.zeros(5, 4))


def test_cat_and_stack_refuse_a_tensor_of_the_wrong_size() -> None:
    with pytest.raises(ShapeError, match="axis -1 has 5 entries"):
        _cat(AD)(ag.zeros(4, 5))
    with pytest.raises(ShapeError, match="out of range"):
        _stack(AD, 2)(ag.zeros(4, 3))
    with pytest.raises(UsageError, match="lengths"):
        AD.transforms.CatTransform([AD.transforms.ExpTransform()], 0, [1, 2])
    with pytest.raises(UsageError, match="must be a Transform"):
        AD.transforms.StackTransform([AD.transforms.ExpTransform(), "exp"])


MATRICES = np.stack([
    np.eye(3), -np.eye(3), np.diag([1.0, 0.0, 2.0]),  # PD, ND, PSD but not PD
    np.triu(np.ones((3, 3))), np.tril(np.ones((3, 3))),  # upper and lower triangular
    (lambda A: A @ A.T)(RNG.standard_normal((3, 3))),  # PD
    (lambda A: A + A.T)(RNG.standard_normal((3, 3))),  # symmetric, indefinite
])
CONSTRAINTS = ["square", "symmetric", "positive_semidefinite", "positive_definite",
               "lower_triangular"]


@pytest.mark.parametrize("name", CONSTRAINTS)
def test_matrix_constraints_as_pytorch(torch, name: str) -> None:
    """Each matrix's answer is PyTorch's for that matrix alone (PyTorch's batched
    positive_(semi)definite answers only the symmetry check when one matrix of the batch is
    not symmetric: -I passes there; here every matrix gets the full check)."""
    ours, theirs = getattr(AD.constraints, name), getattr(torch.distributions.constraints, name)
    assert (ours.event_dim, ours.is_discrete) == (theirs.event_dim, theirs.is_discrete)
    for value in (MATRICES, MATRICES[[0, 2, 5, 6]], MATRICES[:, :2, :]):
        alone = [bool(theirs.check(torch.tensor(m))) for m in value]
        np.testing.assert_array_equal(ours.check(ag.tensor(value)).data, alone)
    symmetric = MATRICES[[0, 1, 2, 5, 6]]  # a batch PyTorch checks in full
    np.testing.assert_array_equal(ours.check(ag.tensor(symmetric)).data,
                                  theirs.check(torch.tensor(symmetric)).numpy())


def _cat_constraint(C, dim=-1):
    return C.cat([C.positive, C.real, C.unit_interval], dim, [2, 1, 3])


def _stack_constraint(C, dim=-1):
    return C.stack([C.positive, C.real, C.interval(-1.0, 1.0)], dim)


CAT_STACK = {
    "cat": (_cat_constraint, RNG.uniform(-0.5, 1.5, (5, 6))),
    "cat_dim0": (lambda C: _cat_constraint(C, 0), RNG.uniform(-0.5, 1.5, (6, 5))),
    "cat_simplex": (lambda C: C.cat([C.simplex, C.simplex], 0, [2, 3]),
                    np.vstack([np.full((4, 3), 1 / 3), [[0.5, 0.6, -0.1]]])),
    "stack": (_stack_constraint, RNG.uniform(-1.5, 1.5, (5, 3))),
    "stack_dim0": (lambda C: _stack_constraint(C, 0), RNG.uniform(-1.5, 1.5, (3, 5))),
}


@pytest.mark.parametrize("name", sorted(CAT_STACK))
def test_cat_and_stack_constraints_as_pytorch(torch, name: str) -> None:
    make, value = CAT_STACK[name]
    ours, theirs = make(AD.constraints), make(torch.distributions.constraints)
    assert (ours.event_dim, ours.is_discrete) == (theirs.event_dim, theirs.is_discrete)
    np.testing.assert_array_equal(ours.check(ag.tensor(value)).data,
                                  theirs.check(torch.tensor(value)).numpy())
    x = np.arcsinh(value)  # any real input
    if name != "cat_simplex":  # stick breaking takes 2 entries to 3: no x of that shape
        ours_y = AD.biject_to(ours)(ag.tensor(x))
        np.testing.assert_allclose(ours_y.data,
                                   torch.distributions.biject_to(theirs)(torch.tensor(x)))
        assert ours.check(ours_y).data.all()
    np.testing.assert_allclose(AD.transform_to(ours)(ag.tensor(value)).data,
                               torch.distributions.transform_to(theirs)(torch.tensor(value)))


def test_cat_of_parts_with_different_event_dims_cannot_check(torch) -> None:
    value = np.concatenate([np.full((4, 3), 1 / 3), RNG.uniform(-1, 1, (4, 2))], -1)
    with pytest.raises(RuntimeError):
        torch.distributions.constraints.cat([torch.distributions.constraints.simplex,
                                             torch.distributions.constraints.positive],
                                            -1, [3, 2]).check(torch.tensor(value))
    with pytest.raises(UnsupportedError, match="event dims"):
        AD.constraints.cat([AD.constraints.simplex, AD.constraints.positive], -1,
                           [3, 2]).check(ag.tensor(value))


def test_dependent_constraints_as_pytorch(torch) -> None:
    C, TC = AD.constraints, torch.distributions.constraints
    with pytest.raises(ValueError):
        TC.dependent.check(torch.zeros(2))
    with pytest.raises(UsageError, match="dependent"):
        C.dependent.check(ag.zeros(2))
    for attribute in ("event_dim", "is_discrete"):
        with pytest.raises(NotImplementedError):
            getattr(TC.dependent, attribute)
        with pytest.raises(UnsupportedError):
            getattr(C.dependent, attribute)
    ours, theirs = C.dependent(is_discrete=True, event_dim=1), TC.dependent(
        is_discrete=True, event_dim=1)
    assert (ours.event_dim, ours.is_discrete) == (theirs.event_dim, theirs.is_discrete)
    assert C.is_dependent(ours) and not C.is_dependent(C.real)
    assert not C.is_dependent(C.cat([C.real], 0))

    class Box:
        def __init__(self, low, high):
            self.low, self.high = low, high

        @C.dependent_property(is_discrete=False, event_dim=0)
        def support(self):
            return C.interval(self.low, self.high)

        @C.dependent_property
        def other(self):
            return C.real

    assert C.is_dependent(Box.support) and Box.support.event_dim == 0
    assert C.is_dependent(Box.other)
    np.testing.assert_array_equal(Box(0.0, 1.0).support.check(ag.tensor([0.5, 2.0])).data,
                                  [True, False])
    assert AD.transforms.CatTransform.domain.__class__.__name__ == "_DependentProperty"


def test_biject_to_half_open_interval_and_transform_to_positive_definite(torch) -> None:
    C, TC = AD.constraints, torch.distributions.constraints
    x = RNG.standard_normal((4, 3))
    for ours, theirs in [(AD.biject_to(C.half_open_interval(-1.0, 2.5)),
                          torch.distributions.biject_to(TC.half_open_interval(-1.0, 2.5))),
                         (AD.transform_to(C.half_open_interval(0.0, 1.0)),
                          torch.distributions.transform_to(TC.half_open_interval(0.0, 1.0)))]:
        np.testing.assert_allclose(ours(ag.tensor(x)).data, theirs(torch.tensor(x)))
        y = ours(ag.tensor(x))
        np.testing.assert_allclose(ours.log_abs_det_jacobian(ag.tensor(x), y).data,
                                   theirs.log_abs_det_jacobian(torch.tensor(x),
                                                               torch.tensor(y.data)))
    for name in ("positive_definite", "positive_semidefinite"):
        ours = AD.transform_to(getattr(C, name))
        theirs = torch.distributions.transform_to(getattr(TC, name))
        assert type(ours).__name__ == type(theirs).__name__ == "PositiveDefiniteTransform"
        m = RNG.standard_normal((2, 3, 3))
        np.testing.assert_allclose(ours(ag.tensor(m)).data, theirs(torch.tensor(m)))
        assert C.positive_definite.check(ours(ag.tensor(m))).data.all()
    with pytest.raises(UnsupportedError):
        AD.biject_to(C.positive_definite)
