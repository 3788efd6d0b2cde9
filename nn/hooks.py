"""Forward hooks on modules, with PyTorch's signatures: ``register_forward_pre_hook`` and
``register_forward_hook`` (inherited by ``Module``), and the ``RemovableHandle`` they
return.

A pre-hook runs before ``forward`` as ``hook(module, args)`` and may return new inputs
(a tuple, or one value that becomes a 1-tuple); a forward hook runs after it as
``hook(module, args, output)`` and may return a new output. With ``with_kwargs=True``
they also receive the keyword arguments: ``hook(module, args, kwargs)`` returning None or
``(args, kwargs)``, and ``hook(module, args, kwargs, output)``. Hooks run in the order
they were registered (``prepend=True`` puts one first). A forward hook registered with
``always_call=True`` also runs when forward raises (output None), before the error goes on.

``register_full_backward_pre_hook`` and ``register_full_backward_hook`` (PyTorch's
semantics) call ``hook(module, grad_output)`` once the gradients with respect to the
module's Tensor outputs are known, and ``hook(module, grad_input, grad_output)`` once
those with respect to its positional Tensor inputs are (None for an input that does not
require grad or gets no gradient; where no input requires grad, this hook runs with the
pre-hooks, grad_input all None); a tuple either returns replaces the gradients passed
on. How: ``nn/backward_hooks.py``.

``module._forward_pre_hooks`` and ``module._forward_hooks`` (PyTorch's dicts) list the
forward hooks by handle id, live; ``del module._forward_pre_hooks[id]`` removes one.

A module without hooks pays one attribute test per call: the hooks live in a
``ForwardHooks`` object created at the first registration.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

from autograd.errors import UsageError
from autograd.hooks import RemovableHandle

from ._checks import caller_outside_nn
from .backward_hooks import BackwardCall
from .errors import ArgumentTypeError, NameNotFoundError

__all__ = ["RemovableHandle", "ForwardHooks", "HookMethods", "HookDictView"]

class ForwardHooks:
    """A module's hooks: ``pre`` and ``post`` (forward), ``backward_pre`` and
    ``backward`` (full backward) map a handle id to ``(hook, with_kwargs)`` in calling
    order; ``call`` runs forward between them."""

    def __init__(self) -> None:
        self.pre: dict[int, tuple[Callable, bool]] = {}
        self.post: dict[int, tuple[Callable, bool]] = {}
        self.backward_pre: dict[int, tuple[Callable, bool]] = {}
        self.backward: dict[int, tuple[Callable, bool]] = {}
        self.always: set[int] = set()  # ids of forward hooks registered with always_call

    @classmethod
    def merged(cls, first: "ForwardHooks", then: "ForwardHooks") -> "ForwardHooks":
        """The hooks of ``first`` followed by those of ``then`` (global, then a module's)."""
        both = cls()
        for kind in ("pre", "post", "backward_pre", "backward"):
            setattr(both, kind, {**getattr(first, kind), **getattr(then, kind)})
        both.always = first.always | then.always
        return both

    def add(self, hooks: dict[int, tuple[Callable, bool]], hook: Callable, prepend: bool,
            with_kwargs: bool, always_call: bool = False,
            listed_in: dict[int, None] | None = None) -> RemovableHandle:
        """Put ``hook`` in ``hooks`` (``self.pre`` or ``self.post``), last or, with
        ``prepend``, first (and its id in ``listed_in``); the returned handle's
        ``remove()`` takes it out again."""
        handle = RemovableHandle(hooks, extra_dict=listed_in)
        hooks[handle.id] = (hook, with_kwargs)
        if listed_in is not None:
            listed_in[handle.id] = None
        if always_call:
            self.always.add(handle.id)
        if prepend:  # move it to the front, keeping the others' order
            for key in [k for k in hooks if k != handle.id]:
                hooks[key] = hooks.pop(key)
        return handle

    def call(self, module: Any, args: tuple, kwargs: dict) -> Any:
        """``module.forward(*args, **kwargs)`` with the pre-hooks before and the forward
        hooks after, each seeing (and possibly replacing) what the previous one gave.
        With backward hooks, the inputs forward gets and the output returned are wrapped
        in identity ops that run them (``BackwardCall``), as PyTorch does. If a pre-hook,
        forward or a forward hook raises, the ``always_call=True`` hooks that have not run
        yet run with the output so far (None if forward did not return), as PyTorch's."""
        backward = None
        if self.backward or self.backward_pre:  # the hooks as they are now (PyTorch)
            backward = BackwardCall(module, [h for h, _ in self.backward.values()],
                                    [h for h, _ in self.backward_pre.values()])
        output, called = None, set()
        try:
            args, kwargs = self._run_pre_hooks(module, args, kwargs)
            if backward is not None:
                args = backward.wrap_inputs(args)
            output = module.forward(*args, **kwargs)
            for key, (hook, with_kwargs) in list(self.post.items()):
                called.add(key)
                result = (hook(module, args, kwargs, output) if with_kwargs
                          else hook(module, args, output))
                if result is not None:
                    output = result
        except Exception:
            self.call_always(module, args, kwargs, output, called)
            raise
        return output if backward is None else backward.wrap_outputs(output)

    def _run_pre_hooks(self, module: Any, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        """The forward pre-hooks in order; each may replace the arguments."""
        for hook, with_kwargs in list(self.pre.values()):
            if with_kwargs:
                result = hook(module, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise UsageError(
                            f"a forward pre-hook registered with with_kwargs=True must "
                            f"return None or a tuple (args, kwargs); {hook!r} returned "
                            f"{type(result).__name__}")
                    args, kwargs = result
            else:
                result = hook(module, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        return args, kwargs

    def call_always(self, module: Any, args: tuple, kwargs: dict, output: Any = None,
                    called: set[int] = frozenset()) -> None:
        """After a pre-hook, forward or a forward hook raised: the hooks registered with
        ``always_call=True`` that have not run (not in ``called``), each with the output
        so far (None if forward raised), which a hook may replace for the next; an error
        of theirs is warned and dropped (PyTorch's rule), so the first one propagates."""
        for key, (hook, with_kwargs) in list(self.post.items()):
            if key in self.always and key not in called:
                try:
                    result = (hook(module, args, kwargs, output) if with_kwargs
                              else hook(module, args, output))
                    if result is not None:
                        output = result
                except Exception as exc:
                    warnings.warn(f"forward hook with always_call=True raised an exception "
                                  f"that was silenced as another error was raised in "
                                  f"forward: {exc!r}", UserWarning, stacklevel=caller_outside_nn())


class HookDictView(MutableMapping):
    """PyTorch's ``module._forward_pre_hooks`` / ``_forward_hooks``: a live view of one
    kind of a module's hooks, ``{handle id: hook}`` in calling order. ``del view[id]``
    unregisters a hook (as ``handle.remove()``); hooks are added with the
    ``register_*`` methods, which return the handle."""

    def __init__(self, module: Any, kind: str, register: str) -> None:
        self._module, self._kind, self._register = module, kind, register

    def _hooks(self) -> dict[int, tuple[Callable, bool]]:
        registry = self._module._hook_registry
        return {} if registry is None else getattr(registry, self._kind)

    def __getitem__(self, key: int) -> Callable:
        hooks = self._hooks()
        if key not in hooks:
            raise NameNotFoundError(f"{type(self._module).__name__} has no forward "
                                    f"{'pre-hook' if self._kind == 'pre' else 'hook'} with "
                                    f"handle id {key!r}; the ids: {list(hooks)}")
        return hooks[key][0]

    def __setitem__(self, key: int, hook: Callable) -> None:
        raise UsageError(f"add hooks with module.{self._register}(hook), which returns the "
                         f"handle (its .id is the key here), not by assigning to the dict")

    def __delitem__(self, key: int) -> None:
        self[key]  # a named error for an unknown id
        del self._hooks()[key]

    def __iter__(self) -> Iterator[int]:
        return iter(list(self._hooks()))

    def __len__(self) -> int:
        return len(self._hooks())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self)!r})"


class HookMethods:
    """The hook registration methods of ``Module``."""

    _hook_registry: ForwardHooks | None = None  # set on the instance at the first hook
    _is_full_backward_hook: bool | None = None  # PyTorch's: which backward hooks it took

    @property
    def _forward_pre_hooks(self) -> HookDictView:
        """The forward pre-hooks by handle id (PyTorch's ``module._forward_pre_hooks``)."""
        return HookDictView(self, "pre", "register_forward_pre_hook")

    @property
    def _forward_hooks(self) -> HookDictView:
        """The forward hooks by handle id (PyTorch's ``module._forward_hooks``)."""
        return HookDictView(self, "post", "register_forward_hook")

    def register_forward_pre_hook(self, hook: Callable[..., Any], *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """Call ``hook(module, args)`` before every ``forward``; a value it returns
        replaces the inputs (a tuple, or one value). Returns a handle with ``.remove()``."""
        return self._add_hook("register_forward_pre_hook", "pre", hook, prepend,
                              with_kwargs)

    def register_forward_hook(self, hook: Callable[..., Any], *, prepend: bool = False,
                              with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after every ``forward``; a value it returns
        replaces the output. With ``always_call=True`` it also runs, with output None,
        when forward raises. Returns a handle with ``.remove()``."""
        return self._add_hook("register_forward_hook", "post", hook, prepend, with_kwargs,
                              always_call)

    def register_full_backward_pre_hook(self, hook: Callable[..., Any],
                                        prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, grad_output)`` in every backward through this module, once
        the gradients with respect to its Tensor outputs are known (a tuple, None where an
        output is not a Tensor or gets no gradient); a tuple it returns replaces them.
        Returns a handle with ``.remove()``."""
        return self._add_hook("register_full_backward_pre_hook", "backward_pre", hook,
                              prepend, False)

    def register_full_backward_hook(self, hook: Callable[..., Any],
                                    prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` in every backward through this
        module, once the gradients with respect to its positional Tensor inputs are known
        (None for an input that does not require grad or gets no gradient; where no
        input requires grad, with grad_output and grad_input all None); a tuple it
        returns replaces grad_input. Returns a handle with ``.remove()``. A module that
        took a ``register_backward_hook`` hook refuses it, as PyTorch's."""
        self._check_backward_kind(full=True)
        handle = self._add_hook("register_full_backward_hook", "backward", hook, prepend,
                                False)
        object.__setattr__(self, "_is_full_backward_hook", True)
        return handle

    def register_backward_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """PyTorch's older module backward hook, ``hook(module, grad_input, grad_output)``:
        here the full backward hook, on a module that owns no parameters and no
        submodules (an activation, pooling, dropout: PyTorch's gives the same gradients
        where the forward is one operation). Elsewhere PyTorch's ``grad_input`` is the
        last operation's (a weight's gradient among them), so it is refused."""
        owns = (next(self.parameters(recurse=False), None), next(self.children(), None))
        if any(member is not None for member in owns):
            raise UsageError(
                f"register_backward_hook on {type(self).__name__}: PyTorch's deprecated "
                "hook gives the gradients of the forward's last operation (a weight's "
                "among them), which is not supported here. Use "
                "register_full_backward_hook(hook) for the gradients with respect to the "
                "module's inputs, and p.register_hook(hook) for a parameter's")
        self._check_backward_kind(full=False)
        handle = self._add_hook("register_backward_hook", "backward", hook, False, False)
        object.__setattr__(self, "_is_full_backward_hook", False)
        return handle

    def _check_backward_kind(self, full: bool) -> None:
        """PyTorch's rule: a module takes hooks of ``register_backward_hook`` or of
        ``register_full_backward_hook``, not both, even once the first are removed."""
        if self._is_full_backward_hook is (not full):
            legacy, full_hook = "register_backward_hook", "register_full_backward_hook"
            had, wanted = (legacy, full_hook) if full else (full_hook, legacy)
            raise UsageError(
                f"{wanted} on {type(self).__name__}: it already took a hook of {had}, and "
                f"one module cannot take both kinds (PyTorch raises RuntimeError too, even "
                f"after the first hook is removed). Use register_full_backward_hook alone")

    def _add_hook(self, caller: str, kind: str, hook: Any, prepend: Any,
                  with_kwargs: Any, always_call: Any = False) -> RemovableHandle:
        if not callable(hook):
            signature = {"pre": "args", "post": "args, output", "backward_pre": "grad_output",
                         "backward": "grad_input, grad_output"}[kind]
            raise ArgumentTypeError(f"{caller}: the hook must be callable, e.g. a function "
                                    f"hook(module, {signature}); got {type(hook).__name__}")
        for name, flag in (("prepend", prepend), ("with_kwargs", with_kwargs),
                           ("always_call", always_call)):
            if not isinstance(flag, bool):
                raise ArgumentTypeError(f"{caller}: {name} must be True or False; got "
                                        f"{flag!r}")
        if self._hook_registry is None:
            object.__setattr__(self, "_hook_registry", ForwardHooks())
        hooks = self._hook_registry
        return hooks.add(getattr(hooks, kind), hook, prepend, with_kwargs, always_call)
