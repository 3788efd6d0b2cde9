"""Modules that hold other modules: ``Sequential``, ``ModuleList``, ``ModuleDict``.

Their items are named by position (``"0"``, ``"1"``, ...) or by key, so parameters are
called ``"0.weight"``, ``"encoder.fc.bias"``... as in PyTorch. (A plain list or dict of
modules assigned to an attribute is found too; these classes add list and dict methods,
and ``Sequential`` a ``forward``.)
"""
from __future__ import annotations

import numbers
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Callable

from .container_items import (DictItems, check_module as _check_module,
                              check_name as _check_name, insert_position, item_index,
                              grouped_repr, item_position, update_pairs)
from .member_storage import MemberDict, MemberList
from .global_hooks import ANY_GLOBAL_HOOK
from .module import Module
from .errors import ArgumentTypeError, ConfigError, NameNotFoundError

__all__ = ["Sequential", "ModuleList", "ModuleDict"]

_MODULE_CALL = Module.__call__

# Pairs Sequential runs as one op (one graph node, the same numbers; nn.activations adds
# Linear-ReLU): (exact types) -> the first's method for both, if neither is hooked/patched.
FUSED_PAIRS: dict[tuple[type, type], Callable[[Any, Any], Any]] = {}


def _as_defined(layer: Module) -> bool:
    """Whether ``layer(x)`` is its class's forward: no hooks, no forward of its own."""
    return (layer._hook_registry is None and not ANY_GLOBAL_HOOK
            and "forward" not in layer.__dict__)


