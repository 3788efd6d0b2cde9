"""What a checkpointed block reads, and running it on stand-ins for those tensors
(``nn/activation_checkpoint.py``).

A block reads tensors from its arguments (also inside list, tuple and dict arguments),
from the modules it holds (the function itself, a bound method's object, its closure
cells, default values and ``functools.partial`` arguments, the module-level names its
code uses, the attributes of an object it holds) and from the tensors in its closure
cells and module-level names.
Each run of the block reads a *stand-in* in place of each of those tensors that requires
grad: a leaf sharing its array (``t.detach().requires_grad_()``), or, under
``create_graph``, a recorded view of it. The recomputation's own backward
(``autograd.grad`` to the stand-ins) then never reaches the user's tensors: their hooks
and ``retain_grad`` see their gradient once, whole, in the outer backward, and the graph
above a non-leaf one is walked once. Module parameters are swapped in with
``autograd.func.functional_call``; closure cells and module-level names are set and put
back.
"""
from __future__ import annotations

import contextlib
import functools
import inspect
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.func import functional_call

from .module import Module

__all__ = ["Reads", "flatten", "substituted", "standin", "unique"]

_DEPTH = 4  # how far the search for modules goes (a closure's object's list of modules)
_WIDTH = 256  # the items of one container (or attributes of one object) looked at


def flatten(value: Any) -> list[Tensor]:
    """The tensors in ``value``: itself, or those inside its lists, tuples and dicts."""
    if isinstance(value, Tensor):
        return [value]
    if type(value) in (list, tuple):
        return [t for v in value for t in flatten(v)]
    if type(value) is dict:
        return [t for v in value.values() for t in flatten(v)]
    return []


def substituted(value: Any, standins: dict[int, Tensor]) -> Any:
    """``value`` with each tensor in it that has a stand-in (keyed by ``id`` of the
    tensor) replaced by it; a container without one is returned itself."""
    if isinstance(value, Tensor):
        return standins.get(id(value), value)
    if type(value) in (list, tuple):
        items = [substituted(v, standins) for v in value]
        changed = any(a is not b for a, b in zip(items, value))
        return type(value)(items) if changed else value
    if type(value) is dict:
        items = {k: substituted(v, standins) for k, v in value.items()}
        return items if any(items[k] is not value[k] for k in value) else value
    return value


def standin(t: Tensor, recorded: bool) -> Tensor:
    """What a run of the block reads in place of ``t``: a leaf sharing t's array that
    requires grad; ``recorded`` (a ``create_graph`` backward): a view of t, so that the
    gradient's own graph reaches t."""
    return t.view_as(t) if recorded else t.detach().requires_grad_(True)


def unique(tensors: Any) -> list[Tensor]:
    """``tensors`` without repeats (by identity), in order."""
    seen: set[int] = set()
    return [t for t in tensors if not (id(t) in seen or seen.add(id(t)))]


class Reads:
    """Where a block reads tensors: the modules it holds, and the closure cells and
    module-level names (``slots``) holding a Tensor that requires grad. ``tensors``: the
    tensors that require grad among the argument tensors ``arguments``, those modules'
    parameters and buffers and those slots' contents, each once, the arguments' first."""

    def __init__(self, function: Callable[..., Any], arguments: list[Tensor]) -> None:
        self.modules: list[Module] = []
        self.slots: list[_Slot] = []
        _search(function, self, set(), 0)
        self.named = list(_named_tensors(self.modules))  # (m{i}.{name}, tensor)
        found = (arguments + [t for _, t in self.named]
                 + [slot.get() for slot in self.slots])
        self.tensors = unique(t for t in found if t.requires_grad)

    def call(self, function: Callable[..., Any], args: tuple, kwargs: dict,
             standins: dict[int, Tensor]) -> Any:
        """``function(*args, **kwargs)`` reading each tensor that has a stand-in (by
        ``id``) through it: in the arguments, the modules and the slots."""
        args, kwargs = substituted(args, standins), substituted(kwargs, standins)
        with _slots_swapped(self.slots, standins):
            params = {name: standins[id(t)] for name, t in self.named if id(t) in standins}
            if not params:
                return function(*args, **kwargs)
            holder = _Holder(self.modules, self.named, function)
            return functional_call(holder, params, args, kwargs)


