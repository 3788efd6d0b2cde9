"""The base of ``torch.distributions.transforms``: ``Transform`` (subclass it with
``_call``, ``_inverse`` and ``log_abs_det_jacobian``), its inverse ``t.inv``,
``ComposeTransform(parts)`` and ``IndependentTransform(t, n)``; ``transforms`` re-exports
them with the concrete maps."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..creation import zeros_like
from ..errors import ShapeError, UnsupportedError, UsageError
from ..tensor import Tensor, as_tensor
from .constraints import Constraint, independent, real

__all__ = ["Transform", "ComposeTransform", "IndependentTransform", "identity_transform",
           "require_axes", "same_class", "same_values", "sum_rightmost"]


def require_axes(where: str, shape: tuple[int, ...], needed: int, event: str) -> None:
    """``ShapeError`` (PyTorch's ValueError 'Too few dimensions on input') unless ``shape``
    has at least ``needed`` axes; ``event`` says what its last ``needed`` axes hold."""
    if len(shape) < needed:
        axes = "axis" if needed == 1 else "axes"
        raise ShapeError(f"{where}: too few dimensions on input: expected at least {needed} "
                         f"{axes} ({event}), got shape {tuple(shape)}; give a value with "
                         f"those axes")


def sum_rightmost(value: Any, dim: int) -> Any:
    return value.sum(tuple(range(-dim, 0))) if dim > 0 else value


class Transform:
    """y = f(x), invertible when ``bijective``; ``domain`` and ``codomain`` are the
    constraints of x and y (their ``event_dim`` says how many rightmost axes one event
    has). ``cache_size=1`` keeps the last (x, y) pair so that ``inv(f(x))`` is ``x``
    itself. Subclasses define ``_call``, ``_inverse`` and ``log_abs_det_jacobian``."""

    bijective = False
    domain: Constraint = real
    codomain: Constraint = real

    def __init__(self, cache_size: int = 0) -> None:
        if cache_size not in (0, 1):
            raise UsageError(f"{type(self).__name__}: cache_size must be 0 or 1 (PyTorch's "
                             f"'cache_size must be 0 or 1'); got {cache_size!r}")
        self._cache_size = cache_size
        self._cached_x_y: tuple[Any, Any] | None = None
        self._inv: Transform | None = None

    @property
    def event_dim(self) -> int:
        """The rightmost axes of one event, when domain and codomain agree."""
        if self.domain.event_dim == self.codomain.event_dim:
            return self.domain.event_dim
        raise UsageError(f"{type(self).__name__}: event_dim is ambiguous (domain "
                         f"{self.domain.event_dim}, codomain {self.codomain.event_dim})")

    @property
    def sign(self) -> Any:
        """The sign of dy/dx of an elementwise map (1 increasing, -1 decreasing; a
        subclass sets it); ``UnsupportedError`` (PyTorch's NotImplementedError) here, for
        a map that is not elementwise."""
        raise UnsupportedError(f"{type(self).__name__} has no sign: it is defined only for "
                               f"an elementwise monotone map (a subclass sets sign = 1 or "
                               f"-1)")

    @property
    def inv(self) -> "Transform":
        """The inverse map x = f^-1(y) (``t.inv.inv`` is ``t``)."""
        if self._inv is None:
            self._inv = _InverseTransform(self)
        return self._inv

    def __eq__(self, other: object) -> bool:
        """PyTorch's ``==`` of transforms: here a transform equals only itself; those without
        parameters equal any of their class, the others compare their parameters.
        Transforms are unhashable, as PyTorch's."""
        return self is other

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __call__(self, x: Any) -> Tensor:
        """y = f(x) (the cached y when ``x`` is the cached x)."""
        if self._cache_size == 0:
            return self._call(x)
        if self._cached_x_y is not None and self._cached_x_y[0] is x:
            return self._cached_x_y[1]
        y = self._call(x)
        self._cached_x_y = x, y
        return y

    def _inv_call(self, y: Any) -> Tensor:
        """x = f^-1(y) (the cached x when ``y`` is the cached y)."""
        if self._cache_size == 0:
            return self._inverse(y)
        if self._cached_x_y is not None and self._cached_x_y[1] is y:
            return self._cached_x_y[0]
        x = self._inverse(y)
        self._cached_x_y = x, y
        return x

    def _call(self, x: Any) -> Tensor:
        raise UsageError(f"{type(self).__name__} defines no _call(x): a Transform subclass "
                         f"defines _call, _inverse and log_abs_det_jacobian")

    def _inverse(self, y: Any) -> Tensor:
        raise UsageError(f"{type(self).__name__} defines no _inverse(y): it is not "
                         f"invertible here (define _inverse, or set cache_size=1 and "
                         f"invert only values it produced)")

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        """log|det dy/dx|, one per event."""
        raise UsageError(f"{type(self).__name__} defines no log_abs_det_jacobian(x, y)")

    def forward_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """The shape of f(x) for x of ``shape`` (the same here)."""
        return tuple(shape)

    def inverse_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """The shape of f^-1(y) for y of ``shape`` (the same here)."""
        return tuple(shape)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def same_class(self: Transform, other: object) -> bool:
    """``==`` of a transform without parameters: any transform of its class."""
    return isinstance(other, type(self))


def same_values(a: Any, b: Any) -> bool:
    """Whether two parameters (numbers or Tensors) are equal in every entry."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return bool((as_tensor(a) == as_tensor(b)).all().item())
    return bool(np.all(np.asarray(a) == np.asarray(b)))


class _InverseTransform(Transform):
    """f^-1 of a Transform f: its call is f's inverse and vice versa."""

    def __init__(self, transform: Transform) -> None:
        super().__init__(transform._cache_size)
        self._inv = transform

    def __eq__(self, other: object) -> bool:
        """f^-1 == g^-1 when f == g."""
        return isinstance(other, _InverseTransform) and self._inv == other._inv

    @property
    def domain(self) -> Constraint:  # type: ignore[override]
        return self._inv.codomain

    @property
    def codomain(self) -> Constraint:  # type: ignore[override]
        return self._inv.domain

    @property
    def bijective(self) -> bool:  # type: ignore[override]
        return self._inv.bijective

    @property
    def sign(self) -> int:  # type: ignore[override]
        return self._inv.sign

    @property
    def inv(self) -> Transform:
        return self._inv

    def __call__(self, x: Any) -> Tensor:
        return self._inv._inv_call(x)

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        """-log|det df/dx| at x = f^-1(y)."""
        return -self._inv.log_abs_det_jacobian(y, x)

    def forward_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """f's inverse shape."""
        return self._inv.inverse_shape(shape)

    def inverse_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """f's forward shape."""
        return self._inv.forward_shape(shape)

    def __repr__(self) -> str:
        return f"{self._inv!r}.inv"


class ComposeTransform(Transform):
    """f_n(...f_2(f_1(x))) of ``parts`` [f_1, ..., f_n]; log|det| the sum of the parts',
    each summed over the axes its event lacks."""

    def __init__(self, parts: Any, cache_size: int = 0) -> None:
        super().__init__(cache_size)
        self.parts = list(parts)
        for part in self.parts:
            if not isinstance(part, Transform):
                raise UsageError(f"ComposeTransform: parts must be Transforms; got "
                                 f"{type(part).__name__}")

    def __eq__(self, other: object) -> bool:
        """Equal parts in the same order."""
        return isinstance(other, ComposeTransform) and self.parts == other.parts

    @property
    def domain(self) -> Constraint:  # type: ignore[override]
        if not self.parts:
            return real
        dim = max(p.domain.event_dim for p in self.parts)
        first = self.parts[0].domain
        return first if first.event_dim == dim else independent(
            first, dim - first.event_dim)

    @property
    def codomain(self) -> Constraint:  # type: ignore[override]
        if not self.parts:
            return real
        dim = max(p.codomain.event_dim for p in self.parts)
        last = self.parts[-1].codomain
        return last if last.event_dim == dim else independent(
            last, dim - last.event_dim)

    @property
    def bijective(self) -> bool:  # type: ignore[override]
        return all(p.bijective for p in self.parts)

    @property
    def sign(self) -> Any:  # type: ignore[override]
        """The product of the parts' signs (1 for no parts): -1 for a decreasing map."""
        sign: Any = 1
        for part in self.parts:
            sign = sign * part.sign
        return sign

    @property
    def inv(self) -> Transform:
        """The parts' inverses, last to first (made once: ``t.inv.inv`` is ``t``)."""
        if self._inv is None:
            inverse = ComposeTransform([p.inv for p in reversed(self.parts)])
            inverse._inv = self
            self._inv = inverse
        return self._inv

    def _call(self, x: Any) -> Tensor:
        for part in self.parts:
            x = part(x)
        return x

    def _inverse(self, y: Any) -> Tensor:
        for part in reversed(self.parts):
            y = part.inv(y)
        return y

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        """sum_k log|det J_k| at the intermediate values (0 for no parts)."""
        if not self.parts:
            return zeros_like(as_tensor(x))
        event_dim = self.domain.event_dim
        total: Any = 0.0
        for k, part in enumerate(self.parts):
            x_next = y if k == len(self.parts) - 1 else part(x)  # the last is y itself
            total = total + sum_rightmost(part.log_abs_det_jacobian(x, x_next),
                                           event_dim - part.domain.event_dim)
            x = x_next
        return total

    def forward_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """The parts' forward shapes, first to last (stick breaking adds an entry)."""
        for part in self.parts:
            shape = part.forward_shape(shape)
        return tuple(shape)

    def inverse_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """The parts' inverse shapes, last to first."""
        for part in reversed(self.parts):
            shape = part.inverse_shape(shape)
        return tuple(shape)

    def __repr__(self) -> str:
        return "ComposeTransform(" + ", ".join(repr(p) for p in self.parts) + ")"


identity_transform = ComposeTransform([])


class IndependentTransform(Transform):
    """``base_transform`` on each element, its last ``reinterpreted_batch_ndims`` axes read
    as one event: log|det| summed over them."""

    def __init__(self, base_transform: Transform, reinterpreted_batch_ndims: int,
                 cache_size: int = 0) -> None:
        super().__init__(cache_size)
        self.base_transform = base_transform
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims

    @property
    def domain(self) -> Constraint:  # type: ignore[override]
        return independent(self.base_transform.domain, self.reinterpreted_batch_ndims)

    @property
    def codomain(self) -> Constraint:  # type: ignore[override]
        return independent(self.base_transform.codomain, self.reinterpreted_batch_ndims)

    @property
    def bijective(self) -> bool:  # type: ignore[override]
        return self.base_transform.bijective

    @property
    def sign(self) -> Any:  # type: ignore[override]
        return self.base_transform.sign

    def _enough_axes(self, value: Any, event_dim: int) -> Tensor:
        """``value`` as a Tensor, refused (``ShapeError``, PyTorch's ValueError 'Too few
        dimensions on input') when it has fewer axes than one event."""
        value = as_tensor(value)
        if value.ndim < event_dim:
            raise ShapeError(f"IndependentTransform: too few dimensions on input: expected "
                             f"at least {event_dim} (its last {event_dim} axes are one "
                             f"event), got shape {value.shape}; give a value with the "
                             f"event's axes")
        return value

    def _call(self, x: Any) -> Tensor:
        return self.base_transform(self._enough_axes(x, self.domain.event_dim))

    def _inverse(self, y: Any) -> Tensor:
        return self.base_transform.inv(self._enough_axes(y, self.codomain.event_dim))

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        return sum_rightmost(self.base_transform.log_abs_det_jacobian(x, y),
                              self.reinterpreted_batch_ndims)

    def forward_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return self.base_transform.forward_shape(shape)

    def inverse_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return self.base_transform.inverse_shape(shape)

    def __repr__(self) -> str:
        return f"IndependentTransform({self.base_transform!r}, {self.reinterpreted_batch_ndims})"
