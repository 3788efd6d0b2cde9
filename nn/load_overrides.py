"""PyTorch's per-module step of ``load_state_dict``, ``_load_from_state_dict``, for the
modules that override it: torchvision's and DETR's ``FrozenBatchNorm2d`` drops the
``num_batches_tracked`` key of the BatchNorm2d it replaces, and layers whose parameters
were renamed convert old checkpoints' keys. ``load_state_dict`` calls it on every module
(with the module's ``prefix``, e.g. ``"backbone.bn1."``) on a copy of the state dict before
loading it; the base does nothing, since the values are checked and loaded together
afterwards (all or nothing). Messages an override appends to ``error_msgs`` raise
``StateDictError``; ``missing_keys`` and ``unexpected_keys`` are the loader's to compute."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import StateDictError
from .state_dict_hooks import has_state_dict_hooks, run_load_pre_hooks

__all__ = ["LoadOverrideMethods", "run_load_overrides"]


class LoadOverrideMethods:
    """``_load_from_state_dict``, the method a module overrides (a mixin of ``Module``)."""

    def _load_from_state_dict(self, state_dict: dict[str, Any], prefix: str,
                              local_metadata: dict, strict: bool, missing_keys: list[str],
                              unexpected_keys: list[str], error_msgs: list[str]) -> None:
        """Nothing here: an override edits ``state_dict`` under ``prefix`` (drop, rename,
        convert entries), then calls ``super()._load_from_state_dict(...)``."""


def run_load_overrides(module: Any, state_dict: Any, strict: bool) -> Any:
    """``state_dict`` as the modules' load pre-hooks and ``_load_from_state_dict``
    overrides leave a copy of it (the same object when no module has either, or when it
    is not a mapping)."""
    base = LoadOverrideMethods._load_from_state_dict
    named = list(module.named_modules())
    if not isinstance(state_dict, Mapping) or (all(
            type(m)._load_from_state_dict is base for _, m in named)
            and not has_state_dict_hooks(named, "load_pre")):
        return state_dict
    edited, errors = dict(state_dict), []
    for prefix, child in named:
        run_load_pre_hooks(child, edited, prefix + "." if prefix else "", errors)
        child._load_from_state_dict(edited, prefix + "." if prefix else "", {}, strict, [], [],
                                    errors)
    if errors:
        raise StateDictError(f"cannot load the state dict into {type(module).__name__}; "
                             f"nothing was loaded:\n  " + "\n  ".join(errors))
    return edited
