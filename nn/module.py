"""``Module`` and ``Parameter`` (from ``parameter.py``): the building blocks of models.

A ``Parameter`` is a Tensor that requires grad. A ``Module`` finds its parameters, its
buffers and its sub-modules by itself: every attribute that is a ``Parameter`` or a
``Module``, or a list, tuple or dict holding them (``self.blocks = [Linear(..), ..]``
works, as do ``ModuleList`` and ``ModuleDict`` from ``nn.containers``). Buffers are
non-trainable arrays that belong to the model's state (BatchNorm's running statistics);
declare them with ``register_buffer``. Names are dotted paths in definition order
(``"blocks.0.weight"``).

Attributes are plain instance attributes (``self.weight`` in ``forward``: one dict
look-up); discovery walks them when asked, iteratively, each module once
(``parameters()``, ``named_modules()``...: ``nn/module_discovery.py``). Registering and
finding members by name (``register_buffer``, ``get_submodule``...):
``nn/module_registration.py``; forward hooks: ``nn/hooks.py``; dtype casts:
``nn/module_dtype.py``; PyTorch's ``_parameters``,
``_buffers`` and ``_modules`` dicts, as views: ``nn/module_members.py``.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any

import numpy as np

from autograd import Tensor, func
from autograd.errors import UsageError
from ._checks import flag, is_cpu
from .errors import ArgumentTypeError, StateDictError
from .global_hooks import ANY_GLOBAL_HOOK, hooks_for, run_registration_hooks
from .hooks import HookMethods
from .load_overrides import LoadOverrideMethods, run_load_overrides
from .module_discovery import (_BEHIND_METHODS, _BUFFER, _MODULE, _PARAM, _SLOTS,
                               DiscoveryMethods, _may_hold, _names_a_method,
                               _put_behind_method, _take_place, members_changed)
from .module_dtype import DtypeMethods
from .module_members import MemberDictMethods
from .module_registration import RegistrationMethods, as_buffer
from .parameter import Buffer, Parameter, forget_grad
from .state_dict import (ExtraStateMethods, LoadResult, extra_state_entries,
                         extra_state_setters, load_state)
from .state_dict_hooks import (StateDictHookMethods, has_state_dict_hooks,
                               run_load_post_hooks, save_by_module)

__all__ = ["Parameter", "Module", "StateDictError", "LoadResult", "functional_call"]

_SWITCHING = threading.local()  # .ids: the modules whose train(mode) runs (cycles)


class Module(DiscoveryMethods, RegistrationMethods, DtypeMethods, HookMethods, MemberDictMethods,
             LoadOverrideMethods, StateDictHookMethods, ExtraStateMethods):
    """Base class of layers and models: subclass it, call ``super().__init__()`` first,
    assign parameters and sub-modules as attributes, and define ``forward``.
    ``module(x)`` calls ``module.forward(x)`` (and the forward hooks, if any)."""

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_buffer_names", {})  # buffer name -> persistent

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; every subclass defines it."""
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._hook_registry is not None or ANY_GLOBAL_HOOK:  # hooks: see nn/hooks.py
            return hooks_for(self).call(self, args, kwargs)
        if len(args) == 1 and not kwargs:  # the common case without a *args call
            return self.forward(args[0])
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------ attributes
    def __setattr__(self, name: str, value: Any) -> None:
        own = self.__dict__
        member = _may_hold(value) or _may_hold(own.get(name)) or name in own.get(
            _BEHIND_METHODS, ())
        try:
            self._set_attribute(own, name, value)
        finally:
            if member:  # a member set, replaced or dropped: parameters() must look again
                members_changed()

    def _set_attribute(self, own: dict[str, Any], name: str, value: Any) -> None:
        """``self.<name> = value`` itself (``__setattr__`` notes the change), checked as
        PyTorch checks it (``RegistrationMethods._check_assignment``)."""
        member = isinstance(value, (Parameter, Module))
        if "_buffer_names" not in own and member:
            raise UsageError(
                f"cannot assign {type(value).__name__} '{name}' before Module.__init__(): "
                f"call super().__init__() first in {type(self).__name__}.__init__")
        if isinstance(value, Module) and _names_a_method(type(self), name) or (
                name in own.get(_BEHIND_METHODS, ()) and not isinstance(value, Parameter)):
            _put_behind_method(own, name, value)
            return
        if isinstance(value, Buffer):  # PyTorch's nn.Buffer: registered by assignment
            self.register_buffer(name, Tensor(value.data), value.persistent)
            return
        if name in own.get("_buffer_names", ()):
            if member:  # it replaces the buffer (PyTorch)
                self._check_assignment(own, name, value)
                del own["_buffer_names"][name]
            else:
                value = run_registration_hooks("buffer", self, name, as_buffer(name, value),
                                               Tensor)
        else:
            self._check_assignment(own, name, value)
        if isinstance(value, Parameter):  # the global registration hooks (PyTorch's)
            value = run_registration_hooks("parameter", self, name, value, Parameter)
        elif isinstance(value, Module):
            value = run_registration_hooks("module", self, name, value, Module)
        _take_place(own, name, value)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        try:
            if self.__dict__.get(_BEHIND_METHODS, {}).pop(name, None) is not None:
                return
            self.__dict__.get("_buffer_names", {}).pop(name, None)
            self.__dict__.get(_SLOTS, {}).pop(name, None)
            object.__delattr__(self, name)
        finally:
            members_changed()

    # ------------------------------------------------------------ modes and updates
    def train(self, mode: bool = True) -> "Module":
        """Set training mode (``mode=True``) or evaluation mode on this module, then call
        each child's ``train(mode)``, as PyTorch: an override in a submodule runs (loralib
        merges its weights there, detection code keeps BatchNorm in eval mode); returns
        self. Dropout and BatchNorm behave differently in the two modes."""
        if not isinstance(mode, bool):
            raise ArgumentTypeError(f"train(mode) needs a bool; got {type(mode).__name__}")
        switching = _SWITCHING.__dict__.setdefault("ids", set())
        if id(self) in switching:  # a child holding its parent: the parent is on its way
            return self
        switching.add(id(self))
        try:
            object.__setattr__(self, "training", mode)
            for child in self.children():
                child.train(mode)
        finally:
            switching.discard(id(self))
        return self

    def eval(self) -> "Module":
        """Evaluation mode: ``train(False)``."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient: ``grad = None``, or with
        ``set_to_none=False`` the gradient zeroed in place, as PyTorch's (the same Tensor
        and memory: whoever holds ``p.grad`` sees the zeros), detached from any graph a
        ``create_graph`` backward gave it."""
        for p in self.parameters():
            forget_grad(p, set_to_none)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        """Freeze (``False``) or unfreeze every parameter; returns self."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def to_empty(self, *, device: Any = None, recurse: bool = True) -> "Module":
        """PyTorch's: every parameter and buffer (``recurse=False``: this module's own)
        gets a new uninitialised array of its shape and dtype (``np.empty_like``; any
        values), and so does a parameter's gradient, as in PyTorch; the Parameter
        objects stay. Initialise them afterwards (``reset_parameters()``, ``nn.init``).
        ``device`` may only name the CPU, as in ``to``; returns self."""
        if not is_cpu(device):
            raise UsageError(f"to_empty(device={device!r}): this library computes with "
                             f"NumPy on the CPU; there is no other device. Give "
                             f"device='cpu' or leave it out")
        recurse = flag("to_empty", "recurse", recurse)
        tensors = {id(t): t for t in (*self.parameters(recurse), *self.buffers(recurse))}
        for t in tensors.values():
            t.data = np.empty_like(t.data)
            if t.is_leaf and t.grad is not None:
                t.grad = np.empty_like(t.grad.data)
        return self

    def apply(self, fn: Callable[["Module"], Any]) -> "Module":
        """Call ``fn(m)`` on every sub-module, then on self (e.g. custom initialisation)."""
        if not callable(fn):
            raise ArgumentTypeError(f"apply(fn): fn must be a function called with each module;"
                                    f" got {fn!r:.40}")
        for _, child in self.named_children():
            child.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------ state
    def _named_state(self) -> Iterator[tuple[str, Tensor]]:
        """The parameters and persistent buffers: what ``state_dict`` holds."""
        return ((n, t) for n, kind, t, (holder, key) in self._walk(unique=False)
                if _in_state_dict(kind, holder, key))

    def _state_entries(self, keep_vars: bool) -> Iterator[tuple[str, Any]]:
        """What ``state_dict`` holds, in PyTorch's order: module by module (pre-order),
        its parameters and persistent buffers (read-only copies unless ``keep_vars``),
        then its ``get_extra_state()`` if its class overrides it, then its sub-modules'."""
        last_module: tuple[str, Any] | None = None  # its tensors come right after it
        for n, kind, t, (holder, key) in self._walk(unique=False):
            if kind is _MODULE:
                if last_module is not None:
                    yield from extra_state_entries(*last_module)
                last_module = (n, t)
            elif _in_state_dict(kind, holder, key):
                yield n, _state_value(t, keep_vars)
        if last_module is not None:
            yield from extra_state_entries(*last_module)

    def state_dict(self, destination: dict[str, Any] | None = None, prefix: str = "",
                   keep_vars: bool = False) -> dict[str, Any]:
        """Copies of every parameter and buffer as constant Tensors (PyTorch's ``v.clone()``,
        ``v.numpy()`` and ``v.data`` work; unlike PyTorch's views, training does not change
        them), keyed by ``prefix`` + dotted
        name (a tensor or module held under two names appears under each, as in PyTorch),
        in a new dict or in ``destination``, which is returned. ``keep_vars=True`` gives
        the Parameter and buffer objects themselves instead of copies (PyTorch's
        arguments). A module whose class overrides ``get_extra_state`` adds its value, as
        is, under ``<its name>._extra_state`` (PyTorch's extra state). Where a module
        overrides ``_save_to_state_dict`` or has state-dict hooks, every module's
        ``_save_to_state_dict`` is called in turn, as PyTorch does; the result is then the
        dict a root's ``_register_state_dict_hook`` hook returned, if one did."""
        if destination is None:
            destination = {}
        elif not isinstance(destination, MutableMapping):
            raise ArgumentTypeError(f"state_dict: destination must be a dict to fill (or "
                                    f"None); got {type(destination).__name__}")
        if not isinstance(prefix, str):
            raise ArgumentTypeError(f"state_dict: prefix must be a str (put before every "
                                    f"key, e.g. 'model.'); got {type(prefix).__name__}")
        keep_vars = flag("state_dict", "keep_vars", keep_vars)
        modules = list(self.named_modules(remove_duplicate=False))  # as PyTorch walks them
        if has_state_dict_hooks(modules, "save_pre", "save_post") or any(
                type(m)._save_to_state_dict is not Module._save_to_state_dict
                for _, m in modules):  # PyTorch's walk, module by module
            return save_by_module(modules, destination, prefix, keep_vars)
        destination.update((prefix + n, v) for n, v in self._state_entries(keep_vars))
        return destination

    def _save_to_state_dict(self, destination: MutableMapping[str, Any], prefix: str,
                            keep_vars: bool) -> None:
        """PyTorch's per-module step of ``state_dict``: put this module's own parameters
        and persistent buffers (read-only copies unless ``keep_vars``), then its
        ``get_extra_state()`` if its class overrides that, into ``destination`` under
        ``prefix`` (``"encoder.0."``); not its sub-modules'. An override (quantization
        observers, packed weights) calls ``super()._save_to_state_dict(...)`` and adds or
        changes entries under ``prefix``; ``state_dict`` then calls it on every module."""
        for name, kind, t, (holder, key) in self._walk(unique=False, recurse=False):
            if _in_state_dict(kind, holder, key):
                destination[prefix + name] = _state_value(t, keep_vars)
        destination.update((prefix + key, value) for key, value in
                           extra_state_entries("", self))

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True,
                        assign: bool = False) -> LoadResult:
        """Copy values into the existing parameters and buffers (keeping identity and
        dtype), all checked first: a mis-shaped value, or with ``strict`` a missing or
        unexpected key, raises ``StateDictError`` listing every problem, changing nothing.

        ``assign=True`` (PyTorch's): the given values take the places instead, with their
        own dtype and memory: a Parameter is kept (its ``requires_grad`` set to the
        replaced one's), a Tensor or array becomes a new Parameter (or the buffer). An
        optimizer built before still holds the old parameters: build it afterwards.

        A module whose class overrides ``set_extra_state`` gets its
        ``<name>._extra_state`` entry once the tensors are loaded (missing: a missing key);
        such an entry for a class that does not override it is an unexpected key."""
        assign = flag("load_state_dict", "assign", assign)
        state_dict = run_load_overrides(self, state_dict, strict)  # PyTorch's per-module step
        for prefix, module in self.named_modules():  # lazy layers take their shapes
            materialize = getattr(module, "materialize_from_state_dict", None)
            if materialize is not None:
                materialize(state_dict, prefix + "." if prefix else "")
        put = None
        if assign:
            places = {n: where for n, kind, _, where in self._walk(unique=False)
                      if kind is not _MODULE}
            fixed = [n for n in state_dict if n in places and isinstance(places[n][0], tuple)]
            if fixed:
                raise UsageError(f"load_state_dict(assign=True): {', '.join(map(repr, fixed))} "
                                 f"sit in a tuple, which cannot be changed; hold them in a "
                                 f"list, or load with assign=False (copies the values)")

            def put(name: str, value: Any) -> None:
                holder, key = places[name]
                _set_slot(holder, key, _assigned(_get_slot(holder, key), value))
        modules = list(self.named_modules(remove_duplicate=False))  # as PyTorch walks them
        extra_states = extra_state_setters(modules)
        return run_load_post_hooks(modules, strict, lambda check: load_state(
            type(self).__name__, dict(self._named_state()), state_dict, check, put,
            extra_states))

    # ------------------------------------------------------------ printing
    def extra_repr(self) -> str:
        """The arguments shown inside ``ClassName(...)``; layers override it."""
        return ""

    def _get_name(self) -> str:
        """The name ``__repr__`` shows: the class's (PyTorch's; an override renames it)."""
        return type(self).__name__

    def __repr__(self) -> str:
        """PyTorch's layout: ``Name(extra)`` for a one-line ``extra_repr`` and no
        children; else one line per ``extra_repr`` line, then per child, indented by 2."""
        extra = self.extra_repr()
        lines = extra.split("\n") if extra else []
        children = list(self._children(unique=False))  # a shared layer shows at each place
        if len(lines) <= 1 and not children:
            return f"{self._get_name()}({extra})"
        for name, child in children:
            lines.append(f"({name}): " + repr(child).replace("\n", "\n  "))
        return f"{self._get_name()}(\n  " + "\n  ".join(lines) + "\n)"


