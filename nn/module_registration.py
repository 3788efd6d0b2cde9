"""``Module``'s members by name: registering them (``register_buffer``,
``register_parameter``, ``add_module``, and the checks of ``self.<name> = value``) and
finding or replacing them by dotted path (``get_submodule``, ``set_submodule``,
``get_parameter``, ``get_buffer``); a base class of ``Module`` kept in its own file.

PyTorch's rules: a member's name is a non-empty str without '.'; a name the module
already uses (an attribute, a method, a container's item such as a ``ModuleList``'s
``"0"``) takes only a member of the same kind (a parameter's place a Parameter or None,
a sub-module's a Module or None, a buffer's a Tensor or None), so that nothing a module
trains is hidden behind another member of the same name.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from autograd.errors import UsageError

from ._checks import flag
from .errors import ArgumentTypeError, MemberNameError, MemberNotFoundError, NameTakenError
from .module_discovery import (_MODULE, _PARAM, _SLOTS, DiscoveryMethods, _may_hold,
                               _names_a_method, slot_kind)
from .parameter import Parameter

__all__ = ["RegistrationMethods", "as_buffer", "check_member_name"]

AnyModule = Any  # a Module: this file sits below the Module class
_EXPECTED = {_PARAM: "a Parameter or None",
             _MODULE: "a Module, None or a Parameter (which takes its place)"}


def check_member_name(caller: str, name: Any) -> str:
    """``name`` if it can name a member (a non-empty str without '.'), else
    ``MemberNameError`` (a KeyError, as PyTorch's)."""
    if not isinstance(name, str) or not name or "." in name:
        raise MemberNameError(f"{caller}: the name must be a non-empty str without '.'; "
                              f"got {name!r}")
    return name


def as_buffer(name: str, value: Any) -> Tensor | None:
    """A buffer's value: a Tensor as given, graph kept (PyTorch's; MetaModule look-ahead
    weights live there); a Parameter's values as a constant; a NumPy array wrapped. A
    Python number or list is refused, as PyTorch refuses it (a typo would otherwise
    become state silently)."""
    if value is None or (isinstance(value, Tensor) and not isinstance(value, Parameter)):
        return value
    if isinstance(value, Parameter):
        return value.detach()
    if isinstance(value, (np.ndarray, np.generic)):
        try:
            return Tensor(np.asarray(value))
        except (TypeError, ValueError) as exc:
            raise ArgumentTypeError(f"buffer '{name}' cannot hold this {value.dtype} array "
                                    f"({exc})") from None
    raise ArgumentTypeError(f"buffer '{name}' must be a Tensor, a NumPy array or None; got "
                            f"{type(value).__name__}. Wrap the values: "
                            f"Tensor(np.asarray(values)) (PyTorch refuses it too)")


class RegistrationMethods:
    """``register_buffer``, ``register_parameter``, ``add_module``, the dotted-path
    look-ups and the checks ``Module.__setattr__`` runs; ``Module`` inherits them."""

    _buffer_names: dict[str, bool]

    def register_buffer(self, name: str, value: Any, persistent: bool = True) -> None:
        """Declare ``self.<name>`` a buffer: state saved by ``state_dict`` and cast by
        ``astype``, but not a parameter. ``value`` is a Tensor, a NumPy array or None.
        ``persistent=False`` (PyTorch's): listed by ``buffers()`` and cast, but left out
        of ``state_dict`` (and so not expected by ``load_state_dict``). A name already in
        use other than by a buffer is refused, as in PyTorch."""
        if "_buffer_names" not in self.__dict__:
            raise UsageError(f"call super().__init__() in {type(self).__name__}.__init__ "
                             f"before register_buffer('{name}', ...)")
        if not isinstance(name, str) or not name or "." in name:
            raise MemberNameError(f"a buffer name must be a non-empty str without '.'; got "
                                  f"{name!r}")
        if name not in self._buffer_names and self._in_use(name):
            raise self._taken("register_buffer", name)
        persistent = flag("register_buffer", "persistent", persistent)
        value = as_buffer(name, value)  # a Parameter too becomes a buffer
        self._buffer_names[name] = persistent
        setattr(self, name, value)

    def add_module(self, name: str, module: AnyModule | None) -> None:
        """``self.<name> = module``, PyTorch's spelling (for names made at run time)."""
        self._register("add_module", name, module, DiscoveryMethods)

    register_module = add_module

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """``self.<name> = param``, PyTorch's spelling; ``param`` is a Parameter or None."""
        self._register("register_parameter", name, param, Parameter)

    def _register(self, caller: str, name: Any, value: Any, kind: type) -> None:
        """``self.<name> = value`` after ``_check_new_name``; a None keeps the place of a
        member of ``kind``."""
        self._check_new_name(caller, name, value, kind)
        setattr(self, name, value)
        if value is None and name in self.__dict__:  # not a container's item
            self.__dict__.setdefault(_SLOTS, {})[name] = _PARAM if kind is Parameter \
                else _MODULE

    def _check_new_name(self, caller: str, name: Any, value: Any, kind: type) -> None:
        """``value`` a ``kind`` or None, ``name`` a free name or one holding a ``kind``
        (or None, unless that None keeps the place of a member of another kind)."""
        label = "Module" if kind is DiscoveryMethods else kind.__name__
        if value is not None and not isinstance(value, kind):
            raise ArgumentTypeError(f"{caller}('{name}', ...): expected a {label} or "
                                    f"None; got {type(value).__name__}")
        check_member_name(caller, name)
        members = dict(self._members())
        if name not in members:
            fits = not hasattr(self, name)
        elif name in self._buffer_names:
            fits = False
        else:
            held, wanted = members[name], _PARAM if kind is Parameter else _MODULE
            fits = isinstance(held, kind) or held is None and slot_kind(
                self.__dict__, name) in (None, wanted)
        if not fits:
            raise self._taken(caller, name)

    def _in_use(self, name: str) -> bool:
        """Whether ``name`` is an attribute (a method too) or a member (a container's
        item too) of this module."""
        return hasattr(self, name) or any(k == name for k, _ in self._members())

    def _taken(self, caller: str, name: str) -> NameTakenError:
        """The error for ``name`` already in use (a UsageError, and a KeyError as PyTorch's)."""
        return NameTakenError(f"{caller}: {type(self).__name__} already has an attribute "
                              f"'{name}'; choose another name (PyTorch: KeyError 'attribute "
                              f"already exists')")

    def _check_assignment(self, own: dict[str, Any], name: str, value: Any) -> None:
        """PyTorch's checks of ``self.<name> = value`` for a name that is not a buffer's:
        a parameter's place takes a Parameter or None; a sub-module's a Module, None or a
        Parameter (which then replaces it); a new parameter or module needs a valid name,
        and a parameter one that no method has."""
        held = slot_kind(own, name)
        member = isinstance(value, (Parameter, DiscoveryMethods))
        if held is not None and not (value is None or isinstance(value, Parameter) or (
                held is _MODULE and member)):
            raise ArgumentTypeError(
                f"cannot assign a {type(value).__name__} to the {held} '{name}' of "
                f"{type(self).__name__}: expected {_EXPECTED[held]}. To replace it by a "
                f"plain value, del self.{name} first; to change a parameter's values in "
                f"place write self.{name}.data[...] = values, or wrap new values: "
                f"Parameter(values)")
        if member:
            check_member_name(f"setattr({type(self).__name__}, {name!r}, "
                              f"{type(value).__name__})", name)
        if isinstance(value, Parameter) and _names_a_method(type(self), name):
            raise self._taken(f"{type(self).__name__}.{name} = Parameter(...)", name)

    def get_submodule(self, target: str) -> AnyModule:
        """The sub-module at the dotted path ``target`` (``""``: self), e.g.
        ``"encoder.0"``; else ``MemberNotFoundError`` (an AttributeError, as PyTorch's)."""
        return self._follow("get_submodule", target, DiscoveryMethods)

    def set_submodule(self, target: str, module: AnyModule, strict: bool = False) -> None:
        """Put ``module`` at the dotted path ``target`` (PyTorch's): the module at
        ``target``'s parent path gets it under the last name, replacing the sub-module
        there or, unless ``strict``, adding it; the name must not hold anything else."""
        if not isinstance(module, DiscoveryMethods):
            raise ArgumentTypeError(f"set_submodule: expected a Module to put at "
                                    f"{target!r}; got {type(module).__name__}")
        strict = flag("set_submodule", "strict", strict)
        if not isinstance(target, str) or not target:
            raise MemberNameError(f"set_submodule: target must be a non-empty dotted str "
                                  f"(e.g. 'encoder.0'); got {target!r}")
        path, _, name = target.rpartition(".")
        parent = self._follow("set_submodule", path, DiscoveryMethods)
        members = dict(parent._members())
        if name in members or strict:
            self._follow("set_submodule", target, DiscoveryMethods)  # names what is there
        parent.add_module(name, module)

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at the dotted path ``target``, e.g. ``"encoder.0.weight"``."""
        return self._follow("get_parameter", target, Parameter)

    def get_buffer(self, target: str) -> Tensor | None:
        """The buffer at the dotted path ``target``, e.g. ``"bn.running_mean"`` (None for
        one registered as None, as PyTorch's)."""
        value = self._follow("get_buffer", target, object)
        path, _, name = target.rpartition(".")
        if name not in self._follow("get_buffer", path, DiscoveryMethods)._buffer_names:
            raise MemberNotFoundError(f"get_buffer: {target!r} is a {type(value).__name__}"
                                      f", not a buffer (see named_buffers())")
        return value

    def _follow(self, caller: str, target: str, kind: type) -> Any:
        """The ``kind`` at a dotted path of attribute names, list indices and dict keys."""
        if not isinstance(target, str):
            raise ArgumentTypeError(f"{caller}: expected a dotted str; got {target!r}")
        value: Any = self
        steps = target.split(".") if target else []
        for depth, step in enumerate(steps):
            items = (value._members() if isinstance(value, DiscoveryMethods) else
                     value.items() if isinstance(value, dict) else enumerate(value)
                     if isinstance(value, (list, tuple)) else ())
            members = {str(k): v for k, v in items}
            if step not in members:
                names = ", ".join(repr(k) for k, v in members.items() if _may_hold(v))
                raise MemberNotFoundError(
                    f"{caller}: {'.'.join(steps[:depth]) or 'the module'} "
                    f"({type(value).__name__}) has no '{step}' (looking for {target!r}); "
                    f"it has {names or 'no modules or parameters'}")
            value = members[step]
        if not isinstance(value, kind):
            label = "Module" if kind is DiscoveryMethods else kind.__name__
            raise MemberNotFoundError(f"{caller}: {target!r} is a {type(value).__name__}, "
                                      f"not a {label}")
        return value
