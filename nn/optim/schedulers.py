"""Learning-rate schedulers (PyTorch names and semantics).

A scheduler wraps an optimizer and sets ``group["lr"]`` of each param group. Call
``scheduler.step()`` once per epoch (or per iteration), after ``optimizer.step()`` (a
first ``scheduler.step()`` before any ``optimizer.step()`` warns once, as in PyTorch:
it skips the first value of the schedule). Constructing a scheduler performs step 0
(``last_epoch`` becomes 0).

Chaining, as PyTorch does: ``step()`` updates each group's *current* lr by the
schedule's step rule (StepLR multiplies it by gamma every step_size steps,
ExponentialLR by gamma, ...). So several schedulers stepped together compose (their
factors multiply), a cut by ``ReduceLROnPlateau`` or a manual ``group["lr"] = 0.1``
is kept and scaled from, and a scheduler attached later starts from the lr it finds.
Where PyTorch has a closed form (StepLR, MultiStepLR, ExponentialLR, LinearLR,
CosineAnnealingLR), ``step(epoch)`` jumps to it: the value at ``epoch`` computed
from the group's ``initial_lr`` (set once, by the first scheduler attached), ignoring
the current lr. CosineAnnealingWarmRestarts and CyclicLR are computed from their base
lrs at every step (as in PyTorch), so they do not chain. ``SequentialLR`` (schedules one
after the other, each restarted at its closed-form step 0) lives in
``more_schedulers.py``, ``ReduceLROnPlateau`` in ``plateau.py``, the cyclic schedules in
``cyclic.py``. A scheduler of one's own subclasses ``LRScheduler`` and overrides
``get_lr()``, as in PyTorch.
"""
from __future__ import annotations

import bisect
import math
import warnings
from collections.abc import Sequence
from typing import Any

from .optimizer import Optimizer
from .._checks import caller_outside_nn, integer, real_number, whole_steps
from ..errors import ArgumentTypeError, ConfigError
from .scheduler_state import check_saved_values, state_mapping

__all__ = [
    "LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "LinearLR", "LinearWarmup",
    "CosineAnnealingLR",
]

# The module PyTorch's schedulers report (``torch.optim.lr_scheduler.StepLR.__module__``):
# each public scheduler class says ``__module__ = _LR_SCHEDULER_MODULE``, though they live in
# several files here, because scripts tell the built-in schedulers from their own by it
# (d2l's ``train``: ``if scheduler.__module__ == lr_scheduler.__name__: scheduler.step()``).
_LR_SCHEDULER_MODULE = "nn.optim.lr_scheduler"


