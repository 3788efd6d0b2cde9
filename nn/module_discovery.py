"""``Module``'s discovery of its parameters, buffers and sub-modules (``parameters``,
``named_parameters``, ``buffers``, ``modules``, ``children`` and their named forms), a
base class of ``Module`` kept in its own file.

A module holds them as plain attributes: a ``Parameter``, a buffer (a Tensor whose name
``register_buffer`` recorded), a ``Module``, or a list, tuple or dict holding them.
``_walk`` visits them iteratively in PyTorch's order (a module's own parameters, then its
buffers, then its sub-modules and containers, each in definition order), each once,
giving dotted names (``"blocks.0.weight"``); containers name their items by overriding
``_members`` (and ``_member`` / ``_set_member`` when the items are not attributes).
"""
from __future__ import annotations

import weakref
from collections.abc import Iterator
from itertools import chain
from types import FunctionType
from typing import Any

from autograd import Tensor

from ._checks import flag
from .errors import ArgumentTypeError
from .parameter import Parameter

__all__ = ["DiscoveryMethods", "MemberChanges", "members_changed"]

AnyModule = Any  # a Module: this file sits below the Module class
_SLOTS = "_none_slots"  # {name: _PARAM or _MODULE} of members set to None (place kept)
_BEHIND_METHODS = "_behind_methods"  # {name: member} of members named like a class method
_INTERNAL = frozenset({"training", "_buffer_names", _SLOTS, _BEHIND_METHODS})  # Module's own
_PARAM, _BUFFER, _MODULE = "parameter", "buffer", "module"


class MemberChanges:
    """How many times a module's members changed anywhere (a parameter, buffer, module
    or container set, replaced or deleted; a container edited): ``parameters()`` keeps
    its answer with the count it was found at, and walks again once the count moved. A
    training step that asks every time (``l2_penalty(model.parameters())``, clipping)
    walks once (the moons benchmark's step: 0.872x the time, 2.62x -> 2.31x NumPy).
    Every place that changes members calls ``members_changed()`` after the change:
    ``Module.__setattr__``/``__delattr__``, ``_set_member`` and the containers' storage
    (``nn.member_storage``)."""
    count = 0


# id(module) -> (MemberChanges.count, weak reference to the module, parameters()'s answer)
_KEPT: dict[int, tuple[int, weakref.ref, tuple]] = {}


def members_changed() -> None:
    """Count a change, and drop every kept answer: one may hold a parameter the model no
    longer has (``del model.big`` must free its memory)."""
    MemberChanges.count += 1
    _KEPT.clear()


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix and name else prefix or name


def _may_hold(value: Any) -> bool:
    return isinstance(value, _HOLDERS)


def _in_pytorch_order(module: AnyModule) -> list[tuple[str, Any, bool]]:
    """``(name, value, is_buffer)`` of the members of ``module`` that may hold something,
    in PyTorch's order: its own parameters, then its own buffers, then its sub-modules and
    containers, each group in definition order (``next(model.parameters())`` is a
    parameter the model defines itself, even after its layers)."""
    buffers = module.__dict__.get("_buffer_names", ())
    own: list = []  # its parameters
    kept: list = []  # its buffers
    nested: list = []  # its sub-modules and containers
    containers = False
    members = list(module._members())
    for k, v in members:
        if isinstance(v, _HOLDERS):
            if k in buffers:
                kept.append((k, v, True))
            elif isinstance(v, Tensor):
                own.append((k, v, False))
            else:
                nested.append((k, v, False))
                containers = containers or isinstance(v, (list, tuple, dict))
    ordered = own + kept + nested
    if containers:  # only then: parameters() runs every step (moons MLP: 26 -> 20 us)
        copies = _plain_copies(members)
        ordered = [entry for entry in ordered if entry[0] not in copies]
    return ordered