def functional_call(module: Module, tensors: Mapping[str, Any], *args: Any,
                    **kwargs: Any) -> Any:
    """``module(*args, **kwargs)`` with the parameters and buffers named in ``tensors``
    (dotted names, as in ``state_dict``) replaced by the given tensors for this one call;
    the originals are put back afterwards, even on error.

    It makes a module a function of tensors you hold, e.g. to check its gradients:
    ``gradcheck(lambda x, w: functional_call(layer, {"weight": w}, x), [x, w])``.
    """
    names = [n for n, kind, _, _ in module._walk(unique=False) if kind is not _MODULE]
    unknown = [k for k in tensors if k not in names]
    if unknown:
        raise UsageError(f"functional_call: {type(module).__name__} has no parameter or "
                         f"buffer named {', '.join(map(repr, unknown))}; its names are "
                         f"{', '.join(map(repr, names)) or 'none'}")
    # the swap and the restore are autograd.func's (torch.func.functional_call), untied:
    # only the names given are replaced
    return func.functional_call(module, dict(tensors), args, kwargs, tie_weights=False)


def _get_slot(holder: Any, key: Any) -> Any:
    return holder._member(key) if isinstance(holder, Module) else holder[key]


def _set_slot(holder: Any, key: Any, value: Any) -> None:
    if isinstance(holder, Module):
        holder._set_member(key, value)  # no Parameter check: a temporary swap
    else:
        holder[key] = value