class Sequential(Module):
    """Apply modules one after the other: y = f_n(... f_2(f_1(x))).

    ``Sequential(m1, m2, ...)`` names the layers ``"0"``, ``"1"``...;
    ``Sequential({"fc": m1, "act": m2})`` uses the keys (then ``seq.fc`` works too).
    Indexing by int or name gives a layer; a slice gives a new Sequential sharing them.
    As in PyTorch, ``add_module(name, m)`` and ``seq.name = m`` add a layer at the end
    (or replace the layer of that name), ``seq[i] = m`` replaces one, and ``del seq[i]``,
    ``pop``, ``insert`` and ``extend`` edit the list (``del`` and ``insert`` rename the
    layers by position). ``seq1 + seq2`` and ``seq * n`` make a new Sequential of the same
    layer objects (named by position); ``+=`` and ``*=`` extend this one.
    """

    def __init__(self, *modules: Module | Mapping[str, Module]) -> None:
        super().__init__()
        self._names: list[str] = []
        self._layers: list[Module] = MemberList()
        if len(modules) == 1 and isinstance(modules[0], Mapping):
            pairs: Iterable[tuple[Any, Any]] = modules[0].items()
        else:
            pairs = ((str(i), m) for i, m in enumerate(modules))
        for name, module in pairs:
            self._add(name, module)

    def _add(self, name: Any, module: Any) -> None:
        name = _check_name(name, "Sequential")
        module = _check_module(module, self, name)
        if name in self._names:
            raise ConfigError(f"Sequential: the name {name!r} is used twice")
        self._names.append(name)
        self._layers.append(module)

    def forward(self, input: Any) -> Any:
        x, layers, i = input, self._layers, 0  # x: the output of the layers so far
        while i < len(layers):
            layer, after = layers[i], layers[i + 1] if i + 1 < len(layers) else None
            both = FUSED_PAIRS.get((type(layer), type(after)))  # the pair as one op?
            if both is not None and _as_defined(layer) and _as_defined(after):
                x, i = both(layer, x), i + 2
                continue
            # layer(x) is layer.forward(x) unless the layer redefines __call__ or has
            # hooks: calling forward directly saves a Python frame per layer
            direct = (type(layer).__call__ is _MODULE_CALL and layer._hook_registry is None
                      and not ANY_GLOBAL_HOOK)
            x, i = (layer.forward(x) if direct else layer(x)), i + 1
        return x

    def append(self, module: Module) -> "Sequential":
        """Add a layer at the end (named by its position); returns self."""
        name = str(len(self._layers))
        while name in self._names:
            name += "_"
        self._add(name, module)
        return self

    def extend(self, modules: Iterable[Module]) -> "Sequential":
        """Append every module of ``modules``; returns self. ``seq.extend(seq)`` doubles
        ``seq``, as ``seq += seq`` (the modules are read before the first is appended)."""
        for module in list(modules):
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> "Sequential":
        """Insert ``module`` before position ``index``; the layers are then named by
        position, as after ``del``; returns self. ``index`` is in -len..len, as
        PyTorch's (an IndexError otherwise)."""
        module = _check_module(module, self, index)
        self._layers.insert(insert_position(index, len(self._layers), "Sequential"), module)
        self._names = [str(i) for i in range(len(self._layers))]
        return self

    def pop(self, index: int | slice = -1) -> Any:
        """Remove the layer at ``index`` and return it (the rest are renamed as by del); a
        slice removes those layers and returns them as a Sequential, as ``seq[index]``."""
        layer = self[index]
        del self[index]
        return layer

    def add_module(self, name: str, module: "Module | None") -> None:
        """Add ``module`` at the end under ``name``, or replace the layer of that name; it
        takes part in ``forward`` (as does ``seq.name = module``), as in PyTorch. None is
        refused, as ``seq[i] = None`` is (PyTorch keeps a None layer)."""
        if module is None:
            _check_module(module, self, name)  # raises
        if isinstance(name, str) and name in self.__dict__.get("_names", ()):
            setattr(self, name, module)
        else:
            super().add_module(name, module)

    register_module = add_module

    def __setattr__(self, name: str, value: Any) -> None:
        names = self.__dict__.get("_names")
        if names is None or name in self.__dict__:
            super().__setattr__(name, value)
        elif name in names:  # a layer's name takes only a layer (PyTorch: or None)
            self._layers[names.index(name)] = _check_module(value, self, name)
        elif isinstance(value, Module):
            self._add(name, value)
        else:
            super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        names = self.__dict__.get("_names", ())
        if name in names and name not in self.__dict__:
            del self._layers[names.index(name)]
            names.remove(name)
        else:
            super().__delattr__(name)

    def _members(self) -> Iterator[tuple[str, Any]]:
        yield from zip(self._names, self._layers)
        yield from ((k, v) for k, v in super()._members() if k not in ("_names", "_layers"))

    def __len__(self) -> int:
        return len(self._layers)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._layers)

    def __add__(self, other: "Sequential") -> "Sequential":
        """A new Sequential of this one's layers, then ``other``'s (the same module
        objects, renamed "0", "1", ...), as PyTorch."""
        return Sequential(*self, *_sequential(other, "+"))

    def __iadd__(self, other: "Sequential") -> "Sequential":
        """Append ``other``'s layers to this one (PyTorch's ``seq += other``)."""
        return self.extend(list(_sequential(other, "+=")))

    def __mul__(self, times: int) -> "Sequential":
        """A new Sequential of this one's layers ``times`` times over: the same module
        objects, so the copies share parameters (PyTorch's ``seq * n``)."""
        return Sequential(*(list(self) * _repeats(times, "*")))

    __rmul__ = __mul__

    def __imul__(self, times: int) -> "Sequential":
        """Repeat this one's layers ``times`` times over, in place (``seq *= n``)."""
        return self.extend(list(self) * (_repeats(times, "*=") - 1))

    def __getitem__(self, index: int | slice | str) -> Any:
        if isinstance(index, str):
            if index not in self._names:
                raise NameNotFoundError(f"Sequential has no layer named {index!r}; names: "
                                        f"{self._names}")
            return self._layers[self._names.index(index)]
        if isinstance(index, slice):
            return Sequential(dict(zip(self._names[index], self._layers[index])))
        return self._layers[item_position(index, len(self._layers), "Sequential")]

    def __setitem__(self, index: int | str, module: Module) -> None:
        """Replace the layer at ``index`` (or named ``index``), keeping its name."""
        position = self._position(index)
        self._layers[position] = _check_module(module, self, index)

    def __delitem__(self, index: int | slice) -> None:
        """Remove layers; the remaining ones are renamed by position ("0", "1", ...), as
        PyTorch does."""
        del self._layers[index if isinstance(index, slice) else self._position(index)]
        self._names = [str(i) for i in range(len(self._layers))]

    def _position(self, index: int | str) -> int:
        """The position of the layer at ``index`` or named ``index``; else
        TensorIndexError (NameNotFoundError for an unknown name)."""
        if isinstance(index, str):
            self[index]  # NameNotFoundError, listing the names
            return self._names.index(index)
        return item_position(index, len(self._layers), "Sequential")

    def __getattr__(self, name: str) -> Any:  # only called when normal look-up fails
        names = self.__dict__.get("_names", ())
        if name in names:
            return self.__dict__["_layers"][names.index(name)]
        raise AttributeError(f"'Sequential' object has no attribute {name!r}")


