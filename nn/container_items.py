"""What the containers (``Sequential``, ``ModuleList``, ``ModuleDict``, ``ParameterList``,
``ParameterDict``) share about their items: the checks of an item and of its name, the
pairs ``update`` adds, the position a list's item name or an ``insert`` index stands
for, and the read side of the dict containers (``DictItems``).
"""
from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from autograd.errors import TensorIndexError

from .errors import ArgumentTypeError, ConfigError, MemberNameError, MemberNotFoundError
from .global_hooks import run_registration_hooks
from .module import Module

__all__ = ["DictItems", "check_module", "check_name", "item_index", "insert_position",
           "item_position", "out_of_range", "update_pairs", "grouped_repr"]


def check_module(value: Any, container: Module, where: Any) -> Module:
    """``value`` if it is a Module (after the global module registration hooks, which may
    replace it), else ``ArgumentTypeError`` naming the container and the item ``where``."""
    if not isinstance(value, Module):
        hint = (" PyTorch keeps a None there; here remove the item instead (del)."
                if value is None else
                " Wrap functions in a Module (e.g. nn.ReLU() instead of autograd.relu).")
        raise ArgumentTypeError(f"{type(container).__name__} holds Modules; item {where!r} "
                                f"is a {type(value).__name__}.{hint}")
    return run_registration_hooks("module", container, str(where), value, Module)


def check_name(name: Any, owner: str) -> str:
    """``name`` if it can name an item (a non-empty str without '.'), else
    ``MemberNameError`` (a ConfigError, and a KeyError as PyTorch's)."""
    if not isinstance(name, str) or not name or "." in name:
        raise MemberNameError(f"{owner}: module names must be non-empty str without '.'; "
                              f"got {name!r}")
    return name


def item_index(items: list | None, name: Any) -> int | None:
    """The position the item name ``name`` ("0", "1", ...) stands for in a list
    container's ``items``; None if it names none."""
    if items is None or not isinstance(name, str) or not name.isdecimal():
        return None
    index = int(name)
    return index if str(index) == name and index < len(items) else None


def insert_position(index: Any, length: int, owner: str) -> int:
    """``index`` of ``insert(index, item)`` into a container of ``length`` items as a
    position in 0..length (negative ones count from the end, as PyTorch's); outside
    -length..length ``TensorIndexError`` (an IndexError, as PyTorch's), not list.insert's
    silent clamping."""
    if isinstance(index, bool) or not hasattr(index, "__index__"):
        raise ArgumentTypeError(f"{owner}.insert: index must be an int; got "
                                f"{type(index).__name__}")
    index = index.__index__()
    if not -length <= index <= length:
        raise TensorIndexError(f"{owner}.insert: index {index} is out of range for "
                               f"{length} items (give -{length}..{length})")
    return index + length if index < 0 else index


def out_of_range(owner: str, index: Any, length: int) -> TensorIndexError:
    """The error for ``owner[index]`` (get, set, del, pop) outside a list container of
    ``length`` items: a ``TensorIndexError`` (an IndexError, as PyTorch's) naming them."""
    valid = f"give an index in -{length}..{length - 1}" if length else "it is empty"
    return TensorIndexError(f"{owner}: index {index} is out of range for {length} "
                            f"item{'' if length == 1 else 's'} ({valid})")


def item_position(index: Any, length: int, owner: str) -> Any:
    """``index`` of an item of a list container of ``length`` items as a position in
    0..length-1 (negative ones count from the end); outside ``out_of_range``'s error. An
    index that is not an int is returned as given (the list then refuses it)."""
    if not hasattr(index, "__index__"):
        return index
    position = index.__index__()
    if not -length <= position < length:
        raise out_of_range(owner, position, length)
    return position + length if position < 0 else position


def grouped_repr(name: str, items: list[Module]) -> str:
    """PyTorch's ``ModuleList`` repr: ``name(...)`` with one line per run of items whose
    reprs are equal, ``(0-1): 2 x ReLU()``, each indented by 2."""
    lines, start = [], 0
    for text, run in itertools.groupby(repr(m) for m in items):
        count = len(list(run))
        label = f"({start}): " if count == 1 else f"({start}-{start + count - 1}): {count} x "
        lines.append(label + text.replace("\n", "\n  "))
        start += count
    return f"{name}(\n  " + "\n  ".join(lines) + "\n)" if lines else f"{name}()"


def update_pairs(owner: str, given: Any, sort_dicts: bool = False) -> list[tuple[Any, Any]]:
    """The ``(key, value)`` pairs ``owner.update(given)`` adds, in order: a mapping's or a
    dict container's items (a plain mapping's, not an OrderedDict's, sorted by key with
    ``sort_dicts``, as PyTorch's ``ParameterDict``), none for None, else the items of an
    iterable of pairs, each checked to be one."""
    if given is None:
        return []
    if isinstance(given, (Mapping, DictItems)):
        pairs = list(given.items())
        if sort_dicts and isinstance(given, Mapping) and not isinstance(
                given, OrderedDict) and all(isinstance(k, str) for k, _ in pairs):
            pairs.sort(key=lambda pair: pair[0])
        return pairs
    if not isinstance(given, Iterable):
        raise ArgumentTypeError(f"{owner}.update needs a mapping or an iterable of (key, "
                                f"value) pairs; got {type(given).__name__}")
    pairs = []
    for j, pair in enumerate(given):
        if not isinstance(pair, Iterable):
            raise ArgumentTypeError(f"{owner}.update: element #{j} must be a (key, value) "
                                    f"pair; got {type(pair).__name__}")
        pair = tuple(pair)
        if len(pair) != 2:
            raise ConfigError(f"{owner}.update: element #{j} has length {len(pair)}; a "
                              f"(key, value) pair has 2")
        pairs.append(pair)
    return pairs


class DictItems:
    """The read side of a dict container (``ModuleDict``, ``ParameterDict``) over its
    ``_items``: ``in``, ``len``, iteration over the keys (``reversed`` too), ``keys``,
    ``values``, ``items``, and a key as an attribute (``md.fc``, as PyTorch's)."""

    _items: dict[str, Any]

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __reversed__(self) -> Iterator[str]:
        return reversed(self._items)

    def keys(self) -> Iterable[str]:
        return self._items.keys()

    def values(self) -> Iterable[Any]:
        return self._items.values()

    def items(self) -> Iterable[tuple[str, Any]]:
        return self._items.items()

    def __getattr__(self, name: str) -> Any:  # only called when normal look-up fails
        own = self.__dict__  # (for a direct call, as Module.__getattr__)
        items = own.get("_items", {})
        if name in items or name in own:
            return items[name] if name in items else own[name]
        raise MemberNotFoundError(f"'{type(self).__name__}' object has no attribute or key "
                                  f"{name!r}; keys: {list(items)}")
