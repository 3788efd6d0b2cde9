"""``autograd.jit``: PyTorch's ``torch.jit`` annotations, which TorchScript-ready models
carry (timm's ``VisionTransformer``: ``@torch.jit.ignore`` on ``no_weight_decay``,
``fused_attn: torch.jit.Final[bool]``, ``if torch.jit.is_scripting():``). Nothing is ever
compiled here, so they behave as PyTorch's do outside a scripted model: the decorators
return the function unchanged, the checks are False, ``Final`` is ``typing.Final``.
Compiling (``script``, ``trace``) is an ``UnsupportedError``; other names a
``MissingNameError``."""

from __future__ import annotations

from typing import Any, Callable, Final  # Final: typing's, as torch.jit.Final is

from .errors import UnsupportedError, module_attribute_error

__all__ = ["ignore", "unused", "export", "is_scripting", "is_tracing", "Final", "script",
           "trace"]

_EAGER = ("there is no compiler here: the engine runs each op eagerly with NumPy; call the "
          "model or function itself (drop the line)")


def ignore(drop: Any = False, **kwargs: Any) -> Any:
    """``@jit.ignore`` or ``@jit.ignore(drop=True)``: the function unchanged (it is left
    to Python, as everything is here)."""
    if callable(drop):
        return drop
    return lambda fn: fn


def unused(fn: Callable) -> Callable:
    """``@jit.unused``: the function unchanged."""
    return fn


def export(fn: Callable) -> Callable:
    """``@jit.export``: the function unchanged."""
    return fn


def is_scripting() -> bool:
    """Whether the code runs compiled by TorchScript: never here (False)."""
    return False


def is_tracing() -> bool:
    """Whether the code runs under ``jit.trace``: never here (False)."""
    return False


def script(obj: Any, *args: Any, **kwargs: Any) -> Any:
    """Refused: ``torch.jit.script`` compiles to TorchScript; nothing compiles here."""
    raise UnsupportedError(f"jit.script: {_EAGER}")


def trace(func: Any, *args: Any, **kwargs: Any) -> Any:
    """Refused: ``torch.jit.trace`` records a TorchScript graph; nothing compiles here."""
    raise UnsupportedError(f"jit.trace: {_EAGER}")


def __getattr__(name: str) -> object:
    """Any other ``torch.jit`` name: a ``MissingNameError`` (an AttributeError)."""
    raise module_attribute_error("autograd.jit", name, f"only the annotations "
                                 f"{', '.join(__all__[:6])} (no-ops) are here; {_EAGER}")

