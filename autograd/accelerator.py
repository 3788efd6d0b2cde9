"""``autograd.accelerator``: PyTorch's device-neutral ``torch.accelerator`` test, answered
for an engine that computes with NumPy on the CPU, so ``use_accel = not args.no_accel and
torch.accelerator.is_available()`` (pytorch/examples' scripts) is written as it is. Every
other name under it is a ``MissingNameError`` saying so."""

from __future__ import annotations

from .errors import module_attribute_error

__all__ = ["is_available", "device_count", "current_accelerator"]

_CPU = ("this engine computes with NumPy on the CPU, and autograd.accelerator has only "
        "is_available() (False), device_count() (0) and current_accelerator() (None): "
        "write device = 'cpu'")


def is_available() -> bool:
    """Whether an accelerator (a GPU, MPS, ...) can be used: never here (False)."""
    return False


def device_count() -> int:
    """The number of accelerator devices: 0."""
    return 0


def current_accelerator(check_available: bool = False) -> None:
    """The accelerator's device: None, as PyTorch's when there is none."""
    return None


def __getattr__(name: str) -> object:
    """Any other ``torch.accelerator`` name: a ``MissingNameError`` (an AttributeError)."""
    raise module_attribute_error("autograd.accelerator", name, _CPU)
