"""PyTorch's state-dict hooks of a module, inherited by ``Module``:

- ``register_state_dict_pre_hook(hook)``: ``hook(module, prefix, keep_vars)`` before the
  module's entries are saved by ``state_dict()``;
- ``register_state_dict_post_hook(hook)``: ``hook(module, state_dict, prefix,
  local_metadata)`` once the module's entries (its sub-modules' too) are in, to add, drop
  or change entries under ``prefix`` in place; it must return None;
- ``register_load_state_dict_pre_hook(hook)``: ``hook(module, state_dict, prefix,
  local_metadata, strict, missing_keys, unexpected_keys, error_msgs)`` before
  ``load_state_dict`` checks and loads, on a copy of the given dict it may edit (rename
  old keys); a message appended to ``error_msgs`` raises ``StateDictError``;
- ``register_load_state_dict_post_hook(hook)``: ``hook(module, incompatible_keys)`` after
  a load, with the ``LoadResult`` (``missing_keys``, ``unexpected_keys``); children's
  hooks run before their parent's, each seeing the keys found so far; it must return
  None. As in PyTorch,
  with such hooks ``strict`` is checked after them (a hook clearing the keys of an old
  checkpoint's extras lets a strict load pass), so the values are loaded before a
  ``StateDictError`` about the keys they left; without them a load is all or nothing.

PyTorch's private registrars are here too: ``_register_state_dict_hook(hook)``, a
post-hook that may also return a dict (at the root of the ``state_dict()`` call it
replaces the result; elsewhere only the module's later hooks see it, as in PyTorch), and
``_register_load_state_dict_pre_hook(hook, with_module=False)``, whose hook takes the
module first only ``with_module``.

Each returns a handle with ``.remove()``. A module without such hooks pays one attribute
test: they live in a dict created at the first registration. ``local_metadata`` is an
empty dict (this library keeps no versions per module)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

from autograd.errors import UsageError
from autograd.hooks import RemovableHandle

from ._checks import flag
from .errors import StateDictError

__all__ = ["StateDictHooks", "StateDictHookMethods", "save_by_module", "run_load_pre_hooks",
           "run_load_post_hooks", "has_state_dict_hooks"]


class StateDictHooks:
    """A module's state-dict hooks by kind, each a dict of handle id to hook (an object,
    not a dict, so that the parameter discovery does not walk into it)."""

    __slots__ = ("save_pre", "save_post", "load_pre", "load_post")

    def __init__(self) -> None:
        for kind in self.__slots__:
            setattr(self, kind, {})


class StateDictHookMethods:
    """The state-dict hook registration methods of ``Module``."""

    _state_dict_hook_registry: StateDictHooks | None = None

    def _add_state_dict_hook(self, kind: str, hook: Callable,
                             wrap: Callable[[Callable], Callable] | None = None
                             ) -> RemovableHandle:
        """Keep ``hook`` (as ``wrap(hook)`` if given) among the hooks of ``kind``."""
        if not callable(hook):
            raise UsageError(f"a state-dict hook must be a function; got {hook!r:.40}")
        if self._state_dict_hook_registry is None:
            object.__setattr__(self, "_state_dict_hook_registry", StateDictHooks())
        hooks = getattr(self._state_dict_hook_registry, kind)
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook if wrap is None else wrap(hook)
        return handle

    def register_state_dict_pre_hook(self, hook: Callable[..., None]) -> RemovableHandle:
        """Call ``hook(module, prefix, keep_vars)`` before this module's entries are saved."""
        return self._add_state_dict_hook("save_pre", hook)

    def register_state_dict_post_hook(self, hook: Callable[..., None]) -> RemovableHandle:
        """Call ``hook(module, state_dict, prefix, local_metadata)`` once this module's
        entries are saved; it edits ``state_dict`` in place and returns None."""
        return self._add_state_dict_hook("save_post", hook)

    def register_load_state_dict_pre_hook(self, hook: Callable[..., None]
                                          ) -> RemovableHandle:
        """Call ``hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)`` before loading; it may edit ``state_dict`` (a copy)."""
        return self._add_state_dict_hook("load_pre", hook)

    def register_load_state_dict_post_hook(self, hook: Callable[..., None]
                                           ) -> RemovableHandle:
        """Call ``hook(module, incompatible_keys)`` after every load into this module."""
        return self._add_state_dict_hook("load_post", hook)

    def _register_state_dict_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """PyTorch's private form of ``register_state_dict_post_hook``: ``hook(module,
        state_dict, prefix, local_metadata)`` may also return a dict, which replaces
        ``state_dict`` for this module's later hooks and, at the module ``state_dict()``
        is called on, as its result (PyTorch ignores it elsewhere)."""
        return self._add_state_dict_hook("save_post", hook, _MayReturnStateDict)

    def _register_load_state_dict_pre_hook(self, hook: Callable[..., None],
                                           with_module: bool = False) -> RemovableHandle:
        """PyTorch's private form of ``register_load_state_dict_pre_hook``: ``hook(
        state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
        error_msgs)``, with the module first only if ``with_module``."""
        with_module = flag("_register_load_state_dict_pre_hook", "with_module", with_module)
        return self._add_state_dict_hook("load_pre", hook,
                                         None if with_module else _WithoutModule)


class _MayReturnStateDict:
    """A state-dict post-hook of ``_register_state_dict_hook``: it may return a dict."""

    __slots__ = ("hook",)

    def __init__(self, hook: Callable[..., Any]) -> None:
        self.hook = hook

    def __call__(self, *args: Any) -> Any:
        return self.hook(*args)


