"""``autograd.backends``: PyTorch's ``torch.backends.mps`` device test, answered for an
engine that computes with NumPy on the CPU (no Apple GPU), so the tutorials' device line
``"cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available()
else "cpu"`` is written as it is. The other backends are switches (cuDNN, TF32 matmuls)
with no meaning here: their names are a ``MissingNameError`` saying to drop the line."""

from __future__ import annotations

import types

from .errors import module_attribute_error

__all__ = ["mps"]

_SWITCHES = ("torch.backends' switches (TF32 matmuls, cuDNN) are GPU settings with no "
             "meaning here: drop the line (backends.mps.is_available() is False)")


def _false() -> bool:
    """No Apple GPU here: False."""
    return False


mps = types.SimpleNamespace(is_available=_false, is_built=_false)
mps.__doc__ = "torch.backends.mps's device tests: is_available() and is_built() are False."


def __getattr__(name: str) -> object:
    """Any other ``torch.backends`` name: a ``MissingNameError`` (an AttributeError)."""
    raise module_attribute_error("autograd.backends", name, _SWITCHES)
