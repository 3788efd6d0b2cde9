"""Hooks for every module at once, PyTorch's ``torch.nn.modules.module.register_module_*``
functions: a profiler, a shape logger or an activation recorder that should see each
module's call without registering on each one.

``register_module_forward_pre_hook(hook)`` and ``register_module_forward_hook(hook)``
(``with_kwargs=``, ``always_call=``) take the signatures of the module methods of the
same name and run, for every module call, before that module's own hooks (PyTorch's
order); so do ``register_module_full_backward_pre_hook`` and
``register_module_full_backward_hook``. The registration hooks
``register_module_parameter_registration_hook``, ``..._buffer_registration_hook`` and
``..._module_registration_hook`` run ``hook(module, name, value)`` whenever a parameter,
a buffer or a sub-module is registered (``register_parameter``, ``self.w = Parameter(..)``,
``register_buffer``, ``add_module``...); a value one returns is registered instead (it
must be of the same kind). Each returns a ``RemovableHandle``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograd.errors import UsageError
from autograd.hooks import RemovableHandle

from .errors import ArgumentTypeError
from .hooks import ForwardHooks

__all__ = ["GLOBAL_HOOKS", "ANY_GLOBAL_HOOK", "register_module_forward_pre_hook",
           "register_module_forward_hook",
           "register_module_full_backward_pre_hook", "register_module_full_backward_hook",
           "register_module_parameter_registration_hook",
           "register_module_buffer_registration_hook",
           "register_module_module_registration_hook", "run_registration_hooks",
           "hooks_for"]

GLOBAL_HOOKS = ForwardHooks()  # the call hooks every module runs before its own
ANY_GLOBAL_HOOK: dict[int, None] = {}  # their ids: a module call tests this dict (fast)
_REGISTRATION: dict[str, dict[int, Callable]] = {"parameter": {}, "buffer": {}, "module": {}}


def _checked(caller: str, hook: Any, signature: str, **flags: Any) -> None:
    if not callable(hook):
        raise ArgumentTypeError(f"{caller}: the hook must be callable, e.g. a function "
                                f"hook({signature}); got {type(hook).__name__}")
    for name, value in flags.items():
        if not isinstance(value, bool):
            raise ArgumentTypeError(f"{caller}: {name} must be True or False; got {value!r}")


def _add_call_hook(kind: str, hook: Callable, with_kwargs: bool = False,
                   always_call: bool = False) -> RemovableHandle:
    return GLOBAL_HOOKS.add(getattr(GLOBAL_HOOKS, kind), hook, False, with_kwargs, always_call,
                            listed_in=ANY_GLOBAL_HOOK)


def register_module_forward_pre_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Call ``hook(module, args)`` before every module's forward (before its own
    pre-hooks); a value it returns replaces the inputs (a tuple, or one value)."""
    _checked("register_module_forward_pre_hook", hook, "module, args")
    return _add_call_hook("pre", hook)


def register_module_forward_hook(hook: Callable[..., Any], *, with_kwargs: bool = False,
                                 always_call: bool = False) -> RemovableHandle:
    """Call ``hook(module, args, output)`` after every module's forward (before its own
    forward hooks); a value it returns replaces the output. ``with_kwargs`` and
    ``always_call`` as in ``Module.register_forward_hook``."""
    _checked("register_module_forward_hook", hook, "module, args, output",
             with_kwargs=with_kwargs, always_call=always_call)
    return _add_call_hook("post", hook, with_kwargs, always_call)


def register_module_full_backward_pre_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """``Module.register_full_backward_pre_hook`` for every module (run first)."""
    _checked("register_module_full_backward_pre_hook", hook, "module, grad_output")
    return _add_call_hook("backward_pre", hook)


def register_module_full_backward_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """``Module.register_full_backward_hook`` for every module (run first)."""
    _checked("register_module_full_backward_hook", hook, "module, grad_input, grad_output")
    return _add_call_hook("backward", hook)


def _registration(kind: str, hook: Callable[..., Any]) -> RemovableHandle:
    _checked(f"register_module_{kind}_registration_hook", hook, f"module, name, {kind}")
    hooks = _REGISTRATION[kind]
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    return handle


def register_module_parameter_registration_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Call ``hook(module, name, param)`` whenever a module registers a Parameter; a
    Parameter it returns is registered instead."""
    return _registration("parameter", hook)


def register_module_buffer_registration_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Call ``hook(module, name, buffer)`` whenever a module registers or reassigns a
    buffer (a Tensor or None); a Tensor it returns is registered instead."""
    return _registration("buffer", hook)


def register_module_module_registration_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Call ``hook(module, name, submodule)`` whenever a module registers a sub-module; a
    Module it returns is registered instead."""
    return _registration("module", hook)


def run_registration_hooks(kind: str, module: Any, name: str, value: Any,
                           expected: type) -> Any:
    """``value`` after each registration hook of ``kind`` ("parameter", "buffer",
    "module"); a hook's return value must be an ``expected`` (or None: no change)."""
    for hook in list(_REGISTRATION[kind].values()):
        result = hook(module, name, value)
        if result is not None:
            if not isinstance(result, expected):
                raise UsageError(
                    f"a module {kind} registration hook must return None or a "
                    f"{expected.__name__}; {hook!r} returned {type(result).__name__} for "
                    f"'{name}'")
            value = result
    return value


def hooks_for(module: Any) -> ForwardHooks | None:
    """The call hooks ``module`` runs: the global ones first, then its own (None: none)."""
    own = module._hook_registry
    if not ANY_GLOBAL_HOOK:
        return own
    return GLOBAL_HOOKS if own is None else ForwardHooks.merged(GLOBAL_HOOKS, own)

