"""``autograd.jit``: PyTorch's ``torch.jit`` annotations, which TorchScript-ready models
carry (timm's ``VisionTransformer``: ``@torch.jit.ignore`` on ``no_weight_decay``,
``fused_attn: torch.jit.Final[bool]``, ``if torch.jit.is_scripting():``). Nothing is ever
compiled here, so they behave as PyTorch's do outside a scripted model: the decorators
return the function unchanged, the checks are False, ``Final`` is ``typing.Final``.
``@jit.script`` on a plain function (Hugging Face's DeBERTa helpers) returns it unchanged,
as it computes the same, with PyTorch's deprecation warning; compiling anything else
(``script`` of a module, ``trace``) is an ``UnsupportedError``; other names a
``MissingNameError``."""

from __future__ import annotations

import types
import warnings
from typing import Any, Callable, Final  # Final: typing's, as torch.jit.Final is

from .errors import UnsupportedError, module_attribute_error

__all__ = ["ignore", "unused", "export", "is_scripting", "is_tracing", "Final", "script",
           "trace", "_overload_method", "_overload"]

_NO_COMPILER = "there is no compiler here: the engine runs each op eagerly with NumPy"
_EAGER = f"{_NO_COMPILER}; call the model or function itself (drop the line)"


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


def _overload_method(fn: Callable) -> Callable:
    """``@jit._overload_method``: the stub unchanged (torchvision's DenseNet declares its
    ``forward(self, input: List[Tensor])`` overloads so; the last ``def`` is the method)."""
    return fn


def _overload(fn: Callable) -> Callable:
    """``@jit._overload`` on a module-level function's typed stubs: unchanged."""
    return fn


def is_scripting() -> bool:
    """Whether the code runs compiled by TorchScript: never here (False)."""
    return False


def is_tracing() -> bool:
    """Whether the code runs under ``jit.trace``: never here (False)."""
    return False


def script(obj: Any, *args: Any, **kwargs: Any) -> Any:
    """``@jit.script`` on a plain function: the function unchanged (PyTorch's
    ``ScriptFunction`` computes what it computes), with PyTorch 2.13's DeprecationWarning.
    Anything else is refused: ``torch.jit.script`` of a module compiles a ScriptModule
    (``save``, ``graph``, ``code``); nothing compiles here."""
    if isinstance(obj, types.FunctionType):
        warnings.warn("`torch.jit.script` is deprecated. Please switch to `torch.compile` "
                      "or `torch.export`. (Here the function runs unchanged.)",
                      DeprecationWarning, stacklevel=2)
        return obj
    raise UnsupportedError(f"jit.script: {_EAGER}")


def trace(func: Any, *args: Any, **kwargs: Any) -> Any:
    """Refused: ``torch.jit.trace`` records a TorchScript graph; nothing compiles here."""
    raise UnsupportedError(f"jit.trace: {_EAGER}")


# Names whose lines are written differently rather than dropped (PlaNet's models are
# ``class TransitionModel(jit.ScriptModule)`` with ``@jit.script_method def forward``).
_HOW_TO_WRITE = {
    "ScriptModule": "subclass nn.Module instead (the same module, run eagerly)",
    "script_method": "drop the decorator (the method runs as written), and subclass "
                     "nn.Module instead of jit.ScriptModule",
}


def __getattr__(name: str) -> object:
    """Any other ``torch.jit`` name: a ``MissingNameError`` (an AttributeError)."""
    if name in _HOW_TO_WRITE:
        raise module_attribute_error("autograd.jit", name,
                                     f"{_NO_COMPILER}; {_HOW_TO_WRITE[name]}")
    raise module_attribute_error("autograd.jit", name, f"only the annotations "
                                 f"{', '.join(__all__[:6])} (no-ops) are here; {_EAGER}")