def _plain_copies(members: list[tuple[str, Any]]) -> set[str]:
    """Names of the plain lists, tuples and dicts among a module's ``members`` whose every
    module or tensor is also a member under a name of its own: fast.ai's ``self.layers =
    layers`` then ``self.add_module(f'layer_{i}', l)``. PyTorch never looks into plain
    containers, so it names those items once, under their own names; walking the container
    too would name them twice (``layers.0.weight`` in ``state_dict``)."""
    if not any(isinstance(v, (list, tuple, dict)) for _, v in members):
        return set()
    named = {id(v) for _, v in members if isinstance(v, (Tensor, DiscoveryMethods))}
    copies = set()
    for k, v in members:
        if isinstance(v, (list, tuple, dict)):
            held = [o for o in (v.values() if isinstance(v, dict) else v)
                    if isinstance(o, _HOLDERS)]
            if held and all(id(o) in named for o in held):
                copies.add(k)
    return copies


def _kind_of(value: Any) -> str | None:
    """``_PARAM`` for a Parameter, ``_MODULE`` for a Module, else None."""
    if isinstance(value, Parameter):
        return _PARAM
    return _MODULE if isinstance(value, DiscoveryMethods) else None


def _take_place(own: dict[str, Any], name: str, value: Any) -> None:
    """Keep PyTorch's order when ``self.<name> = value`` is set: a parameter or module that
    replaces a plain attribute (None included, as in the lazy ``self.target = None`` ... on
    first use ``self.target = make()`` habit), a buffer, or a member of the other kind (a
    module replaced by a parameter) is registered then, after the members defined before
    it, so its old key is dropped to put it last (PyTorch moves it to the end of its
    ``_parameters`` or ``_modules``); a registered None (``register_parameter(name,
    None)``, ``add_module(name, None)``) or a parameter or module set to None keeps its
    place (``_SLOTS`` records those names with their kind)."""
    kind, held = _kind_of(value), slot_kind(own, name)
    if value is None:
        if held is not None:
            own.setdefault(_SLOTS, {})[name] = held
    elif kind is not None and name in own and kind != held:
        del own[name]


def slot_kind(own: dict[str, Any], name: str) -> str | None:
    """The kind (``_PARAM`` or ``_MODULE``) of the member ``name`` a module's attribute
    dict ``own`` holds, a registered None of that kind included; None for a plain
    attribute, a buffer or an unknown name."""
    if name in own.get("_buffer_names", ()):
        return None
    value = own.get(name)
    return _kind_of(value) if value is not None else own.get(_SLOTS, {}).get(name)


def _names_a_method(cls: type, name: str) -> bool:
    """Whether ``cls.<name>`` is a method (a function defined on the class or a base)."""
    for klass in cls.__mro__:
        if name in vars(klass):
            return isinstance(vars(klass)[name], FunctionType)
    return False


def _put_behind_method(own: dict[str, Any], name: str, value: Any) -> None:
    """``self.<name> = value`` where ``name`` is a method (N-BEATS' ``self.parameters =
    nn.ParameterList(...)``): a parameter or module is a member but, as in PyTorch (which
    keeps it in ``_modules``), ``self.<name>`` stays the method; a plain value of that name
    is dropped. Once it is a member, None empties its place and another value is refused,
    as PyTorch refuses it."""
    behind = own.setdefault(_BEHIND_METHODS, {})
    if name in behind and not (value is None or isinstance(value, (Parameter,
                                                                   DiscoveryMethods))):
        raise ArgumentTypeError(f"cannot assign a {type(value).__name__} to '{name}', a "
                                f"parameter or module here: give a Parameter, a Module or "
                                f"None (or del self.{name} first)")
    own.pop(name, None)
    behind[name] = value


