"""Loading a state dict into a module: every value is checked before anything is copied,
so a state dict that does not fit leaves the module unchanged and the error lists every
problem (missing and unexpected keys, shape mismatches, non-numeric values)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import numpy as np

from autograd import Tensor
from .errors import ArgumentTypeError, StateDictError
from .parameter import Parameter

__all__ = ["LoadResult", "load_state"]


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
               strict: bool = True, assign: Callable[[str, Any], None] | None = None
               ) -> LoadResult:
    """Copy ``state_dict[key]`` into ``targets[key].data`` for every key (identity and dtype
    of the targets are kept), or raise ``StateDictError`` naming ``owner`` and every
    problem: a mis-shaped or non-numeric value, or with ``strict`` a missing or
    unexpected key. With ``assign``, call ``assign(key, state_dict[key])`` instead of
    copying (a value for a parameter that requires grad must then be floating)."""
    if not isinstance(state_dict, Mapping):
        raise ArgumentTypeError(f"load_state_dict needs a mapping of names to arrays (from "
                                f"state_dict()); got {type(state_dict).__name__}")
    missing = [k for k in targets if k not in state_dict]
    unexpected = [str(k) for k in state_dict if k not in targets]
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
        nested = [k for k in state_dict if isinstance(state_dict[k], Mapping)]
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
