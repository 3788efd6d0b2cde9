"""PyTorch's per-module member dictionaries ``_parameters``, ``_buffers`` and ``_modules``
as live views (a base class of ``Module`` kept in its own file).

PyTorch keeps a module's own parameters, buffers and sub-modules in three ordered dicts,
and code written for it reads and writes them directly (d2l.ai's Xavier initialisation
``init.xavier_uniform_(m._parameters[name])``, its ``self._modules[str(idx)] = block``).
Here members are plain attributes; each view lists the module's own members of one kind
by name, in definition order (as ``named_parameters(recurse=False)`` etc.), and writes
through the registering methods, so both spellings keep one state. PyTorch's dict also
takes a plain (non-leaf) Tensor as a parameter, which learn2learn's MAML uses for fast
weights; here that is a ``UsageError`` naming ``autograd.func.functional_call``.
"""
from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

from autograd import Tensor
from autograd.errors import UsageError

from .errors import NameNotFoundError
from .module_discovery import _BEHIND_METHODS
from .parameter import Parameter

__all__ = ["MemberDictMethods", "MemberView"]


class MemberView(MutableMapping):
    """The own members of one kind of a module: ``view[name]`` reads,
    ``view[name] = value`` registers (``register_parameter`` / ``register_buffer`` /
    ``add_module``), ``del view[name]`` removes the attribute."""

    def __init__(self, module: Any, kind: str) -> None:
        self._module, self._kind = module, kind

    def _items(self) -> dict[str, Any]:
        module = self._module
        if self._kind == "parameters":
            return dict(module.named_parameters(recurse=False))
        if self._kind == "buffers":
            return dict(module.named_buffers(recurse=False))
        return dict(module.named_children())

    def __getitem__(self, name: str) -> Any:
        items = self._items()
        if name not in items:
            raise self._missing(name, items)
        return items[name]

    def _missing(self, name: str, items: dict) -> NameNotFoundError:
        return NameNotFoundError(f"{type(self._module).__name__} has no {self._kind[:-1]} "
                                 f"{name!r} of its own; its {self._kind}: {list(items)}")

    def __setitem__(self, name: str, value: Any) -> None:
        if self._kind == "parameters" and isinstance(value, Tensor) and \
                not isinstance(value, Parameter):
            raise UsageError(
                f"_parameters[{name!r}] = a Tensor that is not a Parameter: PyTorch's dict "
                f"holds it (learn2learn's update_module puts MAML's fast weights there); "
                f"here a module's parameters are Parameters. Compute with other tensors "
                f"in their places through autograd.func.functional_call(module, "
                f"{{{name!r}: tensor, ...}}, (x,)) (PyTorch's torch.func.functional_call; "
                f"dotted names from the root module), or wrap values that should become "
                f"the parameter: Parameter(values)")
        register = {"parameters": "register_parameter", "buffers": "register_buffer",
                    "modules": "add_module"}[self._kind]
        getattr(self._module, register)(name, value)

    def __delitem__(self, name: str) -> None:
        items = self._items()
        if name not in items:
            raise self._missing(name, items)
        delattr(self._module, name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._items())

    def __len__(self) -> int:
        return len(self._items())

    def __reversed__(self) -> Iterator[str]:
        return reversed(self._items())

    def keys(self) -> Any:
        """The names, a dict's view (reversible, as PyTorch's dict's)."""
        return self._items().keys()

    def values(self) -> Any:
        """The members, a dict's view: ``reversed(self._modules.values())`` works."""
        return self._items().values()

    def items(self) -> Any:
        """(name, member) pairs, a dict's view."""
        return self._items().items()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._kind}: {self._items()!r})"


class MemberDictMethods:
    """``_parameters``, ``_buffers`` and ``_modules`` of a ``Module`` (PyTorch's names)."""

    @property
    def _parameters(self) -> MemberView:
        """This module's own parameters by name (PyTorch's ``module._parameters``)."""
        return MemberView(self, "parameters")

    @property
    def _buffers(self) -> MemberView:
        """This module's own buffers by name (PyTorch's ``module._buffers``)."""
        return MemberView(self, "buffers")

    @property
    def _modules(self) -> MemberView:
        """This module's direct sub-modules by name (PyTorch's ``module._modules``)."""
        return MemberView(self, "modules")

    def __getattr__(self, name: str) -> Any:
        """PyTorch's ``module.__getattr__(name)``, which code calls by name (SWAG's
        ``module.__getattr__("%s_mean" % name)``, a wrapper's ``super().__getattr__``):
        the member ``name``, kept as a plain attribute here (or behind a method of the same
        name). Python calls it too when normal look-up fails: then AttributeError."""
        own = object.__getattribute__(self, "__dict__")
        if name in own:
            return own[name]
        behind = own.get(_BEHIND_METHODS)
        if behind and name in behind:
            return behind[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'",
                             name=name, obj=self)

