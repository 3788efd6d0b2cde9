"""The checks ``Optimizer.load_state_dict`` makes on a state dict's structure before it
changes anything: each fault is a ``StateDictError`` (a ValueError) naming the entry, not
a bare TypeError from deep inside the loader or a failure at the next ``step()``.

A state dict saved by PyTorch (its tensors converted with ``.numpy()``) carries PyTorch's
implementation switches (``foreach``, ``fused``, ``capturable``, ``differentiable``) in
every param group; where this optimizer's constructor takes them, they are checked as the
constructor checks them and dropped (``torch_flags.py``: they change nothing here).
"""
from __future__ import annotations

import inspect
from collections.abc import Mapping
from numbers import Real
from typing import Any

import numpy as np

from ..errors import StateDictError
from .torch_flags import TORCH_FLAGS, accept_torch_flags, taken_torch_flags

__all__ = ["TORCH_FLAGS", "SCHEDULER_KEYS", "checked_groups", "checked_state", "checked_entry",
           "param_index", "accepted_torch_flags", "validate_loaded_group",
           "library_hyper_parameters"]

# what the library's schedulers write into param groups (as PyTorch's): the LRScheduler
# base class initial_lr, OneCycleLR max_lr and min_lr, CyclicLR and OneCycleLR
# max_momentum and base_momentum, swa_utils.SWALR swa_lr; a saved group may have them
SCHEDULER_KEYS = frozenset({"initial_lr", "max_lr", "min_lr", "max_momentum",
                            "base_momentum", "swa_lr"})


def param_index(key: Any) -> int | None:
    """The parameter number a ``"state"`` key or a group's ``"params"`` item stands for: an
    int, or its digits as a str (older state dicts); None for anything else."""
    if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
        return int(key)
    if isinstance(key, str) and key.isascii() and key.isdigit():
        return int(key)
    return None


def checked_groups(owner: str, saved: Any, count: int) -> list[Mapping[str, Any]]:
    """``state_dict["param_groups"]``: a list of ``count`` dicts, each with a ``"params"``
    list of parameter numbers."""
    if not isinstance(saved, (list, tuple)):
        raise StateDictError(f"{owner}.load_state_dict: 'param_groups' must be a list of "
                             f"dicts (one per param group, as state_dict() writes it); got "
                             f"{type(saved).__name__}")
    if len(saved) != count:
        raise StateDictError(f"loaded state dict has {len(saved)} parameter groups, "
                             f"this optimizer has {count}")
    for i, group in enumerate(saved):
        if not isinstance(group, Mapping):
            raise StateDictError(f"{owner}.load_state_dict: param_groups[{i}] must be a dict "
                                 f"of hyper-parameters and 'params'; got "
                                 f"{type(group).__name__}")
        params = group.get("params")
        if not isinstance(params, (list, tuple)) or any(param_index(k) is None
                                                       for k in params):
            raise StateDictError(f"{owner}.load_state_dict: param_groups[{i}]['params'] must "
                                 f"be a list of parameter numbers (ints); got {params!r:.80}")
    return list(saved)


def checked_state(owner: str, state: Any) -> Mapping[Any, Any]:
    """``state_dict["state"]``: a dict from parameter number to that parameter's state."""
    if not isinstance(state, Mapping):
        raise StateDictError(f"{owner}.load_state_dict: 'state' must be a dict from parameter "
                             f"number to that parameter's state; got {type(state).__name__}")
    return state


def checked_entry(owner: str, key: Any, entry: Any) -> Mapping[str, Any]:
    """The state of parameter ``key``: a dict of named entries (``{"step": ..., "exp_avg":
    ...}``)."""
    if not isinstance(entry, Mapping):
        raise StateDictError(f"{owner}.load_state_dict: the state of parameter {key!r} must "
                             f"be a dict of named entries, e.g. {{'step': ..., 'exp_avg': "
                             f"...}}; got {type(entry).__name__} {entry!r:.40}")
    return entry


def accepted_torch_flags(optimizer: Any, group: Mapping[str, Any],
                         saved: Mapping[str, Any]) -> frozenset[str]:
    """The PyTorch switches in the saved group that this optimizer's constructor takes
    (and its group does not keep), after checking their values as the constructor does
    (``differentiable=True`` is a ``ConfigError``)."""
    taken = taken_torch_flags(type(optimizer))
    flags = frozenset(k for k in TORCH_FLAGS.intersection(saved)
                      if k in taken and k not in group)
    if flags:
        accept_torch_flags(type(optimizer).__name__, **{k: saved[k] for k in flags})
    return flags


def library_hyper_parameters(root: type) -> frozenset[str]:
    """The hyper-parameter names the constructors of the library's optimizers take (the
    subclasses of ``root``, the ``Optimizer`` base class, defined in its package), except
    ``params`` and PyTorch's switches: in a saved group that this optimizer lacks, one of
    them says the state dict was saved by another kind of optimizer (Adam's ``amsgrad``
    loaded into Adamax), where any other key is the user's own (``"name"``)."""
    package = root.__module__.rpartition(".")[0] + "."
    names: set[str] = set()
    pending = list(root.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith(package):
            parameters = inspect.signature(cls.__init__).parameters.values()
            names.update(p.name for p in parameters
                         if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))
    return frozenset(names - {"self", "params"} - TORCH_FLAGS)


def validate_loaded_group(optimizer: Any, merged: dict[str, Any],
                          saved: Mapping[str, Any]) -> None:
    """Check a loaded group as the optimizer's constructor checks one (its
    ``_validate_group``), except for a negative ``lr`` in a group a scheduler wrote to (one
    with ``initial_lr``...): ``OneCycleLR(anneal_strategy="linear")`` ends below 0 at its
    last step, in PyTorch too, and the checkpoint taken then must load, as there. That lr
    must still be a finite number."""
    lr = merged.get("lr")
    scheduled = not SCHEDULER_KEYS.isdisjoint(saved)
    if not (scheduled and isinstance(lr, Real) and not isinstance(lr, bool) and lr < 0):
        optimizer._validate_group(merged)
        return
    merged["lr"] = -lr  # the other rules apply as to its size
    try:
        optimizer._validate_group(merged)
    finally:
        merged["lr"] = lr