class DiscoveryMethods:
    """The discovery walk and the methods built on it; ``Module`` inherits them (it is
    the only subclass, so ``isinstance(v, DiscoveryMethods)`` asks "is v a Module?")."""

    def _members(self) -> Iterator[tuple[str, Any]]:
        """(name, value) of the direct attributes that may hold parameters, buffers or
        modules, in definition order. Containers override this to name their items."""
        own = self.__dict__
        members = ((k, v) for k, v in own.items() if k not in _INTERNAL)
        behind = own.get(_BEHIND_METHODS)
        return chain(members, behind.items()) if behind else members

    def _member(self, name: str) -> Any:
        """The member ``name`` of ``_members`` (``functional_call`` swaps it); containers
        that name their items override this and ``_set_member``."""
        own = self.__dict__
        return own[name] if name in own else own[_BEHIND_METHODS][name]

    def _set_member(self, name: str, value: Any) -> None:
        """Put ``value`` in the place of member ``name``, unchecked (a temporary swap)."""
        behind = self.__dict__.get(_BEHIND_METHODS, {})
        if name in behind:
            behind[name] = value
        else:
            object.__setattr__(self, name, value)
        members_changed()

    def _walk(self, unique: bool = True, recurse: bool = True
              ) -> Iterator[tuple[str, str, Any, tuple]]:
        """Pre-order ``(dotted name, kind, object, (holder, key))`` over this module (name
        ``""``), its sub-modules, parameters and buffers; ``holder[key]`` (or the
        attribute ``key`` of a module holder) is where the object sits. With ``unique``
        each module, container and tensor is reported once, under its first name;
        without, under every name (PyTorch's ``state_dict`` and ``remove_duplicate=False``),
        a module that holds one of its ancestors (a cycle) stopping there. Without
        ``recurse`` the sub-modules are reported but not entered."""
        seen_nodes: set[int] = set()
        seen_tensors: set[int] = set()
        stack: list[tuple[str, Any, bool, tuple, frozenset]] = [
            ("", self, False, (None, None), frozenset())]
        while stack:
            name, value, is_buffer, where, ancestors = stack.pop()
            if isinstance(value, Tensor):
                if unique:
                    if id(value) in seen_tensors:
                        continue
                    seen_tensors.add(id(value))
                if is_buffer:
                    yield name, _BUFFER, value, where
                elif isinstance(value, Parameter):
                    yield name, _PARAM, value, where
                continue
            if id(value) in (seen_nodes if unique else ancestors):
                continue
            seen_nodes.add(id(value))
            if not unique:  # the nodes on the path to the items below
                ancestors = ancestors | {id(value)}
            if isinstance(value, DiscoveryMethods):
                yield name, _MODULE, value, where
                if not recurse and value is not self:
                    continue
                entries = [(_join(name, k), v, is_buffer, (value, k), ancestors)
                           for k, v, is_buffer in _in_pytorch_order(value)]
            else:
                items = value.items() if isinstance(value, dict) else enumerate(value)
                entries = [(_join(name, str(k)), v, False, (value, k), ancestors)
                           for k, v in items]
            stack.extend(reversed([e for e in entries if _may_hold(e[1])]))

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """``(dotted name, parameter)`` pairs, each parameter once, in PyTorch's order;
        names start with ``prefix``; ``recurse=False``: this module's own only;
        ``remove_duplicate=False``: a shared parameter under each of its names."""
        unique = flag("named_parameters", "remove_duplicate", remove_duplicate)
        return ((_join(prefix, n), p) for n, kind, p, _ in self._walk(unique, recurse)
                if kind is _PARAM)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter (``recurse=False``: this module's own), each once, in the order
        of ``named_parameters``. The answer is kept until members change anywhere
        (``MemberChanges``), unless the walk met a plain list, tuple or dict, which can
        change unseen."""
        if not recurse:
            yield from (p for _, p in self.named_parameters(recurse=False))
            return
        key = id(self)
        kept = _KEPT.get(key)
        if kept is not None and kept[0] == MemberChanges.count and kept[1]() is self:
            yield from kept[2]
            return
        count = MemberChanges.count  # read before the walk: a change during it shows
        found, plain = self._find_parameters()
        if not plain:
            _KEPT[key] = (count, weakref.ref(self, lambda _: _KEPT.pop(key, None)), found)
        yield from found

    def _find_parameters(self) -> tuple[tuple[Parameter, ...], bool]:
        """(every parameter, whether a plain container that may change was met: one
        holding tensors, modules or containers, or an empty list or dict; one of data
        alone, such as layer sizes, is not one); ``_walk`` without names, which were most
        of its cost."""
        found: list[Parameter] = []
        plain = False
        seen: set[int] = set()
        stack: list[tuple[Any, bool]] = [(self, False)]
        while stack:
            value, is_buffer = stack.pop()
            if id(value) in seen:
                continue
            seen.add(id(value))  # tensors and nodes alike: each reported or walked once
            if isinstance(value, Tensor):
                if not is_buffer and isinstance(value, Parameter):
                    found.append(value)
                continue
            if isinstance(value, DiscoveryMethods):
                entries = [(v, is_buffer) for _, v, is_buffer in _in_pytorch_order(value)]
            else:  # a plain container: of data alone (sizes), or it may change unseen
                items = value.values() if isinstance(value, dict) else value
                entries = [(v, False) for v in items if isinstance(v, _HOLDERS)]
                plain = plain or bool(entries) or (not items and type(value) is not tuple)
            stack.extend(reversed(entries))
        return tuple(found), plain

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        """``(dotted name, buffer)`` pairs (None buffers are skipped); as named_parameters."""
        unique = flag("named_buffers", "remove_duplicate", remove_duplicate)
        return ((_join(prefix, n), b) for n, kind, b, _ in self._walk(unique, recurse)
                if kind is _BUFFER)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer (running statistics, counters...), each once."""
        return (b for _, b in self.named_buffers(recurse=recurse))

    def named_modules(self, *, prefix: str = "", remove_duplicate: bool = True
                      ) -> Iterator[tuple[str, AnyModule]]:
        """``(dotted name, module)`` for this module (name ``prefix``, ``""`` by default)
        and every sub-module, each once; ``remove_duplicate=False``: a shared module
        under each of its names (PyTorch's keywords; its ``memo`` is not taken)."""
        unique = flag("named_modules", "remove_duplicate", remove_duplicate)
        return ((_join(prefix, n), m) for n, kind, m, _ in self._walk(unique)
                if kind is _MODULE)

    def modules(self) -> Iterator[AnyModule]:
        """This module and every sub-module, pre-order, each once."""
        return (m for _, kind, m, _ in self._walk() if kind is _MODULE)

    def named_children(self) -> Iterator[tuple[str, AnyModule]]:
        """The direct sub-modules (those inside lists and dicts too), with their names."""
        return self._children(unique=True)

    def _children(self, unique: bool) -> Iterator[tuple[str, AnyModule]]:
        """named_children; without ``unique`` a module held twice is listed twice (repr)."""
        seen: set[int] = {id(self)}
        members = list(self._members())
        copies = _plain_copies(members)
        stack = list(reversed([(k, v) for k, v in members if k not in copies]))
        while stack:
            name, value = stack.pop()
            if isinstance(value, Tensor) or not _may_hold(value) or id(value) in seen:
                continue
            if unique or not isinstance(value, DiscoveryMethods):
                seen.add(id(value))
            if isinstance(value, DiscoveryMethods):
                yield name, value
                continue
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend(reversed([(f"{name}.{k}", v) for k, v in items  # (no names made
                                   if _may_hold(v) and not isinstance(v, Tensor)]))  # for ints)

    def children(self) -> Iterator[AnyModule]:
        """The direct sub-modules."""
        return (m for _, m in self.named_children())

_HOLDERS = (Tensor, DiscoveryMethods, list, tuple, dict)  # what may hold parameters or modules
