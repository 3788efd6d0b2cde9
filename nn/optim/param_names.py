"""Parameters given with their names, as PyTorch (>= 2.6) accepts them:
``Adam(model.named_parameters())`` or a group ``{"params": [("fc.weight", w), ...]}``.

The group keeps the tensors in ``"params"`` and the names in ``"param_names"`` (a list
of str), which ``state_dict()["param_groups"][i]["param_names"]`` shows, as PyTorch's.
Either every parameter of an optimizer has a name or none has.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import ArgumentTypeError, ConfigError

__all__ = ["split_names", "check_naming_agrees"]


def split_names(owner: str, params: list[Any]) -> tuple[list[Any], list[str] | None]:
    """``(tensors, names)`` from a list of ``(name, tensor)`` pairs; ``(params, None)``
    when no entry is a tuple. A mix of pairs and bare tensors is a ``ConfigError``."""
    is_pair = [isinstance(p, tuple) for p in params]
    if not any(is_pair):
        return params, None
    if not all(is_pair):
        raise ConfigError(
            f"{owner}: {is_pair.count(True)} of the {len(params)} parameters of a group are "
            "(name, tensor) pairs and the others bare tensors; pass all with names "
            "(model.named_parameters()) or all without (model.parameters())")
    for pair in params:
        if len(pair) != 2 or not isinstance(pair[0], str):
            raise ArgumentTypeError(
                f"{owner}: a named parameter must be a (name, tensor) pair with a str name, "
                f"as model.named_parameters() yields; got a tuple of {len(pair)} starting "
                f"with {type(pair[0]).__name__ if pair else 'nothing'}")
    return [p for _, p in params], [name for name, _ in params]


def check_naming_agrees(owner: str, groups: Sequence[Mapping[str, Any]],
                        group: Mapping[str, Any]) -> None:
    """``ConfigError`` if ``group`` has names and the optimizer's groups have none, or
    the other way round (as PyTorch)."""
    if groups and ("param_names" in group) != ("param_names" in groups[0]):
        given, kept = ("with", "without") if "param_names" in group else ("without", "with")
        raise ConfigError(
            f"{owner}.add_param_group: a group {given} parameter names added to groups "
            f"{kept} them; give every group its names (named_parameters()) or none")
