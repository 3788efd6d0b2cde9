"""PyTorch's ``required`` (``from torch.optim.optimizer import required``): the default of
a hyper-parameter that every param group must give itself, as optimizers written for
PyTorch 1.x declare ``lr=required``."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import ConfigError

__all__ = ["required", "fill_defaults"]


class _RequiredParameter:
    """The marker of a hyper-parameter without a default (one object: ``required``)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def fill_defaults(owner: str, group: dict[str, Any], defaults: Mapping[str, Any]) -> None:
    """Give ``group`` the ``defaults`` it lacks; ``ConfigError`` (a ValueError, as
    PyTorch's) for a ``required`` one it lacks."""
    for key, default in defaults.items():
        if default is required and key not in group:
            raise ConfigError(
                f"{owner}: parameter group didn't specify a value of required optimization "
                f"parameter {key}; pass {key}= to the optimizer or put it in every group")
        group.setdefault(key, default)
