"""Transforms of a tensor's blocks and shape, as ``torch.distributions.transforms``':
``CatTransform(tseq, dim=0, lengths=None)`` (``tseq[i]`` on the i-th block of
``lengths[i]`` entries along ``dim``, joined as ``cat`` joins them),
``StackTransform(tseq, dim=0)`` (``tseq[i]`` on entry i along ``dim``, joined as
``stack``) and ``ReshapeTransform(in_shape, out_shape)`` (an event of ``in_shape``
reshaped to ``out_shape``, log|det| 0). ``biject_to``/``transform_to`` of
``constraints.cat``/``stack`` build the first two from the parts' transforms."""

from __future__ import annotations

import math
from typing import Any, Sequence

from ..creation import zeros
from ..errors import ShapeError, UsageError
from ..functions import cat, stack
from ..tensor import Tensor, as_tensor
from .constraint_base import dependent_property
from .constraint_cat_stack import cat as cat_constraint, stack as stack_constraint
from .constraints import Constraint, independent, real
from .transform_base import Transform, sum_rightmost

__all__ = ["CatTransform", "StackTransform", "ReshapeTransform"]


def _transforms(tseq: Sequence[Any], where: str) -> list[Transform]:
    """``tseq`` as a list of Transforms, else ``UsageError``."""
    tseq = list(tseq)
    for t in tseq:
        if not isinstance(t, Transform):
            raise UsageError(f"{where}: every element of tseq must be a Transform "
                             f"(PyTorch's AssertionError); got {type(t).__name__}")
    return tseq


def _axis(value: Any, dim: int, size: int, where: str) -> Tensor:
    """``value`` as a Tensor, ``ShapeError`` unless it has axis ``dim`` of ``size``."""
    value = as_tensor(value)
    if not -value.ndim <= dim < value.ndim:
        raise ShapeError(f"{where}: dim {dim} is out of range for a tensor with {value.ndim} "
                         f"dimensions; give a tensor that has axis {dim}")
    if value.shape[dim] != size:
        raise ShapeError(f"{where}: axis {dim} has {value.shape[dim]} entries, the "
                         f"transforms cover {size}; give a tensor with {size} entries "
                         f"along axis {dim}")
    return value


class CatTransform(Transform):
    """y = cat([f_i(x_i)], dim) for x_i the i-th block of ``lengths[i]`` entries of x along
    ``dim``; log|det| per block (each summed over the event axes it lacks), joined with
    ``cat`` when ``dim`` is a batch axis, summed when it lies inside the event."""

    def __init__(self, tseq: Sequence[Transform], dim: int = 0,
                 lengths: Sequence[int] | None = None, cache_size: int = 0) -> None:
        super().__init__(cache_size)
        self.transforms = _transforms(tseq, "CatTransform")
        self.lengths = [1] * len(self.transforms) if lengths is None else list(lengths)
        if len(self.lengths) != len(self.transforms):
            raise UsageError(f"CatTransform: lengths ({len(self.lengths)}) must match "
                             f"transforms ({len(self.transforms)}): one length each")
        self.dim = dim

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        """The largest of the parts' event dims."""
        return max(t.event_dim for t in self.transforms)

    @property
    def length(self) -> int:
        """The entries along ``dim``: the sum of ``lengths``."""
        return sum(self.lengths)

    @property
    def bijective(self) -> bool:  # type: ignore[override]
        return all(t.bijective for t in self.transforms)

    @dependent_property
    def domain(self) -> Constraint:  # type: ignore[override]
        return cat_constraint([t.domain for t in self.transforms], self.dim, self.lengths)

    @dependent_property
    def codomain(self) -> Constraint:  # type: ignore[override]
        return cat_constraint([t.codomain for t in self.transforms], self.dim, self.lengths)

    def _blocks(self, value: Any, what: str) -> list[Tensor]:
        """``value``'s blocks along ``dim``, one per transform."""
        value = _axis(value, self.dim, self.length, f"CatTransform ({what})")
        starts = [sum(self.lengths[:i]) for i in range(len(self.lengths))]
        return [value.narrow(self.dim, start, length)
                for start, length in zip(starts, self.lengths)]

    def _call(self, x: Any) -> Tensor:
        return cat([t(b) for t, b in zip(self.transforms, self._blocks(x, "x"))], self.dim)

    def _inverse(self, y: Any) -> Tensor:
        return cat([t.inv(b) for t, b in zip(self.transforms, self._blocks(y, "y"))],
                   self.dim)

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        """Each block's log|det| (summed to this event), joined or summed, as PyTorch's."""
        parts = [sum_rightmost(t.log_abs_det_jacobian(xb, yb), self.event_dim - t.event_dim)
                 for t, xb, yb in zip(self.transforms, self._blocks(x, "x"),
                                      self._blocks(y, "y"))]
        ndim = as_tensor(x).ndim
        dim = (self.dim - ndim if self.dim >= 0 else self.dim) + self.event_dim
        return cat(parts, dim) if dim < 0 else sum(parts)

    def __repr__(self) -> str:
        return f"CatTransform({self.transforms!r}, dim={self.dim}, lengths={self.lengths})"


