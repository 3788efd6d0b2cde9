"""PyTorch's ``torch._foreach_*_`` in-place list ops, as EMA code writes the update of a
target network (``torch._foreach_lerp_(ema_params, params, 1 - decay)``, or
``_foreach_mul_(ema_params, decay)`` then ``_foreach_add_(ema_params, params,
alpha=1 - decay)``, ``_foreach_copy_`` for buffers). PyTorch fuses them into one kernel;
here each runs the in-place method of its name on every tensor of the list, so each has
that method's rules (a leaf that requires grad is written under ``no_grad()``; the version
counter is bumped). ``self`` is a list or tuple of Tensors; ``other`` a number, a 0-d
tensor, or a list with one (number or tensor) per tensor; ``alpha`` goes with tensors
only. Each returns the list it was given (``self``), as PyTorch's."""

from __future__ import annotations

from typing import Any, Sequence

from .errors import ShapeError, UsageError
from .tensor import Tensor

__all__ = ["_foreach_add_", "_foreach_sub_", "_foreach_mul_", "_foreach_div_",
           "_foreach_lerp_", "_foreach_copy_", "_foreach_zero_"]


def tensor_list(op: str, tensors: Any, what: str = "self") -> list:
    """``tensors`` as a list, refused unless it is a list or tuple of Tensors (as
    PyTorch's; a single Tensor would otherwise be iterated row by row)."""
    if not isinstance(tensors, (list, tuple)):
        raise UsageError(f"{op}: {what} must be a list or tuple of Tensors; got a "
                         f"{type(tensors).__name__}. Wrap a single tensor in a list: [t]")
    others = sorted({type(t).__name__ for t in tensors if not isinstance(t, Tensor)})
    if others:
        raise UsageError(f"{op}: {what} must be a list or tuple of Tensors; it holds "
                         f"{', '.join(others)}. Make each entry a Tensor")
    return list(tensors)


def _each(op: str, tensors: Sequence[Tensor], other: Any) -> list:
    """``other`` once per tensor: a list as it is (the same length), a 0-d Tensor or a
    number repeated. A Tensor with axes is refused (PyTorch's rule): it would broadcast
    the same values into every tensor of the list."""
    if isinstance(other, (list, tuple)):
        if len(other) != len(tensors):
            raise ShapeError(f"{op}: the lists must be as long as each other; got "
                             f"{len(tensors)} tensors and {len(other)}")
        return list(other)
    if isinstance(other, Tensor) and other.ndim != 0:
        raise ShapeError(f"{op}: a single tensor operand is a scalar and must be 0-d (as "
                         f"PyTorch's); got shape {other.shape}. Pass a list with one tensor "
                         f"per tensor of the list, or a number")
    return [other] * len(tensors)


def check_alpha(op: str, other: Any, alpha: Any) -> None:
    """PyTorch takes ``alpha`` only with tensor operands (a list of them or a 0-d one);
    with numbers t + alpha * o is t + (alpha * o), so alpha there is refused, not
    guessed."""
    tensors = isinstance(other, Tensor) or (
        isinstance(other, (list, tuple)) and all(isinstance(o, Tensor) for o in other))
    if not tensors and alpha != 1:
        raise UsageError(f"{op}: alpha goes with tensors (a list of them or a 0-d one), as "
                         f"PyTorch's; got the number(s) {other!r} with alpha={alpha!r}. "
                         f"Multiply them first: {op}(tensors, alpha * scalar)")


def paired(op: str, tensors: Any, other: Any) -> zip:
    """(t, o) for each tensor t of the list ``tensors`` and its operand o (``_each``)."""
    tensors = tensor_list(op, tensors)
    return zip(tensors, _each(op, tensors, other))


def _foreach_add_(self: Sequence[Tensor], other: Any, *, alpha: Any = 1) -> Sequence[Tensor]:
    """t += alpha * o for each tensor t of the list and its o (``t.add_(o, alpha=...)``)."""
    check_alpha("_foreach_add_", other, alpha)
    for t, o in paired("_foreach_add_", self, other):
        t.add_(o, alpha=alpha)
    return self


def _foreach_sub_(self: Sequence[Tensor], other: Any, *, alpha: Any = 1) -> Sequence[Tensor]:
    """t -= alpha * o for each tensor t of the list and its o."""
    check_alpha("_foreach_sub_", other, alpha)
    for t, o in paired("_foreach_sub_", self, other):
        t.sub_(o, alpha=alpha)
    return self


def _foreach_mul_(self: Sequence[Tensor], other: Any) -> Sequence[Tensor]:
    """t *= o for each tensor t of the list and its o."""
    for t, o in paired("_foreach_mul_", self, other):
        t.mul_(o)
    return self


def _foreach_div_(self: Sequence[Tensor], other: Any) -> Sequence[Tensor]:
    """t /= o for each tensor t of the list and its o."""
    for t, o in paired("_foreach_div_", self, other):
        t.div_(o)
    return self


def _foreach_lerp_(self: Sequence[Tensor], tensors1: Sequence[Tensor],
                   weight: Any) -> Sequence[Tensor]:
    """t += weight * (end - t) for each tensor t of the list and its end."""
    name = "_foreach_lerp_"
    ends = tensor_list(name, tensors1, "tensors1")
    for (t, end), w in zip(paired(name, self, ends), _each(name, self, weight)):
        t.lerp_(end, w)
    return self


def _foreach_copy_(self: Sequence[Tensor], src: Sequence[Tensor]) -> Sequence[Tensor]:
    """t[...] = s for each tensor t of the list and its s."""
    for t, s in paired("_foreach_copy_", self, tensor_list("_foreach_copy_", src, "src")):
        t.copy_(s)
    return self


def _foreach_zero_(self: Sequence[Tensor]) -> Sequence[Tensor]:
    """t[...] = 0 for each tensor t of the list."""
    for t in tensor_list("_foreach_zero_", self):
        t.zero_()
    return self