def _sequential(other: Any, operator: str) -> Sequential:
    if not isinstance(other, Sequential):
        raise ArgumentTypeError(f"Sequential {operator} needs another Sequential (as "
                                f"PyTorch); got {type(other).__name__}. Wrap modules: "
                                f"seq {operator} nn.Sequential(m1, m2)")
    return other


def _repeats(times: Any, operator: str) -> int:
    if isinstance(times, bool) or not isinstance(times, numbers.Integral):
        raise ArgumentTypeError(f"Sequential {operator} needs an int number of repeats; "
                                f"got {type(times).__name__}")
    if times <= 0:
        raise ConfigError(f"Sequential {operator} needs a positive number of repeats; "
                          f"got {times}")
    return int(times)


class ModuleList(Module):
    """A list of modules, registered under the names ``"0"``, ``"1"``, ....

    Supports ``len``, iteration, indexing (a slice gives a new ModuleList), item
    assignment and deletion, ``append``, ``extend`` and ``insert``. It has no
    ``forward``: loop over it in your own.
    """

    def __init__(self, modules: Iterable[Module] = ()) -> None:
        super().__init__()
        self._items: list[Module] = MemberList()
        self.extend(modules)

    def _members(self) -> Iterator[tuple[str, Any]]:
        yield from ((str(i), m) for i, m in enumerate(self._items))
        yield from ((k, v) for k, v in super()._members() if k != "_items")

    def __setattr__(self, name: str, value: Any) -> None:
        """An item's name ("0", ...; ``add_module``, ``_modules[name] = m`` too) replaces
        that item, as in PyTorch; other names are attributes."""
        index = item_index(self.__dict__.get("_items"), name)
        if index is None:
            super().__setattr__(name, value)
        else:
            self[index] = value

    def append(self, module: Module) -> "ModuleList":
        """Add a module at the end; returns self."""
        self._items.append(_check_module(module, self, len(self._items)))
        return self

    def extend(self, modules: Iterable[Module]) -> "ModuleList":
        """Append every module of ``modules``; returns self."""
        if not isinstance(modules, Iterable):
            raise ArgumentTypeError(f"ModuleList.extend needs an iterable of modules; got "
                                    f"{type(modules).__name__}. Use append for one module.")
        for module in list(modules):  # read first: ml.extend(ml) doubles ml
            self.append(module)
        return self

    def __add__(self, other: Iterable[Module]) -> "ModuleList":
        """A new ModuleList of this one's modules, then ``other``'s (the same objects), as
        PyTorch's ``ml + [...]``."""
        return ModuleList(self).extend(other)

    def __iadd__(self, other: Iterable[Module]) -> "ModuleList":
        """Append ``other``'s modules (``ml += [...]``, as ``extend``)."""
        return self.extend(other)

    def add_module(self, name: str, module: Module | None) -> None:
        """``ml.<name> = module`` (an item's name, "0"..., replaces that item), as Module's;
        None is refused, as ``ml[i] = None`` is (PyTorch keeps a None item)."""
        if module is None:
            _check_module(module, self, name)  # raises
        super().add_module(name, module)

    register_module = add_module

    def insert(self, index: int, module: Module) -> None:
        """Insert ``module`` before position ``index`` (in -len..len; else IndexError)."""
        module = _check_module(module, self, index)
        self._items.insert(insert_position(index, len(self._items), "ModuleList"), module)

    def pop(self, index: int | slice = -1) -> Any:
        """Remove the module at ``index`` (the last by default) and return it; a slice
        removes those and returns them as a ModuleList, as ``ml[index]``."""
        module = self[index]
        del self[index]
        return module

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._items)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return ModuleList(self._items[index])
        return self._items[item_position(index, len(self._items), "ModuleList")]

    def __setitem__(self, index: int, module: Module) -> None:
        position = item_position(index, len(self._items), "ModuleList")
        self._items[position] = _check_module(module, self, index)

    def __delitem__(self, index: int | slice) -> None:
        if not isinstance(index, slice):
            index = item_position(index, len(self._items), "ModuleList")
        del self._items[index]

    def __repr__(self) -> str:
        """PyTorch's: a run of items with equal reprs on one line, ``(0-1): 2 x ReLU()``."""
        return grouped_repr(self._get_name(), self._items)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ModuleList is a container without forward(); iterate "
                                  "over it in your module's forward, or use Sequential")


