"""Loading a state dict into a module: every value is checked before anything is copied,
so a state dict that does not fit leaves the module unchanged and the error lists every
problem (missing and unexpected keys, shape mismatches, non-numeric values).

Also PyTorch's extra state (``ExtraStateMethods``, a mixin of ``Module``): a module whose
class overrides ``get_extra_state`` keeps its value in ``state_dict()`` under ``prefix +
"_extra_state"``; ``load_state_dict`` gives that entry to ``set_extra_state`` when the
class overrides it (a missing entry is then a missing key; an entry for a class that does
not override it is an unexpected key)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from autograd import Tensor
from autograd.errors import UsageError
from .errors import ArgumentTypeError, StateDictError
from .parameter import Parameter

__all__ = ["LoadResult", "load_state", "ExtraStateMethods", "EXTRA_STATE_KEY",
           "extra_state_entries", "extra_state_setters"]

EXTRA_STATE_KEY = "_extra_state"  # PyTorch's _EXTRA_STATE_KEY_SUFFIX


class ExtraStateMethods:
    """``get_extra_state`` and ``set_extra_state``, the methods a module overrides to keep
    non-tensor state (a vocabulary, a step count) in its state dict (a mixin of
    ``Module``). As PyTorch's, the base methods raise: they are called only for a class
    that overrides them."""

    def get_extra_state(self) -> Any:
        """The value ``state_dict()`` keeps under ``prefix + "_extra_state"``; override it
        (and ``set_extra_state``) in a subclass."""
        raise UsageError(f"{type(self).__name__}.get_extra_state() is Module's, which is "
                         f"never called by state_dict(): it has no extra state to give. "
                         f"Override get_extra_state and set_extra_state in "
                         f"{type(self).__name__} to keep non-tensor state in its state dict")

    def set_extra_state(self, state: Any) -> None:
        """Take back the value ``get_extra_state`` gave, from ``load_state_dict``;
        override it (and ``get_extra_state``) in a subclass."""
        raise UsageError(f"{type(self).__name__}.set_extra_state() is Module's, which is "
                         f"never called by load_state_dict(): it keeps no extra state. "
                         f"Override get_extra_state and set_extra_state in "
                         f"{type(self).__name__} to keep non-tensor state in its state dict")


def _overrides(module: Any, method: str) -> bool:
    """Whether the class of ``module`` overrides ``ExtraStateMethods.<method>``."""
    return getattr(type(module), method, None) is not getattr(ExtraStateMethods, method)


def extra_state_key(path: str) -> str:
    """The state-dict key of the extra state of the module at dotted ``path``."""
    return f"{path}.{EXTRA_STATE_KEY}" if path else EXTRA_STATE_KEY


def extra_state_entries(path: str, module: Any) -> Iterator[tuple[str, Any]]:
    """``(key, module.get_extra_state())`` when the class of ``module`` (at dotted
    ``path``) overrides ``get_extra_state``; else nothing."""
    if _overrides(module, "get_extra_state"):
        yield extra_state_key(path), module.get_extra_state()


def extra_state_setters(modules: list[tuple[str, Any]]) -> dict[str, Callable[[Any], None]]:
    """The ``set_extra_state`` of each ``(path, module)`` whose class overrides it, by the
    state-dict key of its extra state."""
    return {extra_state_key(path): module.set_extra_state for path, module in modules
            if _overrides(module, "set_extra_state")}


class LoadResult(NamedTuple):
    """What ``load_state_dict(..., strict=False)`` skipped."""
    missing_keys: list[str]
    unexpected_keys: list[str]

    def __repr__(self) -> str:
        """PyTorch's: ``<All keys matched successfully>`` when nothing was skipped."""
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (f"LoadResult(missing_keys={self.missing_keys!r}, "
                f"unexpected_keys={self.unexpected_keys!r})")

    __str__ = __repr__


