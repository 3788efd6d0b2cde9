"""Checks and messages the learning-rate schedulers share: the optimizer argument, one
value per param group, a group added after the scheduler was built, and the warning for
a scheduler stepped before its optimizer."""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from .optimizer import Optimizer
from .._checks import caller_outside_nn, real_number
from ..errors import ArgumentTypeError, ConfigError

__all__ = ["require_optimizer", "per_group", "groups_changed",
           "warn_if_optimizer_not_stepped"]


def require_optimizer(owner: str, optimizer: Any) -> Optimizer:
    """``optimizer``, which must be an ``nn.optim`` Optimizer (else ``ArgumentTypeError``)."""
    if not isinstance(optimizer, Optimizer):
        raise ArgumentTypeError(f"{owner} needs an nn.optim Optimizer, "
                                f"got {type(optimizer).__name__}")
    return optimizer


def per_group(owner: str, name: str, optimizer: Optimizer,
              value: float | Sequence[float]) -> list[float]:
    """One number >= 0 per param group: a scalar is repeated, a list or tuple must have
    one per group (``nn._checks``' rule for each)."""
    n = len(optimizer.param_groups)
    if not isinstance(value, (list, tuple)):
        return [real_number(owner, name, value, minimum=0)] * n
    values = [real_number(owner, f"{name}[{i}]", v, minimum=0) for i, v in enumerate(value)]
    if len(values) != n:
        raise ConfigError(f"{owner}: {name} must be a number or a list of {n} numbers (one "
                          f"per param group); got {value!r}.")
    return values


def groups_changed(scheduler: Any, scheduled: int) -> ConfigError:
    """The error for a param group added to the optimizer after ``scheduler`` was built
    for ``scheduled`` groups (PyTorch fails there too): the new group would keep its lr."""
    name, now = type(scheduler).__name__, len(scheduler.optimizer.param_groups)
    return ConfigError(f"{name} schedules {scheduled} param groups, and the optimizer now has "
                       f"{now} (add_param_group after the scheduler was built): the new group "
                       f"would never be scheduled. Add every group before building {name}.")


def warn_if_optimizer_not_stepped(scheduler: Any) -> None:
    """Warn (once per scheduler: on its first step after construction) when the
    optimizer has not stepped yet: the schedule's first value was then never used."""
    if not getattr(scheduler.optimizer, "_stepped", True):
        warnings.warn(
            f"{type(scheduler).__name__}.step() was called before optimizer.step(): the "
            "first value of the schedule is skipped. Call optimizer.step() first, then "
            "scheduler.step(), in each epoch (or iteration).", UserWarning,
            stacklevel=caller_outside_nn())
