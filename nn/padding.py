"""Padding layers with PyTorch's names: ``ZeroPad2d``, ``ConstantPad1d``,
``ReflectionPad2d``, ``ReplicationPad1d``, ``CircularPad2d``... Each keeps ``padding`` as
PyTorch's flat tuple (pairs from the last axis backwards) and calls ``F.pad``.
"""

from __future__ import annotations

from typing import Any

from autograd import Tensor

from ._checks import is_integer, real_number
from .errors import ArgumentTypeError, ConfigError
from .functional.padding import pad
from .module import Module

__all__ = ["ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d",
           "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d",
           "CircularPad2d", "CircularPad3d"]


def _padding(owner: str, padding: Any, length: int) -> tuple[int, ...]:
    """``padding`` as a tuple of ``length`` ints: an int is used on every side."""
    if is_integer(padding):
        return (int(padding),) * length
    if not isinstance(padding, (tuple, list)) or not all(is_integer(p) for p in padding):
        raise ArgumentTypeError(f"{owner}: padding must be an int or a tuple of {length} "
                                f"ints; got {padding!r}")
    if len(padding) != length:
        raise ConfigError(f"{owner}: padding needs {length} ints, (before, after) for each "
                          f"of the last {length // 2} axes from the last one backwards; got "
                          f"{len(padding)}: {padding!r}")
    return tuple(int(p) for p in padding)


class _Pad(Module):
    """``F.pad(input, self.padding, self.mode)`` over the last ``axes`` axes."""

    mode = "constant"
    axes = 1

    def __init__(self, padding: int | tuple[int, ...]) -> None:
        super().__init__()
        self.padding = _padding(type(self).__name__, padding, 2 * self.axes)

    def forward(self, input: Any) -> Tensor:
        return pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPad(_Pad):
    """Padding with ``value``: ``F.pad(input, self.padding, "constant", self.value)``."""

    def __init__(self, padding: int | tuple[int, ...], value: float) -> None:
        super().__init__(padding)
        self.value = real_number(type(self).__name__, "value", value, finite=False)

    def forward(self, input: Any) -> Tensor:
        return pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPad):
    """The last axis padded with ``value`` on (left, right)."""
    axes = 1


class ConstantPad2d(_ConstantPad):
    """The last two axes padded with ``value`` on (left, right, top, bottom)."""
    axes = 2


class ConstantPad3d(_ConstantPad):
    """The last three axes padded with ``value`` on (left, right, top, bottom, front,
    back)."""
    axes = 3


class _ZeroPad(_ConstantPad):
    """Padding with zeros."""

    def __init__(self, padding: int | tuple[int, ...]) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad1d(_ZeroPad):
    """The last axis padded with zeros on (left, right)."""
    axes = 1


class ZeroPad2d(_ZeroPad):
    """The last two axes padded with zeros on (left, right, top, bottom)."""
    axes = 2


class ZeroPad3d(_ZeroPad):
    """The last three axes padded with zeros on (left, right, top, bottom, front, back)."""
    axes = 3


class ReflectionPad1d(_Pad):
    """Mirror padding (edge not repeated) of the last axis of (C, W) or (N, C, W)."""
    mode, axes = "reflect", 1


class ReflectionPad2d(_Pad):
    """Mirror padding of the last two axes of (C, H, W) or (N, C, H, W)."""
    mode, axes = "reflect", 2


class ReflectionPad3d(_Pad):
    """Mirror padding of the last three axes of (C, D, H, W) or (N, C, D, H, W)."""
    mode, axes = "reflect", 3


class ReplicationPad1d(_Pad):
    """The edge value repeated along the last axis of (C, W) or (N, C, W)."""
    mode, axes = "replicate", 1


class ReplicationPad2d(_Pad):
    """The edge values repeated along the last two axes of (C, H, W) or (N, C, H, W)."""
    mode, axes = "replicate", 2


class ReplicationPad3d(_Pad):
    """The edge values repeated along the last three axes of (C, D, H, W) or
    (N, C, D, H, W)."""
    mode, axes = "replicate", 3


class CircularPad1d(_Pad):
    """Wrap-around padding of the last axis of (C, W) or (N, C, W)."""
    mode, axes = "circular", 1


class CircularPad2d(_Pad):
    """Wrap-around padding of the last two axes of (C, H, W) or (N, C, H, W)."""
    mode, axes = "circular", 2


class CircularPad3d(_Pad):
    """Wrap-around padding of the last three axes of (C, D, H, W) or (N, C, D, H, W)."""
    mode, axes = "circular", 3