def _in_state_dict(kind: Any, holder: Any, key: Any) -> bool:
    """Whether a member found by ``_walk`` is state: a parameter or a persistent buffer."""
    return kind is _PARAM or (kind is _BUFFER and holder._buffer_names[key])


def _state_value(t: Tensor, keep_vars: bool) -> Tensor:
    """t in a state dict: itself with ``keep_vars``, else ``_read_only_copy(t)``."""
    return t if keep_vars else _read_only_copy(t)


def _read_only_copy(t: Tensor) -> Tensor:
    """A ``state_dict`` value: a copy of t's array, marked read-only, so that PyTorch's
    habit of writing into a state dict's views to change the model (``sd[k].copy_(v)``,
    ``sd[k] *= 2``) raises instead of silently changing only the copy."""
    array = np.array(t.data, copy=True)
    array.flags.writeable = False
    return Tensor(array)


def _assigned(old: Tensor, value: Any) -> Tensor:
    """What ``load_state_dict(assign=True)`` puts in the place of ``old`` (a read-only
    array, such as a ``state_dict`` value's, is copied: optimizers write in place)."""
    data = value.data if isinstance(value, Tensor) else np.asarray(value)
    if isinstance(old, Parameter):
        if isinstance(value, Parameter) and data.flags.writeable:
            return value.requires_grad_(old.requires_grad)
        return Parameter(data if data.flags.writeable else data.copy(),
                         requires_grad=old.requires_grad)
    if not data.flags.writeable:
        return Tensor(data.copy())
    return value if isinstance(value, Tensor) else Tensor(data)
