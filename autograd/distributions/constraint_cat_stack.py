"""``constraints.cat(cseq, dim=0, lengths=None)`` and ``constraints.stack(cseq, dim=0)``,
as PyTorch's: a sequence of constraints, each checked on its own block of ``dim`` (of
``lengths[i]`` entries for ``cat``, one entry each for ``stack``), the checks joined as
``cat``/``stack`` join tensors; ``biject_to``/``transform_to`` map onto them with
``CatTransform``/``StackTransform``."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..errors import ShapeError, UnsupportedError, UsageError
from .constraint_base import Constraint

__all__ = ["cat", "stack"]


def _constraints(cseq: Sequence[Any], where: str) -> list[Constraint]:
    """``cseq`` as a list of Constraints, else ``UsageError``."""
    cseq = list(cseq)
    for c in cseq:
        if not isinstance(c, Constraint):
            raise UsageError(f"constraints.{where}: every element of cseq must be a "
                             f"Constraint (PyTorch's AssertionError); got "
                             f"{type(c).__name__}")
    return cseq


def _same_event_dims(cseq: list[Constraint], where: str) -> None:
    """``UnsupportedError`` (PyTorch's RuntimeError from joining the checks) unless every
    part has the same event_dim, so that their checks have one number of axes."""
    dims = [c.event_dim for c in cseq]
    if len(set(dims)) > 1:
        raise UnsupportedError(f"constraints.{where}.check: the parts' event dims {dims} "
                               f"differ, so their checks cannot be joined (PyTorch's "
                               f"RuntimeError too); check each block with its own constraint")


def _check_axis(value: np.ndarray, dim: int, size: int, where: str) -> None:
    """``ShapeError`` unless ``value`` has axis ``dim`` of ``size`` entries."""
    if not -value.ndim <= dim < value.ndim:
        raise ShapeError(f"constraints.{where}.check: dim {dim} is out of range for a value "
                         f"with {value.ndim} dimensions; give a value that has axis {dim}")
    if value.shape[dim] != size:
        raise ShapeError(f"constraints.{where}.check: axis {dim} of the value has "
                         f"{value.shape[dim]} entries, the constraints cover {size}; give "
                         f"a value with {size} entries along axis {dim}")


class _Parts(Constraint):
    """A constraint made of the constraints ``cseq``: discrete if any part is."""
    cseq: list[Constraint]

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        return any(c.is_discrete for c in self.cseq)


class _Cat(_Parts):
    """``cseq[i]`` on the i-th block of ``lengths[i]`` entries along ``dim`` (1 each when
    ``lengths`` is None): ``check`` joins the blocks' checks with ``cat`` along ``dim``.
    ``event_dim`` is the largest of the parts'."""

    def __init__(self, cseq: Sequence[Constraint], dim: int = 0,
                 lengths: Sequence[int] | None = None) -> None:
        self.cseq = _constraints(cseq, "cat")
        self.lengths = [1] * len(self.cseq) if lengths is None else list(lengths)
        if len(self.lengths) != len(self.cseq):
            raise UsageError(f"constraints.cat: lengths ({len(self.lengths)}) must match "
                             f"cseq ({len(self.cseq)}): give one length per constraint")
        self.dim = dim

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        return max(c.event_dim for c in self.cseq)

    def _inside(self, value: np.ndarray) -> np.ndarray:
        bounds = np.cumsum([0] + self.lengths)
        _check_axis(value, self.dim, int(bounds[-1]), "cat")
        _same_event_dims(self.cseq, "cat")
        checks = [np.asarray(c._inside(np.take(value, range(start, stop), axis=self.dim)))
                  for c, start, stop in zip(self.cseq, bounds[:-1], bounds[1:])]
        return np.concatenate(checks, axis=self.dim)


class _Stack(_Parts):
    """``cseq[i]`` on entry i along ``dim``: ``check`` joins the entries' checks with
    ``stack`` along ``dim``. ``event_dim`` is the largest of the parts', one more when
    ``dim`` falls inside the event (a negative ``dim`` past it)."""

    def __init__(self, cseq: Sequence[Constraint], dim: int = 0) -> None:
        self.cseq = _constraints(cseq, "stack")
        self.dim = dim

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        dim = max(c.event_dim for c in self.cseq)
        return dim + 1 if self.dim + dim < 0 else dim

    def _inside(self, value: np.ndarray) -> np.ndarray:
        _check_axis(value, self.dim, len(self.cseq), "stack")
        _same_event_dims(self.cseq, "stack")
        entries = [np.take(value, i, axis=self.dim) for i in range(value.shape[self.dim])]
        return np.stack([np.asarray(c._inside(v)) for v, c in zip(entries, self.cseq)],
                        axis=self.dim)


cat = _Cat
stack = _Stack
