"""PyTorch's memory formats (``torch.preserve_format``, ``torch.contiguous_format``,
``torch.channels_last``...), for the ``memory_format=`` keyword of ``zeros_like``,
``empty_like``, ``clone``, ``contiguous``...: optimizers and layers copied from PyTorch
write ``torch.zeros_like(p, memory_format=torch.preserve_format)``.

A Tensor here holds a NumPy array, row-major (C order) whenever an op makes one, so
``preserve_format`` and ``contiguous_format`` ask for what happens anyway; the
channels-last layouts (a speed choice for convolutions on accelerators) are not offered,
and asking for one is a ``UsageError`` that says to drop the argument.
"""

from __future__ import annotations

from typing import Any

from .errors import UsageError

__all__ = ["memory_format", "preserve_format", "contiguous_format", "channels_last",
           "channels_last_3d", "check_memory_format", "is_channels_last"]


class memory_format:  # noqa: N801 (PyTorch's name: torch.memory_format)
    """One of PyTorch's memory formats, by name (``autograd.preserve_format``...)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"autograd.{self.name}"


preserve_format = memory_format("preserve_format")
contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")


def check_memory_format(value: Any, owner: str) -> None:
    """Accept None, ``preserve_format`` and ``contiguous_format`` (what every Tensor
    here has); refuse the others with a ``UsageError`` naming ``owner``."""
    if value is None or value is preserve_format or value is contiguous_format:
        return
    if value is channels_last or value is channels_last_3d:
        raise UsageError(
            f"{owner}(memory_format={value!r}): the channels-last layouts are not offered; "
            "tensors here are NumPy arrays in row-major (C) order, which every op takes. "
            "Drop memory_format (or pass autograd.contiguous_format)")
    raise UsageError(f"{owner}: memory_format must be autograd.preserve_format or "
                     f"autograd.contiguous_format (PyTorch's torch.memory_format values); "
                     f"got {value!r}")


_CHANNELS_LAST_ORDER = {channels_last: (4, (1, 3, 2, 0)), channels_last_3d: (5, (1, 4, 3, 2, 0))}


def is_channels_last(shape: tuple[int, ...], strides: tuple[int, ...], value: Any) -> bool:
    """PyTorch's ``is_contiguous(memory_format=channels_last)`` (or ``_3d``) for element
    ``strides``: an (N, C, H, W) tensor (N, C, D, H, W) laid out with C fastest, then W,
    H (D), N, no gaps; axes of size 1 may have any stride. False for another ndim."""
    ndim, order = _CHANNELS_LAST_ORDER[value]
    if len(shape) != ndim:
        return False
    expected = 1
    for axis in order:
        if shape[axis] != 1:
            if strides[axis] != expected:
                return False
            expected *= shape[axis]
    return True
