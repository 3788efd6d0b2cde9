"""Containers of Parameters: ``ParameterList`` and ``ParameterDict`` (PyTorch's), whose
items the module holding them finds as ``"<attribute>.0"`` / ``"<attribute>.<key>"``.

PyTorch wraps a tensor put into them in a Parameter and keeps any other object as a
plain item; here Tensors and ndarrays are wrapped, and other objects (numbers, lists,
None) are refused, since they would silently not be trained.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from autograd import Tensor
from .container_items import DictItems, check_name, item_index, item_position, update_pairs
from .global_hooks import run_registration_hooks
from .errors import ArgumentTypeError, NameNotFoundError
from .member_storage import MemberDict, MemberList
from .module import Module
from .parameter import Parameter

__all__ = ["ParameterList", "ParameterDict"]


def _as_parameter(value: Any, container: Any, where: Any) -> Parameter:
    """A Parameter as is; a Tensor or ndarray wrapped in one (sharing its array, as
    PyTorch wraps tensors); anything else refused. The global parameter registration
    hooks run on it (and may replace it)."""
    if isinstance(value, (Tensor, np.ndarray)) and not isinstance(value, Parameter):
        value = Parameter(value.data if isinstance(value, Tensor) else value)
    if not isinstance(value, Parameter):
        raise ArgumentTypeError(
            f"{type(container).__name__} holds Parameters (Tensors and arrays are wrapped "
            f"in one); item {where!r} is a {type(value).__name__}. Wrap the values "
            f"yourself: Parameter(np.asarray(values, float)).")
    return run_registration_hooks("parameter", container, str(where), value, Parameter)


def _attribute_value(value: Any, owner: str, name: str) -> Parameter:
    """``value`` of ``container.<name> = value`` for an item's name: a Parameter, which
    replaces the item (PyTorch refuses anything else there; ``container[...] = tensor``
    wraps a Tensor in one)."""
    if not isinstance(value, Parameter):
        raise ArgumentTypeError(f"cannot assign a {type(value).__name__} to the parameter "
                                f"'{name}' of a {owner}: expected a Parameter (item "
                                f"assignment {owner}[...] = tensor wraps a Tensor). To "
                                f"remove it use del on the item.")
    return value


def _repr(owner: str, items: Iterable[tuple[Any, Parameter]]) -> str:
    """PyTorch's layout with this library's dtype names: ``(name): Parameter containing:
    [float64 of size 2x3]`` per item, a single item on the owner's line, several
    indented by 4 (PyTorch's extra_repr lines indented once more)."""
    lines = [f"  ({name}): Parameter containing: [{p.dtype} of size "
             f"{'x'.join(str(n) for n in p.shape)}]" for name, p in items]
    if len(lines) <= 1:
        return f"{owner}(" + "".join(lines) + ")"
    return f"{owner}(\n  " + "\n  ".join(lines) + "\n)"


class ParameterList(Module):
    """A list of Parameters, found by the module holding it under the names ``"0"``,
    ``"1"``, ... (``"weights.0"``). Tensors and arrays put in are wrapped in a Parameter,
    as PyTorch wraps tensors. Supports ``len``, iteration, indexing (a slice gives a
    new ParameterList sharing them), item assignment, ``append`` and ``extend``."""

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        self._items: list[Parameter] = MemberList()
        self.extend(() if values is None else values)

    def _members(self) -> Iterator[tuple[str, Any]]:
        yield from ((str(i), p) for i, p in enumerate(self._items))
        yield from ((k, v) for k, v in super()._members() if k != "_items")

    def _member(self, name: str) -> Any:
        return self._items[int(name)] if name.isdigit() else super()._member(name)

    def _set_member(self, name: str, value: Any) -> None:
        if name.isdigit():
            self._items[int(name)] = value
        else:
            super()._set_member(name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        """An item's name ("0", ...; ``register_parameter`` too) replaces that item, as in
        PyTorch; other names are attributes."""
        index = item_index(self.__dict__.get("_items"), name)
        if index is None:
            super().__setattr__(name, value)
        else:
            self[index] = _attribute_value(value, "ParameterList", name)

    def append(self, value: Any) -> "ParameterList":
        """Add a parameter at the end; returns self."""
        self._items.append(_as_parameter(value, self, len(self._items)))
        return self

    def extend(self, values: Iterable[Any]) -> "ParameterList":
        """Append every item of ``values`` (a list or other iterable); returns self."""
        if isinstance(values, (Tensor, np.ndarray)) or not isinstance(values, Iterable):
            raise ArgumentTypeError(f"ParameterList.extend needs an iterable of parameters; "
                                    f"got {type(values).__name__}. Use append for one.")
        for value in values:
            self.append(value)
        return self

    def __iadd__(self, values: Iterable[Any]) -> "ParameterList":
        """``pl += values``: ``extend`` (PyTorch's)."""
        return self.extend(values)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self._items)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return ParameterList(self._items[index])
        return self._items[item_position(index, len(self._items), "ParameterList")]

    def __setitem__(self, index: int, value: Any) -> None:
        position = item_position(index, len(self._items), "ParameterList")
        self._items[position] = _as_parameter(value, self, index)

    def __repr__(self) -> str:
        return _repr("ParameterList", enumerate(self._items))

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ParameterList is a container without forward(); use "
                                  "its parameters in your module's forward")