def load_state(owner: str, targets: dict[str, Tensor], state_dict: Mapping[str, Any],
               strict: bool = True, assign: Callable[[str, Any], None] | None = None,
               extra_states: Mapping[str, Callable[[Any], None]] | None = None
               ) -> LoadResult:
    """Copy ``state_dict[key]`` into ``targets[key].data`` for every key (identity and dtype
    of the targets are kept), or raise ``StateDictError`` naming ``owner`` and every
    problem: a mis-shaped or non-numeric value, or with ``strict`` a missing or
    unexpected key. With ``assign``, call ``assign(key, state_dict[key])`` instead of
    copying (a value for a parameter that requires grad must then be floating).
    ``extra_states`` maps keys to setters (``set_extra_state``), each called with its
    value, as is, once the tensors are loaded, in the order given; their keys count as
    missing when absent."""
    if not isinstance(state_dict, Mapping):
        raise ArgumentTypeError(f"load_state_dict needs a mapping of names to arrays (from "
                                f"state_dict()); got {type(state_dict).__name__}")
    extra_states = extra_states or {}
    missing = [k for k in (*targets, *extra_states) if k not in state_dict]
    unexpected = [str(k) for k in state_dict if k not in targets and k not in extra_states]
    values, mismatched, bad_types = {}, [], []
    for key, target in targets.items():
        if key not in state_dict:
            continue
        value = state_dict[key]
        try:
            array = value.data if isinstance(value, Tensor) else np.asarray(value)
        except ValueError:  # NumPy's "inhomogeneous shape"
            bad_types.append(f"  '{key}' is a ragged sequence, not an array of numbers")
            continue
        if array.dtype.kind not in "biuf":
            bad_types.append(f"  '{key}' holds {array.dtype} data, not numbers")
        elif assign and isinstance(target, Parameter) and target.requires_grad and \
                array.dtype.kind != "f":
            bad_types.append(f"  '{key}' holds {array.dtype} data; assign=True makes it a "
                             f"Parameter that requires grad, which must be floating")
        elif array.shape != target.shape:
            mismatched.append((key, array.shape, target.shape))
        else:
            values[key] = value if assign else array
    if mismatched or bad_types or (strict and (missing or unexpected)):
        nested = [k for k in state_dict if isinstance(state_dict[k], Mapping)
                  and k not in extra_states]
        if nested and missing:  # e.g. model.load_state_dict(nn.load(path))
            bad_types.append(f"  the state dict holds dicts under {nested}: if it came from "
                             f"nn.load(path), pass nn.load(path)[{nested[0]!r}]")
        raise StateDictError(
            _load_message(owner, missing if strict else [],
                          unexpected if strict else [], mismatched, bad_types),
            missing, unexpected, mismatched)
    for key, array in values.items():
        if assign:
            assign(key, array)
            continue
        targets[key].data[...] = array
        targets[key].bump_version()  # a graph built on the old values refuses to backward
    for key, set_extra_state in extra_states.items():
        if key in state_dict:
            set_extra_state(state_dict[key])
    return LoadResult(missing, unexpected)


def _load_message(owner: str, missing: list[str], unexpected: list[str],
                  mismatched: list[tuple[str, tuple, tuple]], bad_types: list[str]) -> str:
    lines = [f"cannot load the state dict into {owner}; nothing was loaded:"]
    if missing:
        lines.append("  missing keys (in the module, not in the state dict): "
                     + ", ".join(repr(k) for k in missing))
    if unexpected:
        lines.append("  unexpected keys (in the state dict, not in the module): "
                     + ", ".join(repr(k) for k in unexpected))
    for key, given, expected in mismatched:
        lines.append(f"  shape mismatch for '{key}': the state dict has {given}, the "
                     f"module has {expected}")
    lines.extend(bad_types)
    pruned = [k[:-len("_orig")] for k in unexpected
              if k.endswith("_orig") and k[:-len("_orig")] in missing]
    if pruned:
        name = pruned[0].rsplit(".", 1)[-1]
        lines.append(f"The state dict is of a pruned model (nn.utils.prune: {pruned[0]!r} "
                     f"saved as '_orig' and '_mask'): prune the same tensors here first, "
                     f"e.g. prune.identity(module, {name!r}), or save after prune.remove.")
    lines.append("Build the module with the same sizes as the one that was saved; strict="
                 "False skips missing and unexpected keys (shapes must still match).")
    return "\n".join(lines)
