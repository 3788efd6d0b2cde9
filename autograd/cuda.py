"""``autograd.cuda``: PyTorch's ``torch.cuda`` device test, answered for an engine that
computes with NumPy on the CPU, so ``device = 'cuda' if torch.cuda.is_available() else
'cpu'`` is written as it is. Every other name under it is a ``MissingNameError`` saying
so (and what to write instead)."""

from __future__ import annotations

from .errors import MissingNameError

__all__ = ["is_available", "device_count"]

_CPU = ("this engine computes with NumPy on the CPU, and autograd.cuda has only "
        "is_available() (False) and device_count() (0): write device = 'cpu'")
_HINTS = {
    "manual_seed": "there is no GPU generator to seed: autograd.manual_seed(n) seeds every "
                   "draw here",
    "amp": "there is no mixed precision here: write ctx = contextlib.nullcontext() for "
           "autocast, and loss.backward(); optimizer.step() for a GradScaler"}
_HINTS["manual_seed_all"] = _HINTS["manual_seed"]


def is_available() -> bool:
    """Whether a CUDA device can be used: never here (False)."""
    return False


def device_count() -> int:
    """The number of CUDA devices: 0."""
    return 0


def __getattr__(name: str) -> object:
    """Any other ``torch.cuda`` name: a ``MissingNameError`` (an AttributeError)."""
    if name.startswith("_"):  # Python's own look-ups (__path__, __wrapped__...)
        raise AttributeError(f"module 'autograd.cuda' has no attribute {name!r}")
    raise MissingNameError(f"module 'autograd.cuda' has no attribute {name!r}: "
                           f"{_HINTS.get(name, _CPU)}")