class ParameterDict(DictItems, Module):
    """A dict of Parameters keyed by name (str without '.'), in insertion order, found by
    the module holding it as ``"<attribute>.<key>"``. Tensors and arrays put in are
    wrapped in a Parameter, as PyTorch wraps tensors. Supports ``len``, iteration over
    the keys (``reversed`` too), ``in``, item get/set/delete, a key as an attribute
    (``pd.scale``), ``keys``, ``values``, ``items``, ``get``, ``pop``, ``popitem``,
    ``setdefault``, ``clear``, ``copy``, ``fromkeys``, ``update``, ``|`` and ``|=``."""

    def __init__(self, parameters: Mapping[str, Any] | Iterable[tuple[str, Any]] | None
                 = None) -> None:
        super().__init__()
        self._items: dict[str, Parameter] = MemberDict()
        self.update(() if parameters is None else parameters)

    def _members(self) -> Iterator[tuple[str, Any]]:
        yield from self._items.items()
        yield from ((k, v) for k, v in super()._members() if k != "_items")

    def _member(self, name: str) -> Any:
        return self._items[name] if name in self._items else super()._member(name)

    def _set_member(self, name: str, value: Any) -> None:
        if name in self._items:
            self._items[name] = value
        else:
            super()._set_member(name, value)

    def update(self, parameters: Mapping[str, Any] | Iterable[tuple[str, Any]] | None
               ) -> None:
        """Add or replace the parameters of a mapping or of ``(name, value)`` pairs. As in
        PyTorch, a plain dict's are added in the order of their sorted keys; an
        OrderedDict's, a ParameterDict's and pairs' in their own order."""
        for name, value in update_pairs("ParameterDict", parameters, sort_dicts=True):
            self[name] = value

    def __setitem__(self, name: str, value: Any) -> None:
        if not isinstance(name, str):
            raise ArgumentTypeError(f"ParameterDict keys are str; got {name!r} "
                                    f"({type(name).__name__})")
        check_name(name, "ParameterDict")
        if name not in self._items and hasattr(self, name):  # 'training', 'keys'...
            raise self._taken(f"ParameterDict[{name!r}] = ...", name)
        self._items[name] = _as_parameter(value, self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        """A key's name replaces that parameter (PyTorch's); other names are attributes."""
        items = self.__dict__.get("_items")
        if items is None or name not in items or name in self.__dict__:
            super().__setattr__(name, value)
        else:
            self[name] = _attribute_value(value, "ParameterDict", name)

    def __getitem__(self, name: str) -> Parameter:
        if name not in self._items:
            raise NameNotFoundError(f"ParameterDict has no key {name!r}; keys: "
                                    f"{list(self._items)}")
        return self._items[name]

    def __delitem__(self, name: str) -> None:
        self[name]  # NameNotFoundError, listing the keys
        del self._items[name]

    def get(self, name: str, default: Any = None) -> Any:
        """The parameter under ``name``, else ``default``."""
        return self._items.get(name, default)

    def pop(self, name: str) -> Parameter:
        """Remove the parameter under ``name`` and return it."""
        value = self[name]
        del self._items[name]
        return value

    def popitem(self) -> tuple[str, Parameter]:
        """Remove the last added ``(key, parameter)`` and return it."""
        if not self._items:
            raise NameNotFoundError("popitem(): the ParameterDict is empty")
        name = next(reversed(self._items))
        return name, self.pop(name)

    def setdefault(self, name: str, default: Any = None) -> Parameter:
        """The parameter under ``name``; if there is none, ``default`` is put there first
        (wrapped in a Parameter, as by ``pd[name] = default``)."""
        if name not in self._items:
            self[name] = default
        return self._items[name]

    def clear(self) -> None:
        """Remove every parameter."""
        self._items.clear()

    def copy(self) -> "ParameterDict":
        """A new ParameterDict of the same Parameter objects, in the same order."""
        return ParameterDict(list(self._items.items()))

    def fromkeys(self, keys: Iterable[str], default: Any = None) -> "ParameterDict":
        """A new ParameterDict with ``default`` under each of ``keys`` (PyTorch's: a
        Tensor is wrapped in one Parameter per key, sharing its values)."""
        return ParameterDict([(name, default) for name in keys])

    def __or__(self, other: Any) -> "ParameterDict":
        """A copy of this one updated with ``other`` (``pd | other``)."""
        result = self.copy()
        result.update(other)
        return result

    def __ror__(self, other: Any) -> "ParameterDict":
        """``other | pd``: a ParameterDict of ``other`` updated with this one."""
        result = ParameterDict(other)
        result.update(self)
        return result

    def __ior__(self, other: Any) -> "ParameterDict":
        """``pd |= other``: ``update``."""
        self.update(other)
        return self

    def __repr__(self) -> str:
        return _repr("ParameterDict", self._items.items())

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ParameterDict is a container without forward(); pick "
                                  "its parameters by key in your module's forward")
