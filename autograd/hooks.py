"""Gradient hooks: ``t.register_hook(hook)`` calls ``hook(grad)`` during backward with the
complete gradient dL/dt (a Tensor of t's shape), before it is stored or passed on. The hook
may return None (keep the gradient) or a replacement Tensor of the same shape and dtype
(anything else is a UsageError, as PyTorch's TypeError), which is what the
pass then uses: to inspect gradients, clip them, or zero some of them. Hooks run in the
order they were registered; ``handle.remove()`` (or ``with handle:``) unregisters one.

The engine calls ``run_hooks`` on a tensor that has hooks when it pops it, i.e. when its
gradient is complete (for a leaf too: a leaf with hooks waits in the heap like any other
tensor instead of adding each part to ``.grad`` at once). This module does not import
``Tensor`` (tensor.py imports it): it wraps arrays with the tensor's own constructor,
``_make``, and knows a Tensor by ``ops.generic.is_tensor``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from .errors import DTypeError, ShapeError, UsageError
from .ops.generic import is_tensor

__all__ = ["RemovableHandle"]  # add_hook and run_hooks serve Tensor and the engine


class PostAccumulateHook:
    """A hook of ``register_post_accumulate_grad_hook``, kept among the tensor's hooks:
    ``run_hooks`` skips it, ``run_post_accumulate_hooks`` calls it with the tensor."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[Any], None]) -> None:
        self.fn = fn

_handle_ids = itertools.count()


class RemovableHandle:
    """What registering a hook returns: ``handle.remove()`` unregisters it (again:
    nothing happens); ``with handle:`` removes it when the block ends."""

    def __init__(self, hooks: dict[int, Any], *, extra_dict: dict | list | None = None
                 ) -> None:
        self.id = next(_handle_ids)
        self._hooks = hooks
        extra = [] if extra_dict is None else extra_dict  # PyTorch's: more dicts that the
        self._extra = extra if isinstance(extra, list) else [extra]  # caller keyed by id

    def remove(self) -> None:
        """Unregister the hook (from ``hooks`` and each ``extra_dict``)."""
        for hooks in (self._hooks, *self._extra):
            hooks.pop(self.id, None)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.remove()


def add_hook(hooks: dict[int, Callable] | None, hook: Callable
             ) -> tuple[dict[int, Callable], RemovableHandle]:
    """``hooks`` (created when None) with ``hook`` added last, and its handle."""
    hooks = {} if hooks is None else hooks
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    return hooks, handle


def run_hooks(node: Any, g: Any) -> Any:
    """g after each of ``node``'s hooks. The engine's gradients are arrays (Tensors under
    ``create_graph=True``); a hook always sees a Tensor, and what it returns goes back
    in the engine's form, checked against the tensor's shape and dtype."""
    for hook in list(node._hooks.values()):
        if type(hook) is PostAccumulateHook:
            continue
        shown = g if is_tensor(g) else node._make(g, None)
        result = hook(shown)
        if result is None:
            continue
        if not is_tensor(result):
            raise UsageError(f"a gradient hook must return None or a Tensor (the new "
                             f"gradient); {hook!r} returned a {type(result).__name__}. "
                             f"Compute it from the gradient it is given (e.g. g * 2, "
                             f"g.clip(-1, 1), tensor(array)).")
        array = np.asarray(result._data)
        dtype = node._data.dtype
        if array.shape != np.shape(node._data):
            raise ShapeError(f"a gradient hook of a tensor of shape {np.shape(node._data)} "
                             f"returned shape {array.shape}: return None to keep the "
                             f"gradient, or one of the tensor's shape")
        if array.dtype != dtype:
            raise DTypeError(f"a gradient hook of a {dtype} tensor returned {array.dtype}: "
                             f"return one of the tensor's dtype (e.g. g * 2, or "
                             f"g.astype(np.{dtype}))")
        g = result if is_tensor(g) else array  # create_graph keeps a Tensor
    return g


def run_post_accumulate_hooks(node: Any) -> None:
    """Call each post-accumulate hook of the leaf ``node`` with ``node`` itself, once its
    ``.grad`` holds this pass's gradient (PyTorch's order: after the grad hooks)."""
    for hook in list(node._hooks.values()):
        if type(hook) is PostAccumulateHook:
            hook.fn(node)
