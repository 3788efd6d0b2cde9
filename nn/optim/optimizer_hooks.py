"""Optimizer hooks with PyTorch's signatures.

- ``register_step_pre_hook(hook)``: ``hook(optimizer, args, kwargs)`` before each
  ``step``; ``args`` starts with the optimizer itself and ``kwargs`` are step's keyword
  arguments (as PyTorch's); returning ``(new_args, new_kwargs)`` replaces them.
- ``register_step_post_hook(hook)``: ``hook(optimizer, args, kwargs)`` after it.
- ``register_state_dict_pre_hook(hook)``: ``hook(optimizer)`` before ``state_dict()``;
  ``register_state_dict_post_hook(hook)``: ``hook(optimizer, state_dict)`` after it, may
  return a replacement.
- ``register_load_state_dict_pre_hook(hook)``: ``hook(optimizer, state_dict)`` before
  ``load_state_dict``, may return the state dict to load instead;
  ``register_load_state_dict_post_hook(hook)``: ``hook(optimizer)`` after it.

Each returns a handle whose ``remove()`` unregisters the hook. Hooks run in the order they
were registered (``prepend=True``, where PyTorch has it, puts one first). They wrap the
outermost call only: a subclass's ``step`` that calls ``super().step()`` runs them once.

``register_optimizer_step_pre_hook(hook)`` / ``register_optimizer_step_post_hook(hook)``
(PyTorch's ``torch.optim.optimizer`` functions, here also in ``nn.optim.optimizer``)
register a step hook for every optimizer, with the same signature; as in PyTorch, the
global pre-hooks run before an optimizer's own, the global post-hooks after its own.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from autograd.errors import UsageError

from ..hooks import RemovableHandle

__all__ = ["OptimizerHooks", "hooked", "register_optimizer_step_pre_hook",
           "register_optimizer_step_post_hook"]

KINDS = ("step_pre", "step_post", "state_dict_pre", "state_dict_post",
         "load_state_dict_pre", "load_state_dict_post")

# the hooks of every optimizer's step (id -> hook, in calling order)
_GLOBAL_STEP_HOOKS: dict[str, dict[int, Callable]] = {"step_pre": {}, "step_post": {}}


def register_optimizer_step_pre_hook(hook: Callable) -> RemovableHandle:
    """``hook(optimizer, args, kwargs)`` before the step of every optimizer (before its own
    pre-hooks); may return ``(new_args, new_kwargs)``. ``handle.remove()`` unregisters it."""
    return _add_global_hook("step_pre", hook)


def register_optimizer_step_post_hook(hook: Callable) -> RemovableHandle:
    """``hook(optimizer, args, kwargs)`` after the step of every optimizer (after its own
    post-hooks). ``handle.remove()`` unregisters it."""
    return _add_global_hook("step_post", hook)


def _add_global_hook(kind: str, hook: Callable) -> RemovableHandle:
    if not callable(hook):
        raise UsageError(f"register_optimizer_{kind}_hook needs a callable, got "
                         f"{type(hook).__name__}")
    hooks = _GLOBAL_STEP_HOOKS[kind]
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    return handle


class OptimizerHooks:
    """The ``register_*_hook`` methods of ``Optimizer``, and its ``__setstate__``."""

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore the attributes (``copy.deepcopy``, ``pickle``), as PyTorch's: a
        subclass's ``__setstate__`` calls ``super().__setstate__(state)`` and then fills
        new defaults (``group.setdefault('nesterov', False)``)."""
        self.__dict__.update(state)

    def _hooks(self, kind: str) -> dict[int, Callable]:
        """The hooks of ``kind`` (id -> hook, in calling order), created when first asked."""
        table = self.__dict__.setdefault("_optimizer_hooks", {})
        return table.setdefault(kind, {})

    def _add_hook(self, kind: str, hook: Callable, prepend: bool = False) -> RemovableHandle:
        if not callable(hook):
            raise UsageError(f"register_{kind}_hook needs a callable, got "
                             f"{type(hook).__name__}")
        hooks = self._hooks(kind)
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        if prepend:  # move it to the front, keeping the others' order
            for key in [k for k in hooks if k != handle.id]:
                hooks[key] = hooks.pop(key)
        return handle

    def register_step_pre_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` before each step; may return
        ``(new_args, new_kwargs)``."""
        return self._add_hook("step_pre", hook)

    def register_step_post_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` after each step."""
        return self._add_hook("step_post", hook)

    def register_state_dict_pre_hook(self, hook: Callable,
                                     prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer)`` before ``state_dict()``."""
        return self._add_hook("state_dict_pre", hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable,
                                      prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer, state_dict)`` after ``state_dict()``; may return a new one."""
        return self._add_hook("state_dict_post", hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable,
                                          prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer, state_dict)`` before loading; may return the dict to load."""
        return self._add_hook("load_state_dict_pre", hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable,
                                           prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer)`` after ``load_state_dict``."""
        return self._add_hook("load_state_dict_post", hook, prepend)


def _own_hooks(opt: Any, kind: str) -> list[Callable]:
    """The optimizer's own hooks of ``kind``, in calling order (none registered: [])."""
    return list(opt.__dict__.get("_optimizer_hooks", {}).get(kind, {}).values())