class LRScheduler:
    """Base class. Subclasses implement ``_closed_form(epoch) -> list[float]`` (the lrs
    at ``epoch`` from ``base_lrs``) and, when the schedule chains, ``_chain(epoch, lrs)``
    (the lrs at ``epoch`` from the current ``lrs``; by default the closed form).

    ``state_dict()`` holds every attribute except the optimizer (and callables);
    ``load_state_dict()`` restores them. The optimizer's own state dict carries the
    current ``lr`` values, so restore both.
    """

    __module__ = _LR_SCHEDULER_MODULE
    # A schedule that chains (each lr from the last) and is resumed with last_epoch=N keeps
    # the lrs the optimizer's state dict brought in its constructor's step, as PyTorch's
    # (ExponentialLR, LinearLR, CosineAnnealingLR, PolynomialLR, MultiplicativeLR).
    _resume_keeps_lr = False

    def __new__(cls, *args: Any, **kwargs: Any) -> LRScheduler:
        """PyTorch deprecated ``verbose=`` (2.2) and has removed it (a TypeError in 2.14):
        here too, with an ``ArgumentTypeError`` that says so."""
        if "verbose" in kwargs:
            raise ArgumentTypeError(
                f"{cls.__name__}(verbose={kwargs['verbose']!r}): the verbose argument was "
                "deprecated and has been removed, as in PyTorch; drop it (to see the "
                "learning rates, print scheduler.get_last_lr() after each step)")
        return super().__new__(cls)

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1,
                 base_lrs: Sequence[float] | None = None) -> None:
        if not isinstance(optimizer, Optimizer):
            raise ArgumentTypeError(f"{type(self).__name__} needs an nn.optim Optimizer, "
                                    f"got {type(optimizer).__name__}")
        last_epoch = integer(type(self).__name__, "last_epoch", last_epoch, minimum=-1)
        self.optimizer = optimizer
        groups = optimizer.param_groups
        if last_epoch == -1:
            for group in groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(groups):
                if "initial_lr" not in group:
                    raise ConfigError(f"param_groups[{i}] has no 'initial_lr': last_epoch="
                                      f"{last_epoch} resumes a schedule, which needs the "
                                      "optimizer state of the run that started it")
        if base_lrs is None:
            base_lrs = [group["initial_lr"] for group in groups]
        self.base_lrs = [float(lr) for lr in base_lrs]
        self.last_epoch = last_epoch
        self._last_lr: list[float] = [float(g["lr"]) for g in groups]
        self._step_count = 0  # calls of step(), the constructor's included
        if last_epoch >= 0 and self._resume_keeps_lr:  # PyTorch's initial step of a
            self._step_count, self.last_epoch = 1, last_epoch + 1  # chain: the lrs loaded
        else:
            self.step()

    def get_lr(self) -> list[float]:
        """PyTorch's way to write a scheduler: a subclass returns the lrs at
        ``self.last_epoch`` (from ``self.base_lrs`` or the groups' current ``lr``) and
        ``step()`` sets them. Called on a built-in scheduler, it warns and gives
        ``get_last_lr()``, as PyTorch's warning advises."""
        warnings.warn(f"{type(self).__name__}.get_lr(): to get the last learning rate "
                      "computed by the scheduler, use get_last_lr()", UserWarning,
                      stacklevel=caller_outside_nn())
        return self.get_last_lr()

    def _closed_form(self, epoch: int) -> list[float]:
        """A subclass's own ``get_lr()`` (``last_epoch`` is ``epoch`` when it is called)."""
        if type(self).get_lr is LRScheduler.get_lr:
            raise NotImplementedError(f"{type(self).__name__} must override get_lr(): the "
                                      "lrs at self.last_epoch, as a PyTorch scheduler does")
        return [float(lr) for lr in self.get_lr()]

    def _chain(self, epoch: int, lrs: list[float]) -> list[float]:
        """The lrs at ``epoch`` from the current ``lrs`` (default: the closed form)."""
        return self._closed_form(epoch)

    def step(self, epoch: int | None = None) -> None:
        """Advance one step: each group's lr is updated from its current value by the
        schedule's step rule. With ``epoch``, jump there: ``last_epoch = epoch`` and the
        closed-form value from ``initial_lr`` (the current lr is ignored)."""
        self._step_count += 1
        if self._step_count == 2:
            warn_if_optimizer_not_stepped(self)
        if epoch is None:
            self.last_epoch += 1
            current = [float(g["lr"]) for g in self.optimizer.param_groups]
            lrs = self._chain(self.last_epoch, current)
        else:
            epoch = integer(f"{type(self).__name__}.step", "epoch", epoch, minimum=0)
            self.last_epoch = epoch
            lrs = self._closed_form(epoch)
        self._set_lrs(lrs)

    def _set_lrs(self, lrs: Sequence[float]) -> None:
        if len(lrs) != len(self.optimizer.param_groups):
            raise groups_changed(self, len(lrs))
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = float(lr)
        self._last_lr = [float(lr) for lr in lrs]

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the last ``step()`` (one per param group)."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Attributes other than the optimizer: counters, base lrs, hyper-parameters."""
        return {k: (list(v) if isinstance(v, (list, tuple)) else v)
                for k, v in vars(self).items() if k != "optimizer" and not callable(v)}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore attributes saved by ``state_dict`` (the keys must match exactly, and the
        values be of the kinds saved, ``scheduler_state.py``, else ``StateDictError``; a
        state saved before ``_step_count`` existed counts as stepped)."""
        expected = set(self.state_dict())
        if "_step_count" in expected:
            state_dict = {"_step_count": 2, **state_mapping(self, state_dict)}
        check_saved_values(self, state_mapping(self, state_dict, expected))
        for key, value in state_dict.items():
            setattr(self, key, list(value) if isinstance(value, (list, tuple)) else value)


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


def _per_group(owner: str, name: str, optimizer: Optimizer,
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


class StepLR(LRScheduler):
    """lr = base_lr * gamma ** (epoch // step_size)."""

    __module__ = _LR_SCHEDULER_MODULE

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.step_size = whole_steps("StepLR", "step_size", step_size, minimum=1)
        self.gamma = real_number("StepLR", "gamma", gamma, minimum=0)
        super().__init__(optimizer, last_epoch)

    def _closed_form(self, epoch: int) -> list[float]:
        return [base * self.gamma ** (epoch // self.step_size) for base in self.base_lrs]

    def _chain(self, epoch: int, lrs: list[float]) -> list[float]:
        """lr * gamma at every step_size-th step, else lr."""
        if epoch == 0 or epoch % self.step_size:
            return lrs
        return [lr * self.gamma for lr in lrs]


class MultiStepLR(LRScheduler):
    """lr = base_lr * gamma ** (number of milestones <= epoch)."""

    __module__ = _LR_SCHEDULER_MODULE

    def __init__(self, optimizer: Optimizer, milestones: Sequence[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.milestones = sorted(whole_steps("MultiStepLR", "milestone", m, minimum=0)
                                 for m in milestones)
        self.gamma = real_number("MultiStepLR", "gamma", gamma, minimum=0)
        super().__init__(optimizer, last_epoch)

    def _closed_form(self, epoch: int) -> list[float]:
        passed = bisect.bisect_right(self.milestones, epoch)
        return [base * self.gamma ** passed for base in self.base_lrs]

    def _chain(self, epoch: int, lrs: list[float]) -> list[float]:
        """lr * gamma ** (milestones equal to epoch; a repeated one counts twice)."""
        hits = self.milestones.count(epoch)
        return [lr * self.gamma ** hits for lr in lrs] if hits else lrs


class ExponentialLR(LRScheduler):
    """lr = base_lr * gamma ** epoch."""

    __module__ = _LR_SCHEDULER_MODULE
    _resume_keeps_lr = True

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = real_number("ExponentialLR", "gamma", gamma, minimum=0)
        super().__init__(optimizer, last_epoch)

    def _closed_form(self, epoch: int) -> list[float]:
        return [base * self.gamma ** epoch for base in self.base_lrs]

    def _chain(self, epoch: int, lrs: list[float]) -> list[float]:
        """lr * gamma (lr at step 0)."""
        return lrs if epoch == 0 else [lr * self.gamma for lr in lrs]


class LinearLR(LRScheduler):
    """Linear ramp of the multiplicative factor, then constant::

        lr = base_lr * (start_factor + (end_factor - start_factor) * min(epoch, T) / T)

    with T = total_iters, start_factor in (0, 1] and end_factor in [0, 1], as PyTorch's.
    With end_factor = 1 this is a linear warm-up (one from 0: :class:`LinearWarmup`).
    """

    __module__ = _LR_SCHEDULER_MODULE
    _resume_keeps_lr = True

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5, last_epoch: int = -1) -> None:
        owner = type(self).__name__
        self.start_factor = self._checked_start_factor(start_factor)
        self.end_factor = real_number(owner, "end_factor", end_factor, minimum=0, maximum=1)
        self.total_iters = whole_steps(owner, "total_iters", total_iters, minimum=1)
        super().__init__(optimizer, last_epoch)

    def _checked_start_factor(self, start_factor: Any) -> float:
        """In (0, 1], as PyTorch's LinearLR (whose chained steps divide by the factor);
        a warm-up from 0 is LinearWarmup's."""
        return real_number(type(self).__name__, "start_factor", start_factor, minimum=0,
                           maximum=1, open_min=True,
                           advice="For a warm-up from 0 use LinearWarmup(optimizer, "
                                  "warmup_steps) (its start_factor may be 0).")

    def _closed_form(self, epoch: int) -> list[float]:
        fraction = min(epoch, self.total_iters) / self.total_iters
        factor = self.start_factor + (self.end_factor - self.start_factor) * fraction
        return [base * factor for base in self.base_lrs]

    def _chain(self, epoch: int, lrs: list[float]) -> list[float]:
        """lr * start_factor at step 0, then lr * factor(epoch) / factor(epoch - 1) up
        to total_iters. A factor of 0 (a warm-up from 0) cannot be scaled from, so the
        step after it takes the closed form."""
        if epoch == 0:
            return [lr * self.start_factor for lr in lrs]
        if epoch > self.total_iters:
            return lrs
        slope = self.end_factor - self.start_factor
        previous = self.total_iters * self.start_factor + (epoch - 1) * slope
        if previous == 0:
            return self._closed_form(epoch)
        return [lr * (1.0 + slope / previous) for lr in lrs]


class LinearWarmup(LinearLR):
    """Linear warm-up: lr = base_lr * (s + (1 - s) * min(epoch, warmup_steps) / warmup_steps)
    with s = start_factor; i.e. ``LinearLR(start_factor=s, end_factor=1, total_iters=
    warmup_steps)``, except that s may be 0 here (the default: a warm-up from 0, which
    PyTorch's LinearLR refuses). Chain it with a decay using :class:`SequentialLR`."""

    __module__ = _LR_SCHEDULER_MODULE

    def __init__(self, optimizer: Optimizer, warmup_steps: int, start_factor: float = 0.0,
                 last_epoch: int = -1) -> None:
        super().__init__(optimizer, start_factor=start_factor, end_factor=1.0,
                         total_iters=integer("LinearWarmup", "warmup_steps", warmup_steps,
                                             minimum=1),
                         last_epoch=last_epoch)

    def _checked_start_factor(self, start_factor: Any) -> float:
        """In [0, 1]: a warm-up may start from 0 (the default)."""
        return real_number("LinearWarmup", "start_factor", start_factor, minimum=0, maximum=1)


def _cosine(base: float, eta_min: float, t: float, period: float) -> float:
    """eta_min + (base - eta_min) * (1 + cos(pi * t / period)) / 2."""
    return eta_min + (base - eta_min) * (1 + math.cos(math.pi * t / period)) / 2


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2.

    (The closed form: past T_max the cosine carries on and the lr rises again.)
    """

    __module__ = _LR_SCHEDULER_MODULE
    _resume_keeps_lr = True

    def __init__(self, optimizer: Optimizer, T_max: float, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        # PyTorch takes any positive period (DARTS passes float(epochs)); an int stays one
        period = real_number("CosineAnnealingLR", "T_max", T_max, minimum=0, open_min=True)
        self.T_max = T_max if isinstance(T_max, int) else period
        self.eta_min = real_number("CosineAnnealingLR", "eta_min", eta_min, minimum=0)
        super().__init__(optimizer, last_epoch)

    def _closed_form(self, epoch: int) -> list[float]:
        return [_cosine(base, self.eta_min, epoch, self.T_max) for base in self.base_lrs]

    def _chain(self, epoch: int, lrs: list[float]) -> list[float]:
        """PyTorch's recursion: (lr - eta_min) scaled by the ratio of consecutive
        (1 + cos) terms; at the cosine's minimum (where that ratio is 0/0) the step
        adds (base_lr - eta_min) (1 - cos(pi / T_max)) / 2 instead."""
        if epoch == 0:
            return lrs
        if self._step_count == 1:  # resumed with last_epoch > 0: nothing to chain from
            return self._closed_form(epoch)
        period, low = self.T_max, self.eta_min
        if (epoch - 1 - period) % (2 * period) == 0:
            rise = (1 - math.cos(math.pi / period)) / 2
            return [lr + (base - low) * rise for lr, base in zip(lrs, self.base_lrs)]
        ratio = ((1 + math.cos(math.pi * epoch / period))
                 / (1 + math.cos(math.pi * (epoch - 1) / period)))
        return [ratio * (lr - low) + low for lr in lrs]
