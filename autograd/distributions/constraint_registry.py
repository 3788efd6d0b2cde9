"""``biject_to(constraint)`` and ``transform_to(constraint)``, as
``torch.distributions.constraint_registry``'s: the Transform from the real numbers onto a
constraint's set, for optimising a constrained parameter through an unconstrained one
(``scale = transform_to(constraints.positive)(raw_scale)``). Real: the identity; x > a:
a + exp(x) (exp(x) for a = 0); x < b: b - exp(x); a <= x <= b: a + (b - a) sigmoid(x)
(sigmoid(x) for [0, 1]); ``independent(c, n)``: ``IndependentTransform`` of c's. The two
registries differ, as PyTorch's, on the simplex (``biject_to``: stick breaking from
R^(K-1); ``transform_to``: softmax of R^K) and on ``lower_cholesky`` (only ``transform_to``:
``LowerCholeskyTransform``, which is not a bijection of the full matrix) and on
``positive_definite``/``positive_semidefinite`` (only ``transform_to``:
``PositiveDefiniteTransform``); both map onto ``corr_cholesky`` by
``CorrCholeskyTransform``, onto ``half_open_interval`` as onto ``interval``, and onto
``cat``/``stack`` by ``CatTransform``/``StackTransform`` of their parts'."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..errors import UnsupportedError
from .block_transforms import CatTransform, StackTransform
from .constraint_cat_stack import _Cat, _Stack
from .constraints import (Constraint, _CorrCholesky, _GreaterThan, _GreaterThanEq,
                          _HalfOpenInterval, _Independent, _Interval, _LessThan, _LowerCholesky,
                          _PositiveDefinite, _PositiveSemidefinite, _Real, _Simplex)
from .corr_cholesky_transform import CorrCholeskyTransform
from .simplex_transforms import (LowerCholeskyTransform, PositiveDefiniteTransform,
                                 SoftmaxTransform, StickBreakingTransform)
from .transforms import (AffineTransform, ComposeTransform, ExpTransform, IndependentTransform,
                         SigmoidTransform, Transform)

__all__ = ["biject_to", "transform_to"]


def _is(bound: Any, value: float) -> bool:
    return bool(np.all(np.asarray(bound) == value))


def _greater_than(c: _GreaterThan) -> Transform:
    if _is(c.lower_bound, 0.0):
        return ExpTransform()
    return ComposeTransform([ExpTransform(), AffineTransform(c.lower_bound, 1.0)])


def _less_than(c: _LessThan) -> Transform:
    return ComposeTransform([ExpTransform(), AffineTransform(c.upper_bound, -1.0)])


def _interval(c: _Interval) -> Transform:
    if _is(c.lower_bound, 0.0) and _is(c.upper_bound, 1.0):
        return SigmoidTransform()
    return ComposeTransform([SigmoidTransform(),
                             AffineTransform(c.lower_bound, c.upper_bound - c.lower_bound)])


def _independent(c: _Independent, where: str) -> Transform:
    return IndependentTransform(_find(c.base_constraint, where), c.reinterpreted_batch_ndims)


def _cat(c: _Cat, where: str) -> Transform:
    return CatTransform([_find(part, where) for part in c.cseq], c.dim, c.lengths)


def _stack(c: _Stack, where: str) -> Transform:
    return StackTransform([_find(part, where) for part in c.cseq], c.dim)


_Rule = Callable[[Any], Transform]
_RULES: dict[type, _Rule] = {
    _Real: lambda c: ComposeTransform([]), _GreaterThan: _greater_than,
    _GreaterThanEq: _greater_than,
    _LessThan: _less_than, _Interval: _interval, _HalfOpenInterval: _interval,
    _CorrCholesky: lambda c: CorrCholeskyTransform()}
_BIJECT_ONLY: dict[type, _Rule] = {_Simplex: lambda c: StickBreakingTransform()}
_TRANSFORM_ONLY: dict[type, _Rule] = {
    _Simplex: lambda c: SoftmaxTransform(), _LowerCholesky: lambda c: LowerCholeskyTransform(),
    _PositiveDefinite: lambda c: PositiveDefiniteTransform(),
    _PositiveSemidefinite: lambda c: PositiveDefiniteTransform()}
# the constraints made of others: their parts' transforms from the same registry
_COMBINED: dict[type, Callable[[Any, str], Transform]] = {
    _Independent: _independent, _Cat: _cat, _Stack: _stack}


def _find(constraint: Constraint, where: str) -> Transform:
    if type(constraint) in _COMBINED:
        return _COMBINED[type(constraint)](constraint, where)
    extra = _BIJECT_ONLY if where == "biject_to" else _TRANSFORM_ONLY
    rule = extra.get(type(constraint)) or _RULES.get(type(constraint))
    if rule is None:
        other = "transform_to" if where == "biject_to" else "biject_to"
        raise UnsupportedError(f"{where}: no transform onto {constraint!r} here; there is "
                               f"one for real, positive, greater_than, less_than, interval, "
                               f"half_open_interval, unit_interval, corr_cholesky, "
                               f"independent(...), cat(...) and stack(...) of those, and "
                               + ("simplex" if where == "biject_to"
                                  else "simplex, lower_cholesky, positive_definite and "
                                       "positive_semidefinite")
                               + f" (see {other} too)")
    return rule(constraint)


def biject_to(constraint: Constraint) -> Transform:
    """A bijection from the reals (of the constraint's event) onto ``constraint``'s set."""
    return _find(constraint, "biject_to")


def transform_to(constraint: Constraint) -> Transform:
    """A transform from the reals onto ``constraint``'s set, not always one to one."""
    return _find(constraint, "transform_to")
