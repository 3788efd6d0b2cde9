"""``functional_call``: a module called with other tensors in the places of its
parameters and buffers (PyTorch's ``torch.func.functional_call``), so that a model is a
function of tensors that ``grad``, ``vmap`` and the rest can transform.

Duck-typed (``autograd`` does not import ``nn``): the names come from the module's
``named_parameters`` and ``named_buffers`` (dotted paths, ``"0.weight"``); each tensor is
put in its place for the call and the original put back afterwards, even on error. A
place is found by following the path through attributes, list indices and dict keys;
a module offering ``nn``'s swap hooks (``_members``, ``_set_member``: containers whose
items are not attributes) is entered and changed through them, any other object by
plain attribute assignment (skipping its ``__setattr__`` checks, as the swap is
temporary).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import DataError, UsageError
from .tensor import Tensor

__all__ = ["functional_call"]


def functional_call(module: Any, parameter_and_buffer_dicts: Any, args: Any = None,
                    kwargs: dict[str, Any] | None = None, *, tie_weights: bool = True,
                    strict: bool = False) -> Any:
    """``module(*args, **kwargs)`` with the tensors in ``parameter_and_buffer_dicts`` (a
    dict from dotted names to tensors, or a tuple of such dicts, e.g. ``(params,
    buffers)``) in the places of the module's parameters and buffers of those names.

    ``args`` is a tuple of positional arguments (anything else is the one argument). A
    None value, as in PyTorch, leaves that parameter or buffer None for the call (a
    Linear then runs without its bias).
    ``tie_weights`` (PyTorch's): a tensor the module holds under several names is replaced
    under all of them when one is given. ``strict``: every parameter and buffer must be
    given, and nothing else (else ``UsageError``); without it, names the module does not
    have are ignored, as in PyTorch."""
    given = _merge(parameter_and_buffer_dicts)
    args = () if args is None else args if isinstance(args, tuple) else (args,)
    kwargs = {} if kwargs is None else kwargs
    if not isinstance(kwargs, Mapping):
        raise UsageError(f"functional_call: kwargs must be a dict of keyword arguments; "
                         f"got {type(kwargs).__name__}")
    named = _named_tensors(module)
    known = {name for name, _ in named}
    values = {name: v for name, v in given.items() if name in known}
    _refuse_computed(module, [name for name in given if name not in known])
    if tie_weights:
        _tie(named, values)
    if strict:
        missing = sorted(known - set(values))
        unexpected = [name for name in given if name not in known]
        if missing or unexpected:
            raise UsageError(f"functional_call(strict=True) for {type(module).__name__}: "
                             f"unexpected key(s) {unexpected or 'none'}, missing key(s) "
                             f"{missing or 'none'}; give exactly the module's parameters "
                             f"and buffers, or pass strict=False")
    return _swapped_call(module, {name: _as_value(v) for name, v in values.items()},
                         args, kwargs)


def _swapped_call(module: Any, values: dict[str, Any], args: tuple,
                  kwargs: Mapping[str, Any]) -> Any:
    """``module(*args, **kwargs)`` with ``values`` (Tensors or None) in the places of
    those names (None leaves the place None for the call, as PyTorch), the originals put
    back after.
    A bare TypeError or AttributeError of a call given Nones becomes a UsageError naming
    them (the module's code does not handle a missing tensor there)."""
    saved: list[tuple[Any, Any, Any]] = []
    try:
        for name, value in values.items():
            holder, key = _place(module, name)
            if isinstance(holder, tuple):  # refused before the swap: nothing to put back
                raise UsageError(f"functional_call: '{name}' sits in a tuple, which cannot "
                                 f"be changed; hold it in a list instead")
            saved.append((holder, key, _get(holder, key)))
            _set(holder, key, value)
        return module(*args, **kwargs)
    except (TypeError, AttributeError, DataError) as error:
        nones = [name for name, value in values.items() if value is None]
        if not nones or isinstance(error, UsageError):
            raise
        raise UsageError(f"functional_call: {nones} given as None, and "
                         f"{type(module).__name__}'s forward failed without them "
                         f"({type(error).__name__}: {error}); give a tensor for each, or "
                         f"None only where the module handles a missing tensor (a "
                         f"Linear's bias)") from error
    finally:
        for holder, key, original in reversed(saved):
            _set(holder, key, original)


def _as_value(value: Any) -> Any:
    """A given value as put in place: a Tensor, None (no tensor, for the call), or an
    array or number made a Tensor."""
    return value if value is None or isinstance(value, Tensor) else Tensor(value)


def _refuse_computed(module: Any, unknown: list[str]) -> None:
    """A UsageError for given names that are no parameter or buffer but a Tensor the
    module reads (a parametrized ``weight``, which ``weight_norm`` computes from its
    originals): ignoring them, as other unknown names are, would compute with the
    module's own value in silence (PyTorch assigns it through the parametrization)."""
    for name in unknown:
        holder: Any = module
        for part in name.split("."):
            holder = getattr(holder, part, None)
        if isinstance(holder, Tensor):
            raise UsageError(
                f"functional_call: {name!r} is a tensor {type(module).__name__} computes or "
                f"holds outside its parameters and buffers (a parametrization's result?), "
                f"which cannot be swapped in here; pass the parameters it is computed from "
                f"(e.g. 'parametrizations.weight.original0'), or remove the "
                f"parametrization first")


def _merge(dicts: Any) -> dict[str, Any]:
    items = (dicts,) if isinstance(dicts, Mapping) else dicts
    if not isinstance(items, (tuple, list)) or not all(isinstance(d, Mapping) for d in items):
        raise UsageError(f"functional_call: expected a dict of tensors by name, or a tuple "
                         f"of such dicts ((params, buffers)); got {type(dicts).__name__}")
    merged: dict[str, Any] = {}
    for d in items:
        repeated = sorted(set(merged) & set(d))
        if repeated:
            raise UsageError(f"functional_call: {repeated} appear in more than one dict; "
                             f"which value to use is ambiguous, give each name once")
        merged.update(d)
    return merged


def _named_tensors(module: Any) -> list[tuple[str, Any]]:
    """(name, tensor) for every parameter and buffer, a shared one under each name."""
    if not hasattr(module, "named_parameters") or not callable(module):
        raise UsageError(f"functional_call: expected a module (with named_parameters and a "
                         f"forward call); got {type(module).__name__}")
    named = list(module.named_parameters(remove_duplicate=False))
    buffers = getattr(module, "named_buffers", None)
    if buffers is not None:
        named += list(buffers(remove_duplicate=False))
    return named


def _tie(named: list[tuple[str, Any]], values: dict[str, Any]) -> None:
    """Give every name of a shared tensor the value given for one of its names."""
    groups: dict[int, list[str]] = {}
    for name, t in named:
        groups.setdefault(id(t), []).append(name)
    for names in groups.values():
        chosen = [n for n in names if n in values]
        if len(names) < 2 or not chosen:
            continue
        if any(values[n] is not values[chosen[0]] for n in chosen[1:]):
            raise UsageError(f"functional_call: {chosen} are one tied tensor in the module "
                             f"but were given different values; give one of them, or pass "
                             f"tie_weights=False")
        for n in names:
            values.setdefault(n, values[chosen[0]])


def _place(module: Any, name: str) -> tuple[Any, str]:
    """(the object holding the tensor ``name``, its key there)."""
    *path, key = name.split(".")
    holder = module
    for step in path:
        holder = _get(holder, step)
    return holder, key


def _get(holder: Any, key: str) -> Any:
    if isinstance(holder, Mapping):
        return holder[key]
    if isinstance(holder, (list, tuple)):
        return holder[int(key)]
    members = getattr(holder, "_members", None)  # nn's discovery hook
    if members is not None:
        return dict(members())[key]
    return getattr(holder, key)


def _set(holder: Any, key: str, value: Any) -> None:
    if isinstance(holder, list):
        holder[int(key)] = value
    elif isinstance(holder, dict):
        holder[key] = value
    elif hasattr(holder, "_set_member"):  # nn's swap hook: no Parameter check
        holder._set_member(key, value)
    else:
        object.__setattr__(holder, key, value)