class _Holder:
    """The block's modules as one module for ``functional_call``: its parameter
    ``m{i}.{name}`` is module i's ``name``, and calling it runs the block."""

    def __init__(self, modules: list[Module], named: list[tuple[str, Tensor]],
                 function: Callable[..., Any]) -> None:
        self.named, self.function = named, function
        for i, module in enumerate(modules):
            setattr(self, f"m{i}", module)

    def named_parameters(self, remove_duplicate: bool = False) -> list[tuple[str, Tensor]]:
        return self.named

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.function(*args, **kwargs)


def _named_tensors(modules: list[Module]) -> Iterator[tuple[str, Tensor]]:
    """``(m{i}.{name}, tensor)`` for the parameters and buffers of ``modules`` that
    require grad, a shared one under each of its names."""
    for i, module in enumerate(modules):
        pairs = itertools.chain(module.named_parameters(remove_duplicate=False),
                                module.named_buffers(remove_duplicate=False))
        for name, t in pairs:
            if isinstance(t, Tensor) and t.requires_grad:
                yield f"m{i}.{name}", t


class _Slot:
    """A closure cell, or a module-level name (``namespace[name]``), holding a Tensor."""

    def __init__(self, cell: Any = None, namespace: dict | None = None, name: str = "") -> None:
        self.cell, self.namespace, self.name = cell, namespace, name

    def get(self) -> Any:
        return self.cell.cell_contents if self.cell is not None else self.namespace[self.name]

    def set(self, value: Any) -> None:
        if self.cell is not None:
            self.cell.cell_contents = value
        else:
            self.namespace[self.name] = value


@contextlib.contextmanager
def _slots_swapped(slots: list[_Slot], standins: dict[int, Tensor]) -> Iterator[None]:
    """The slots hold the stand-ins of their tensors while the block runs."""
    swapped = []
    try:
        for slot in slots:
            original = slot.get()
            if id(original) in standins:
                slot.set(standins[id(original)])
                swapped.append((slot, original))
        yield
    finally:
        for slot, original in reversed(swapped):
            if slot.get() is standins[id(original)]:  # unless the block rebound it
                slot.set(original)


def _search(obj: Any, reads: Reads, seen: set[int], depth: int) -> None:
    """Add the modules and tensor slots ``obj`` holds to ``reads``."""
    if depth > _DEPTH or id(obj) in seen or _opaque(obj):
        return
    seen.add(id(obj))
    if isinstance(obj, Module):
        reads.modules.append(obj)
        return
    for child in _children(obj, reads):
        _search(child, reads, seen, depth + 1)


def _opaque(obj: Any) -> bool:
    """Whether ``obj`` holds no modules worth a look (numbers, text, arrays, classes,
    Python modules, Tensors)."""
    return (obj is None or isinstance(obj, (str, bytes, int, float, complex, np.ndarray,
                                            np.generic, Tensor, type))
            or inspect.ismodule(obj) or inspect.isbuiltin(obj))


def _children(obj: Any, reads: Reads) -> list[Any]:
    """The objects ``obj`` holds that may hold modules (a function's tensors that
    require grad go to ``reads.slots``)."""
    if isinstance(obj, functools.partial):
        return [obj.func, *obj.args, *obj.keywords.values()]
    if inspect.ismethod(obj):
        return [obj.__self__, obj.__func__]
    if inspect.isfunction(obj):
        return _function_children(obj, reads)
    if type(obj) in (list, tuple, set, frozenset):
        return list(itertools.islice(obj, _WIDTH))
    if type(obj) is dict:
        return list(itertools.islice(obj.values(), _WIDTH))
    attributes = getattr(obj, "__dict__", None)
    return list(itertools.islice(attributes.values(), _WIDTH)) if isinstance(
        attributes, dict) else []


def _function_children(fn: Any, reads: Reads) -> list[Any]:
    """A function's default values, closure cells and the module-level names its code
    uses: the tensors requiring grad among them go to ``reads.slots``, the rest is
    returned to be searched (only modules, among the module-level names)."""
    children = list(fn.__defaults__ or ()) + list((fn.__kwdefaults__ or {}).values())
    for cell in fn.__closure__ or ():
        try:
            contents = cell.cell_contents
        except ValueError:  # a cell not yet filled
            continue
        if isinstance(contents, Tensor):
            if contents.requires_grad:
                reads.slots.append(_Slot(cell=cell))
        else:
            children.append(contents)
    names = fn.__globals__
    for name in fn.__code__.co_names:
        value = names.get(name)
        if isinstance(value, Tensor) and value.requires_grad:
            reads.slots.append(_Slot(namespace=names, name=name))
        elif isinstance(value, Module):
            children.append(value)
    return children
