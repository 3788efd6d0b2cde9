"""The sets a distribution's parameters and values must lie in, with PyTorch's names
(``torch.distributions.constraints``): ``real``, ``positive``, ``nonnegative``,
``greater_than_eq(a)``, ``nonnegative_integer``, ``positive_integer``, ``unit_interval``,
``boolean``, ``simplex``, ``one_hot``, ``real_vector``, ``interval(a, b)``,
``integer_interval(a, b)``, ``greater_than(a)``, ``less_than(b)``, ``independent(c, n)``,
``positive_definite``, ``lower_cholesky``, ``corr_cholesky``, ``multinomial(n)``,
``square``, ``symmetric``, ``positive_semidefinite``, ``lower_triangular``,
``cat(cseq, dim, lengths)``, ``stack(cseq, dim)`` and the placeholders ``dependent``,
``dependent_property``, ``is_dependent(c)`` (``constraint_base``).

``c.check(value)`` is a bool Tensor saying, per element (per event when the constraint
covers the last ``event_dim`` axes), whether ``value`` lies in the set. Distributions check
their parameters and the values given to ``log_prob``/``cdf`` with them
(``validate_args``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import module_attribute_error
from .constraint_base import (Constraint, _bound, _shown, dependent, dependent_property,
                              is_dependent)
from .constraint_cat_stack import cat, stack

__all__ = ["Constraint", "real", "positive", "nonnegative", "greater_than_eq",
           "nonnegative_integer", "positive_integer", "unit_interval", "boolean", "simplex",
           "one_hot",
           "real_vector", "interval", "half_open_interval", "integer_interval", "greater_than",
           "less_than",
           "independent", "positive_definite", "lower_cholesky", "corr_cholesky", "multinomial",
           "square", "symmetric", "positive_semidefinite", "lower_triangular", "cat", "stack",
           "dependent", "dependent_property", "is_dependent"]


class _Real(Constraint):
    """Every real number (NaN is not one)."""

    def _inside(self, value: np.ndarray) -> np.ndarray:
        return value == value


class _GreaterThan(Constraint):
    """x > lower_bound."""

    def __init__(self, lower_bound: Any) -> None:
        self.lower_bound = _bound(lower_bound)

    def _inside(self, value: np.ndarray) -> np.ndarray:
        return value > self.lower_bound

    def __repr__(self) -> str:
        return f"GreaterThan(lower_bound={_shown(self.lower_bound)})"


class _GreaterThanEq(_GreaterThan):
    """x >= lower_bound."""

    def _inside(self, value: np.ndarray) -> np.ndarray:
        return value >= self.lower_bound

    def __repr__(self) -> str:
        return f"GreaterThanEq(lower_bound={_shown(self.lower_bound)})"


class _IntegerGreaterThan(_GreaterThan):
    """Integers >= lower_bound."""

    is_discrete = True

    def _inside(self, value: np.ndarray) -> np.ndarray:
        return (value % 1 == 0) & (value >= self.lower_bound)

    def __repr__(self) -> str:
        return f"IntegerGreaterThan(lower_bound={_shown(self.lower_bound)})"


class _LessThan(Constraint):
    """x < upper_bound."""

    def __init__(self, upper_bound: Any) -> None:
        self.upper_bound = _bound(upper_bound)

    def _inside(self, value: np.ndarray) -> np.ndarray:
        return value < self.upper_bound

    def __repr__(self) -> str:
        return f"LessThan(upper_bound={_shown(self.upper_bound)})"


class _Interval(Constraint):
    """lower_bound <= x <= upper_bound."""

    def __init__(self, lower_bound: Any, upper_bound: Any) -> None:
        self.lower_bound, self.upper_bound = _bound(lower_bound), _bound(upper_bound)

    def _inside(self, value: np.ndarray) -> np.ndarray:
        return (self.lower_bound <= value) & (value <= self.upper_bound)

    def __repr__(self) -> str:
        return (f"Interval(lower_bound={_shown(self.lower_bound)}, "
                f"upper_bound={_shown(self.upper_bound)})")


class _HalfOpenInterval(_Interval):
    """lower_bound <= x < upper_bound."""

    def _inside(self, value: np.ndarray) -> np.ndarray:
        return (self.lower_bound <= value) & (value < self.upper_bound)

    def __repr__(self) -> str:
        return "HalfOpen" + super().__repr__()


class _IntegerInterval(_Interval):
    """The integers lower_bound, ..., upper_bound (a float tensor of whole numbers too)."""

    is_discrete = True

    def _inside(self, value: np.ndarray) -> np.ndarray:
        return (value % 1 == 0) & super()._inside(value)

    def __repr__(self) -> str:
        return "Integer" + super().__repr__()


class _Boolean(Constraint):
    """0 and 1."""

    is_discrete = True

    def _inside(self, value: np.ndarray) -> np.ndarray:
        return (value == 0) | (value == 1)


class _Simplex(Constraint):
    """Vectors (the last axis) of non-negative entries summing to 1 (within 1e-6)."""

    event_dim = 1

    def _inside(self, value: np.ndarray) -> np.ndarray:
        return (value >= 0).all(axis=-1) & (np.abs(value.sum(axis=-1) - 1) < 1e-6)


class _OneHot(_Simplex):
    """Vectors (the last axis) of 0s and 1s with exactly one 1."""

    is_discrete = True

    def _inside(self, value: np.ndarray) -> np.ndarray:
        return ((value == 0) | (value == 1)).all(axis=-1) & (value.sum(axis=-1) == 1)


class _Multinomial(Constraint):
    """Count vectors (the last axis) of non-negative entries summing to at most
    ``upper_bound`` (PyTorch's check: whole numbers are not tested)."""

    is_discrete = True
    event_dim = 1

    def __init__(self, upper_bound: Any) -> None:
        self.upper_bound = _bound(upper_bound)

    def _inside(self, value: np.ndarray) -> np.ndarray:
        return (value >= 0).all(axis=-1) & (value.sum(axis=-1) <= self.upper_bound)

    def __repr__(self) -> str:
        return f"Multinomial(upper_bound={_shown(self.upper_bound)})"


class _Square(Constraint):
    """Square matrices (the last two axes): the same answer for every matrix of a value."""

    event_dim = 2

    def _inside(self, value: np.ndarray) -> np.ndarray:
        return np.full(value.shape[:-2], value.shape[-2] == value.shape[-1])


class _Symmetric(_Square):
    """Square matrices equal to their transpose (within PyTorch's isclose, atol 1e-6)."""

    def _inside(self, value: np.ndarray) -> np.ndarray:
        square = super()._inside(value)
        if not square.all():
            return square
        return np.isclose(value, np.swapaxes(value, -1, -2), atol=1e-6).all(axis=(-2, -1))


class _PositiveSemidefinite(_Symmetric):
    """Symmetric matrices whose eigenvalues are all >= 0."""

    def _smallest_inside(self, smallest: np.ndarray) -> np.ndarray:
        return smallest >= 0

    def _inside(self, value: np.ndarray) -> np.ndarray:
        symmetric = super()._inside(value)
        if not symmetric.any():
            return symmetric
        smallest = np.linalg.eigvalsh(np.where(symmetric[..., None, None], value, 1.0))
        return symmetric & self._smallest_inside(smallest[..., 0])


class _PositiveDefinite(_PositiveSemidefinite):
    """Symmetric matrices whose eigenvalues are all > 0."""

    def _smallest_inside(self, smallest: np.ndarray) -> np.ndarray:
        return smallest > 0


class _LowerTriangular(Constraint):
    """Lower-triangular matrices (the last two axes): zero above the diagonal."""

    event_dim = 2

    def _inside(self, value: np.ndarray) -> np.ndarray:
        return (np.tril(value) == value).all(axis=(-2, -1))


class _LowerCholesky(_LowerTriangular):
    """Lower-triangular matrices (the last two axes) with a positive diagonal."""

    def _inside(self, value: np.ndarray) -> np.ndarray:
        positive_diagonal = (np.diagonal(value, axis1=-2, axis2=-1) > 0).all(axis=-1)
        return super()._inside(value) & positive_diagonal


class _CorrCholesky(_LowerCholesky):
    """Lower Cholesky factors of correlation matrices: rows of unit Euclidean norm (within
    10 n eps, as PyTorch's), so L L^T has a unit diagonal."""

    def _inside(self, value: np.ndarray) -> np.ndarray:
        tolerance = np.finfo(value.dtype).eps * value.shape[-1] * 10
        unit_rows = (np.abs(np.linalg.norm(value, axis=-1) - 1) <= tolerance).all(axis=-1)
        return super()._inside(value) & unit_rows


class _Independent(Constraint):
    """``base`` on every element, checked per event of the last ``reinterpreted_batch_ndims``
    axes (an event is inside when all its elements are)."""

    def __init__(self, base: Constraint, reinterpreted_batch_ndims: int) -> None:
        self.base_constraint = base
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims
        self.is_discrete = base.is_discrete
        self.event_dim = base.event_dim + reinterpreted_batch_ndims

    def _inside(self, value: np.ndarray) -> np.ndarray:
        inside = self.base_constraint._inside(value)
        axes = tuple(range(-self.reinterpreted_batch_ndims, 0))
        return np.asarray(inside).all(axis=axes)

    def __repr__(self) -> str:
        return (f"IndependentConstraint({self.base_constraint!r}, "
                f"{self.reinterpreted_batch_ndims})")


real = _Real()
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
greater_than_eq = _GreaterThanEq
nonnegative_integer = _IntegerGreaterThan(0)
positive_integer = _IntegerGreaterThan(1)
unit_interval = _Interval(0.0, 1.0)
boolean = _Boolean()
simplex = _Simplex()
one_hot = _OneHot()
real_vector = _Independent(real, 1)
interval = _Interval
half_open_interval = _HalfOpenInterval
integer_interval = _IntegerInterval
greater_than = _GreaterThan
less_than = _LessThan
independent = _Independent
square = _Square()
symmetric = _Symmetric()
positive_semidefinite = _PositiveSemidefinite()
positive_definite = _PositiveDefinite()
lower_triangular = _LowerTriangular()
lower_cholesky = _LowerCholesky()
corr_cholesky = _CorrCholesky()
multinomial = _Multinomial


def __getattr__(name: str) -> object:
    """A constraint that is not here (PyTorch's ``MixtureSameFamilyConstraint``...):
    ``MissingNameError`` (an AttributeError) naming the ones that are."""
    raise module_attribute_error(
        __name__, name, f"the constraints here: {', '.join(__all__)}; for another set, "
        f"subclass Constraint with _inside(value) (True inside the set) and event_dim")