def _run_step(opt: Any, step: Callable, args: tuple, kwargs: dict) -> Any:
    args = (opt, *args)
    pre_hooks = [*_GLOBAL_STEP_HOOKS["step_pre"].values(), *_own_hooks(opt, "step_pre")]
    for hook in pre_hooks:
        result = hook(opt, args, kwargs)
        if result is not None:
            if not (isinstance(result, tuple) and len(result) == 2):
                raise UsageError(f"a step pre-hook of {type(opt).__name__} must return None "
                                 f"or a tuple (new_args, new_kwargs), got {result!r}")
            args, kwargs = result
    out = step(*args, **kwargs)
    post_hooks = [*_own_hooks(opt, "step_post"), *_GLOBAL_STEP_HOOKS["step_post"].values()]
    for hook in post_hooks:
        hook(opt, args, kwargs)
    return out


def _run_state_dict(opt: Any, method: Callable, args: tuple, kwargs: dict) -> Any:
    for hook in list(opt._hooks("state_dict_pre").values()):
        hook(opt)
    state_dict = method(opt, *args, **kwargs)
    for hook in list(opt._hooks("state_dict_post").values()):
        result = hook(opt, state_dict)
        state_dict = state_dict if result is None else result
    return state_dict


def _run_load_state_dict(opt: Any, method: Callable, args: tuple, kwargs: dict) -> Any:
    state_dict = kwargs.pop("state_dict") if "state_dict" in kwargs else args[0]
    for hook in list(opt._hooks("load_state_dict_pre").values()):
        result = hook(opt, state_dict)
        state_dict = state_dict if result is None else result
    method(opt, state_dict)
    for hook in list(opt._hooks("load_state_dict_post").values()):
        hook(opt)


RUNNERS = {"step": _run_step, "state_dict": _run_state_dict,
           "load_state_dict": _run_load_state_dict}


def hooked(method: Callable) -> Callable:
    """``method`` (``step``, ``state_dict`` or ``load_state_dict``) running its hooks, at
    the outermost call only; ``step`` also records that the optimizer has stepped (the
    schedulers warn when they are stepped before it)."""
    name, run = method.__name__, RUNNERS[method.__name__]

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        if name == "step":
            self._stepped = True
        if "_optimizer_hooks" not in self.__dict__ and not (  # no hook was ever registered
                name == "step" and any(_GLOBAL_STEP_HOOKS.values())):
            return method(self, *args, **kwargs)
        running = self.__dict__.setdefault("_hooks_running", set())
        if name in running:  # a super() call inside: the outer call runs the hooks
            return method(self, *args, **kwargs)
        running.add(name)
        try:
            return run(self, method, args, kwargs)
        finally:
            running.discard(name)

    wrapper._hooked = True  # type: ignore[attr-defined]
    return wrapper
