"""The base of ``constraints``: ``Constraint`` (subclass it with ``_inside(value)`` and
``event_dim``), the helpers its subclasses share, and PyTorch's placeholders for a set
that depends on other values: ``dependent`` (``dependent(is_discrete=..., event_dim=...)``),
``dependent_property`` (a property that reads as such a placeholder on the class) and
``is_dependent(c)``. ``constraints`` re-exports them with the concrete sets."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..errors import ShapeError, UnsupportedError, UsageError
from ..tensor import Tensor

__all__ = ["Constraint", "dependent", "dependent_property", "is_dependent"]


def _array(value: Any) -> np.ndarray:
    """The NumPy array behind ``value`` (a Tensor, an array or a number)."""
    return np.asarray(value.data if isinstance(value, Tensor) else value)


def _bound(bound: Any) -> Any:
    """A bound as a plain number (for a repr and a comparison) or a NumPy array."""
    array = _array(bound)
    return array.item() if array.ndim == 0 else array


def _shown(bound: Any) -> str:
    """A bound in a repr: the number, or the shape of an array of them."""
    return f"{bound}" if np.ndim(bound) == 0 else f"<array of shape {np.shape(bound)}>"


class Constraint:
    """A set of values: ``check(value)`` is True where ``value`` lies in it. ``event_dim``
    is how many rightmost axes make one event (1 for a probability vector); ``is_discrete``
    is True for sets of integers."""

    is_discrete = False
    event_dim = 0

    def _inside(self, value: np.ndarray) -> np.ndarray:
        raise UnsupportedError(f"{type(self).__name__} defines no check: a Constraint "
                               f"subclass defines _inside(value), True inside the set")

    def check(self, value: Any) -> Tensor:
        """A bool Tensor: True where ``value`` lies in the set (one per event);
        ``ShapeError`` if ``value`` has fewer axes than one event (PyTorch's ValueError)."""
        array = _array(value)
        if array.ndim < self.event_dim:
            raise ShapeError(f"{self!r}.check: expected a value with at least "
                             f"{self.event_dim} dimension(s) (one event of this constraint); "
                             f"got shape {array.shape}: give a value whose last {self.event_dim} "
                             f"axes hold one event")
        with np.errstate(invalid="ignore"):
            return Tensor(np.asarray(self._inside(array), dtype=bool))

    def __repr__(self) -> str:
        return f"{type(self).__name__.lstrip('_')}()"


class _Dependent(Constraint):
    """A placeholder for a set that depends on other values (a Uniform's [low, high]):
    ``check`` cannot tell (``UsageError``, PyTorch's ValueError); ``is_discrete`` and
    ``event_dim`` are known only when given (else ``UnsupportedError``, PyTorch's
    NotImplementedError)."""

    def __init__(self, *, is_discrete: Any = NotImplemented,
                 event_dim: Any = NotImplemented) -> None:
        self._is_discrete = is_discrete
        self._event_dim = event_dim

    def _static(self, name: str, value: Any) -> Any:
        if value is NotImplemented:
            raise UnsupportedError(f"{self!r}.{name} cannot be determined statically (a "
                                   f"dependent constraint); give it, as "
                                   f"constraints.dependent({name}=...)")
        return value

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        return self._static("is_discrete", self._is_discrete)

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        return self._static("event_dim", self._event_dim)

    def __call__(self, *, is_discrete: Any = NotImplemented,
                 event_dim: Any = NotImplemented) -> "_Dependent":
        """A dependent constraint with these static attributes (the others kept)."""
        if is_discrete is NotImplemented:
            is_discrete = self._is_discrete
        if event_dim is NotImplemented:
            event_dim = self._event_dim
        return _Dependent(is_discrete=is_discrete, event_dim=event_dim)

    def _inside(self, value: np.ndarray) -> np.ndarray:
        """Always ``UsageError``: the set is not known without the values it depends on."""
        raise UsageError(f"{self!r}.check: cannot determine validity of a dependent "
                         f"constraint; check against the constraint an instance gives "
                         f"(its property read on the object)")

    def check(self, value: Any) -> Tensor:
        """Always ``UsageError`` (no shape check first: its event_dim may be unknown)."""
        return self._inside(_array(value))


class _DependentProperty(property, _Dependent):
    """A ``property`` that reads as a ``dependent`` placeholder on the class (so
    ``Uniform.support`` is a constraint) and as the function's value on an object;
    ``dependent_property(is_discrete=..., event_dim=...)`` makes a decorator."""

    def __init__(self, fn: Callable[..., Any] | None = None, *,
                 is_discrete: Any = NotImplemented, event_dim: Any = NotImplemented) -> None:
        property.__init__(self, fn)
        _Dependent.__init__(self, is_discrete=is_discrete, event_dim=event_dim)

    def __call__(self, fn: Callable[..., Any]) -> "_DependentProperty":  # type: ignore[override]
        """The decorator's use: ``fn`` as a dependent property with these attributes."""
        return _DependentProperty(fn, is_discrete=self._is_discrete,
                                  event_dim=self._event_dim)


def is_dependent(constraint: Any) -> bool:
    """Whether ``constraint`` is a ``dependent`` placeholder (or a dependent property)."""
    return isinstance(constraint, _Dependent)


dependent = _Dependent()
dependent_property = _DependentProperty