class ModuleDict(DictItems, Module):
    """A dict of modules keyed by name (str without '.'), in insertion order. As in
    PyTorch a key is an attribute too: ``md.fc`` is ``md["fc"]``, ``md.fc = module`` adds
    or replaces the key and ``del md.fc`` removes it."""

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None
                 = None) -> None:
        super().__init__()
        self._items: dict[str, Module] = MemberDict()
        self.update(modules)

    def _members(self) -> Iterator[tuple[str, Any]]:
        yield from self._items.items()
        yield from ((k, v) for k, v in super()._members() if k != "_items")

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None
               ) -> None:
        """Add or replace the modules of a mapping (another ModuleDict too) or of
        ``(name, module)`` pairs, in their order."""
        for name, module in update_pairs("ModuleDict", modules):
            self[name] = module

    def __setitem__(self, name: str, module: Module) -> None:
        _check_name(name, "ModuleDict")
        if name not in self._items and hasattr(self, name):  # 'training', 'keys'...
            raise self._taken(f"ModuleDict[{name!r}] = ...", name)
        self._items[name] = _check_module(module, self, name)

    def __getitem__(self, name: str) -> Module:
        if name not in self._items:
            raise NameNotFoundError(f"ModuleDict has no key {name!r}; keys: "
                                    f"{list(self._items)}")
        return self._items[name]

    def __delitem__(self, name: str) -> None:
        self[name]  # NameNotFoundError, listing the keys
        del self._items[name]

    def pop(self, name: str) -> Module:
        """Remove the module under ``name`` and return it."""
        module = self[name]
        del self._items[name]
        return module

    def clear(self) -> None:
        """Remove every module."""
        self._items.clear()

    def __setattr__(self, name: str, value: Any) -> None:
        items = self.__dict__.get("_items")
        if items is None or name in self.__dict__:
            super().__setattr__(name, value)
        elif isinstance(value, Module):
            self[name] = value
        elif name in items:
            raise ArgumentTypeError(f"cannot assign a {type(value).__name__} to the module "
                                    f"'{name}' of a ModuleDict: expected a Module. To remove "
                                    f"it write del md.{name} (PyTorch keeps None there)")
        else:
            super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        if name in self.__dict__.get("_items", ()) and name not in self.__dict__:
            del self._items[name]
        else:
            super().__delattr__(name)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ModuleDict is a container without forward(); pick "
                                  "its modules by key in your module's forward")
