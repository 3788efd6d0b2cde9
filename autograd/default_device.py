"""``autograd.set_default_device`` / ``get_default_device``: PyTorch's, so a program's
``torch.set_default_device(device)`` (the neural style transfer tutorial's, after
``device = torch.device("cuda" if torch.cuda.is_available() else "cpu")``) runs as it is.
The CPU is the only device here and so always the default: setting it (or None, PyTorch's
reset) does nothing; another device is the ``UsageError`` of ``x.to('cuda')``."""

from __future__ import annotations

from typing import Any

from .devices import device
from .torch_shapes import check_device

__all__ = ["set_default_device", "get_default_device"]


def set_default_device(device: Any) -> None:
    """Make ``device`` where new tensors go: ``"cpu"``, ``device("cpu")`` or None (the
    default) are accepted; any other device raises ``UsageError`` (no GPU here)."""
    check_device(device, f"autograd.set_default_device({device!r})")


def get_default_device() -> device:
    """The device new tensors are made on: always ``device(type='cpu')`` here."""
    return device("cpu")