class StackTransform(Transform):
    """y = stack([f_i(x_i)], dim) for x_i entry i of x along ``dim``; log|det| the parts',
    stacked along ``dim``."""

    def __init__(self, tseq: Sequence[Transform], dim: int = 0, cache_size: int = 0) -> None:
        super().__init__(cache_size)
        self.transforms = _transforms(tseq, "StackTransform")
        self.dim = dim

    @property
    def bijective(self) -> bool:  # type: ignore[override]
        return all(t.bijective for t in self.transforms)

    @dependent_property
    def domain(self) -> Constraint:  # type: ignore[override]
        return stack_constraint([t.domain for t in self.transforms], self.dim)

    @dependent_property
    def codomain(self) -> Constraint:  # type: ignore[override]
        return stack_constraint([t.codomain for t in self.transforms], self.dim)

    def _entries(self, value: Any, what: str) -> list[Tensor]:
        """``value``'s entries along ``dim``, one per transform."""
        value = _axis(value, self.dim, len(self.transforms), f"StackTransform ({what})")
        return [value.select(self.dim, i) for i in range(len(self.transforms))]

    def _call(self, x: Any) -> Tensor:
        return stack([t(e) for t, e in zip(self.transforms, self._entries(x, "x"))], self.dim)

    def _inverse(self, y: Any) -> Tensor:
        return stack([t.inv(e) for t, e in zip(self.transforms, self._entries(y, "y"))],
                     self.dim)

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        """The entries' log|det|, stacked along ``dim``."""
        return stack([t.log_abs_det_jacobian(xe, ye) for t, xe, ye in
                      zip(self.transforms, self._entries(x, "x"), self._entries(y, "y"))],
                     self.dim)

    def __repr__(self) -> str:
        return f"StackTransform({self.transforms!r}, dim={self.dim})"


def _event_split(value: Any, event: tuple[int, ...], what: str) -> tuple[Tensor, tuple]:
    """``value`` as a Tensor and its batch shape, ``ShapeError`` unless its last axes are
    ``event``."""
    value = as_tensor(value)
    batch = value.shape[:value.ndim - len(event)]
    if value.ndim < len(event) or value.shape[len(batch):] != event:
        raise ShapeError(f"ReshapeTransform: expected an {what} of shape (..., "
                         f"{', '.join(map(str, event))}) (its event); got {value.shape}")
    return value, batch


class ReshapeTransform(Transform):
    """An event of ``in_shape`` reshaped to ``out_shape`` (the same number of entries), the
    batch axes before it kept; log|det| = 0."""

    bijective = True

    def __init__(self, in_shape: Sequence[int], out_shape: Sequence[int],
                 cache_size: int = 0) -> None:
        self.in_shape, self.out_shape = tuple(in_shape), tuple(out_shape)
        if math.prod(self.in_shape) != math.prod(self.out_shape):
            raise ShapeError(f"ReshapeTransform: in_shape {self.in_shape} and out_shape "
                             f"{self.out_shape} have different numbers of elements "
                             f"(PyTorch's ValueError); give shapes of the same size")
        super().__init__(cache_size)

    @dependent_property
    def domain(self) -> Constraint:  # type: ignore[override]
        return independent(real, len(self.in_shape))

    @dependent_property
    def codomain(self) -> Constraint:  # type: ignore[override]
        return independent(real, len(self.out_shape))

    def _call(self, x: Any) -> Tensor:
        x, batch = _event_split(x, self.in_shape, "input")
        return x.reshape(batch + self.out_shape)

    def _inverse(self, y: Any) -> Tensor:
        y, batch = _event_split(y, self.out_shape, "output")
        return y.reshape(batch + self.in_shape)

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        """0 per event (a reshape keeps every entry)."""
        x, batch = _event_split(x, self.in_shape, "input")
        return zeros(batch, dtype=x.dtype)

    def forward_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """(..., *in_shape) to (..., *out_shape); ``ShapeError`` for another shape."""
        return _reshaped(tuple(shape), self.in_shape, self.out_shape)

    def inverse_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """(..., *out_shape) to (..., *in_shape); ``ShapeError`` for another shape."""
        return _reshaped(tuple(shape), self.out_shape, self.in_shape)

    def __repr__(self) -> str:
        return f"ReshapeTransform({self.in_shape}, {self.out_shape})"


def _reshaped(shape: tuple[int, ...], old: tuple[int, ...],
              new: tuple[int, ...]) -> tuple[int, ...]:
    """``shape`` with its last axes ``old`` replaced by ``new`` (PyTorch's messages)."""
    if len(shape) < len(old):
        raise ShapeError(f"ReshapeTransform: too few dimensions on input: {shape} has fewer "
                         f"than the event's {old}")
    cut = len(shape) - len(old)
    if shape[cut:] != old:
        raise ShapeError(f"ReshapeTransform: shape mismatch: expected {shape[cut:]} but got "
                         f"{old} (give a shape ending in {old})")
    return shape[:cut] + new