class _WithoutModule:
    """A load pre-hook registered with ``with_module=False``: called without the module."""

    __slots__ = ("hook",)

    def __init__(self, hook: Callable[..., None]) -> None:
        self.hook = hook

    def __call__(self, module: Any, *args: Any) -> Any:
        return self.hook(*args)


def _hooks(module: Any, kind: str) -> list[Callable]:
    registry = getattr(module, "_state_dict_hook_registry", None)
    return [] if registry is None else list(getattr(registry, kind).values())


def has_state_dict_hooks(modules: list[tuple[str, Any]], *kinds: str) -> bool:
    """Whether any of ``(name, module)`` has a hook of one of ``kinds``."""
    return any(_hooks(m, kind) for _, m in modules for kind in kinds)


def save_by_module(modules: list[tuple[str, Any]], destination: MutableMapping[str, Any],
                   prefix: str, keep_vars: bool) -> MutableMapping[str, Any]:
    """PyTorch's ``state_dict`` walk over ``(path, module)`` in pre-order (a shared module
    under each of its names): a module's pre-hooks, its ``_save_to_state_dict(destination,
    its prefix, keep_vars)`` (an override runs), its sub-modules', then its post-hooks.
    Returns ``destination``, or the dict a post-hook of the first module (the root)
    registered with ``_register_state_dict_hook`` returned."""
    open_modules: list[tuple[str, Any]] = []
    result = destination
    for path, module in modules:
        at = prefix + (path + "." if path else "")
        while open_modules and not at.startswith(open_modules[-1][0]):
            _run_save_post(*open_modules.pop(), destination)
        for hook in _hooks(module, "save_pre"):
            hook(module, at, keep_vars)
        module._save_to_state_dict(destination, at, keep_vars)
        open_modules.append((at, module))
    while open_modules:  # the root's hooks run last: what they return is the result
        result = _run_save_post(*open_modules.pop(), destination)
    return result


def _run_save_post(at: str, module: Any, destination: MutableMapping[str, Any]
                   ) -> MutableMapping[str, Any]:
    """Run ``module``'s post-hooks; the state dict that is left (one that a hook of
    ``_register_state_dict_hook`` returned, else ``destination``)."""
    for hook in _hooks(module, "save_post"):
        result = hook(module, destination, at, {})
        if result is None:
            continue
        if not isinstance(hook, _MayReturnStateDict):
            raise UsageError(f"a state_dict post-hook of {type(module).__name__} must "
                             f"return None: it edits the state dict in place")
        if not isinstance(result, Mapping):
            raise UsageError(f"a state_dict hook of {type(module).__name__} "
                             f"(_register_state_dict_hook) returned a "
                             f"{type(result).__name__}: return None, or the state dict "
                             f"(a dict) to use instead")
        destination = result
    return destination


def run_load_pre_hooks(module: Any, state_dict: dict[str, Any], prefix: str,
                       errors: list[str]) -> None:
    """Run ``module``'s load pre-hooks on ``state_dict`` (a copy, edited in place)."""
    for hook in _hooks(module, "load_pre"):  # strict: True, as PyTorch passes to each module
        hook(module, state_dict, prefix, {}, True, [], [], errors)


def run_load_post_hooks(modules: list[tuple[str, Any]], strict: bool,
                        load: Callable[[bool], Any]) -> Any:
    """``load(strict)`` (the LoadResult); where modules have load post-hooks, PyTorch's
    order: ``load(False)``, then each module's hooks once its sub-modules' have run
    (children first), then the ``strict`` check of the keys they left, which raises
    ``StateDictError``. ``modules`` is ``(path, module)`` in pre-order. Each hook gets the
    one LoadResult, holding the keys PyTorch's walk has found by then: those of the modules
    before it in pre-order and of its own sub-tree (a hook may clear them)."""
    if not has_state_dict_hooks(modules, "load_post"):
        return load(strict)
    found = load(False)
    result = type(found)([], [])
    open_modules: list[tuple[str, Any]] = []
    for path, module in modules:
        while open_modules and not _inside(path, open_modules[-1][0]):
            _run_load_post(*open_modules.pop(), result)
        result.missing_keys.extend(_owned(found.missing_keys, path, modules))
        result.unexpected_keys.extend(_owned(found.unexpected_keys, path, modules))
        open_modules.append((path, module))
    while open_modules:
        _run_load_post(*open_modules.pop(), result)
    if strict and (result.missing_keys or result.unexpected_keys):
        owner = type(modules[0][1]).__name__
        raise StateDictError(
            f"load_state_dict into {owner}: the values were loaded, but the load post-hooks "
            f"left missing keys {list(result.missing_keys)} and unexpected keys "
            f"{list(result.unexpected_keys)}; clear them in a hook or load with strict=False",
            list(result.missing_keys), list(result.unexpected_keys), [])
    return result


def _inside(path: str, parent: str) -> bool:
    """Whether the module at ``path`` is in the sub-tree of the one at ``parent``."""
    return parent == "" or path.startswith(parent + ".")


def _owned(keys: list[str], path: str, modules: list[tuple[str, Any]]) -> list[str]:
    """The ``keys`` that PyTorch's walk finds at the module at ``path``: those whose
    deepest module (the longest dotted prefix naming one) is it."""
    paths = {p for p, _ in modules}

    def owner(key: str) -> str:
        parts = key.split(".")[:-1]
        while parts and ".".join(parts) not in paths:
            parts.pop()
        return ".".join(parts)
    return [key for key in keys if owner(key) == path]


def _run_load_post(path: str, module: Any, result: Any) -> None:
    for hook in _hooks(module, "load_post"):
        if hook(module, result) is not None:
            raise UsageError(f"a load_state_dict post-hook of {type(module).__name__} "
                             f"({path or 'the root'}) returned a value: it must return None "
                             f"(it may edit the incompatible keys' lists in place)")
